// What loading the bundles costs before any work: nothing may build Intl objects when it loads (scripts/bundle.mjs,
// lazyListFormat). The first one loads ICU's locale data: 6.4 MB more resident memory in every CLI and server process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ensureBuilt, ROOT } from './cliRun';

const SERVER = join(ROOT, 'dist', 'server.js');

// Preloaded (--require): every Intl constructor counts what it builds; the list is written at exit.
const PROBE = `
const made = [];
for (const name of Object.getOwnPropertyNames(Intl)) {
  const original = Intl[name];
  if (typeof original !== 'function' || !/^[A-Z]/.test(name)) continue;
  Intl[name] = new Proxy(original, { construct(target, args, newTarget) { made.push(name); return Reflect.construct(target, args, newTarget); } });
}
process.on('exit', () => require('node:fs').writeFileSync(process.env.INTL_PROBE_OUT, JSON.stringify(made)));
`;

describe('bundles: what loading them builds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'digest-pin-bundle-'));
  const probe = join(dir, 'probe.cjs');
  before(() => {
    ensureBuilt();
    writeFileSync(probe, PROBE);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12-slim\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<{ name: string; args: string[]; expected: string[] }> = [
    {
      name: 'the probe sees a ListFormat (control)',
      args: ['-e', "new Intl.ListFormat('en', { type: 'conjunction' })"],
      expected: ['ListFormat'],
    },
    { name: 'digest-pin --version', args: [CLI, '--version'], expected: [] },
    {
      name: 'digest-pin check of a Dockerfile, offline',
      args: [CLI, 'check', '--offline', join(dir, 'Dockerfile')],
      expected: [],
    },
    { name: 'the language server, started and stopped (stdin closed)', args: [SERVER, '--stdio'], expected: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = join(dir, `${c.name.replace(/\W+/g, '-')}.json`);
      const env = {
        ...process.env,
        INTL_PROBE_OUT: out,
        XDG_CACHE_HOME: join(dir, 'cache'),
        DOCKER_CONFIG: join(dir, 'docker'),
      };
      const run = spawnSync(process.execPath, ['--require', probe, ...c.args], {
        cwd: dir,
        env,
        input: '',
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(run.error, undefined);
      assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), c.expected, `stderr: ${run.stderr}`);
    });
  }
});
