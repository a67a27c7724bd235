// The GitHub Action runs the committed action/dist/index.js: a workflow has no build step. This fails when that file is
// not what the sources build today (run `npm run build:action` and commit the bundle).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('the action bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'digest-pin-action-bundle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('action/dist/index.js is byte for byte what `npm run build:action` makes now', () => {
    const built = spawnSync(process.execPath, ['scripts/bundle.mjs', '--action', dir], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, `bundling failed:\n${built.stderr}`);
    const fresh = readFileSync(join(dir, 'index.js'));
    const committed = readFileSync(join(ROOT, 'action', 'dist', 'index.js'));
    assert.ok(
      fresh.equals(committed),
      `action/dist/index.js is stale (${committed.length} bytes, a fresh build has ${fresh.length}): run npm run build:action and commit it`,
    );
  });
});
