// Docker config look-up order and key forms, and credential helpers: a fake `docker-credential-test` script on a
// temporary PATH that finds, misses, prints garbage, hangs, floods, or fails — each must end in a value, never a
// crash, and no message may carry the secret.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  convertToHostname,
  credentialFromAuthEntry,
  dockerConfigCredentials,
  dockerConfigPath,
  findKey,
  parseHelperOutput,
  runCredentialHelper,
  type CredentialResult,
} from '../../../server/src/registry/credentials';

const SECRET = 'S3CRET-do-not-print';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

let dir: string;
let binDir: string;
let env: NodeJS.ProcessEnv;
const warnings: string[] = [];
const logger = { warn: (m: string) => warnings.push(m) };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'digest-pin-cred-'));
  binDir = join(dir, 'bin');
  // One helper script; what it does depends on the server URL it reads from stdin.
  const script = `#!/bin/sh
read url
printf '%s %s\\n' "$1" "$url" >> "${join(dir, 'helper.log')}"
case "$url" in
  found.example) printf '{"ServerURL":"found.example","Username":"alice","Secret":"${SECRET}"}' ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"hubuser","Secret":"${SECRET}"}' "$url" ;;
  token.example) printf '{"ServerURL":"token.example","Username":"<token>","Secret":"${SECRET}"}' ;;
  missing.example) echo "credentials not found in native keychain"; exit 1 ;;
  garbage.example) echo "this is not json ${SECRET}" ;;
  array.example) echo '["${SECRET}"]' ;;
  empty.example) printf '{"ServerURL":"empty.example","Username":"","Secret":""}' ;;
  hang.example) sleep 30 ;;
  huge.example) head -c 300000 /dev/zero | tr '\\0' 'x' ;;
  fail.example) echo "boom ${SECRET}" >&2; echo "error: ${SECRET}"; exit 3 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'docker-credential-test'), script);
  chmodSync(join(binDir, 'docker-credential-test'), 0o755);
  env = { PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}` };
});
after(() => rmSync(dir, { recursive: true, force: true }));

const noSecret = (result: CredentialResult): void => {
  if (!result.ok) assert.ok(!JSON.stringify(result.error).includes(SECRET), `secret leaked: ${result.error.message}`);
};

describe('key forms', () => {
  const cases: Array<[string, string]> = [
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['http://registry.example.com:5000/v2/', 'registry.example.com:5000'],
    ['ghcr.io', 'ghcr.io'],
    ['  GHCR.IO  ', 'ghcr.io'],
  ];
  for (const [key, host] of cases)
    it(`convertToHostname(${key.trim()})`, () => assert.equal(convertToHostname(key), host));

  const finds: Array<[string, string[], string, string | undefined]> = [
    [
      'Docker Hub canonical key',
      ['ghcr.io', 'https://index.docker.io/v1/'],
      'docker.io',
      'https://index.docker.io/v1/',
    ],
    ['Docker Hub: index.docker.io', ['index.docker.io'], 'docker.io', 'index.docker.io'],
    ['Docker Hub: docker.io', ['docker.io'], 'docker.io', 'docker.io'],
    [
      'Docker Hub: registry-1.docker.io with scheme',
      ['https://registry-1.docker.io'],
      'docker.io',
      'https://registry-1.docker.io',
    ],
    ['Docker Hub: index.docker.io/v1/ without scheme', ['index.docker.io/v1/'], 'docker.io', 'index.docker.io/v1/'],
    [
      'Docker Hub: exact key preferred over an alias',
      ['docker.io', 'https://index.docker.io/v1/'],
      'docker.io',
      'https://index.docker.io/v1/',
    ],
    ['plain host', ['ghcr.io'], 'ghcr.io', 'ghcr.io'],
    ['host with scheme', ['https://ghcr.io'], 'ghcr.io', 'https://ghcr.io'],
    ['host with port', ['localhost:5000'], 'localhost:5000', 'localhost:5000'],
    ['port must match', ['localhost:5001'], 'localhost:5000', undefined],
    ['a subdomain is not the host', ['eu.gcr.io'], 'gcr.io', undefined],
    ['Docker Hub key does not match other hosts', ['https://index.docker.io/v1/'], 'ghcr.io', undefined],
  ];
  for (const [name, keys, registry, expected] of finds)
    it(`findKey: ${name}`, () => assert.equal(findKey(keys, registry), expected));
});

