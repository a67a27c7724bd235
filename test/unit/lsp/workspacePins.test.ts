import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { findReferences } from '../../../server/src/references/index';
import { WorkspacePins } from '../../../server/src/lsp/workspacePins';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const KEY = 'docker.io/library/nginx:1.27';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'digest-pin-workspace-pins-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const uriOf = (dir: string, path: string): string => pathToFileURL(join(dir, path)).href;

function index(dir: string, maxFiles?: number): { pins: WorkspacePins; changes: string[][]; warnings: string[] } {
  const changes: string[][] = [];
  const warnings: string[] = [];
  const pins = new WorkspacePins({
    logger: { warn: (message) => warnings.push(message), debug: () => undefined },
    changed: (keys) => changes.push([...keys]),
    ...(maxFiles === undefined ? {} : { maxFiles }),
  });
  pins.setFolders([dir]);
  return { pins, changes, warnings };
}

/** Where each pin of the key is, as `file:line digest`. */
const where = (pins: WorkspacePins, key = KEY): string[] =>
  pins
    .placesOf(key)
    .map((p) => `${p.file}:${p.ref.range.start.line + 1} ${p.ref.digest === A ? 'A' : p.ref.digest === B ? 'B' : '?'}`)
    .sort();

describe('WorkspacePins', () => {
  it('the walk reads the files the engine knows, skipping node_modules and .git; only pins are kept', async () => {
    const dir = folder('walk', {
      Dockerfile: `FROM nginx:1.27@${A}\nFROM nginx:1.27\n`,
      'deploy/compose.yaml': `services:\n  w:\n    image: nginx:1.27@${B}\n`,
      'node_modules/x/compose.yaml': `services:\n  w:\n    image: nginx:1.27@${B}\n`,
      '.git/x/Dockerfile': `FROM nginx:1.27@${B}\n`,
      'notes.txt': `FROM nginx:1.27@${B}\n`,
    });
    const { pins, changes } = index(dir);
    const stats = await pins.start();
    assert.deepEqual(stats && { files: stats.files, pins: stats.pins, truncated: stats.truncated }, {
      files: 2,
      pins: 2,
      truncated: false,
    });
    assert.deepEqual(where(pins), ['Dockerfile:1 A', 'deploy/compose.yaml:3 B']);
    assert.deepEqual(changes, [[KEY], [KEY]]);
  });

  it('past the file limit the walk stops and says so', async () => {
    const dir = folder('limit', {
      'a/Dockerfile': `FROM nginx:1.27@${A}\n`,
      'b/Dockerfile': `FROM nginx:1.27@${A}\n`,
      'c/Dockerfile': `FROM nginx:1.27@${A}\n`,
    });
    const { pins, warnings } = index(dir, 2);
    const stats = await pins.start();
    assert.equal(stats?.files, 2);
    assert.equal(stats?.truncated, true);
    assert.equal(where(pins).length, 2);
    assert.match(warnings.join('\n'), /more than 2 candidate files/);
  });

  it('an open document counts as shown; closed, the disk counts again', async () => {
    const dir = folder('open', { Dockerfile: `FROM nginx:1.27@${A}\n` });
    const { pins, changes } = index(dir);
    await pins.start();
    const uri = uriOf(dir, 'Dockerfile');
    changes.length = 0;
    pins.fromDocument(uri, findReferences(join(dir, 'Dockerfile'), `# edited\nFROM nginx:1.27@${B}\n`).references);
    assert.deepEqual(where(pins), ['Dockerfile:2 B']);
    // Events about an open document are the editor's business: its own read counts.
    await pins.fileChanged(uri, true);
    assert.deepEqual(where(pins), ['Dockerfile:2 B']);
    // The same pins again (an edit elsewhere): nobody is told.
    pins.fromDocument(uri, findReferences(join(dir, 'Dockerfile'), `# edit\nFROM nginx:1.27@${B}\n`).references);
    assert.deepEqual(changes, [[KEY]]);
    await pins.closed(uri);
    assert.deepEqual(where(pins), ['Dockerfile:1 A']);
    assert.deepEqual(changes, [[KEY], [KEY]]);
  });

  it('watched-file events read a file again, or forget it when deleted', async () => {
    const dir = folder('events', { Dockerfile: `FROM nginx:1.27@${A}\n` });
    const { pins, changes } = index(dir);
    await pins.start();
    writeFileSync(join(dir, 'compose.yaml'), `services:\n  w:\n    image: nginx:1.27@${B}\n`);
    await pins.fileChanged(uriOf(dir, 'compose.yaml'), false);
    assert.deepEqual(where(pins), ['Dockerfile:1 A', 'compose.yaml:3 B']);
    unlinkSync(join(dir, 'Dockerfile'));
    await pins.fileChanged(uriOf(dir, 'Dockerfile'), true);
    assert.deepEqual(where(pins), ['compose.yaml:3 B']);
    // Not a file the engine reads, or under node_modules: ignored.
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', 'Dockerfile'), `FROM nginx:1.27@${A}\n`);
    await pins.fileChanged(uriOf(dir, 'node_modules/Dockerfile'), false);
    assert.deepEqual(where(pins), ['compose.yaml:3 B']);
    assert.deepEqual(changes, [[KEY], [KEY], [KEY]]);
  });

  it('before a walk (an untrusted workspace) nothing is read from disk; stop() forgets what was', async () => {
    const dir = folder('untrusted', {
      Dockerfile: `FROM nginx:1.27@${A}\n`,
      'compose.yaml': `services:\n  w:\n    image: nginx:1.27@${B}\n`,
    });
    const { pins } = index(dir);
    await pins.fileChanged(uriOf(dir, 'Dockerfile'), false);
    assert.deepEqual(where(pins), []);
    const open = uriOf(dir, 'compose.yaml');
    pins.fromDocument(
      open,
      findReferences(join(dir, 'compose.yaml'), `services:\n  w:\n    image: nginx:1.27@${B}\n`).references,
    );
    await pins.start();
    assert.deepEqual(where(pins), ['Dockerfile:1 A', 'compose.yaml:3 B']);
    pins.stop();
    assert.deepEqual(where(pins), ['compose.yaml:3 B']);
    await pins.closed(open);
    assert.deepEqual(where(pins), []);
  });
});
