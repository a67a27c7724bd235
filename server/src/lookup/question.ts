// Which question a reference asks the registry: none (variable, invalid, ignored, local build, digest only), a
// name:tag for a platform, or a name:tag@digest pin. Its key is what the CLI and the language server share answers by.
import { parseImageReference, type ParsedImageRef } from '../references/imageRef';
import { referenceText } from '../references/reference';
import type { ImageReference } from '../references/types';
import { formatPlatform, parsePlatform } from '../registry/index';

export interface QuestionOptions {
  /** `--platform` / `digestPin.defaultPlatform`, normalised; null asks for the multi-platform index (see platformFor). */
  platform: string | null;
  /** Compare pinned references with their tags (check: always; pin: with --update). */
  pins: boolean;
}

/** Whether a reference is ever sent to a registry: literal, not ignored, not a local build, with a tag to ask about. */
export function asksRegistry(ref: ImageReference): boolean {
  if (ref.ignored || ref.localBuild) return false;
  if (ref.status === 'unpinned') return true;
  return ref.status === 'pinned' && ref.tag !== null;
}

/**
 * The platform whose image a reference is resolved to. Without `--platform`: none — the index digest is right for
 * every platform, including one a `FROM --platform=…` or compose `platform:` names. With `--platform`: the
 * reference's own literal platform when it has one (pinning another platform's image there would break it), else
 * the option's.
 */
export function platformFor(ref: ImageReference, option: string | null): string | undefined {
  if (option === null) return undefined;
  const literal = ref.platform === undefined ? null : parsePlatform(ref.platform);
  return literal === null ? option : formatPlatform(literal);
}

export interface Question {
  key: string;
  parsed: ParsedImageRef;
  platform: string | undefined;
  pin: boolean;
}

/** The question a reference asks, or null when it asks none (variable, invalid, ignored, local build, digest only). */
export function questionFor(ref: ImageReference, options: QuestionOptions): Question | null {
  if (!asksRegistry(ref)) return null;
  const pin = ref.status === 'pinned';
  if (pin && !options.pins) return null;
  const parsed = parseImageReference(referenceText(ref));
  if (!parsed.ok) return null;
  const { name, tag, digest } = parsed.value;
  const platform = platformFor(ref, options.platform);
  const key = `${pin ? `pin ${name}:${tag ?? ''}@${digest ?? ''}` : `tag ${name}:${tag ?? 'latest'}`} ${platform ?? ''}`;
  return { key, parsed: parsed.value, platform, pin };
}
