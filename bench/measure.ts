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
  /** median(subject) / median(baseline). */
  ratio: number;
}

export interface MeasureOptions {
  warmup: number;
  iterations: number;
}

// A full collection before every timed run keeps one run's garbage from being billed to the next.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Results are kept here so no engine can treat a measured call as dead code. */
let sink: unknown;
export const lastSink = (): unknown => sink;

async function timeOnce(run: Runnable): Promise<number> {
  collect();
  const start = performance.now();
  const result = run();
  sink = result instanceof Promise ? await result : result;
  return performance.now() - start;
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
  for (let i = 0; i < options.warmup; i++) {
    await timeOnce(baseline);
    await timeOnce(subject);
  }
  const base: number[] = [];
  const subj: number[] = [];
  for (let i = 0; i < options.iterations; i++) {
    if (i % 2 === 0) {
      base.push(await timeOnce(baseline));
      subj.push(await timeOnce(subject));
    } else {
      subj.push(await timeOnce(subject));
      base.push(await timeOnce(baseline));
    }
  }
  const baselineSamples = summarise(base);
  const subjectSamples = summarise(subj);
  return { baseline: baselineSamples, subject: subjectSamples, ratio: subjectSamples.medianMs / baselineSamples.medianMs };
}
