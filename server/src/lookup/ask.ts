// References → what the registry says about them (the `Online` input of diagnose()). Each unique question — a
// name:tag for a platform, or a name:tag@digest pin — is asked once per run however many files repeat it; all of
// them are asked at once and the registry client's per-registry limit (--concurrency) paces the requests.
import type { ImageReference } from '../references/types';
import type { Description, RegistryClient } from '../registry/index';
import type { Online } from './answer';
import { questionFor, type Question, type QuestionOptions } from './question';

export interface LookupOptions extends QuestionOptions {
  /** Look up the build dates of both images of a drifted pin: for its message (check), for pin's markdown report. */
  dates: boolean;
  /**
   * With `dates`: also look up what is attached to both images of a drifted pin (signatures, SBOMs: up to four
   * requests each, registry/attachments.ts). Never asked for a tag that is not pinned.
   */
  attachments?: boolean;
  /** Called after each unique question is answered. */
  onProgress?: (done: number, total: number) => void;
}

export async function lookUp(
  refs: readonly ImageReference[],
  client: RegistryClient,
  options: LookupOptions,
): Promise<Map<ImageReference, Online>> {
  const questions = new Map<string, { question: Question; refs: ImageReference[] }>();
  for (const ref of refs) {
    const question = questionFor(ref, options);
    if (question === null) continue;
    const entry = questions.get(question.key);
    if (entry) entry.refs.push(ref);
    else questions.set(question.key, { question, refs: [ref] });
  }
  const answers = new Map<ImageReference, Online>();
  let done = 0;
  const total = questions.size;
  options.onProgress?.(done, total);
  await Promise.all(
    [...questions.values()].map(async ({ question, refs: asking }) => {
      const online = question.pin
        ? await askPin(client, question, { dates: options.dates, attachments: options.attachments === true })
        : await askTag(client, question);
      for (const ref of asking) answers.set(ref, online);
      options.onProgress?.(++done, total);
    }),
  );
  return answers;
}

/**
 * One question on its own, cancellable: the language server asks as documents open and change, and drops what a
 * closed or edited document no longer needs.
 */
export function ask(
  client: RegistryClient,
  question: Question,
  options: { dates: boolean; signal?: AbortSignal },
): Promise<Online> {
  return question.pin
    ? askPin(client, question, { dates: options.dates, attachments: false }, options.signal)
    : askTag(client, question, options.signal);
}

const withPlatform = (
  platform: string | undefined,
  signal?: AbortSignal,
): { platform?: string; signal?: AbortSignal } => ({
  ...(platform === undefined ? {} : { platform }),
  ...(signal === undefined ? {} : { signal }),
});

async function askTag(client: RegistryClient, { parsed, platform }: Question, signal?: AbortSignal): Promise<Online> {
  const result = await client.resolve(parsed, withPlatform(platform, signal));
  if (!result.ok && result.error.kind === 'not-found' && platform !== undefined) {
    // The tag or the platform? The tag's answer is cached by now, so asking again costs no request.
    const tag = await client.resolve(parsed, withPlatform(undefined, signal));
    if (tag.ok) return { kind: 'tag', result, platform, platformMissing: true };
  }
  return { kind: 'tag', result, ...withPlatform(platform) };
}

async function askPin(
  client: RegistryClient,
  { parsed, platform }: Question,
  { dates, attachments }: { dates: boolean; attachments: boolean },
  signal?: AbortSignal,
): Promise<Online> {
  const status = await client.checkPin(parsed, withPlatform(platform, signal));
  if (status.status === 'gone') {
    // Where the tag points now: what to pin instead (checkPin just asked, so this is answered from the cache).
    const tag = await client.resolve({ ...parsed, digest: null }, withPlatform(platform, signal));
    return { kind: 'pin', status, ...(tag.ok ? { tag: tag.value } : {}) };
  }
  if (status.status === 'drifted' && dates) {
    const options = { ...(signal === undefined ? {} : { signal }), ...(attachments ? { attachments } : {}) };
    const [pinned, current] = await Promise.all([
      client.describe(parsed, status.pinned, options),
      client.describe(parsed, status.current, options),
    ]);
    const created: { pinned?: string; current?: string } = {};
    if (pinned.ok && pinned.value.created !== undefined) created.pinned = pinned.value.created;
    if (current.ok && current.value.created !== undefined) created.current = current.value.created;
    const described: { pinned?: Description; current?: Description } = {};
    if (pinned.ok) described.pinned = pinned.value;
    if (current.ok) described.current = current.value;
    return { kind: 'pin', status, created, described };
  }
  return { kind: 'pin', status };
}
