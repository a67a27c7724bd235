// Environment variables the runners set for the extension host (the suite has no other channel from them).
export const SUITE_ENV = {
  /** Only tests whose full title matches this pattern run (mocha grep). */
  grep: 'DIGEST_PIN_SUITE_GREP',
  /** `trusted` or `untrusted`: the workspace-trust state the runner set up. */
  trust: 'DIGEST_PIN_SUITE_TRUST',
} as const;

export type SuiteTrust = 'trusted' | 'untrusted';
