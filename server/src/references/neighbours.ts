// What the files beside a file say, as extractors need it: a Chart.yaml makes YAML beside it a Helm chart's values
// (and its appVersion the tag of an image whose tag is empty). Pure: the caller passes how to read a file, so the CLI
// reads the disk and the language server an open editor's text first.
import { dirname, join } from 'node:path/posix';
import { parseDocument } from 'yaml';
import type { Neighbours } from './types';

/** Reads a file's text, or null when there is none (or it cannot be read). */
export type ReadText = (path: string) => string | null;

/** `appVersion` of a Chart.yaml's text: null when absent, not a scalar, or the file does not parse. */
export function appVersionOf(chartYaml: string): string | null {
  try {
    const doc = parseDocument(chartYaml, { uniqueKeys: false, strict: false });
    const value: unknown = doc.get('appVersion');
    if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
    if (typeof value === 'number') {
      // `appVersion: 1.10` is the string 1.10 to Helm, not the number 1.1: read the characters as written.
      const node = doc.get('appVersion', true) as { source?: unknown } | undefined;
      return typeof node?.source === 'string' ? node.source : String(value);
    }
    return null;
  } catch {
    return null;
  }
}

/** The neighbours of `path` (a `/`-separated path): a Chart.yaml in its directory. */
export function neighboursOf(path: string, read: ReadText): Neighbours {
  const posix = path.replace(/\\/g, '/');
  const name = posix.slice(posix.lastIndexOf('/') + 1);
  // The chart's own files are not its values.
  if (/^(?:Chart\.ya?ml|Chart\.lock|requirements\.ya?ml)$/.test(name)) return {};
  if (!/\.ya?ml$/i.test(name)) return {};
  const dir = dirname(posix);
  for (const chart of ['Chart.yaml', 'Chart.yml']) {
    const text = read(join(dir, chart));
    if (text !== null) return { chart: { appVersion: appVersionOf(text) } };
  }
  return {};
}
