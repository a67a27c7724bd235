// certs.d read as Docker reads it, from temporary directories (never the machine's /etc or ~/.docker): which
// directories, `*.crt` CAs, `<name>.cert` + `<name>.key` pairs, and every broken layout as a `tls` error naming
// the file and never quoting a key. The system store and the secure contexts built from it.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  defaultCertsDirs,
  hostDirNames,
  readHostTls,
  readSystemStore,
  TlsStore,
  type HostTlsResult,
} from '../../../server/src/registry/certificates';
import { makeCa, type Ca, type Issued } from '../../support/pki';

let dir: string;
let ca: Ca;
let other: Ca;
let client: Issued;
let otherClient: Issued;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'digest-pin-certs-'));
  const pki = join(dir, 'pki');
  mkdirSync(pki);
  ca = makeCa(pki, 'corp');
  other = makeCa(pki, 'other');
  client = ca.issue('client', 'client');
  otherClient = other.issue('client', 'client');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A certs.d tree under a fresh directory: `{ 'host:5000/ca.crt': text }`; a value of null makes a directory. */
function tree(files: Record<string, string | null>): string {
  const root = mkdtempSync(join(dir, 'certs.d-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, text === null ? '' : '..'), { recursive: true });
    if (text !== null) writeFileSync(join(root, path), text);
  }
  return root;
}

/** A short, comparable account of a result: what was found, or the error's kind and message. */
function summary(result: HostTlsResult, root: string): string {
  if (!result.ok) return `${result.error.kind}: ${result.error.message.replaceAll(root, '<d>')}`;
  if (result.value === null) return 'none';
  const { cas, client: pair } = result.value;
  return `${cas.length} CA${pair ? `, client ${pair.certPath.replaceAll(root, '<d>')}` : ''}`;
}

describe('readHostTls', () => {
  const H = 'reg.example:5000';
  const cases: Array<{ name: string; files: () => Record<string, string | null>; want: string }> = [
    { name: 'no directory for the host', files: () => ({ 'other:5000/ca.crt': ca.cert }), want: 'none' },
    { name: 'an empty directory still configures the host', files: () => ({ [H]: null }), want: '0 CA' },
    { name: 'ca.crt', files: () => ({ [`${H}/ca.crt`]: ca.cert }), want: '1 CA' },
    {
      name: 'every *.crt is a CA, a bundle counts each certificate, other files are ignored',
      files: () => ({
        [`${H}/ca.crt`]: ca.cert,
        [`${H}/bundle.crt`]: `# comment\n${ca.cert}\n${other.cert}`,
        [`${H}/notes.txt`]: 'x',
        [`${H}/ca.pem`]: 'not read',
      }),
      want: '3 CA',
    },
    {
      name: 'client.cert with client.key',
      files: () => ({ [`${H}/ca.crt`]: ca.cert, [`${H}/client.cert`]: client.cert, [`${H}/client.key`]: client.key }),
      want: '1 CA, client <d>/reg.example:5000/client.cert',
    },
    {
      name: 'two pairs: the first by name',
      files: () => ({
        [`${H}/b.cert`]: client.cert,
        [`${H}/b.key`]: client.key,
        [`${H}/a.cert`]: otherClient.cert,
        [`${H}/a.key`]: otherClient.key,
      }),
      want: '0 CA, client <d>/reg.example:5000/a.cert',
    },
    {
      name: 'a .cert without its .key is an error, as in Docker',
      files: () => ({ [`${H}/client.cert`]: client.cert }),
      want: 'tls: the client certificate <d>/reg.example:5000/client.cert has no key client.key beside it (a CA certificate must end in .crt)',
    },
    {
      name: 'a .key without its .cert is an error, as in Docker',
      files: () => ({ [`${H}/client.key`]: client.key }),
      want: 'tls: the client key <d>/reg.example:5000/client.key has no certificate client.cert beside it',
    },
    {
      name: 'a .crt holding no certificate',
      files: () => ({ [`${H}/ca.crt`]: 'hello' }),
      want: 'tls: the CA certificate <d>/reg.example:5000/ca.crt holds no PEM certificate (-----BEGIN CERTIFICATE-----)',
    },
    {
      name: 'a .crt holding a broken certificate',
      files: () => ({ [`${H}/ca.crt`]: `${ca.cert}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n` }),
      want: 'tls: the CA certificate <d>/reg.example:5000/ca.crt holds an unreadable certificate (number 2)',
    },
    {
      name: 'a ca.crt that cannot be read',
      files: () => ({ [`${H}/ca.crt/inside`]: 'a directory named ca.crt' }),
      want: 'tls: cannot read the CA certificate <d>/reg.example:5000/ca.crt (EISDIR)',
    },
    {
      name: 'a key that is not a PEM key (its text is never quoted)',
      files: () => ({ [`${H}/client.cert`]: client.cert, [`${H}/client.key`]: 'PRIVATE-SECRET-TEXT' }),
      want: 'tls: the client key <d>/reg.example:5000/client.key is not an unencrypted PEM private key',
    },
    {
      name: "a key that is not the certificate's",
      files: () => ({ [`${H}/client.cert`]: client.cert, [`${H}/client.key`]: otherClient.key }),
      want: 'tls: the client key <d>/reg.example:5000/client.key does not belong to the certificate <d>/reg.example:5000/client.cert',
    },
    {
      name: 'a client certificate that is not a certificate',
      files: () => ({ [`${H}/client.cert`]: 'nope', [`${H}/client.key`]: client.key }),
      want: 'tls: the client certificate <d>/reg.example:5000/client.cert is not a PEM certificate',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const root = tree(c.files());
      const result = readHostTls([root], H);
      assert.equal(summary(result, root), c.want);
      if (!result.ok) {
        assert.equal(result.error.registry, H);
        assert.ok(!result.error.message.includes('PRIVATE'), 'a key is never quoted');
        assert.ok(!result.error.message.includes('BEGIN EC PRIVATE KEY'), 'a key is never quoted');
      }
    });
  }

  it('several directories: CAs from all, the client certificate from the first that has one', () => {
    const first = tree({
      [`${H}/ca.crt`]: ca.cert,
      [`${H}/client.cert`]: client.cert,
      [`${H}/client.key`]: client.key,
    });
    const second = tree({
      [`${H}/ca.crt`]: other.cert,
      [`${H}/client.cert`]: otherClient.cert,
      [`${H}/client.key`]: otherClient.key,
    });
    const result = readHostTls([join(dir, 'missing'), first, second], H);
    assert.ok(result.ok && result.value);
    assert.deepEqual(result.value.cas, [ca.cert.trim(), other.cert.trim()]);
    assert.deepEqual(result.value.dirs, [join(first, H), join(second, H)]);
    assert.equal(result.value.client?.certPath, join(first, H, 'client.cert'));
  });

  it('a host on the default port is found under host and host:443', () => {
    assert.deepEqual(hostDirNames('Reg.Example'), ['reg.example', 'reg.example:443']);
    assert.deepEqual(hostDirNames('reg.example:5000'), ['reg.example:5000']);
    assert.deepEqual(hostDirNames('[::1]:5000'), ['[::1]:5000']);
    assert.deepEqual(hostDirNames('reg.example:5000', 'win32'), ['reg.example5000']);
    const root = tree({ 'reg.example:443/ca.crt': ca.cert });
    assert.equal(summary(readHostTls([root], 'reg.example'), root), '1 CA');
  });
});

