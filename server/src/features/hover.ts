// The hover of an image reference: what it is, what its tag points to now and since when, how far a pin is behind and
// what changed when its tag moved, its platforms, what the image says about itself (provenance) and what is attached
// to it, a link to the image's page, when the registry was asked, and any error with its fix. Markdown;
// every string that came from a registry (or from the file) is escaped, and dates are re-formatted from parsed values.
import { parseImageReference } from '../references/imageRef';
import type { ImageReference } from '../references/types';
import {
  explain,
  formatPlatform,
  type Attachment,
  type Description,
  type Platform,
  type Provenance,
  type RegistryError,
} from '../registry/index';
import { formatAge, shortDigest } from '../shared/text';
import { ruleFor } from '../shared/rules';
import { codeSpan, escapeMarkdown } from '../shared/markdown';
import type { ImageFacts } from './facts';
import { referenceText } from '../references/reference';
import { lockedView, type LockState } from '../lock/state';
import { whatChanged } from './changes';
import { MARKDOWN, attachmentsText, changeParts, provenanceParts } from './provenanceWords';
import { newerHoverLines } from './newer';

export type HoverMode =
  /** The registry is asked. */
  | 'online'
  /** The offline setting: answers from the cache only. */
  | 'offline'
  /** An untrusted workspace: no registry request, static checks only. */
  | 'untrusted';

export interface HoverInput {
  ref: ImageReference;
  facts: ImageFacts | undefined;
  mode: HoverMode;
  now: number;
  /** An ignore glob of the settings matches the name. */
  ignoredBySettings?: boolean;
  /** What the lock that applies to the file says about the reference (lock/state.ts); `facts` of a locked one are
   * about its locked digest as a pin. */
  lock?: LockState | null;
}

/** A registry date as `23 days ago (2024-01-15)`, or null when it is not a date (never shown as given). */
export function describeDate(value: string | undefined, now: number): string | null {
  if (value === undefined) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  const day = new Date(at).toISOString().slice(0, 10);
  return at > now ? `on ${day}` : `${formatAge(now - at)} ago (${day})`;
}

const platformList = (platforms: readonly Platform[] | undefined): string | null =>
  platforms === undefined || platforms.length === 0
    ? null
    : platforms.map((p) => escapeMarkdown(formatPlatform(p))).join(', ');

/** The image's page on its registry's website, for the registries that have one. */
export function imagePage(name: string): { label: string; url: string } | null {
  const slash = name.indexOf('/');
  const domain = name.slice(0, slash);
  const path = name.slice(slash + 1);
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  switch (domain) {
    case 'docker.io':
      return path.startsWith('library/') && path.split('/').length === 2
        ? { label: 'Docker Hub', url: `https://hub.docker.com/_/${encodeURIComponent(path.slice('library/'.length))}` }
        : { label: 'Docker Hub', url: `https://hub.docker.com/r/${encoded}` };
    case 'ghcr.io':
      return { label: 'GitHub Packages', url: `https://ghcr.io/${encoded}` };
    case 'quay.io':
      return { label: 'Quay', url: `https://quay.io/repository/${encoded}` };
    case 'mcr.microsoft.com':
      return { label: 'Microsoft Artifact Registry', url: `https://mcr.microsoft.com/en-us/artifact/mar/${encoded}` };
    case 'gcr.io': {
      const [project, ...image] = path.split('/');
      if (project === undefined || image.length === 0) return null;
      return {
        label: 'Google Container Registry',
        url: `https://console.cloud.google.com/gcr/images/${encodeURIComponent(project)}/global/${image.map(encodeURIComponent).join('/')}`,
      };
    }
    default:
      return null;
  }
}

function errorLines(error: RegistryError): string[] {
  if (error.kind === 'cancelled') return [];
  if (error.kind === 'offline') return [`Not in the cache yet: ${escapeMarkdown(explain(error))}.`];
  const fix = error.kind === 'not-found' ? ruleFor('tag-not-found').fix : ruleFor('registry-error').fix;
  return [
    `**Could not check** (${escapeMarkdown(error.kind)}): ${escapeMarkdown(explain(error))}.`,
    `*Fix:* ${escapeMarkdown(fix)}`,
  ];
}

