// The one `ensureBuilt` of the suites that run the bundle (dist/cli.js, dist/server.js): `npm test` builds first; a
// test file run on its own rebuilds the bundle when any of its inputs is newer than either output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const SERVER = join(ROOT, 'dist', 'server.js');

/** What the server and CLI bundles are made from. */
const INPUTS = [join(ROOT, 'server', 'src'), join(ROOT, 'package.json'), join(ROOT, 'scripts', 'bundle.mjs')];

function newest(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export function ensureBuilt(): void {
  const inputs = Math.max(...INPUTS.map(newest));
  if ([CLI, SERVER].every((file) => existsSync(file) && statSync(file).mtimeMs >= inputs)) return;
  const built = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(built.status, 0, `bundling failed:\n${built.stderr}`);
}
