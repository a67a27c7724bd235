// The suite's release fixture (fixtures/release, seeded by registry.ts): what its images say about themselves, shared
// by the runner that pushes them and the stories that read them back from hovers.

/** Where the release fixture says it was built from: a GitHub repository, so the hover links the commits. */
export const RELEASE_SOURCE = 'https://github.com/digest-pin/release-fixture';

export const RELEASE_REVISIONS = {
  old: '1d3c5e7a9b2f4d6c8e0a1b3c5d7e9f1a2b4c6d8e',
  new: '7f9e1d3c5b7a9f1e3d5c7b9a1f3e5d7c9b1a3f5e',
} as const;
