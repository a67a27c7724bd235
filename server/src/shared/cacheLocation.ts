// Where digest-pin keeps its registry cache by default: the CLI and the language server (when its client names no
// directory) share it, so an answer either of them got is the other's too.
import { join } from 'node:path';
import { PRODUCT_NAME } from './product';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The user's cache directory for digest-pin: `$XDG_CACHE_HOME/digest-pin` (an absolute XDG_CACHE_HOME only, as the
 * XDG spec says) else `~/.cache/digest-pin` on Linux and the BSDs, `~/Library/Caches/digest-pin` on macOS,
 * `%LOCALAPPDATA%\digest-pin\Cache` on Windows.
 */
export function defaultCacheDir(platform: NodeJS.Platform, env: Env, home: string): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA && env.LOCALAPPDATA !== '' ? env.LOCALAPPDATA : join(home, 'AppData', 'Local');
    return join(local, PRODUCT_NAME, 'Cache');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Caches', PRODUCT_NAME);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, PRODUCT_NAME);
  return join(home, '.cache', PRODUCT_NAME);
}