/** Markdown for the hover of one reference. */
export function hoverMarkdown(input: HoverInput): string {
  const { ref, facts, mode, now } = input;
  const out: string[] = [`**${escapeMarkdown(referenceText(ref))}**`];
  const assembled = partsLine(ref);
  if (assembled !== null) out.push(assembled);
  if (ref.status === 'variable')
    return [
      ...out,
      escapeMarkdown(ref.variable ?? 'Built from variables: its value is only known at build or deploy time.'),
    ].join('\n\n');
  if (ref.status === 'invalid' || ref.name === null)
    return [
      ...out,
      `Not a valid image reference: ${escapeMarkdown(ref.error ?? 'it does not match the reference grammar')}.`,
    ].join('\n\n');

  const parsed = parseImageReference(referenceText(ref));
  const registry = parsed.ok ? parsed.value.domain : ref.name.slice(0, ref.name.indexOf('/'));
  const page = imagePage(ref.name);
  const tag = ref.tag ?? (ref.digest === null ? 'latest' : null);
  const what = ref.context === 'feature' ? 'Dev Container Feature ' : '';
  const identity = [`${what}${codeSpan(ref.name)} on ${escapeMarkdown(registry)}`];
  if (tag !== null) identity.push(`tag ${codeSpan(tag)}${ref.tag === null ? ' (implicit)' : ''}`);
  if (ref.platform !== undefined) identity.push(`platform ${codeSpan(ref.platform)}`);
  out.push(identity.join(' · '));

  if (ref.ignored) out.push(`Ignored here (\`${ref.source === 'devcontainer' ? '//' : '#'} digest-pin: ignore\`).`);
  else if (input.ignoredBySettings) out.push('Ignored by the `digestPin.ignore` setting.');
  else if (ref.localBuild) out.push('This service builds the image (`build:`); it is not pulled from a registry.');
  else if (mode === 'untrusted') {
    if (input.lock?.kind === 'locked')
      out.push(`Locked to ${codeSpan(shortDigest(input.lock.digest))} in ${escapeMarkdown(input.lock.lock)}.`);
    out.push('Registry checks are off: this workspace is not trusted.');
  } else if (input.lock?.kind === 'locked' && ref.status === 'unpinned')
    out.push(...registryLines(lockedView(ref, input.lock.digest), facts, now, mode, input.lock.lock));
  else {
    out.push(...registryLines(ref, facts, now, mode));
    if (input.lock?.kind === 'not-locked' && ref.status === 'unpinned')
      out.push(
        `**Not locked:** ${escapeMarkdown(input.lock.lock)} has no entry for ${codeSpan(input.lock.key)}; builds pull whatever the tag points to that day.`,
      );
  }

  if (page !== null) out.push(`[Open on ${escapeMarkdown(page.label)}](${page.url})`);
  return out.join('\n\n');
}

/** A split reference: the scalars it is assembled from, and where values not written beside it came from. */
function partsLine(ref: ImageReference): string | null {
  const parts = ref.parts;
  if (parts === undefined) return null;
  const written = (['registry', 'repository', 'tag', 'digest'] as const).flatMap((key) => {
    const part = parts[key];
    return part === undefined || part.text === '' ? [] : [`${key} ${codeSpan(part.text)}`];
  });
  return `Assembled from ${[...written, ...(ref.origin ?? []).map(escapeMarkdown)].join(' · ')}`;
}

