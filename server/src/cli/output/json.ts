// `check --format json`: the public shape of /work/shared/design/cli.md, version 1.
// Additive fields only: `context`, `platform`, `localBuild`, `ignored`, `parts` (split references), `locked` (a lock
// file records its digest), `newer` (newer versions of the tag, with `--severity outdated=…`) on a reference;
// `related` (the other places an `inconsistent-pin` names) on a diagnostic; a top-level `notes` array.
// `current` appears only when the registry was asked (or, offline, when the cache knew the answer); for a drifted
// pin, whose images are described, `current` also says what the image says about itself, what is attached to it and
// what changed, and `pinned` says the same of the pinned image (optional fields, v1).
import { notAsked, type Online } from '../../lookup/answer';
import { offerDigest, type Newer } from '../../lookup/newer';
import type { UpgradeLevel } from '../../references/versions';
import {
  formatPlatform,
  type Attachment,
  type Description,
  type Provenance,
  type RegistryError,
  type RegistryErrorKind,
  type Result,
} from '../../registry/index';
import { whatChanged, type WhatChanged } from '../../features/changes';
import type { DiagnosticCode, Severity } from '../../shared/rules';
import type { Range, ReferenceContext, ReferenceParts, ReferenceSource, ReferenceStatus } from '../../references/types';
import type { Report, Summary } from '../check';
import { byCodeUnits } from '../walk';

export interface JsonReference {
  file: string;
  range: Range;
  text: string;
  source: ReferenceSource;
  name: string | null;
  tag: string | null;
  digest: string | null;
  status: ReferenceStatus;
  context: ReferenceContext;
  platform?: string;
  localBuild?: true;
  ignored?: true;
  /** A split reference (Helm values, kustomize, an ARG holding the tag): each scalar's text and range. */
  parts?: ReferenceParts;
  current?: Current;
  /** A drifted pin's own image, described: its build time, platforms, provenance, attachments. */
  pinned?: Image;
  /** The reference is locked: the digest its lock file records, and that lock file (relative to the working directory). */
  locked?: { digest: string; lock: string };
  /** The newest tag of the same line per level, when asked for (`--severity outdated=…`); a digest when looked up. */
  newer?: JsonNewer;
  diagnostics: JsonDiagnostic[];
}

export interface JsonDiagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** Other places the finding is about (`inconsistent-pin`: the same tag pinned to another digest there). */
  related?: Array<{ file: string; range: Range; message: string }>;
}

export type JsonNewer = Partial<Record<UpgradeLevel, { tag: string; digest?: string }>>;

/** `newer` of the JSON output: present when the tag list was read (empty when nothing is newer). */
export function newerOf(newer: Result<Newer> | undefined): JsonNewer | undefined {
  if (!newer?.ok) return undefined;
  const out: JsonNewer = {};
  for (const offer of newer.value.offers) {
    const digest = offerDigest(offer);
    out[offer.level] = digest === undefined ? { tag: offer.tag } : { tag: offer.tag, digest };
  }
  return out;
}

export interface JsonNote {
  file: string;
  severity: Severity;
  message: string;
  range?: Range;
}

export interface JsonReport {
  version: 1;
  references: JsonReference[];
  notes: JsonNote[];
  summary: Summary;
}

export function toJsonReport(report: Report, summary: Summary): JsonReport {
  const references = report.references.map(
    ({ file, reference: ref, findings, online, locked, newer }): JsonReference => {
      const current = currentOf(online);
      const pinned = pinnedOf(online);
      const newerTags = newerOf(newer);
      return {
        file,
        range: ref.range,
        text: ref.text,
        source: ref.source,
        name: ref.name,
        tag: ref.tag,
        digest: ref.digest,
        status: ref.status,
        context: ref.context,
        ...(ref.platform !== undefined ? { platform: ref.platform } : {}),
        ...(ref.localBuild ? { localBuild: true as const } : {}),
        ...(ref.ignored ? { ignored: true as const } : {}),
        ...(ref.parts !== undefined ? { parts: ref.parts } : {}),
        ...(current !== undefined ? { current } : {}),
        ...(pinned !== undefined ? { pinned } : {}),
        ...(locked !== undefined ? { locked } : {}),
        ...(newerTags !== undefined ? { newer: newerTags } : {}),
        diagnostics: findings.map(({ code, severity, message, related }) => ({
          code,
          severity,
          message,
          ...(related === undefined
            ? {}
            : { related: related.map(({ file, range, message }) => ({ file, range, message })) }),
        })),
      };
    },
  );
  const notes: JsonNote[] = [
    ...report.notes.map(({ file, severity, message, range }) =>
      range ? { file, severity, message, range } : { file, severity, message },
    ),
    ...report.failures.map(({ file, message }): JsonNote => ({ file, severity: 'error', message })),
  ].sort((a, b) => byCodeUnits(a.file, b.file));
  return { version: 1, references, notes, summary };
}

