// The screen-level scenarios: what a person sees when the packaged extension runs in a real VS Code. Scenarios 1–5
// share one trusted window (in order: each leaves the workspace as the next expects, and says so when it cannot);
// scenario 6 opens its own window on an untrusted folder.
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { faults } from '../integration/support/faultProxy';
import type { E2ERegistry } from './registry';
import { VIEWPORT, type Session, type Trust } from './session';
import { replaceOnce, type Workspace } from './workspace';
import { waitUntil, type Workbench } from './workbench';

/** A small, cropped copy of a screenshot for the README (`npm run screenshots`). */
export interface DocsShot {
  /** File name under docs/. */
  file: string;
  /** The crop is the union of these elements' boxes, plus a margin… */
  around?: Locator[];
  /** …or the whole window, resized to this for the shot (and back). */
  window?: { width: number; height: number };
}

export interface ScenarioContext {
  wb: Workbench;
  session: Session;
  registry: E2ERegistry;
  /** Saves test/e2e/artifacts/<scenario id>-<name>.png (and the README crop when asked for and enabled). */
  shot(name: string, docs?: DocsShot): Promise<void>;
}

export interface Scenario {
  id: number;
  name: string;
  title: string;
  trust: Trust;
  /** Fixture template the window opens. */
  template: string;
  /** Why the scenario cannot pass yet (a product feature missing or broken): reported as skipped, unless --only names it. */
  skip?: string;
  run(context: ScenarioContext): Promise<void>;
}

/** One reference in the fixtures and the digest "Pin to digest" / "Pin all" must write after it. */
interface Pin {
  file: string;
  text: string;
  digest: string;
}

/** `sha256:` and 12 hex digits, then an ellipsis: how the product abbreviates a digest. */
const short = (digest: string) => `${digest.slice(0, 'sha256:'.length + 12)}…`;

function pins(registry: E2ERegistry) {
  const { host, fixtures: f } = registry;
  return {
    dockerfile: { file: 'Dockerfile', text: `${host}/fixtures/docker-image:1.0`, digest: f.dockerImage.digest },
    compose: { file: 'compose.yaml', text: `${host}/fixtures/oci-index:1.0`, digest: f.ociIndex.digest },
    deployment: { file: 'k8s/deployment.yaml', text: `${host}/fixtures/oci-image:1.0`, digest: f.ociImage.digest },
    cronjob: { file: 'k8s/cronjob.yaml', text: `${host}/fixtures/docker-list:1.0`, digest: f.dockerList.digest },
    prodApi: { file: 'stack/compose.prod.yaml', text: `${host}/fixtures/oci-image:1.0`, digest: f.ociImage.digest },
    prodWorker: {
      file: 'stack/compose.prod.yaml',
      text: `${host}/fixtures/docker-image:1.0`,
      digest: f.dockerImage.digest,
    },
  } satisfies Record<string, Pin>;
}

/** The bytes of `file` once `applied` pins are written, everything else as generated. */
function expectedBytes(workspace: Workspace, file: string, applied: Pin[]): Buffer {
  const original = workspace.original.get(file);
  if (!original) throw new Error(`no fixture file ${file}`);
  const text = applied
    .filter((pin) => pin.file === file)
    .reduce((t, pin) => replaceOnce(t, pin.text, `${pin.text}@${pin.digest}`), original.toString('utf8'));
  return Buffer.from(text, 'utf8');
}

/** Waits until the file on disk is exactly `expected` (saving is asynchronous), else fails with both texts. */
async function expectFile(workspace: Workspace, file: string, expected: Buffer): Promise<void> {
  await waitUntil(
    `${file} on disk to read as expected`,
    async () => (workspace.read(file).equals(expected) ? true : undefined),
    {
      timeoutMs: 10_000,
      seen: async () =>
        `\n--- expected ${file} ---\n${expected.toString('utf8')}\n--- on disk ---\n${workspace.read(file).toString('utf8')}`,
    },
  );
}

