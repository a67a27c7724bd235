// `npm run bench [-- --filter kubernetes --iterations 21 --warmup 5 --quick]`
// Each workload times a subject against a baseline in the same run and reports the ratio of their medians; a
// workload with a target fails the run when its ratio is above it, and every workload fails it when its
// correctness check does (a fast extractor that finds nothing is not fast).
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measurePair, type PairResult } from './measure';
import { formatBytes, type QuantityPrepared, type Workload } from './workload';
import { workloads } from './workloads/index';

interface Outcome {
  name: string;
  title: string;
  size: string;
  baselineLabel: string;
  subjectLabel: string;
  measured: PairResult;
  /** `ms` for timed workloads; a quantity workload's unit otherwise (its "samples" are the one value). */
  unit: 'ms' | QuantityPrepared['unit'];
  target: number | null;
  /** null when the subject did its whole job. */
  checkProblem: string | null;
  status: 'ok' | 'over target' | 'check failed';
}

const USAGE = `usage: npm run bench -- [--filter <substring>]... [--iterations N] [--warmup N] [--quick] [--out <file>]`;

function options() {
  const { values } = parseArgs({
    options: {
      filter: { type: 'string', multiple: true },
      iterations: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`expected an integer ≥ ${min}, got '${text}'\n${USAGE}`);
    return n;
  };
  return {
    filters: values.filter ?? [],
    iterations: int(values.iterations, values.quick ? 5 : 11, 1),
    warmup: int(values.warmup, values.quick ? 1 : 3, 0),
    out: resolve(values.out ?? 'bench/results/latest.json'),
  };
}

async function runWorkload(workload: Workload, iterations: number, warmup: number): Promise<Outcome> {
  const prepared = await workload.setup();
  try {
    const checkProblem = await prepared.check();
    const measured =
      'unit' in prepared
        ? quantityPair(prepared)
        : await measurePair(prepared.baseline.run, prepared.subject.run, { iterations, warmup });
    const target = workload.target ?? null;
    const status =
      checkProblem !== null ? 'check failed' : target !== null && measured.ratio > target ? 'over target' : 'ok';
    return {
      name: workload.name,
      title: workload.title,
      size: prepared.size,
      baselineLabel: prepared.baseline.label,
      subjectLabel: prepared.subject.label,
      measured,
      unit: 'unit' in prepared ? prepared.unit : 'ms',
      target,
      checkProblem,
      status,
    };
  } finally {
    await prepared.teardown?.();
  }
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const amount = (value: number, unit: Outcome['unit']): string => (unit === 'ms' ? ms(value) : formatBytes(value));

/** A quantity workload in the shape of a timed one: one "sample" per side, no runs. */
function quantityPair(prepared: QuantityPrepared): PairResult {
  const one = (value: number) => ({ samples: [value], medianMs: value, minMs: value });
  return {
    baseline: one(prepared.baseline.value),
    subject: one(prepared.subject.value),
    runsPerSample: 0,
    ratio: prepared.subject.value / prepared.baseline.value,
  };
}

function table(outcomes: readonly Outcome[]): string {
  const header = ['workload', 'input', 'baseline (median)', 'subject (median)', 'ratio', 'target', 'status'];
  const rows = outcomes.map((o) => [
    o.name,
    o.size,
    `${amount(o.measured.baseline.medianMs, o.unit)} ${o.baselineLabel}`,
    `${amount(o.measured.subject.medianMs, o.unit)} ${o.subjectLabel}`,
    `${o.measured.ratio.toFixed(2)}×`,
    o.target === null ? '—' : `≤ ${o.target.toFixed(2)}×`,
    o.checkProblem === null ? o.status : `${o.status}: ${o.checkProblem}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const { filters, iterations, warmup, out } = options();
  const selected = workloads.filter((w) => filters.length === 0 || filters.some((f) => w.name.includes(f)));
  if (selected.length === 0) {
    console.error(`no workload matches ${filters.join(', ')}; have: ${workloads.map((w) => w.name).join(', ')}`);
    return 2;
  }
  console.log(
    `digest-pin bench: ${selected.length} workload(s), ${warmup} warm-up + ${iterations} timed samples each (median)\n`,
  );
  const outcomes: Outcome[] = [];
  for (const workload of selected) {
    process.stdout.write(`  ${workload.name}: ${workload.title} … `);
    const outcome = await runWorkload(workload, iterations, warmup);
    console.log(`${outcome.measured.ratio.toFixed(2)}×`);
    outcomes.push(outcome);
  }
  console.log(`\n${table(outcomes)}`);

  mkdirSync(dirname(out), { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    iterations,
    warmup,
    results: outcomes.map((o) => ({
      name: o.name,
      title: o.title,
      input: o.size,
      ...(o.unit === 'ms'
        ? {
            baseline: {
              label: o.baselineLabel,
              medianMs: o.measured.baseline.medianMs,
              minMs: o.measured.baseline.minMs,
              samplesMs: o.measured.baseline.samples,
            },
            subject: {
              label: o.subjectLabel,
              medianMs: o.measured.subject.medianMs,
              minMs: o.measured.subject.minMs,
              samplesMs: o.measured.subject.samples,
            },
          }
        : {
            unit: o.unit,
            baseline: { label: o.baselineLabel, value: o.measured.baseline.medianMs },
            subject: { label: o.subjectLabel, value: o.measured.subject.medianMs },
          }),
      runsPerSample: o.measured.runsPerSample,
      ratio: o.measured.ratio,
      target: o.target,
      status: o.status,
      check: o.checkProblem,
    })),
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${out}`);

  const failed = outcomes.filter((o) => o.status !== 'ok');
  for (const o of failed)
    console.error(`FAIL ${o.name}: ${o.checkProblem ?? `ratio ${o.measured.ratio.toFixed(2)}× is above ${o.target}×`}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
