// Reads of big documents on a thread of their own, so that a file that takes seconds (or too much memory) to read
// never holds up the requests about the other documents: one long-lived worker (lsp/readerWorker.ts), re-created
// when it dies, that reads one document at a time with a bounded heap and a time budget. A read past either bound is
// a note ("too complex to read: …") instead of references. lsp/documents.ts decides which reads come here.
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExtractorState } from '../references/incremental';
import type { FindOptions } from '../references/index';
import type { ExtractResult, FileNote } from '../references/types';
import { TOO_COMPLEX } from '../references/yaml';
import { realTimers, type Timers } from '../shared/timers';

/** Reads that would parse more characters than this go to the reader thread. */
export const READER_THRESHOLD_CHARS = 512 * 1024;
/**
 * A read taking longer than this is stopped (the thread is terminated and started again). The slowest real file within
 * the size limit, 10 MB of 50,000 small Pods, takes 10 s on an idle core and 18 s on a loaded one; the worst bounded
 * pathological ones about 6 s.
 */
export const READER_BUDGET_MS = 60_000;
/** The reader thread's old-generation heap: a read needing more ends it (ERR_WORKER_OUT_OF_MEMORY). */
export const READER_HEAP_MB = 512;

export interface ReaderOptions {
  /** Default READER_THRESHOLD_CHARS (tests: small, so their documents can be). */
  threshold?: number;
  /** Default READER_BUDGET_MS. */
  budgetMs?: number;
  /** Default READER_HEAP_MB. */
  heapMb?: number;
  /** The budget's timer: real time by default (a read takes real time, whatever clock the server runs on). */
  timers?: Timers;
  /**
   * Tests only: every read waits in the thread while `gate[0]` is 0 (deterministically slow until the test stores 1
   * and notifies); the thread sets `gate[1]` to 1 (and notifies) when a read is waiting.
   */
  gate?: Int32Array;
}

/** What the thread is started with. */
export interface ReaderData {
  gate?: Int32Array;
}

export interface ReadRequest {
  id: number;
  path: string;
  text: string;
  options: FindOptions;
}

/** The thread's answer: plain data (structured clone), the same objects the read made, shared ones kept shared. */
export type ReadReply =
  | { id: number; result: ExtractResult; state: ExtractorState; error?: undefined; ready?: undefined }
  | { id: number; error: string; ready?: undefined }
  | { ready: true };

/** A read: its result and the extractor's state (a text read whole when the read failed with a note). */
export interface ReadOutcome {
  result: ExtractResult;
  state: ExtractorState;
}

interface Job {
  request: ReadRequest;
  /** Times the thread died under this read; one more try on a new thread, then a note. */
  deaths: number;
  resolve: (outcome: ReadOutcome) => void;
}

const WHOLE: ExtractorState = {
  parts: null,
  hint: null,
  neighboursKey: '',
  stats: { parsed: 0, reused: 0, shifted: 0, whole: true },
};

/** The worker's script: dist/reader.js beside the bundle (dist/server.js, dist/cli.js), or the source under tsx. */
function readerScript(): { file: string; execArgv: string[] } {
  // From source (tests run under tsx): Node 20's workers do not take --import hooks, so tsx's require hook loads it.
  if (extname(__filename) === '.ts')
    return { file: join(__dirname, 'readerWorker.ts'), execArgv: ['--require', 'tsx/cjs'] };
  // No inherited flags: V8 flags of the server's process (--no-concurrent-recompilation) are refused by a worker.
  return { file: join(__dirname, 'reader.js'), execArgv: [] };
}

/** A read that gave no references, only a note saying why. */
function failure(job: Job, message: string, severity: FileNote['severity'] = 'warning'): ReadOutcome {
  const kind = job.request.options.kind ?? null;
  return { result: { kind, references: [], notes: [{ severity, message }] }, state: WHOLE };
}

const duration = (ms: number): string => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

export class DocumentReader {
  readonly threshold: number;
  private readonly budgetMs: number;
  private readonly heapMb: number;
  private readonly timers: Timers;
  private readonly gate: Int32Array | undefined;
  private worker: Worker | undefined;
  /** The thread has loaded its code (it said so). */
  private ready = false;
  private readonly queue: Job[] = [];
  private running: { job: Job; worker: Worker; timer: unknown } | undefined;
  private nextId = 0;
  private posted = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(options: ReaderOptions = {}) {
    this.threshold = options.threshold ?? READER_THRESHOLD_CHARS;
    this.budgetMs = options.budgetMs ?? READER_BUDGET_MS;
    this.heapMb = options.heapMb ?? READER_HEAP_MB;
    this.timers = options.timers ?? realTimers;
    this.gate = options.gate;
  }

