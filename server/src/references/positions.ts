// Offsets ↔ LSP positions. vscode-languageserver-textdocument already counts lines (\n, \r\n, \r) and UTF-16
// characters exactly as clients do, so the engine uses it rather than its own line table.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from './types';

export class LineIndex {
  private readonly doc: TextDocument;
  constructor(text: string) {
    this.doc = TextDocument.create('digest-pin:text', 'plaintext', 0, text);
  }
  positionAt(offset: number): Position {
    return this.doc.positionAt(offset);
  }
  offsetAt(position: Position): number {
    return this.doc.offsetAt(position);
  }
  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}

export const BOM = '\uFEFF';

/** LSP documents never contain the BOM; the CLI strips it the same way so ranges agree. */
export function stripBom(text: string): { text: string; hadBom: boolean } {
  return text.startsWith(BOM) ? { text: text.slice(1), hadBom: true } : { text, hadBom: false };
}
