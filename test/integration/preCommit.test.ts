// .pre-commit-hooks.yaml with the real pre-commit (Debian's package, .ci/run): a temp git repository whose
// .pre-commit-config.yaml holds this repository's hooks as they are — id, files, exclude, stages, the entry's
// arguments — but as `language: system` running the built dist/cli.js. (`language: node` makes pre-commit clone
// the repository, `npm install` it with its dev dependencies and pack it: minutes of downloads, not a test.)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { CLI, ROOT } from './cliRun';
import { useSeededCli } from './support/cliWorkspace';

const seeded = useSeededCli('digest-pin-pre-commit-');

interface Hook {
  id: string;
  entry: string;
  language: string;
  [key: string]: unknown;
}

/** This repository's hooks, run by `node dist/cli.js` instead of the installed package's `digest-pin`. */
function localHooks(): Hook[] {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return hooks.map((hook) => {
    assert.match(hook.entry, /^digest-pin /);
    return {
      ...hook,
      language: 'system',
      entry: hook.entry.replace(/^digest-pin/, `${quote(process.execPath)} ${quote(CLI)}`),
    };
  });
}

interface Run {
  status: number | null;
  output: string;
}

/** Asynchronous: the registry's proxy lives in this process. */
function run(cwd: string, command: string, args: string[]): Promise<Run> {
  const env = {
    ...process.env,
    PRE_COMMIT_HOME: join(seeded.ws.tmp, 'pre-commit-home'),
    DOCKER_CONFIG: seeded.ws.dockerConfig,
    XDG_CACHE_HOME: join(seeded.ws.tmp, 'cache-home'),
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: seeded.ws.tmp,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

describe('pre-commit hooks (.pre-commit-hooks.yaml)', () => {
  before(() => {
    const found = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
    assert.equal(found.status, 0, 'pre-commit is not installed: apt-get install pre-commit (.ci/run does)');
  });

  it('the check hook fails on an unpinned image; the manual pin hook pins it; then the check passes', async () => {
    const host = seeded.host;
    const dockerfile = `FROM ${host}/fixtures/docker-image:1.0\n`;
    const dir = seeded.ws.workspace('repo', {
      Dockerfile: dockerfile,
      'README.md': 'FROM python:3.12-slim is prose here\n',
      '.pre-commit-config.yaml': stringify({ repos: [{ repo: 'local', hooks: localHooks() }] }),
    });
    for (const args of [
      ['init', '--quiet'],
      ['add', '--all'],
    ]) {
      const git = await run(dir, 'git', args);
      assert.equal(git.status, 0, git.output);
    }
    const preCommit = (...args: string[]) =>
      run(dir, 'pre-commit', ['run', '--all-files', '--color', 'never', ...args]);

    const unpinned = await preCommit();
    assert.equal(unpinned.status, 1, unpinned.output);
    assert.match(unpinned.output, /^digest-pin\.+Failed$/m);
    assert.ok(
      unpinned.output.includes(`Dockerfile:1:6 warning unpinned ${host}/fixtures/docker-image:1.0 is a mutable tag`),
    );
    // The manual hook does not run in the default stage.
    assert.doesNotMatch(unpinned.output, /digest-pin pin/);
    assert.equal(seeded.ws.read(dir, 'Dockerfile'), dockerfile);

    // pre-commit fails a hook that changed files: that is how a pin is shown.
    const pinned = await preCommit('--hook-stage', 'manual', 'digest-pin-pin');
    assert.equal(pinned.status, 1, pinned.output);
    assert.match(pinned.output, /^digest-pin pin\.+Failed$/m);
    assert.match(pinned.output, /files were modified by this hook/);
    const digest = seeded.setup.fixtures.dockerImage.digest;
    assert.equal(seeded.ws.read(dir, 'Dockerfile'), `FROM ${host}/fixtures/docker-image:1.0@${digest}\n`);

    const passed = await preCommit();
    assert.equal(passed.status, 0, passed.output);
    assert.match(passed.output, /^digest-pin\.+Passed$/m);
  });

  it('excludes names of other formats that would read as a Dockerfile by their content', async () => {
    // Named on the command line, Dockerfile.md would be read (its content starts like a Dockerfile) and fail.
    const dir = seeded.ws.workspace('repo-docs', {
      'docs/Dockerfile.md': 'FROM python:3.12-slim\n',
      '.pre-commit-config.yaml': stringify({ repos: [{ repo: 'local', hooks: localHooks() }] }),
    });
    writeFileSync(join(dir, 'Dockerfile.dockerignore'), 'node_modules\n');
    for (const args of [
      ['init', '--quiet'],
      ['add', '--all'],
    ])
      assert.equal((await run(dir, 'git', args)).status, 0);
    const result = await run(dir, 'pre-commit', ['run', '--all-files', '--color', 'never']);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /^digest-pin\.+Passed$/m);
  });
});
