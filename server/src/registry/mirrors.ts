// Registry mirrors (pull-through caches): which hosts are asked before a registry, and where a mirror's API lives.
// The mapping is what Docker's daemon.json `registry-mirrors` (Docker Hub only) and containerd's hosts.toml
// (`[host."…"]` entries of a registry's directory) say: registry → mirror URLs, tried in order, then the registry.

import { pathProblem } from '../references/imageRef';
import { isLoopbackHost } from './http';
import { DOCKER_HUB, validDomain, type Insecurity, type Target } from './target';

/** Names Docker Hub also goes by: a mirror of any of them is a mirror of `docker.io`. */
const HUB_ALIASES: ReadonlySet<string> = new Set([
  DOCKER_HUB,
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

export interface Mirror {
  /** The URL as the user wrote it, normalised (no trailing slash): for messages. */
  url: string;
  scheme: 'https' | 'http';
  /** `host[:port]`: whose credentials (Docker config) and connection settings apply. */
  host: string;
  /** Path before `/v2` (`/artifactory/api/docker/hub` → `…/hub/v2/…`); empty for most mirrors. */
  root: string;
  /** Repository prefix after `/v2/` (`https://harbor/v2/hub-proxy` → `/v2/hub-proxy/library/nginx/…`). */
  namespace: string;
}

export type MirrorMap = ReadonlyMap<string, readonly Mirror[]>;

/** The registry a mapping key names (`docker.io` for Hub's aliases), or the words of why it names none. */
export function mirroredRegistry(key: string): { ok: true; value: string } | { ok: false; error: string } {
  const host = key
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (host === '' || host.includes('/') || !validDomain(host))
    return {
      ok: false,
      error: `'${key}' is not a registry host (host[:port], e.g. docker.io or registry.internal:5000)`,
    };
  return { ok: true, value: HUB_ALIASES.has(host) ? DOCKER_HUB : host };
}

/**
 * A mirror URL (`https://mirror.example.com`, `http://127.0.0.1:5001`, `https://art.example.com/api/docker/hub`,
 * `https://harbor.example.com/v2/hub-proxy`), or why it is not one. Like Docker: http or https, no user info, query or
 * fragment. Like containerd: a path is the API's root (`/v2` appended), unless it has a `/v2` segment already
 * (containerd's `override_path`), whose rest is then a repository prefix.
 */
export function parseMirror(text: string): { ok: true; value: Mirror } | { ok: false; error: string } {
  const trimmed = text.trim();
  const bad = (why: string) => ({ ok: false as const, error: `mirror '${redactUserInfo(trimmed)}': ${why}` });
  if (!/^https?:\/\//i.test(trimmed)) return bad('needs http:// or https://, e.g. https://mirror.example.com');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return bad('is not a URL');
  }
  if (url.username !== '' || url.password !== '')
    return bad('user name or password in the URL: log in to the mirror with docker login instead');
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(trimmed)) return bad('a query or fragment is not allowed');
  const host = url.host.toLowerCase();
  if (!validDomain(host)) return bad(`'${host}' is not a registry host`);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const v2 = segments.indexOf('v2');
  const root = (v2 < 0 ? segments : segments.slice(0, v2)).map((s) => `/${s}`).join('');
  const namespace = v2 < 0 ? '' : segments.slice(v2 + 1).join('/');
  if (namespace !== '' && pathProblem(namespace) !== null)
    return bad(`'${namespace}' after /v2 is not a repository prefix`);
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  const path = segments.map((s) => `/${s}`).join('');
  return {
    ok: true,
    value: {
      url: `${scheme}://${host}${path}`,
      scheme,
      host,
      root,
      namespace: namespace === '' ? '' : `${namespace}/`,
    },
  };
}

/** The mapping of the setting / command line → mirrors by registry, and the words of every entry left out. */
export function parseRegistryMirrors(mapping: Readonly<Record<string, readonly string[]>>): {
  mirrors: Map<string, Mirror[]>;
  problems: string[];
} {
  const mirrors = new Map<string, Mirror[]>();
  const problems: string[] = [];
  for (const [key, urls] of Object.entries(mapping)) {
    const registry = mirroredRegistry(key);
    if (!registry.ok) {
      problems.push(`registry mirrors: ${registry.error}`);
      continue;
    }
    const list = mirrors.get(registry.value) ?? [];
    for (const text of urls) {
      const mirror = parseMirror(text);
      if (!mirror.ok) problems.push(`registry mirrors of ${registry.value}: ${mirror.error}`);
      else if (!list.some((m) => m.url === mirror.value.url)) list.push(mirror.value);
    }
    if (list.length > 0) mirrors.set(registry.value, list);
  }
  return { mirrors, problems };
}

/**
 * Where to ask a mirror about the origin's repository: the mirror's own host (its credentials, never the origin's),
 * the repository under the mirror's prefix (Docker Hub's `library/` kept: docker.io/nginx → library/nginx).
 */
export function mirrorTarget(mirror: Mirror, origin: Target, insecure: ReadonlyMap<string, Insecurity>): Target {
  return {
    registry: mirror.host,
    apiHost: mirror.host,
    loopback: isLoopbackHost(mirror.host),
    // The URL's scheme is the user's choice; insecureRegistries may still waive certificate checks for HTTPS.
    insecure:
      mirror.scheme === 'http' ? 'http' : insecure.get(mirror.host) === 'https-noverify' ? 'https-noverify' : null,
    path: `${mirror.namespace}${origin.path}`,
    root: mirror.root,
  };
}

function redactUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
