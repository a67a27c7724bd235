// Azure Pipelines: container jobs (`container:` as a string or with `image:`, at the top, per job, per stage's job),
// container resources and their aliases, service containers; `pool.vmImage` is a VM; other `image:` keys are still
// read by the generic rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findReferences } from '../../../../server/src/references/index';
import { assertReferences, check, rows, type Case } from './expect';

const container = rows('azure-pipelines', 'container');
const service = rows('azure-pipelines', 'service');
const resource = rows('azure-pipelines', 'image');

const cases: Case[] = [
  {
    name: 'a single-job pipeline: container: as a string; pool.vmImage is a VM image',
    hint: 'azure-pipelines',
    kind: 'azure-pipelines',
    text: 'trigger: [main]\npool:\n  vmImage: ubuntu-latest\ncontainer: ubuntu:24.04\nsteps:\n- script: printenv\n',
    expect: [container.unpinned('ubuntu:24.04', 'docker.io/library/ubuntu', '24.04')],
  },
  {
    name: 'jobs[].container as a string, and as a mapping with image and options',
    hint: 'azure-pipelines',
    text: [
      'jobs:',
      '- job: build',
      '  pool: {vmImage: ubuntu-22.04}',
      '  container: mcr.microsoft.com/dotnet/sdk:8.0',
      '  steps: [{script: dotnet build}]',
      '- job: test',
      '  container:',
      '    image: "node:20"',
      '    options: --hostname container-test',
      '  steps:',
      '  - script: npm test',
      '',
    ].join('\n'),
    expect: [
      container.unpinned('mcr.microsoft.com/dotnet/sdk:8.0', 'mcr.microsoft.com/dotnet/sdk', '8.0'),
      container.unpinned('node:20', 'docker.io/library/node', '20'),
    ],
  },
  {
    name: 'stages[].jobs[]: jobs and deployment jobs',
    hint: 'azure-pipelines',
    text: [
      'stages:',
      '- stage: Build',
      '  jobs:',
      '  - job: compile',
      "    container: 'golang:1.22'",
      '    steps: [{script: go build}]',
      '- stage: Deploy',
      '  jobs:',
      '  - deployment: prod',
      '    environment: prod',
      '    container: {image: mcr.microsoft.com/azure-cli:2.63.0}',
      '',
    ].join('\n'),
    expect: [
      container.unpinned('golang:1.22', 'docker.io/library/golang', '1.22'),
      container.unpinned('mcr.microsoft.com/azure-cli:2.63.0', 'mcr.microsoft.com/azure-cli', '2.63.0'),
    ],
  },
  {
    name: 'container resources: the image where the alias is defined; a job naming the alias is not an image',
    hint: 'azure-pipelines',
    text: [
      'resources:',
      '  containers:',
      '  - container: linux',
      '    image: buildpack-deps:focal',
      '  - container: db',
      '    image: postgres:16',
      '    ports: ["5432:5432"]',
      'container: linux',
      'services:',
      '  postgres: db',
      '  cache: redis:7-alpine',
      'steps:',
      '- script: make test',
      '',
    ].join('\n'),
    expect: [
      resource.unpinned('buildpack-deps:focal', 'docker.io/library/buildpack-deps', 'focal'),
      resource.unpinned('postgres:16', 'docker.io/library/postgres', '16'),
      service.unpinned('redis:7-alpine', 'docker.io/library/redis', '7-alpine'),
    ],
  },
  {
    name: 'a bare word that is no alias here (a template; the alias is defined by its pipeline) is left alone',
    hint: 'azure-pipelines',
    text: 'jobs:\n- job: unit\n  container: linux_build\n  steps:\n  - script: make\n',
    expect: [],
  },
  {
    name: 'macros, template and runtime expressions are variables',
    hint: 'azure-pipelines',
    text: [
      'jobs:',
      '- job: a',
      '  container: $(containerImage)',
      '- job: b',
      '  container: ${{ parameters.image }}',
      '- job: c',
      "  container: $[ variables['img'] ]",
      '',
    ].join('\n'),
    expect: [
      container.variable('$(containerImage)'),
      container.variable('${{ parameters.image }}'),
      container.variable("$[ variables['img'] ]"),
    ],
  },
  {
    name: 'recognised by content: - task: steps',
    kind: 'azure-pipelines',
    text: 'container: python:3.12-slim\nsteps:\n- task: UsePythonVersion@0\n- bash: pytest\n',
    expect: [container.unpinned('python:3.12-slim', 'docker.io/library/python', '3.12-slim')],
  },
  {
    name: 'recognised by content: - job: entries',
    kind: 'azure-pipelines',
    text: 'jobs:\n- job: lint\n  container: node:22\n  steps: [{script: npm run lint}]\n',
    expect: [container.unpinned('node:22', 'docker.io/library/node', '22')],
  },
  {
    name: 'recognised by content: a top-level pool with vmImage',
    kind: 'azure-pipelines',
    text: 'pool: {vmImage: windows-2022}\ncontainer: mcr.microsoft.com/windows/servercore:ltsc2022\n',
    expect: [
      container.unpinned(
        'mcr.microsoft.com/windows/servercore:ltsc2022',
        'mcr.microsoft.com/windows/servercore',
        'ltsc2022',
      ),
    ],
  },
  {
    name: 'other image: keys are still found by the generic rule',
    hint: 'azure-pipelines',
    text: 'steps:\n- task: Custom@1\n  inputs:\n    image: ghcr.io/acme/scanner:2\n',
    expect: [rows('yaml', 'image').unpinned('ghcr.io/acme/scanner:2', 'ghcr.io/acme/scanner', '2')],
  },
  {
    name: '# digest-pin: ignore',
    hint: 'azure-pipelines',
    text: 'jobs:\n- job: a\n  # digest-pin: ignore\n  container: alpine:3\n- job: b\n  container: alpine:3.20 # digest-pin: ignore\n',
    expect: [
      container.unpinned('alpine:3', 'docker.io/library/alpine', '3', { ignored: true }),
      container.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20', { ignored: true }),
    ],
  },
  {
    name: 'not Azure by content: a list of steps with script only stays generic',
    kind: 'yaml',
    text: 'steps:\n- script: make\ncontainer: ubuntu:24.04\n',
    expect: [],
  },
];

describe('kinds/azurePipelines', () => {
  for (const c of cases) it(c.name, () => void check(c));

  it('azure-pipelines.yml with CRLF, found by name', () => {
    const text = 'pool:\r\n  vmImage: ubuntu-latest\r\ncontainer: "ghcr.io/acme/ci:3"\r\nsteps:\r\n- script: make\r\n';
    const result = findReferences('azure-pipelines.yml', text);
    assert.equal(result.kind, 'azure-pipelines');
    assertReferences(text, result.references, [container.unpinned('ghcr.io/acme/ci:3', 'ghcr.io/acme/ci', '3')]);
  });

  it('.azure-pipelines/*.yml is a pipeline by its folder', () => {
    const result = findReferences('.azure-pipelines/pr.yml', 'container: node:22\nsteps:\n- script: npm test\n');
    assert.equal(result.kind, 'azure-pipelines');
    assert.deepEqual(
      result.references.map((r) => [r.text, r.source, r.context]),
      [['node:22', 'azure-pipelines', 'container']],
    );
  });
});
