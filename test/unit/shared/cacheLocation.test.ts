import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultCacheDir } from '../../../server/src/shared/cacheLocation';

describe('defaultCacheDir', () => {
  const table: Array<[string, NodeJS.Platform, Record<string, string>, string]> = [
    ['Linux', 'linux', {}, '/home/u/.cache/digest-pin'],
    ['Linux with XDG_CACHE_HOME', 'linux', { XDG_CACHE_HOME: '/var/cache/u' }, '/var/cache/u/digest-pin'],
    [
      'a relative XDG_CACHE_HOME is ignored (XDG spec)',
      'linux',
      { XDG_CACHE_HOME: 'cache' },
      '/home/u/.cache/digest-pin',
    ],
    ['an empty XDG_CACHE_HOME is ignored', 'linux', { XDG_CACHE_HOME: '' }, '/home/u/.cache/digest-pin'],
    ['FreeBSD', 'freebsd', {}, '/home/u/.cache/digest-pin'],
    ['macOS', 'darwin', { XDG_CACHE_HOME: '/x' }, '/home/u/Library/Caches/digest-pin'],
    [
      'Windows',
      'win32',
      { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
      'C:\\Users\\u\\AppData\\Local/digest-pin/Cache',
    ],
    ['Windows without LOCALAPPDATA', 'win32', {}, '/home/u/AppData/Local/digest-pin/Cache'],
  ];
  // path.join is POSIX here; on Windows node joins with backslashes.
  for (const [name, platform, env, expected] of table)
    it(name, () => assert.equal(defaultCacheDir(platform, env, '/home/u'), expected));
});
