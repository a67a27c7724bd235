// Manifest, index and config documents (OCI image-spec, Docker schema 2): media types, parsing, platforms.
// Pure: bytes in, values out.

import { createHash } from 'node:crypto';
import { isValidDigest } from '../references/imageRef';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

/**
 * One Accept header, no q-values: without the OCI index type a registry may answer 404 for an OCI index, and
 * without the list type it may answer with the amd64 child instead of the list (registry.md, LAB).
 */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

export const isIndexType = (mediaType: string | undefined): boolean =>
  mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
export const isImageManifestType = (mediaType: string | undefined): boolean =>
  mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
export const isSchema1Type = (mediaType: string | undefined): boolean =>
  mediaType === DOCKER_SCHEMA1 || mediaType === DOCKER_SCHEMA1_SIGNED;

/** Content-Type without parameters, lower case. */
export function baseMediaType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const base = value.split(';')[0]?.trim().toLowerCase();
  if (base === '' || base === undefined) return undefined;
  return sharedMediaType(base);
}

/** A known media type as the one constant string: answers are kept by the thousand, a copy each would add up. */
export const sharedMediaType = (type: string): string => KNOWN_TYPES.get(type) ?? type;

const KNOWN_TYPES = new Map(
  [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST, DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED].map((type) => [
    type,
    type,
  ]),
);

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Normalises architecture names as containerd does: x86_64→amd64, aarch64 and arm64/v8→arm64, armhf→arm/v7. */
export function normalizePlatform(platform: { os?: string; architecture?: string; variant?: string }): Platform {
  const os = (platform.os ?? '').toLowerCase();
  let architecture = (platform.architecture ?? '').toLowerCase();
  let variant = platform.variant?.toLowerCase() || undefined;
  switch (architecture) {
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64';
      if (variant === 'v1') variant = undefined;
      break;
    case 'i386':
    case 'i686':
      architecture = '386';
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      if (variant === 'v8' || variant === '8') variant = undefined;
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === undefined || variant === '7') variant = 'v7';
      else if (/^\d$/.test(variant)) variant = `v${variant}`;
      break;
    default:
      break;
  }
  return variant !== undefined ? { os, architecture, variant } : { os, architecture };
}

/** `linux/arm64/v8` → normalised Platform; null when it is not `os/arch[/variant]`. */
export function parsePlatform(text: string): Platform | null {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) return null;
  return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) });
}

export const formatPlatform = (p: Platform): string => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/** Same os and architecture; the variant counts only when the wanted platform names one. */
export function platformMatches(want: Platform, have: Platform): boolean {
  const a = normalizePlatform(want);
  const b = normalizePlatform(have);
  if (a.os !== b.os || a.architecture !== b.architecture) return false;
  return a.variant === undefined || a.variant === b.variant;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size?: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; children: Descriptor[]; annotations: Record<string, string> }
  | { kind: 'manifest'; mediaType: string; config: Descriptor; annotations: Record<string, string> }
  | { kind: 'schema1' };

export type ParseManifestResult = { ok: true; value: ParsedManifest } | { ok: false; problem: string };

const stringRecord = (value: unknown): Record<string, string> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
};

function descriptor(value: unknown): Descriptor | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.digest !== 'string' || !isValidDigest(record.digest)) return null;
  const mediaType = typeof record.mediaType === 'string' ? record.mediaType : '';
  const out: Descriptor = { mediaType, digest: record.digest };
  if (typeof record.size === 'number') out.size = record.size;
  if (typeof record.platform === 'object' && record.platform !== null) {
    const p = record.platform as Record<string, unknown>;
    if (typeof p.os === 'string' && typeof p.architecture === 'string') {
      out.platform = normalizePlatform({
        os: p.os,
        architecture: p.architecture,
        ...(typeof p.variant === 'string' ? { variant: p.variant } : {}),
      });
    }
  }
  const annotations = stringRecord(record.annotations);
  if (Object.keys(annotations).length > 0) out.annotations = annotations;
  return out;
}

