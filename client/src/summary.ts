// The closing message of "Pin all images in workspace" / "Update drifted digests in workspace". Pure.
import type { WorkspaceEditSummary } from '../../server/src/shared/protocol';
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
export function failureLines(summary: WorkspaceEditSummary, displayPath: (uri: string) => string): string[] {
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
