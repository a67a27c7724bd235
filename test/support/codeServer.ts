// code-server from its npm tarball, built offline into a per-user cache: the real VS Code (server, workbench,
// extension host) for the extension-host suite (test/vscode) and the screen-level tests (test/e2e).
// `npm install code-server` does not work offline (its postinstall runs nested installs and @vscode/ripgrep downloads
// a binary), so this does the postinstall's work by hand. See /work/shared/design/e2e-code-server.md.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
/** The VS Code release inside that code-server: the extension's engines.vscode must accept it. */
export const VSCODE_VERSION = '1.100.3';

/** Debian packages the build and the tests need (.ci/run installs them). */
export const DEBIAN_PACKAGES = [
  'libkrb5-dev',
  'libx11-dev',
  'libxkbfile-dev',
  'libsecret-1-dev',
  'pkg-config',
  'ripgrep',
  'chromium',
];
/** What node-gyp compiles with; any install on PATH will do (Debian: g++ make python3). */
const BUILD_TOOLS = ['g++', 'make', 'python3'];

export interface CodeServerInstall {
  /** The unpacked code-server package (out/node/entry.js lives here). */
  root: string;
  /** VS Code inside it: lib/vscode. */
  vscodeRoot: string;
  /** VS Code's own server: `node <serverMain> --host … --port …`. */
  serverMain: string;
  /** code-server's CLI (`--auth none`, `--install-extension x.vsix`). */
  entry: string;
}

const MARKER = '.digest-pin-install.json';

interface Marker {
  version: string;
  /** Native modules are built for one Node ABI; another Node needs another build. */
  nodeModules: string;
  platform: string;
  arch: string;
}

function wantedMarker(): Marker {
  return {
    version: CODE_SERVER_VERSION,
    nodeModules: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
  };
}

export function codeServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cacheHome, 'digest-pin', `code-server-${CODE_SERVER_VERSION}`);
}

function installAt(root: string): CodeServerInstall {
  const vscodeRoot = join(root, 'lib', 'vscode');
  return {
    root,
    vscodeRoot,
    serverMain: join(vscodeRoot, 'out', 'server-main.js'),
    entry: join(root, 'out', 'node', 'entry.js'),
  };
}

