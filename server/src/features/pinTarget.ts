// The one decision of what pinning writes for a reference, given what the registry said: `digest-pin pin` (and
// `--update`), the editor's quick fixes, fix-all, "Pin all images" and "Update drifted digests" all ask it, so they
// agree on what to write and say why they could not in the same words.
import type { Online } from '../lookup/answer';
import { referenceText } from '../references/reference';
import type { ImageReference } from '../references/types';
import { explain, type RegistryError } from '../registry/index';
import type { EditRefusal } from './edits';

/** `pin`: an unpinned reference gets the tag's digest; `update`: a pin whose tag moved (or whose digest is gone). */
export type PinAction = 'pin' | 'update';

/** Which of the two a caller does: the CLI's `pin` pins, `pin --update` does both, "Update drifted" only updates. */
export interface PinActions {
  pin: boolean;
  update: boolean;
}

/** The digest to write, or why the reference should have got one and could not. */
export type PinTarget =
  { ok: true; action: PinAction; digest: string } | { ok: false; action: PinAction; reason: string };

const failure = (action: PinAction, reason: string): PinTarget => ({ ok: false, action, reason });
const registryReason = (error: RegistryError): string => `${explain(error)} (${error.kind})`;

/**
 * What pinning does with `ref`: null when there is nothing to do (ignored, a local build, variable or invalid, a
 * current pin, or an action the caller does not take); else the digest, or the reason it is not known.
 */
export function pinTarget(ref: ImageReference, online: Online | undefined, actions: PinActions): PinTarget | null {
  if (ref.ignored || ref.localBuild) return null;
  if (ref.status === 'unpinned') {
    if (!actions.pin) return null;
    if (online?.kind !== 'tag') return failure('pin', 'it was not looked up');
    if (!online.result.ok) return failure('pin', registryReason(online.result.error));
    return { ok: true, action: 'pin', digest: online.result.value.digest };
  }
  if (ref.status !== 'pinned' || !actions.update || ref.tag === null) return null;
  if (online?.kind !== 'pin') return failure('update', 'it was not looked up');
  const { status } = online;
  switch (status.status) {
    case 'current':
      return null;
    case 'drifted':
      return { ok: true, action: 'update', digest: status.current };
    case 'gone':
      return online.tag === undefined
        ? failure('update', 'its digest is gone and where the tag points now is not known')
        : { ok: true, action: 'update', digest: online.tag.digest };
    case 'unknown':
      return failure('update', registryReason(status.error));
  }
}

/** Why an edit was refused, in the words every surface uses (null: nothing to write, not a failure). */
export function refusalReason(refusal: EditRefusal, detail?: string): string | null {
  switch (refusal) {
    case 'unchanged':
      return null;
    case 'multi-line':
      return 'the reference is split over lines; pin it by hand';
    case 'no-slot':
      return detail ?? 'there is no place for the digest in this file';
    default:
      return refusal;
  }
}

/** `could not pin python:3.12: <reason>` / `could not update …`. */
export const problemText = (ref: ImageReference, action: PinAction, reason: string): string =>
  `could not ${action} ${referenceText(ref)}: ${reason}`;
