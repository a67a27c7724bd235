// Where the yaml package departs from the YAML grammar, for tests that compare two reads of the same text.
import { Lexer } from 'yaml';

/**
 * The yaml lexer's one departure from the grammar: a quoted scalar with no closing quote anywhere further on runs to
 * the end of the text, across document markers (YAML 1.2 forbids a marker inside any scalar). The incremental
 * extractor reads each document as the grammar says there, so only there may it differ from the whole-text read.
 */
export function quotedAcrossMarker(text: string): boolean {
  return quotedAcrossMarkerAt(text) >= 0;
}

/** Where the first such scalar starts (its quote), or -1. */
export function quotedAcrossMarkerAt(text: string): number {
  // As references/yaml.ts reads it: the yaml lexer does not break lines at a lone CR, so those become LF (one
  // character for one: offsets stay).
  const read = text.replace(/\r(?!\n)/g, '\n');
  for (const token of new Lexer().lex(read)) {
    if ((token.startsWith('"') || token.startsWith("'")) && /[\r\n](?:---|\.\.\.)(?:[ \t\r\n]|$)/.test(token))
      return read.indexOf(token);
  }
  return -1;
}
