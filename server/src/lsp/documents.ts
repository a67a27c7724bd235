// Open documents: their text (kept in sync from incremental changes), what changed since they were last read, and
// their references, read again only when the text changed (YAML streams incrementally: references/incremental.ts).
// A read that would parse much (a big document opened, or an edit of one that is not read by parts) goes to the
// reader thread (reader.ts); until it is back the last read stands, and an edit after it is read incrementally here.
import { readFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { detectKind } from '../references/fileKind';
import { IncrementalExtractor } from '../references/incremental';
import { neighboursOf } from '../references/neighbours';
import type { ExtractResult, FileKind, Neighbours } from '../references/types';
import type { DocumentReader } from './reader';

export interface Analysis {
  version: number;
  kind: FileKind | null;
  result: ExtractResult;
  /** Milliseconds the read took (trace output; the benchmark measures it properly). */
  ms: number;
}

export class TrackedDocument {
  readonly extractor = new IncrementalExtractor();
  private analysis: Analysis | undefined;
  /** Characters at the start and the end that no change touched since the last read (null: unknown). */
  private unchanged: { prefix: number; suffix: number } | null = null;
  /** The reader thread's read in flight. */
  private reading: Promise<Analysis> | undefined;
  /** Counts invalidate(): a read from the thread that started before one is not taken. */
  private generation = 0;

  constructor(
    readonly uri: string,
    public languageId: string,
    public document: TextDocument,
    /** Where big reads go; none: every read here (tests of this class, no server). */
    private readonly reader?: DocumentReader,
  ) {}

  get version(): number {
    return this.document.version;
  }

  get path(): string {
    return pathOf(this.uri);
  }

  /** Applies changes one by one, noting the span they touched, so the next read knows what did not move. */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      const length = this.document.getText().length;
      if ('range' in change) {
        const start = this.document.offsetAt(change.range.start);
        const end = this.document.offsetAt(change.range.end);
        const unchanged = this.unchanged ?? { prefix: length, suffix: length };
        this.unchanged = {
          prefix: Math.min(unchanged.prefix, start),
          suffix: Math.min(unchanged.suffix, length - end),
        };
      } else {
        this.unchanged = { prefix: 0, suffix: 0 };
      }
      this.document = TextDocument.update(this.document, [change], version);
    }
  }

  /** True when the text changed since the last read (or was never read). */
  get stale(): boolean {
    return this.analysis === undefined || this.analysis.version !== this.version;
  }

  /**
   * The read of the current text: made now when it is cheap (a small document, an edit read by parts), else the
   * reader thread's, to come (the same promise while it is in flight; then the current text's if it changed).
   */
  read(now: () => number = () => performance.now()): Analysis | Promise<Analysis> {
    if (this.analysis !== undefined && this.analysis.version === this.version) return this.analysis;
    if (this.reading !== undefined) return this.reading.then(() => this.read(now));
    const start = now();
    const text = this.document.getText();
    const kind = detectKind(this.path, text, this.languageId);
    const find = { ...(kind !== null ? { kind } : {}), neighbours: this.neighbours() };
    const options = { ...find, ...(this.unchanged !== null ? { unchanged: this.unchanged } : {}) };
    this.unchanged = null;
    const reader = this.reader;
    if (
      reader === undefined ||
      text.length <= reader.threshold ||
      this.extractor.cost(this.path, text, options) <= reader.threshold
    ) {
      const result = this.extractor.extract(this.path, text, options);
      this.analysis = { version: this.version, kind: result.kind, result, ms: now() - start };
      return this.analysis;
    }
    // Changes from here on are counted from this text, which the thread's parts will describe.
    const version = this.version;
    const generation = this.generation;
    const reading = reader.read(this.path, text, find).then(({ result, state }): Analysis | Promise<Analysis> => {
      this.reading = undefined;
      if (generation !== this.generation) return this.read(now);
      this.extractor.adopt(text, state, result, find.neighbours);
      this.analysis = { version, kind: result.kind, result, ms: now() - start };
      return this.analysis;
    });
    this.reading = reading;
    return reading;
  }

  /** The read of the current text, made now (a document without a reader: the benchmark, tests). */
  analyse(now: () => number = () => performance.now()): Analysis {
    const read = this.read(now);
    if (read instanceof Promise) throw new Error('analyse(): this document is read in the reader thread; use read()');
    return read;
  }

  /** The read of the current text when it can be had now, else the last read (none before a big one's first). */
  readNow(): Analysis | undefined {
    const read = this.read();
    return read instanceof Promise ? this.analysis : read;
  }

  /** The read of the text as it is when this resolves (edits must not be made from an older one). */
  async fresh(): Promise<Analysis> {
    for (;;) {
      const analysis = await this.read();
      if (analysis.version === this.version) return analysis;
    }
  }

  /** True while the reader thread reads this document. */
  get inFlight(): boolean {
    return this.reading !== undefined;
  }

  /** What the files beside it say (a Chart.yaml), read from disk: only for a file: document. */
  private neighbours(): Neighbours {
    if (!this.uri.startsWith('file:')) return {};
    return neighboursOf(this.path, readFromDisk);
  }

  /** The last read, whatever version it was of (for hovers and code actions while a read is pending). */
  get last(): Analysis | undefined {
    return this.analysis;
  }

  /** Forget the read (settings that change what is read); the next analyse() reads everything. */
  invalidate(): void {
    this.generation++;
    this.analysis = undefined;
    this.unchanged = null;
    this.extractor.reset();
  }
}

export function readFromDisk(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** A document URI's path for kind detection by name (`file:///repo/.github/workflows/ci.yml`, `untitled:Untitled-1`). */
export function pathOf(uri: string): string {
  try {
    const url = new URL(uri);
    return decodeURIComponent(url.pathname || uri);
  } catch {
    return uri;
  }
}

export class DocumentStore {
  private readonly documents = new Map<string, TrackedDocument>();

  constructor(private readonly reader?: DocumentReader) {}

  open(uri: string, languageId: string, version: number, text: string): TrackedDocument {
    const tracked = new TrackedDocument(
      uri,
      languageId,
      TextDocument.create(uri, languageId, version, text),
      this.reader,
    );
    this.documents.set(uri, tracked);
    return tracked;
  }

  change(
    uri: string,
    version: number,
    changes: readonly TextDocumentContentChangeEvent[],
  ): TrackedDocument | undefined {
    const tracked = this.documents.get(uri);
    tracked?.applyChanges(changes, version);
    return tracked;
  }

  close(uri: string): boolean {
    return this.documents.delete(uri);
  }

  get(uri: string): TrackedDocument | undefined {
    return this.documents.get(uri);
  }

  all(): TrackedDocument[] {
    return [...this.documents.values()];
  }
}