describe('defaultCertsDirs', () => {
  const cases: Array<{ name: string; env: NodeJS.ProcessEnv; platform: NodeJS.Platform; want: string[] }> = [
    {
      name: 'Linux: Docker Desktop, rootless, Engine',
      env: {},
      platform: 'linux',
      want: ['/h/.docker/certs.d', '/h/.config/docker/certs.d', '/etc/docker/certs.d'],
    },
    {
      name: 'XDG_CONFIG_HOME moves the rootless one',
      env: { XDG_CONFIG_HOME: '/x' },
      platform: 'darwin',
      want: ['/h/.docker/certs.d', '/x/docker/certs.d', '/etc/docker/certs.d'],
    },
    {
      name: 'Windows: ProgramData',
      env: { ProgramData: 'D:\\PD' },
      platform: 'win32',
      want: [join('/h', '.docker', 'certs.d'), join('D:\\PD', 'docker', 'certs.d')],
    },
    {
      name: 'DIGEST_PIN_CERTS_DIRS replaces the list',
      env: { DIGEST_PIN_CERTS_DIRS: `/a${':'}/b` },
      platform: 'linux',
      want: ['/a', '/b'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(defaultCertsDirs(c.env, '/h', c.platform), c.want));
});

describe('the system store', () => {
  it('reads the first bundle that exists', () => {
    const bundle = join(dir, 'bundle.pem');
    cpSync(ca.certPath, bundle);
    const store = readSystemStore([join(dir, 'absent.pem'), bundle]);
    // Node ≥ 22.15 answers from its own reader; otherwise the file is read.
    if (store.source === bundle) assert.deepEqual(store.certificates, [ca.cert.trim()]);
    else assert.equal(store.source, "tls.getCACertificates('system')");
  });

  it("adds only what Node's bundled roots lack, once", () => {
    let reads = 0;
    const tls = new TlsStore({
      dirs: [],
      readSystem: () => {
        reads++;
        return { certificates: [rootCertificates[0]!, ca.cert, rootCertificates[1]!], source: 'fake' };
      },
    });
    const first = tls.contextFor('a.example');
    const second = tls.contextFor('b.example:5000');
    assert.ok(first.ok && second.ok);
    assert.equal(first.value, second.value, 'hosts without certs.d share one context');
    assert.deepEqual({ ...tls.systemInfo(), ms: 0 }, { source: 'fake', certificates: 3, added: 1, ms: 0 });
    assert.equal(reads, 1);
  });

  it('a host with certs.d gets a context of its own, built once; a broken one is an error', () => {
    const root = tree({
      'reg.example:5000/ca.crt': ca.cert,
      'bad.example/client.cert': client.cert,
    });
    const tls = new TlsStore({ dirs: [root], systemStore: false });
    const own = tls.contextFor('reg.example:5000');
    const shared = tls.contextFor('plain.example');
    assert.ok(own.ok && shared.ok);
    assert.notEqual(own.value, shared.value);
    const again = tls.contextFor('REG.example:5000');
    assert.ok(again.ok);
    assert.equal(again.value, own.value);
    assert.equal(tls.configured('reg.example:5000'), true);
    assert.equal(tls.configured('plain.example'), false);
    assert.equal(tls.configured('bad.example'), true, 'a broken directory still asks for verification');
    const bad = tls.contextFor('bad.example', 'bad.example');
    assert.equal(bad.ok, false);
    assert.equal(tls.caPathFor('Reg.Example:5000'), join(root, 'reg.example:5000', 'ca.crt'));
  });
});