export function formatJson(report: Report, summary: Summary): string {
  return `${JSON.stringify(toJsonReport(report, summary), null, 2)}\n`;
}

/** What an image says about itself and what is attached to it, when it was described (optional, v1). */
export interface ImageMetadata {
  /** `os/arch[/variant]` of its runnable images. */
  platforms?: string[];
  provenance?: Provenance;
  /** Presence only: `{ kind, via }`, kind signature|sbom|provenance|attestation|artifact, via index|referrers|cosign-tag. */
  attachments?: Attachment[];
}

/** `current` of the JSON output: what the tag points to now, when the image was built, or why that is unknown. */
export interface Current extends ImageMetadata {
  digest: string | null;
  created: string | null;
  /** The registry error's kind, null when the registry answered. */
  error: RegistryErrorKind | null;
  /** A drifted pin: what changed from the pinned image to this one (features/changes.ts). */
  changes?: WhatChanged;
}

/** `pinned` of the JSON output: a drifted pin's own image. */
export interface Image extends ImageMetadata {
  digest: string;
  created: string | null;
}

function metadataOf(description: Description | undefined): ImageMetadata {
  if (description === undefined) return {};
  return {
    ...(description.platforms !== undefined ? { platforms: description.platforms.map(formatPlatform) } : {}),
    ...(description.provenance !== undefined ? { provenance: description.provenance } : {}),
    ...(description.attachments !== undefined ? { attachments: description.attachments } : {}),
  };
}

/** A drifted pin's own image as described; undefined for anything else. */
export function pinnedOf(online: Online | undefined): Image | undefined {
  if (online?.kind !== 'pin' || online.status.status !== 'drifted') return undefined;
  const described = online.described?.pinned;
  if (described === undefined) return undefined;
  return { digest: online.status.pinned, created: described.created ?? null, ...metadataOf(described) };
}

/** What the JSON output says under `current`; undefined when the registry was not asked (or the cache had nothing). */
export function currentOf(online: Online | undefined): Current | undefined {
  if (online === undefined) return undefined;
  const failed = (error: RegistryError): Current | undefined =>
    notAsked(error) ? undefined : { digest: null, created: null, error: error.kind };
  if (online.kind === 'tag') {
    if (!online.result.ok) return failed(online.result.error);
    const { digest, created, platforms, provenance } = online.result.value;
    return {
      digest,
      created: created ?? null,
      error: null,
      ...(platforms !== undefined ? { platforms: platforms.map(formatPlatform) } : {}),
      ...(provenance !== undefined ? { provenance } : {}),
    };
  }
  const { status, created } = online;
  switch (status.status) {
    case 'current':
      return { digest: status.digest, created: created?.current ?? created?.pinned ?? null, error: null };
    case 'drifted': {
      const described = online.described;
      if (described === undefined) return { digest: status.current, created: created?.current ?? null, error: null };
      const changes = whatChanged(described.pinned, described.current);
      return {
        digest: status.current,
        created: created?.current ?? null,
        error: null,
        ...metadataOf(described.current),
        ...(Object.keys(changes).length > 0 ? { changes } : {}),
      };
    }
    case 'gone':
      return { digest: online.tag?.digest ?? null, created: online.tag?.created ?? null, error: null };
    case 'unknown':
      return failed(status.error);
  }
}
