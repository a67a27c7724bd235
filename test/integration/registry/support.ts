// Small helpers shared by the registry integration tests (the harness itself lives in ../support).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { parseImageReference, type ParsedImageRef } from '../../../server/src/references/imageRef';
import type { Result } from '../../../server/src/registry/types';
import type { RegistryError } from '../../../server/src/registry/errors';
import type { Logger } from '../../../server/src/registry/http';
import { startSeededSetup, type SeededSetup } from '../support/setup';

export function ref(text: string): ParsedImageRef {
  const parsed = parseImageReference(text);
  if (!parsed.ok) throw new Error(`bad reference ${text}: ${parsed.error.message}`);
  return parsed.value;
}

export function value<T>(result: Result<T>): T {
  if (!result.ok) assert.fail(`expected a value, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

export function error<T>(result: Result<T>): RegistryError {
  if (result.ok) assert.fail(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** A logger that keeps what it is told, for assertions (and to keep test output quiet). */
export function recordingLogger(): Logger & { warnings: string[]; debugs: string[] } {
  const warnings: string[] = [];
  const debugs: string[] = [];
  return { warnings, debugs, warn: (m) => warnings.push(m), debug: (m) => debugs.push(m) };
}

/** A controllable clock. */
export function clock(start = Date.parse('2024-06-01T12:00:00Z')): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Fast, deterministic retries for tests: 10 ms base, no jitter spread. */
export const FAST = { retryBaseMs: 10, random: () => 0.5 } as const;

/**
 * The seeded registry behind the counting fault proxy for one test file, plus a temp dir: started before the file's
 * tests, stopped after them, with faults and the request log cleared before each test.
 */
export function useSeededProxy(tmpPrefix: string): { readonly setup: SeededSetup; readonly tmp: string } {
  const context = {} as { setup: SeededSetup; tmp: string };
  before(async () => {
    context.setup = await startSeededSetup({ proxy: true });
    context.tmp = mkdtempSync(join(tmpdir(), tmpPrefix));
  });
  after(async () => {
    await context.setup?.stop();
    if (context.tmp) rmSync(context.tmp, { recursive: true, force: true });
  });
  beforeEach(() => {
    context.setup.proxy!.clearFaults();
    context.setup.proxy!.clearLog();
  });
  return context;
}
