// The LSP tests run the built server: `npm test` builds first; run alone, a test file rebuilds when a source is newer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, SERVER } from './client';

export function ensureBuilt(): void {
  const newest = (path: string): number => {
    const stats = statSync(path);
    if (!stats.isDirectory()) return stats.mtimeMs;
    return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
  };
  const sources = Math.max(newest(join(ROOT, 'server', 'src')), newest(join(ROOT, 'scripts', 'bundle.mjs')));
  if ([SERVER, CLI].every((file) => existsSync(file) && statSync(file).mtimeMs >= sources)) return;
  const built = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(built.status, 0, `bundling failed:\n${built.stderr}`);
}