/** Opens the file, checks the squiggle and counts, pins the reference with its quick fix, saves, checks the bytes. */
async function pinWithQuickFix(
  context: ScenarioContext,
  pin: Pin,
  options: {
    quickFixes: string[];
    problemsBefore: { errors: number; warnings: number; infos: number };
    problemsAfter: { errors: number; warnings: number; infos: number };
    /** The pinned line as the editor shows it. */
    pinnedLine: string;
    shotPrefix: string;
    docs?: boolean;
  },
): Promise<void> {
  const { wb, session } = context;
  const before = session.workspace.read(pin.file);
  assert.ok(
    before.equals(expectedBytes(session.workspace, pin.file, [])),
    `${pin.file} is not as generated: an earlier scenario changed it`,
  );
  await wb.waitForSquiggleUnder(pin.text, 'warning');
  await wb.waitForProblems(options.problemsBefore);

  await wb.dismiss();
  await wb.cursorInto(pin.text);
  const titles = await wb.quickFixes();
  assert.deepEqual(titles, options.quickFixes, `quick fixes offered on ${pin.text}`);
  const menu = context.wb.page.locator('.action-widget');
  const line = context.wb.page.locator('.part.editor .view-line', { hasText: pin.text }).first();
  await context.shot(
    `${options.shotPrefix}-quick-fix`,
    options.docs ? { file: 'quick-fix.png', around: [menu, line] } : undefined,
  );
  await wb.chooseQuickFix(options.quickFixes[0]!);

  await wb.waitForLine(options.pinnedLine);
  await waitUntil(
    `the squiggle under ${pin.text} to go`,
    async () => ((await wb.squigglesOnLine(options.pinnedLine)).length === 0 ? true : undefined),
    {
      seen: async () => JSON.stringify(await wb.squigglesOnLine(options.pinnedLine)),
    },
  );
  await wb.waitForProblems(options.problemsAfter);
  await wb.save();
  await expectFile(session.workspace, pin.file, expectedBytes(session.workspace, pin.file, [pin]));
  await context.shot(`${options.shotPrefix}-pinned`);
}

