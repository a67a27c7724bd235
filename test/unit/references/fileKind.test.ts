// Which extractor reads a file: by name, by editor language id, by content, and the order detectKind applies them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectKind, kindFromContent, kindFromLanguageId, kindFromName } from '../../../server/src/references/fileKind';
import type { FileKind } from '../../../server/src/references/types';

describe('kindFromName', () => {
  const cases: [path: string, kind: FileKind | null][] = [
    ['Dockerfile', 'dockerfile'],
    ['dockerfile', 'dockerfile'],
    ['Containerfile', 'dockerfile'],
    ['src/api/Dockerfile', 'dockerfile'],
    ['C:\\repo\\svc\\Dockerfile', 'dockerfile'],
    ['Dockerfile.dev', 'dockerfile'],
    ['Containerfile.fedora', 'dockerfile'],
    ['prod.Dockerfile', 'dockerfile'],
    ['x.containerfile', 'dockerfile'],
    ['build/api.dockerfile', 'dockerfile'],
    // A Dockerfile-named file with a data or doc extension is that format, not a Dockerfile.
    ['Dockerfile.yml', 'yaml'],
    ['Dockerfile.dev.yaml', 'yaml'],
    ['Dockerfile.md', null],
    ['Dockerfile.txt', null],
    ['Dockerfile.sh', null],
    ['Dockerfile.json', null],
    ['Dockerfile-dev', 'dockerfile'],
    ['Dockerfile_prod', 'dockerfile'],
    ['api-dockerfile', 'dockerfile'],
    ['owner__repo__python__3.12__Dockerfile', 'dockerfile'],
    ['Dockerfile.dockerignore', null],
    ['x.Dockerfile.bak', null],
    ['Dockerfile.bak', null],
    ['NotADockerfile', null],
    ['docker-compose.yml', 'compose'],
    ['docker-compose.yaml', 'compose'],
    ['docker-compose.override.yml', 'compose'],
    ['compose.yaml', 'compose'],
    ['compose.yml', 'compose'],
    ['compose.prod.yaml', 'compose'],
    ['Compose.yaml', 'compose'],
    ['deploy/docker-compose.ci.yml', 'compose'],
    ['my-compose.yml', 'yaml'],
    ['.gitlab-ci.yml', 'gitlab-ci'],
    ['.gitlab-ci.yaml', 'gitlab-ci'],
    ['ci/.gitlab-ci.yml', 'gitlab-ci'],
    ['templates/build.gitlab-ci.yml', 'yaml'],
    ['.github/workflows/ci.yml', 'github-actions'],
    ['repo/.github/workflows/release.yaml', 'github-actions'],
    ['C:\\repo\\.github\\workflows\\ci.yml', 'github-actions'],
    // Only files directly in .github/workflows are workflows.
    ['.github/workflows/templates/x.yml', 'yaml'],
    ['.github/dependabot.yml', 'yaml'],
    ['action.yml', 'yaml'],
    ['a/b.yaml', 'yaml'],
    ['k8s/deployment.yml', 'yaml'],
    ['devcontainer.json', 'devcontainer'],
    ['.devcontainer/devcontainer.json', 'devcontainer'],
    ['.devcontainer/python/devcontainer.json', 'devcontainer'],
    ['repo/.devcontainer/go/devcontainer.json', 'devcontainer'],
    ['C:\\repo\\.devcontainer\\devcontainer.json', 'devcontainer'],
    ['.devcontainer.json', 'devcontainer'],
    ['owner__repo__.devcontainer__devcontainer.json', 'devcontainer'],
    ['.devcontainer/Devcontainer.json', 'devcontainer'],
    ['mydevcontainer.json', null],
    ['.devcontainer/devcontainer-lock.json', null],
    ['.devcontainer/docker-compose.yml', 'compose'],
    ['package.json', null],
    ['README.md', null],
    ['Makefile', null],
    ['app.docker', null],
    ['values.yaml.tpl', null],
    // Helm values and kustomizations by name (the corpus's `<origin>__name` copies too).
    ['chart/values.yaml', 'helm-values'],
    ['values-prod.yml', 'helm-values'],
    ['hashicorp__vault-helm__values.openshift.yaml', 'helm-values'],
    ['myvalues.yaml', 'yaml'],
    ['values', null],
    ['overlays/prod/kustomization.yaml', 'kustomize'],
    ['base/kustomization.yml', 'kustomize'],
    ['base/Kustomization', 'kustomize'],
    ['owner__repo__kustomization.yaml', 'kustomize'],
    ['kustomization.yaml.bak', null],
    ['notkustomization.yaml', 'yaml'],
    // Podman Quadlet units and their drop-ins; not `.build` (nothing to pin, and `meson.build` shares it).
    ['web.container', 'quadlet'],
    ['etc/containers/systemd/db.volume', 'quadlet'],
    ['fedora.image', 'quadlet'],
    ['C:\\units\\web.container', 'quadlet'],
    ['web.container.d/10-image.conf', 'quadlet'],
    ['db.volume.d/override.conf', 'quadlet'],
    ['web.container.d/notes.txt', null],
    ['x.conf', null],
    ['.container', null],
    ['web.Container', null],
    ['app.build', null],
    ['meson.build', null],
    ['web.network', null],
    ['web.pod', null],
    ['web.kube', null],
    // Google Cloud Build.
    ['cloudbuild.yaml', 'cloud-build'],
    ['cloudbuild.yml', 'cloud-build'],
    ['cloudbuild.json', 'cloud-build'],
    ['deploy/cloudbuild-prod.yaml', 'cloud-build'],
    ['cloudbuild.staging.json', 'cloud-build'],
    ['api.cloudbuild.yaml', 'cloud-build'],
    ['CloudBuild.yaml', 'cloud-build'],
    ['notcloudbuild.yaml', 'yaml'],
    ['cloudbuild.json.bak', null],
    // Azure Pipelines.
    ['azure-pipelines.yml', 'azure-pipelines'],
    ['azure-pipelines.yaml', 'azure-pipelines'],
    ['build/azure-pipelines-ci.yml', 'azure-pipelines'],
    ['ci.azure-pipelines.yml', 'azure-pipelines'],
    ['.azure-pipelines/release.yml', 'azure-pipelines'],
    ['C:\\repo\\.azure-pipelines\\pr.yaml', 'azure-pipelines'],
    ['.azure-pipelines/templates/steps.yml', 'yaml'],
    ['azure-pipelines.json', null],
  ];
  for (const [path, kind] of cases) {
    it(`${path} → ${kind}`, () => assert.equal(kindFromName(path), kind));
  }
});

