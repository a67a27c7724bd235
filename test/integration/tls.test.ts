// `check` and `pin` end to end against the real registry serving TLS with a CA made here, the certs.d directory given
// to the built CLI through DIGEST_PIN_CERTS_DIRS: a CA that did not sign the registry (a TLS registry-error, exit 1
// as for any registry error), its CA in <certs.d>/<host:port>/ca.crt (the digest reported and written), a registry
// requiring a client certificate (refused without client.cert/client.key, answered with them), and a blob redirect
// to another host that is never shown the registry's client certificate.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt, runCli, type Run } from './cliRun';
import { cliWorkspace, type CliWorkspace } from './support/cliWorkspace';
import type { EvilOrigin } from './support/evilOrigin';
import type { Registry } from './support/registry';
import { pushImage, type PushedImage } from './support/seed';
import type { Ca, Issued } from '../support/pki';
import { certsD as certsDUnder, mutualCertsD, startTlsRegistries, type TlsRegistries } from './support/tlsRegistries';

let ws: CliWorkspace;
let corp: Ca;
let stranger: Ca;
let client: Issued;
let open: Registry;
let mutual: Registry;
let storage: EvilOrigin;
let openImage: PushedImage;
let oldImage: PushedImage;
let newImage: PushedImage;

let tls: TlsRegistries;

before(async () => {
  ensureBuilt();
  ws = cliWorkspace('digest-pin-tls-cli-');
  tls = await startTlsRegistries(ws.tmp);
  ({ corp, stranger, client, open, mutual, storage } = tls);
  openImage = await pushImage(open, 'corp/app', '1.0', { format: 'oci' });
  // A tag that moved: checking its old pin dates both images, which reads their configs through the blob redirect.
  oldImage = await pushImage(mutual, 'corp/app', '1.0', { format: 'oci', content: 'old' });
  newImage = await pushImage(mutual, 'corp/app', '1.0', { format: 'oci', content: 'new' });
});

after(async () => {
  await tls?.stop();
  ws?.dispose();
});

const certsD = (files: Record<string, string>): string => certsDUnder(ws.tmp, files);

const cli = (cwd: string, certsDirs: string, ...args: string[]): Promise<Run> =>
  runCli(cwd, [...args, '--no-cache'], {
    env: {
      DOCKER_CONFIG: ws.dockerConfig,
      XDG_CACHE_HOME: join(ws.tmp, 'cache-home'),
      DIGEST_PIN_CERTS_DIRS: certsDirs,
    },
  });

interface Report {
  references: Array<{
    reference: string;
    current: { digest: string | null; created: string | null; error: string | null } | null;
    diagnostics: Array<{ code: string; message: string }>;
  }>;
}
const report = (run: Run): Report => JSON.parse(run.stdout) as Report;
const registryErrors = (run: Run): string[] =>
  report(run).references.flatMap((r) => r.diagnostics.filter((d) => d.code === 'registry-error').map((d) => d.message));

