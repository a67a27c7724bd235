// `digest-pin render`: the locked digests applied with pin's minimal edits, byte for byte, in each kind of file; the
// references a lock lacks reported; and BuildKit's --build-context arguments for a Dockerfile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadFile } from '../../../server/src/cli/check';
import { buildContextArgument, renderEdits } from '../../../server/src/cli/render';
import { applyEdits } from '../../../server/src/features/edits';
import { emptyLock } from '../../../server/src/lock/lockFile';
import { lockState, type LockState } from '../../../server/src/lock/state';
import { findReferences } from '../../../server/src/references/index';
import type { ImageReference } from '../../../server/src/references/types';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

const LOCK = emptyLock();
LOCK.images.set('docker.io/library/python:3.12-slim', { digest: A });
LOCK.images.set('docker.io/library/redis:7', { digest: B });
LOCK.images.set('docker.io/library/alpine:latest', { digest: C });
LOCK.images.set('ghcr.io/org/api:1.4.2', { digest: A });
LOCK.images.set('docker.io/bitnami/nginx:1.25.3', { digest: B });
LOCK.images.set('registry.example.com/app:1.0', { digest: C });
LOCK.images.set('ghcr.io/org/worker:2', { digest: A });

function read(path: string, text: string, chart?: { appVersion: string | null }): ReadFile {
  const { references } = findReferences(`/w/${path}`, text, chart ? { neighbours: { chart } } : {});
  return { walked: { path: `/w/${path}`, file: path, size: text.length }, references, notes: [] };
}

function states(file: ReadFile): Map<ImageReference, LockState> {
  const map = new Map<ImageReference, LockState>();
  for (const ref of file.references) {
    const state = lockState(ref, LOCK, 'digest-pin.lock', null);
    if (state !== null) map.set(ref, state);
  }
  return map;
}

function render(path: string, text: string): { text: string; problems: string[] } {
  const file = read(path, text);
  const rendered = renderEdits(file, states(file), true);
  const applied = applyEdits(text, rendered.edits);
  assert.ok(applied.ok);
  return { text: applied.text, problems: rendered.problems };
}

