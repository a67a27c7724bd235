// What the runners hand the extension host (the suite has no other channel from them): environment variables set
// on VS Code's server process, which its extension host — and the language server it starts — inherit.
export const SUITE_ENV = {
  /** Only tests whose full title matches this pattern run (mocha grep). */
  grep: 'DIGEST_PIN_SUITE_GREP',
  /** `trusted` or `untrusted`: the workspace-trust state the runner set up. */
  trust: 'DIGEST_PIN_SUITE_TRUST',
  /** JSON of SuiteRegistry: the seeded registry the fixture workspace names. */
  registry: 'DIGEST_PIN_SUITE_REGISTRY',
} as const;

export type SuiteTrust = 'trusted' | 'untrusted';

/** The real registry (test/integration/support) the runner started for this run, as the suite sees it. */
export interface SuiteRegistry {
  /** `127.0.0.1:<port>` of the fault proxy in front of the registry: every image in the workspace names it. */
  host: string;
  /** `http://127.0.0.1:<port>` of the runner's control endpoint: GET /requests → RequestCounts. */
  control: string;
  /** Lines the Docker credential helper configured for `host` appends each time it runs. */
  credentialHelperLog: string;
  /** Seeded digests (`sha256:…`). */
  digests: {
    dockerImage: string;
    ociImage: string;
    ociIndex: string;
    dockerList: string;
    driftOld: string;
    driftNew: string;
    goneDeleted: string;
    goneCurrent: string;
    /** fixtures/release (suite only): 2.4.0 before and after its rebuild, then 2.4.1 and 2.5.0. */
    releaseOld: string;
    releaseNew: string;
    releasePatch: string;
    releaseMinor: string;
  };
}

/** Requests that reached the registry (through the proxy) and its token server since the run started. */
export interface RequestCounts {
  registry: number;
  token: number;
  /** `METHOD path` of each registry request, in order. */
  registryRequests: string[];
}

/** Placeholders in test/vscode/fixtures/workspace, replaced when the runner copies it (see workspaceSubstitutions). */
export function workspaceSubstitutions(registry: SuiteRegistry): Record<string, string> {
  const hex = (digest: string) => digest.replace(/^sha256:/, '');
  return {
    __REGISTRY__: registry.host,
    __DRIFT_OLD__: hex(registry.digests.driftOld),
    __GONE_DELETED__: hex(registry.digests.goneDeleted),
    __DOCKER_IMAGE__: hex(registry.digests.dockerImage),
    __RELEASE_OLD__: hex(registry.digests.releaseOld),
  };
}
