// Running the built CLI (dist/cli.js) as users and CI do, for the online integration tests. Asynchronous on purpose:
// the registry's fault proxy and token server live in this test process, and a synchronous spawn would block them.
import { spawn } from 'node:child_process';
import { CLI } from '../support/build';

export { CLI, ROOT, ensureBuilt } from '../support/build';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to (or, with undefined, removed from) the test process's environment. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/**
 * `node dist/cli.js …` in `cwd`. The environment never reaches the user's Docker config or registry cache unless a
 * test says so: DOCKER_CONFIG and XDG_CACHE_HOME must be given (an empty directory is fine).
 */
export function runCli(
  cwd: string,
  args: readonly string[],
  options: RunOptions & { env: { DOCKER_CONFIG: string; XDG_CACHE_HOME: string } & Record<string, string | undefined> },
): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.NO_COLOR;
  for (const [name, value] of Object.entries(options.env)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
  });
}
