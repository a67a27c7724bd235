import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheDirFor, registryClientOptions, stderrLogger } from '../../../server/src/cli/registry';
import type { RegistryArgs } from '../../../server/src/cli/args';

describe('cacheDirFor', () => {
  const table: Array<[string, RegistryArgs['cacheDir'], string | undefined]> = [
    ['--no-cache: none', null, undefined],
    ['--cache-dir relative to the working directory', 'c', '/work/c'],
    ['--cache-dir absolute', '/tmp/c', '/tmp/c'],
    ['default', undefined, '/home/u/.cache/digest-pin'],
  ];
  for (const [name, cacheDir, expected] of table)
    it(name, () => assert.equal(cacheDirFor({ cacheDir }, '/work', {}, 'linux', '/home/u'), expected));
});

describe('registryClientOptions', () => {
  const args: RegistryArgs = {
    offline: true,
    platform: null,
    insecureRegistries: ['reg:5000'],
    registryMirrors: { 'docker.io': ['https://mirror.example.com'] },
    cacheDir: '/tmp/c',
    concurrency: 4,
    timeoutMs: 1500,
  };
  it('passes the options through; a CLI run never serves stale answers online', () => {
    const options = registryClientOptions(args, {
      cwd: '/work',
      env: { HOME: '/home/u' },
      stderr: { write: () => true },
    });
    assert.deepEqual(
      [
        options.offline,
        options.staleWhileRevalidate,
        options.insecureRegistries,
        options.registryMirrors,
        options.cacheDir,
        options.concurrency,
        options.timeoutMs,
        options.env,
      ],
      [
        true,
        false,
        ['reg:5000'],
        { 'docker.io': ['https://mirror.example.com'] },
        '/tmp/c',
        4,
        1500,
        { HOME: '/home/u' },
      ],
    );
  });
  it('leaves the defaults to the client when not given', () => {
    const options = registryClientOptions(
      { ...args, cacheDir: null, concurrency: undefined, timeoutMs: undefined },
      { cwd: '/w', env: {}, stderr: { write: () => true } },
    );
    assert.deepEqual(['cacheDir' in options, 'concurrency' in options, 'timeoutMs' in options], [false, false, false]);
  });
});

describe('stderrLogger', () => {
  it('prints each warning once, prefixed; debug goes nowhere', () => {
    let text = '';
    const logger = stderrLogger({ write: (t: string) => (text += t) });
    logger.warn('registry cache /c/registry-cache.json is ignored: not valid JSON; it will be rewritten');
    logger.warn('registry cache /c/registry-cache.json is ignored: not valid JSON; it will be rewritten');
    logger.debug?.('noise');
    assert.equal(
      text,
      'digest-pin: warning: registry cache /c/registry-cache.json is ignored: not valid JSON; it will be rewritten\n',
    );
  });
});
