// package.json as VS Code reads it, and the .vsix `npm run package` makes from it: settings exactly as
// server/src/settings.ts defines them, commands, trust, grammars, icon, and a package holding only bundled JavaScript.
// The .vsix part packs dist/ as built (npm test builds first) with vsce's own packer, minus the prepublish build.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { COMMANDS } from '../../client/src/ids';
import { configurationContribution, SETTINGS } from '../../server/src/shared/settings';
import pkg from '../../package.json';

const ROOT = join(__dirname, '..', '..');
/** The budget for the .vsix. */
const VSIX_BUDGET_BYTES = 1.5 * 1024 * 1024;

interface Contributes {
  configuration: { title: string; properties: Record<string, Record<string, unknown>> };
  commands: Array<{ command: string; title: string; category: string }>;
}
const contributes = pkg.contributes as unknown as Contributes;

describe('package.json', () => {
  it('contributes.configuration is exactly what settings.ts defines (run scripts/sync-configuration.ts after a change)', () => {
    assert.deepEqual(contributes.configuration, configurationContribution());
  });

  it('every setting has a type, a default, a scope and a description', () => {
    const properties = Object.entries(contributes.configuration.properties);
    assert.equal(properties.length, Object.keys(SETTINGS).length);
    for (const [name, property] of properties) {
      assert.match(name, /^digestPin\.[a-zA-Z][a-zA-Z.-]*$/);
      assert.ok(
        ['boolean', 'string', 'integer', 'array', 'object'].includes(property['type'] as string),
        `${name}: type`,
      );
      assert.ok('default' in property, `${name}: default`);
      assert.ok(
        ['application', 'machine', 'window', 'resource'].includes(property['scope'] as string),
        `${name}: scope`,
      );
      const description = (property['description'] ?? property['markdownDescription']) as string | undefined;
      assert.ok(description && description.length > 10, `${name}: description`);
    }
  });

  it('names the settings the issue asks for, insecure registries at machine scope', () => {
    const names = Object.keys(contributes.configuration.properties);
    for (const name of [
      'enable',
      'severity.unpinned',
      'severity.latest',
      'severity.tag-drift',
      'ignore',
      'cacheTtlMinutes',
      'offline',
      'defaultPlatform',
      'pinStyle',
      'stalenessDays',
      'insecureRegistries',
      'registryMirrors',
      'concurrency',
      'timeoutMs',
      'trace.server',
    ]) {
      assert.ok(names.includes(`digestPin.${name}`), `digestPin.${name}`);
    }
    const properties = contributes.configuration.properties;
    assert.equal(properties['digestPin.insecureRegistries']?.['scope'], 'machine');
    assert.equal(properties['digestPin.registryMirrors']?.['scope'], 'machine');
    assert.deepEqual(properties['digestPin.pinStyle']?.['enum'], ['tag@digest', '@digest # tag']);
    assert.equal(properties['digestPin.pinStyle']?.['default'], 'tag@digest');
  });

  it('untrusted workspaces: limited support, registry settings restricted', () => {
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.deepEqual(untrusted.restrictedConfigurations, [
      'digestPin.insecureRegistries',
      'digestPin.registryMirrors',
      'digestPin.cacheTtlMinutes',
      'digestPin.concurrency',
      'digestPin.timeoutMs',
    ]);
    for (const name of untrusted.restrictedConfigurations)
      assert.ok(name in contributes.configuration.properties, name);
    assert.match(untrusted.description, /asks no registry and runs no Docker credential helper/);
  });

  it('commands: the six the client registers, in the digest-pin category', () => {
    assert.deepEqual(contributes.commands, [
      { command: COMMANDS.pinWorkspace, title: 'Pin all images in workspace', category: 'digest-pin' },
      { command: COMMANDS.updateWorkspace, title: 'Update drifted digests in workspace', category: 'digest-pin' },
      { command: COMMANDS.lockWorkspace, title: 'Lock all images in workspace', category: 'digest-pin' },
      { command: COMMANDS.updateLock, title: 'Update digest-pin.lock', category: 'digest-pin' },
      { command: COMMANDS.refresh, title: 'Refresh digests', category: 'digest-pin' },
      { command: COMMANDS.showOutput, title: 'Show output', category: 'digest-pin' },
    ]);
  });

  it('extension manifest fields', () => {
    assert.equal(pkg.main, './dist/client.js');
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    assert.deepEqual(pkg.categories, ['Linters', 'Other']);
    assert.ok(pkg.keywords.length >= 5 && pkg.keywords.length <= 30, 'keywords: the Marketplace takes at most 30');
    assert.equal(pkg.repository.url, 'https://github.com/digest-pin/digest-pin');
    assert.equal(pkg.license, 'MIT');
    assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/);
    // code-server 4.100.3 (the suite's VS Code) is 1.100.3; @types/vscode may not be newer than the engine.
    assert.equal(pkg.engines.vscode, '^1.91.0');
    assert.equal(pkg.devDependencies['@types/vscode'], '~1.91.0');
  });

  it('each injection grammar is selected in exactly the scopes it is injected into (devcontainer.json: JSONC)', () => {
    const grammars = (pkg.contributes as { grammars: Array<{ path: string; injectTo: string[] }> }).grammars;
    for (const grammar of grammars) {
      const file = JSON.parse(readFileSync(join(ROOT, grammar.path), 'utf8')) as { injectionSelector: string };
      const selected = file.injectionSelector.split(',').map((part) => /^\s*L:(\S+)/.exec(part)?.[1]);
      assert.deepEqual(selected, grammar.injectTo, grammar.path);
    }
    const digest = grammars.find((g) => g.path.includes('digest.injection'));
    assert.ok(digest?.injectTo.includes('source.json.comments'), 'devcontainer.json is JSON with Comments');
  });

  it('activates where devcontainer.json files are', () => {
    for (const event of [
      'workspaceContains:**/.devcontainer/**/devcontainer.json',
      'workspaceContains:**/.devcontainer.json',
    ]) {
      assert.ok(pkg.activationEvents.includes(event), event);
    }
    // Not on every JSONC document (settings.json, tsconfig.json): they hold no images.
    assert.equal(pkg.activationEvents.includes('onLanguage:jsonc'), false);
  });

  it('jsonc-parser is a runtime dependency (devcontainer.json is read with it), bundled like the others', () => {
    assert.match(pkg.dependencies['jsonc-parser'], /^\^3\./);
  });

  it('the icon is a 128×128 PNG', () => {
    const png = readFileSync(join(ROOT, pkg.icon));
    assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
    assert.equal(png.subarray(12, 16).toString('ascii'), 'IHDR');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });
});

