// The fuzz run: input `index` of seed `seed` is a fixture mutated, or a pathological shape, built from those two
// numbers alone; each is read and checked against the properties of properties.ts, and the run counts what broke.
// A failure is written as a reproducer (smallest input found that still breaks the same property) to replay.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findReferences, type FindOptions } from '../../server/src/references/index';
import type { ExtractResult, FileKind, Neighbours } from '../../server/src/references/types';
import { mutate } from './mutate';
import {
  checkIncremental,
  checkPins,
  checkRanges,
  randomSteps,
  type Broken,
  type Property,
  type Step,
} from './properties';
import { Random } from './random';
import type { Seed } from './seeds';
import { SHAPES } from './shapes';

export interface FuzzOptions {
  seed: number;
  inputs: number;
  /** The first input's index (a run can be continued, or one input run again). */
  first?: number;
  /** Groups of fixtures (the repository's, the corpus): a group is picked first, then a fixture in it. */
  seeds: ReadonlyArray<readonly Seed[]>;
  /** Share of inputs that are pathological shapes rather than mutated fixtures. */
  shapes?: number;
  /** Sizes of the shapes, as a fraction of their largest (1: up to the bounds in shapes.ts). */
  scale?: number;
  /** Edits replayed through the language server's incremental read per input. */
  steps?: number;
  /** Share of inputs where one reference is also pinned alone and updated (two more reads each). */
  alone?: number;
  /** An input whose read takes longer is a failure (null: the time is only recorded, as in `npm test`). */
  budgetMs?: number | null;
  /** Where reproducers are written (null: not written). */
  out?: string | null;
  /** Called every `every` inputs with the figures so far. */
  progress?: { every: number; report: (stats: FuzzStats) => void };
}

export interface Slowest {
  ms: number;
  chars: number;
  kind: FileKind | null;
  label: string;
  index: number;
}

export interface FailureRecord extends Broken {
  seed: number;
  index: number;
  label: string;
  path: string;
  /** Where the reproducer was written, when it was. */
  file?: string;
}

export interface FuzzStats {
  inputs: number;
  references: number;
  exceptions: number;
  rangeMismatches: number;
  incrementalDivergences: number;
  /** Edit steps replayed through the incremental read. */
  edits: number;
  pinFailures: number;
  pins: number;
  slow: number;
  slowest: Slowest | null;
  /** Inputs per kind the extractors saw. */
  kinds: Record<string, number>;
  failures: FailureRecord[];
  ms: number;
}

export interface Input {
  path: string;
  text: string;
  neighbours?: Neighbours;
  /** The editor's language id, for a file whose name says nothing (an untitled document). */
  languageId?: string;
  /** What it was made from: the fixture and mutations, or the shape. */
  label: string;
}

const hotCache = new WeakMap<Seed, number[]>();

/** Offsets of a seed's references, where mutations land more often. */
function hotOffsets(seed: Seed): number[] {
  let hot = hotCache.get(seed);
  if (hot) return hot;
  hot = [];
  try {
    const starts: number[] = [];
    let at = 0;
    for (const line of seed.text.replace(/^\uFEFF/, '').split(/(?<=\r\n|\n|\r)/)) {
      starts.push(at);
      at += line.length;
    }
    for (const ref of findReferences(seed.path, seed.text).references)
      for (const p of [ref.range.start, ref.range.end]) hot.push((starts[p.line] ?? 0) + p.character);
  } catch {
    // An exception here is found again (and counted) when the seed itself is an input.
  }
  hotCache.set(seed, hot);
  return hot;
}

