// `digest-pin lock [--update] [PATH…]`: the digests of every unpinned reference the files use, recorded in the lock
// file that applies to them (created as `digest-pin.lock` here, or `--lock FILE`). The files are not touched.
// Existing entries keep their digest; `--update` moves those whose tag has moved on (or whose digest is gone); an
// entry no reference uses is removed when the lock's own directory was walked. lock/merge.ts decides, this module
// asks the registry, writes the lock files and words what changed (formatLockText; the data is LockRun).
import { statSync, writeFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { mayPrune } from '../lock/discover';
import { lockKey, serialiseLock } from '../lock/lockFile';
import { mergeLock, toAsk, type KeyAnswer, type LockChange, type LockProblem } from '../lock/merge';
import { keyReference, lockKeyOf } from '../lock/state';
import type { Online } from '../lookup/answer';
import { pinTarget } from '../features/pinTarget';
import { parseImageReference } from '../references/imageRef';
import type { ImageReference } from '../references/types';
import type { RegistryClient } from '../registry/index';
import { plural, shortDigest } from '../shared/text';
import { PRODUCT_NAME } from '../shared/product';
import type { LockCommandArgs } from './args';
import { formatPinMarkdown, type ImageChange } from './output/markdown';
import { askRegistries, type AskIo } from './ask';
import { readFiles, type ReadResult } from './check';
import { loadLocks, type LoadedLock } from './locks';
import type { WalkResult } from './walk';
import { writeFileAtomic } from './write';

export interface LockIo extends AskIo {
  stdout: { write(text: string): unknown };
}

/** What a run did to its lock files: the plain data any output format words. */
export interface LockRun {
  /** Every entry of every lock, sorted by lock then image. */
  changes: LockChange[];
  problems: LockProblem[];
  /** Each lock the run considered, and whether its file was written. */
  locks: Array<{ lock: string; written: boolean }>;
}

export async function lockCommand(
  args: LockCommandArgs,
  io: LockIo,
  walk: (paths: readonly string[], io: LockIo) => WalkResult | null,
): Promise<0 | 1 | 2> {
  const walked = walk(args.paths, io);
  if (walked === null) return 2;
  const read = readFiles(walked.files, { problems: walked.problems });
  const loaded = loadLocks(walked.files, { lockFile: args.lockFile, noLock: false }, { cwd: io.cwd, create: true });
  const scanned = args.paths.map((path) => resolve(io.cwd, path)).filter(isDirectory);
  const plans = [...loaded.locks.values()].map((lock) => ({
    lock,
    used: usedKeys(read, loaded.byFile, lock, args.platform),
    prune: mayPrune(lock.path, scanned, sep),
  }));
  const asks = plans.map((plan) =>
    toAsk({ existing: plan.lock.lock, used: plan.used, prune: plan.prune, update: args.update }),
  );
  const answers = await answer(
    [...new Set(asks.flatMap((ask) => ask.tags))],
    asks.flatMap((ask) => ask.pins),
    args,
    io,
  );
  const run: LockRun = { changes: [], problems: [], locks: [] };
  const errors = [...read.failures, ...loaded.failures].map((failure) => `${failure.file}: ${failure.message}`);
  plans.forEach((plan, i) => {
    const ask = asks[i]!;
    const forLock = new Map<string, KeyAnswer>();
    for (const key of ask.tags) forLock.set(key, answers.tags.get(key)!);
    for (const pin of ask.pins) forLock.set(pin.key, answers.pins.get(pinId(pin))!);
    const merged = mergeLock({
      lock: plan.lock.display,
      existing: plan.lock.lock,
      used: plan.used,
      prune: plan.prune,
      update: args.update,
      answers: forLock,
    });
    run.changes.push(...merged.changes);
    run.problems.push(...merged.problems);
    const written = writeLock(plan.lock, serialiseLock(merged.lock), merged.lock.images.size);
    if (typeof written === 'string') errors.push(`${plan.lock.display}: ${written}`);
    run.locks.push({ lock: plan.lock.display, written: written === true });
  });
  const text = formatLockText(run);
  for (const line of [...errors, ...text.problems]) io.stderr.write(`${PRODUCT_NAME}: ${line}\n`);
  io.stdout.write(
    args.format === 'markdown' ? formatLockMarkdown(run, args.update ? 'lock --update' : 'lock') : text.out,
  );
  return errors.length + run.problems.length > 0 ? 1 : 0;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The keys the references under one lock use, each with the files (display paths) that use it. */
function usedKeys(
  read: ReadResult,
  byFile: ReadonlyMap<string, LoadedLock>,
  lock: LoadedLock,
  platform: string | null,
): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of read.files) {
    if (byFile.get(file.walked.path) !== lock) continue;
    for (const ref of file.references) {
      const key = lockKeyOf(ref, platform);
      if (key === null) continue;
      const text = lockKey(key);
      const files = used.get(text) ?? [];
      if (!files.includes(file.walked.file)) files.push(file.walked.file);
      used.set(text, files);
    }
  }
  return used;
}

const pinId = (pin: { key: string; digest: string }): string => `${pin.key}@${pin.digest}`;

interface Answers {
  tags: Map<string, KeyAnswer>;
  /** By pinId. */
  pins: Map<string, KeyAnswer>;
}

/**
 * Asks what each new key's tag points to now and, for `--update`, whether each locked digest is still its tag's:
 * lookup/ asks them as the references they stand for (one client per platform the keys name), and pinTarget reads
 * the answers as `pin` and `pin --update` would. New digests get their build time (`created`).
 */
