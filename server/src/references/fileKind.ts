// Which extractor reads a file: by name first, then by content.
import type { FileKind } from './types';

const base = (path: string): string => path.replace(/\\/g, '/').split('/').pop() ?? path;

// `Dockerfile`, `Dockerfile.dev`, `Dockerfile-alpine`, `Dockerfile_prod`, `prod.Dockerfile`, `api-dockerfile`, `x.containerfile`.
const DOCKERFILE_NAME = /^(?:dockerfile|containerfile)(?:[.\-_][^/]+)?$|[.\-_](?:dockerfile|containerfile)$/i;
// Files named after a Dockerfile that are another format: its per-Dockerfile ignore file, data, docs, scripts, backups.
const NOT_A_DOCKERFILE = /\.(?:dockerignore|ya?ml|json|md|txt|sh|ps1|py|bak|orig|rej|swp|tmpl?)$/i;

export type QuadletUnit = 'container' | 'image' | 'volume';

/**
 * The Quadlet unit type a path names: `web.container`, `db.volume`, `app.image`, and their drop-ins
 * (`web.container.d/10-image.conf`); null for any other name. `.build` units are not read: they name no image to pin
 * (their Containerfile does), and `meson.build` and the like share the suffix.
 */
export function quadletUnitOf(path: string): QuadletUnit | null {
  const match = /[^/]\.(container|image|volume)(?:\.d\/[^/]+\.conf)?$/.exec(path.replace(/\\/g, '/'));
  return (match?.[1] as QuadletUnit | undefined) ?? null;
}

// Google Cloud Build: `cloudbuild.yaml`, `cloudbuild.json`, `cloudbuild-prod.yaml`, `deploy.cloudbuild.yml`.
const CLOUD_BUILD_NAME = /^cloudbuild(?:[.\-_][^/]*)?\.(?:ya?ml|json)$|[.\-_]cloudbuild\.(?:ya?ml|json)$/;
// Azure Pipelines: `azure-pipelines.yml`, `azure-pipelines-ci.yml`, `ci.azure-pipelines.yml`, `.azure-pipelines/*.yml`.
const AZURE_PIPELINES_NAME = /^azure-pipelines(?:[.\-_][^/]*)?\.ya?ml$|[.\-_]azure-pipelines\.ya?ml$/;

/** The kind a file's name implies, or null when the name says nothing (or is not a file we read). */
export function kindFromName(path: string): FileKind | null {
  const normalised = path.replace(/\\/g, '/');
  const name = base(normalised);
  const lower = name.toLowerCase();
  if (DOCKERFILE_NAME.test(name) && !NOT_A_DOCKERFILE.test(name)) return 'dockerfile';
  if (/^(docker-)?compose[^/]*\.ya?ml$/.test(lower)) return 'compose';
  if (lower === '.gitlab-ci.yml' || lower === '.gitlab-ci.yaml') return 'gitlab-ci';
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(normalised)) return 'github-actions';
  if (CLOUD_BUILD_NAME.test(lower)) return 'cloud-build';
  if (AZURE_PIPELINES_NAME.test(lower) || /(^|\/)\.azure-pipelines\/[^/]+\.ya?ml$/.test(normalised))
    return 'azure-pipelines';
  if (quadletUnitOf(normalised) !== null) return 'quadlet';
  // Also copies named `<origin>__kustomization.yaml` (as the corpus names the files it collects).
  if (/(?:^|__)(?:kustomization\.ya?ml|kustomization)$/.test(lower)) return 'kustomize';
  // A chart's values.yaml, values-prod.yaml, values.openshift.yaml … (the chart's own Chart.yaml is not one).
  if (/(?:^|__)values(?:[.\-_][^/]*)?\.ya?ml$/.test(lower)) return 'helm-values';
  if (/\.ya?ml$/.test(lower)) return 'yaml';
  // `.devcontainer/devcontainer.json`, `.devcontainer/<folder>/devcontainer.json`, `.devcontainer.json`, and copies
  // named `<something>__devcontainer.json` or `x.devcontainer.json`.
  if (/(^|[._])devcontainer\.json$/.test(lower)) return 'devcontainer';
  return null;
}

/** Editor language ids that name a kind outright. */
export function kindFromLanguageId(languageId: string | undefined): FileKind | null {
  switch (languageId) {
    case 'dockerfile':
    case 'containerfile':
      return 'dockerfile';
    case 'dockercompose':
      return 'compose';
    case 'github-actions-workflow':
      return 'github-actions';
    case 'yaml':
    case 'helm':
      return 'yaml';
    default:
      return null;
  }
}

// At the very start of the text (no `m` flag): only comments, blank lines and ARGs may precede the first FROM.
const DOCKERFILE_CONTENT = /^\uFEFF?\s*(?:#[^\n]*\n\s*)*(?:ARG[ \t][^\n]*\n\s*(?:#[^\n]*\n\s*)*)*FROM\s+\S/i;

// A Quadlet unit: a `[Container]`, `[Image]` or `[Volume]` section header and an `Image=` line.
const QUADLET_SECTION = /^[ \t]*\[(?:Container|Image|Volume)\][ \t]*\r?$/m;
const QUADLET_IMAGE = /^[ \t]*Image[ \t]*=/m;

/** Kind from content, for files whose name says nothing (e.g. `build/app.docker`, `units/web.unit`). */
export function kindFromContent(text: string): FileKind | null {
  const head = text.slice(0, 64 * 1024);
  if (DOCKERFILE_CONTENT.test(head)) return 'dockerfile';
  if (QUADLET_SECTION.test(head) && QUADLET_IMAGE.test(head)) return 'quadlet';
  return null;
}

/**
 * Name, then language id, then content. A YAML file keeps `yaml` here; the YAML extractor refines it per document
 * (compose, Kubernetes, GitHub Actions, GitLab CI, Cloud Build, Azure Pipelines) from what the document holds.
 */
export function detectKind(path: string, text: string, languageId?: string): FileKind | null {
  const byName = kindFromName(path);
  if (byName && byName !== 'yaml') return byName;
  const byLanguage = kindFromLanguageId(languageId);
  if (byLanguage && byLanguage !== 'yaml') return byLanguage;
  if (byName || byLanguage) return 'yaml';
  return kindFromContent(text);
}
