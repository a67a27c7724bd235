// findReferences(path, languageId, text): every image reference in one file, or a note saying why none were read.
import { extractDevcontainer } from './devcontainer';
import { extractDockerfile } from './dockerfile';
import { detectKind } from './fileKind';
import { stripBom } from './positions';
import { extractQuadlet } from './quadlet';
import type { ExtractResult, FileKind, FileNote, Neighbours } from './types';
import { extractYaml } from './yaml';

/** Files larger than this are skipped with a note: no real manifest is this big, and parsing it would stall. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface FindOptions {
  /** Force a kind (the caller already knows it). */
  kind?: FileKind;
  languageId?: string;
  /** What the files beside this one say (a Chart.yaml next to values). */
  neighbours?: Neighbours;
}

/** The note for a file over MAX_FILE_BYTES; callers that know the size before reading (the CLI) use it too. */
export function tooLargeNote(size: number): FileNote {
  const mb = (size / (1024 * 1024)).toFixed(1);
  return {
    severity: 'warning',
    message: `skipped: file is ${mb} MB; the limit is ${MAX_FILE_BYTES / (1024 * 1024)} MB`,
  };
}

export function findReferences(path: string, text: string, options: FindOptions = {}): ExtractResult {
  const kind = options.kind ?? detectKind(path, text, options.languageId);
  if (kind === null) return { kind: null, references: [], notes: [] };
  if (text.length > MAX_FILE_BYTES) return { kind, references: [], notes: [tooLargeNote(text.length)] };
  // A binary `disk.image` only shares a Quadlet unit's suffix: nothing to say about it.
  if (kind === 'quadlet' && text.includes('\u0000')) return { kind, references: [], notes: [] };
  if (text.includes('\u0000')) {
    return {
      kind,
      references: [],
      notes: [{ severity: 'warning', message: 'skipped: binary file (contains NUL bytes)' }],
    };
  }
  const body = stripBom(text).text;
  if (kind === 'dockerfile') return { kind, ...extractDockerfile(body) };
  if (kind === 'quadlet') return { kind, references: extractQuadlet(body, path), notes: [] };
  if (kind === 'devcontainer') return { kind, ...extractDevcontainer(body) };
  return extractYaml(body, kind, options.neighbours !== undefined ? { neighbours: options.neighbours } : {});
}

export type {
  ExtractResult,
  FileKind,
  FileNote,
  ImageReference,
  Neighbours,
  Range,
  Position,
  ReferenceStatus,
  ReferenceSource,
} from './types';