describe('a registry signed by a private CA', () => {
  it('(a) without its CA: a TLS registry-error saying where the CA goes; check and pin exit 1', async () => {
    const dirs = certsD({ [`${open.host}/ca.crt`]: stranger.cert });
    const dir = ws.workspace('a-no-ca', { Dockerfile: `FROM ${openImage.ref}\n` });
    const check = await cli(dir, dirs, 'check', '--format', 'json');
    assert.equal(check.status, 1);
    assert.deepEqual(report(check).references[0]!.current, { digest: null, created: null, error: 'tls' });
    assert.deepEqual(registryErrors(check), [
      `could not check ${openImage.ref} (tls): TLS connection to ${open.host} failed: certificate issuer unknown; put the issuing CA's certificate in ${join(dirs, open.host, 'ca.crt')} or add it to the system certificate store`,
    ]);
    const pin = await cli(dir, dirs, 'pin');
    assert.equal(pin.status, 1);
    assert.match(pin.stdout + pin.stderr, /certificate issuer unknown; put the issuing CA's certificate in/);
    assert.equal(ws.read(dir, 'Dockerfile'), `FROM ${openImage.ref}\n`);
  });

  it('(b) with <certs.d>/<host:port>/ca.crt: check reports the digest and pin writes it', async () => {
    const dirs = certsD({ [`${open.host}/ca.crt`]: corp.cert });
    const dir = ws.workspace('b-ca', { Dockerfile: `FROM ${openImage.ref}\n` });
    const check = await cli(dir, dirs, 'check', '--format', 'json');
    assert.equal(report(check).references[0]!.current?.digest, openImage.digest, check.stderr);
    assert.deepEqual(registryErrors(check), []);
    const pin = await cli(dir, dirs, 'pin');
    assert.equal(pin.status, 0, pin.stdout + pin.stderr);
    assert.equal(ws.read(dir, 'Dockerfile'), `FROM ${openImage.ref}@${openImage.digest}\n`);
  });
});

describe('NODE_EXTRA_CA_CERTS', () => {
  it('still trusted beside certs.d: a verified registry whose CA only NODE_EXTRA_CA_CERTS names', async () => {
    const dirs = certsD({ [`${open.host}/README`]: 'a directory for the host, so it is verified; no CA in it' });
    const dir = ws.workspace('extra-ca', { Dockerfile: `FROM ${openImage.ref}\n` });
    const env = {
      DOCKER_CONFIG: ws.dockerConfig,
      XDG_CACHE_HOME: join(ws.tmp, 'cache-home'),
      DIGEST_PIN_CERTS_DIRS: dirs,
    };
    const args = ['check', '--format', 'json', '--no-cache'];
    const without = await runCli(dir, args, { env });
    assert.deepEqual(report(without).references[0]!.current?.error, 'tls');
    const withExtra = await runCli(dir, args, { env: { ...env, NODE_EXTRA_CA_CERTS: corp.certPath } });
    assert.equal(report(withExtra).references[0]!.current?.digest, openImage.digest, withExtra.stderr);
  });
});

describe('a registry requiring a client certificate', () => {
  it('(c) without client.cert/client.key: the registry asks for one and the message says where it goes', async () => {
    const dirs = certsD({ [`${mutual.host}/ca.crt`]: corp.cert });
    const dir = ws.workspace('c-no-client', { Dockerfile: `FROM ${newImage.ref}\n` });
    const check = await cli(dir, dirs, 'check', '--format', 'json');
    assert.equal(check.status, 1);
    assert.deepEqual(registryErrors(check), [
      `could not check ${newImage.ref} (tls): TLS connection to ${mutual.host} failed: ${mutual.host} asks for a client certificate; put client.cert and client.key in ${join(dirs, mutual.host)}`,
    ]);
    const pin = await cli(dir, dirs, 'pin');
    assert.equal(pin.status, 1);
    assert.equal(ws.read(dir, 'Dockerfile'), `FROM ${newImage.ref}\n`);
  });

  it('(c) with them: check reports the digest and pin writes it', async () => {
    const dirs = certsD({
      [`${mutual.host}/ca.crt`]: corp.cert,
      [`${mutual.host}/client.cert`]: client.cert,
      [`${mutual.host}/client.key`]: client.key,
    });
    const dir = ws.workspace('c-client', { Dockerfile: `FROM ${newImage.ref}\n` });
    const check = await cli(dir, dirs, 'check', '--format', 'json');
    assert.equal(report(check).references[0]!.current?.digest, newImage.digest, check.stderr);
    const pin = await cli(dir, dirs, 'pin');
    assert.equal(pin.status, 0, pin.stdout + pin.stderr);
    assert.equal(ws.read(dir, 'Dockerfile'), `FROM ${newImage.ref}@${newImage.digest}\n`);
  });

  it('(c) a client.cert without its client.key: an error naming the file, never the key', async () => {
    const dirs = certsD({ [`${mutual.host}/ca.crt`]: corp.cert, [`${mutual.host}/client.cert`]: client.cert });
    const dir = ws.workspace('c-no-key', { Dockerfile: `FROM ${newImage.ref}\n` });
    const check = await cli(dir, dirs, 'check', '--format', 'json');
    assert.equal(check.status, 1);
    assert.deepEqual(registryErrors(check), [
      `could not check ${newImage.ref} (tls): the client certificate ${join(dirs, mutual.host, 'client.cert')} has no key client.key beside it (a CA certificate must end in .crt)`,
    ]);
  });

  it('(d) a blob redirect to another host: that host gets its own CA and no client certificate', async () => {
    const { dirs } = mutualCertsD(tls, ws.tmp);
    const pinned = `${oldImage.ref}@${oldImage.digest}`;
    const dir = ws.workspace('d-redirect', { Dockerfile: `FROM ${pinned}\n` });
    const before = storage.count();
    const check = await cli(dir, dirs, 'check', '--format', 'json');
    const ref = report(check).references[0]!;
    assert.deepEqual(registryErrors(check), [], check.stderr);
    assert.equal(ref.current?.digest, newImage.digest);
    assert.ok(ref.current?.created, 'the image configuration was read (through the redirect)');
    const hops = storage.requests().slice(before);
    assert.ok(hops.length > 0, 'the blobs came from the storage host');
    assert.deepEqual(
      hops.map((r) => [r.status, r.clientCertificate]),
      hops.map(() => [200, undefined]),
    );
    assert.ok(hops.every((r) => !r.hasAuthorization));
  });
});
