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
  | 'dockerfile'
  | 'compose'
  | 'kubernetes'
  | 'github-actions'
  | 'gitlab-ci'
  | 'cloud-build'
  | 'azure-pipelines'
  | 'quadlet'
  | 'helm'
  | 'kustomize'
  | 'devcontainer'
  | 'yaml';

/** Where in its file the reference was written; lets surfaces word messages precisely. */
export type ReferenceContext =
  | 'from' // Dockerfile FROM
  | 'copy-from' // COPY --from=
  | 'mount-from' // RUN --mount=...,from=
  | 'syntax' // # syntax= directive
  | 'image' // YAML image value (compose, k8s, CI ...), Cloud Build step, Quadlet Image=, devcontainer.json `image`
  | 'service' // CI service image
  | 'container' // GitHub Actions / Azure Pipelines job container
  | 'uses' // GitHub Actions `uses: docker://`
  | 'feature'; // devcontainer.json: a key of `features`, an OCI artifact (a Dev Container Feature), not an image

/** One scalar of a split reference, as written: its characters and where they are. */
export interface ReferencePart {
  text: string;
  range: Range;
}

/** The scalars a split reference is assembled from (Helm values, kustomize `images:`, an `ARG` that holds the tag). */
export interface ReferenceParts {
  registry?: ReferencePart;
  repository?: ReferencePart;
  tag?: ReferencePart;
  digest?: ReferencePart;
}

/**
 * Where pinning writes the digest of a split reference. Absent: `@digest` after the reference's range, as for any
 * reference (the tag's value). `field`: replace the characters of a digest field's value (empty in `digest: ""`).
 * `new-key`: insert `prefix + digest + suffix` at a position (a new `digest:` key). `field` names the key written
 * (quick fix titles say it). `none`: not in this file, and why.
 */
export type DigestSlot =
  | { kind: 'field'; range: Range; field: string }
  | { kind: 'new-key'; at: Position; prefix: string; suffix: string; field: string }
  | { kind: 'none'; reason: string };

export interface ImageReference {
  /**
   * Exactly the characters written in the file that `range` covers (no quotes, no `docker://`). For a split
   * reference, the tag's value (the repository's when there is no tag literal); `assembled` is the whole reference.
   */
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
  /** A split reference: the whole reference its parts assemble (`docker.io/bitnami/nginx:1.25.3`). */
  assembled?: string;
  /** A split reference: the scalars it is assembled from. */
  parts?: ReferenceParts;
  /** A split reference: where pinning writes the digest (see DigestSlot). */
  digestSlot?: DigestSlot;
  /** A split reference: where values came from that are not written beside it ("tag: Chart.yaml appVersion"). */
  origin?: string[];
}

/** A per-file message that is not about one reference: unparsable YAML, a skipped binary or huge file. */
export interface FileNote {
  severity: 'error' | 'warning' | 'information';
  message: string;
  range?: Range;
}

export type FileKind =
  | 'dockerfile'
  | 'compose'
  | 'github-actions'
  | 'gitlab-ci'
  | 'cloud-build'
  | 'azure-pipelines'
  | 'quadlet'
  | 'helm-values'
  | 'kustomize'
  | 'devcontainer'
  | 'yaml';

/**
 * What the files beside this one say, for extractors that need it. Read by whoever has the file system (the CLI,
 * the language server); the extractors stay pure.
 */
export interface Neighbours {
  /** A Chart.yaml in the same directory: the file is a Helm chart's values. `appVersion` null when not set. */
  chart?: { appVersion: string | null };
}

export interface ExtractResult {
  kind: FileKind | null;
  references: ImageReference[];
  notes: FileNote[];
}
