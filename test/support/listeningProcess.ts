// A server process for tests: spawned in its own process group (dying with us even on SIGKILL, via util-linux's
// setpriv), its output kept as a tail and passed on line by line, started once a line matches `listening`.
// code-server (test/e2e/codeServerProcess.ts) and VS Code's bare server (vscodeServer.ts) both start this way.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onProcessExit } from '../integration/support/exitHooks';

export interface ListeningOptions {
  /** For messages: "code-server", "the server". */
  name: string;
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The line that says the server listens; its match is returned. */
  listening: RegExp;
  onOutput?: (line: string) => void;
  startTimeoutMs: number;
}

export interface ListeningProcess {
  match: RegExpExecArray;
  /** Resolves when the process exits (exit code or signal name). */
  exited: Promise<string>;
  outputTail(): string;
  /** SIGTERM to the group, SIGKILL after 5 s; then SIGKILL for children that outlived it (they share its group). */
  stop(): Promise<void>;
}

const TAIL_CHARS = 8000;
const SETPRIV = '/usr/bin/setpriv';

export async function startListening(options: ListeningOptions): Promise<ListeningProcess> {
  const [command, ...args] = existsSync(SETPRIV)
    ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...options.argv]
    : options.argv;
  const child = spawn(command!, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const removeHook = onProcessExit(() => killGroup(child, 'SIGKILL'));

  let tail = '';
  let resolveMatch: (match: RegExpExecArray) => void = () => {};
  const matched = new Promise<RegExpExecArray>((resolve) => (resolveMatch = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-TAIL_CHARS);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const match = options.listening.exec(line);
        if (match) resolveMatch(match);
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
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
      ]);
      clearTimeout(timer);
      if (!stopped) killGroup(child, 'SIGKILL');
    }
    killGroup(child, 'SIGKILL');
    await exited;
  };

  let timer: NodeJS.Timeout | undefined;
  const started = await Promise.race([
    matched,
    exited.then((how) => `${options.name} stopped before listening (${how})`),
    new Promise<string>(
      (resolve) =>
        (timer = setTimeout(
          () => resolve(`${options.name} did not listen within ${options.startTimeoutMs / 1000} s`),
          options.startTimeoutMs,
        )),
    ),
  ]);
  clearTimeout(timer);
  if (typeof started === 'string') {
    await stop();
    throw new Error(`${started}\n--- ${options.name} output ---\n${tail}`);
  }
  return { match: started, exited, outputTail: () => tail, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
