// Runner A: the extension-host suite in VS Code desktop through @vscode/test-electron, which downloads VS Code into
// .vscode-test/ (Linux CI also needs a display: xvfb-run). Where VS Code cannot be downloaded — this machine — the
// download fails within a bounded time and says to use runCodeServer.ts, which runs the same suite.
//
//   node scripts/bundle.mjs --vscode-suite && node --import tsx test/vscode/runTest.ts [options]
//     --vscode <version>   stable (default), insiders or e.g. 1.100.3; also VSCODE_TEST_VERSION
//     --grep <pattern>     run only the tests whose full title matches
//     --timeout <s>        hard limit for the test run once VS Code is there (default 300)
//   VSCODE_EXECUTABLE_PATH=<path to code>  use an installed VS Code instead of downloading one
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { workspaceSubstitutions } from './env';
import { missingBuild, prepareRunDirs, REPO_ROOT, SUITE_INDEX, suiteEnv } from './prepare';
import { startSuiteRegistry } from './registry';

/** Idle limit for the download (no bytes for this long), and the limit for the whole download. */
const DOWNLOAD_IDLE_MS = 20_000;
const DOWNLOAD_TOTAL_MS = 180_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      vscode: { type: 'string', default: process.env['VSCODE_TEST_VERSION'] ?? 'stable' },
      grep: { type: 'string' },
      timeout: { type: 'string', default: '300' },
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

  let executable = process.env['VSCODE_EXECUTABLE_PATH'];
  if (!executable) {
    try {
      console.log(`[vscode] VS Code ${values.vscode}: downloading into .vscode-test/ unless already there`);
      executable = await withTimeout(
        downloadAndUnzipVSCode({ version: values.vscode, timeout: DOWNLOAD_IDLE_MS }),
        DOWNLOAD_TOTAL_MS,
        'the download',
      );
    } catch (error) {
      console.error(
        `[vscode] could not get VS Code ${values.vscode}: ${message(error)}\n` +
          "  VS Code desktop cannot be downloaded from this machine. The same suite runs in code-server's VS Code:\n" +
          '    npm run test:vscode:code-server\n' +
          '  or point VSCODE_EXECUTABLE_PATH at an installed VS Code.',
      );
      return 1;
    }
  }

  // test-electron always adds --disable-workspace-trust, so this runner covers the trusted case only (the untrusted
  // tests are skipped); runCodeServer.ts runs both.
  const root = mkdtempSync(join(tmpdir(), 'digest-pin-vscode-'));
  const registry = await startSuiteRegistry(root);
  const dirs = prepareRunDirs('trusted', workspaceSubstitutions(registry.registry), root);
  try {
    const code = await withTimeout(
      runTests({
        vscodeExecutablePath: executable,
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath: SUITE_INDEX,
        extensionTestsEnv: { ...registry.env, ...suiteEnv('trusted', values.grep) },
        launchArgs: [dirs.workspace, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir],
      }),
      timeoutSeconds * 1000,
      'the test run',
    );
    if (code === 0) rmSync(root, { recursive: true, force: true });
    else console.error(`[vscode] kept ${root}`);
    return code;
  } catch (error) {
    console.error(`[vscode] ${message(error)} (kept ${root})`);
    return 1;
  } finally {
    await registry.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(message(error));
    process.exit(1);
  },
);