/** Input `index` of the run seeded `seed`. */
export function buildInput(
  seed: number,
  index: number,
  options: Pick<FuzzOptions, 'seeds' | 'shapes' | 'scale'>,
): Input {
  const rng = Random.forInput(seed, index);
  const groups = options.seeds.filter((group) => group.length > 0);
  const pickSeed = (): Seed => rng.pick(rng.pick(groups));
  let input: Input;
  if (rng.chance(options.shapes ?? 0.05)) {
    const shape = rng.pick(SHAPES);
    const built = shape.build(rng, options.scale ?? 1);
    input = { ...built, label: `shape ${shape.name}` };
    if (rng.chance(0.3)) {
      const mutated = mutate(input.text, rng, { hot: [], others: [], scale: options.scale ?? 1 });
      input = { ...input, text: mutated.text, label: `${input.label} + ${mutated.applied.join(',')}` };
    }
  } else {
    let base = pickSeed();
    let from = base.path;
    // A stream of several YAML documents: the language server reads it in parts (references/incremental.ts), and an
    // edit in one part moves the lines of the parts after it.
    if (/\.ya?ml$/i.test(base.path) && rng.chance(0.25)) {
      const documents = [base.text];
      for (let i = rng.size(1, 8); i > 0; i--) {
        const other = pickSeed();
        if (/\.ya?ml$/i.test(other.path)) documents.push(other.text);
      }
      base = { path: base.path, text: documents.join(rng.pick(['\n---\n', '---\n', '\n...\n---\n'])) };
      if (documents.length > 1) from = `${base.path} and ${documents.length - 1} more documents`;
    }
    const others = [pickSeed().text, pickSeed().text];
    const context = { hot: hotOffsets(base), others, scale: options.scale ?? 1 };
    const mutated = rng.chance(0.03) ? { text: base.text, applied: ['none'] } : mutate(base.text, rng, context);
    input = { path: base.path, text: mutated.text, label: `${from} + ${mutated.applied.join(',')}` };
  }
  // The same text under another kind's name: every extractor must survive every other kind's files.
  if (rng.chance(0.1)) {
    const path = pickSeed().path;
    input = { ...input, path, label: `${input.label} as ${path}` };
  }
  if (/\.ya?ml$/i.test(input.path) && rng.chance(0.15))
    input.neighbours = { chart: { appVersion: rng.pick(['1.2.3', null, '"x"', 'a b']) } };
  // An untitled document: only the editor's language id (or the content) says what it is.
  if (rng.chance(0.04)) {
    const languageId = rng.pick([
      'dockerfile',
      'dockercompose',
      'yaml',
      'github-actions-workflow',
      'helm',
      'plaintext',
    ]);
    input = { ...input, path: 'Untitled-1', languageId, label: `${input.label} untitled (${languageId})` };
  }
  return input;
}

export interface Checked {
  broken: Broken[];
  ms: number;
  result: ExtractResult | null;
  /** The incremental divergence's text before the step, and the step. */
  incremental?: { before: string; step: Step };
}

