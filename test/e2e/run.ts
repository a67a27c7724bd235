// Screen-level tests: the packaged .vsix installed into code-server (the real VS Code 1.100.3 from its npm
// tarball, cached by test/support/codeServer.ts), a seeded real registry behind the fault proxy, and Debian's
// chromium driven by playwright-core. Scenarios are in scenarios.ts; screenshots go to test/e2e/artifacts/.
//
//   node --import tsx test/e2e/run.ts [options]         (npm run test:e2e)
//     --only <ids>      run only these scenarios, e.g. --only 1,3 (also ones marked skip, to see whether they pass now)
//     --vsix <path>     install this .vsix instead of packaging one (`npm run package`)
//     --docs            also write the README's small screenshots into docs/ (npm run screenshots)
//     --keep            keep the temp dir (workspaces, user data, logs) even when everything passed
//     --verbose         print code-server's output and the browser console
//     --timeout <s>     limit per scenario (default 120)
// The last line is always `e2e: N passed, N failed` (plus skipped, when any).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Locator } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { ensureCodeServer } from '../support/codeServer';
import { startE2ERegistry, type E2ERegistry } from './registry';
import { scenarios, type DocsShot, type Scenario } from './scenarios';
import { openSession, VIEWPORT, type Session, type Trust } from './session';
import { packageVsix } from './vsix';
import { waitUntil, Workbench } from './workbench';

const REPO_ROOT = resolve(__dirname, '..', '..');
export const ARTIFACTS = join(__dirname, 'artifacts');
const DOCS = join(REPO_ROOT, 'docs');

interface Outcome {
  scenario: Scenario;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  message?: string;
}

interface Options {
  only: Set<number> | undefined;
  vsix: string | undefined;
  docs: boolean;
  keep: boolean;
  verbose: boolean;
  timeoutMs: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(options: Options): Promise<Outcome[]> {
  const started = Date.now();
  const timings: string[] = [];
  const time = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const at = Date.now();
    const value = await work();
    timings.push(`${what} ${seconds(Date.now() - at)}`);
    return value;
  };
  const selected = scenarios().filter((s) => !options.only || options.only.has(s.id));
  if (selected.length === 0)
    throw new Error(
      `--only matches no scenario (there are ${scenarios()
        .map((s) => s.id)
        .join(', ')})`,
    );

  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  if (options.docs) mkdirSync(DOCS, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'digest-pin-e2e-'));
  const outcomes: Outcome[] = [];
  let registry: E2ERegistry | undefined;
  let browser: Browser | undefined;
  try {
    const install = await time('code-server', () => ensureCodeServer());
    const vsix = options.vsix ?? (await time('package', () => packageVsix(REPO_ROOT, root)));
    registry = await time('registry', () => startE2ERegistry());
    browser = await time('chromium', () => launchChromium());
    console.log(`[e2e] ${vsix} into code-server ${install.root}; registry ${registry.host}`);

    for (const trust of ['trusted', 'untrusted'] as const) {
      const group = selected.filter((s) => s.trust === trust);
      if (group.length === 0) continue;
      // Counting starts here: the untrusted window must cause no request at all.
      await registry.reset();
      outcomes.push(...(await runWindow(trust, group, { registry, browser, install, vsix, root, options, time })));
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await registry?.stop();
    const clean = outcomes.length === selected.length && outcomes.every((o) => o.status !== 'failed');
    if (clean && !options.keep) rmSync(root, { recursive: true, force: true });
    else console.log(`[e2e] kept ${root} (workspaces, user-data/logs)`);
    console.log(`[e2e] timings: ${[...timings, `total ${seconds(Date.now() - started)}`].join(', ')}`);
  }
  return outcomes;
}

interface WindowContext {
  registry: E2ERegistry;
  browser: Browser;
  install: Awaited<ReturnType<typeof ensureCodeServer>>;
  vsix: string;
  root: string;
  options: Options;
  time: <T>(what: string, work: () => Promise<T>) => Promise<T>;
}

