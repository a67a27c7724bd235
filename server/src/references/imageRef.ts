// Image reference grammar and normalisation, after distribution/reference (regexp.go, normalize.go).
// Pure: no I/O. An invalid reference is a value that says what is wrong, never an exception.

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAINS = new Set(['index.docker.io', 'registry-1.docker.io']);
const OFFICIAL_PREFIX = 'library/';

export const MAX_TAG_LENGTH = 128;
export const MAX_PATH_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]*$/;
const ANCHORED_ID = /^[a-f0-9]{64}$/;

/** Hex lengths of the digest algorithms registries accept. */
export const DIGEST_HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const DIGEST_ALGORITHM = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/;
// Own keys only: `constructor` is a well-formed algorithm name but must not find Object.prototype's.
const hexLength = (algorithm: string): number | undefined =>
  Object.hasOwn(DIGEST_HEX_LENGTHS, algorithm) ? DIGEST_HEX_LENGTHS[algorithm] : undefined;

export interface ParsedImageRef {
  /** Registry host as written (after legacy Docker Hub aliases are folded), e.g. `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path within the registry, with `library/` added for official Docker Hub images. */
  path: string;
  /** `domain/path`: the normalised repository name. */
  name: string;
  tag: string | null;
  digest: string | null;
}

export interface InvalidReference {
  kind: 'invalid';
  message: string;
}

export type ParseResult = { ok: true; value: ParsedImageRef } | { ok: false; error: InvalidReference };

const invalid = (message: string): ParseResult => ({ ok: false, error: { kind: 'invalid', message } });

/** Validates `algorithm:hex`; returns the reason it is invalid, or null. */
export function digestProblem(digest: string): string | null {
  const colon = digest.indexOf(':');
  if (colon <= 0) return `digest '${digest}' must be algorithm:hex, e.g. sha256:<64 hex characters>`;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (!DIGEST_ALGORITHM.test(algorithm)) {
    if (hexLength(algorithm.toLowerCase()) !== undefined) return `digest algorithm '${algorithm}' must be lowercase`;
    return `digest algorithm '${algorithm}' is invalid`;
  }
  const expected = hexLength(algorithm);
  if (expected === undefined) return `unsupported digest algorithm '${algorithm}' (expected sha256, sha384 or sha512)`;
  if (/[A-F]/.test(hex) && /^[a-fA-F0-9]*$/.test(hex)) return `${algorithm} digest must be lowercase hex`;
  const bad = hex.match(/[^a-f0-9]/);
  if (bad) return `${algorithm} digest contains '${bad[0]}', which is not a hex character`;
  if (hex.length !== expected) return `${algorithm} digest needs ${expected} hex characters, found ${hex.length}`;
  return null;
}

/** True for a syntactically valid digest of a supported algorithm (anchored; safe to write into files). */
export function isValidDigest(digest: string): boolean {
  return digestProblem(digest) === null;
}

/** Validates `host[:port]` (a bracketed IPv6 host too); returns the reason it is invalid, or null. */
export function domainProblem(domain: string): string | null {
  let host = domain;
  let port: string | null = null;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close < 0) return `registry host '${domain}' has an unclosed '['`;
    host = domain.slice(0, close + 1);
    const rest = domain.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return `registry host '${domain}' is invalid`;
      port = rest.slice(1);
    }
    if (!IPV6_HOST.test(host)) return `registry host '${host}' is not a valid IPv6 address`;
  } else {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    if (host === '') return `registry host is missing before '${domain}'`;
    for (const label of host.split('.')) {
      if (!DOMAIN_LABEL.test(label)) return `registry host '${host}' is invalid`;
    }
  }
  if (port === '') return `registry port is empty after ':' in '${domain}'`;
  // `fc00::1:5000/x`: an IPv6 host must be bracketed, or its colons read as a port.
  if (port !== null && port.includes(':'))
    return `registry host '${domain}' looks like an IPv6 address; write the address in brackets, as in [::1]:5000`;
  if (port !== null && !PORT.test(port)) return `registry port '${port}' must be a number`;
  return null;
}

/** Validates the components of a repository path (not its length); returns the reason it is invalid, or null. */
export function pathProblem(path: string): string | null {
  if (path === '') return 'repository name is missing';
  if (path !== path.toLowerCase()) return 'repository name must be lowercase';
  for (const component of path.split('/')) {
    if (component === '') return `repository name '${path}' has an empty path component`;
    if (!PATH_COMPONENT.test(component)) {
      return `repository path component '${component}' is invalid: use lowercase letters and digits, separated by '.', '_', '__' or '-'`;
    }
  }
  return null;
}

/** Validates a tag, its length included; returns the reason it is invalid, or null. */
export function tagProblem(tag: string): string | null {
  if (tag === '') return "tag is empty after ':'";
  if (tag.length > MAX_TAG_LENGTH) return `tag is ${tag.length} characters; the limit is ${MAX_TAG_LENGTH}`;
  if (!TAG.test(tag)) {
    return `tag '${tag}' is invalid: use letters, digits, '_', '.' and '-', not starting with '.' or '-'`;
  }
  return null;
}

