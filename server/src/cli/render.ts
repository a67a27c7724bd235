// `digest-pin render [--lock FILE] FILE…`: the files as `pin` would write them with the locked digests (the same
// minimal edits: features/edits.ts pinEdit), printed (one file) or written under `--out DIR` (mirroring their paths);
// the files themselves are not touched and no registry is asked. `--format build-contexts` prints instead, for
// Dockerfiles, the BuildKit arguments that make a build use the locked images without rewriting the file:
// `--build-context python:3.12=docker-image://python:3.12@sha256:…`, one per line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pinEdit, type TextEdit } from '../features/edits';
import { refusalReason } from '../features/pinTarget';
import type { LockState } from '../lock/state';
import { familiarName } from '../references/imageRef';
import { referenceText } from '../references/reference';
import type { ImageReference } from '../references/types';
import { PRODUCT_NAME } from '../shared/product';
import type { RenderArgs } from './args';
import { readFiles, type ReadFile } from './check';
import { checkLocks } from './locks';
import { rewrite } from './pin';
import { humanPosition } from './output/text';
import type { WalkResult } from './walk';

export interface RenderIo {
  cwd: string;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export interface RenderedFile {
  file: ReadFile;
  edits: TextEdit[];
  /** References that should have had a locked digest and did not: `file:line:col: why`. */
  problems: string[];
}

/** The edits that apply a lock to one file's references, and what could not be applied. */
export function renderEdits(
  file: ReadFile,
  states: ReadonlyMap<ImageReference, LockState>,
  hasLock: boolean,
): RenderedFile {
  const rendered: RenderedFile = { file, edits: [], problems: [] };
  const where = (ref: ImageReference): string => `${file.walked.file}:${humanPosition(ref.range.start)}`;
  for (const ref of file.references) {
    const state = states.get(ref);
    if (state === undefined) {
      if (!hasLock && ref.status === 'unpinned' && !ref.ignored && !ref.localBuild)
        rendered.problems.push(`${where(ref)}: ${referenceText(ref)} is not locked: no lock file applies to this file`);
      continue;
    }
    if (state.kind === 'not-locked') {
      rendered.problems.push(
        `${where(ref)}: ${referenceText(ref)} is not locked: ${state.lock} has no entry for ${state.key}`,
      );
      continue;
    }
    const edit = pinEdit(ref, state.digest);
    if (edit.ok) rendered.edits.push(edit.edit);
    else {
      const reason = refusalReason(edit.reason, edit.detail);
      if (reason !== null) rendered.problems.push(`${where(ref)}: could not render ${referenceText(ref)}: ${reason}`);
    }
  }
  return rendered;
}

/** Where a Dockerfile reference is a name BuildKit resolves through a named context: `FROM`, `--from=`. */
const BUILD_CONTEXTS = new Set(['from', 'copy-from', 'mount-from']);

/**
 * `--build-context NAME=docker-image://NAME@digest` for a locked Dockerfile reference, or null. NAME is the image as
 * BuildKit names contexts (buildx ParseContextNames, dockerui NamedContext): the familiar form of the normalised
 * reference with `:latest` trimmed — `python:3.12`, `ghcr.io/org/app:1`, `alpine` — which is also what a FROM line
 * naming the same image resolves to, however it is written.
 */
export function buildContextArgument(ref: ImageReference, state: LockState | undefined): string | null {
  if (state?.kind !== 'locked' || ref.source !== 'dockerfile' || !BUILD_CONTEXTS.has(ref.context) || ref.name === null)
    return null;
  const name = familiarName(ref.name) + (ref.tag === null || ref.tag === 'latest' ? '' : `:${ref.tag}`);
  const image = `${familiarName(ref.name)}:${ref.tag ?? 'latest'}@${state.digest}`;
  return `--build-context ${name}=docker-image://${image}`;
}

export async function renderCommand(
  args: RenderArgs,
  io: RenderIo,
  walk: (paths: readonly string[], io: RenderIo) => WalkResult | null,
): Promise<0 | 1 | 2> {
  const walked = walk(args.paths, io);
  if (walked === null) return 2;
  const read = readFiles(walked.files, { problems: walked.problems, keepBytes: true });
  if (args.format === 'files' && args.out === null && read.files.length > 1) {
    io.stderr.write(`${PRODUCT_NAME}: ${read.files.length} files to render: name one, or give --out DIR\n`);
    return 2;
  }
  const locks = checkLocks(read, { lockFile: args.lockFile, noLock: false, platform: args.platform }, io.cwd);
  const errors = [...read.failures, ...locks.failures].map((failure) => `${failure.file}: ${failure.message}`);
  const withLock = new Set(
    read.files.filter((file) => file.references.some((ref) => locks.states.has(ref))).map((file) => file.walked.path),
  );
  const broken = locks.failures.length > 0;
  let out = '';
  const seen = new Set<string>();
  for (const file of read.files) {
    const rendered = renderEdits(file, locks.states, withLock.has(file.walked.path) || broken);
    errors.push(...rendered.problems);
    if (args.format === 'build-contexts') {
      for (const ref of file.references) {
        const line = buildContextArgument(ref, locks.states.get(ref));
        if (line !== null && !seen.has(line)) out += `${line}\n`;
        if (line !== null) seen.add(line);
      }
      continue;
    }
    const outcome = rewrite({ read: file, edits: rendered.edits, changes: [] });
    if (!outcome.ok) errors.push(`${file.walked.file}: ${outcome.message}`);
    else if (args.out === null) out += outcome.after;
    else {
      const problem = writeUnder(resolve(io.cwd, args.out), file.walked.file, outcome.after);
      if (problem !== null) errors.push(`${file.walked.file}: ${problem}`);
    }
  }
  for (const line of errors) io.stderr.write(`${PRODUCT_NAME}: ${line}\n`);
  io.stdout.write(out);
  return errors.length > 0 ? 1 : 0;
}

/** Writes a rendered file at its path (relative to the working directory) under `out`; null, or why not. */
function writeUnder(out: string, file: string, text: string): string | null {
  if (file.startsWith('../') || file === '..' || isAbsolute(file))
    return 'outside the working directory, so it has no place under --out; render it on its own';
  const target = join(out, file);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    return null;
  } catch (error) {
    return `could not write ${target}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
