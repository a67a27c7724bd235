// GitLab CI: image / services (strings or {name:}) at top level, in default:, per job; variables and matrices.
import { describe, it } from 'node:test';
import { check, rows, type Case } from './expect';

const image = rows('gitlab-ci', 'image');
const service = rows('gitlab-ci', 'service');

const cases: Case[] = [
  {
    name: 'top-level image and services as strings',
    hint: 'gitlab-ci',
    kind: 'gitlab-ci',
    text: 'image: docker:27.1\nservices:\n  - docker:27.1-dind\nbuild:\n  script: docker build .\n',
    expect: [
      image.unpinned('docker:27.1', 'docker.io/library/docker', '27.1'),
      service.unpinned('docker:27.1-dind', 'docker.io/library/docker', '27.1-dind'),
    ],
  },
  {
    name: 'image and services as mappings: name, with entrypoint / alias / command beside it',
    hint: 'gitlab-ci',
    text: [
      'test:',
      '  image:',
      '    name: registry.gitlab.com/acme/tools/terraform:1.9',
      '    entrypoint: [""]',
      '  services:',
      '    - name: postgres:16',
      '      alias: db',
      '      command: ["postgres", "-c", "fsync=off"]',
      '    - redis:7',
      '  script: make test',
      '',
    ].join('\n'),
    expect: [
      image.unpinned('registry.gitlab.com/acme/tools/terraform:1.9', 'registry.gitlab.com/acme/tools/terraform', '1.9'),
      service.unpinned('postgres:16', 'docker.io/library/postgres', '16'),
      service.unpinned('redis:7', 'docker.io/library/redis', '7'),
    ],
  },
  {
    name: 'default: image and services',
    hint: 'gitlab-ci',
    text: 'default:\n  image: ruby:3.3\n  services: [mysql:8.0]\n  before_script: [bundle install]\nrspec:\n  script: rspec\n',
    expect: [
      image.unpinned('ruby:3.3', 'docker.io/library/ruby', '3.3'),
      service.unpinned('mysql:8.0', 'docker.io/library/mysql', '8.0'),
    ],
  },
  {
    name: 'hidden jobs (templates) and jobs that extend them: each literal once',
    hint: 'gitlab-ci',
    text: '.node:\n  image: node:22-alpine\n  before_script: [npm ci]\nlint:\n  extends: .node\n  script: npm run lint\ntest:\n  extends: .node\n  image: node:20-alpine\n  script: npm test\n',
    expect: [
      image.unpinned('node:22-alpine', 'docker.io/library/node', '22-alpine'),
      image.unpinned('node:20-alpine', 'docker.io/library/node', '20-alpine'),
    ],
  },
  {
    name: 'YAML anchors and merge keys between jobs: once, at the literal',
    hint: 'gitlab-ci',
    text: '.build: &build\n  image: gcc:14\n  script: make\nbuild-a:\n  <<: *build\nbuild-b:\n  <<: *build\n  variables: {CC: clang}\n',
    expect: [image.unpinned('gcc:14', 'docker.io/library/gcc', '14')],
  },
  {
    name: 'docker.platform of an image mapping travels with it',
    hint: 'gitlab-ci',
    text: 'arm:\n  image:\n    name: alpine:3.20\n    docker:\n      platform: arm64/v8\n      user: dave\n  script: uname -m\n',
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20', { platform: 'linux/arm64/v8' })],
  },
  {
    name: 'a platform that names its OS is kept; one built from variables is dropped',
    hint: 'gitlab-ci',
    text: 'a:\n  image: {name: "mcr.microsoft.com/windows/servercore:ltsc2022", docker: {platform: windows/amd64}}\n  script: dir\nb:\n  image: {name: alpine:3, docker: {platform: $ARCH}}\n  script: true\n',
    expect: [
      image.unpinned(
        'mcr.microsoft.com/windows/servercore:ltsc2022',
        'mcr.microsoft.com/windows/servercore',
        'ltsc2022',
        { platform: 'windows/amd64' },
      ),
      image.unpinned('alpine:3', 'docker.io/library/alpine', '3'),
    ],
  },
  {
    name: '$VAR from the global variables: the variable value is the image',
    hint: 'gitlab-ci',
    text: 'variables:\n  FEDORA_IMAGE: "registry.gitlab.gnome.org/gnome/glib/fedora:v41"\n  JOBS: 4\nfedora:\n  image: "${FEDORA_IMAGE}"\n  script: ninja\n',
    expect: [
      image.unpinned(
        'registry.gitlab.gnome.org/gnome/glib/fedora:v41',
        'registry.gitlab.gnome.org/gnome/glib/fedora',
        'v41',
      ),
      image.variable('${FEDORA_IMAGE}', {
        variable: "'${FEDORA_IMAGE}' is set by FEDORA_IMAGE (line 2); those images are checked there",
      }),
    ],
  },
  {
    name: "a job's own variables win over the global ones; {value:} form",
    hint: 'gitlab-ci',
    text: 'variables:\n  IMG: alpine:3.19\njob:\n  variables:\n    IMG:\n      value: alpine:3.20\n      description: the image\n  image: $IMG\n  script: true\n',
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20'), image.variable('$IMG')],
  },
  {
    name: 'a variable built from other variables stays variable, with the default explanation',
    hint: 'gitlab-ci',
    text: 'variables:\n  IMAGE: $CI_REGISTRY_IMAGE/builder:$CI_COMMIT_SHA\njob:\n  image: $IMAGE\n  script: true\n',
    expect: [
      image.variable('$IMAGE', {
        variable: "'$IMAGE' is built from variables; its value is only known at build or deploy time",
      }),
    ],
  },
  {
    name: 'CI/CD inputs ($[[ inputs.x ]]) are variable, not invalid',
    hint: 'gitlab-ci',
    text: 'spec:\n  inputs:\n    version: {default: "3.12"}\n---\ntest:\n  image: python:$[[ inputs.version ]]\n  script: pytest\n',
    expect: [
      image.variable('python:$[[ inputs.version ]]', {
        variable:
          "'python:$[[ inputs.version ]]' uses a CI/CD input; its value is only known when the pipeline is created",
      }),
    ],
  },
  {
    name: 'parallel:matrix values of the variable are the images',
    hint: 'gitlab-ci',
    text: 'test:\n  image: $IMAGE\n  script: ./ci/run.sh\n  parallel:\n    matrix:\n      - IMAGE: ubuntu:24.04\n        CC: gcc\n      - IMAGE: [fedora:41, "debian:12"]\n',
    expect: [
      image.variable('$IMAGE'),
      image.unpinned('ubuntu:24.04', 'docker.io/library/ubuntu', '24.04'),
      image.unpinned('fedora:41', 'docker.io/library/fedora', '41'),
      image.unpinned('debian:12', 'docker.io/library/debian', '12'),
    ],
  },
  {
    name: 'hosted macOS runner images are VMs, not container images',
    hint: 'gitlab-ci',
    text: 'osx:\n  image: macos-14-xcode-15\n  tags: [saas-macos-medium-m1]\n  script: xcodebuild\n',
    expect: [],
  },
  {
    name: 'variables, workflow, cache and include are not jobs',
    hint: 'gitlab-ci',
    text: 'include:\n  - template: Security/SAST.gitlab-ci.yml\nworkflow:\n  rules: [{if: $CI_COMMIT_BRANCH}]\ncache:\n  paths: [.npm]\nvariables:\n  image: not-an-image-key\nstages: [build]\n',
    expect: [],
  },
  {
    name: '!reference tags and other custom tags do not disturb the walk',
    hint: 'gitlab-ci',
    text: '.setup:\n  script: [echo setup]\njob:\n  image: maven:3.9-eclipse-temurin-21\n  script:\n    - !reference [.setup, script]\n    - mvn verify\n',
    expect: [image.unpinned('maven:3.9-eclipse-temurin-21', 'docker.io/library/maven', '3.9-eclipse-temurin-21')],
  },
  {
    name: 'detected by content: stages as a list of names',
    kind: 'gitlab-ci',
    text: 'stages: [test, deploy]\nunit:\n  stage: test\n  image: python:3.12\n  script: pytest\n',
    expect: [image.unpinned('python:3.12', 'docker.io/library/python', '3.12')],
  },
  {
    name: 'detected by content: an include file with only a hidden job template',
    kind: 'gitlab-ci',
    text: '.deploy-template:\n  image: bitnami/kubectl:1.30\n  stage: deploy\n',
    expect: [image.unpinned('bitnami/kubectl:1.30', 'docker.io/bitnami/kubectl', '1.30')],
  },
  {
    name: 'not GitLab: Azure Pipelines stages are mappings (read as Azure Pipelines: the container resource image)',
    kind: 'azure-pipelines',
    text: 'resources:\n  containers:\n    - container: py\n      image: python:3.11\nstages:\n  - stage: Build\n    jobs:\n      - job: b\n        container: py\n',
    expect: [
      {
        text: 'python:3.11',
        name: 'docker.io/library/python',
        tag: '3.11',
        status: 'unpinned',
        source: 'azure-pipelines',
        context: 'image',
      },
    ],
  },
  {
    name: 'a variable used by two jobs is reported once',
    hint: 'gitlab-ci',
    text: 'variables:\n  KUBECTL: bitnami/kubectl:1.31\nstaging:\n  image: $KUBECTL\n  script: deploy staging\nprod:\n  image: ${KUBECTL}\n  script: deploy prod\n',
    expect: [
      image.unpinned('bitnami/kubectl:1.31', 'docker.io/bitnami/kubectl', '1.31'),
      image.variable('$KUBECTL'),
      image.variable('${KUBECTL}'),
    ],
  },
  {
    name: 'services through an anchor shared by jobs',
    hint: 'gitlab-ci',
    text: '.dind: &dind\n  - name: docker:27-dind\n    alias: docker\nbuild:\n  services: *dind\n  script: docker build .\npush:\n  services: *dind\n  script: docker push\n',
    expect: [service.unpinned('docker:27-dind', 'docker.io/library/docker', '27-dind')],
  },
  {
    name: 'an unset variable stays variable',
    hint: 'gitlab-ci',
    text: 'job:\n  image: $CI_REGISTRY_IMAGE/ci:latest\n  services: ["$DB_IMAGE"]\n  script: true\n',
    expect: [image.variable('$CI_REGISTRY_IMAGE/ci:latest'), service.variable('$DB_IMAGE')],
  },
];

describe('kinds/gitlabCi', () => {
  for (const c of cases) it(c.name, () => void check(c));
});
