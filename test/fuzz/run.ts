// `npm run fuzz -- [--inputs N] [--seed S] [--budget-ms MS] [--corpus DIR | --no-corpus] [--out DIR] [--steps K]
// [--scale X] [--shapes P] [--alone P] [--first I] [--every N]`, or `--replay FILE` to run a reproducer again.
// Prints the seed first, figures every N (10,000) inputs and at the end; exits 1 when any property broke.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz, stillBreaks, type FuzzStats, type Reproducer } from './fuzz';
import { quirks } from './properties';
import { corpusSeeds, repoSeeds } from './seeds';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    first: { type: 'string', default: '0' },
    'budget-ms': { type: 'string', default: '1000' },
    corpus: { type: 'string', default: join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus') },
    'no-corpus': { type: 'boolean', default: false },
    out: { type: 'string', default: join(tmpdir(), 'digest-pin-fuzz') },
    steps: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' },
    shapes: { type: 'string', default: '0.05' },
    alone: { type: 'string', default: '0.3' },
    replay: { type: 'string' },
    every: { type: 'string', default: '10000' },
  },
});

const number = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) {
    console.error(`--${name} takes a number, not ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
};

if (values.replay !== undefined) {
  const reproducer = JSON.parse(readFileSync(values.replay, 'utf8')) as Reproducer;
  const broken = stillBreaks(reproducer, number('budget-ms', values['budget-ms']));
  console.log(
    broken ? `still breaks ${broken.property}: ${broken.message}` : `no longer breaks ${reproducer.property}`,
  );
  process.exit(broken ? 1 : 0);
}

const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : number('seed', values.seed);
const seeds = repoSeeds();
const corpus = !values['no-corpus'] && existsSync(values.corpus) ? corpusSeeds(values.corpus) : [];
console.log(
  `digest-pin fuzz: seed ${seed}, ${seeds.length} fixtures${corpus.length ? ` + ${corpus.length} corpus files (${values.corpus})` : ''}`,
);

const figures = (stats: FuzzStats): string => {
  const slowest = stats.slowest;
  return [
    `inputs ${stats.inputs} (${stats.references} references; ${(stats.ms / 1000).toFixed(1)} s)`,
    `exceptions ${stats.exceptions}`,
    `range mismatches ${stats.rangeMismatches}`,
    `incremental divergences ${stats.incrementalDivergences} (${stats.edits} edits replayed; ${quirks.unclosedQuotes} ` +
      `differed only in a quote left open across a document marker, the yaml lexer's quirk)`,
    `pin failures ${stats.pinFailures} (${stats.pins} pins read back)`,
    `over the budget ${stats.slow}`,
    slowest
      ? `slowest input ${slowest.ms.toFixed(1)} ms CPU, ${slowest.chars} characters, kind ${slowest.kind} (#${slowest.index}: ${slowest.label.slice(0, 100)})`
      : 'slowest input -',
  ].join('\n  ');
};

const stats = runFuzz({
  seed,
  inputs: number('inputs', values.inputs),
  first: number('first', values.first),
  // As many inputs from the repository's fixtures as from the corpus (when there is one): each kind has a fixture.
  seeds: [seeds, corpus],
  steps: number('steps', values.steps),
  scale: number('scale', values.scale),
  shapes: number('shapes', values.shapes),
  alone: number('alone', values.alone),
  budgetMs: number('budget-ms', values['budget-ms']),
  out: values.out,
  progress: { every: number('every', values.every), report: (so) => console.log(`… ${figures(so)}`) },
});
console.log(figures(stats));
console.log(`  kinds ${JSON.stringify(stats.kinds)}`);
for (const failure of stats.failures.slice(0, 50)) {
  console.log(`FAIL ${failure.property} seed ${failure.seed} index ${failure.index} (${failure.label.slice(0, 120)})`);
  console.log(`  ${failure.message.split('\n').join('\n  ')}`);
  if (failure.file) console.log(`  reproducer: ${failure.file} (npm run fuzz -- --replay ${failure.file})`);
}
process.exit(stats.failures.length > 0 ? 1 : 0);