describe('renderEdits: the lock applied, byte for byte', () => {
  const cases: Array<{ name: string; path: string; before: string; after: string; problems?: string[] }> = [
    {
      name: 'Dockerfile: FROM, COPY --from, an untagged image, a pin left alone, CRLF kept',
      path: 'Dockerfile',
      before: `FROM python:3.12-slim AS build\r\nCOPY --from=alpine /x /x\r\nFROM redis:7@${C}\r\n`,
      after: `FROM python:3.12-slim@${A} AS build\r\nCOPY --from=alpine@${C} /x /x\r\nFROM redis:7@${C}\r\n`,
    },
    {
      name: 'compose: quotes and comments stay',
      path: 'compose.yaml',
      before: 'services:\n  cache:\n    image: "redis:7" # cache\n  db:\n    image: postgres:16\n',
      after: `services:\n  cache:\n    image: "redis:7@${B}" # cache\n  db:\n    image: postgres:16\n`,
      problems: [
        'compose.yaml:5:12: postgres:16 is not locked: digest-pin.lock has no entry for docker.io/library/postgres:16',
      ],
    },
    {
      name: 'Kubernetes',
      path: 'deploy.yaml',
      before:
        'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/org/api:1.4.2\n',
      after: `apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/org/api:1.4.2@${A}\n`,
    },
    {
      name: 'Helm values: into the digest field of a split reference, or after the tag',
      path: 'chart/values.yaml',
      before:
        'image:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.25.3\n  digest: ""\nworker:\n  image: {repository: ghcr.io/org/worker, tag: "2"}\n',
      after: `image:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.25.3\n  digest: "${B}"\nworker:\n  image: {repository: ghcr.io/org/worker, tag: "2@${A}"}\n`,
    },
    {
      name: 'kustomize: a new digest key after newTag',
      path: 'kustomization.yaml',
      before:
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: app\n    newName: registry.example.com/app\n    newTag: "1.0" # release\n',
      after: `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: app\n    newName: registry.example.com/app\n    newTag: "1.0" # release\n    digest: ${C}\n`,
    },
    {
      name: 'Dockerfile ARG holding the tag: the ARG default',
      path: 'Dockerfile',
      before: 'ARG PY=3.12-slim\nFROM python:${PY} AS build\nFROM python:${PY}\n',
      after: `ARG PY=3.12-slim@${A}\nFROM python:\${PY} AS build\nFROM python:\${PY}\n`,
    },
    {
      name: 'GitHub Actions: container, services, uses docker://',
      path: '.github/workflows/ci.yml',
      before:
        'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container: redis:7\n    services:\n      api: {image: ghcr.io/org/api:1.4.2}\n    steps:\n      - uses: docker://alpine\n',
      after: `on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container: redis:7@${B}\n    services:\n      api: {image: ghcr.io/org/api:1.4.2@${A}}\n    steps:\n      - uses: docker://alpine@${C}\n`,
    },
    {
      name: 'GitLab CI',
      path: '.gitlab-ci.yml',
      before: 'image: python:3.12-slim\nservices:\n  - redis:7\ntest:\n  script: [make]\n',
      after: `image: python:3.12-slim@${A}\nservices:\n  - redis:7@${B}\ntest:\n  script: [make]\n`,
    },
    {
      name: 'Cloud Build: steps, not images',
      path: 'cloudbuild.yaml',
      before: "steps:\n  - name: 'python:3.12-slim'\n    args: [test]\nimages: ['ghcr.io/org/api:1.4.2']\n",
      after: `steps:\n  - name: 'python:3.12-slim@${A}'\n    args: [test]\nimages: ['ghcr.io/org/api:1.4.2']\n`,
    },
    {
      name: 'Azure Pipelines: a job container',
      path: 'azure-pipelines.yml',
      before:
        'pool:\n  vmImage: ubuntu-latest\njobs:\n  - job: build\n    container: redis:7\n    steps: [{script: make}]\n',
      after: `pool:\n  vmImage: ubuntu-latest\njobs:\n  - job: build\n    container: redis:7@${B}\n    steps: [{script: make}]\n`,
    },
    {
      name: 'Podman Quadlet: Image=, CRLF and quotes kept',
      path: 'web.container',
      before: '[Container]\r\nImage="ghcr.io/org/api:1.4.2"\r\nExec=serve\r\n',
      after: `[Container]\r\nImage="ghcr.io/org/api:1.4.2@${A}"\r\nExec=serve\r\n`,
    },
    {
      name: 'devcontainer.json: the image (comments and trailing commas kept)',
      path: '.devcontainer/devcontainer.json',
      before: '{\n  // the base\n  "image": "redis:7",\n}\n',
      after: `{\n  // the base\n  "image": "redis:7@${B}",\n}\n`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rendered = render(c.path, c.before);
      assert.equal(rendered.text, c.after);
      assert.deepEqual(rendered.problems, c.problems ?? []);
    });
  }

  it('a file no lock applies to: its unpinned references are reported, nothing is edited', () => {
    const file = read('Dockerfile', 'FROM python:3.12-slim\n');
    const rendered = renderEdits(file, new Map(), false);
    assert.deepEqual(rendered.edits, []);
    assert.deepEqual(rendered.problems, [
      'Dockerfile:1:6: python:3.12-slim is not locked: no lock file applies to this file',
    ]);
  });
});

describe('buildContextArgument', () => {
  const text = [
    'ARG BASE=python:3.12-slim',
    'FROM ${BASE} AS build',
    'FROM docker.io/library/alpine',
    'COPY --from=ghcr.io/org/api:1.4.2 /bin/api /bin/api',
    'FROM redis:7',
    '',
  ].join('\n');
  it('names each locked image as BuildKit names contexts: familiar, :latest trimmed', () => {
    const file = read('Dockerfile', text);
    const map = states(file);
    assert.deepEqual(
      file.references.map((ref) => buildContextArgument(ref, map.get(ref))).filter((line) => line !== null),
      [
        `--build-context python:3.12-slim=docker-image://python:3.12-slim@${A}`,
        `--build-context alpine=docker-image://alpine:latest@${C}`,
        `--build-context ghcr.io/org/api:1.4.2=docker-image://ghcr.io/org/api:1.4.2@${A}`,
        `--build-context redis:7=docker-image://redis:7@${B}`,
      ],
    );
  });
  it('nothing for other files, a syntax directive, or a reference the lock lacks', () => {
    const compose = read('compose.yaml', 'services:\n  a:\n    image: redis:7\n');
    const cm = states(compose);
    assert.equal(buildContextArgument(compose.references[0]!, cm.get(compose.references[0]!)), null);
    const docker = read('Dockerfile', '# syntax=docker/dockerfile:1\nFROM postgres:16\n');
    const dm = states(docker);
    assert.deepEqual(
      docker.references.map((ref) => buildContextArgument(ref, dm.get(ref))),
      [null, null],
    );
  });
});
