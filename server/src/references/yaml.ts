// YAML references via the yaml package's AST: parse once, walk each document once, and let the kind modules
// (kinds/*) say which scalars are images. This file owns everything they should not care about: guarding the
// parser against hostile input, resolving aliases and merge keys, exact ranges for every scalar style, one report
// per literal, `# digest-pin: ignore`, and notes for what could not be read.
//
// A value whose written characters are not its value (a quoted escape such as "nginx\x3a1", an escaped quote '',
// or a value folded over several lines) is still reported, where it is written, but with status invalid and the
// reason: a pin edits characters in place, and editing these would change what they mean.
import {
  CST,
  Composer,
  Lexer,
  Parser,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Alias,
  type Document,
  type Scalar,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import type { DocumentApi, MapVisit, ReportOptions, SplitReport, YamlNode } from './kinds/api';
import { extractAzurePipelines, isAzurePipelines } from './kinds/azurePipelines';
import { extractCloudBuild, isCloudBuild } from './kinds/cloudBuild';
import { extractCompose, isCompose } from './kinds/compose';
import { extractGeneric } from './kinds/generic';
import { extractGitHubActions, isGitHubActions } from './kinds/githubActions';
import { extractGitLabCi, isGitLabCi } from './kinds/gitlabCi';
import { extractHelm } from './kinds/helm';
import { extractKubernetes, isBuiltInKind, isKubernetes } from './kinds/kubernetes';
import { extractKustomize, isKustomization } from './kinds/kustomize';
import { extractTekton, isTekton } from './kinds/tekton';
import { LineIndex } from './positions';
import { asInvalid, buildReference, buildSplitReference, isIgnoredAt, splitLines } from './reference';
import { ownCopy } from './strings';
import type {
  ExtractResult,
  FileKind,
  FileNote,
  ImageReference,
  Neighbours,
  Position,
  ReferenceContext,
  ReferencePart,
  ReferenceSource,
} from './types';

/** Deeper than this, composing a document would recurse near the stack limit; no real manifest comes close. */
export const MAX_NESTING = 256;
/** Open brackets beyond which the parser's own in-memory stack would exhaust memory (it copes with 100,000). */
export const MAX_RAW_BRACKETS = 10_000;
/**
 * Indentation plus compact indicators (`- - -`, `? `) starting a line, beyond which the parser itself recurses too
 * deep when the block collections close (it overflows near 2,000 from a shallow stack).
 */
export const MAX_RAW_INDENT = 400;
/** A stream of more documents than this is not a manifest anyone edits; each Document costs about 1 kB. */
export const MAX_DOCUMENTS = 50_000;
/** Merge keys that merge mappings that merge … deeper than this are not followed (real files use two or three). */
export const MAX_MERGE_DEPTH = 64;
/** Tokens out of place the parser reports one by one; past this many the rest are counted, not composed. */
export const MAX_STRAY_TOKENS = 256;
/**
 * Indicators, anchors, tags or scalars one CST token's `start`, `sep`, `props` or `end` holds (blanks, comments and
 * line breaks aside) before the rest are out of place: a real one holds a handful (`? &a !t key : &b !u`).
 */
export const MAX_TOKEN_PROPS = 16;
/**
 * Lexical tokens one document (from a `---` to the next) may take: the parser holds a document's whole syntax tree
 * until it ends, about 230 bytes a token for real YAML and up to 600 for the worst runs (`? `, `- ` in a flow
 * collection): this many cost it at most about 250 MB. Real YAML takes about 105 tokens a kB (the largest document
 * in the corpus, Argo CD's 179 kB values, 18,763), so this is a single document of about 3.8 MB (a list of short
 * items reaches it sooner: issue 13's Pod with 130,001 args, 2.2 MB, takes 780,000). Past it the parser's tree is
 * closed and composed as it stands, and the rest of that document is skipped with a note.
 */
export const MAX_DOCUMENT_TOKENS = 400_000;
/** What a note about a bound that was hit starts with, in every file kind. */
export const TOO_COMPLEX = 'too complex to read: ';
/** A broken file can yield hundreds of errors; the first few say what is wrong. */
export const MAX_ERROR_NOTES = 5;

type DocumentKind =
  | 'compose'
  | 'github-actions'
  | 'gitlab-ci'
  | 'cloud-build'
  | 'azure-pipelines'
  | 'kubernetes'
  | 'kustomize'
  | 'helm-values'
  | 'generic';

/** The file kinds a document's content can refine `yaml` to, and that a file's name forces on every document. */
const REFINED: ReadonlySet<FileKind> = new Set([
  'compose',
  'github-actions',
  'gitlab-ci',
  'cloud-build',
  'azure-pipelines',
  'kustomize',
  'helm-values',
]);
const isRefined = (kind: FileKind | DocumentKind): kind is FileKind & DocumentKind => REFINED.has(kind as FileKind);

export interface ExtractYamlOptions {
  /**
   * Line number of the text's first line when the text is one part of a larger file, cut at a document marker
   * (the language server re-reads only the document that changed): ranges and messages then count from there.
   */
  firstLine?: number;
  /** What the files beside this one say (a Chart.yaml makes it a chart's values). */
  neighbours?: Neighbours;
}

export function extractYaml(text: string, hint: FileKind, options: ExtractYamlOptions = {}): ExtractResult {
  const notes: FileNote[] = [];
  const index = new LineIndex(text, options.firstLine ?? 0);
  const sink = new ReferenceSink(text, index);
  let kind: FileKind = hint;
  try {
    const source = blankRunawayNesting(blankJsonComments(loneCrAsLf(text)), index, notes);
    const errors: YAMLError[] = [];
    let errorCount = 0;
    for (const doc of composeDocuments(source, index, notes)) {
      errorCount += doc.errors.length;
      for (const error of doc.errors) if (errors.length < MAX_ERRORS_KEPT) errors.push(error);
      const view = new DocumentView(doc, sink);
      const root = view.resolve(doc.contents);
      if (root === undefined) continue;
      const docKind = documentKind(hint, root, view, options.neighbours);
      if (kind === 'yaml' && isRefined(docKind)) kind = docKind;
      extractDocument(docKind, root, view, options.neighbours ?? {});
    }
    notes.push(...firstErrors(errors, errorCount, index));
  } catch (error) {
    // Defensive: the yaml package reports problems as values, but a bug must not take the server down.
    notes.push({
      severity: 'error',
      message: `could not read this YAML file: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  return { kind, references: sink.sorted(), notes: byPosition(notes) };
}

/** Errors a read keeps to choose its first notes from; past that they are only counted. */
const MAX_ERRORS_KEPT = 100_000;

/**
 * The first errors in the order of the text, the rest counted. Composing says a document's errors in the order it
 * finds them, not the text's: the first ones by position are what a read in parts (incremental.ts) says too.
 */
function firstErrors(errors: readonly YAMLError[], count: number, index: LineIndex): FileNote[] {
  const first = errors
    .map((error, i) => [error, i] as const)
    .sort(([a, i], [b, j]) => a.pos[0] - b.pos[0] || i - j)
    .slice(0, MAX_ERROR_NOTES)
    .map(([error]) => errorNote(error.message, error.pos, index));
  if (count > MAX_ERROR_NOTES)
    first.push({ severity: 'error', message: `${count - MAX_ERROR_NOTES} more YAML errors not shown` });
  return first;
}

function documentKind(hint: FileKind, root: YamlNode, api: DocumentApi, neighbours?: Neighbours): DocumentKind {
  // A kustomization is a Kubernetes-style object, but its `images:` are rewrites, not pod specs.
  if (hint !== 'helm-values' && isKustomization(root, api)) return 'kustomize';
  if (isRefined(hint)) return hint;
  // apiVersion + kind first: a Kubernetes object is never a compose file or a pipeline, whatever keys it holds.
  if (isKubernetes(root, api)) return 'kubernetes';
  // Any other YAML beside a Chart.yaml is one of the chart's values files (values-prod.yaml, ci/… are named so).
  if (neighbours?.chart !== undefined) return 'helm-values';
  if (isGitHubActions(root, api)) return 'github-actions';
  if (isCompose(root, api)) return 'compose';
  if (isGitLabCi(root, api)) return 'gitlab-ci';
  if (isCloudBuild(root, api)) return 'cloud-build';
  if (isAzurePipelines(root, api)) return 'azure-pipelines';
  return 'generic';
}

function extractDocument(kind: DocumentKind, root: YamlNode, api: DocumentApi, neighbours: Neighbours): void {
  switch (kind) {
    case 'kustomize':
      return extractKustomize(root, api);
    case 'helm-values':
      // Split images (`image: {repository, tag}`) and, as in any YAML, images written whole (`image: nginx:1.27`).
      extractHelm(root, api, neighbours.chart !== undefined ? { chart: neighbours.chart } : {});
      return extractGeneric(root, api);
    case 'compose':
      return extractCompose(root, api);
    case 'github-actions':
      return extractGitHubActions(root, api);
    case 'gitlab-ci':
      return extractGitLabCi(root, api);
    case 'cloud-build':
      return extractCloudBuild(root, api);
    case 'azure-pipelines':
      return extractAzurePipelines(root, api);
    case 'kubernetes':
      // Pod specs first (source kubernetes); then a CRD's own fields, such as Tekton steps or Argo templates (source yaml).
      extractKubernetes(root, api);
      if (isBuiltInKind(root, api)) return;
      if (isTekton(root, api)) extractTekton(root, api);
      return extractGeneric(root, api);
    case 'generic':
      return extractGeneric(root, api);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing, guarded

/**
 * Parser + Composer as parseAllDocuments does, with the work bounded for any input: at most MAX_DOCUMENT_TOKENS
 * lexical tokens per document (parseBounded), and each document's syntax tree trimmed before it is composed
 * (trimDocument) — collections nested deeper than MAX_NESTING cut, tokens out of place past MAX_STRAY_TOKENS
 * dropped. Every error the composer makes costs about a kilobyte with its context: a million `"` after a key, each
 * a stray scalar in the value's `end`, cost 600 MB and 6.5 s.
 */
function* composeDocuments(source: string, index: LineIndex, notes: FileNote[]): Generator<Document.Parsed> {
  const composer = new Composer({ uniqueKeys: false, strict: false });
  let documents = 0;
  // Counted per document, so a stream read in parts (references/incremental.ts) says the same.
  const strays: Strays = { count: 0, first: -1 };
  const skipped = (): void => {
    if (strays.count > MAX_STRAY_TOKENS) {
      const at = index.positionAt(strays.first);
      notes.push({
        severity: 'error',
        message: `${TOO_COMPLEX}${count(strays.count - MAX_STRAY_TOKENS)} more YAML syntax errors (tokens out of place) were not read`,
        range: { start: at, end: at },
      });
    }
    strays.count = 0;
    strays.first = -1;
  };
  for (const token of parseBounded(source, index, notes)) {
    if (token.type === 'error' && !keptStray(strays, token.offset)) continue;
    if (token.type === 'document') {
      skipped();
      if (++documents > MAX_DOCUMENTS) {
        notes.push({ severity: 'warning', message: `only the first ${MAX_DOCUMENTS} YAML documents were read` });
        break;
      }
      if (trimDocument(token, strays)) notes.push(tooDeepNote(token.offset, index));
    }
    yield* composer.next(token);
  }
  yield* composer.end(false, source.length);
  skipped();
}

const count = (n: number): string => n.toLocaleString('en-US');

/** Tokens out of place in the current document, and the offset of the first one dropped (-1: none yet). */
interface Strays {
  count: number;
  first: number;
}

/** Counts a token out of place: true while the document is within MAX_STRAY_TOKENS (it is composed). */
function keptStray(strays: Strays, offset: number): boolean {
  if (++strays.count <= MAX_STRAY_TOKENS) return true;
  if (strays.first < 0) strays.first = offset;
  return false;
}

/**
 * Notes in the order of the text (a stable sort; those without a place last). Composing says a document's notes as
 * it reads on, some before the previous document's errors: by position, a whole read and a read in parts
 * (references/incremental.ts) say them in the same order.
 */
function byPosition(notes: FileNote[]): FileNote[] {
  const compare = (a: FileNote, b: FileNote): number => {
    if (a.range === undefined || b.range === undefined) return (a.range ? 0 : 1) - (b.range ? 0 : 1);
    return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
  };
  return notes
    .map((note, i) => [note, i] as const)
    .sort(([a, i], [b, j]) => compare(a, b) || i - j)
    .map(([note]) => note);
}

/**
 * Parser.parse, but one document takes at most MAX_DOCUMENT_TOKENS lexical tokens: past that the parser's tree is
 * closed as it stands (the document's start is still read), and parsing starts again at the next document marker.
 */
function* parseBounded(source: string, index: LineIndex, notes: FileNote[]): Generator<CST.Token> {
  let from = 0;
  for (;;) {
    const parser = new Parser();
    parser.offset = from;
    let tokens = 0;
    let cut = -1;
    for (const lexeme of new Lexer().lex(from === 0 ? source : source.slice(from))) {
      if (CST.tokenType(lexeme) === 'doc-start') tokens = 0;
      else if (++tokens > MAX_DOCUMENT_TOKENS) {
        cut = parser.offset;
        break;
      }
      yield* parser.next(lexeme);
    }
    yield* parser.end();
    if (cut < 0) return;
    from = nextDocumentMarker(source, cut);
    const at = index.positionAt(cut);
    const upTo = from < 0 ? 'the end of the file' : `the next document (line ${index.positionAt(from).line + 1})`;
    notes.push({
      severity: 'warning',
      message: `${TOO_COMPLEX}this YAML document has more than ${count(MAX_DOCUMENT_TOKENS)} tokens; from line ${at.line + 1}, column ${at.character + 1} to ${upTo} it was not read`,
      range: { start: at, end: at },
    });
    if (from < 0) return;
  }
}

/** Offset of the first document marker (`---` or `...`) starting a line after `from`, or -1. */
function nextDocumentMarker(source: string, from: number): number {
  for (let at = source.indexOf('\n', from); at >= 0; at = source.indexOf('\n', at + 1)) {
    if (isDocumentMarker(source, at + 1)) return at + 1;
  }
  return -1;
}

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;
const isCollection = (token: CST.Token | null | undefined): token is Collection =>
  token?.type === 'block-map' || token?.type === 'block-seq' || token?.type === 'flow-collection';
/** What the composer reads past without an error. */
const isTrivia = (token: CST.Token): boolean =>
  token.type === 'space' || token.type === 'comment' || token.type === 'newline';

/**
 * One iterative pass over a document's tree before it is composed: a collection nested MAX_NESTING deep is cut
 * (its parent item left empty), and in every list of tokens past MAX_TOKEN_PROPS non-blank ones, the rest are out
 * of place: counted in `strays`, and dropped once the document has more than MAX_STRAY_TOKENS. Says whether it cut.
 */
function trimDocument(doc: CST.Document, strays: Strays): boolean {
  const trim = (tokens: CST.Token[] | undefined): void => {
    if (tokens === undefined || tokens.length <= MAX_TOKEN_PROPS) return;
    let others = 0;
    let kept = 0;
    for (const token of tokens) {
      if (isTrivia(token) || ++others <= MAX_TOKEN_PROPS || keptStray(strays, token.offset)) tokens[kept++] = token;
    }
    tokens.length = kept;
  };
  trim(doc.start);
  trim(doc.end);
  let cut = false;
  const stack: Array<[CST.Token | null | undefined, number]> = [[doc.value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [token, depth] = top;
    if (!token) continue;
    if (token.type === 'block-scalar') trim(token.props);
    else if ('end' in token) trim(token.end);
    if (!isCollection(token)) continue;
    for (const item of token.items as Array<{
      start: CST.Token[];
      sep?: CST.Token[];
      key?: CST.Token | null;
      value?: CST.Token;
    }>) {
      trim(item.start);
      trim(item.sep);
      if (isCollection(item.key) && depth + 1 >= MAX_NESTING) {
        item.key = null;
        cut = true;
      }
      if (isCollection(item.value) && depth + 1 >= MAX_NESTING) {
        delete item.value;
        cut = true;
      }
      if (item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
  return cut;
}

/**
 * A document that nests too deep: cut at MAX_NESTING (trimDocument), or not read from the line `skippedFrom`
 * starts on (blankRunawayNesting).
 */
function tooDeepNote(offset: number, index: LineIndex, skippedFrom?: number): FileNote {
  const line = index.positionAt(offset).line + 1;
  const start = index.positionAt(skippedFrom ?? offset);
  const what =
    skippedFrom === undefined ? 'what is deeper was not read' : `from line ${start.line + 1} on it was not read`;
  return {
    severity: 'warning',
    message: `${TOO_COMPLEX}the YAML document at line ${line} nests collections more than ${MAX_NESTING} levels deep; ${what}`,
    range: { start, end: start },
  };
}

function errorNote(message: string, pos: readonly [number, number], index: LineIndex): FileNote {
  const range = index.rangeOf(pos[0], Math.max(pos[0], pos[1]));
  const where = `line ${range.start.line + 1}, column ${range.start.character + 1}`;
  return { severity: 'error', message: `YAML syntax error at ${where}: ${message.split('\n')[0]}`, range };
}

const isLineBreak = (code: number): boolean => code === 10 || code === 13;

/** Editors (and LineIndex) end a line at a lone CR; the yaml parser does not. Same length, so offsets hold. */
function loneCrAsLf(text: string): string {
  return /\r(?!\n)/.test(text) ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/**
 * The parser keeps its own stack in memory and unwinds block collections recursively, so megabytes of `[[[[`
 * exhaust memory and a few thousand levels of `- - -` or indentation overflow the call stack, before any document
 * exists to check. Before parsing, any document whose raw nesting passes MAX_RAW_BRACKETS open brackets or
 * MAX_RAW_INDENT columns of leading indentation and indicators is blanked: its characters become spaces, line
 * breaks and offsets stay, and a note says so. Quotes are not tracked: no real file comes near either limit.
 */
function blankRunawayNesting(text: string, index: LineIndex, notes: FileNote[]): string {
  const runaway: Array<[document: number, start: number, end: number]> = [];
  let docStart = 0;
  let lineStart = 0;
  let depth = 0;
  /** Start of the line on which the document first passed a limit: the lines above it are still read. */
  let flaggedAt = -1;
  const flag = (): void => {
    if (flaggedAt < 0) flaggedAt = lineStart;
  };
  const endDocument = (end: number): void => {
    if (flaggedAt >= 0) runaway.push([docStart, flaggedAt, end]);
    docStart = end;
    depth = 0;
    flaggedAt = -1;
  };
  for (let i = 0; i < text.length; i++) {
    if (i === 0 || isLineBreak(text.charCodeAt(i - 1))) {
      lineStart = i;
      if (i > 0 && isDocumentMarker(text, i)) endDocument(i);
      if (indentRun(text, i) > MAX_RAW_INDENT) flag();
    }
    const code = text.charCodeAt(i);
    if (code === 91 || code === 123) {
      if (++depth > MAX_RAW_BRACKETS) flag();
    } else if ((code === 93 || code === 125) && depth > 0) depth--;
  }
  endDocument(text.length);
  if (runaway.length === 0) return text;
  let out = '';
  let from = 0;
  for (const [document, start, end] of runaway) {
    notes.push(tooDeepNote(document, index, start));
    out += text.slice(from, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ');
    from = end;
  }
  return out + text.slice(from);
}

const isBlank = (c: string): boolean => c === ' ' || c === '\t';

/** Length of the indentation and compact indicators (`- `, `? `, `: `) that start the line at `at`. */
function indentRun(text: string, at: number): number {
  let i = at;
  for (;;) {
    const c = text.charAt(i);
    if (isBlank(c)) i++;
    else if ((c === '-' || c === '?' || c === ':') && isBlank(text.charAt(i + 1))) i += 2;
    else return i - at;
  }
}

function isDocumentMarker(text: string, at: number): boolean {
  const marker = text.slice(at, at + 3);
  if (marker !== '---' && marker !== '...') return false;
  const next = text.charAt(at + 3);
  return next === '' || next === ' ' || next === '\t' || next === '\n' || next === '\r';
}

/**
 * JSON with comments (devcontainer.json): YAML reads JSON, but not `//` or block comments. When the text is a JSON
 * object, comments outside strings are blanked to spaces (line breaks kept), so offsets and ranges do not move.
 */
export function blankJsonComments(text: string): string {
  if ((!text.includes('//') && !text.includes('/*')) || !startsWithJsonObject(text)) return text;
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '"') {
      for (i++; i < text.length && text.charAt(i) !== '"' && !isLineBreak(text.charCodeAt(i)); i++) {
        if (text.charAt(i) === '\\') i++;
      }
      i++;
    } else if (c === '/' && (text.charAt(i + 1) === '/' || text.charAt(i + 1) === '*')) {
      const block = text.charAt(i + 1) === '*';
      let end = block ? text.indexOf('*/', i + 2) : i;
      if (block) end = end < 0 ? text.length : end + 2;
      else while (end < text.length && !isLineBreak(text.charCodeAt(end))) end++;
      out += text.slice(from, i) + text.slice(i, end).replace(/[^\r\n]/g, ' ');
      from = i = end;
    } else i++;
  }
  return out + text.slice(from);
}

/** `{` after white space and comments. A loop, not a regular expression: `(//[^\n]*)*` backtracks exponentially. */
function startsWithJsonObject(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text.charAt(i))) i++;
    else if (text.startsWith('//', i)) {
      while (i < text.length && !isLineBreak(text.charCodeAt(i))) i++;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return false;
      i = close + 2;
    } else return text.charAt(i) === '{';
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Navigation: the DocumentApi kind modules see

type Anchored = { offset: number; node: YamlNode };

class DocumentView implements DocumentApi {
  private anchors: Map<string, Anchored[]> | undefined;
  /** Merge keys can fan out (`<<: [*a, *b]`, each merging more); each (mapping, key) is looked up once. */
  private readonly found = new WeakMap<YAMLMap, Map<string, YamlNode | undefined>>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly sink: ReferenceSink,
  ) {}

  resolve(node: unknown): YamlNode | undefined {
    const target = isAlias(node) ? this.target(node) : node;
    return isScalar(target) || isMap(target) || isSeq(target) ? target : undefined;
  }

  get(node: YamlNode | undefined, key: string): YamlNode | undefined {
    return isMap(node) ? this.lookup(node, key, new Set(), 0) : undefined;
  }

  private lookup(map: YAMLMap, key: string, seen: Set<YAMLMap>, depth: number): YamlNode | undefined {
    if (seen.has(map) || depth > MAX_MERGE_DEPTH) return undefined;
    seen.add(map);
    let memo = this.found.get(map);
    if (memo?.has(key)) return memo.get(key);
    let own: { value: unknown } | undefined;
    for (const pair of map.items) if (keyOf(pair.key) === key) own = pair;
    let result: YamlNode | undefined;
    if (own) result = this.resolve(own.value);
    else {
      for (const source of this.mergeSources(map)) {
        result = this.lookup(source, key, seen, depth + 1);
        if (result !== undefined) break;
      }
    }
    if (!memo) this.found.set(map, (memo = new Map()));
    memo.set(key, result);
    return result;
  }

  entries(node: YamlNode | undefined): Array<readonly [string, YamlNode]> {
    if (!isMap(node)) return [];
    const out: Array<readonly [string, YamlNode]> = [];
    this.collect(node, out, new Set(), new Set(), 0);
    return out;
  }

  private collect(
    map: YAMLMap,
    out: Array<readonly [string, YamlNode]>,
    keys: Set<string>,
    seen: Set<YAMLMap>,
    depth: number,
  ): void {
    if (seen.has(map) || depth > MAX_MERGE_DEPTH) return;
    seen.add(map);
    const merged = depth > 0;
    const own: string[] = [];
    for (const pair of map.items) {
      const key = keyOf(pair.key);
      if (key === undefined || isMergeKey(pair.key) || (merged && keys.has(key))) continue;
      const value = this.resolve(pair.value);
      if (value !== undefined) out.push([key, value]);
      own.push(key);
    }
    for (const key of own) keys.add(key);
    for (const source of this.mergeSources(map)) this.collect(source, out, keys, seen, depth + 1);
  }

  private *mergeSources(map: YAMLMap): Generator<YAMLMap> {
    for (const pair of map.items) {
      if (!isMergeKey(pair.key)) continue;
      const value = this.resolve(pair.value);
      if (isMap(value)) yield value;
      else if (isSeq(value)) {
        for (const item of value.items) {
          const source = this.resolve(item);
          if (isMap(source)) yield source;
        }
      }
    }
  }

  items(node: YamlNode | undefined): YamlNode[] {
    if (!isSeq(node)) return [];
    const out: YamlNode[] = [];
    for (const item of node.items) {
      const value = this.resolve(item);
      if (value !== undefined) out.push(value);
    }
    return out;
  }

  text(node: YamlNode | undefined): string | undefined {
    if (!isScalar(node) || node.value === null) return undefined;
    return typeof node.source === 'string' ? node.source : String(node.value);
  }

  *maps(node: YamlNode | undefined): Generator<MapVisit> {
    const seen = new Set<YamlNode>();
    const stack: Array<[YamlNode | undefined, string | undefined]> = [[node, undefined]];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      const [current, key] = top;
      if (current === undefined || isScalar(current) || seen.has(current)) continue;
      seen.add(current);
      const children: Array<[YamlNode | undefined, string | undefined]> = [];
      if (isMap(current)) {
        yield { map: current, key };
        for (const pair of current.items) children.push([this.resolve(pair.value), keyOf(pair.key)]);
      } else {
        for (const item of current.items) children.push([this.resolve(item), key]);
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }

  line(node: YamlNode): number {
    return this.sink.index.positionAt(node.range?.[0] ?? 0).line + 1;
  }

  report(
    node: YamlNode | undefined,
    source: ReferenceSource,
    context: ReferenceContext,
    options: ReportOptions = {},
  ): ImageReference | undefined {
    return isScalar(node) ? this.sink.report(node, source, context, options) : undefined;
  }

  reportSplit(
    anchor: YamlNode | undefined,
    split: SplitReport,
    source: ReferenceSource,
    context: ReferenceContext,
  ): ImageReference | undefined {
    return isScalar(anchor) ? this.sink.reportSplit(anchor, split, source, context) : undefined;
  }

  part(node: YamlNode | undefined): ReferencePart | undefined {
    return isScalar(node) ? this.sink.part(node) : undefined;
  }

  keyStart(map: YamlNode | undefined, key: string): Position | undefined {
    if (!isMap(map)) return undefined;
    let found: Scalar | undefined;
    for (const pair of map.items) if (keyOf(pair.key) === key && isScalar(pair.key)) found = pair.key;
    return found?.range ? this.sink.index.positionAt(found.range[0]) : undefined;
  }

  lineEnd(line: number): Position {
    return this.sink.lineEnd(line);
  }

  lineText(line: number): string {
    return this.sink.lineText(line);
  }

  nextLine(line: number): string | undefined {
    return this.sink.nextLine(line);
  }

  endOf(node: YamlNode): Position | undefined {
    return node.range ? this.sink.index.positionAt(node.range[1]) : undefined;
  }

  eolAfter(line: number): string {
    return this.sink.eolAfter(line);
  }

  /** The node an alias names: the last anchor of that name before it. Anchors are indexed once per document. */
  private target(alias: Alias): unknown {
    this.anchors ??= this.indexAnchors();
    const candidates = this.anchors.get(alias.source);
    if (!candidates) return undefined;
    // Binary search for the last anchor before the alias: a file may redefine one name many times.
    const at = alias.range?.[0] ?? Number.POSITIVE_INFINITY;
    let low = 0;
    let high = candidates.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (candidates[middle]!.offset < at) low = middle + 1;
      else high = middle;
    }
    return candidates[low - 1]?.node;
  }

  private indexAnchors(): Map<string, Anchored[]> {
    const anchors = new Map<string, Anchored[]>();
    const stack: unknown[] = [this.doc.contents];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (!(isScalar(node) || isMap(node) || isSeq(node))) continue;
      if (node.anchor) {
        const list = anchors.get(node.anchor) ?? [];
        list.push({ offset: node.range?.[0] ?? 0, node });
        anchors.set(node.anchor, list);
      }
      if (isMap(node)) for (const pair of node.items) stack.push(pair.key, pair.value);
      // A loop, not push(...items): spreading a sequence of 130,000 items overflows the call stack.
      else if (isSeq(node)) for (const item of node.items) stack.push(item);
    }
    for (const list of anchors.values()) list.sort((a, b) => a.offset - b.offset);
    return anchors;
  }
}

function keyOf(key: unknown): string | undefined {
  if (!isScalar(key) || key.value === null) return undefined;
  return typeof key.source === 'string' ? key.source : String(key.value);
}

/** `<<` written plain (a quoted '<<' is an ordinary key), whatever the YAML version says about merge keys. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.source === '<<' && (key.type === 'PLAIN' || key.type === undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting: exact ranges per scalar style

interface Written {
  start: number;
  end: number;
  /** The characters between start and end. */
  raw: string;
  /** Why those characters are not the scalar's value (escapes, folding), or undefined when they are. */
  problem?: string;
}

class ReferenceSink {
  private readonly reported = new Map<Scalar, ImageReference>();
  private readonly references: ImageReference[] = [];
  private lines: string[] | undefined;

  constructor(
    private readonly text: string,
    readonly index: LineIndex,
  ) {}

  report(
    node: Scalar,
    source: ReferenceSource,
    context: ReferenceContext,
    options: ReportOptions,
  ): ImageReference | undefined {
    const previous = this.reported.get(node);
    if (previous) return previous;
    if (node.value === null || !node.range) return undefined;
    const written = this.written(node);
    if (!written) return undefined;
    let { start, raw } = written;
    if (options.prefix !== undefined && raw.startsWith(options.prefix)) {
      start += options.prefix.length;
      raw = raw.slice(options.prefix.length);
    }
    if (raw.trim() === '') return undefined;
    const range = this.index.rangeOf(start, written.end);
    this.lines ??= splitLines(this.text);
    let ref = buildReference(raw, range, source, context, {
      platform: options.platform,
      localBuild: options.localBuild,
      variable: options.variable,
      ignored: isIgnoredAt(this.lines, range.start.line - this.index.firstLine),
    });
    if (ref.status !== 'variable' && written.problem !== undefined) ref = asInvalid(ref, written.problem);
    this.reported.set(node, ref);
    this.references.push(ref);
    return ref;
  }

  reportSplit(
    anchor: Scalar,
    split: SplitReport,
    source: ReferenceSource,
    context: ReferenceContext,
  ): ImageReference | undefined {
    const previous = this.reported.get(anchor);
    if (previous) return previous;
    const part = this.part(anchor);
    if (part === undefined || part.text.trim() === '') return undefined;
    const lines = (this.lines ??= splitLines(this.text));
    const ignored = [part.range.start.line, ...(split.ignoreLines ?? [])].some((line) =>
      isIgnoredAt(lines, line - this.index.firstLine),
    );
    const ref = buildSplitReference({ ...split, anchor: part }, source, context, {
      ignored,
      ...(split.variable !== undefined ? { variable: split.variable } : {}),
    });
    this.reported.set(anchor, ref);
    this.references.push(ref);
    return ref;
  }

  /** Where a scalar's value is written, when its characters are its value (no escapes, one line). */
  part(node: Scalar): ReferencePart | undefined {
    if (node.value === null || !node.range) return undefined;
    const written = this.written(node);
    if (!written || written.problem !== undefined) return undefined;
    return { text: ownCopy(written.raw), range: this.index.rangeOf(written.start, written.end) };
  }

  lineEnd(line: number): Position {
    return { line, character: this.lineText(line).length };
  }

  lineText(line: number): string {
    const lines = (this.lines ??= splitLines(this.text));
    return lines[line - this.index.firstLine] ?? '';
  }

  nextLine(line: number): string | undefined {
    const lines = (this.lines ??= splitLines(this.text));
    for (let i = line - this.index.firstLine + 1; i < lines.length; i++) if (lines[i]!.trim() !== '') return lines[i];
    return undefined;
  }

  eolAfter(line: number): string {
    // Its own line's break, not the file's first: a file of mixed line ends reads the same whole and in parts.
    for (const at of [line, line - 1]) {
      if (at < this.index.firstLine) break;
      const end = this.index.offsetAt(this.lineEnd(at));
      const eol = /^(?:\r\n|\n|\r)/.exec(this.text.slice(end, end + 2))?.[0];
      if (eol !== undefined) return eol;
    }
    return '\n';
  }

  /** The references in file order, in an array of their own length (one grown by push holds 17 slots or more). */
  sorted(): ImageReference[] {
    return this.references
      .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)
      .slice();
  }

  /** Where the value is written, without quotes; for a block scalar, its content line. */
  private written(node: Scalar): Written | undefined {
    const [start, end] = node.range!;
    const value = typeof node.source === 'string' ? node.source : String(node.value);
    switch (node.type) {
      case 'QUOTE_DOUBLE':
      case 'QUOTE_SINGLE': {
        const quote = node.type === 'QUOTE_DOUBLE' ? '"' : "'";
        const closed = end - start >= 2 && this.text.charAt(end - 1) === quote;
        const raw = closed ? this.text.slice(start + 1, end - 1) : this.text.slice(start + 1, end).trimEnd();
        const problem = !closed
          ? 'the closing quote is missing'
          : raw === value
            ? undefined
            : quotedProblem(raw, quote);
        return { start: start + 1, end: start + 1 + raw.length, raw, problem };
      }
      case 'BLOCK_FOLDED':
      case 'BLOCK_LITERAL':
        return this.blockContent(start, end, value);
      default: {
        const raw = this.text.slice(start, end);
        return { start, end, raw, problem: raw === value ? undefined : spansLines(raw) };
      }
    }
  }

  /** A block scalar's value as written: one content line after the header (`|`, `>-` …), or the span it folds. */
  private blockContent(start: number, end: number, value: string): Written | undefined {
    const content = value.replace(/\n+$/, '');
    if (content.trim() === '') return undefined;
    let body = start;
    while (body < end && !isLineBreak(this.text.charCodeAt(body))) body++;
    if (!content.includes('\n')) {
      const at = this.text.indexOf(content, body);
      if (at >= 0 && at + content.length <= end) return { start: at, end: at + content.length, raw: content };
    }
    // Written over several lines: report the whole span so nothing tempts an edit, and say why it cannot be pinned.
    while (body < end && /\s/.test(this.text.charAt(body))) body++;
    let last = end;
    while (last > body && /\s/.test(this.text.charAt(last - 1))) last--;
    return {
      start: body,
      end: last,
      raw: this.text.slice(body, last),
      problem: 'the image reference is written over more than one line',
    };
  }
}

function quotedProblem(raw: string, quote: string): string {
  if (/[\r\n]/.test(raw)) return 'the image reference is written over more than one line';
  if (quote === "'") return `'${raw}' contains an escaped quote (''); an image reference cannot contain quotes`;
  const escape = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/.exec(raw)?.[0] ?? '\\';
  return `'${raw}' is written with the escape sequence '${escape}'; write the image reference literally so it can be checked and pinned`;
}

function spansLines(raw: string): string {
  return /[\r\n]/.test(raw)
    ? 'the image reference is written over more than one line'
    : `'${raw}' is not written as its value`;
}
