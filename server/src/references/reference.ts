// The one place that turns the characters of a reference into an ImageReference with its status.
import { containsPlaceholder, containsVariable, parseImageReference } from './imageRef';
import type { ImageReference, Range, ReferenceContext, ReferenceSource } from './types';

export interface ReferenceExtras {
  platform?: string;
  localBuild?: boolean;
  ignored?: boolean;
  /** Overrides the default explanation for a variable reference. */
  variable?: string;
}

export function buildReference(
  text: string,
  range: Range,
  source: ReferenceSource,
  context: ReferenceContext,
  extras: ReferenceExtras = {},
): ImageReference {
  const base = { text, range, source, context, ...definedOnly(extras) };
  if (containsVariable(text)) {
    return {
      ...base,
      name: null,
      tag: null,
      digest: null,
      status: 'variable',
      variable: extras.variable ?? variableReason(text),
    };
  }
  const parsed = parseImageReference(text);
  if (!parsed.ok) return { ...base, name: null, tag: null, digest: null, status: 'invalid', error: parsed.error.message };
  const { name, tag, digest } = parsed.value;
  return { ...base, name, tag, digest, status: digest === null ? 'unpinned' : 'pinned' };
}

function variableReason(text: string): string {
  if (text.includes('$[[')) return `'${text}' uses a CI/CD input; its value is only known when the pipeline is created`;
  if (containsPlaceholder(text) && !/[$]|\{\{|\{%/.test(text)) return `'${text}' is a placeholder to fill in, not an image`;
  return `'${text}' is built from variables; its value is only known at build or deploy time`;
}

function definedOnly(extras: ReferenceExtras): ReferenceExtras {
  const out: ReferenceExtras = {};
  if (extras.platform !== undefined) out.platform = extras.platform;
  if (extras.localBuild) out.localBuild = true;
  if (extras.ignored) out.ignored = true;
  return out;
}

/** `# digest-pin: ignore` on the reference's own line or alone on the line above it. */
export const IGNORE_COMMENT = /#\s*digest-pin:\s*ignore\b/;

export function isIgnoredAt(lines: readonly string[], line: number): boolean {
  const own = lines[line];
  if (own !== undefined && IGNORE_COMMENT.test(own)) return true;
  const above = lines[line - 1];
  return above !== undefined && /^\s*#/.test(above) && IGNORE_COMMENT.test(above);
}

/** Splits text into lines the way LSP counts them (\r\n, \n or \r end a line). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