/** `lockName`: `ref` is the locked view of a reference, its digest the one locked in that lock file. */
function registryLines(
  ref: ImageReference,
  facts: ImageFacts | undefined,
  now: number,
  mode: HoverMode,
  lockName?: string,
): string[] {
  const out: string[] = [];
  const online = facts?.online;
  const current = facts?.current?.ok ? facts.current.value : undefined;
  let checkedAt: number | undefined = current?.checkedAt;

  if (ref.status === 'pinned') {
    const pinned = ref.digest!;
    const pinnedInfo = facts?.pinned?.ok ? facts.pinned.value : undefined;
    const built = describeDate(pinnedInfo?.created, now);
    const where = lockName === undefined ? 'Pinned to' : 'Locked to';
    const lockedIn = lockName === undefined ? '' : ` in ${escapeMarkdown(lockName)}`;
    out.push(`${where} ${codeSpan(shortDigest(pinned))}${lockedIn}${built ? `, built ${built}` : ''}.`);
    if (online?.kind === 'pin') {
      const { status } = online;
      switch (status.status) {
        case 'current':
          checkedAt = status.checkedAt;
          out.push(`The tag still points to this digest.`);
          break;
        case 'drifted': {
          checkedAt = status.checkedAt;
          const movedBuilt = describeDate(online.created?.current, now);
          const pinnedAt = Date.parse(online.created?.pinned ?? '');
          const currentAt = Date.parse(online.created?.current ?? '');
          const behind =
            !Number.isNaN(pinnedAt) && !Number.isNaN(currentAt) && currentAt > pinnedAt
              ? `; ${lockName === undefined ? 'your pin' : 'the locked image'} is ${formatAge(currentAt - pinnedAt)} older`
              : '';
          out.push(
            `**The tag has moved** to ${codeSpan(shortDigest(status.current))}${movedBuilt ? `, built ${movedBuilt}` : ''}${behind}.`,
          );
          out.push(`Current digest: ${codeSpan(status.current)}`);
          const changes = whatChanged(
            pinnedInfo ?? online.described?.pinned,
            (facts?.currentImage?.ok ? facts.currentImage.value : undefined) ?? online.described?.current,
          );
          const parts = changeParts(changes, MARKDOWN);
          if (parts.length > 0) out.push(`**What changed:** ${parts.join(' · ')}`);
          break;
        }
        case 'gone':
          checkedAt = status.checkedAt;
          out.push(
            `**The registry no longer has this digest**: pulling it fails.${online.tag ? ` The tag points to ${codeSpan(shortDigest(online.tag.digest))} now.` : ''}`,
          );
          break;
        case 'unknown':
          out.push(...errorLines(status.error));
          break;
      }
    } else if (ref.tag === null) {
      out.push('A digest without a tag: nothing to compare it with.');
    }
    out.push(`${lockName === undefined ? 'Pinned' : 'Locked'} digest: ${codeSpan(pinned)}`);
    const platforms = platformList(pinnedInfo?.platforms);
    if (platforms) out.push(`Platforms: ${platforms}`);
    out.push(...selfLines(pinnedInfo?.provenance ?? describedPin(online)?.provenance, pinnedInfo?.attachments));
    // The image a drifted pin's tag moved to: only what was found on it (the pin's own line says "none found").
    const moved = facts?.currentImage?.ok ? facts.currentImage.value.attachments : undefined;
    if (moved !== undefined && moved.length > 0)
      out.push(`Attachments of the image the tag points to now: ${attachmentsText(moved, MARKDOWN)!}`);
  } else {
    const result = online?.kind === 'tag' ? online.result : facts?.current;
    if (result?.ok) {
      const resolution = current ?? result.value;
      checkedAt = resolution.checkedAt;
      const published = describeDate(resolution.created, now);
      const platform = online?.kind === 'tag' && online.platform ? ` for ${codeSpan(online.platform)}` : '';
      out.push(
        `Points to ${codeSpan(shortDigest(result.value.digest))}${platform} now${published ? `, published ${published}` : ''}.`,
      );
      out.push(`Digest: ${codeSpan(result.value.digest)}`);
      const platforms = platformList(resolution.platforms);
      if (platforms) out.push(`Platforms: ${platforms}`);
      const image = facts?.currentImage?.ok ? facts.currentImage.value : undefined;
      out.push(...selfLines(image?.provenance ?? resolution.provenance, image?.attachments));
    } else if (result && !result.ok) {
      out.push(...errorLines(result.error));
    } else if (facts?.skipped) {
      out.push(...errorLines(facts.skipped));
    } else {
      out.push(mode === 'offline' ? 'Offline: this tag is not in the cache.' : 'Asking the registry…');
    }
  }
  out.push(...newerHoverLines(facts?.newer, now));
  if (checkedAt !== undefined) {
    const cached = mode === 'offline' || (current?.stale ?? false) ? ' (from the cache)' : '';
    out.push(`*Checked ${now - checkedAt < 60_000 ? 'just now' : `${formatAge(now - checkedAt)} ago`}${cached}.*`);
  }
  return out;
}

/** What an image says about itself (links only to forges' pages) and what is attached to it. */
function selfLines(provenance: Provenance | undefined, attachments: readonly Attachment[] | undefined): string[] {
  const out: string[] = [];
  const said = provenanceParts(provenance, MARKDOWN);
  if (said.length > 0) out.push(`Provenance: ${said.join(' · ')}`);
  const attached = attachmentsText(attachments, MARKDOWN);
  if (attached !== null) out.push(`Attachments: ${attached}`);
  return out;
}

const describedPin = (online: ImageFacts['online']): Description | undefined =>
  online?.kind === 'pin' ? online.described?.pinned : undefined;