/** Reads one input and checks every property; `steps` incremental edits (0: none). */
export function checkInput(
  input: Input,
  rng: Random,
  steps: number,
  budgetMs: number | null,
  counts: { pins: number; edits: number },
  alone = 0.3,
): Checked {
  const options: FindOptions = {
    ...(input.neighbours ? { neighbours: input.neighbours } : {}),
    ...(input.languageId ? { languageId: input.languageId } : {}),
  };
  let result: ExtractResult;
  // CPU time, not wall time: on a loaded machine the clock also counts other processes' turns.
  const start = process.cpuUsage();
  const cpuMs = (): number => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  try {
    result = findReferences(input.path, input.text, options);
  } catch (error) {
    return { broken: [{ property: 'exception', message: describeError(error) }], ms: cpuMs(), result: null };
  }
  const ms = cpuMs();
  const broken: Broken[] = [];
  if (budgetMs !== null && ms > budgetMs)
    broken.push({ property: 'slow', message: `read in ${ms.toFixed(0)} ms of CPU, over the budget of ${budgetMs} ms` });
  broken.push(...checkRanges(input.text, result));
  try {
    broken.push(...checkPins(input.path, input.text, result, options, rng, counts, alone));
  } catch (error) {
    broken.push({ property: 'exception', message: `pinning: ${describeError(error)}` });
  }
  let incremental: Checked['incremental'];
  if (steps > 0) {
    // Only YAML is read in parts; the other kinds are read whole after an edit, which one edit shows.
    const planned = randomSteps(
      input.text,
      rng,
      result.kind === 'dockerfile' || result.kind === 'quadlet' || result.kind === 'devcontainer' ? 1 : steps,
    );
    counts.edits += planned.length;
    try {
      const diverged = checkIncremental(input.path, input.text, planned, {
        languageId: input.languageId,
        opened: input.neighbours ? undefined : result,
      });
      if (diverged) {
        broken.push({ property: diverged.property, message: diverged.message });
        incremental = { before: diverged.before, step: diverged.step };
      }
    } catch (error) {
      broken.push({ property: 'exception', message: `incremental: ${describeError(error)}` });
    }
  }
  return { broken, ms, result, ...(incremental ? { incremental } : {}) };
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.message}\n${(error.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
}

/** The generator of the checks of input `index` (which edits, which pin alone), apart from the one that built it. */
const checkRandom = (seed: number, index: number): Random => new Random(seed ^ index ^ 0x5bd1e995);

const COUNTERS: Record<Property, keyof FuzzStats> = {
  exception: 'exceptions',
  range: 'rangeMismatches',
  incremental: 'incrementalDivergences',
  pin: 'pinFailures',
  slow: 'slow',
};

export function emptyStats(): FuzzStats {
  return {
    inputs: 0,
    references: 0,
    exceptions: 0,
    rangeMismatches: 0,
    incrementalDivergences: 0,
    edits: 0,
    pinFailures: 0,
    pins: 0,
    slow: 0,
    slowest: null,
    kinds: {},
    failures: [],
    ms: 0,
  };
}

/** Runs `inputs` inputs from `first`; every failure is counted and (up to 20 per property) reproduced in `out`. */
export function runFuzz(options: FuzzOptions): FuzzStats {
  const stats = emptyStats();
  const started = performance.now();
  const first = options.first ?? 0;
  const counts = { pins: 0, edits: 0 };
  for (let index = first; index < first + options.inputs; index++) {
    const input = buildInput(options.seed, index, options);
    const rng = checkRandom(options.seed, index);
    const checked = checkInput(input, rng, options.steps ?? 3, options.budgetMs ?? null, counts, options.alone);
    stats.inputs++;
    const kind = checked.result?.kind ?? null;
    stats.kinds[String(kind)] = (stats.kinds[String(kind)] ?? 0) + 1;
    stats.references += checked.result?.references.length ?? 0;
    if (stats.slowest === null || checked.ms > stats.slowest.ms)
      stats.slowest = { ms: checked.ms, chars: input.text.length, kind, label: input.label, index };
    const seen = new Set<Property>();
    for (const broken of checked.broken) {
      // One failure per property per input: a broken range usually breaks the pins of the same reference too.
      if (seen.has(broken.property)) continue;
      seen.add(broken.property);
      (stats[COUNTERS[broken.property]] as number)++;
      const record: FailureRecord = { ...broken, seed: options.seed, index, label: input.label, path: input.path };
      const sameKind = stats.failures.filter((f) => f.property === broken.property).length;
      if (options.out && sameKind < 20) record.file = writeReproducer(options.out, record, input, checked);
      stats.failures.push(record);
    }
    if (options.progress && (index - first + 1) % options.progress.every === 0) {
      Object.assign(stats, counts, { ms: performance.now() - started });
      options.progress.report(stats);
    }
  }
  Object.assign(stats, counts, { ms: performance.now() - started });
  return stats;
}

// ---------------------------------------------------------------------------------------------------------------
// Reproducers

export interface Reproducer {
  seed: number;
  index: number;
  property: Property;
  message: string;
  label: string;
  path: string;
  neighbours?: Neighbours;
  languageId?: string;
  /** The smallest text found that still breaks the property (for incremental: the text before the step). */
  text: string;
  /** The message of the input as found, before it was made smaller. */
  found?: string;
  /** Incremental: the change events that made the read diverge. */
  changes?: Step['changes'];
  ms?: number;
}

/** Does this text (and, for incremental, these changes) still break `property`? */
export function stillBreaks(reproducer: Omit<Reproducer, 'message'>, budgetMs: number | null = null): Broken | null {
  const input: Input = { path: reproducer.path, text: reproducer.text, label: reproducer.label };
  if (reproducer.neighbours) input.neighbours = reproducer.neighbours;
  if (reproducer.languageId) input.languageId = reproducer.languageId;
  if (reproducer.property === 'incremental' || reproducer.changes) {
    const checked = checkIncrementalOnly(input, reproducer.changes ?? []);
    return checked?.property === reproducer.property ? checked : null;
  }
  // The run's generator, and every input's lone pin checked: the run's pick among the pins is made again.
  const rng = checkRandom(reproducer.seed, reproducer.index);
  const checked = checkInput(input, rng, 0, budgetMs, { pins: 0, edits: 0 }, 1);
  return checked.broken.find((b) => b.property === reproducer.property) ?? null;
}

function checkIncrementalOnly(input: Input, changes: Step['changes']): Broken | null {
  try {
    return checkIncremental(input.path, input.text, [{ changes }], { languageId: input.languageId });
  } catch (error) {
    return { property: 'exception', message: `incremental: ${describeError(error)}` };
  }
}

/**
 * Deletes chunks of the text (halves, then smaller pieces down to single characters) while the property still breaks,
 * within a budget of attempts: what is left is what the failure needs. An incremental reproducer's one change moves
 * with the text around it.
 */
export function minimise(reproducer: Reproducer, attempts = 400): Reproducer {
  if (reproducer.property === 'slow') return reproducer;
  let current = reproducer;
  let tries = 0;
  for (
    let chunk = Math.max(1, Math.floor(current.text.length / 2));
    chunk >= 1 && tries < attempts;
    chunk = Math.floor(chunk / 2)
  ) {
    for (let at = 0; at < current.text.length && tries < attempts;) {
      const candidate = without(current, at, chunk);
      tries++;
      if (candidate && stillBreaks(candidate)) current = candidate;
      else at += chunk;
    }
  }
  return current;
}

/** The reproducer without text[at, at + length), or null when that would cut into its change. */
function without(reproducer: Reproducer, at: number, length: number): Reproducer | null {
  const text = reproducer.text.slice(0, at) + reproducer.text.slice(at + length);
  const changes = reproducer.changes;
  if (changes === undefined || changes.length === 0) return { ...reproducer, text };
  const [change] = changes;
  if (changes.length !== 1 || change === undefined || !('range' in change)) return null;
  const before = TextDocument.create('fuzz:x', 'plaintext', 0, reproducer.text);
  const start = before.offsetAt(change.range.start);
  const end = before.offsetAt(change.range.end);
  if (at < end && at + length > start) return null;
  const shift = at + length <= start ? length : 0;
  const after = TextDocument.create('fuzz:x', 'plaintext', 0, text);
  const range = { start: after.positionAt(start - shift), end: after.positionAt(end - shift) };
  return { ...reproducer, text, changes: [{ range, text: change.text }] };
}

function writeReproducer(out: string, record: FailureRecord, input: Input, checked: Checked): string {
  let reproducer: Reproducer = {
    seed: record.seed,
    index: record.index,
    property: record.property,
    message: record.message,
    label: record.label,
    path: input.path,
    ...(input.neighbours ? { neighbours: input.neighbours } : {}),
    ...(input.languageId ? { languageId: input.languageId } : {}),
    text: input.text,
    ms: checked.ms,
  };
  if (record.property === 'incremental' && checked.incremental)
    reproducer = { ...reproducer, text: checked.incremental.before, changes: checked.incremental.step.changes };
  if (stillBreaks(reproducer)) {
    reproducer = minimise(reproducer);
    // What the smallest input breaks, in its own words (the message above is about the input as found).
    const again = stillBreaks(reproducer);
    if (again) reproducer = { ...reproducer, message: again.message, found: record.message };
  }
  mkdirSync(out, { recursive: true });
  const file = join(out, `fuzz-${record.seed}-${record.index}-${record.property}.json`);
  writeFileSync(file, `${JSON.stringify(reproducer, null, 2)}\n`);
  return file;
}
