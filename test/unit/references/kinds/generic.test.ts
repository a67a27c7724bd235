// Generic YAML: `image:` values meant as references (Drone, Woodpecker, CircleCI, Bitbucket, Argo, devcontainer…),
// and the values that are not (split repository/tag forms, pictures, paths, settings, non-strings).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikeImage } from '../../../../server/src/references/kinds/generic';
import { check, rows, type Case } from './expect';

const { unpinned, variable, invalid } = rows('yaml', 'image');

const cases: Case[] = [
  {
    name: 'Drone: steps and services',
    kind: 'yaml',
    text: 'kind: pipeline\ntype: docker\nname: default\nsteps:\n- name: test\n  image: golang:1.22\n  commands: [go test ./...]\nservices:\n- name: db\n  image: mysql:8\n',
    expect: [
      unpinned('golang:1.22', 'docker.io/library/golang', '1.22'),
      unpinned('mysql:8', 'docker.io/library/mysql', '8'),
    ],
  },
  {
    name: 'Woodpecker: images anchored once in a variables list and aliased by steps',
    text: "variables:\n  - &golang 'docker.io/golang:1.23'\nsteps:\n  lint:\n    image: *golang\n  test:\n    image: *golang\n",
    expect: [unpinned('docker.io/golang:1.23', 'docker.io/library/golang', '1.23')],
  },
  {
    name: 'CircleCI: docker images; machine.image is a VM image',
    text: 'version: 2.1\njobs:\n  test:\n    docker:\n      - image: cimg/python:3.12\n      - image: cimg/postgres:16.3\n        environment: {POSTGRES_USER: ci}\n  e2e:\n    machine:\n      image: ubuntu-2204:2024.05.1\n',
    expect: [
      unpinned('cimg/python:3.12', 'docker.io/cimg/python', '3.12'),
      unpinned('cimg/postgres:16.3', 'docker.io/cimg/postgres', '16.3'),
    ],
  },
  {
    name: 'Bitbucket Pipelines: top-level, step and service definitions',
    text: [
      'image: atlassian/default-image:4',
      'pipelines:',
      '  default:',
      '    - step:',
      '        image: node:20',
      '        services: [redis]',
      '        script: [npm test]',
      'definitions:',
      '  services:',
      '    redis:',
      '      image: redis:7.2',
      '',
    ].join('\n'),
    expect: [
      unpinned('atlassian/default-image:4', 'docker.io/atlassian/default-image', '4'),
      unpinned('node:20', 'docker.io/library/node', '20'),
      unpinned('redis:7.2', 'docker.io/library/redis', '7.2'),
    ],
  },
  {
    name: 'Bitbucket image with credentials: image.name',
    text: 'image:\n  name: acme.azurecr.io/ci/helm:3.15\n  username: $AZ_USER\n  password: $AZ_PASS\npipelines: {}\n',
    expect: [unpinned('acme.azurecr.io/ci/helm:3.15', 'acme.azurecr.io/ci/helm', '3.15')],
  },
  {
    name: 'Argo Workflows: container, script and sidecars; item lists of {image, tag} are parts, not references',
    text: [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Workflow',
      'metadata: {generateName: ci-}',
      'spec:',
      '  templates:',
      '  - name: build',
      '    container:',
      '      image: golang:1.8',
      '    sidecars:',
      '    - name: dind',
      '      image: docker:27-dind',
      '  - name: fanout',
      '    steps:',
      '    - - name: run',
      '        withItems:',
      "        - { image: 'debian', tag: '12' }",
      '  - name: py',
      '    script:',
      '      image: python:alpine3.20',
      '      source: print(1)',
      '',
    ].join('\n'),
    expect: [
      unpinned('golang:1.8', 'docker.io/library/golang', '1.8'),
      unpinned('docker:27-dind', 'docker.io/library/docker', '27-dind'),
      unpinned('python:alpine3.20', 'docker.io/library/python', 'alpine3.20'),
    ],
  },
  {
    name: 'Argo template parameters are variable',
    text: 'apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: t}\nspec:\n  templates:\n  - name: run\n    container:\n      image: "{{inputs.parameters.os-image}}"\n',
    expect: [variable('{{inputs.parameters.os-image}}')],
  },
  {
    name: 'Helm values: structured images are out of scope',
    text: 'image:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.27.0\n  digest: ""\nexporter:\n  image: ghcr.io/oliver006/redis_exporter\n  tag: v1.62.0\n',
    expect: [],
  },
  {
    name: 'Helm values: a full reference written as one string is reported',
    text: 'initContainer:\n  enabled: true\n  image: busybox:1.36.1\n',
    expect: [unpinned('busybox:1.36.1', 'docker.io/library/busybox', '1.36.1')],
  },
  {
    name: 'non-strings, empty values and mappings without a name are not references',
    text: 'a:\n  image: true\nb:\n  image: ""\nc:\n  image: 42\nd:\n  image:\ne:\n  image: {pullPolicy: Always}\nf:\n  image: [nginx]\n',
    expect: [],
  },
  {
    name: 'pictures, paths and URLs are not container images',
    text: 'site:\n  image: /assets/img/logo.png\nog:\n  image: https://example.com/card.jpg\nlocal:\n  image: ./diagram.svg\nthumb:\n  image: cover.webp\nhome:\n  image: ~/pics/me.jpeg\n',
    expect: [],
  },
  {
    name: 'settings words and prose are not references; a clear attempt that is invalid is reported',
    text: 'a:\n  image: default\nb:\n  image: none\nc:\n  image: Ubuntu 22.04 LTS\nd:\n  image: My-Org/App:1.0\n',
    expect: [invalid('My-Org/App:1.0', { error: 'repository name must be lowercase' })],
  },
  {
    name: 'Ansible: docker_container image',
    text: '- hosts: web\n  tasks:\n    - name: run app\n      community.docker.docker_container:\n        name: app\n        image: "ghcr.io/acme/app:{{ app_version }}"\n    - name: run cache\n      community.docker.docker_container:\n        name: cache\n        image: redis:7.4\n',
    expect: [variable('ghcr.io/acme/app:{{ app_version }}'), unpinned('redis:7.4', 'docker.io/library/redis', '7.4')],
  },
  {
    name: 'Tekton: a step image written literally',
    text: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - name: build\n      image: gcr.io/kaniko-project/executor:v1.23.2\n',
    expect: [unpinned('gcr.io/kaniko-project/executor:v1.23.2', 'gcr.io/kaniko-project/executor', 'v1.23.2')],
  },
];

describe('kinds/generic', () => {
  for (const c of cases) it(c.name, () => void check(c));
});

describe('looksLikeImage', () => {
  const table: Array<[value: string, expected: boolean]> = [
    ['nginx', true],
    ['nginx:1.27', true],
    ['ghcr.io/acme/app', true],
    ['localhost:5000/app:dev', true],
    ['${IMAGE}', true],
    ['$(params.builderImage)', true],
    ['Acme/App', true],
    ['default', false],
    ['LATEST', false],
    ['logo.png', false],
    ['/img/a.svg', false],
    ['../up', false],
    ['https://example.com/a', false],
    ['two words', false],
    ['1.2.3', false],
    ['', false],
  ];
  for (const [value, expected] of table)
    it(`${JSON.stringify(value)} → ${expected}`, () => assert.equal(looksLikeImage(value), expected));
});