async function runWindow(trust: Trust, group: Scenario[], context: WindowContext): Promise<Outcome[]> {
  const { registry, options } = context;
  const template = group[0]!.template;
  let session: Session;
  try {
    session = await context.time(`${trust} window`, () =>
      openSession({
        install: context.install,
        vsix: context.vsix,
        browser: context.browser,
        template,
        trust,
        substitutions: registry.substitutions,
        parentDir: context.root,
        verbose: options.verbose,
      }),
    );
  } catch (error) {
    const message = `the ${trust} window did not open: ${error instanceof Error ? error.message : String(error)}`;
    return group.map((scenario) => report({ scenario, status: 'failed', ms: 0, message }));
  }
  const outcomes: Outcome[] = [];
  try {
    const wb = new Workbench(session.page);
    await wb.prepare();
    let abandoned: string | undefined;
    for (const scenario of group) {
      if (scenario.skip !== undefined && !options.only?.has(scenario.id)) {
        outcomes.push(report({ scenario, status: 'skipped', ms: 0, message: scenario.skip }));
        continue;
      }
      const at = Date.now();
      const shot = async (name: string, docs?: DocsShot) => {
        await session.page.screenshot({ path: join(ARTIFACTS, `${scenario.id}-${name}.png`) });
        if (docs && options.docs) await docsShot(session, docs);
      };
      if (abandoned !== undefined) {
        outcomes.push(report({ scenario, status: 'failed', ms: 0, message: `not run: ${abandoned}` }));
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          scenario.run({ wb, session, registry, shot }),
          new Promise<never>(
            (_, reject) =>
              (timer = setTimeout(() => {
                // The scenario may still be pressing keys in this window: the next ones would see its effects.
                abandoned = `scenario ${scenario.id} timed out and may still be running in this window`;
                reject(new Error(`the scenario took longer than ${options.timeoutMs / 1000} s`));
              }, options.timeoutMs)),
          ),
        ]);
        outcomes.push(report({ scenario, status: 'passed', ms: Date.now() - at }));
      } catch (error) {
        await session.page
          .screenshot({ path: join(ARTIFACTS, `${scenario.id}-${scenario.name}-FAILED.png`) })
          .catch(() => undefined);
        const message = error instanceof Error ? error.message : String(error);
        outcomes.push(report({ scenario, status: 'failed', ms: Date.now() - at, message }));
        const log = session.extensionLog();
        if (log) console.log(log);
        // No menu or hover left over for the next scenario.
        await wb.dismiss().catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    await session.close();
  }
  return outcomes;
}

/** A small picture for the README in docs/: a crop around some elements, or the window made small. */
async function docsShot(session: Session, docs: DocsShot): Promise<void> {
  const page = session.page;
  const path = join(DOCS, docs.file);
  if (docs.window) {
    const { width, height } = docs.window;
    await page.setViewportSize(docs.window);
    try {
      await waitUntil('the workbench to lay itself out again', async () => {
        const box = await page.locator('.monaco-workbench').boundingBox();
        return box && Math.round(box.width) === width && Math.round(box.height) === height ? true : undefined;
      });
      await page.screenshot({ path });
    } finally {
      await page.setViewportSize(VIEWPORT);
    }
    return;
  }
  const boxes = (
    await Promise.all((docs.around ?? []).map((locator: Locator) => locator.first().boundingBox()))
  ).filter((b) => b !== null);
  if (boxes.length === 0) throw new Error(`nothing to crop around for docs/${docs.file}`);
  const margin = 12;
  const left = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  const right = Math.min(VIEWPORT.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(VIEWPORT.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  await page.screenshot({ path, clip: { x: left, y: top, width: right - left, height: bottom - top } });
}

function report(outcome: Outcome): Outcome {
  const { scenario, status, ms, message } = outcome;
  const mark = status === 'passed' ? 'ok' : status === 'skipped' ? 'skip' : 'FAIL';
  console.log(`[e2e] ${mark} ${scenario.id} ${scenario.name} (${seconds(ms)}): ${scenario.title}`);
  if (message)
    console.log(
      message
        .split('\n')
        .map((line) => `      ${line}`)
        .join('\n'),
    );
  return outcome;
}

export function summaryLine(outcomes: Outcome[]): string {
  const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
  const skipped = count('skipped');
  return `e2e: ${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      vsix: { type: 'string' },
      docs: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '120' },
    },
  });
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new Error(`--timeout: expected seconds, got ${values.timeout}`);
  const only = values.only?.split(',').map((id) => Number(id.trim()));
  if (only?.some((id) => !Number.isInteger(id)))
    throw new Error(`--only: expected scenario numbers like 1,3, got ${values.only}`);
  return {
    only: only ? new Set(only) : undefined,
    vsix: values.vsix ? resolve(values.vsix) : undefined,
    docs: values.docs,
    keep: values.keep,
    verbose: values.verbose,
    timeoutMs: timeout * 1000,
  };
}

if (require.main === module) {
  let options: Options;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  main(options).then(
    (outcomes) => {
      console.log(summaryLine(outcomes));
      process.exit(outcomes.some((o) => o.status === 'failed') ? 1 : 0);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      console.log('e2e: did not finish — the runner failed (see the error above)');
      process.exit(1);
    },
  );
}
