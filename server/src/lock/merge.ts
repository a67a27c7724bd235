// `digest-pin lock`: what the references of a run need (used keys), what the registry said, and the lock there was →
// the new lock and one change per entry. Pure; the CLI asks the registry and writes the file.
//
// Like `npm install`: an entry that exists keeps its digest; a key no entry has is added with what the tag points to
// now; with `update`, every entry that stays is moved when its tag has moved on or its digest is gone. An entry no
// reference uses any more is removed only when `prune` (the lock's own directory was walked, so every file it covers
// was read).
import { emptyLock, type Lock, type LockEntry } from './lockFile';

/** What happened to one entry: the plain data every output format (text, markdown…) words. */
export interface LockChange {
  /** The lock file, as outputs show paths (relative to the working directory). */
  lock: string;
  /** The entry's key: normalised `name:tag`, with ` os/arch` for one platform's image. */
  image: string;
  kind: 'added' | 'kept' | 'updated' | 'removed';
  /** The digest the entry has now; null when removed. */
  digest: string | null;
  /** The digest it had; null when added. */
  previous: string | null;
  /** Build times of the two images, when known. */
  created: { digest?: string; previous?: string };
  /** The files whose references use the entry (none for a removed entry, or one kept for files not read). */
  files: string[];
}

/** An entry that should have been added or updated and could not be: the lock keeps what it had. */
export interface LockProblem {
  lock: string;
  image: string;
  files: string[];
  message: string;
}

/** What the registry said about one key: the digest for it now (and the image's build time), or why not known. */
export type KeyAnswer = { ok: true; digest: string; created?: string } | { ok: false; reason: string };

export interface MergeInput {
  /** The lock's path as outputs show it. */
  lock: string;
  existing: Lock;
  /** Keys the references of the run use, each with the files that use it. */
  used: ReadonlyMap<string, readonly string[]>;
  prune: boolean;
  update: boolean;
  /** Answers for the keys `toAsk` named. */
  answers: ReadonlyMap<string, KeyAnswer>;
}

export interface MergeResult {
  lock: Lock;
  /** Sorted by image. */
  changes: LockChange[];
  problems: LockProblem[];
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The keys the registry must be asked about: new ones (what the tag points to), and with `update` every kept one. */
export function toAsk(input: Pick<MergeInput, 'existing' | 'used' | 'prune' | 'update'>): {
  tags: string[];
  pins: Array<{ key: string; digest: string }>;
} {
  const tags = [...input.used.keys()].filter((key) => !input.existing.images.has(key)).sort(byCodeUnits);
  const pins = !input.update
    ? []
    : [...input.existing.images]
        .filter(([key]) => input.used.has(key) || !input.prune)
        .map(([key, entry]) => ({ key, digest: entry.digest }))
        .sort((a, b) => byCodeUnits(a.key, b.key));
  return { tags, pins };
}

const withCreated = (digest: string, created: string | undefined): LockEntry =>
  created === undefined ? { digest } : { digest, created };

/** The new lock and what changed; an entry whose answer failed keeps what it had (or is not added). */
export function mergeLock(input: MergeInput): MergeResult {
  const { lock: name, existing, used, prune, update, answers } = input;
  const lock = emptyLock();
  const changes: LockChange[] = [];
  const problems: LockProblem[] = [];
  const keys = new Set([...existing.images.keys(), ...used.keys()]);
  for (const image of [...keys].sort(byCodeUnits)) {
    const files = [...(used.get(image) ?? [])];
    const old = existing.images.get(image);
    if (old !== undefined && !used.has(image) && prune) {
      changes.push({
        lock: name,
        image,
        kind: 'removed',
        digest: null,
        previous: old.digest,
        created: old.created === undefined ? {} : { previous: old.created },
        files,
      });
      continue;
    }
    const answer = old === undefined || update ? answers.get(image) : undefined;
    if (answer !== undefined && !answer.ok) {
      problems.push({ lock: name, image, files, message: answer.reason });
      if (old !== undefined) lock.images.set(image, old);
      continue;
    }
    if (old === undefined) {
      if (answer === undefined) {
        problems.push({ lock: name, image, files, message: 'it was not looked up' });
        continue;
      }
      lock.images.set(image, withCreated(answer.digest, answer.created));
      changes.push({
        lock: name,
        image,
        kind: 'added',
        digest: answer.digest,
        previous: null,
        created: createdOf(answer),
        files,
      });
      continue;
    }
    if (answer !== undefined && answer.digest !== old.digest) {
      lock.images.set(image, withCreated(answer.digest, answer.created));
      changes.push({
        lock: name,
        image,
        kind: 'updated',
        digest: answer.digest,
        previous: old.digest,
        created: createdOf(answer, old),
        files,
      });
      continue;
    }
    lock.images.set(image, old);
    changes.push({
      lock: name,
      image,
      kind: 'kept',
      digest: old.digest,
      previous: old.digest,
      created: createdOf(undefined, old),
      files,
    });
  }
  return { lock, changes, problems };
}

function createdOf(now?: { created?: string }, old?: LockEntry): LockChange['created'] {
  const created: LockChange['created'] = {};
  if (now?.created !== undefined) created.digest = now.created;
  else if (now === undefined && old?.created !== undefined) created.digest = old.created;
  if (old?.created !== undefined) created.previous = old.created;
  return created;
}
