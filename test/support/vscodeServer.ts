// VS Code's own server (lib/vscode/out/server-main.js of the code-server install) on a free loopback port, with no
// connection token: the browser side is playwright's chromium (test/support/chromium.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onProcessExit } from '../integration/support/exitHooks';
import type { CodeServerInstall } from './codeServer';

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
const TAIL_CHARS = 8000;
/** util-linux's setpriv: the server dies with us even when we are SIGKILLed and no exit hook runs. */
const SETPRIV = '/usr/bin/setpriv';

export async function startVSCodeServer(options: VSCodeServerOptions): Promise<VSCodeServer> {
  const argv = [
    process.execPath, options.install.serverMain,
    '--host', '127.0.0.1', '--port', '0', // 0: the server picks a free port and prints it
    '--without-connection-token', '--accept-server-license-terms',
    '--user-data-dir', options.userDataDir, '--extensions-dir', options.extensionsDir,
    '--disable-telemetry',
    // The extension host gets exactly this process's environment: without this flag VS Code replaces it with a
    // login shell's (whose profile may reset PATH and drop what a test put there).
    '--force-disable-user-env',
  ];
  const [command, ...args] = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...argv] : argv;
  // Own process group: stop() signals the server and everything it forked (extension host, pty host, watchers).
  const child = spawn(command!, args, {
    cwd: options.install.vscodeRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const removeHook = onProcessExit(() => killGroup(child, 'SIGKILL'));

  let tail = '';
  let resolvePort: (port: number) => void = () => {};
  const portSeen = new Promise<number>((resolve) => (resolvePort = resolve));
  const onLines = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-TAIL_CHARS);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const match = LISTENING.exec(line);
        if (match) resolvePort(Number(match[1]));
        options.onOutput?.(line);
      }
    });
  };
  onLines(child.stdout);
  onLines(child.stderr);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`));
  });
  let running = true;
  void exited.then(() => {
    running = false;
    removeHook();
  });

  const stop = async () => {
    if (!running) return;
    killGroup(child, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
    ]);
    clearTimeout(timer);
    if (!stopped) killGroup(child, 'SIGKILL');
    // Children that outlived the server (extension host) share its group.
    killGroup(child, 'SIGKILL');
    await exited;
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const started = await Promise.race([
    portSeen,
    exited.then((how) => `the server stopped before listening (${how})`),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`the server did not listen within ${timeoutMs / 1000} s`), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (typeof started === 'string') {
    await stop();
    throw new Error(`${started}\n--- server output ---\n${tail}`);
  }
  const port = started;
  const authority = `127.0.0.1:${port}`;
  return {
    port,
    authority,
    url: `http://${authority}`,
    remoteUri: (absolutePath) => `vscode-remote://${authority}${absolutePath}`,
    exited,
    outputTail: () => tail,
    stop,
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
