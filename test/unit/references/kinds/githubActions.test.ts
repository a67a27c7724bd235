// GitHub Actions: job containers, services, `uses: docker://`, matrix values, action metadata files.
import { describe, it } from 'node:test';
import { check, rows, type Case } from './expect';

const container = rows('github-actions', 'container');
const service = rows('github-actions', 'service');
const uses = rows('github-actions', 'uses');
const image = rows('github-actions', 'image');
const DIGEST = `sha256:${'b'.repeat(64)}`;

const workflow = (jobs: string): string => `name: CI\non: [push, pull_request]\njobs:\n${jobs}`;

const cases: Case[] = [
  {
    name: 'container as a string',
    hint: 'github-actions',
    kind: 'github-actions',
    text: workflow(
      '  build:\n    runs-on: ubuntu-latest\n    container: node:20-bookworm\n    steps:\n      - run: npm ci\n',
    ),
    expect: [container.unpinned('node:20-bookworm', 'docker.io/library/node', '20-bookworm')],
  },
  {
    name: 'container as a mapping with credentials and options',
    hint: 'github-actions',
    text: workflow(
      '  build:\n    runs-on: ubuntu-latest\n    container:\n      image: ghcr.io/acme/builder:2024.05\n      credentials: {username: x, password: "${{ secrets.PAT }}"}\n      options: --cpus 2\n',
    ),
    expect: [container.unpinned('ghcr.io/acme/builder:2024.05', 'ghcr.io/acme/builder', '2024.05')],
  },
  {
    name: 'services.<id>.image',
    hint: 'github-actions',
    text: workflow(
      '  test:\n    runs-on: ubuntu-latest\n    services:\n      postgres:\n        image: postgres:16\n        env: {POSTGRES_PASSWORD: x}\n        ports: ["5432:5432"]\n      redis:\n        image: "redis:7-alpine"\n',
    ),
    expect: [
      service.unpinned('postgres:16', 'docker.io/library/postgres', '16'),
      service.unpinned('redis:7-alpine', 'docker.io/library/redis', '7-alpine'),
    ],
  },
  {
    name: 'uses: docker:// — the range excludes the scheme',
    hint: 'github-actions',
    text: workflow(
      `  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker://rhysd/actionlint:1.7.1@${DIGEST}\n      - uses: 'docker://alpine:3.20'\n        with: {args: echo hi}\n`,
    ),
    expect: [
      uses.pinned(`rhysd/actionlint:1.7.1@${DIGEST}`, 'docker.io/rhysd/actionlint', '1.7.1', DIGEST),
      uses.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20'),
    ],
  },
  {
    name: 'action references, runs-on and local actions are not images',
    hint: 'github-actions',
    text: workflow(
      '  x:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/setup-node@v4\n      - uses: ./.github/actions/local\n      - uses: docker/build-push-action@v6\n        with: {tags: "acme/app:latest", push: true}\n',
    ),
    expect: [],
  },
  {
    name: 'expressions make a value variable',
    hint: 'github-actions',
    text: workflow(
      '  x:\n    runs-on: ubuntu-latest\n    container: ${{ needs.setup.outputs.image }}\n    services:\n      db:\n        image: "mysql:${{ matrix.mysql }}"\n',
    ),
    expect: [container.variable('${{ needs.setup.outputs.image }}'), service.variable('mysql:${{ matrix.mysql }}')],
  },
  {
    name: '${{ matrix.x }}: the matrix list values are the images',
    hint: 'github-actions',
    text: workflow(
      "  db:\n    strategy:\n      matrix:\n        dbversion: ['mysql:9', 'mysql:8.4']\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: ${{ matrix.dbversion }}\n",
    ),
    expect: [
      service.unpinned('mysql:9', 'docker.io/library/mysql', '9'),
      service.unpinned('mysql:8.4', 'docker.io/library/mysql', '8.4'),
      service.variable('${{ matrix.dbversion }}', {
        variable:
          "'${{ matrix.dbversion }}' takes its values from the job's matrix (line 7); those images are checked there",
      }),
    ],
  },
  {
    name: '${{ matrix.x }} from include entries (flow mappings)',
    hint: 'github-actions',
    text: workflow(
      '  linux:\n    runs-on: ubuntu-latest\n    container:\n      image: ${{ matrix.image }}\n    strategy:\n      matrix:\n        include:\n          - { name: bookworm, image: debian:bookworm }\n          - { name: rocky, image: "rockylinux:9" }\n',
    ),
    expect: [
      container.variable('${{ matrix.image }}'),
      container.unpinned('debian:bookworm', 'docker.io/library/debian', 'bookworm'),
      container.unpinned('rockylinux:9', 'docker.io/library/rockylinux', '9'),
    ],
  },
  {
    name: '${{ matrix.vector.image }}: a field of the matrix entries',
    hint: 'github-actions',
    text: workflow(
      '  docker:\n    strategy:\n      matrix:\n        vector:\n          - jobname: a\n            image: ubuntu:24.04\n          - jobname: b\n            image: alpine:3.20\n    runs-on: ubuntu-latest\n    container: ${{ matrix.vector.image }}\n',
    ),
    expect: [
      container.unpinned('ubuntu:24.04', 'docker.io/library/ubuntu', '24.04'),
      container.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20'),
      container.variable('${{ matrix.vector.image }}'),
    ],
  },
  {
    name: 'matrix values that are container mappings give their image',
    hint: 'github-actions',
    text: workflow(
      "  x:\n    strategy:\n      matrix:\n        container:\n          - {image: 'fedora:40', options: --privileged}\n    runs-on: ubuntu-latest\n    container: ${{ matrix.container }}\n",
    ),
    expect: [
      container.unpinned('fedora:40', 'docker.io/library/fedora', '40'),
      container.variable('${{ matrix.container }}'),
    ],
  },
  {
    name: 'matrix exclude entries and expression values are not images',
    hint: 'github-actions',
    text: workflow(
      "  x:\n    strategy:\n      matrix:\n        img: ['node:20', '${{ inputs.extra }}']\n        exclude:\n          - img: 'node:20'\n    runs-on: ubuntu-latest\n    container: ${{ matrix.img }}\n",
    ),
    expect: [container.unpinned('node:20', 'docker.io/library/node', '20'), container.variable('${{ matrix.img }}')],
  },
  {
    name: 'a matrix computed at run time: variable, with its own explanation',
    hint: 'github-actions',
    text: workflow(
      '  x:\n    strategy:\n      matrix: ${{ fromJson(needs.plan.outputs.matrix) }}\n    runs-on: ubuntu-latest\n    container: ${{ matrix.container }}\n',
    ),
    expect: [
      container.variable('${{ matrix.container }}', {
        variable: "'${{ matrix.container }}' comes from the job's matrix, which is computed when the workflow runs",
      }),
    ],
  },
  {
    name: 'docker/setup-qemu-action image input is pulled',
    hint: 'github-actions',
    text: workflow(
      '  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-qemu-action@v3\n        with:\n          image: tonistiigi/binfmt:qemu-v8.1.5\n',
    ),
    expect: [image.unpinned('tonistiigi/binfmt:qemu-v8.1.5', 'docker.io/tonistiigi/binfmt', 'qemu-v8.1.5')],
  },
  {
    name: 'detected by content: jobs with runs-on (any file name)',
    kind: 'github-actions',
    text: 'jobs:\n  x:\n    runs-on: ubuntu-latest\n    container: golang:1.23\n',
    expect: [container.unpinned('golang:1.23', 'docker.io/library/golang', '1.23')],
  },
  {
    name: 'detected by content: an `on:` key and jobs (a reusable-workflow caller has no runs-on)',
    kind: 'github-actions',
    text: 'on:\n  workflow_call:\njobs:\n  call:\n    uses: acme/workflows/.github/workflows/build.yml@main\n  svc:\n    services:\n      cache: {image: memcached:1.6}\n',
    expect: [service.unpinned('memcached:1.6', 'docker.io/library/memcached', '1.6')],
  },
  {
    name: 'a YAML 1.1 reader turns `on` into true: a `true:` key also marks a workflow',
    kind: 'github-actions',
    text: 'true: push\njobs:\n  x:\n    steps:\n      - uses: docker://hadolint/hadolint:v2.12.0\n',
    expect: [uses.unpinned('hadolint/hadolint:v2.12.0', 'docker.io/hadolint/hadolint', 'v2.12.0')],
  },
  {
    name: 'not a workflow: CircleCI jobs have steps but neither on: nor runs-on (generic rule)',
    kind: 'yaml',
    text: 'version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/go:1.22\n    steps: [checkout]\n',
    expect: [
      {
        text: 'cimg/go:1.22',
        name: 'docker.io/cimg/go',
        tag: '1.22',
        status: 'unpinned',
        source: 'yaml',
        context: 'image',
      },
    ],
  },
  {
    name: 'action.yml: runs.image docker:// is an image',
    kind: 'github-actions',
    text: "name: Greet\ndescription: say hi\nruns:\n  using: docker\n  image: 'docker://debian:bookworm-slim'\n  args: [hi]\n",
    expect: [image.unpinned('debian:bookworm-slim', 'docker.io/library/debian', 'bookworm-slim')],
  },
  {
    name: 'action.yml: runs.image Dockerfile builds one, not a reference',
    kind: 'github-actions',
    text: 'name: Build\nruns:\n  using: docker\n  image: Dockerfile\n',
    expect: [],
  },
  {
    name: 'composite action: steps that run docker:// images',
    kind: 'github-actions',
    text: 'name: Lint\nruns:\n  using: composite\n  steps:\n    - uses: docker://koalaman/shellcheck:v0.10.0\n      with: {args: "scripts/*.sh"}\n    - uses: actions/cache@v4\n',
    expect: [uses.unpinned('koalaman/shellcheck:v0.10.0', 'docker.io/koalaman/shellcheck', 'v0.10.0')],
  },
  {
    name: 'jobs and services through anchors are reported once',
    hint: 'github-actions',
    text: workflow(
      '  a:\n    runs-on: ubuntu-latest\n    services: &svc\n      db: {image: "postgres:15"}\n  b:\n    runs-on: ubuntu-latest\n    services: *svc\n',
    ),
    expect: [service.unpinned('postgres:15', 'docker.io/library/postgres', '15')],
  },
  {
    name: 'an image input of another action is not assumed to be pulled',
    hint: 'github-actions',
    text: workflow(
      '  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: redhat-actions/buildah-build@v2\n        with:\n          image: my-app\n          tags: latest\n',
    ),
    expect: [],
  },
];

describe('kinds/githubActions', () => {
  for (const c of cases) it(c.name, () => void check(c));
});
