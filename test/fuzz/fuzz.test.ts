// The short seeded fuzz run of `npm test`: a few thousand mutated fixtures and pathological shapes, every property
// checked (properties.ts). Times are recorded, never asserted (`npm run fuzz` has a budget; the long run is there).
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findReferences } from '../../server/src/references/index';
import { buildInput, runFuzz } from './fuzz';
import { checkRanges } from './properties';
import { repoSeeds } from './seeds';

const SEED = 13;
const INPUTS = 2000;

describe('fuzz: the properties hold on mutated fixtures (short seeded run)', () => {
  const seeds = repoSeeds();

  it('has a fixture of every kind the extractors read', () => {
    const kinds = new Set(seeds.map((seed) => findReferences(seed.path, seed.text).kind));
    for (const kind of ['dockerfile', 'compose', 'github-actions', 'gitlab-ci', 'cloud-build', 'azure-pipelines'])
      assert.ok(kinds.has(kind as never), `no ${kind} fixture`);
    for (const kind of ['quadlet', 'helm-values', 'kustomize', 'devcontainer', 'yaml'])
      assert.ok(kinds.has(kind as never), `no ${kind} fixture`);
  });

  it('builds the same input from the same seed and index', () => {
    assert.deepEqual(buildInput(SEED, 7, { seeds: [seeds] }), buildInput(SEED, 7, { seeds: [seeds] }));
    assert.notDeepEqual(buildInput(SEED, 7, { seeds: [seeds] }), buildInput(SEED, 8, { seeds: [seeds] }));
  });

  it('a range that is one character off is found', () => {
    const text = 'services:\n  web:\n    image: nginx:1.27\n';
    const result = findReferences('compose.yaml', text);
    assert.deepEqual(checkRanges(text, result), []);
    const [ref] = result.references;
    assert.ok(ref);
    const moved = {
      ...ref,
      range: { ...ref.range, end: { ...ref.range.end, character: ref.range.end.character + 1 } },
    };
    assert.equal(checkRanges(text, { ...result, references: [moved] })[0]?.property, 'range');
  });

  it(`${INPUTS} inputs of seed ${SEED}: no exception, exact ranges, incremental = full read, pins read back`, (t) => {
    const out = join(tmpdir(), 'digest-pin-fuzz');
    const stats = runFuzz({ seed: SEED, inputs: INPUTS, seeds: [seeds], steps: 1, scale: 0.1, alone: 0.2, out });
    const slowest = stats.slowest;
    t.diagnostic(
      `${stats.inputs} inputs, ${stats.references} references, ${stats.edits} edits, ${stats.pins} pins; slowest ` +
        `${slowest?.ms.toFixed(1)} ms CPU, ${slowest?.chars} characters, ${slowest?.kind} (#${slowest?.index} ${slowest?.label})`,
    );
    const failures = stats.failures.map(
      (f) =>
        `${f.property} at seed ${f.seed} index ${f.index} (${f.label}): ${f.message}` +
        (f.file
          ? `\n  reproducer ${f.file}; again: npm run fuzz -- --seed ${f.seed} --first ${f.index} --inputs 1`
          : ''),
    );
    assert.deepEqual(failures, []);
    assert.equal(stats.inputs, INPUTS);
    assert.ok(stats.pins > INPUTS / 2 && stats.edits >= INPUTS, `${stats.pins} pins, ${stats.edits} edits`);
  });
});