describe('kindFromLanguageId', () => {
  const cases: [languageId: string | undefined, kind: FileKind | null][] = [
    ['dockerfile', 'dockerfile'],
    ['containerfile', 'dockerfile'],
    ['dockercompose', 'compose'],
    ['github-actions-workflow', 'github-actions'],
    ['yaml', 'yaml'],
    ['json', null],
    ['plaintext', null],
    [undefined, null],
  ];
  for (const [languageId, kind] of cases) {
    it(`${languageId} → ${kind}`, () => assert.equal(kindFromLanguageId(languageId), kind));
  }
});

describe('kindFromContent', () => {
  const cases: [label: string, text: string, kind: FileKind | null][] = [
    ['FROM first', 'FROM alpine:3.20\nRUN apk add curl\n', 'dockerfile'],
    ['lower-case from', 'from alpine\n', 'dockerfile'],
    [
      'syntax directive and comments first',
      '# syntax=docker/dockerfile:1\n# build image\nFROM node:20 AS build\n',
      'dockerfile',
    ],
    ['ARGs before FROM', 'ARG BASE=alpine\n# pinned below\nARG TAG=3.20\nFROM ${BASE}:${TAG}\n', 'dockerfile'],
    ['leading blank lines and indentation', '\n\n   FROM scratch\n', 'dockerfile'],
    ['BOM before FROM', '\uFEFFFROM alpine\n', 'dockerfile'],
    ['CRLF', '# c\r\nARG A=1\r\nFROM alpine\r\n', 'dockerfile'],
    ['FROM with no image', 'FROM\n', null],
    ['Kubernetes YAML', 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: nginx\n', null],
    ['empty', '', null],
    ['shell script', '#!/bin/sh\necho hi\n', null],
    // Only the first 64 KiB are read: a FROM after that is not seen.
    ['FROM beyond 64 KiB', `${'# padding line\n'.repeat(5000)}FROM alpine\n`, null],
    ['Quadlet [Container] with Image=', '[Unit]\nDescription=web\n\n[Container]\nImage=nginx:1.27\n', 'quadlet'],
    ['Quadlet [Volume], CRLF, indented', '[Volume]\r\nDriver=image\r\n  Image = alpine:3\r\n', 'quadlet'],
    ['Quadlet [Image]', '[Image]\nImage=quay.io/fedora/fedora:40\n', 'quadlet'],
    ['a [Container] section without Image=', '[Container]\nRootfs=/srv/root\n', null],
    ['a plain systemd service', '[Service]\nExecStart=/usr/bin/podman run --rm nginx:1\n', null],
    ['an INI file with an image key', '[settings]\nImage=logo.png\n', null],
  ];
  for (const [label, text, kind] of cases) {
    it(`${label} → ${kind}`, () => assert.equal(kindFromContent(text), kind));
  }

  // Anchored at the start of the file (after comments and ARGs), as a Dockerfile must begin.
  it('prose with a line starting "From" → null', () => {
    assert.equal(kindFromContent('Release notes\nFrom here on, run make.\n'), null);
  });
  it('an instruction before FROM → null', () => {
    assert.equal(kindFromContent('RUN echo hi\nFROM alpine\n'), null);
  });
});

describe('detectKind', () => {
  const cases: [path: string, text: string, languageId: string | undefined, kind: FileKind | null][] = [
    ['Dockerfile', '', undefined, 'dockerfile'],
    ['docker-compose.yml', '', 'yaml', 'compose'],
    ['.github/workflows/ci.yml', '', 'yaml', 'github-actions'],
    // A specific name beats a specific language id.
    ['Dockerfile', '', 'dockercompose', 'dockerfile'],
    // A specific language id beats a generic `.yaml` name.
    ['stack.yaml', '', 'dockercompose', 'compose'],
    ['ci.yml', '', 'github-actions-workflow', 'github-actions'],
    ['k8s/app.yaml', 'FROM alpine\n', undefined, 'yaml'],
    ['untitled-1', 'services: {}\n', 'yaml', 'yaml'],
    ['untitled-2', '', 'dockerfile', 'dockerfile'],
    // Neither name nor language says anything: content decides.
    ['build/Dockerfile-dev.in', 'FROM golang:1.22 AS build\n', undefined, 'dockerfile'],
    ['build/base.docker', '\uFEFF# base\r\nARG V=1\r\nFROM debian:12\r\n', undefined, 'dockerfile'],
    ['build/app.docker', '# base\nFROM debian:12\n', 'plaintext', 'dockerfile'],
    ['Makefile', 'all:\n\tgo build\n', undefined, null],
    ['units/web.unit', '[Container]\nImage=nginx:1\n', undefined, 'quadlet'],
    ['web.container', 'FROM alpine\n', undefined, 'quadlet'],
    ['web.container', '', 'ini', 'quadlet'],
    ['cloudbuild.json', '{}', 'json', 'cloud-build'],
    ['azure-pipelines.yml', '', 'yaml', 'azure-pipelines'],
    ['README.md', '# Title\n', 'markdown', null],
    // VS Code gives devcontainer.json the language jsonc: the name decides.
    ['/repo/.devcontainer/devcontainer.json', '{}\n', 'jsonc', 'devcontainer'],
    ['/repo/.vscode/settings.json', '{}\n', 'jsonc', null],
  ];
  for (const [path, text, languageId, kind] of cases) {
    it(`${path} (${languageId ?? 'no language'}) → ${kind}`, () =>
      assert.equal(detectKind(path, text, languageId), kind));
  }
});
