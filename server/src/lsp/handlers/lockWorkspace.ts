// digestPin/lockWorkspace ("Lock all images in workspace", "Update digest-pin.lock"): the lock files of the given
// files, each as one edit of its whole text, merged as `digest-pin lock` merges (lock/merge.ts): an entry for every
// reference a lock lacks, and with `update` every entry whose tag moved on. Entries no file uses are kept (the
// editor's file list may not be every file a lock covers); `digest-pin lock` prunes them.
import { pathToFileURL } from 'node:url';
import type { CancellationToken, WorkspaceEdit } from 'vscode-languageserver/node';
import { lockEntryOf, lockFileEdit } from '../../features/lockEdits';
import { pinTarget } from '../../features/pinTarget';
import { emptyLock, lockKey, type Lock } from '../../lock/lockFile';
import { mergeLock, toAsk, type KeyAnswer } from '../../lock/merge';
import { keyReference, lockKeyOf } from '../../lock/state';
import { referenceText } from '../../references/reference';
import type { ImageReference } from '../../references/types';
import type { LockWorkspaceParams, LockWorkspaceResult, LockWorkspaceSummary } from '../../shared/protocol';
import { signalOf } from '../cancellation';
import type { ServerContext } from '../context';
import { ignoredBySettings } from '../diagnosticsMemo';
import { platformOption } from '../registrySession';
import { progressLabel, readForEdit, requestedUris, untrustedFailure } from './workspaceEdits';

type Failure = LockWorkspaceSummary['failures'][number];

/** One lock file and what the files under it use: key → where (the first use names a failure). */
interface Plan {
  uri: string;
  display: string;
  existing: Lock;
  /** The file's text; null when it does not exist yet. */
  text: string | null;
  used: Map<string, Failure[]>;
}

export function emptyLockResult(): LockWorkspaceResult {
  return { edit: { documentChanges: [] }, summary: { locks: 0, added: 0, updated: 0, failures: [], cancelled: false } };
}

export class LockWorkspaceHandler {
  constructor(private readonly context: ServerContext) {}

  async handle(params: LockWorkspaceParams, token: CancellationToken): Promise<LockWorkspaceResult> {
    const { settings, registry, connection } = this.context;
    await settings.ready;
    await registry.settled;
    const result = emptyLockResult();
    const update = params?.update === true;
    const uris = requestedUris(params);
    const progress = connection.window.attachWorkDoneProgress(params?.workDoneToken);
    progress.begin(update ? 'Updating lock files' : 'Locking images', 0, `${uris.length} files`, true);
    const signal = signalOf(token);
    const created: NonNullable<WorkspaceEdit['documentChanges']> = [];
    try {
      if (!registry.connected) {
        result.summary.failures.push(untrustedFailure());
        return result;
      }
      const plans = new Map<string, Plan>();
      for (const [index, uri] of uris.entries()) {
        if (signal?.aborted) break;
        progress.report(Math.round((index / Math.max(1, uris.length)) * 50), progressLabel(uri));
        await this.collect(uri, plans, result.summary.failures);
      }
      for (const plan of plans.values()) {
        if (signal?.aborted) break;
        progress.report(75, `asking registries for ${plan.display}`);
        const edit = await this.merge(plan, update, signal, result.summary);
        if (edit !== null) created.push(...(edit.documentChanges ?? []));
      }
      if (signal?.aborted) {
        result.summary = { ...result.summary, locks: 0, added: 0, updated: 0, cancelled: true };
        return result;
      }
    } finally {
      progress.done();
    }
    result.edit = { documentChanges: created };
    return result;
  }

  /** The references of one file, under the lock that applies to it (or the one its workspace folder would get). */
  private async collect(uri: string, plans: Map<string, Plan>, failures: Failure[]): Promise<void> {
    const settings = this.context.settings.for(uri);
    if (!settings.enable) return;
    const plan = this.planFor(uri, plans, failures);
    if (plan === null) return;
    const file = await readForEdit(this.context, uri, failures);
    if (file === null) return;
    const platform = platformOption(settings);
    for (const ref of file.references) {
      if (ignoredBySettings(ref, settings)) continue;
      const key = lockKeyOf(ref, platform);
      if (key === null) continue;
      const text = lockKey(key);
      const where = { uri, line: ref.range.start.line, text: referenceText(ref), reason: '' };
      plan.used.set(text, [...(plan.used.get(text) ?? []), where]);
    }
  }

