// code-server itself (out/node/entry.js of the cached install), as a person runs it: `--auth none` on a loopback
// port, with its own user-data and extensions dirs; plus its `--install-extension` for the packaged .vsix.
// (test/support/vscodeServer.ts starts VS Code's bare server for the extension-host suite; this is the product a
// user opens in a browser.)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onProcessExit } from '../integration/support/exitHooks';
import type { CodeServerInstall } from '../support/codeServer';

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
const TAIL_CHARS = 8000;
/** util-linux's setpriv: code-server dies with us even when we are SIGKILLed and no exit hook runs. */
const SETPRIV = '/usr/bin/setpriv';

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
    process.execPath, options.install.entry,
    '--auth', 'none', '--bind-addr', '127.0.0.1:0', // 0: code-server picks a free port and prints it
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened',
    ...dirArgs(options),
    options.workspace,
  ];
  const [command, ...args] = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...argv] : argv;
  // Own process group: stop() signals code-server and everything it forked (extension host, language server, pty host).
  const child = spawn(command!, args, { cwd: options.install.root, env: quietEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const removeHook = onProcessExit(() => killGroup(child, 'SIGKILL'));

  let tail = '';
  let resolveUrl: (url: string) => void = () => {};
  const urlSeen = new Promise<string>((resolve) => (resolveUrl = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-TAIL_CHARS);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const match = LISTENING.exec(line);
        if (match) resolveUrl(match[1]!);
        options.onOutput?.(line);
      }
    });
  }
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
    if (running) {
      killGroup(child, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000)))]);
      clearTimeout(timer);
      if (!stopped) killGroup(child, 'SIGKILL');
    }
    // Children that outlived code-server (extension host, language server) share its group.
    killGroup(child, 'SIGKILL');
    await exited;
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const started = await Promise.race([
    urlSeen.then((url) => ({ url })),
    exited.then((how) => `code-server stopped before listening (${how})`),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`code-server did not listen within ${timeoutMs / 1000} s`), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (typeof started === 'string') {
    await stop();
    throw new Error(`${started}\n--- code-server output ---\n${tail}`);
  }
  return { url: started.url, exited, outputTail: () => tail, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
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