describe('credentialFromAuthEntry', () => {
  const cases: Array<[string, Record<string, unknown>, CredentialResult]> = [
    [
      'auth user:pass',
      { auth: b64('bob:pa:ss') },
      { ok: true, credential: { kind: 'basic', username: 'bob', password: 'pa:ss' }, source: 'auths' },
    ],
    [
      'separate username/password',
      { username: 'bob', password: 'pw' },
      { ok: true, credential: { kind: 'basic', username: 'bob', password: 'pw' }, source: 'auths' },
    ],
    [
      'identity token with user',
      { auth: b64('bob:'), identitytoken: 'ID' },
      { ok: true, credential: { kind: 'identity-token', username: 'bob', token: 'ID' }, source: 'auths' },
    ],
    [
      'registry token',
      { registrytoken: 'RT' },
      { ok: true, credential: { kind: 'registry-token', token: 'RT' }, source: 'auths' },
    ],
    ['empty entry (desktop stub)', {}, { ok: true, credential: null, source: 'auths' }],
    [
      'Harbor robot name with $',
      { auth: b64('robot$ci:tok') },
      { ok: true, credential: { kind: 'basic', username: 'robot$ci', password: 'tok' }, source: 'auths' },
    ],
  ];
  for (const [name, entry, expected] of cases)
    it(name, () => assert.deepEqual(credentialFromAuthEntry(entry, 'r.example'), expected));
  it('auth without a colon is an error value without the secret', () => {
    const result = credentialFromAuthEntry({ auth: b64(SECRET) }, 'r.example');
    assert.deepEqual(result.ok ? null : [result.error.kind, result.error.message], [
      'invalid',
      'the auths entry for r.example in the Docker config is not base64 user:password: run docker login r.example',
    ]);
    noSecret(result);
  });
  it('auth that is not base64 is an error value', () => {
    const result = credentialFromAuthEntry({ auth: '!!!' }, 'r.example');
    assert.equal(result.ok ? null : result.error.kind, 'invalid');
  });
});

describe('parseHelperOutput', () => {
  const cases: Array<[string, string, CredentialResult]> = [
    [
      'user and secret',
      '{"Username":"u","Secret":"s"}',
      { ok: true, credential: { kind: 'basic', username: 'u', password: 's' }, source: 'h' },
    ],
    [
      'identity token',
      '{"Username":"<token>","Secret":"s"}',
      { ok: true, credential: { kind: 'identity-token', token: 's' }, source: 'h' },
    ],
    ['empty', '{"Username":"","Secret":""}', { ok: true, credential: null, source: 'h' }],
  ];
  for (const [name, text, expected] of cases)
    it(name, () => assert.deepEqual(parseHelperOutput(text, 'h', 'r'), expected));
});

describe('dockerConfigPath', () => {
  it('uses $DOCKER_CONFIG', () =>
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/cfg' }, '/home/u'), '/cfg/config.json'));
  it('falls back to ~/.docker', () => assert.equal(dockerConfigPath({}, '/home/u'), '/home/u/.docker/config.json'));
  it('ignores an empty $DOCKER_CONFIG', () =>
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '' }, '/home/u'), '/home/u/.docker/config.json'));
});

describe('runCredentialHelper', () => {
  const run = (url: string, options: { timeoutMs?: number; maxOutput?: number } = {}) =>
    runCredentialHelper('test', url, url, { env, ...options });

  it('found: user and secret', async () => {
    assert.deepEqual(await run('found.example'), {
      ok: true,
      credential: { kind: 'basic', username: 'alice', password: SECRET },
      source: 'docker-credential-test',
    });
  });
  it('Username <token> is an identity token', async () => {
    assert.deepEqual(await run('token.example'), {
      ok: true,
      credential: { kind: 'identity-token', token: SECRET },
      source: 'docker-credential-test',
    });
  });
  it('credentials not found means anonymous', async () => {
    assert.deepEqual(await run('missing.example'), { ok: true, credential: null, source: 'docker-credential-test' });
  });
  it('empty answer means anonymous', async () => {
    assert.deepEqual(await run('empty.example'), { ok: true, credential: null, source: 'docker-credential-test' });
  });
  const failures: Array<[string, string, string, { timeoutMs?: number; maxOutput?: number }?]> = [
    [
      'garbage',
      'garbage.example',
      'docker-credential-test printed something that is not JSON; expected {"Username","Secret"}',
    ],
    [
      'JSON that is not an object',
      'array.example',
      'docker-credential-test printed JSON that is not an object; expected {"Username","Secret"}',
    ],
    [
      'failure with the secret on stdout and stderr',
      'fail.example',
      'docker-credential-test failed (exit 3); check it with: echo fail.example | docker-credential-test get',
    ],
    [
      'huge output',
      'huge.example',
      'docker-credential-test printed more than 64 KiB; it is not a working credential helper',
    ],
    [
      'hangs',
      'hang.example',
      'docker-credential-test did not answer within 1 s; check it works with: echo hang.example | docker-credential-test get',
      { timeoutMs: 700 },
    ],
  ];
  for (const [name, url, message, options] of failures) {
    it(name, async () => {
      const started = Date.now();
      const result = await run(url, options);
      assert.deepEqual(result.ok ? null : [result.error.kind, result.error.message, result.error.registry], [
        'invalid',
        message,
        url,
      ]);
      noSecret(result);
      assert.ok(Date.now() - started < 5_000, 'answered within the timeout');
    });
  }
  it('a helper that is not installed', async () => {
    const result = await runCredentialHelper('nonexistent', 'x.example', 'x.example', { env });
    assert.deepEqual(
      result.ok ? null : result.error.message,
      'docker-credential-nonexistent (configured for x.example in the Docker config) is not on PATH: install it or remove it from the config',
    );
  });
  it('a helper name that could escape the PATH is refused without running anything', async () => {
    const result = await runCredentialHelper('../../bin/sh', 'x.example', 'x.example', { env });
    assert.deepEqual(
      result.ok ? null : result.error.message,
      "credential helper name '../../bin/sh' in the Docker config is invalid",
    );
  });
  it('gets "get" as its argument and the server URL on stdin', async () => {
    await run('found.example');
    assert.match(readFileSync(join(dir, 'helper.log'), 'utf8'), /^get found\.example$/m);
  });
});

