// Writes a file the way editors save: a temporary file beside it, the same permissions, then one rename, so a reader
// (or a crash) sees the old content or the new, never half of each. A file that changed since it was read is left
// alone: overwriting it would throw away someone else's edit.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type WriteResult = { ok: true } | { ok: false; reason: 'changed' | 'io'; message: string };

/**
 * Replaces the content of `path` with `content` if it still holds `expected`. A symbolic link is followed (the link
 * stays a link); mode and, where permitted, owner and group are kept.
 */
export function writeFileAtomic(path: string, content: Buffer, expected: Buffer): WriteResult {
  let target: string;
  let temp: string | undefined;
  try {
    target = realpathSync(path);
    const stats = statSync(target);
    if (!readFileSync(target).equals(expected)) {
      return {
        ok: false,
        reason: 'changed',
        message: 'the file changed while digest-pin was running; it was not written (run again)',
      };
    }
    temp = join(
      dirname(target),
      `.${basename(target)}.digest-pin-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
    );
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // chmod after creation: the mode given to open() is reduced by the umask.
    chmodSync(temp, stats.mode & 0o7777);
    if (process.getuid !== undefined && (stats.uid !== process.getuid() || stats.gid !== process.getgid?.())) {
      try {
        chownSync(temp, stats.uid, stats.gid);
      } catch {
        // Only root may give a file away; a file we can write but do not own becomes ours, as with any editor.
      }
    }
    renameSync(temp, target);
    temp = undefined;
    return { ok: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: 'io',
      message: `could not write: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    if (temp !== undefined) {
      try {
        unlinkSync(temp);
      } catch {
        // never created, or already gone
      }
    }
  }
}
