// What a benchmark entry is. Add one by writing a module under bench/workloads/ and listing it in workloads/index.ts.
import type { Runnable } from './measure';

export interface Workload {
  /** Short id for the table, JSON and `--filter`, e.g. `kubernetes-10k`. */
  name: string;
  /** One line saying what is compared with what. */
  title: string;
  /** Highest acceptable median(subject) / median(baseline); absent = report only. */
  target?: number;
  /** Builds inputs (and starts servers) outside the timed region. */
  setup(): Prepared | QuantityPrepared | Promise<Prepared | QuantityPrepared>;
}

export interface Prepared {
  /** Input size for the report, e.g. `2,500 documents, 1.9 MB`. */
  size: string;
  baseline: { label: string; run: Runnable };
  subject: { label: string; run: Runnable };
  /**
   * Correctness gate run once before timing: null when the subject did the full job, else what is wrong
   * (e.g. `expected 10,000 references, found 0`). A fast subject that does nothing must not look like a win.
   */
  check(): string | null | Promise<string | null>;
  teardown?(): void | Promise<void>;
}

/**
 * A comparison of a quantity that is not time (the bytes of a package against its budget): measured once in setup,
 * nothing is timed, and the ratio is subject.value / baseline.value.
 */
export interface QuantityPrepared {
  size: string;
  unit: 'bytes';
  baseline: { label: string; value: number };
  subject: { label: string; value: number };
  check(): string | null | Promise<string | null>;
  teardown?(): void | Promise<void>;
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');
export const formatBytes = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
