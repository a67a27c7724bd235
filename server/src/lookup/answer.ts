// The answer a reference's question gets: what the registry (or, offline, its cache) said. Built by lookup/ask.ts for
// the CLI and by the language server's resolver; read by features/ (findings, hovers, edits) and the CLI's outputs.
import type { Description, PinStatus, RegistryError, RegistryErrorKind, Resolution, Result } from '../registry/index';

/**
 * What the registry (or, offline, its cache) said about one reference; the input of the online findings.
 * Built by whoever asked — the CLI's look-up step, the language server — never by this module.
 */
export type Online =
  /**
   * A reference without a digest: what its tag points to now (`resolve`). With `platform`, that platform's image;
   * `platformMissing` when the tag exists but has no image for it (the error then says which platforms it has).
   */
  | { kind: 'tag'; result: Result<Resolution>; platform?: string; platformMissing?: boolean }
  /**
   * A `name:tag@digest` pin compared with its tag (`checkPin`). `tag` is the tag's own resolution when it was looked
   * up (it says where a lost digest's tag points now); `created` are the build times of the pinned image and of the
   * one the tag points to now, when they were described (drift); `described` what both images say about themselves
   * (provenance, platforms; attachments when they were asked for), the input of features/changes.ts.
   */
  | {
      kind: 'pin';
      status: PinStatus;
      tag?: Resolution;
      created?: { pinned?: string; current?: string };
      described?: { pinned?: Description; current?: Description };
    };

/** Errors that mean "nobody was asked": no finding and no `current`, as if the registry had not been consulted. */
const NOT_ASKED: ReadonlySet<RegistryErrorKind> = new Set(['offline', 'cancelled']);

/** Whether a failed look-up means "nobody was asked" (offline miss, cancelled): reported as if never asked. */
export const notAsked = (error: RegistryError): boolean => NOT_ASKED.has(error.kind);
