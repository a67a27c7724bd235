// Exact assertions for split references (Helm values, kustomize images, a Dockerfile ARG holding the tag): the
// reference's text and range are the anchor's characters, every part's range covers exactly its text, and the
// digest slot says where pinning writes.
import assert from 'node:assert/strict';
import type {
  DigestSlot,
  ImageReference,
  ReferenceParts,
  ReferenceSource,
  ReferenceStatus,
} from '../../../../server/src/references/types';
import { sliceRange } from '../../../support/ranges';
import { locate } from './expect';

export interface SplitExpected {
  /** The anchor's characters (the tag's value, else the repository's). */
  text: string;
  /** Locates the anchor: the first occurrence of `text` after `after`. */
  after?: string;
  assembled: string;
  status: ReferenceStatus;
  name?: string | null;
  tag?: string | null;
  digest?: string | null;
  /** Each part's text (its range is checked to cover exactly that text). */
  parts: Partial<Record<keyof ReferenceParts, string>>;
  /** `field` / `new-key` / `none`, or absent (after the tag). */
  slot?: DigestSlot['kind'];
  origin?: string[];
  ignored?: true;
  platform?: string;
  /** A fragment the explanation of a variable reference must contain. */
  variable?: string;
}

export function assertSplit(
  text: string,
  actual: readonly ImageReference[],
  expected: readonly SplitExpected[],
  source: ReferenceSource,
): void {
  assert.deepEqual(
    actual.map((ref) => ref.assembled ?? ref.text),
    expected.map((e) => e.assembled),
    'the references found, in document order',
  );
  expected.forEach((e, i) => {
    const ref = actual[i]!;
    assert.equal(ref.text, e.text, `anchor text of ${e.assembled}`);
    assert.deepEqual(ref.range, locate(text, e.text, e.after), `anchor range of ${e.assembled}`);
    assert.equal(sliceRange(text, ref.range), ref.text);
    assert.equal(ref.source, source);
    assert.equal(ref.status, e.status, `status of ${e.assembled}`);
    if (e.name !== undefined) assert.equal(ref.name, e.name);
    if (e.tag !== undefined) assert.equal(ref.tag, e.tag);
    if (e.digest !== undefined) assert.equal(ref.digest, e.digest);
    const parts = ref.parts ?? {};
    assert.deepEqual(
      Object.fromEntries(Object.entries(parts).map(([key, part]) => [key, part.text])),
      e.parts,
      `parts of ${e.assembled}`,
    );
    for (const part of Object.values(parts)) assert.equal(sliceRange(text, part.range), part.text, 'part range');
    assert.equal(ref.digestSlot?.kind, e.slot, `digest slot of ${e.assembled}`);
    if (ref.digestSlot?.kind === 'field')
      assert.equal(sliceRange(text, ref.digestSlot.range), parts.digest?.text, 'the field slot is the digest value');
    assert.deepEqual(ref.origin, e.origin, `origin of ${e.assembled}`);
    assert.equal(ref.ignored, e.ignored, `ignored: ${e.assembled}`);
    assert.equal(ref.platform, e.platform);
    if (e.variable !== undefined) assert.ok(ref.variable?.includes(e.variable), `variable: ${ref.variable}`);
    if (e.status !== 'variable') assert.equal(ref.variable, undefined);
  });
}
