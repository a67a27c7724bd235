// One window as a person has it: code-server with the packaged extension installed, a fresh user-data dir, a
// generated fixture workspace, and a chromium page on it with the workbench loaded.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CodeServerInstall } from '../support/codeServer';
import { userSettings } from '../vscode/prepare';
import { installExtension, startCodeServer, type CodeServer } from './codeServerProcess';
import { createWorkspace, type Workspace } from './workspace';

export type Trust = 'trusted' | 'untrusted';

export interface SessionOptions {
  install: CodeServerInstall;
  vsix: string;
  browser: Browser;
  /** Template folder under test/e2e/fixtures. */
  template: string;
  trust: Trust;
  substitutions: Record<string, string>;
  /** Parent of the session's temp dir. */
  parentDir: string;
  /** Added to code-server's environment (the extension host and language server inherit it). */
  env?: Record<string, string>;
  verbose?: boolean;
}

export interface Session {
  page: Page;
  workspace: Workspace;
  server: CodeServer;
  root: string;
  /** The extension's own log (digest-pin output channel and the language server's), for failure reports. */
  extensionLog(): string;
  close(): Promise<void>;
}

/** Screenshots are taken at this size; the README crops come from them. */
export const VIEWPORT = { width: 1280, height: 760 };

export function sessionSettings(trust: Trust): Record<string, unknown> {
  return {
    ...userSettings(trust),
    // Restricted mode without the modal "Do you trust the authors" prompt: the folder simply opens untrusted.
    ...(trust === 'untrusted'
      ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' }
      : {}),
    'editor.minimap.enabled': false,
    // No highlighted look-alikes of the word under the cursor in the screenshots.
    'editor.occurrencesHighlight': 'off',
    'editor.selectionHighlight': false,
    'workbench.tips.enabled': false,
    'files.autoSave': 'off',
    'chat.commandCenter.enabled': false,
    'workbench.layoutControl.enabled': false,
    'window.commandCenter': false,
    'extensions.ignoreRecommendations': true,
    // Hovers and quick fixes come up quickly; screenshots show them without waiting for the default delays.
    'editor.hover.delay': 150,
  };
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const root = mkdtempSync(join(options.parentDir, `${options.trust}-`));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const configFile = join(root, 'code-server.yaml');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir);
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    `${JSON.stringify(sessionSettings(options.trust), null, 2)}\n`,
  );
  // An empty Docker config: the user's own credentials and credential helpers stay out of the test.
  const dockerConfig = join(root, 'docker-config');
  mkdirSync(dockerConfig);
  writeFileSync(join(dockerConfig, 'config.json'), '{}\n');
  const workspace = createWorkspace(options.template, join(root, 'workspace'), options.substitutions);

  const dirs = { userDataDir, extensionsDir, configFile };
  await installExtension(options.install, options.vsix, dirs);

  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close().catch(() => undefined);
    await server?.stop();
  };
  try {
    server = await startCodeServer({
      install: options.install,
      ...dirs,
      workspace: workspace.dir,
      env: { DOCKER_CONFIG: dockerConfig, ...options.env },
      ...(options.verbose ? { onOutput: (line: string) => console.log(`[code-server] ${line}`) } : {}),
    });
    context = await options.browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    const page = await context.newPage();
    if (options.verbose) page.on('console', (message) => console.log(`[browser] ${message.type()}: ${message.text()}`));
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace.dir)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const running = server;
    return { page, workspace, server: running, root, extensionLog: () => extensionLog(userDataDir), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The extension host's logs of the digest-pin channels (digest-pin.digest-pin/*.log under logs/). */
function extensionLog(userDataDir: string): string {
  const logs = join(userDataDir, 'logs');
  let files: string[];
  try {
    files = readdirSync(logs, { recursive: true, encoding: 'utf8' })
      .filter((file) => /digest-pin\.digest-pin\/[^/]+\.log$/.test(file))
      .sort();
  } catch {
    return '';
  }
  return files.map((file) => `--- ${file} ---\n${readFileSync(join(logs, file), 'utf8').trimEnd()}`).join('\n');
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
