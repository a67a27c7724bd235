// Compose: services.*.image, localBuild from build:, platform:, x- blocks through merge keys, content detection.
import { describe, it } from 'node:test';
import { check, rows, type Case } from './expect';

const { unpinned, pinned, variable, invalid } = rows('compose', 'image');
const DIGEST = `sha256:${'a'.repeat(64)}`;

const cases: Case[] = [
  {
    name: 'plain images of several services',
    hint: 'compose',
    kind: 'compose',
    text: 'services:\n  web:\n    image: nginx:1.27\n  cache:\n    image: redis\n',
    expect: [
      unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27'),
      unpinned('redis', 'docker.io/library/redis', null),
    ],
  },
  {
    name: 'version, networks and volumes around the services',
    hint: 'compose',
    text: "version: '3.8'\nservices:\n  db:\n    image: postgres:16-alpine\n    volumes: [db:/var/lib/postgresql/data]\nnetworks:\n  back: {}\nvolumes:\n  db: {}\n",
    expect: [unpinned('postgres:16-alpine', 'docker.io/library/postgres', '16-alpine')],
  },
  {
    name: 'a pinned digest with a registry port',
    hint: 'compose',
    text: `services:\n  api:\n    image: registry.local:5000/team/api:2.1@${DIGEST}\n`,
    expect: [pinned(`registry.local:5000/team/api:2.1@${DIGEST}`, 'registry.local:5000/team/api', '2.1', DIGEST)],
  },
  {
    name: 'build: makes the image the local build name',
    hint: 'compose',
    text: 'services:\n  app:\n    build: .\n    image: acme/app:dev\n  db:\n    image: mysql:8\n',
    expect: [
      unpinned('acme/app:dev', 'docker.io/acme/app', 'dev', { localBuild: true }),
      unpinned('mysql:8', 'docker.io/library/mysql', '8'),
    ],
  },
  {
    name: 'build: as a mapping also counts; build: with no value does not',
    hint: 'compose',
    text: 'services:\n  a:\n    build:\n      context: ./a\n      dockerfile: Dockerfile.dev\n    image: a:latest\n  b:\n    build:\n    image: b:1\n',
    expect: [
      unpinned('a:latest', 'docker.io/library/a', 'latest', { localBuild: true }),
      unpinned('b:1', 'docker.io/library/b', '1'),
    ],
  },
  {
    name: 'a literal platform travels with the reference',
    hint: 'compose',
    text: 'services:\n  arm:\n    platform: linux/arm64/v8\n    image: alpine:3.20\n',
    expect: [unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20', { platform: 'linux/arm64/v8' })],
  },
  {
    name: 'a platform built from variables is not passed on',
    hint: 'compose',
    text: 'services:\n  x:\n    platform: ${PLATFORM:-linux/amd64}\n    image: alpine:3.20\n',
    expect: [unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
  {
    name: '${VAR}, ${VAR:-default} and $VAR make a value variable',
    hint: 'compose',
    text: 'services:\n  a:\n    image: ${REGISTRY}/a:1\n  b:\n    image: "nginx:${NGINX_TAG:-1.27}"\n  c:\n    image: $IMAGE\n',
    expect: [variable('${REGISTRY}/a:1'), variable('nginx:${NGINX_TAG:-1.27}'), variable('$IMAGE')],
  },
  {
    name: 'an x- extension block merged into two services is reported once, at its literal',
    hint: 'compose',
    text: 'x-common: &common\n  image: ghcr.io/acme/worker:3.2\n  restart: always\nservices:\n  worker-a:\n    <<: *common\n  worker-b:\n    <<: *common\n    environment: [QUEUE=b]\n',
    expect: [unpinned('ghcr.io/acme/worker:3.2', 'ghcr.io/acme/worker', '3.2')],
  },
  {
    name: 'a service that overrides the merged image reports its own; the unused base image is not in use',
    hint: 'compose',
    text: 'x-base: &base\n  image: node:18\nservices:\n  web:\n    <<: *base\n    image: node:20\n',
    expect: [unpinned('node:20', 'docker.io/library/node', '20')],
  },
  {
    name: 'merge of several sources: the first that has the key wins',
    hint: 'compose',
    text: 'x-a: &a {restart: always}\nx-b: &b {image: "busybox:1.36"}\nx-c: &c {image: alpine:3}\nservices:\n  s:\n    <<: [*a, *b, *c]\n',
    expect: [unpinned('busybox:1.36', 'docker.io/library/busybox', '1.36')],
  },
  {
    name: 'nested merges: an extension that merges another',
    hint: 'compose',
    text: 'x-base: &base\n  image: python:3.12-slim\nx-app: &app\n  <<: *base\n  working_dir: /app\nservices:\n  api:\n    <<: *app\n    build: .\n',
    expect: [unpinned('python:3.12-slim', 'docker.io/library/python', '3.12-slim', { localBuild: true })],
  },
  {
    name: 'an image anchored in one service and aliased in another',
    hint: 'compose',
    text: 'services:\n  one:\n    image: &img traefik:v3.1\n  two:\n    image: *img\n',
    expect: [unpinned('traefik:v3.1', 'docker.io/library/traefik', 'v3.1')],
  },
  {
    name: 'flow-style services',
    hint: 'compose',
    text: 'services: {web: {image: \'caddy:2\'}, db: {image: "mariadb:11", platform: linux/amd64}}\n',
    expect: [
      unpinned('caddy:2', 'docker.io/library/caddy', '2'),
      unpinned('mariadb:11', 'docker.io/library/mariadb', '11', { platform: 'linux/amd64' }),
    ],
  },
  {
    name: 'only services.*.image: a top-level image or one under another key is not a service image',
    hint: 'compose',
    text: 'image: not-a-service:1\nservices:\n  web:\n    image: nginx\n    labels:\n      image: label-value:1\nconfigs:\n  c:\n    image: x:1\n',
    expect: [unpinned('nginx', 'docker.io/library/nginx', null)],
  },
  {
    name: 'extends: the base service reports its own image where it is written',
    hint: 'compose',
    text: 'services:\n  base:\n    image: eclipse-temurin:21-jre\n  app:\n    extends:\n      service: base\n    command: java -jar app.jar\n',
    expect: [unpinned('eclipse-temurin:21-jre', 'docker.io/library/eclipse-temurin', '21-jre')],
  },
  {
    name: 'an invalid reference is reported with its reason',
    hint: 'compose',
    text: 'services:\n  web:\n    image: Acme/Web:1\n',
    expect: [invalid('Acme/Web:1', { error: 'repository name must be lowercase' })],
  },
  {
    name: 'a service with duplicate image keys reports the last (what loaders keep); duplicate services both count',
    hint: 'compose',
    text: 'services:\n  web:\n    image: nginx:1.25\n    image: nginx:1.27\n  web:\n    image: httpd:2.4\n',
    expect: [
      unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27'),
      unpinned('httpd:2.4', 'docker.io/library/httpd', '2.4'),
    ],
  },
  {
    name: 'detected by content: services whose entries have image or build',
    kind: 'compose',
    text: 'services:\n  app:\n    build: ./app\n  proxy:\n    image: haproxy:3.0\n',
    expect: [unpinned('haproxy:3.0', 'docker.io/library/haproxy', '3.0')],
  },
  {
    name: 'not compose: a Woodpecker pipeline also has a services mapping, beside steps (generic rule, source yaml)',
    kind: 'yaml',
    text: 'steps:\n  build:\n    image: golang:1.22\n    commands: [go build]\nservices:\n  db:\n    image: postgres:16\n',
    expect: [
      {
        text: 'golang:1.22',
        name: 'docker.io/library/golang',
        tag: '1.22',
        status: 'unpinned',
        source: 'yaml',
        context: 'image',
      },
      {
        text: 'postgres:16',
        name: 'docker.io/library/postgres',
        tag: '16',
        status: 'unpinned',
        source: 'yaml',
        context: 'image',
      },
    ],
  },
  {
    name: 'services with profiles, depends_on and healthchecks around the image',
    hint: 'compose',
    text: [
      'services:',
      '  mail:',
      '    profiles: [dev]',
      '    image: axllent/mailpit:v1.20 # local mail catcher',
      '    depends_on:',
      '      db:',
      '        condition: service_healthy',
      '    healthcheck:',
      '      test: ["CMD", "wget", "-q", "http://localhost:8025"]',
      '',
    ].join('\n'),
    expect: [unpinned('axllent/mailpit:v1.20', 'docker.io/axllent/mailpit', 'v1.20')],
  },
];

describe('kinds/compose', () => {
  for (const c of cases) it(c.name, () => void check(c));
});
