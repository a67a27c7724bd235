// Offsets ↔ LSP positions. vscode-languageserver-textdocument already counts lines (\n, \r\n, \r) and UTF-16
// characters exactly as clients do, so the engine uses it rather than its own line table.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from './types';

export class LineIndex {
  private readonly doc: TextDocument;
  /**
   * `firstLine`: the line number of the text's first line, when the text is a part of a larger document that starts
   * at a line boundary (one YAML document of a stream, re-read alone by the language server).
   */
  constructor(
    text: string,
    readonly firstLine = 0,
  ) {
    this.doc = TextDocument.create('digest-pin:text', 'plaintext', 0, text);
  }
  positionAt(offset: number): Position {
    const position = this.doc.positionAt(offset);
    return this.firstLine === 0 ? position : { line: position.line + this.firstLine, character: position.character };
  }
  offsetAt(position: Position): number {
    return this.doc.offsetAt(
      this.firstLine === 0 ? position : { line: position.line - this.firstLine, character: position.character },
    );
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

/** The file's line break (its first one; `\n` when it has none), for lines inserted into it. */
export function eolOf(text: string): string {
  const at = text.search(/\r\n|\n|\r/);
  if (at < 0) return '\n';
  return text.startsWith('\r\n', at) ? '\r\n' : text.charAt(at);
}
