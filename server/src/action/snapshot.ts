// Which files a run wrote, whatever the command (pin rewrites references, lock writes its lock file): every file under
// the workspace is stat'ed before and after. A write is atomic (a new file renamed over the old one), so the inode
// changes even when size and time do not. `.git` and `node_modules` are skipped, symbolic links not followed.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SKIPPED = new Set(['.git', 'node_modules']);
/** A bound for huge workspaces: past it the snapshot stops listing (and `changed` may miss a file). */
export const SNAPSHOT_LIMIT = 200_000;

/** Relative path (`/`-separated) → what says whether it changed. */
export type Snapshot = Map<string, string>;

export function snapshot(root: string, limit = SNAPSHOT_LIMIT): Snapshot {
  const files: Snapshot = new Map();
  const walk = (dir: string, prefix: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.size >= limit) return;
      const path = join(dir, entry.name);
      const name = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) walk(path, `${name}/`);
      } else if (entry.isFile()) {
        try {
          const stats = statSync(path, { bigint: true });
          files.set(name, `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.mode}`);
        } catch {
          // Gone between the listing and the stat: not ours to report.
        }
      }
    }
  };
  walk(root, '');
  return files;
}

/** Files added, removed or rewritten between two snapshots, sorted. */
export function changedFiles(before: Snapshot, after: Snapshot): string[] {
  const changed = new Set<string>();
  for (const [file, state] of after) if (before.get(file) !== state) changed.add(file);
  for (const file of before.keys()) if (!after.has(file)) changed.add(file);
  return [...changed].sort();
}
