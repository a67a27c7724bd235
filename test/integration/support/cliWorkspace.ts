// What the end-to-end CLI tests share: a temp folder that is removed afterwards, an empty Docker config (no
// credentials from the machine), none of the machine's certs.d directories, a cache under the temp folder, workspaces
// written from a table of files, and the built CLI run in them. useSeededCli() adds the seeded registry behind the counting proxy.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { ensureBuilt, runCli, type Run } from '../cliRun';
import type { FaultProxy } from './faultProxy';
import { startSeededSetup, type SeededSetup } from './setup';

/** A file's text, or its text and mode. */
export type FileSpec = string | { text: string; mode?: number };

export interface CliWorkspace {
  readonly tmp: string;
  readonly dockerConfig: string;
  /** The built CLI in `cwd`, with the empty Docker config and the temp cache. */
  cli(cwd: string, ...args: string[]): Promise<Run>;
  /** A folder `name` in the temp folder holding `files` (paths relative to it, folders made as needed). */
  workspace(name: string, files: Record<string, FileSpec>): string;
  read(dir: string, path: string): string;
  dispose(): void;
}

export function cliWorkspace(prefix: string): CliWorkspace {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const dockerConfig = join(tmp, 'docker');
  mkdirSync(dockerConfig);
  writeFileSync(join(dockerConfig, 'config.json'), '{}\n');
  return {
    tmp,
    dockerConfig,
    cli: (cwd, ...args) =>
      runCli(cwd, args, {
        env: {
          DOCKER_CONFIG: dockerConfig,
          XDG_CACHE_HOME: join(tmp, 'cache-home'),
          // no certs.d of the machine's (/etc/docker/certs.d, ~/.docker/certs.d): an empty, absent directory
          DIGEST_PIN_CERTS_DIRS: join(tmp, 'certs.d'),
        },
      }),
    workspace(name, files) {
      const dir = join(tmp, name);
      for (const [path, spec] of Object.entries(files)) {
        const { text, mode } = typeof spec === 'string' ? { text: spec, mode: undefined } : spec;
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), text);
        if (mode !== undefined) chmodSync(join(dir, path), mode);
      }
      return dir;
    },
    read: (dir, path) => readFileSync(join(dir, path), 'utf8'),
    dispose: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

export interface SeededCli {
  readonly ws: CliWorkspace;
  readonly setup: SeededSetup;
  readonly proxy: FaultProxy;
  /** host:port of the registry, as references name it. */
  readonly host: string;
}

/** Registers the hooks of a test file: the CLI built, a workspace, the seeded registry behind a proxy cleared per test. */
export function useSeededCli(prefix: string): SeededCli {
  let ws: CliWorkspace | undefined;
  let setup: SeededSetup | undefined;
  before(async () => {
    ensureBuilt();
    ws = cliWorkspace(prefix);
    setup = await startSeededSetup({ proxy: true });
  });
  after(async () => {
    await setup?.stop();
    ws?.dispose();
  });
  beforeEach(() => setup?.proxy?.clearLog());
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is used before the before() hook ran`);
    return value;
  };
  return {
    get ws() {
      return ready(ws, 'the workspace');
    },
    get setup() {
      return ready(setup, 'the registry');
    },
    get proxy() {
      return ready(setup?.proxy, 'the proxy');
    },
    get host() {
      return ready(setup, 'the registry').host;
    },
  };
}
