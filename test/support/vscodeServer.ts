// VS Code's own server (lib/vscode/out/server-main.js of the code-server install) on a free loopback port, with no
// connection token: the browser side is playwright's chromium (test/support/chromium.ts).
import type { CodeServerInstall } from './codeServer';
import { startListening } from './listeningProcess';

export interface VSCodeServerOptions {
  install: CodeServerInstall;
  userDataDir: string;
  extensionsDir: string;
  /** Added to the server's environment, which its extension host inherits. */
  env?: Record<string, string>;
  /** Every line the server prints (default: kept for outputTail() only). */
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface VSCodeServer {
  port: number;
  /** `127.0.0.1:<port>`: the remote authority in `vscode-remote://` URIs. */
  authority: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `vscode-remote://127.0.0.1:<port><absolutePath>`: a path on this machine as the workbench addresses it. */
  remoteUri(absolutePath: string): string;
  /** Resolves when the server exits (with its exit code, or the signal's name). */
  exited: Promise<string>;
  outputTail(): string;
  stop(): Promise<void>;
}

const LISTENING = /Extension host agent listening on (\d+)/;

export async function startVSCodeServer(options: VSCodeServerOptions): Promise<VSCodeServer> {
  const argv = [
    process.execPath,
    options.install.serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    '0', // 0: the server picks a free port and prints it
    '--without-connection-token',
    '--accept-server-license-terms',
    '--user-data-dir',
    options.userDataDir,
    '--extensions-dir',
    options.extensionsDir,
    '--disable-telemetry',
    // The extension host gets exactly this process's environment: without this flag VS Code replaces it with a
    // login shell's (whose profile may reset PATH and drop what a test put there).
    '--force-disable-user-env',
  ];
  // Own process group: stop() signals the server and everything it forked (extension host, pty host, watchers).
  const server = await startListening({
    name: 'the server',
    argv,
    cwd: options.install.vscodeRoot,
    env: { ...process.env, ...options.env },
    listening: LISTENING,
    onOutput: options.onOutput,
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
  });
  const port = Number(server.match[1]);
  const authority = `127.0.0.1:${port}`;
  return {
    port,
    authority,
    url: `http://${authority}`,
    remoteUri: (absolutePath) => `vscode-remote://${authority}${absolutePath}`,
    exited: server.exited,
    outputTail: server.outputTail,
    stop: server.stop,
  };
}
