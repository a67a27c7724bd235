// Timing: a subject and its baseline, measured alternately in the same process so machine noise hits both alike.
// Only ratios leave this module's callers; absolute times are reported for context, never asserted.
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Runnable = () => unknown;

export interface Samples {
  /** Milliseconds per run, in the order measured. */
  samples: number[];
  medianMs: number;
  minMs: number;
}

export interface PairResult {
  baseline: Samples;
  subject: Samples;
  /** Runs per timed sample (both sides alike): small workloads are batched so one sample is not all noise. */
  runsPerSample: number;
  /** median(subject) / median(baseline). */
  ratio: number;
}

export interface MeasureOptions {
  warmup: number;
  iterations: number;
  /** Batch runs until one sample of the slower side takes about this long. */
  minSampleMs?: number;
}

// A full collection before every timed run keeps one run's garbage from being billed to the next.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Results are kept here so no engine can treat a measured call as dead code. */
let sink: unknown;
export const lastSink = (): unknown => sink;

/** Milliseconds per run, averaged over `runs` back-to-back runs. */
async function time(run: Runnable, runs = 1): Promise<number> {
  collect();
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    const result = run();
    sink = result instanceof Promise ? await result : result;
  }
  return (performance.now() - start) / runs;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const summarise = (samples: number[]): Samples => ({ samples, medianMs: median(samples), minMs: Math.min(...samples) });

/**
 * Warm both up, then time them alternately, swapping which goes first each round so neither always runs on a
 * cache the other just warmed.
 */
export async function measurePair(baseline: Runnable, subject: Runnable, options: MeasureOptions): Promise<PairResult> {
  let slowest = 0;
  for (let i = 0; i < Math.max(1, options.warmup); i++) {
    slowest = Math.max(await time(baseline), await time(subject));
  }
  const runs = Math.max(1, Math.ceil((options.minSampleMs ?? 300) / Math.max(slowest, 0.001)));
  const base: number[] = [];
  const subj: number[] = [];
  for (let i = 0; i < options.iterations; i++) {
    if (i % 2 === 0) {
      base.push(await time(baseline, runs));
      subj.push(await time(subject, runs));
    } else {
      subj.push(await time(subject, runs));
      base.push(await time(baseline, runs));
    }
  }
  const baselineSamples = summarise(base);
  const subjectSamples = summarise(subj);
  return {
    baseline: baselineSamples,
    subject: subjectSamples,
    runsPerSample: runs,
    ratio: subjectSamples.medianMs / baselineSamples.medianMs,
  };
}
