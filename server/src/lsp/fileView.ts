// A file as the edit builders (features/codeActions.ts) see it: its format, line ends and lines.
import type { FileFormat, FileView } from '../features/codeActions';
import { eolOf } from '../references/positions';
import type { TrackedDocument } from './documents';

export function formatOf(tracked: Pick<TrackedDocument, 'path'>, kind: string | null, text: string): FileFormat {
  if (kind === 'dockerfile') return 'dockerfile';
  if (kind === 'quadlet') return 'ini';
  if (kind === 'devcontainer') return 'json';
  if (/\.jsonc?$/i.test(tracked.path) || /^\s*[{/]/.test(text.slice(0, 1024))) return 'json';
  return 'yaml';
}

/** An open document's view. */
export function fileView(tracked: TrackedDocument, kind: string | null, versioned: boolean): FileView {
  const text = tracked.document.getText();
  return {
    uri: tracked.uri,
    version: versioned ? tracked.version : null,
    format: formatOf(tracked, kind, text),
    eol: eolOf(text),
    lineAt: (line) => {
      const start = tracked.document.offsetAt({ line, character: 0 });
      const end = tracked.document.offsetAt({ line: line + 1, character: 0 });
      return text.slice(start, end).replace(/\r?\n$|\r$/, '');
    },
  };
}

/** The view of a file read from disk (not open in the editor). */
export function diskFileView(uri: string, path: string, kind: string | null, text: string): FileView {
  const lines = text.split(/\r\n|\r|\n/);
  return {
    uri,
    version: null,
    format: formatOf({ path }, kind, text),
    eol: eolOf(text),
    lineAt: (line) => lines[line] ?? '',
  };
}
