// The npm package (`npm pack`): the command line only — dist/cli.js, bundled and self-contained (and dist/reader.js,
// the language server's reader thread), plus the files npm always adds — installed into an empty project and run
// from there with no dev dependency in reach.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ROOT, ensureBuilt } from './cliRun';
import pkg from '../../package.json';

/** The tarball's budget: the bundle is ≈ 0.75 MB, ≈ 0.2 MB gzipped. */
const TARBALL_BUDGET_BYTES = 400 * 1024;

interface PackResult {
  filename: string;
  size: number;
  files: Array<{ path: string }>;
}

describe('the npm package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'digest-pin-npm-'));
  const env = { ...process.env, DOCKER_CONFIG: join(dir, 'docker'), XDG_CACHE_HOME: join(dir, 'cache') };
  const sh = (command: string, args: string[], cwd: string): SpawnSyncReturns<string> =>
    spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  let packed: PackResult;

  before(() => {
    ensureBuilt();
    // --ignore-scripts: not the prepare script's rebuild of dist/ while other tests run it.
    const pack = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
    assert.equal(pack.status, 0, pack.stderr);
    packed = (JSON.parse(pack.stdout) as PackResult[])[0]!;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds dist/cli.js, dist/reader.js and what npm always adds, nothing else, within its budget', () => {
    assert.deepEqual(packed.files.map((file) => file.path).sort(), [
      'LICENSE',
      'README.md',
      'dist/cli.js',
      'dist/reader.js',
      'package.json',
    ]);
    assert.ok(packed.size <= TARBALL_BUDGET_BYTES, `${packed.size} bytes, over ${TARBALL_BUDGET_BYTES}`);
    assert.equal(pkg.bin['digest-pin'], 'dist/cli.js');
    console.log(`# npm package ${(packed.size / 1024).toFixed(0)} KiB`);
  });

  it('dist/cli.js and dist/reader.js require only Node.js built-in modules', () => {
    const bundle = readFileSync(CLI, 'utf8') + readFileSync(join(ROOT, 'dist', 'reader.js'), 'utf8');
    const required = new Set([...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    assert.deepEqual(
      [...required].filter((name) => !builtins.has(name)),
      [],
    );
  });

  it('installed into an empty project: npx digest-pin --version, and check of a Dockerfile', () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "project", "private": true }\n');
    writeFileSync(join(project, 'Dockerfile'), 'FROM python:3.12-slim\n');
    const install = sh(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, packed.filename)],
      project,
    );
    assert.equal(install.status, 0, install.stderr);
    const version = sh('npx', ['--no-install', 'digest-pin', '--version'], project);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${pkg.version}\n`);
    const check = sh('npx', ['--no-install', 'digest-pin', 'check', '--offline', 'Dockerfile'], project);
    assert.equal(check.status, 1, check.stderr);
    assert.match(
      check.stdout,
      /^Dockerfile:1:6 warning unpinned python:3\.12-slim is a mutable tag; pin it to a digest$/m,
    );
  });

  it('runs from the tarball alone: its dist/cli.js with no node_modules anywhere near', () => {
    const alone = join(dir, 'alone');
    mkdirSync(alone);
    const untar = sh('tar', ['-xzf', join(dir, packed.filename), '-C', alone], alone);
    assert.equal(untar.status, 0, untar.stderr);
    writeFileSync(join(alone, 'Dockerfile'), 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64) + '\n');
    const check = sh(process.execPath, [join(alone, 'package', 'dist', 'cli.js'), 'check', '--offline', '.'], alone);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /1 file, 1 reference: 0 errors/);
  });
});
