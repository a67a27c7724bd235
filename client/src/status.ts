// What the status bar item shows for each state the server reports (protocol.ts `digestPin/status`).
// Pure: extension-side code turns a StatusView into a StatusBarItem.
import type { StatusParams } from '../../server/src/shared/protocol';
import { COMMANDS } from './ids';
import { plural } from '../../server/src/shared/text';
import { pullBudgetLow, pullBudgetTooltip, registryLabel } from '../../server/src/shared/pullBudget';

export interface StatusView {
  /** With codicons: `$(sync~spin) resolving 12 images`. */
  text: string;
  tooltip: string;
  command: { command: string; title: string; arguments?: unknown[] };
  /** Status bar background (statusBarItem.<kind>Background); none for ordinary states. */
  background?: 'warning' | 'error';
}

const showOutput = { command: COMMANDS.showOutput, title: 'Show digest-pin output' };

/**
 * The item for a status, or undefined when there is nothing worth a place in the status bar. Its tooltip ends with
 * what is left of each pull budget; a budget nearly spent gets an item of its own when nothing else has one.
 */
export function statusView(status: StatusParams): StatusView | undefined {
  const view = stateView(status);
  const budgets = status.pullBudgets ?? [];
  if (budgets.length === 0 || status.state === 'untrusted' || status.state === 'disabled') return view;
  const lines = budgets.map(pullBudgetTooltip).join('\n');
  if (view !== undefined) return { ...view, tooltip: `${view.tooltip}\n${lines}` };
  const low = budgets.find(pullBudgetLow);
  if (low === undefined) return undefined;
  return {
    text: `$(warning) ${registryLabel(low.registry)}: ${plural(low.remaining, 'pull')} left`,
    tooltip: `${lines}\nPulls by docker, CI and digest-pin's image details count against it; docker login raises the limit.`,
    command: showOutput,
  };
}

function stateView(status: StatusParams): StatusView | undefined {
  const detail = status.message.trim();
  switch (status.state) {
    case 'resolving':
      return {
        text: `$(sync~spin) ${status.pending > 0 ? `resolving ${plural(status.pending, 'image')}` : 'resolving images'}`,
        tooltip: detail || 'digest-pin is asking registries what the tags point to',
        command: showOutput,
      };
    case 'offline':
      return {
        text: '$(debug-disconnect) digest-pin: offline',
        tooltip: `${detail || 'Registries are not contacted: only cached answers are used.'}\nClick to change digestPin.offline.`,
        command: {
          command: 'workbench.action.openSettings',
          title: 'Open the offline setting',
          arguments: ['digestPin.offline'],
        },
      };
    case 'rate-limited': {
      const where = status.registry ? ` by ${status.registry}` : '';
      const when =
        status.retryAfter !== undefined && status.retryAfter > 0
          ? `, retrying in ${formatSeconds(status.retryAfter)}`
          : '';
      return {
        text: `$(watch) digest-pin: rate-limited${where}`,
        tooltip: `${detail || `The registry${where} refuses more requests for now`}${when}.\nLog in (docker login) for a higher limit.`,
        command: showOutput,
        background: 'warning',
      };
    }
    case 'untrusted':
      return {
        text: '$(shield) digest-pin: restricted',
        tooltip: `${detail || 'Untrusted workspace: only what the files say is checked; no registry is asked.'}\nClick to manage workspace trust.`,
        command: { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' },
      };
    case 'idle':
    case 'disabled':
      return undefined;
  }
}

/** The item after the language server stopped for good (it is restarted a few times before that). */
export function stoppedView(): StatusView {
  return {
    text: '$(error) digest-pin: server stopped',
    tooltip: 'The digest-pin language server stopped. Click to see its output; reload the window to start it again.',
    command: showOutput,
    background: 'error',
  };
}

export function formatSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
}