/** Splits `[domain/]path` the way the Docker CLI does: the first component is a domain iff it looks like one. */
function splitDomain(name: string): { domain: string; path: string; explicitDomain: boolean } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, path: name, explicitDomain: false };
  const first = name.slice(0, slash);
  const looksLikeDomain =
    first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
  if (!looksLikeDomain) return { domain: DEFAULT_DOMAIN, path: name, explicitDomain: false };
  return { domain: first, path: name.slice(slash + 1), explicitDomain: true };
}

/** Whether a repository as written starts with a registry host (`ghcr.io/org/app`, `localhost:5000/app`). */
export function namesRegistry(repository: string): boolean {
  return splitDomain(repository).explicitDomain;
}

/** Parses and normalises `name[:tag][@digest]`. */
export function parseImageReference(text: string): ParseResult {
  if (text === '') return invalid('image reference is empty');
  if (/\s/.test(text)) return invalid('image reference contains white space');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (scheme) return invalid(`image reference must not start with '${scheme[0]}'; write host/repository[:tag]`);
  // Like ParseNormalizedNamed: only the whole text being 64 hex is an image ID (`<hex>:tag` is a valid name).
  if (ANCHORED_ID.test(text)) {
    return invalid('a 64-character hex string is an image ID, not a repository name; write name@sha256:<hex>');
  }

  let remainder = text;
  let digest: string | null = null;
  const at = remainder.indexOf('@');
  if (at >= 0) {
    digest = remainder.slice(at + 1);
    remainder = remainder.slice(0, at);
    if (digest.includes('@')) return invalid("image reference has more than one '@'");
    if (digest === '') return invalid("digest is empty after '@'");
    const problem = digestProblem(digest);
    if (problem) return invalid(problem);
  }

  // `[::1]:5000` alone: a bracketed host can never be a repository name, so say what is missing.
  if (remainder.startsWith('[') && !remainder.includes('/')) {
    const host = /^\[[^\]]*\](?::[0-9]+)?/.exec(remainder)?.[0] ?? remainder;
    return invalid(`'${host}' is a registry host; a repository path must follow it, e.g. ${host}/name`);
  }

  let tag: string | null = null;
  const colon = remainder.lastIndexOf(':');
  if (colon > remainder.lastIndexOf('/') && colon > remainder.lastIndexOf(']')) {
    tag = remainder.slice(colon + 1);
    remainder = remainder.slice(0, colon);
    const problem = tagProblem(tag);
    if (problem) return invalid(problem);
  }

  if (remainder === '') return invalid('repository name is missing');
  const split = splitDomain(remainder);
  let { domain, path } = split;
  if (split.explicitDomain) {
    const problem = domainProblem(domain);
    if (problem) return invalid(problem);
  }
  const problem = pathProblem(path);
  if (problem) return invalid(problem);

  // Host names are case-insensitive: `DOCKER.IO` and `Index.Docker.IO` are Docker Hub too.
  const lowerDomain = domain.toLowerCase();
  if (lowerDomain === DEFAULT_DOMAIN || LEGACY_DOMAINS.has(lowerDomain)) domain = DEFAULT_DOMAIN;
  const implied = domain === DEFAULT_DOMAIN && !path.includes('/');
  if (implied) path = OFFICIAL_PREFIX + path;
  // Measured after normalisation, as distribution/reference does: `library/` counts toward the limit.
  if (path.length > MAX_PATH_LENGTH) {
    const note = implied ? ` with the implied '${OFFICIAL_PREFIX}'` : '';
    return invalid(`repository name is ${path.length} characters${note}; the limit is ${MAX_PATH_LENGTH}`);
  }
  return { ok: true, value: { domain, path, name: `${domain}/${path}`, tag, digest } };
}

/** A documentation placeholder such as `<YOUR-IMAGE>` or `<image_url>`: never a real image. */
export function containsPlaceholder(text: string): boolean {
  return /<[A-Za-z][\w .:/-]*>/.test(text);
}

/**
 * True when the text contains an unresolved substitution: `$VAR`, `${VAR}`, `${VAR:-x}`, `${{ expr }}`,
 * `$(cmd)` (an Azure Pipelines macro too), GitLab `$[[ inputs.x ]]`, an Azure runtime expression `$[ … ]`, a Go / Helm /
 * Jinja template `{{ … }}`, or a `<placeholder>`.
 * Such a value is never offered a pin.
 */
export function containsVariable(text: string): boolean {
  return /\$(?:[A-Za-z_{([]|\d)|\{\{|\{%/.test(text) || containsPlaceholder(text);
}

/** The tag a registry is asked for: the written tag, else `latest` when there is no digest either. */
export function effectiveTag(ref: Pick<ParsedImageRef, 'tag' | 'digest'>): string | null {
  if (ref.tag !== null) return ref.tag;
  return ref.digest === null ? 'latest' : null;
}

/** Short, familiar form of a normalised name: `python`, `grafana/grafana`, `ghcr.io/org/app`. */
export function familiarName(name: string): string {
  if (!name.startsWith(`${DEFAULT_DOMAIN}/`)) return name;
  const path = name.slice(DEFAULT_DOMAIN.length + 1);
  // Only a one-component official image drops `library/`: `library/foo/bar` stays as written (as in distribution).
  const official = path.startsWith(OFFICIAL_PREFIX) ? path.slice(OFFICIAL_PREFIX.length) : null;
  return official !== null && !official.includes('/') ? official : path;
}
