// Exact-reference assertions shared by the YAML extractor tests: every reference is compared field by field, and
// its range must cover exactly its text in the file.
import assert from 'node:assert/strict';
import { LineIndex } from '../../../../server/src/references/positions';
import type {
  ImageReference,
  Range,
  ReferenceContext,
  ReferenceSource,
  ReferenceStatus,
} from '../../../../server/src/references/types';
import { extractYaml } from '../../../../server/src/references/yaml';
import type { ExtractResult, FileKind } from '../../../../server/src/references/types';
import { sliceRange } from '../../../support/ranges';

export interface Expected {
  /** The characters reported (no quotes, no `docker://`). */
  text: string;
  /** Where they are: the first occurrence of `text` after the end of the first occurrence of `after` (default: the start). */
  after?: string;
  /** Which occurrence of `text` (0-based) after that point. */
  occurrence?: number;
  status: ReferenceStatus;
  source: ReferenceSource;
  context: ReferenceContext;
  name?: string | null;
  tag?: string | null;
  digest?: string | null;
  platform?: string;
  localBuild?: true;
  ignored?: true;
  /** Exact message when given; otherwise only its presence is checked (status invalid). */
  error?: string;
  /** Exact explanation when given; otherwise only its presence is checked (status variable). */
  variable?: string;
}

export type Fields = Omit<Expected, 'text' | 'status' | 'source' | 'context'>;

/** Shorthand row builders for one source and context. */
export function rows(source: ReferenceSource, context: ReferenceContext) {
  return {
    unpinned: (text: string, name: string, tag: string | null, fields: Fields = {}): Expected => ({
      text,
      name,
      tag,
      status: 'unpinned',
      source,
      context,
      ...fields,
    }),
    pinned: (text: string, name: string, tag: string | null, digest: string, fields: Fields = {}): Expected => ({
      text,
      name,
      tag,
      digest,
      status: 'pinned',
      source,
      context,
      ...fields,
    }),
    variable: (text: string, fields: Fields = {}): Expected => ({
      text,
      status: 'variable',
      source,
      context,
      ...fields,
    }),
    invalid: (text: string, fields: Fields = {}): Expected => ({ text, status: 'invalid', source, context, ...fields }),
  };
}

export function locate(text: string, needle: string, after?: string, occurrence = 0): Range {
  const marker = after === undefined ? 0 : text.indexOf(after);
  if (marker < 0) throw new Error(`fixture does not contain ${JSON.stringify(after)}`);
  let from = marker + (after?.length ?? 0);
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, from);
    if (at < 0)
      throw new Error(
        `fixture does not contain ${JSON.stringify(needle)} (occurrence ${occurrence} after ${JSON.stringify(after)})`,
      );
    from = at + 1;
  }
  return new LineIndex(text).rangeOf(at, at + needle.length);
}

export function assertReferences(text: string, actual: readonly ImageReference[], expected: readonly Expected[]): void {
  assert.deepEqual(
    actual.map((ref) => ref.text),
    expected.map((e) => e.text),
    'the references found, in document order',
  );
  expected.forEach((e, i) => {
    const ref = actual[i]!;
    assert.equal(sliceRange(text, ref.range), ref.text, `range of '${ref.text}' covers exactly its text`);
    const { error, variable, ...rest } = ref;
    const want: Omit<ImageReference, 'error' | 'variable'> = {
      text: e.text,
      range: locate(text, e.text, e.after, e.occurrence),
      source: e.source,
      context: e.context,
      ...(e.platform !== undefined ? { platform: e.platform } : {}),
      ...(e.localBuild ? { localBuild: true } : {}),
      ...(e.ignored ? { ignored: true } : {}),
      name: e.name ?? null,
      tag: e.tag ?? null,
      digest: e.digest ?? null,
      status: e.status,
    };
    assert.deepEqual(rest, want, `reference '${e.text}'`);
    if (e.status === 'invalid') assert.equal(error, e.error ?? error, `error of '${e.text}'`);
    if (e.status === 'invalid') assert.ok(error, `'${e.text}' says why it is invalid`);
    else assert.equal(error, undefined);
    if (e.status === 'variable') assert.equal(variable, e.variable ?? variable, `explanation of '${e.text}'`);
    if (e.status === 'variable') assert.ok(variable, `'${e.text}' says why it is variable`);
    else assert.equal(variable, undefined);
  });
}

export interface Case {
  name: string;
  text: string;
  hint?: FileKind;
  kind?: FileKind;
  expect: Expected[];
}

/** Runs extractYaml and checks every reference; no notes unless the case is about them. */
export function check(c: Case): ExtractResult {
  const result = extractYaml(c.text, c.hint ?? 'yaml');
  assertReferences(c.text, result.references, c.expect);
  assert.deepEqual(result.notes, [], 'no notes');
  if (c.kind !== undefined) assert.equal(result.kind, c.kind);
  return result;
}
