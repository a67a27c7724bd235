// Asking the registries for a command: one client per run (offline: only its cache), a progress line on a terminal,
// each unique question once (lookup/ask.ts), and after it what is left of a pull budget the answers stated (a terminal
// only). No client at all — so no cache read — when nothing needs asking.
import type { Online } from '../lookup/answer';
import { lookUp, type LookupOptions } from '../lookup/ask';
import { questionFor } from '../lookup/question';
import type { ImageReference } from '../references/types';
import type { RegistryClient } from '../registry/index';
import type { RegistryArgs } from './args';
import type { PullBudget } from '../shared/pullBudget';
import { progressLine, pullBudgetSummary } from './progress';
import { openRegistry, type RegistryIo } from './registry';

export interface AskIo extends RegistryIo {
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export type AskOptions = Omit<LookupOptions, 'platform' | 'onProgress'> & {
  /** Asked with this platform instead of `--platform` (lock entries of one platform). */
  platform?: string | null;
  /** Also called with the open client and the answers before it is closed (lock: build dates of new digests). */
  more?: (client: RegistryClient, answers: ReadonlyMap<ImageReference, Online>) => Promise<void>;
};

export async function askRegistries(
  refs: readonly ImageReference[],
  args: RegistryArgs,
  io: AskIo,
  options: AskOptions,
): Promise<Map<ImageReference, Online>> {
  const platform = options.platform === undefined ? args.platform : options.platform;
  if (!refs.some((ref) => questionFor(ref, { platform, pins: options.pins }) !== null)) return new Map();
  const client = openRegistry(args, io);
  const progress = progressLine(io.stderr, args.offline ? 'reading the cache' : 'asking registries');
  let budgets: PullBudget[] = [];
  try {
    const answers = await lookUp(refs, client, {
      pins: options.pins,
      dates: options.dates,
      ...(options.attachments ? { attachments: true } : {}),
      platform,
      onProgress: (done, total) => progress.update(done, total),
    });
    await options.more?.(client, answers);
    budgets = client.pullBudgets();
    return answers;
  } finally {
    progress.clear();
    pullBudgetSummary(io.stderr, budgets);
    await client.close();
  }
}
