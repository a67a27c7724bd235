// The closing message of "Pin all images in workspace" / "Update drifted digests in workspace" and of the lock
// commands ("Lock all images in workspace", "Update digest-pin.lock"). Pure.
import type { LockWorkspaceSummary, WorkspaceEditSummary } from '../../server/src/shared/protocol';
import { plural } from '../../server/src/shared/text';

export type WorkspaceAction = 'pin' | 'update';

/** Title of the progress notification. */
export function progressTitle(action: WorkspaceAction): string {
  return action === 'pin'
    ? 'digest-pin: pinning images in the workspace'
    : 'digest-pin: updating drifted digests in the workspace';
}

/**
 * One sentence for the notification: what changed, what could not be done, and whether it stopped early.
 * `searched` is the number of files that were handed to the server.
 */
export function summaryMessage(action: WorkspaceAction, summary: WorkspaceEditSummary, searched: number): string {
  const what = action === 'pin' ? plural(summary.edited, 'image') : plural(summary.edited, 'drifted digest');
  const verb = action === 'pin' ? 'Pinned' : 'Updated';
  const done = `${verb} ${what} in ${plural(summary.files, 'file')}`;
  const failed = summary.failures.length;
  const failures =
    failed === 0
      ? ''
      : ` ${plural(failed, 'reference')} could not be ${action === 'pin' ? 'pinned' : 'updated'}: see the output.`;

  if (summary.cancelled) {
    return summary.edited === 0
      ? `Cancelled before anything was ${action === 'pin' ? 'pinned' : 'updated'}.${failures}`
      : `Cancelled. ${done} before stopping.${failures}`;
  }
  if (summary.edited === 0 && failed === 0) {
    return action === 'pin'
      ? `Nothing to pin in ${plural(searched, 'file')}: every image is pinned or cannot be (variables, local builds).`
      : `No drifted digests in ${plural(searched, 'file')}: every pin is what its tag points to.`;
  }
  return `${summary.edited === 0 ? `Nothing was ${action === 'pin' ? 'pinned' : 'updated'}.` : `${done}.`}${failures}`;
}

/** One output line per failure: `path:line: text — reason` (1-based line, as the CLI prints them). */
export function failureLines(
  summary: Pick<WorkspaceEditSummary, 'failures'>,
  displayPath: (uri: string) => string,
): string[] {
  return summary.failures.map((f) => `${displayPath(f.uri)}:${f.line + 1}: ${f.text} — ${f.reason}`);
}

/**
 * The increment for VS Code's progress (which adds increments up) from LSP work-done percentages (absolute), or
 * undefined when there is nothing to add. Percentages that go backwards are ignored.
 */
export function progressIncrement(reported: number, percentage: number | undefined): number | undefined {
  if (percentage === undefined || !Number.isFinite(percentage)) return undefined;
  const next = Math.min(100, Math.max(0, percentage));
  return next > reported ? next - reported : undefined;
}

/** The lock commands: "Lock all images in workspace" and "Update digest-pin.lock" (`update`). */
export function lockProgressTitle(update: boolean): string {
  return update ? 'digest-pin: updating digest-pin.lock' : 'digest-pin: locking images in the workspace';
}

/** One sentence for the notification of a lock command. */
export function lockSummaryMessage(update: boolean, summary: LockWorkspaceSummary, searched: number): string {
  const failed = summary.failures.length;
  const failures = failed === 0 ? '' : ` ${plural(failed, 'image')} could not be locked: see the output.`;
  if (summary.cancelled) return `Cancelled: no lock file was changed.${failures}`;
  const parts = [
    ...(summary.added > 0 ? [`added ${plural(summary.added, 'image')}`] : []),
    ...(summary.updated > 0 ? [`updated ${plural(summary.updated, 'image')}`] : []),
  ];
  if (parts.length === 0 && summary.locks === 0)
    return failed === 0
      ? update
        ? `Nothing to update in ${plural(searched, 'file')}: every locked image is what its tag points to.`
        : `Nothing to lock in ${plural(searched, 'file')}: every image is locked or cannot be (variables, local builds).`
      : `Nothing was locked.${failures}`;
  if (parts.length === 0) return `Rewrote ${plural(summary.locks, 'lock file')} as digest-pin writes them.${failures}`;
  const what = parts.join(', ');
  return `${what.charAt(0).toUpperCase()}${what.slice(1)} in ${plural(summary.locks, 'lock file')}.${failures}`;
}