/** Parses a manifest or index body; the media type comes from the document, else from a Content-Type that names one. */
export function parseManifest(body: Buffer | string, contentType: string | undefined): ParseManifestResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return { ok: false, problem: 'manifest is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, problem: 'manifest is not a JSON object' };
  const record = json as Record<string, unknown>;
  const declared = typeof record.mediaType === 'string' ? record.mediaType : undefined;
  const mediaType = declared ?? baseMediaType(contentType) ?? '';
  if (record.schemaVersion === 1 || isSchema1Type(declared)) return { ok: true, value: { kind: 'schema1' } };
  const annotations = stringRecord(record.annotations);
  if (Array.isArray(record.manifests) || isIndexType(mediaType)) {
    if (!Array.isArray(record.manifests)) return { ok: false, problem: 'index has no manifests list' };
    const children: Descriptor[] = [];
    for (const entry of record.manifests) {
      const child = descriptor(entry);
      if (!child) return { ok: false, problem: 'index lists a manifest without a valid digest' };
      children.push(child);
    }
    return {
      ok: true,
      value: { kind: 'index', mediaType: isIndexType(mediaType) ? mediaType : OCI_INDEX, children, annotations },
    };
  }
  const config = descriptor(record.config);
  if (!config) {
    if (isSchema1Type(mediaType) || Array.isArray(record.fsLayers)) return { ok: true, value: { kind: 'schema1' } };
    return { ok: false, problem: 'manifest has no valid config descriptor' };
  }
  // A body without `mediaType` is an OCI image manifest (Docker's schema 2 requires the field), whatever a registry
  // that does not know the type says (Artifactory, Nexus: application/octet-stream).
  const type = declared ?? (isImageManifestType(mediaType) ? mediaType : OCI_MANIFEST);
  return { ok: true, value: { kind: 'manifest', mediaType: type, config, annotations } };
}

/** Attestations (BuildKit provenance/SBOM) are index entries but not platforms anyone runs. */
export function isAttestation(child: Descriptor): boolean {
  if (child.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return child.platform?.os === 'unknown' && child.platform.architecture === 'unknown';
}

/** The runnable platforms of an index, in index order, without attestations or duplicates. */
export function indexPlatforms(children: readonly Descriptor[]): Platform[] {
  const seen = new Set<string>();
  const out: Platform[] = [];
  for (const child of children) {
    if (!child.platform || isAttestation(child)) continue;
    const key = formatPlatform(child.platform);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(child.platform);
  }
  return out;
}

/** The first runnable child of an index for a platform (the variant counts only when asked for). */
export function selectChild(children: readonly Descriptor[], want: Platform): Descriptor | undefined {
  return children.find((c) => c.platform !== undefined && !isAttestation(c) && platformMatches(want, c.platform));
}

export interface ImageConfig {
  created?: string;
  platform?: Platform;
  labels: Record<string, string>;
}

export function parseConfig(body: Buffer): ImageConfig | null {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const record = json as Record<string, unknown>;
  const inner =
    typeof record.config === 'object' && record.config !== null ? (record.config as Record<string, unknown>) : {};
  const out: ImageConfig = { labels: stringRecord(inner.Labels) };
  if (typeof record.created === 'string' && isTimestamp(record.created)) out.created = record.created;
  if (typeof record.os === 'string' && typeof record.architecture === 'string') {
    out.platform = normalizePlatform({
      os: record.os,
      architecture: record.architecture,
      ...(typeof record.variant === 'string' ? { variant: record.variant } : {}),
    });
  }
  return out;
}

export const CREATED_ANNOTATION = 'org.opencontainers.image.created';

/** An RFC 3339 timestamp we are willing to show (and that Date.parse reads). */
export function isTimestamp(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    // Reproducible builds often stamp the Unix epoch (or the zero time): that is not a creation date.
    !value.startsWith('1970-01-01T00:00:00') &&
    !value.startsWith('0001-01-01')
  );
}

/** `sha256:<hex>` (or the algorithm of `like`) of exact bytes. */
export function digestOf(bytes: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export const algorithmOf = (digest: string): string => digest.slice(0, digest.indexOf(':'));
