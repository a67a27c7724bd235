// What an image says about itself: the OCI annotations and config labels that name its source, revision, version,
// build time and base image (and their label-schema predecessors), and the supply-chain attachments found beside it.
// Pure: records in, bounded values out (a registry's labels are anyone's text: every value is clipped).

/** The provenance fields, each with its OCI key and its label-schema predecessor. */
export const PROVENANCE_FIELDS = {
  source: ['org.opencontainers.image.source', 'org.label-schema.vcs-url'],
  revision: ['org.opencontainers.image.revision', 'org.label-schema.vcs-ref'],
  version: ['org.opencontainers.image.version', 'org.label-schema.version'],
  created: ['org.opencontainers.image.created', 'org.label-schema.build-date'],
  baseName: ['org.opencontainers.image.base.name'],
  baseDigest: ['org.opencontainers.image.base.digest'],
  title: ['org.opencontainers.image.title', 'org.label-schema.name'],
  url: ['org.opencontainers.image.url', 'org.label-schema.url'],
} as const satisfies Record<string, readonly string[]>;

export type ProvenanceField = keyof typeof PROVENANCE_FIELDS;

/** Each field as the image states it (clipped, control characters folded); absent when it does not say. */
export type Provenance = Partial<Record<ProvenanceField, string>>;

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.values(PROVENANCE_FIELDS).flat());

/** The longest value kept: a URL or a 64-hex revision fit; a hostile 1 MB label does not reach a hover. */
export const MAX_VALUE = 256;

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A value as kept: control characters folded to a space, trimmed, at most MAX_VALUE characters (ending in …). */
export function clip(value: string): string {
  const clean = value
    .slice(0, MAX_VALUE * 4)
    .replace(CONTROLS, ' ')
    .trim();
  return clean.length <= MAX_VALUE ? clean : `${clean.slice(0, MAX_VALUE - 1)}…`;
}

/** Only the provenance keys of an annotation or label map, clipped: what the cache keeps of them. */
export function provenanceKeys(record: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (record === undefined) return out;
  for (const key of KNOWN_KEYS) {
    const value = record[key];
    if (typeof value !== 'string') continue;
    const kept = clip(value);
    if (kept !== '') out[key] = kept;
  }
  return out;
}

/**
 * The provenance of an image from its sources in order of precedence (the index's annotations, the manifest's,
 * the config's labels: annotations over labels). Within the sources, an OCI key over its label-schema predecessor.
 */
export function provenanceOf(sources: ReadonlyArray<Readonly<Record<string, string>> | undefined>): Provenance {
  const out: Provenance = {};
  for (const [field, keys] of Object.entries(PROVENANCE_FIELDS) as Array<[ProvenanceField, readonly string[]]>) {
    found: for (const key of keys) {
      for (const source of sources) {
        const value = source?.[key];
        if (value === undefined) continue;
        const kept = clip(value);
        if (kept === '') continue;
        out[field] = kept;
        break found;
      }
    }
  }
  return out;
}

export const isEmpty = (provenance: Provenance | undefined): boolean =>
  provenance === undefined || Object.keys(provenance).length === 0;

// --- supply-chain attachments --------------------------------------------------------------------------------------

/** What was found beside an image: presence only, nothing is verified. */
export type AttachmentKind = 'signature' | 'sbom' | 'provenance' | 'attestation' | 'artifact';

/** How it was found: BuildKit attestation manifests in the index, the OCI 1.1 referrers API, cosign's tag scheme. */
export type AttachmentVia = 'index' | 'referrers' | 'cosign-tag';

export interface Attachment {
  kind: AttachmentKind;
  via: AttachmentVia;
}

export const ATTACHMENT_KINDS: readonly AttachmentKind[] = [
  'signature',
  'sbom',
  'provenance',
  'attestation',
  'artifact',
];
export const ATTACHMENT_VIAS: readonly AttachmentVia[] = ['index', 'referrers', 'cosign-tag'];

/** What a referrer's `artifactType` (or, without one, its config media type) is, by the types signers and SBOM tools write. */
export function attachmentKindOf(artifactType: string): AttachmentKind {
  const type = artifactType.toLowerCase();
  if (
    type === 'application/vnd.dev.cosign.artifact.sig.v1+json' ||
    type === 'application/vnd.dev.cosign.simplesigning.v1+json' ||
    type.startsWith('application/vnd.dev.sigstore.bundle') ||
    type === 'application/vnd.cncf.notary.signature'
  )
    return 'signature';
  if (
    type.includes('spdx') ||
    type.includes('cyclonedx') ||
    type === 'application/vnd.syft+json' ||
    type === 'application/vnd.dev.cosign.artifact.sbom.v1+json'
  )
    return 'sbom';
  if (type.includes('slsa') || type.includes('provenance')) return 'provenance';
  if (type.includes('in-toto') || type === 'application/vnd.dev.cosign.artifact.att.v1+json') return 'attestation';
  return 'artifact';
}

/** One of each kind and way, in a fixed order (kind, then way): the same answer reads the same everywhere. */
export function normaliseAttachments(found: readonly Attachment[]): Attachment[] {
  const seen = new Set<string>();
  const out: Attachment[] = [];
  for (const a of found) {
    const key = `${a.kind} ${a.via}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kind: a.kind, via: a.via });
  }
  const rank = (a: Attachment): number => ATTACHMENT_KINDS.indexOf(a.kind) * 10 + ATTACHMENT_VIAS.indexOf(a.via);
  return out.sort((a, b) => rank(a) - rank(b));
}

const KIND_WORDS: Record<AttachmentKind, string> = {
  signature: 'signature',
  sbom: 'SBOM',
  provenance: 'provenance',
  attestation: 'attestation',
  artifact: 'other artifact',
};
const VIA_WORDS: Record<AttachmentVia, string> = {
  index: 'attestation in index',
  referrers: 'referrers API',
  'cosign-tag': 'cosign tag',
};

/** `signature (cosign tag)`, `attestation (attestation in index)`. */
export const describeAttachment = (a: Attachment): string => `${KIND_WORDS[a.kind]} (${VIA_WORDS[a.via]})`;
