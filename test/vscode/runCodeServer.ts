// Runner B: the extension-host suite inside the real VS Code 1.100.3 that code-server's npm tarball carries — VS
// Code's own server plus Debian's chromium — so it runs where VS Code desktop cannot be downloaded (here, CI).
// The workbench gets the development extension and the suite through its `payload` query, runs the suite in the
// (server-side, Node) extension host, forwards its console to codeAutomationLog and ends with codeAutomationExit.
//
// Before VS Code starts, the runner starts the seeded registry the fixture workspace names (registry.ts) and runs the
// suite twice: trusted (trust disabled in the user settings), then untrusted (trust enabled: test mode refuses the
// trust dialog, so the folder opens restricted).
//
//   node scripts/bundle.mjs --vscode-suite && node --import tsx test/vscode/runCodeServer.ts [options]
//     --trust <mode>     trusted, untrusted or both (default)
//     --untrusted        the same as --trust untrusted
//     --grep <pattern>   run only the tests whose full title matches
//     --timeout <s>      hard limit for server + browser + suite (default 300)
//     --verbose          also print the server's output and the browser console
//     --keep             keep the temp dir (workspace copy, user data, logs) even when the suite passes
//     --packaged         test the .vsix `npm run package` made (digest-pin-<version>.vsix), installed by VS Code's own
//                        installer, instead of the repository (npm run test:vscode:packaged)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { format, parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { ensureCodeServer } from '../support/codeServer';
import { startVSCodeServer, type VSCodeServer } from '../support/vscodeServer';
import { workspaceSubstitutions, type SuiteTrust } from './env';
import { missingBuild, prepareRunDirs, REPO_ROOT, SUITE_INDEX, suiteEnv } from './prepare';
import { startSuiteRegistry } from './registry';

export interface CodeServerRunOptions {
  trust: SuiteTrust;
  /** The suite's entry (extensionTestsPath); default out/test/vscode/index.js. */
  testsPath?: string;
  grep?: string;
  timeoutMs?: number;
  verbose?: boolean;
  keep?: boolean;
  /** More environment for the VS Code server (the extension host and the language server inherit it). */
  env?: Record<string, string>;
  /** Placeholders to replace in the fixture workspace copy. */
  substitutions?: Record<string, string>;
  /** Where the run's temp dir goes (default: the OS temp dir). */
  parentDir?: string;
  /** The extension under test (extensionDevelopmentPath): default the repository. */
  extensionPath?: string;
}

export interface CodeServerRunResult {
  trust: SuiteTrust;
  /** The suite's exit code (0 passed, 1 failed), or 1 when it never finished. */
  exitCode: number;
  /** From the suite's `suite result:` line; undefined when it did not get that far. */
  counts?: { passed: number; failed: number; pending: number };
  /** Why the run ended without the suite's verdict (timeout, crash…). */
  problem?: string;
}

const RESULT_LINE = /suite result: (\d+) passed, (\d+) failed, (\d+) pending/;

/** Workbench chatter that says nothing about the suite (printed with --verbose). */
const HARMLESS = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(renderer-/,
  /^Updating additional builtin extensions cache$/,
  /^Ignoring fetching additional builtin extensions from gallery as it is disabled\.$/,
  /^ChatSessionStore: /,
  /Failed to register a ServiceWorker/, // code-server serves no service worker at this path; webviews still work
  /DialogService: refused to show dialog in tests\. Contents: Do you trust the authors/, // the untrusted run: expected
];

type Outcome = { kind: 'exit'; code: number } | { kind: 'problem'; message: string };

interface WebLog {
  relativePath: string;
  contents: string;
}

