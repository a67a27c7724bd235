import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectFiles, displayPath } from '../../../server/src/cli/walk';

describe('collectFiles: Quadlet units, Cloud Build and Azure Pipelines by name', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'digest-pin-walk-formats-'));
    for (const path of [
      'units/web.container',
      'units/db.volume',
      'units/fedora.image',
      'units/app.build',
      'units/net.network',
      'units/web.container.d/10-image.conf',
      'units/other.d/x.conf',
      'meson.build',
      'cloudbuild.json',
      'deploy/cloudbuild-prod.yaml',
      'azure-pipelines.yml',
      '.azure-pipelines/pr.yml',
      'package.json',
    ]) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), 'x');
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('finds them, and not .build, .network or other .conf files', () => {
    assert.deepEqual(
      collectFiles(['.'], root).files.map((f) => f.file),
      [
        '.azure-pipelines/pr.yml',
        'azure-pipelines.yml',
        'cloudbuild.json',
        'deploy/cloudbuild-prod.yaml',
        'units/db.volume',
        'units/fedora.image',
        'units/web.container',
        'units/web.container.d/10-image.conf',
      ],
    );
  });
});

describe('collectFiles', () => {
  let root = '';
  const write = (path: string, text = 'x'): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'digest-pin-walk-'));
    for (const path of [
      'Dockerfile',
      'compose.yaml',
      'k8s/app.yaml',
      'k8s/notes.txt',
      'README.md',
      'build/Dockerfile.dev',
      'build/app.docker',
      '.github/workflows/ci.yml',
      '.gitlab-ci.yml',
      '.git/config.yml',
      'node_modules/pkg/compose.yaml',
      'deep/node_modules/x.yaml',
      'a b/ç.yml',
    ]) {
      write(path);
    }
    symlinkSync('..', join(root, 'k8s', 'loop')); // a loop back to the root: directory links are not followed
    symlinkSync(join(root, 'compose.yaml'), join(root, 'k8s', 'linked.yml')); // file links are read
    symlinkSync(join(root, 'nowhere.yaml'), join(root, 'dangling.yaml'));
    symlinkSync(join(root, 'nowhere.txt'), join(root, 'dangling.txt'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('walks for known names only, skips .git and node_modules, follows no directory link, sorts by code unit', () => {
    const result = collectFiles(['.'], root);
    assert.deepEqual(
      result.files.map((f) => f.file),
      [
        '.github/workflows/ci.yml',
        '.gitlab-ci.yml',
        'Dockerfile',
        'a b/ç.yml',
        'build/Dockerfile.dev',
        'compose.yaml',
        'k8s/app.yaml',
        'k8s/linked.yml',
      ],
    );
    assert.deepEqual(result.missing, []);
    assert.deepEqual(result.problems, [
      { file: 'dangling.yaml', message: 'could not read: no such file or directory' },
    ]);
  });

  it('gives absolute paths for reading and sizes from stat', () => {
    const [first] = collectFiles(['Dockerfile'], root).files;
    assert.deepEqual(first, { path: join(root, 'Dockerfile'), file: 'Dockerfile', size: 1 });
  });

  it('always reads a file named on the command line, whatever its name', () => {
    assert.deepEqual(
      collectFiles(['build/app.docker', 'k8s/notes.txt'], root).files.map((f) => f.file),
      ['build/app.docker', 'k8s/notes.txt'],
    );
  });

  it('follows a directory link named on the command line', () => {
    assert.deepEqual(
      collectFiles(['k8s/loop/build'], root).files.map((f) => f.file),
      ['k8s/loop/build/Dockerfile.dev'],
    );
  });

  it('walks an explicitly named node_modules directory', () => {
    assert.deepEqual(
      collectFiles(['node_modules'], root).files.map((f) => f.file),
      ['node_modules/pkg/compose.yaml'],
    );
  });

  it('lists a file reached twice once', () => {
    assert.deepEqual(
      collectFiles(['Dockerfile', '.', './Dockerfile', 'k8s'], root)
        .files.map((f) => f.file)
        .filter((f) => f === 'Dockerfile' || f === 'k8s/app.yaml'),
      ['Dockerfile', 'k8s/app.yaml'],
    );
  });

  it('reports missing PATH arguments as written', () => {
    const result = collectFiles(['nope', 'k8s', 'also/missing.yaml'], root);
    assert.deepEqual(result.missing, ['nope', 'also/missing.yaml']);
    assert.deepEqual(
      result.files.map((f) => f.file),
      ['k8s/app.yaml', 'k8s/linked.yml'],
    );
  });

  it('shows paths relative to the working directory, also above it', () => {
    assert.deepEqual(
      collectFiles([join(root, 'k8s')], join(root, 'build')).files.map((f) => f.file),
      ['../k8s/app.yaml', '../k8s/linked.yml'],
    );
  });
});

describe('displayPath', () => {
  const cases: Array<[string, string, string]> = [
    ['/w', '/w/a/b.yaml', 'a/b.yaml'],
    ['/w', '/w', '.'],
    ['/w/x', '/w/y/Dockerfile', '../y/Dockerfile'],
  ];
  for (const [cwd, path, expected] of cases) {
    it(`${path} from ${cwd} is ${expected}`, () => assert.equal(displayPath(cwd, path), expected));
  }
});

describe('collectFiles: devcontainer.json', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'digest-pin-walk-dc-'));
    for (const path of [
      '.devcontainer/devcontainer.json',
      '.devcontainer/python/devcontainer.json',
      '.devcontainer/devcontainer-lock.json',
      '.devcontainer/settings.json',
      'other/.devcontainer.json',
      'package.json',
    ]) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), '{}');
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('finds every devcontainer.json by name, and no other JSON', () => {
    assert.deepEqual(
      collectFiles(['.'], root).files.map((f) => f.file),
      ['.devcontainer/devcontainer.json', '.devcontainer/python/devcontainer.json', 'other/.devcontainer.json'],
    );
  });
});
