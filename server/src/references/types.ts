// The one reference type every extractor produces and every surface (CLI, LSP) consumes.

/** 0-based line and UTF-16 character, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type ReferenceStatus = 'pinned' | 'unpinned' | 'variable' | 'invalid';

export type ReferenceSource =
  'dockerfile' | 'compose' | 'kubernetes' | 'github-actions' | 'gitlab-ci' | 'yaml' | 'devcontainer';

/** Where in its file the reference was written; lets surfaces word messages precisely. */
export type ReferenceContext =
  | 'from' // Dockerfile FROM
  | 'copy-from' // COPY --from=
  | 'mount-from' // RUN --mount=...,from=
  | 'syntax' // # syntax= directive
  | 'image' // YAML image value (compose, k8s, CI ...), devcontainer.json `image`
  | 'service' // CI service image
  | 'container' // GitHub Actions job container
  | 'uses' // GitHub Actions `uses: docker://`
  | 'feature'; // devcontainer.json: a key of `features`, an OCI artifact (a Dev Container Feature), not an image

export interface ImageReference {
  /** Exactly the characters written in the file that `range` covers (no quotes, no `docker://`). */
  text: string;
  range: Range;
  /** Normalised repository, e.g. `docker.io/library/python`; null when invalid or variable. */
  name: string | null;
  /** As written; null when absent (implicit `latest`). */
  tag: string | null;
  /** As written; null when absent. */
  digest: string | null;
  status: ReferenceStatus;
  source: ReferenceSource;
  context: ReferenceContext;
  /** `--platform=` of a FROM line or compose `platform:`, when stated literally. */
  platform?: string;
  /** Why the reference is invalid ("repository name must be lowercase"). */
  error?: string;
  /** Why a variable reference cannot be pinned. */
  variable?: string;
  /** Compose: the service also has `build:`, so the image is the local build's name. */
  localBuild?: boolean;
  /** Marked `# digest-pin: ignore` in the file (`// digest-pin: ignore` in devcontainer.json). */
  ignored?: boolean;
}

/** A per-file message that is not about one reference: unparsable YAML, a skipped binary or huge file. */
export interface FileNote {
  severity: 'error' | 'warning' | 'information';
  message: string;
  range?: Range;
}

export type FileKind = 'dockerfile' | 'compose' | 'github-actions' | 'gitlab-ci' | 'yaml' | 'devcontainer';

export interface ExtractResult {
  kind: FileKind | null;
  references: ImageReference[];
  notes: FileNote[];
}
