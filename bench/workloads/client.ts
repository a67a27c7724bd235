// Issue 4: the VS Code extension. Activation — loading dist/client.js and activate() until its language server
// (dist/server.js, a Node process over IPC) has answered `initialize`, then deactivate() — against the least any
// LanguageClient extension pays: a bare client starting a bare vscode-languageserver that answers `initialize` with
// no capabilities, bundled the same way. Both run in this process on a stand-in for the `vscode` module
// (clientHost.ts). And the .vsix `npm run package` makes, against its 1.5 MB budget (a size, not a time: a
// QuantityPrepared workload).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { formatBytes, type Workload } from '../workload';
import { extensionContext, hostEvents, installFakeVscode } from './clientHost';

const ROOT = resolve(__dirname, '..', '..');
const VSIX_BUDGET_BYTES = 1.5 * 1024 * 1024;

const BARE_SERVER = `
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
const connection = createConnection(ProposedFeatures.all);
connection.onInitialize(() => ({ capabilities: {} }));
connection.listen();
`;

const BARE_CLIENT = `
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
let client;
export async function activate(context) {
  const module = context.asAbsolutePath('dist/server.js');
  client = new LanguageClient('bare', 'bare', { run: { module, transport: TransportKind.ipc }, debug: { module, transport: TransportKind.ipc } },
    { documentSelector: [{ language: 'dockerfile' }] });
  await client.start();
}
export async function deactivate() {
  await client?.stop();
}
`;

interface Extension {
  activate(context: unknown): Promise<unknown>;
  deactivate(): Promise<unknown>;
}

/** Our bundles' esbuild options (scripts/bundle.mjs), for the bare pair. */
const BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
} as const;

/** Children of this process still running a language server bundle (none after a clean deactivate). */
function serverChildren(): string[] {
  const ps = spawnSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return (ps.stdout ?? '').split('\n').filter((line) => /dist\/server\.js/.test(line));
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** The extension bundle loaded afresh, as a new extension host loads it (CommonJS, hence require). */
function loadFresh(file: string): Extension {
  delete require.cache[file];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as Extension;
}

export const clientActivation: Workload = {
  name: 'client-activation',
  title:
    'VS Code extension activate() until its server has initialized, then deactivate() vs a bare LanguageClient start/stop',
  // At most twice what any language-server extension pays (measured 1.2–1.4× here; samples vary by ±20 %).
  target: 2,
  async setup() {
    const client = join(ROOT, 'dist', 'client.js');
    const missing = [client, join(ROOT, 'dist', 'server.js')].filter((file) => !existsSync(file));
    if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')} (npm run build)`);
    installFakeVscode();
    const dir = mkdtempSync(join(tmpdir(), 'digest-pin-bench-client-'));
    const bare = join(dir, 'bare');
    writeFileSync(join(dir, 'server.ts'), BARE_SERVER);
    writeFileSync(join(dir, 'client.ts'), BARE_CLIENT);
    // Resolved from this repository's node_modules, like our own bundles.
    await Promise.all([
      build({
        ...BUNDLE,
        entryPoints: [join(dir, 'server.ts')],
        outfile: join(bare, 'dist', 'server.js'),
        nodePaths: [join(ROOT, 'node_modules')],
      }),
      build({
        ...BUNDLE,
        entryPoints: [join(dir, 'client.ts')],
        outfile: join(bare, 'dist', 'client.js'),
        external: ['vscode'],
        nodePaths: [join(ROOT, 'node_modules')],
      }),
    ]);

    let storage = 0;
    /** One activation cycle of the extension in `extensionDir`, its bundle loaded afresh as a new host would. */
    const cycle = (extensionDir: string) => async () => {
      const extension = loadFresh(join(extensionDir, 'dist', 'client.js'));
      const { context, subscriptions } = extensionContext(extensionDir, join(dir, `storage-${storage++}`));
      await extension.activate(context);
      await extension.deactivate();
      subscriptions.forEach((s) => s.dispose());
    };
    const size = `client ${formatBytes(statSync(client).size)} + server ${formatBytes(statSync(join(ROOT, 'dist', 'server.js')).size)}; bare ${formatBytes(statSync(join(bare, 'dist', 'client.js')).size)} + ${formatBytes(statSync(join(bare, 'dist', 'server.js')).size)}`;

    return {
      size,
      baseline: { label: 'bare LanguageClient', run: cycle(bare) },
      subject: { label: 'digest-pin activate', run: cycle(ROOT) },
      async check() {
        // The server must really run and talk back: its first status notification reaches the status bar item.
        const extension = loadFresh(join(ROOT, 'dist', 'client.js'));
        const { context, subscriptions } = extensionContext(ROOT, join(dir, 'storage-check'));
        const before = hostEvents.statusItemUpdates;
        await extension.activate(context);
        const running = serverChildren().length;
        const deadline = Date.now() + 10_000;
        while (hostEvents.statusItemUpdates === before && Date.now() < deadline) await sleep(20);
        const statusSeen = hostEvents.statusItemUpdates > before;
        await extension.deactivate();
        subscriptions.forEach((s) => s.dispose());
        await sleep(200);
        const left = serverChildren();
        if (running !== 1) return `expected 1 language server process after activate, found ${running}`;
        if (!statusSeen) return 'the server sent no status within 10 s of activation';
        if (left.length > 0) return `the language server outlived deactivate(): ${left.join('; ')}`;
        return null;
      },
      teardown() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

interface VsceOptions {
  cwd: string;
  packagePath: string;
  dependencies: boolean;
}
type Pack = (options: VsceOptions) => Promise<{ packagePath: string; files: Array<{ path: string }> }>;

export const vsixSize: Workload = {
  name: 'vsix-size',
  title: '.vsix that npm run package makes (vsce, bundled JavaScript only) vs the 1.5 MB budget',
  target: 1,
  async setup() {
    const missing = ['dist/client.js', 'dist/server.js'].filter((file) => !existsSync(join(ROOT, file)));
    if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')} (npm run build)`);
    const dir = mkdtempSync(join(tmpdir(), 'digest-pin-bench-vsix-'));
    // vsce's own packer, without its prepublish build (the bench measures what is built).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { pack } = require('@vscode/vsce/out/package') as { pack: Pack };
    const log = console.log;
    console.log = () => undefined; // vsce prints the file tree
    let packed: Awaited<ReturnType<Pack>>;
    try {
      packed = await pack({ cwd: ROOT, packagePath: join(dir, 'digest-pin.vsix'), dependencies: false });
    } finally {
      console.log = log;
    }
    const bytes = statSync(packed.packagePath).size;
    const files = packed.files.map((f) => f.path);
    return {
      size: `${files.length} files, ${formatBytes(files.filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + statSync(join(ROOT, f.replace(/^extension\//, ''))).size, 0))} of JavaScript unpacked`,
      unit: 'bytes',
      baseline: { label: 'budget', value: VSIX_BUDGET_BYTES },
      subject: { label: 'digest-pin.vsix', value: bytes },
      check() {
        const extra = files.filter((f) => /\.(map|ts)$|node_modules|(^|\/)(src|test)\//.test(f));
        return extra.length > 0 ? `sources in the package: ${extra.join(', ')}` : null;
      },
      teardown() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
