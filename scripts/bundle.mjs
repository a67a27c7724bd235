// Bundles the CLI/server and the VS Code client into single CommonJS files that run on Node 20 and 22.
// --vscode-suite: also the extension-host test suite (test/vscode → out/test/vscode: index.js plus one file per
// *.test.ts, `vscode` and `mocha` left to the extension host and the repo's node_modules).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

const builds = [
  build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  // The language server alone (the VS Code client starts it over IPC; any editor over --stdio).
  build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
];

if (process.argv.includes('--vscode-suite')) {
  const suiteDir = 'test/vscode';
  const tests = readdirSync(suiteDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.startsWith('fixtures'))
    .map((file) => join(suiteDir, file));
  // Start clean: a stale *.test.js whose source is gone would still run.
  rmSync('out/test/vscode', { recursive: true, force: true });
  builds.push(build({
    ...common,
    entryPoints: [join(suiteDir, 'index.ts'), ...tests],
    outdir: 'out/test/vscode',
    outbase: suiteDir,
    external: ['vscode', 'mocha'],
    minify: false, // readable stack traces in test failures
  }));
}

await Promise.all(builds);
