// devcontainer.json (the Dev Containers spec): JSON with comments and trailing commas, read with Microsoft's
// jsonc-parser — the parser VS Code and the devcontainers CLI read these files with — for exact offsets.
//
// References: the top-level `image` (context `image`), and each key of the top-level `features` object that the
// devcontainers CLI fetches as an OCI artifact (context `feature`; a Feature is a manifest with a tar layer, looked up
// through the same registry API as an image). Decided as the CLI decides (devcontainers/cli
// src/spec-configuration/containerFeaturesConfiguration.ts getFeatureIdType, containerCollectionsOCI.ts getRef and
// fetchOCIManifestIfExists):
// - `./x`, `../x`, `/x`: a Feature on disk; `https://…/devcontainer-feature-x.tgz`: a tarball. Not references.
// - no `/` (`node`, `docker-in-docker`): a legacy short id. The CLI maps a few of them to
//   `ghcr.io/devcontainers/features/<id>:1` behind the scenes and refuses the rest; either way nothing in the file
//   names a registry, and `node@sha256:…` would no longer be mapped (it would fail as a legacy id). Not references.
// - a first component without a `.` that is not `localhost…` (`owner/repo/feature@v1`): the CLI never asks a
//   registry there (it falls back to GitHub releases). Not references.
// - `name:tag@sha256:…`: the CLI cuts at the `@` and refuses `name:tag` as a path, so it is reported as invalid, as
//   is a digest other than sha256 (the only algorithm the CLI accepts). Features are pinned as `name@sha256:…`.
// `dockerComposeFile` + `service` name compose files (read as compose files themselves), `build.dockerfile` a
// Dockerfile: not references here.
//
// Duplicate keys: the last one wins, as JSON.parse and jsonc-parser's parse (which the CLI uses) decide. A string
// whose written characters are not its value (a JSON escape such as `\/` or `\u002f`) is reported where it is
// written, with status invalid and the reason: a pin edits characters in place. `// digest-pin: ignore` (or a block
// comment saying it) on the reference's line, or alone on the line above, marks it ignored.
import { createScanner, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex } from './positions';
import { asInvalid, buildReference } from './reference';
import type { FileNote, ImageReference, ReferenceContext } from './types';

const SOURCE = 'devcontainer';
/** Deeper than this, parsing (recursive in jsonc-parser) could near the stack limit; no real file comes close. */
export const MAX_JSON_NESTING = 256;
/** A broken file can yield hundreds of errors; the first few say what is wrong. */
const MAX_ERROR_NOTES = 5;

// jsonc-parser's SyntaxKind values (a const enum, which isolatedModules cannot read from a declaration file).
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const EOF = 17;

