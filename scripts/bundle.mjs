// Bundles the CLI/server and the VS Code client into single CommonJS files that run on Node 20 and 22.
// --vscode-suite: also the extension-host test suite (test/vscode → out/test/vscode: index.js plus one file per
// *.test.ts, `vscode` and `mocha` left to the extension host and the repo's node_modules).
// --action [DIR]: only the GitHub Action (server/src/action/main.ts → DIR/index.js, default action/dist), which is
// committed (a workflow runs it without a build step): `npm run build:action`, then commit action/dist/index.js.
// test/unit/action/bundle.test.ts rebuilds it into a temporary directory and fails when the committed one differs.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @sindresorhus/is (got's) makes two Intl.ListFormat objects when it loads, only to word the messages of failed
 * argument checks. Building them loads ICU's locale data: 6.4 MB more resident memory in every CLI and server
 * process (4.7 MB of mapped ICU data, 1.7 MB of heap), measured with plain `node -e`. Made on first use instead.
 * The build fails when the pattern is gone, so an upgrade that changes the module is noticed.
 */
const lazyListFormat = {
  name: 'lazy-intl-list-format',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      let found = 0;
      const patched = text.replace(/const (\w+) = new Intl\.ListFormat\(([^;]*)\);/g, (_, name, options) => {
        found++;
        return `const ${name} = lazyListFormat(() => new Intl.ListFormat(${options}));`;
      });
      if (found === 0)
        throw new Error(
          `${args.path}: no eager Intl.ListFormat left to defer; update scripts/bundle.mjs (lazyListFormat)`,
        );
      const helper =
        'function lazyListFormat(create) { let made; return { format: (list) => (made ??= create()).format(list) }; }';
      return { contents: `${patched}\n${helper}\n`, loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  // jsonc-parser's `main` is a UMD build whose factory takes `require` as a parameter: esbuild cannot see those
  // requires (./impl/…), so the bundle would fail at run time. Its ES module build bundles like any other.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [lazyListFormat],
};

const actionFlag = process.argv.indexOf('--action');
if (actionFlag >= 0) {
  const next = process.argv[actionFlag + 1];
  const outdir = next === undefined || next.startsWith('--') ? 'action/dist' : next;
  await build({ ...common, entryPoints: ['server/src/action/main.ts'], outfile: join(outdir, 'index.js') });
  process.exit(0);
}

const builds = [
  build({
    ...common,
    entryPoints: ['server/src/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  // The language server alone (the VS Code client starts it over IPC; any editor over --stdio).
  build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  // The language server's reader thread (lsp/reader.ts starts it from beside dist/server.js or dist/cli.js).
  build({ ...common, entryPoints: ['server/src/lsp/readerWorker.ts'], outfile: 'dist/reader.js' }),
];

if (process.argv.includes('--vscode-suite')) {
  const suiteDir = 'test/vscode';
  const tests = readdirSync(suiteDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.startsWith('fixtures'))
    .map((file) => join(suiteDir, file));
  // Start clean: a stale *.test.js whose source is gone would still run.
  rmSync('out/test/vscode', { recursive: true, force: true });
  builds.push(
    build({
      ...common,
      entryPoints: [join(suiteDir, 'index.ts'), ...tests],
      outdir: 'out/test/vscode',
      outbase: suiteDir,
      external: ['vscode', 'mocha'],
      minify: false, // readable stack traces in test failures
    }),
  );
}

await Promise.all(builds);