async function answer(
  tags: readonly string[],
  pins: ReadonlyArray<{ key: string; digest: string }>,
  args: LockCommandArgs,
  io: AskIo,
): Promise<Answers> {
  const asked = [
    ...tags.map((key) => ({ id: key, pin: false, ...keyReference(key) })),
    ...pins.map((pin) => ({ id: pinId(pin), pin: true, ...keyReference(pin.key, pin.digest) })),
  ];
  const result: Answers = { tags: new Map(), pins: new Map() };
  for (const platform of new Set(asked.map((a) => a.platform))) {
    const group = asked.filter((a) => a.platform === platform);
    await askRegistries(
      group.map((a) => a.ref),
      args,
      io,
      {
        pins: true,
        dates: false,
        platform,
        more: async (client, online) => {
          await Promise.all(
            group.map(async (a) => {
              const keyAnswer = await readAnswer(a.ref, online.get(a.ref), a.pin, client);
              (a.pin ? result.pins : result.tags).set(a.id, keyAnswer);
            }),
          );
        },
      },
    );
    for (const a of group) {
      const map = a.pin ? result.pins : result.tags;
      if (!map.has(a.id)) map.set(a.id, { ok: false, reason: 'it was not looked up' });
    }
  }
  return result;
}

async function readAnswer(
  ref: ImageReference,
  online: Online | undefined,
  pin: boolean,
  client: RegistryClient,
): Promise<KeyAnswer> {
  const target = pinTarget(ref, online, { pin: !pin, update: pin });
  if (target === null) return { ok: true, digest: ref.digest! };
  if (!target.ok)
    return { ok: false, reason: `could not ${pin ? 'update' : 'lock'} ${ref.text.split('@')[0]}: ${target.reason}` };
  const parsed = parseImageReference(ref.text);
  if (!parsed.ok) return { ok: true, digest: target.digest };
  const described = await client.describe(parsed.value, target.digest);
  return described.ok && described.value.created !== undefined
    ? { ok: true, digest: target.digest, created: described.value.created }
    : { ok: true, digest: target.digest };
}

/** Writes a lock whose text changed (a new one only when it has entries): true, false (unchanged), or why not. */
function writeLock(lock: LoadedLock, text: string, entries: number): boolean | string {
  const content = Buffer.from(text, 'utf8');
  if (lock.bytes !== null) {
    if (lock.bytes.equals(content)) return false;
    const written = writeFileAtomic(lock.path, content, lock.bytes);
    return written.ok ? true : written.message;
  }
  if (entries === 0) return false;
  try {
    writeFileSync(lock.path, content, { flag: 'wx' });
    return true;
  } catch (error) {
    return `could not write: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** `docker.io/library/python:3.12@sha256:…`, with ` for linux/arm64` for a platform's entry. */
function entryText(image: string, digest: string): string {
  const space = image.indexOf(' ');
  return space < 0 ? `${image}@${digest}` : `${image.slice(0, space)}@${digest} for ${image.slice(space + 1)}`;
}

/** One line per entry (`digest-pin.lock added …`), then a summary; the problems, for stderr. */
/** `--format markdown`: the summary, then the entries added or moved as the change table of `pin` reports. */
export function formatLockMarkdown(run: LockRun, command: string): string {
  const changes: ImageChange[] = run.changes.flatMap((change) =>
    (change.kind === 'added' || change.kind === 'updated') && change.digest !== null
      ? [
          {
            image: change.image,
            oldDigest: change.previous,
            newDigest: change.digest,
            ...(change.created.previous !== undefined ? { oldCreated: change.created.previous } : {}),
            ...(change.created.digest !== undefined ? { newCreated: change.created.digest } : {}),
            places: change.files.map((file) => ({ file })),
          },
        ]
      : [],
  );
  const text = formatLockText(run);
  const summary = text.out.trimEnd().split('\n').pop() ?? '';
  return formatPinMarkdown({
    command,
    summary,
    changes,
    problems: run.problems.map((problem) => ({
      file: problem.lock,
      message: `${problem.message}${problem.files.length > 0 ? ` (${problem.files.join(', ')})` : ''}`,
    })),
  });
}

export function formatLockText(run: LockRun): { out: string; problems: string[] } {
  const lines = run.changes.map((change) => {
    const head = `${change.lock} ${change.kind} `;
    switch (change.kind) {
      case 'added':
      case 'kept':
        return head + entryText(change.image, change.digest!);
      case 'updated':
        return `${head}${entryText(change.image, change.digest!)} (was ${shortDigest(change.previous!)})`;
      case 'removed':
        return `${head}${entryText(change.image, change.previous!)} (no reference uses it)`;
    }
  });
  const problems = run.problems.map(
    (problem) =>
      `${problem.lock}: ${problem.message}${problem.files.length > 0 ? ` (${problem.files.join(', ')})` : ''}`,
  );
  return { out: [...lines, lockSummary(run)].join('\n') + '\n', problems };
}

/** "1 lock file written: 2 added, 1 updated, 3 kept, 1 removed; 1 could not be resolved", or "nothing to lock". */
export function lockSummary(run: LockRun): string {
  const count = (kind: LockChange['kind']): number => run.changes.filter((change) => change.kind === kind).length;
  const written = run.locks.filter((lock) => lock.written).length;
  const counts = (['added', 'updated', 'kept', 'removed'] as const)
    .map((kind) => [kind, count(kind)] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const parts: string[] = [];
  if (counts.length === 0) parts.push(run.problems.length > 0 ? 'no lock file written' : 'nothing to lock');
  else
    parts.push(
      written > 0
        ? `${plural(written, 'lock file')} written: ${counts.join(', ')}`
        : `${plural(run.locks.length, 'lock file')} up to date: ${counts.join(', ')}`,
    );
  if (run.problems.length > 0) parts.push(`${run.problems.length} could not be resolved`);
  return parts.join('; ');
}