describe('dockerConfigCredentials', () => {
  let n = 0;
  const withConfig = (config: unknown): ReturnType<typeof dockerConfigCredentials> => {
    const configDir = join(dir, `config-${n++}`);
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: configDir }, home: '/nonexistent', logger });
  };
  const basic = (username: string, password: string, source: string) => ({
    ok: true,
    credential: { kind: 'basic', username, password },
    source,
  });

  const cases: Array<[string, unknown, string, unknown]> = [
    ['auths by host', { auths: { 'found.example': { auth: b64('u:p') } } }, 'found.example', basic('u', 'p', 'auths')],
    [
      'Docker Hub auths key',
      { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } },
      'docker.io',
      basic('hub', 'pw', 'auths'),
    ],
    [
      'credHelpers beats auths',
      { credHelpers: { 'found.example': 'test' }, auths: { 'found.example': { auth: b64('u:p') } } },
      'found.example',
      basic('alice', SECRET, 'docker-credential-test'),
    ],
    [
      'credHelpers beats credsStore',
      { credHelpers: { 'found.example': 'test' }, credsStore: 'nonexistent' },
      'found.example',
      basic('alice', SECRET, 'docker-credential-test'),
    ],
    [
      'credsStore for Docker Hub gets the canonical URL',
      { credsStore: 'test' },
      'docker.io',
      basic('hubuser', SECRET, 'docker-credential-test'),
    ],
    [
      'credsStore beats auths',
      { credsStore: 'test', auths: { 'found.example': { auth: b64('u:p') } } },
      'found.example',
      basic('alice', SECRET, 'docker-credential-test'),
    ],
    [
      'credsStore knows nothing: falls through to auths',
      { credsStore: 'test', auths: { 'missing.example': { auth: b64('u:p') } } },
      'missing.example',
      basic('u', 'p', 'auths'),
    ],
    [
      'credsStore knows nothing and no auths: anonymous',
      { credsStore: 'test' },
      'missing.example',
      { ok: true, credential: null },
    ],
    ['nothing configured', { auths: {} }, 'other.example', { ok: true, credential: null }],
    [
      'credHelpers for another host only',
      { credHelpers: { 'found.example': 'test' } },
      'other.example',
      { ok: true, credential: null },
    ],
  ];
  for (const [name, config, registry, expected] of cases) {
    it(name, async () => assert.deepEqual(await withConfig(config).get(registry), expected));
  }
  it('a garbage helper is an error value', async () => {
    const result = await withConfig({ credHelpers: { 'garbage.example': 'test' } }).get('garbage.example');
    assert.equal(result.ok ? null : result.error.kind, 'invalid');
    noSecret(result);
  });
  it('a config that is not JSON warns and goes anonymous, as the Docker CLI does', async () => {
    warnings.length = 0;
    const source = withConfig(`{"auths": {"found.example": {"auth": "${SECRET}"`);
    assert.deepEqual(await source.get('found.example'), { ok: true, credential: null });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /config-\d+\/config\.json is not valid JSON; continuing without credentials$/);
    assert.ok(!warnings[0]!.includes(SECRET));
  });
  it('no config file at all is anonymous without a warning', async () => {
    warnings.length = 0;
    const source = dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: join(dir, 'nowhere') }, logger });
    assert.deepEqual(await source.get('found.example'), { ok: true, credential: null });
    assert.deepEqual(warnings, []);
  });
});