  /** Reads a text in the thread, after the reads asked before it. Never rejects: a failed read is a note. */
  read(path: string, text: string, options: FindOptions): Promise<ReadOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ request: { id: ++this.nextId, path, text, options }, deaths: 0, resolve });
      this.next();
    });
  }

  /** Reads asked and not yet answered. */
  get busy(): number {
    return this.queue.length + (this.running === undefined ? 0 : 1);
  }

  /** Reads posted to the thread so far (tests: an edit read by parts posts none). */
  get reads(): number {
    return this.posted;
  }

  /** Resolves when no read is asked or running (tests settle on it). */
  idle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The thread now (tests terminate it to show a dead thread is replaced). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  /** Ends the thread (the server shuts down); reads still asked are answered with a note. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    const closing = 'could not read this document: the server is shutting down';
    if (this.running !== undefined) this.finish(failure(this.running.job, closing, 'error'));
    for (const job of this.queue.splice(0)) job.resolve(failure(job, closing, 'error'));
    this.notifyIdle();
    await worker?.terminate();
  }

  private next(): void {
    if (this.running !== undefined || this.closed) return;
    const job = this.queue.shift();
    if (job === undefined) {
      this.notifyIdle();
      return;
    }
    const worker = this.start();
    // A new thread's budget starts once it has loaded.
    this.running = { job, worker, timer: this.ready ? this.budget(worker) : undefined };
    this.posted++;
    worker.postMessage(job.request);
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const { file, execArgv } = readerScript();
    const data: ReaderData = this.gate === undefined ? {} : { gate: this.gate };
    this.ready = false;
    const worker = new Worker(file, {
      execArgv,
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      // Its standard output is not the server's: over --stdio that is the protocol.
      stdout: true,
    });
    worker.stdout.resume();
    // The connection keeps the server alive, not a waiting thread.
    worker.unref();
    worker.on('message', (reply: ReadReply) => this.replied(worker, reply));
    worker.on('error', (error: Error & { code?: string }) => this.died(worker, error));
    worker.on('exit', (code) => this.died(worker, new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private budget(worker: Worker): unknown {
    return this.timers.setTimeout(() => this.timedOut(worker), this.budgetMs);
  }

  private replied(worker: Worker, reply: ReadReply): void {
    const running = this.running;
    if (reply.ready === true) {
      if (this.worker !== worker) return;
      this.ready = true;
      if (running?.worker === worker && running.timer === undefined) running.timer = this.budget(worker);
      return;
    }
    if (running === undefined || running.worker !== worker || running.job.request.id !== reply.id) return;
    if (reply.error !== undefined)
      this.finish(failure(running.job, `could not read this document: ${reply.error}`, 'error'));
    else this.finish({ result: reply.result, state: reply.state });
  }

  private timedOut(worker: Worker): void {
    const running = this.running;
    if (running?.worker !== worker) return;
    this.stop(worker);
    this.finish(failure(running.job, `${TOO_COMPLEX}reading it took longer than ${duration(this.budgetMs)}`));
  }

  /** The thread ended (out of memory, terminated, crashed): a new one reads next; this read is tried once more. */
  private died(worker: Worker, error: Error & { code?: string }): void {
    if (this.worker !== worker) return;
    this.stop(worker);
    const running = this.running;
    if (running === undefined || running.worker !== worker) return;
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      this.finish(failure(running.job, `${TOO_COMPLEX}reading it needed more than ${this.heapMb} MB`));
      return;
    }
    if (running.timer !== undefined) this.timers.clearTimeout(running.timer);
    this.running = undefined;
    if (++running.job.deaths < 2) this.queue.unshift(running.job);
    else
      running.job.resolve(
        failure(running.job, `could not read this document: the reader thread stopped (${error.message})`, 'error'),
      );
    this.next();
  }

  private stop(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  private finish(outcome: ReadOutcome): void {
    const running = this.running;
    if (running === undefined) return;
    if (running.timer !== undefined) this.timers.clearTimeout(running.timer);
    this.running = undefined;
    running.job.resolve(outcome);
    this.next();
  }

  private notifyIdle(): void {
    if (this.busy > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
