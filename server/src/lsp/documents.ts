// Open documents: their text (kept in sync from incremental changes), what changed since they were last read, and
// their references, read again only when the text changed (YAML streams incrementally: references/incremental.ts).
import { readFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { detectKind } from '../references/fileKind';
import { IncrementalExtractor } from '../references/incremental';
import { neighboursOf } from '../references/neighbours';
import type { ExtractResult, FileKind, Neighbours } from '../references/types';

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

  constructor(
    readonly uri: string,
    public languageId: string,
    public document: TextDocument,
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

  /** The references of the current text; reads it if it changed. */
  analyse(now: () => number = () => performance.now()): Analysis {
    if (this.analysis !== undefined && this.analysis.version === this.version) return this.analysis;
    const start = now();
    const text = this.document.getText();
    const kind = detectKind(this.path, text, this.languageId);
    const result = this.extractor.extract(this.path, text, {
      ...(kind !== null ? { kind } : {}),
      neighbours: this.neighbours(),
      ...(this.unchanged !== null ? { unchanged: this.unchanged } : {}),
    });
    this.unchanged = null;
    this.analysis = { version: this.version, kind: result.kind, result, ms: now() - start };
    return this.analysis;
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

  open(uri: string, languageId: string, version: number, text: string): TrackedDocument {
    const tracked = new TrackedDocument(uri, languageId, TextDocument.create(uri, languageId, version, text));
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
