// The status bar item for every state the server reports.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSeconds, statusView, stoppedView } from '../../../client/src/status';
import type { StatusParams } from '../../../server/src/shared/protocol';

const status = (p: Partial<StatusParams> & Pick<StatusParams, 'state'>): StatusParams => ({
  pending: 0,
  message: '',
  ...p,
});

describe('client/status', () => {
  it('resolving: a spinning count of images, click shows the output', () => {
    assert.deepEqual(
      statusView(status({ state: 'resolving', pending: 12, message: 'resolving 12 images in 3 files' })),
      {
        text: '$(sync~spin) resolving 12 images',
        tooltip: 'resolving 12 images in 3 files',
        command: { command: 'digestPin.showOutput', title: 'Show digest-pin output' },
      },
    );
    assert.equal(statusView(status({ state: 'resolving', pending: 1 }))?.text, '$(sync~spin) resolving 1 image');
    assert.equal(statusView(status({ state: 'resolving', pending: 0 }))?.text, '$(sync~spin) resolving images');
    assert.equal(
      statusView(status({ state: 'resolving', pending: 2 }))?.tooltip,
      'digest-pin is asking registries what the tags point to',
    );
  });

  it('offline: opens the offline setting', () => {
    assert.deepEqual(statusView(status({ state: 'offline', message: 'offline: 3 answers from the cache' })), {
      text: '$(debug-disconnect) digest-pin: offline',
      tooltip: 'offline: 3 answers from the cache\nClick to change digestPin.offline.',
      command: {
        command: 'workbench.action.openSettings',
        title: 'Open the offline setting',
        arguments: ['digestPin.offline'],
      },
    });
  });

  it('rate-limited: names the registry and when it accepts requests again, on a warning background', () => {
    assert.deepEqual(
      statusView(
        status({
          state: 'rate-limited',
          registry: 'docker.io',
          retryAfter: 90,
          message: 'docker.io: too many requests',
        }),
      ),
      {
        text: '$(watch) digest-pin: rate-limited by docker.io',
        tooltip: 'docker.io: too many requests, retrying in 1 min 30 s.\nLog in (docker login) for a higher limit.',
        command: { command: 'digestPin.showOutput', title: 'Show digest-pin output' },
        background: 'warning',
      },
    );
    assert.equal(
      statusView(status({ state: 'rate-limited' }))?.tooltip,
      'The registry refuses more requests for now.\nLog in (docker login) for a higher limit.',
    );
  });

  it('untrusted: leads to workspace trust', () => {
    const view = statusView(status({ state: 'untrusted' }));
    assert.equal(view?.text, '$(shield) digest-pin: restricted');
    assert.equal(view?.command.command, 'workbench.trust.manage');
    assert.equal(
      view?.tooltip,
      'Untrusted workspace: only what the files say is checked; no registry is asked.\nClick to manage workspace trust.',
    );
  });

  it('idle and disabled: no item', () => {
    assert.equal(statusView(status({ state: 'idle', message: '12 images, all pinned' })), undefined);
    assert.equal(statusView(status({ state: 'disabled' })), undefined);
  });

  it('pull budgets: a line each at the end of the tooltip; a nearly spent one gets an item when idle', () => {
    const hub = { registry: 'docker.io', remaining: 87, limit: 100, windowSeconds: 21600 };
    const resolving = statusView(
      status({ state: 'resolving', pending: 2, message: 'Resolving 2 images', pullBudgets: [hub] }),
    );
    assert.equal(resolving?.tooltip, 'Resolving 2 images\nDocker Hub pulls left: 87 of 100 per 6 h');
    assert.equal(statusView(status({ state: 'idle', pullBudgets: [hub] })), undefined);
    assert.deepEqual(statusView(status({ state: 'idle', pullBudgets: [{ ...hub, remaining: 3 }] })), {
      text: '$(warning) Docker Hub: 3 pulls left',
      tooltip:
        "Docker Hub pulls left: 3 of 100 per 6 h\nPulls by docker, CI and digest-pin's image details count against it; docker login raises the limit.",
      command: { command: 'digestPin.showOutput', title: 'Show digest-pin output' },
    });
    assert.equal(statusView(status({ state: 'disabled', pullBudgets: [{ ...hub, remaining: 3 }] })), undefined);
  });

  it('a stopped server: error background, click shows the output', () => {
    assert.deepEqual(stoppedView(), {
      text: '$(error) digest-pin: server stopped',
      tooltip: 'The digest-pin language server stopped. Click to see its output; reload the window to start it again.',
      command: { command: 'digestPin.showOutput', title: 'Show digest-pin output' },
      background: 'error',
    });
  });

  it('formatSeconds', () => {
    assert.deepEqual([0.2, 1, 59, 60, 61, 600, 3599].map(formatSeconds), [
      '1 s',
      '1 s',
      '59 s',
      '1 min',
      '1 min 1 s',
      '10 min',
      '59 min 59 s',
    ]);
  });
});
