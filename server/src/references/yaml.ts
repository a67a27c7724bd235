// YAML references via the yaml package's AST. (Being written.)
import type { ExtractResult, FileKind } from './types';

export function extractYaml(_text: string, hint: FileKind): ExtractResult {
  return { kind: hint, references: [], notes: [] };
}
