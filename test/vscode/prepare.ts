// What both runners set up before VS Code starts: the built extension and suite, a throw-away copy of the fixture
// workspace, and user settings in a fresh user-data dir.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SUITE_ENV, type SuiteTrust } from './env';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** The suite as VS Code loads it: bundled by `node scripts/bundle.mjs --vscode-suite`. */
export const SUITE_INDEX = join(REPO_ROOT, 'out', 'test', 'vscode', 'index.js');
const FIXTURE_WORKSPACE = join(REPO_ROOT, 'test', 'vscode', 'fixtures', 'workspace');

/** Undefined when the extension and the suite are built; otherwise what is missing and how to build it. */
export function missingBuild(): string | undefined {
  const missing = [join(REPO_ROOT, 'dist', 'client.js'), SUITE_INDEX].filter((path) => !existsSync(path));
  if (missing.length === 0) return undefined;
  return (
    `not built: ${missing.join(', ')}\n  run \`node scripts/bundle.mjs --vscode-suite\` first ` +
    '(`npm run test:vscode` and `npm run test:vscode:code-server` do)'
  );
}

export interface RunDirs {
  /** Temp root holding everything below; remove() deletes it. */
  root: string;
  /** A copy of test/vscode/fixtures/workspace, so tests may edit and save files. */
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  remove(): void;
}

export function userSettings(trust: SuiteTrust): Record<string, unknown> {
  return {
    // With trust enabled, test mode refuses the trust dialog: the folder stays restricted (the untrusted runs).
    'security.workspace.trust.enabled': trust === 'untrusted',
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.enableExperiments': false,
    'workbench.tips.enabled': false,
    'git.enabled': false,
  };
}

/**
 * A fresh temp root with a copy of the fixture workspace (placeholders such as `__REGISTRY__` replaced: see
 * workspaceSubstitutions in env.ts), user settings and an empty extensions dir.
 */
export function prepareRunDirs(
  trust: SuiteTrust,
  substitutions: Record<string, string> = {},
  parent = tmpdir(),
): RunDirs {
  const root = mkdtempSync(join(parent, `digest-pin-vscode-${trust}-`));
  const workspace = join(root, 'workspace');
  cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
  substitute(workspace, substitutions);
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir);
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings(trust), null, 2) + '\n');
  return { root, workspace, userDataDir, extensionsDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

function substitute(dir: string, substitutions: Record<string, string>): void {
  const entries = Object.entries(substitutions);
  if (entries.length === 0) return;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const text = readFileSync(path, 'utf8');
    const replaced = entries.reduce((t, [from, to]) => t.replaceAll(from, to), text);
    if (replaced !== text) writeFileSync(path, replaced);
  }
}

/** The extension host's environment additions: what the suite reads (see env.ts). */
export function suiteEnv(trust: SuiteTrust, grep: string | undefined): Record<string, string> {
  return { [SUITE_ENV.trust]: trust, ...(grep ? { [SUITE_ENV.grep]: grep } : {}) };
}
