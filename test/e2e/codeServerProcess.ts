// code-server itself (out/node/entry.js of the cached install), as a person runs it: `--auth none` on a loopback
// port, with its own user-data and extensions dirs; plus its `--install-extension` for the packaged .vsix.
// (test/support/vscodeServer.ts starts VS Code's bare server for the extension-host suite; this is the product a
// user opens in a browser.)
import { spawn } from 'node:child_process';
import type { CodeServerInstall } from '../support/codeServer';
import { startListening } from '../support/listeningProcess';

export interface CodeServerDirs {
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own config.yaml: without `--config` it writes one into ~/.config/code-server. */
  configFile: string;
}

export interface CodeServerOptions extends CodeServerDirs {
  install: CodeServerInstall;
  /** The folder the window opens. */
  workspace: string;
  /** Added to the server's environment, which the extension host and the language server inherit. */
  env?: Record<string, string>;
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Resolves when the server exits (exit code or signal). */
  exited: Promise<string>;
  outputTail(): string;
  stop(): Promise<void>;
}

const LISTENING = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** Environment for every code-server process: nothing is looked up on the internet or in the user's own config. */
export function quietEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, EXTENSIONS_GALLERY: '{}', ...extra };
}

/** `code-server --install-extension <vsix>`: offline, into `dirs.extensionsDir`; rejects with code-server's output. */
export async function installExtension(install: CodeServerInstall, vsix: string, dirs: CodeServerDirs): Promise<void> {
  const args = [install.entry, '--install-extension', vsix, '--force', ...dirArgs(dirs)];
  const { code, output } = await runToEnd(process.execPath, args, install.root);
  if (code !== 0 || !/was successfully installed/.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${code}):\n${output}`);
  }
}

function dirArgs(dirs: CodeServerDirs): string[] {
  return ['--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--config', dirs.configFile];
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const argv = [
    process.execPath,
    options.install.entry,
    '--auth',
    'none',
    '--bind-addr',
    '127.0.0.1:0', // 0: code-server picks a free port and prints it
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...dirArgs(options),
    options.workspace,
  ];
  // Own process group: stop() signals code-server and everything it forked (extension host, language server, pty host).
  const server = await startListening({
    name: 'code-server',
    argv,
    cwd: options.install.root,
    env: quietEnv(options.env),
    listening: LISTENING,
    onOutput: options.onOutput,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
  });
  return { url: server.match[1]!, exited: server.exited, outputTail: server.outputTail, stop: server.stop };
}

function runToEnd(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { cwd, env: quietEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error) => resolve({ code: null, output: `${output}${error.message}` }));
    child.once('close', (code) => resolve({ code, output }));
  });
}