export async function runCodeServerSuite(options: CodeServerRunOptions): Promise<CodeServerRunResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const testsPath = options.testsPath ?? SUITE_INDEX;
  const install = await ensureCodeServer();
  const dirs = prepareRunDirs(options.trust, options.substitutions, options.parentDir);
  const say = (line: string) => console.log(`[vscode] ${line}`);
  let counts: CodeServerRunResult['counts'];
  let server: VSCodeServer | undefined;
  let browser: Browser | undefined;
  let outcome: Outcome = { kind: 'problem', message: 'not started' };
  let hardTimer: NodeJS.Timeout | undefined;
  // Set once the run is decided: a server or browser that finishes starting after that is stopped at once.
  let closing = false;

  try {
    const finished = new Promise<Outcome>((resolve) => {
      hardTimer = setTimeout(
        () =>
          resolve({
            kind: 'problem',
            message: `timed out after ${timeoutMs / 1000} s (the suite did not call back; see the log above)`,
          }),
        timeoutMs,
      );
      void (async () => {
        server = await startVSCodeServer({
          install,
          userDataDir: dirs.userDataDir,
          extensionsDir: dirs.extensionsDir,
          // No extension gallery: nothing to look up offline (code-server reads this variable).
          env: { ...options.env, ...suiteEnv(options.trust, options.grep), EXTENSIONS_GALLERY: '{}' },
          ...(options.verbose ? { onOutput: (line: string) => console.log(`[server] ${line}`) } : {}),
        });
        if (closing) return server.stop();
        say(`VS Code server on ${server.url} (code-server ${install.root})`);
        void server.exited.then((how) => resolve({ kind: 'problem', message: `the VS Code server stopped (${how})` }));

        browser = await launchChromium();
        if (closing) return closeQuietly(browser);
        browser.on('disconnected', () => resolve({ kind: 'problem', message: 'the browser closed' }));
        const page = await browser.newPage();
        page.on('crash', () => resolve({ kind: 'problem', message: 'the page crashed' }));
        if (options.verbose)
          page.on('console', (message) => console.log(`[browser] ${message.type()}: ${message.text()}`));
        page.on('pageerror', (error) => console.log(`[browser] page error: ${error.message}`));

        // Both before goto: the workbench looks for them once, at startup. codeAutomationLog gets the workbench's
        // log, the extension host's console among it, as (level, console.log-style arguments).
        await page.exposeFunction('codeAutomationLog', (level: string, args: unknown) => {
          const message = Array.isArray(args) ? format(...(args as unknown[])) : String(args);
          const match = RESULT_LINE.exec(message);
          if (match) counts = { passed: Number(match[1]), failed: Number(match[2]), pending: Number(match[3]) };
          if (!options.verbose && HARMLESS.some((pattern) => pattern.test(message))) return;
          console.log(level === 'info' ? message : `[${level}] ${message}`);
        });
        await page.exposeFunction('codeAutomationExit', (code: number, logs: WebLog[] = []) => {
          saveWebLogs(join(dirs.root, 'web-logs'), logs);
          resolve({ kind: 'exit', code });
        });

        const payload = [
          ['extensionDevelopmentPath', server.remoteUri(options.extensionPath ?? REPO_ROOT)],
          ['extensionTestsPath', server.remoteUri(testsPath)],
        ];
        const url = `${server.url}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
        say(
          `suite ${testsPath} in ${dirs.workspace} (${options.trust}${options.extensionPath ? `, extension ${options.extensionPath}` : ''})`,
        );
        await page.goto(url);
      })().catch((error: unknown) =>
        resolve({ kind: 'problem', message: error instanceof Error ? error.message : String(error) }),
      );
    });
    outcome = await finished;
  } finally {
    closing = true;
    clearTimeout(hardTimer);
    await closeQuietly(browser);
    const serverTail = server?.outputTail() ?? '';
    await server?.stop();
    if (outcome.kind === 'problem' && !options.verbose && serverTail)
      console.log(`--- VS Code server output (tail) ---\n${serverTail}`);
    const passed = outcome.kind === 'exit' && outcome.code === 0;
    if (!passed || options.verbose) printExtensionLogs(dirs.userDataDir);
    if (passed && !options.keep) dirs.remove();
    else say(`kept ${dirs.root} (workspace, user-data/logs: server and extension host, web-logs: workbench)`);
  }

  const trust = options.trust;
  if (outcome.kind === 'problem')
    return { trust, exitCode: 1, problem: outcome.message, ...(counts ? { counts } : {}) };
  return { trust, exitCode: outcome.code, ...(counts ? { counts } : {}) };
}

function saveWebLogs(dir: string, logs: WebLog[]): void {
  for (const log of logs) {
    const path = join(dir, log.relativePath);
    if (!path.startsWith(dir + '/')) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, log.contents);
  }
}

/** The extension's own log channels (logs/…/exthost1/digest-pin.digest-pin/…): what it said while the suite ran. */
function printExtensionLogs(userDataDir: string): void {
  const logs = join(userDataDir, 'logs');
  const files = existsSync(logs)
    ? readdirSync(logs, { recursive: true, encoding: 'utf8' })
        .filter((file) => /(^|\/)digest-pin\.digest-pin\/[^/]+\.log$/.test(file))
        .sort()
    : [];
  for (const file of files) console.log(`--- ${file} ---\n${readFileSync(join(logs, file), 'utf8').trimEnd()}`);
}

async function closeQuietly(browser: Browser | undefined): Promise<void> {
  try {
    await browser?.close();
  } catch {
    // Already gone.
  }
}

/** The closing line of one run (`npm test` ends with these): the suite's counts, or why there are none. */
export function summaryLine(result: CodeServerRunResult): string {
  const what = `vscode (${result.trust})`;
  if (result.problem !== undefined) return `${what}: did not finish — ${result.problem}`;
  if (!result.counts)
    return `${what}: the suite exited with ${result.exitCode} before reporting results (see the log above)`;
  const { passed, failed, pending } = result.counts;
  return `${what}: ${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`;
}

/**
 * Installs a .vsix with code-server's CLI (VS Code's own installer) into a scratch extensions dir under `root` and
 * returns the installed extension's folder.
 */
export async function installVsix(vsix: string, root: string): Promise<string> {
  const install = await ensureCodeServer();
  const extensionsDir = join(root, 'vsix', 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(join(root, 'vsix', 'user-data'), { recursive: true });
  const result = spawnSync(
    process.execPath,
    [
      install.entry,
      '--install-extension',
      vsix,
      '--extensions-dir',
      extensionsDir,
      '--user-data-dir',
      join(root, 'vsix', 'user-data'),
    ],
    { encoding: 'utf8' },
  );
  const folder = existsSync(extensionsDir)
    ? readdirSync(extensionsDir).find((name) => name.startsWith('digest-pin.digest-pin-'))
    : undefined;
  if (result.status !== 0 || !folder) throw new Error(`could not install ${vsix}: ${result.stdout}${result.stderr}`);
  return join(extensionsDir, folder);
}

/** Trusted, untrusted or both, against one seeded registry (counts and the helper log start afresh for each). */
export async function runModes(
  modes: SuiteTrust[],
  options: Omit<CodeServerRunOptions, 'trust' | 'env' | 'substitutions' | 'parentDir' | 'extensionPath'> & {
    vsix?: string;
  },
): Promise<CodeServerRunResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'digest-pin-vscode-'));
  const extensionPath = options.vsix ? await installVsix(options.vsix, root) : undefined;
  if (extensionPath) console.log(`[vscode] installed ${options.vsix} at ${extensionPath}`);
  const started = Date.now();
  const registry = await startSuiteRegistry(root);
  console.log(
    `[vscode] registry ${registry.registry.host} (token auth, fault proxy), control ${registry.registry.control} (${Date.now() - started} ms)`,
  );
  const results: CodeServerRunResult[] = [];
  try {
    for (const trust of modes) {
      registry.reset();
      const runStarted = Date.now();
      const result = await runCodeServerSuite({
        ...options,
        trust,
        env: registry.env,
        substitutions: workspaceSubstitutions(registry.registry),
        parentDir: root,
        ...(extensionPath ? { extensionPath } : {}),
      });
      const { registry: requests, token } = registry.counts();
      console.log(
        `[vscode] ${trust}: ${((Date.now() - runStarted) / 1000).toFixed(1)} s, ${requests} registry and ${token} token requests`,
      );
      results.push(result);
    }
  } finally {
    await registry.stop();
    if (results.length === modes.length && results.every((r) => r.exitCode === 0) && !options.keep)
      rmSync(root, { recursive: true, force: true });
  }
  return results;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      trust: { type: 'string', default: 'both' },
      untrusted: { type: 'boolean', default: false },
      grep: { type: 'string' },
      timeout: { type: 'string', default: '300' },
      verbose: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      packaged: { type: 'boolean', default: false },
    },
  });
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    console.error(`--timeout: expected seconds, got ${values.timeout}`);
    return 2;
  }
  const notBuilt = missingBuild();
  if (notBuilt) {
    console.error(notBuilt);
    return 2;
  }
  const trust = values.untrusted ? 'untrusted' : values.trust;
  const modes: SuiteTrust[] | undefined =
    trust === 'both' ? ['trusted', 'untrusted'] : trust === 'trusted' || trust === 'untrusted' ? [trust] : undefined;
  if (!modes) {
    console.error(`--trust: expected trusted, untrusted or both, got ${trust}`);
    return 2;
  }
  let vsix: string | undefined;
  if (values.packaged) {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    vsix = join(REPO_ROOT, `digest-pin-${version}.vsix`);
    if (!existsSync(vsix)) {
      console.error(`${vsix} does not exist: run npm run package first`);
      return 2;
    }
  }
  const results = await runModes(modes, {
    ...(vsix ? { vsix } : {}),
    timeoutMs: timeoutSeconds * 1000,
    verbose: values.verbose,
    keep: values.keep,
    ...(values.grep ? { grep: values.grep } : {}),
  });
  results.forEach((result) => console.log(summaryLine(result)));
  return results.every((result) => result.exitCode === 0) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      console.log('vscode: did not finish — the runner failed (see the error above)');
      process.exit(1);
    },
  );
}
