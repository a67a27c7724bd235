// Which documents the language server sees, and which workspace files "Pin all" / "Update drifted" hand it.
// Pure (no `vscode`): the unit tests check these globs against the engine's own idea of a file's kind.
import { kindFromName } from '../../server/src/references/fileKind';

/** The language ids the extension activates on (package.json activationEvents, onLanguage:…). */
export const LANGUAGES = ['dockerfile', 'dockercompose', 'yaml', 'github-actions-workflow'] as const;

/**
 * Dockerfiles by name, whatever language VS Code gave them (`Dockerfile-dev`, `api-dockerfile` are plain text to
 * VS Code but Dockerfiles to the engine, which decides by name first: server/src/references/fileKind.ts).
 */
export const DOCKERFILE_NAMES_GLOB = `**/{${['[dD]ockerfile', '[cC]ontainerfile']
  .flatMap((name) => [name, `${name}.*`, `${name}-*`, `${name}_*`, `*.${name}`, `*-${name}`, `*_${name}`])
  .join(',')}}`;

/**
 * Files the engine reads by name whatever language VS Code gives them: Quadlet units (`web.container` is plain text,
 * a drop-in `web.container.d/10-image.conf` is `properties`) and Cloud Build's JSON configs (`json`, a language the
 * extension does not select otherwise).
 */
export const OTHER_NAMES_GLOB =
  '**/{*.container,*.image,*.volume,*.container.d/*.conf,*.image.d/*.conf,*.volume.d/*.conf,cloudbuild*.json,*[._-]cloudbuild.json,Kustomization}';

/**
 * A chart's values files, which the Kubernetes extension gives the language `helm` (as it does the chart's Go
 * templates, which are not YAML until rendered: those are not selected).
 */
export const HELM_VALUES_GLOB = '**/values*.{yaml,yml}';

/**
 * devcontainer.json by every name the engine reads (server/src/references/fileKind.ts): VS Code gives
 * `devcontainer.json` and `.devcontainer.json` the language `jsonc`, and copies such as `x.devcontainer.json` `json`.
 * Dot-files and the `.devcontainer` folder spelled out: VS Code's `**` enters dot folders, other glob engines' do not.
 */
export const DEVCONTAINER_NAMES_GLOB = `{${[
  'devcontainer.json',
  '.devcontainer.json',
  '*.devcontainer.json',
  '*_devcontainer.json',
  '.devcontainer/devcontainer.json',
  '.devcontainer/*/devcontainer.json',
]
  .map((name) => `**/${name}`)
  .join(',')}}`;

/** A vscode-languageclient DocumentFilter, spelled out so this module needs neither `vscode` nor the client library. */
export type DocumentFilter =
  { language: string; scheme?: string; pattern?: string } | { scheme: string; pattern: string };

/**
 * The four languages in any scheme a text document can have (files, unsaved `untitled:` buffers, remote files),
 * plus Dockerfiles, Quadlet units and Cloud Build JSON configs recognised by name on disk, and devcontainer.json: as
 * JSONC in any scheme, by name on disk. Not every JSONC document: settings.json and tsconfig.json hold no images.
 */
export const DOCUMENT_SELECTOR: readonly DocumentFilter[] = [
  ...LANGUAGES.map((language) => ({ language })),
  { scheme: 'file', pattern: DOCKERFILE_NAMES_GLOB },
  { scheme: 'file', pattern: OTHER_NAMES_GLOB },
  { language: 'jsonc', pattern: DEVCONTAINER_NAMES_GLOB },
  { language: 'helm', pattern: HELM_VALUES_GLOB },
  { scheme: 'file', pattern: DEVCONTAINER_NAMES_GLOB },
];

/**
 * What `workspace.findFiles` looks for before `isWorkspaceFile` decides (the server watches the same files for the
 * workspace's pins).
 */
export { WORKSPACE_FILES_GLOB } from '../../server/src/shared/workspaceFiles';

/** Folders never searched, whatever files.exclude says (the CLI's walk skips the same). */
export const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**'];

/** The exclude glob for findFiles: ALWAYS_EXCLUDED plus the patterns files.exclude turns on unconditionally. */
export function excludeGlob(filesExclude: Record<string, unknown> | undefined): string {
  const fromSetting = Object.entries(filesExclude ?? {})
    .filter(([pattern, on]) => on === true && !pattern.includes('{') && !pattern.includes(','))
    .map(([pattern]) => pattern);
  const patterns = [...new Set([...ALWAYS_EXCLUDED, ...fromSetting])];
  return `{${patterns.join(',')}}`;
}

/** True when the engine reads a file of this path (the same decision as `digest-pin check`'s directory walk). */
export function isWorkspaceFile(path: string): boolean {
  return kindFromName(path) !== null;
}