describe('README: the extension section', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## VS Code extension'),
    readme.indexOf('\n## ', readme.indexOf('## VS Code extension') + 1),
  );

  it('the settings table has every setting, with its default', () => {
    const rows = new Map(
      [...section.matchAll(/^\| `(digestPin\.[^`]+)` \| `([^`]*)` \|/gm)].map((m) => [m[1]!, m[2]!]),
    );
    const expected = Object.entries(contributes.configuration.properties).map(([name, p]) => {
      const value = p['default'];
      return [name, typeof value === 'string' ? (value === '' ? '""' : value) : JSON.stringify(value)] as const;
    });
    assert.deepEqual([...rows.entries()], expected);
  });

  it('names every command by its title', () => {
    for (const { title } of contributes.commands) assert.ok(section.includes(`| ${title} |`), title);
  });

  it('the development commands include both VS Code runners and packaging', () => {
    for (const script of ['test:vscode:code-server', 'test:vscode', 'package']) {
      assert.ok(readme.includes(`npm run ${script} `), script);
      assert.ok(script in pkg.scripts, script);
    }
  });
});

/** Names and uncompressed sizes of the entries of a zip file, from its central directory. */
function zipEntries(zip: Buffer): Array<{ name: string; size: number }> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: Array<{ name: string; size: number }> = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({ name: zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'), size });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

interface VsceOptions {
  cwd: string;
  packagePath: string;
  dependencies: boolean;
}
type Pack = (options: VsceOptions) => Promise<{ packagePath: string }>;

describe('the .vsix (npm run package)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'digest-pin-vsix-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the bundled client and server (and its reader thread), manifest, docs, icon and grammars — nothing else — within 1.5 MB', async () => {
    const missing = ['dist/client.js', 'dist/server.js', 'dist/reader.js'].filter(
      (file) => !existsSync(join(ROOT, file)),
    );
    assert.deepEqual(missing, [], 'build first: npm run build');
    // vsce's packer without its prepublish step (`npm run package` runs that: the full build). An internal module
    // without types, hence require().
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { pack } = require('@vscode/vsce/out/package') as { pack: Pack };
    const log = console.log;
    console.log = () => undefined; // vsce prints the file tree
    let packagePath: string;
    try {
      ({ packagePath } = await pack({ cwd: ROOT, packagePath: join(dir, 'digest-pin.vsix'), dependencies: false }));
    } finally {
      console.log = log;
    }
    const entries = zipEntries(readFileSync(packagePath));
    assert.deepEqual(entries.map((e) => e.name).sort(), [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension/LICENSE.txt',
      'extension/changelog.md',
      'extension/dist/client.js',
      'extension/dist/reader.js',
      'extension/dist/server.js',
      'extension/images/icon.png',
      'extension/package.json',
      'extension/readme.md',
      'extension/syntaxes/digest.injection.tmLanguage.json',
      'extension/syntaxes/dockerfile-from.injection.tmLanguage.json',
    ]);
    const size = statSync(packagePath).size;
    assert.ok(size <= VSIX_BUDGET_BYTES, `.vsix is ${size} bytes, over the ${VSIX_BUDGET_BYTES}-byte budget`);
    // Bundles, not sources: no source maps, no TypeScript, no node_modules.
    assert.equal(
      entries.some((e) => /\.(map|ts)$|node_modules/.test(e.name)),
      false,
    );
    console.log(`# .vsix ${(size / 1024).toFixed(0)} KiB (${entries.length} entries)`);
  });
});
