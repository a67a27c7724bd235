// What the language server knows about one image reference from its registry: the input of hovers and code
// actions (diagnostics read `online` alone). Gathered by the server (lsp/resolver.ts); features only read it.
import type { Online } from '../lookup/answer';
import type { Newer } from '../lookup/newer';
import type { Description, RegistryError, Resolution, Result } from '../registry/index';

export interface ImageFacts {
  /** What diagnose() reads: the tag's resolution, or the pin compared with its tag. Absent until answered. */
  online?: Online;
  /** The tag's current target with platforms and build date (hover; code actions' platform list). */
  current?: Result<Resolution>;
  /** The tag's current target described: for an index, each platform's image digest. */
  currentDescription?: Result<Description>;
  /** A pin's own image: its build date (the pin's age), platforms, provenance and attachments. */
  pinned?: Result<Description>;
  /**
   * The image the tag points to now, described with its provenance and attachments: the tag's digest for a
   * reference without one, where a drifted pin's tag moved to. Absent for a pin the tag still points to.
   */
  currentImage?: Result<Description>;
  /** Newer versions of a tag that looks like one, each with its digest and build date; null: not a version. */
  newer?: Result<Newer> | null;
  /** Why nothing is known when the registry was not asked at all (offline with nothing cached, untrusted). */
  skipped?: RegistryError;
}