function readMarker(root: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(join(root, MARKER), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

function sameMarker(a: Marker | undefined, b: Marker): boolean {
  return (
    a !== undefined &&
    a.version === b.version &&
    a.nodeModules === b.nodeModules &&
    a.platform === b.platform &&
    a.arch === b.arch
  );
}

export interface EnsureOptions {
  /** Progress lines; default: stdout with a `[code-server]` prefix. */
  log?: (line: string) => void;
  /** Cache directory; default `${XDG_CACHE_HOME:-~/.cache}/digest-pin/code-server-<version>`. */
  dir?: string;
}

/**
 * A complete code-server install, building it on first use. Idempotent and cheap when the cache is complete (one
 * marker file read); an interrupted install leaves only a `.partial-*` sibling, removed by the next call.
 */
export async function ensureCodeServer(options: EnsureOptions = {}): Promise<CodeServerInstall> {
  const dir = resolve(options.dir ?? codeServerCacheDir());
  const log = options.log ?? ((line: string) => console.log(`[code-server] ${line}`));
  const wanted = wantedMarker();
  if (sameMarker(readMarker(dir), wanted)) return installAt(dir);

  checkPrerequisites();
  if (process.versions.node.split('.')[0] !== '20') {
    log(
      `warning: code-server ${CODE_SERVER_VERSION} is made for Node 20 and this is ${process.version}; trying anyway`,
    );
  }
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  removeAbandonedPartials(parent, dir);
  const work = join(parent, `.${basenameOf(dir)}.partial-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(work);
  const logFile = join(work, 'install.log');
  const started = Date.now();
  const step = (what: string) => log(`${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (first run only; a few minutes; log: ${logFile})`);
  try {
    const root = join(work, 'package');
    const { vscodeRoot } = installAt(root);
    const env = installEnv();

    step('npm pack');
    await run('npm', ['pack', `code-server@${CODE_SERVER_VERSION}`, '--pack-destination', work], work, env, logFile);
    await run('tar', ['-xzf', `code-server-${CODE_SERVER_VERSION}.tgz`], work, env, logFile);
    rmSync(join(work, `code-server-${CODE_SERVER_VERSION}.tgz`));

    // --ignore-scripts everywhere: the scripts are the postinstall this replaces and downloads that fail offline.
    const npmInstall = ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
    step('npm install (code-server)');
    await run('npm', npmInstall, root, env, logFile);
    step('npm install (lib/vscode)');
    await run('npm', npmInstall, vscodeRoot, env, logFile);
    step('npm install (lib/vscode/extensions)');
    await run('npm', npmInstall, join(vscodeRoot, 'extensions'), env, logFile);

    const nodeGyp = nodeGypScript();
    const nodedir = nodeHeadersDir();
    const gypFlags = ['rebuild', '--jobs=max', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
    for (const addon of nativeAddons(join(vscodeRoot, 'node_modules'))) {
      step(`node-gyp rebuild ${addon.slice(vscodeRoot.length + 1)}`);
      await run(process.execPath, [nodeGyp, ...gypFlags], addon, env, logFile);
    }

    step('argon2 (node-pre-gyp --build-from-source)');
    const argon2 = join(root, 'node_modules', 'argon2');
    const preGyp = join(root, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
    // npm_config_node_gyp: the node-gyp node-pre-gyp drives (the same one as above).
    await run(
      process.execPath,
      [preGyp, 'rebuild', '--build-from-source', ...(nodedir ? [`--nodedir=${nodedir}`] : [])],
      argon2,
      { ...env, npm_config_node_gyp: nodeGyp },
      logFile,
    );

    // @vscode/ripgrep's postinstall downloads rg; Debian's is the same tool.
    const rgBin = join(vscodeRoot, 'node_modules', '@vscode', 'ripgrep', 'bin');
    mkdirSync(rgBin, { recursive: true });
    copyFileSync(which('rg')!, join(rgBin, 'rg'));
    chmodSync(join(rgBin, 'rg'), 0o755);
    // VS Code and extensions look for some modules in node_modules.asar (code-server's postinstall does the same).
    symlinkSync('node_modules', join(vscodeRoot, 'node_modules.asar'));

    step('checking the build');
    await run(process.execPath, [installAt(root).entry, '--version'], root, env, logFile);
    await run(process.execPath, ['-e', NATIVE_SMOKE], vscodeRoot, env, logFile);

    renameSync(logFile, join(root, '.digest-pin-install.log'));
    writeFileSync(join(root, MARKER), JSON.stringify(wanted, null, 2) + '\n');
    if (existsSync(dir)) {
      // A concurrent run finished first, or an incomplete/outdated install: replace it unless it is complete now.
      if (sameMarker(readMarker(dir), wanted)) {
        rmSync(work, { recursive: true, force: true });
        return installAt(dir);
      }
      rmSync(dir, { recursive: true, force: true });
    }
    renameSync(root, dir);
    rmSync(work, { recursive: true, force: true });
    step('done');
    return installAt(dir);
  } catch (error) {
    log(`install failed; kept ${work} for inspection (the next run removes it)`);
    throw error;
  }
}

/** Loads the native modules the server and extension host use, so a broken build fails here and not mid-test. */
const NATIVE_SMOKE = `
const { createRequire } = require('node:module');
const req = createRequire(process.cwd() + '/');
for (const name of ['node-pty', '@vscode/spdlog', '@parcel/watcher', 'native-watchdog', 'kerberos']) req(name);
`;

function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function checkPrerequisites(): void {
  if (process.platform !== 'linux')
    throw new Error(`ensureCodeServer: only Linux is supported here (this is ${process.platform})`);
  const dpkg = which('dpkg-query');
  const missing = [
    ...(dpkg
      ? DEBIAN_PACKAGES.filter(
          (name) =>
            !/install ok installed/.test(
              spawnSync(dpkg, ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout ?? '',
            ),
        )
      : ['rg', 'pkg-config'].filter((tool) => !which(tool))),
    ...BUILD_TOOLS.filter((tool) => !which(tool)),
  ];
  if (missing.length > 0) {
    throw new Error(
      `ensureCodeServer: missing: ${missing.join(' ')}\n  install them with: sudo apt-get install -y ` +
        `--no-install-recommends ${[...DEBIAN_PACKAGES, ...BUILD_TOOLS].join(' ')}   (or run .ci/run)`,
    );
  }
}

/** `.partial-<pid>-*` siblings left by installs whose process is gone. */
function removeAbandonedPartials(parent: string, dir: string): void {
  const prefix = `.${basenameOf(dir)}.partial-`;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
    rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Our own `npm run` context must not leak into the nested installs (they belong to another package). */
function installEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !key.startsWith('npm_package_') && !key.startsWith('npm_lifecycle_') && key !== 'npm_config_local_prefix',
    ),
  );
}

export function which(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** npm's own node-gyp (every npm carries one), so nothing else has to be installed. */
function nodeGypScript(): string {
  const candidates = [
    process.env['npm_config_node_gyp'],
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  const npm = which('npm');
  if (npm) {
    const real = spawnSync('readlink', ['-f', npm], { encoding: 'utf8' }).stdout.trim();
    if (real) candidates.push(join(dirname(real), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  const found = candidates.find((path): path is string => !!path && existsSync(path));
  if (!found)
    throw new Error(`ensureCodeServer: cannot find node-gyp (looked at ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

/** This Node's own headers (Debian's nodejs and the nodejs.org tarballs ship them), so node-gyp downloads nothing. */
function nodeHeadersDir(): string | undefined {
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : undefined;
}

/** Every package under node_modules (nested ones too) that builds a native addon with node-gyp. */
export function nativeAddons(nodeModules: string): string[] {
  const found: string[] = [];
  const visitPackages = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      const path = join(dir, entry);
      if (entry.startsWith('@')) {
        visitPackages(path);
        continue;
      }
      if (existsSync(join(path, 'binding.gyp'))) found.push(path);
      visitPackages(join(path, 'node_modules'));
    }
  };
  visitPackages(nodeModules);
  return found;
}

/** Runs a command, appending its output to the install log; on failure the error carries the log's tail. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const out = createWriteStream(logFile, { flags: 'a' });
    out.write(`\n$ (cd ${cwd} && ${command} ${args.join(' ')})\n`);
    let tail = '';
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      out.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-3000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => {
      out.end();
      reject(new Error(`ensureCodeServer: ${command} could not start: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      out.end();
      if (code === 0) resolvePromise();
      else
        reject(
          new Error(
            `ensureCodeServer: \`${command} ${args.join(' ')}\` in ${cwd} failed (${signal ?? `exit ${code}`}):\n${tail}`,
          ),
        );
    });
  });
}
