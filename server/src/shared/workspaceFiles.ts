// Which workspace files may hold image references, as a glob: the client's file search for "Pin all" / "Lock all"
// and the server's file watcher (the workspace's pins, inconsistent-pin) use the same one.

/**
 * A superset of every name the engine reads (Dockerfiles by name, compose and CI files, any YAML, devcontainer.json,
 * Quadlet units and their drop-ins, cloudbuild.json); references/fileKind.ts decides. Dot-files are spelled out:
 * VS Code's `*` matches a leading dot, other glob engines' do not.
 */
export const WORKSPACE_FILES_GLOB =
  '**/{*[dD]ockerfile*,*[cC]ontainerfile*,*.yml,*.yaml,.*.yml,.*.yaml,*devcontainer.json,.devcontainer.json,' +
  '*.container,*.image,*.volume,*.container.d/*.conf,*.image.d/*.conf,*.volume.d/*.conf,*cloudbuild*.json,Kustomization}';