  private planFor(uri: string, plans: Map<string, Plan>, failures: Failure[]): Plan | null {
    const locks = this.context.locks;
    const path = locks.pathOf(uri) ?? locks.newLockPath(uri);
    if (path === null) return null;
    const known = plans.get(path);
    if (known !== undefined) return known;
    const exists = locks.exists(path);
    const lock = exists ? locks.forPath(path) : null;
    if (exists && lock === null) {
      failures.push({
        uri: pathToFileURL(path).href,
        line: 0,
        text: '',
        reason: 'the lock file is broken or unreadable: fix it first',
      });
      return null;
    }
    const plan: Plan = {
      uri: pathToFileURL(path).href,
      display: locks.display(path),
      existing: lock?.lock ?? emptyLock(),
      text: lock?.text ?? null,
      used: new Map(),
    };
    plans.set(path, plan);
    return plan;
  }

  /** Asks what the lock needs, merges as `digest-pin lock` does, and counts; the edit of the lock file, if any. */
  private async merge(
    plan: Plan,
    update: boolean,
    signal: AbortSignal | undefined,
    summary: LockWorkspaceSummary,
  ): Promise<WorkspaceEdit | null> {
    const used = new Map([...plan.used].map(([key, uses]) => [key, [...new Set(uses.map((u) => u.uri))]]));
    const ask = toAsk({ existing: plan.existing, used, prune: false, update });
    const answers = new Map<string, KeyAnswer>();
    await Promise.all([
      ...ask.tags.map(async (key) => answers.set(key, await this.answer(keyReference(key), 'pin', signal))),
      ...ask.pins.map(async ({ key, digest }) =>
        answers.set(key, await this.answer(keyReference(key, digest), 'update', signal)),
      ),
    ]);
    const merged = mergeLock({ lock: plan.display, existing: plan.existing, used, prune: false, update, answers });
    for (const problem of merged.problems) {
      const first = plan.used.get(problem.image)?.[0];
      summary.failures.push({
        uri: first?.uri ?? plan.uri,
        line: first?.line ?? 0,
        text: first?.text ?? problem.image,
        reason: problem.message,
      });
    }
    if (plan.text === null && merged.lock.images.size === 0) return null;
    const edit = lockFileEdit(
      { uri: plan.uri, display: plan.display, lock: plan.existing, text: plan.text },
      merged.lock,
    );
    if (edit === null) return null;
    summary.locks++;
    summary.added += merged.changes.filter((c) => c.kind === 'added').length;
    summary.updated += merged.changes.filter((c) => c.kind === 'updated').length;
    return edit;
  }

  /** What the registry says a key should hold now (pinTarget's decision, as `digest-pin lock` reads it). */
  private async answer(
    asked: { ref: ImageReference; platform: string | null },
    action: 'pin' | 'update',
    signal: AbortSignal | undefined,
  ): Promise<KeyAnswer> {
    const { ref, platform } = asked;
    const resolver = this.context.registry.resolver;
    const key = resolver.keyOf(ref, platform);
    const online = (key === null ? undefined : resolver.online(key)) ?? (await resolver.ask(ref, platform, signal));
    const target = pinTarget(ref, online, { pin: action === 'pin', update: action === 'update' });
    if (target === null) return { ok: true, digest: ref.digest! };
    if (!target.ok) return { ok: false, reason: `could not ${action === 'pin' ? 'lock' : 'update'}: ${target.reason}` };
    const details = key === null ? {} : await resolver.details(key, signal).catch(() => ({}));
    return { ok: true, ...lockEntryOf(target.digest, { ...details, ...(online ? { online } : {}) }) };
  }
}