/** A comment that says `digest-pin: ignore` first thing: `// digest-pin: ignore …` or a block comment. */
const IGNORE = /^\/[/*]\s*digest-pin:\s*ignore\b/;

export interface DevcontainerResult {
  references: ImageReference[];
  notes: FileNote[];
}

export function extractDevcontainer(text: string): DevcontainerResult {
  const index = new LineIndex(text);
  const notes: FileNote[] = [];
  try {
    const scanned = scan(text, index);
    if (scanned.tooDeep !== undefined) {
      const start = index.positionAt(scanned.tooDeep);
      notes.push({
        severity: 'warning',
        message: `skipped: this JSON nests objects and arrays more than ${MAX_JSON_NESTING} levels deep (line ${start.line + 1})`,
        range: { start, end: start },
      });
      return { references: [], notes };
    }
    const errors: ParseError[] = [];
    const root = parseTree(text, errors, {
      allowTrailingComma: true,
      disallowComments: false,
      allowEmptyContent: true,
    });
    for (const error of errors.slice(0, MAX_ERROR_NOTES)) notes.push(errorNote(error, index));
    if (errors.length > MAX_ERROR_NOTES) {
      notes.push({ severity: 'error', message: `${errors.length - MAX_ERROR_NOTES} more JSON errors not shown` });
    }
    const references = root?.type === 'object' ? read(root, text, index, scanned.ignoredLines) : [];
    return { references, notes };
  } catch (error) {
    // Defensive: jsonc-parser reports problems as values, but a bug must not take the server down.
    notes.push({
      severity: 'error',
      message: `could not read this JSON file: ${error instanceof Error ? error.message : String(error)}`,
    });
    return { references: [], notes };
  }
}

/** The references of the top-level object: its last `image` and the keys of its last `features` that are OCI ids. */
function read(root: Node, text: string, index: LineIndex, ignoredLines: ReadonlySet<number>): ImageReference[] {
  const properties = lastByKey(root);
  const references: ImageReference[] = [];
  const report = (node: Node, context: ReferenceContext): void => {
    const ref = reference(node, context, text, index, ignoredLines);
    if (ref !== undefined) references.push(ref);
  };
  const image = properties.get('image')?.children?.[1];
  if (image?.type === 'string') report(image, 'image');
  const features = properties.get('features')?.children?.[1];
  if (features?.type === 'object') {
    for (const property of lastByKey(features).values()) {
      const key = property.children?.[0];
      if (key?.type === 'string' && typeof key.value === 'string' && isOciFeatureId(key.value)) report(key, 'feature');
    }
  }
  return references.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}

/** The properties of an object by key, the last of each key only (as JSON.parse reads duplicates), in file order. */
function lastByKey(object: Node): Map<string, Node> {
  const last = new Map<string, Node>();
  for (const property of object.children ?? []) {
    const key = property.children?.[0];
    if (property.type !== 'property' || key?.type !== 'string' || typeof key.value !== 'string') continue;
    last.delete(key.value);
    last.set(key.value, property);
  }
  return last;
}

/**
 * Whether the devcontainers CLI fetches a Feature id from an OCI registry (see the top of this file): not a path, not
 * a URL, not a legacy short id, and its first component is a registry host as the CLI tells one (a `.`, or
 * `localhost`).
 */
export function isOciFeatureId(id: string): boolean {
  if (id.startsWith('.') || id.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(id)) return false;
  const slash = id.indexOf('/');
  if (slash < 0) return false;
  const registry = id.slice(0, slash).toLowerCase();
  return registry.includes('.') || registry.startsWith('localhost');
}

/** The reference a string node holds: its characters inside the quotes, exactly. */
function reference(
  node: Node,
  context: ReferenceContext,
  text: string,
  index: LineIndex,
  ignoredLines: ReadonlySet<number>,
): ImageReference | undefined {
  const value = typeof node.value === 'string' ? node.value : '';
  const start = node.offset + 1;
  const closed = node.length >= 2 && text.charAt(node.offset + node.length - 1) === '"';
  const raw = closed
    ? text.slice(start, node.offset + node.length - 1)
    : text.slice(start, node.offset + node.length).trimEnd();
  if (raw.trim() === '' || value.trim() === '') return undefined;
  const range = index.rangeOf(start, start + raw.length);
  let ref = buildReference(raw, range, SOURCE, context, { ignored: ignoredLines.has(range.start.line) });
  const problem = !closed ? 'the closing quote is missing' : raw === value ? undefined : escapeProblem(raw);
  if (ref.status !== 'variable' && problem !== undefined) return asInvalid(ref, problem);
  if (context === 'feature' && ref.status === 'pinned') {
    const digest = ref.digest ?? '';
    if (ref.tag !== null) {
      const name = raw.slice(0, raw.lastIndexOf('@') - ref.tag.length - 1);
      ref = asInvalid(
        ref,
        `a feature id takes a tag or a digest, not both (the devcontainers CLI refuses '${raw}'); write ${name}@${digest}`,
      );
    } else if (!digest.startsWith('sha256:')) {
      ref = asInvalid(ref, `the devcontainers CLI accepts only sha256 digests in a feature id`);
    }
  }
  return ref;
}

function escapeProblem(raw: string): string {
  const escape = /\\(?:u[0-9a-fA-F]{4}|.)/.exec(raw)?.[0] ?? '\\';
  return `'${raw}' is written with the escape sequence '${escape}'; write it literally so it can be checked and pinned`;
}

function errorNote(error: ParseError, index: LineIndex): FileNote {
  const range = index.rangeOf(error.offset, error.offset + error.length);
  const words = printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return {
    severity: 'error',
    message: `JSON syntax error at line ${range.start.line + 1}, column ${range.start.character + 1}: ${words}`,
    range,
  };
}

/**
 * One pass of jsonc-parser's scanner (iterative, so hostile nesting cannot overflow the stack here): where the nesting
 * first passes MAX_JSON_NESTING, and the lines `digest-pin: ignore` comments mark — the comment's own lines, and the
 * line after a comment that stands alone on its line(s).
 */
function scan(text: string, index: LineIndex): { tooDeep?: number; ignoredLines: Set<number> } {
  const ignoredLines = new Set<number>();
  const scanner = createScanner(text, false);
  let depth = 0;
  for (let kind: number = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
      if (++depth > MAX_JSON_NESTING) return { tooDeep: scanner.getTokenOffset(), ignoredLines };
    } else if ((kind === CLOSE_BRACE || kind === CLOSE_BRACKET) && depth > 0) depth--;
    else if (kind === LINE_COMMENT || kind === BLOCK_COMMENT) {
      const offset = scanner.getTokenOffset();
      const end = offset + scanner.getTokenLength();
      if (!IGNORE.test(text.slice(offset, end))) continue;
      const first = index.positionAt(offset);
      const last = index.positionAt(end);
      for (let line = first.line; line <= last.line; line++) ignoredLines.add(line);
      const before = text.slice(index.offsetAt({ line: first.line, character: 0 }), offset);
      const after = kind === LINE_COMMENT ? '' : text.slice(end, index.offsetAt({ line: last.line + 1, character: 0 }));
      if (before.trim() === '' && after.trim() === '') ignoredLines.add(last.line + 1);
    }
  }
  return { ignoredLines };
}
