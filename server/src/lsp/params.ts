// The shape of what a client sends, checked before a handler sees it: a message without a document's text, or a
// request without a position, is answered InvalidParams (or, for a notification, logged and dropped) rather than
// reaching the server's state, where one bad document would break every later workspace-wide request.

type Loose = Record<string, unknown> | null | undefined;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isInteger = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value);
const isPosition = (value: unknown): boolean => isObject(value) && isInteger(value.line) && isInteger(value.character);
const isRange = (value: unknown): boolean => isObject(value) && isPosition(value.start) && isPosition(value.end);
const documentOf = (params: unknown): Loose =>
  isObject(params) && isObject(params.textDocument) ? params.textDocument : null;

/** What is wrong with the parameters of `method`, or null when they are what the handler reads. */
export function paramsProblem(method: string, params: unknown): string | null {
  const document = documentOf(params);
  if (typeof document?.uri !== 'string') return 'textDocument.uri is missing';
  const p = params as Record<string, unknown>;
  switch (method) {
    case 'textDocument/didOpen':
      if (typeof document.text !== 'string') return 'textDocument.text is missing';
      if (typeof document.languageId !== 'string') return 'textDocument.languageId is missing';
      return isInteger(document.version) ? null : 'textDocument.version is not an integer';
    case 'textDocument/didChange':
      if (!isInteger(document.version)) return 'textDocument.version is not an integer';
      if (!Array.isArray(p.contentChanges)) return 'contentChanges is not a list';
      return p.contentChanges.every(
        (change) =>
          isObject(change) && typeof change.text === 'string' && (change.range === undefined || isRange(change.range)),
      )
        ? null
        : 'a content change has no text, or a malformed range';
    case 'textDocument/hover':
      return isPosition(p.position) ? null : 'position is missing or malformed';
    case 'textDocument/codeAction':
      if (!isRange(p.range)) return 'range is missing or malformed';
      return isObject(p.context) && Array.isArray(p.context.diagnostics) ? null : 'context.diagnostics is missing';
    default:
      return null;
  }
}