export function scenarios(): Scenario[] {
  return [
    {
      id: 1,
      name: 'diagnostics',
      title: 'open a Dockerfile: a squiggle under the unpinned reference, and the Problems count',
      trust: 'trusted',
      template: 'trusted',
      async run(context) {
        const { wb, registry } = context;
        const p = pins(registry);
        const drift = `${registry.host}/fixtures/drift:latest@${registry.fixtures.drift.oldDigest}`;
        await wb.openFile('Dockerfile');
        await wb.waitForSquiggleUnder(p.dockerfile.text, 'warning');
        // The pin made 31 days before the tag moved, and more than 30 days ago: drift is a warning (stalenessDays).
        await wb.waitForSquiggleUnder(drift, 'warning');
        await wb.waitForProblems({ errors: 0, warnings: 2, infos: 0 });

        await wb.page.keyboard.press('Control+Shift+M');
        const rows = await waitUntil(
          'the Problems panel to list both findings',
          async () => {
            const shown = await wb.problemsPanelRows();
            return shown.some((row) => row.includes('unpinned')) && shown.some((row) => row.includes('tag-drift'))
              ? shown
              : undefined;
          },
          { seen: async () => JSON.stringify(await wb.problemsPanelRows()) },
        );
        const unpinned = `${p.dockerfile.text} is a mutable tag; pin it to its current digest ${short(p.dockerfile.digest)}`;
        assert.ok(
          rows.some((row) => row.includes(unpinned)),
          `a Problems row saying "${unpinned}": ${JSON.stringify(rows)}`,
        );
        const drifted = `${registry.host}/fixtures/drift:latest has moved on: the tag now points to ${short(registry.fixtures.drift.newDigest)}`;
        assert.ok(
          rows.some((row) => row.includes(drifted)),
          `a Problems row saying "${drifted}": ${JSON.stringify(rows)}`,
        );
        await context.shot('diagnostics-and-problems', { file: 'problems.png', window: { width: 1100, height: 520 } });
        await wb.page.keyboard.press('Control+J');
        await waitUntil('the panel to close', async () =>
          (await wb.page.locator('.part.panel').isVisible()) ? undefined : true,
        );

        // The extension asked the registry (through the proxy): the zero of the untrusted scenario means something.
        const { proxy } = await registry.requests();
        assert.ok(
          proxy.some((request) => / \/v2\/fixtures\/docker-image\/manifests\/1\.0$/.test(request)),
          `the registry was asked about docker-image:1.0: ${JSON.stringify(proxy)}`,
        );
      },
    },
    {
      id: 2,
      name: 'hover',
      title: 'hover: digest, age and drift text visible',
      trust: 'trusted',
      template: 'trusted',
      async run(context) {
        const { wb, registry } = context;
        const f = registry.fixtures;
        const p = pins(registry);
        await wb.openFile('Dockerfile');
        const unpinned = await wb.hover(p.dockerfile.text, 'Digest:');
        assert.match(
          unpinned,
          new RegExp(
            `Points to ${escape(short(f.dockerImage.digest))} now, published \\d+ (day|month|year)s? ago \\(2024-01-15\\)\\.`,
          ),
        );
        assert.ok(unpinned.includes(`Digest: ${f.dockerImage.digest}`), `the hover shows the full digest: ${unpinned}`);
        assert.ok(unpinned.includes('Platforms: linux/amd64'), `the hover shows the platform: ${unpinned}`);
        await context.shot('hover-digest');

        const drift = `${registry.host}/fixtures/drift:latest@${f.drift.oldDigest}`;
        const drifted = await wb.hover(drift, 'The tag has moved');
        assert.match(
          drifted,
          new RegExp(
            `Pinned to ${escape(short(f.drift.oldDigest))}, built \\d+ (day|month|year)s? ago \\(2024-01-01\\)\\.`,
          ),
        );
        assert.match(
          drifted,
          new RegExp(
            `The tag has moved to ${escape(short(f.drift.newDigest))}, built \\d+ (day|month|year)s? ago \\(2024-02-01\\); your pin is 31 days older\\.`,
          ),
        );
        assert.ok(
          drifted.includes(`Current digest: ${f.drift.newDigest}`),
          `the hover shows the current digest: ${drifted}`,
        );
        assert.ok(
          drifted.includes(`Pinned digest: ${f.drift.oldDigest}`),
          `the hover shows the pinned digest: ${drifted}`,
        );
        const hover = wb.page.locator('.monaco-hover:visible');
        const line = wb.page.locator('.part.editor .view-line', { hasText: drift }).first();
        await context.shot('hover-drift', { file: 'hover.png', around: [hover, line] });
        await wb.dismiss();

        // A release rebuilt under the same tag: what changed, and the newer versions of its line.
        const r = registry.release;
        const rebuilt = `${registry.host}/fixtures/release:2.4.0@${r.old}`;
        await wb.openFile('release/Dockerfile');
        // A hover is at most a quarter of the editor's height: a tall window shows this one whole for the picture.
        await wb.page.setViewportSize({ width: VIEWPORT.width, height: 2400 });
        const changed = await wb.hover(rebuilt, 'Newer:');
        assert.match(changed, /What changed: version 2\.4\.0 \(unchanged\)/, changed);
        assert.match(changed, /base image docker\.io\/library\/alpine:3\.20 updated/, changed);
        assert.match(changed, /source revision 1d3c5e7\w* → 7f9e1d3\w* \(compare\)/, changed);
        assert.match(
          changed,
          new RegExp(
            `Newer: 2\\.4\\.1 \\(patch\\) — ${escape(short(r.patch))} built .+; 2\\.5\\.0 \\(minor\\) — ${escape(short(r.minor))} built`,
          ),
          changed,
        );
        const releaseHover = wb.page.locator('.monaco-hover:visible');
        const releaseLine = wb.page.locator('.part.editor .view-line', { hasText: rebuilt }).first();
        await context.shot('hover-changes', { file: 'hover-changes.png', around: [releaseHover, releaseLine] });
        await wb.dismiss();
        await wb.page.setViewportSize(VIEWPORT);
        // The next scenario works on the Dockerfile alone (closed, the release's findings leave the status bar's counts).
        await wb.closeAllEditors();
        await wb.openFile('Dockerfile');
      },
    },
    {
      id: 3,
      name: 'quick-fix',
      title:
        'Ctrl+. → "Pin to digest": the line gains @sha256:…, the squiggle goes, the file is otherwise byte-identical',
      trust: 'trusted',
      template: 'trusted',
      async run(context) {
        const p = pins(context.registry).dockerfile;
        await context.wb.openFile('Dockerfile');
        await pinWithQuickFix(context, p, {
          quickFixes: [`Pin to digest (${short(p.digest)})`, 'Ignore this image'],
          problemsBefore: { errors: 0, warnings: 2, infos: 0 },
          problemsAfter: { errors: 0, warnings: 1, infos: 0 },
          pinnedLine: `FROM ${p.text}@${p.digest} AS build`,
          shotPrefix: 'dockerfile',
          docs: true,
        });
      },
    },
    {
      id: 4,
      name: 'compose-and-kubernetes',
      title: 'a compose file and a Kubernetes manifest: the same',
      trust: 'trusted',
      template: 'trusted',
      async run(context) {
        const { wb, registry } = context;
        const p = pins(registry);
        // One action per platform of the index (names normalised as containerd does: arm64/v8 is arm64).
        const [amd64, arm64] = registry.fixtures.ociIndex.children.map((child) => short(child.digest));
        const platforms = [`Pin to linux/amd64 digest (${amd64})`, `Pin to linux/arm64 digest (${arm64})`];

        await wb.closeAllEditors();
        await wb.openFile('compose.yaml');
        // The service that builds its own image: said once, as information, never pinned.
        await wb.waitForSquiggleUnder('example/app:dev', 'info');
        await pinWithQuickFix(context, p.compose, {
          quickFixes: [`Pin to digest (${short(p.compose.digest)})`, ...platforms, 'Ignore this image'],
          problemsBefore: { errors: 0, warnings: 1, infos: 1 },
          problemsAfter: { errors: 0, warnings: 0, infos: 1 },
          pinnedLine: `image: ${p.compose.text}@${p.compose.digest}   # multi-platform`,
          shotPrefix: 'compose',
        });

        await wb.closeAllEditors();
        await wb.openFile('k8s/deployment.yaml');
        await pinWithQuickFix(context, p.deployment, {
          quickFixes: [`Pin to digest (${short(p.deployment.digest)})`, 'Ignore this image'],
          problemsBefore: { errors: 0, warnings: 1, infos: 0 },
          problemsAfter: { errors: 0, warnings: 0, infos: 0 },
          pinnedLine: `image: '${p.deployment.text}@${p.deployment.digest}'`,
          shotPrefix: 'kubernetes',
        });
      },
    },
    {
      id: 5,
      name: 'pin-all',
      title: 'the command "Pin all images in workspace" with its progress and summary',
      trust: 'trusted',
      template: 'trusted',
      async run(context) {
        const { wb, registry, session } = context;
        const all = Object.values(pins(registry));
        const files = [...session.workspace.original.keys()];
        // What is still unpinned now (all of it when the earlier scenarios did not run).
        const remaining = all.filter(
          (pin) => !session.workspace.read(pin.file).toString('utf8').includes(`${pin.text}@`),
        );
        const touched = new Set(remaining.map((pin) => pin.file));
        assert.ok(remaining.length > 0, 'nothing left to pin');

        await wb.closeAllEditors();
        await wb.openFile('stack/compose.prod.yaml');
        await wb.waitForSquiggleUnder(pins(registry).prodWorker.text, 'warning');
        // Slow manifests: the progress notification stays up long enough to be seen (and photographed).
        const restore = registry.injectManifestFault(faults.latency(2500));
        try {
          await wb.runCommand('digest-pin: Pin all images in workspace');
          const progress = await wb.waitForToast('digest-pin: pinning images in the workspace', 10_000);
          await waitUntil('a progress bar in the notification', async () =>
            (await progress.locator('.monaco-progress-container.active').count()) > 0 ? true : undefined,
          );
          assert.ok(
            (await progress.locator('a.monaco-button', { hasText: 'Cancel' }).count()) === 1,
            'the progress notification can be cancelled',
          );
          await context.shot('pin-all-progress');
        } finally {
          restore();
        }

        const summary = `Pinned ${remaining.length} images in ${touched.size} files.`;
        const toast = await wb.waitForToast('Pinned ', 30_000);
        const message = (await toast.locator('.notification-list-item-message').innerText()).trim();
        assert.equal(message, summary, 'the summary notification');
        const pinnedLine = pins(registry).prodWorker;
        await wb.waitForLine(`image: ${pinnedLine.text}@${pinnedLine.digest} # same toolchain as the build`);
        await waitUntil('the pinned file in the editor to be saved', async () =>
          (await wb.page.locator('.part.editor .tab.active.dirty').count()) === 0 ? true : undefined,
        );
        await context.shot('pin-all-summary');

        for (const file of files)
          await expectFile(session.workspace, file, expectedBytes(session.workspace, file, all));
      },
    },
    {
      id: 6,
      name: 'untrusted',
      title: 'an untrusted workspace: static squiggles, and no registry request',
      trust: 'untrusted',
      template: 'untrusted',
      async run(context) {
        const { wb, registry, session } = context;
        const ref = `${registry.host}/fixtures/docker-image:1.0`;
        const drift = `${registry.host}/fixtures/drift:latest@${registry.fixtures.drift.oldDigest}`;
        await waitUntil('the Restricted Mode indicator', async () =>
          (await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).count()) > 0 ? true : undefined,
        );
        await wb.openFile('Dockerfile');
        await wb.waitForSquiggleUnder(ref, 'warning');
        await wb.waitForProblems({ errors: 0, warnings: 1, infos: 0 });
        await waitUntil('the digest-pin status item to say restricted', async () =>
          (await wb.page.locator('.statusbar-item', { hasText: 'digest-pin: restricted' }).count()) > 0
            ? true
            : undefined,
        );
        // Whether a pin has drifted needs the registry: nothing is said about it here.
        assert.deepEqual(await wb.squigglesOnLine(drift), [], 'no squiggle on the pinned line');

        const hover = await wb.hover(ref, 'Registry checks are off');
        assert.ok(hover.includes('Registry checks are off: this workspace is not trusted.'), hover);
        assert.ok(!hover.includes('Digest:'), `no digest in an untrusted hover: ${hover}`);
        await context.shot('untrusted-hover');
        await wb.dismiss();

        await wb.cursorInto(ref);
        assert.deepEqual(await wb.quickFixes(), ['Ignore this image'], 'only the offline quick fix');
        await wb.dismiss();

        await wb.runCommand('digest-pin: Pin all images in workspace');
        await wb.waitForToast('digest-pin asks registries only in a trusted workspace, so it cannot pin images here.');
        await context.shot('untrusted-pin-all-refused');

        const requests = await registry.requests();
        assert.deepEqual(requests.proxy, [], 'requests through the proxy');
        assert.equal(requests.registry, 0, 'requests in the registry access log');
        for (const file of session.workspace.original.keys()) {
          assert.ok(session.workspace.read(file).equals(session.workspace.original.get(file)!), `${file} is unchanged`);
        }
      },
    },
  ];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
