// extractDockerfile: every image reference in a Dockerfile, with exact ranges. Each case is a realistic Dockerfile
// and the complete list of references expected from it, in file order.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { extractDockerfile } from '../../../server/src/references/dockerfile';
import { findReferences } from '../../../server/src/references/index';
import type { ImageReference, ReferenceContext } from '../../../server/src/references/types';
import { rangeOf, sliceRange } from '../../support/ranges';

interface Want {
  /** Exactly the characters the range covers. */
  text: string;
  /** What BuildKit reads, when it differs from the written characters (quotes, escapes, continuations). */
  assembled?: string;
  /** Where to find the range when `text` occurs earlier in the fixture: the n-th (0-based) occurrence. */
  occurrence?: number;
  name: string | null;
  tag?: string;
  digest?: string;
  /** Default 'from'. */
  context?: ReferenceContext;
  platform?: string;
  ignored?: true;
  error?: string;
  variable?: string;
}

interface Case {
  name: string;
  dockerfile: string;
  want: Want[];
}

const lines = (...text: string[]): string => `${text.join('\n')}\n`;
const crlf = (...text: string[]): string => `${text.join('\r\n')}\r\n`;

const DIGEST = 'sha256:3f5b3f4a2d6e8c1b0a9f7e6d5c4b3a291817161514131211100f0e0d0c0b0a09';
const DIGEST2 = 'sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';

const NO_DEFAULT = (word: string, name: string): string =>
  `'${word}' has no default: ${name} gets no value from an ARG before the first FROM, so the image is only known at build time`;
const COMPOSED = (word: string): string =>
  `'${word}' is built from variables; its value is only known at build or deploy time`;
const COMPOSED_DEFAULT = (word: string, value: string): string =>
  `'${word}' is built from variables; with the ARG defaults it is '${value}'`;
const COPY_VARIABLE = (value: string): string =>
  `BuildKit does not expand variables in COPY --from ('${value}'); name the image in a stage (FROM <image> AS <name>) and use that name`;
const MOUNT_VARIABLE = (value: string): string =>
  `BuildKit does not expand variables in RUN --mount from= ('${value}'); name the image in a stage (FROM <image> AS <name>) and use that name`;

const cases: Case[] = [
  // ---- FROM ----
  {
    name: 'FROM with a tag',
    dockerfile: lines('FROM python:3.12-slim', 'WORKDIR /app', 'COPY . .', 'CMD ["python", "app.py"]'),
    want: [{ text: 'python:3.12-slim', name: 'docker.io/library/python', tag: '3.12-slim' }],
  },
  {
    name: 'FROM without a tag (implicit latest)',
    dockerfile: lines('FROM nginx', 'COPY site/ /usr/share/nginx/html/'),
    want: [{ text: 'nginx', name: 'docker.io/library/nginx' }],
  },
  {
    name: 'FROM pinned by digest only',
    dockerfile: lines(`FROM alpine@${DIGEST}`, 'RUN apk add --no-cache curl'),
    want: [{ text: `alpine@${DIGEST}`, name: 'docker.io/library/alpine', digest: DIGEST }],
  },
  {
    name: 'FROM with tag and digest',
    dockerfile: lines(`FROM node:20-bookworm-slim@${DIGEST}`, 'USER node'),
    want: [
      {
        text: `node:20-bookworm-slim@${DIGEST}`,
        name: 'docker.io/library/node',
        tag: '20-bookworm-slim',
        digest: DIGEST,
      },
    ],
  },
  {
    name: 'FROM a registry with a port',
    dockerfile: lines('FROM localhost:5000/team/base-image:1.0.3', 'RUN make'),
    want: [{ text: 'localhost:5000/team/base-image:1.0.3', name: 'localhost:5000/team/base-image', tag: '1.0.3' }],
  },
  {
    name: 'FROM ghcr.io and mcr.microsoft.com',
    dockerfile: lines(
      'FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build',
      'RUN dotnet publish -c Release -o /out',
      'FROM ghcr.io/acme/runtime:v2',
      'COPY --from=build /out /app',
    ),
    want: [
      { text: 'mcr.microsoft.com/dotnet/sdk:8.0', name: 'mcr.microsoft.com/dotnet/sdk', tag: '8.0' },
      { text: 'ghcr.io/acme/runtime:v2', name: 'ghcr.io/acme/runtime', tag: 'v2' },
    ],
  },
  {
    name: 'FROM docker.io/library spelled out keeps the written text',
    dockerfile: lines('FROM docker.io/library/redis:7.2', 'FROM index.docker.io/bitnami/kubectl:1.30'),
    want: [
      { text: 'docker.io/library/redis:7.2', name: 'docker.io/library/redis', tag: '7.2' },
      { text: 'index.docker.io/bitnami/kubectl:1.30', name: 'docker.io/bitnami/kubectl', tag: '1.30' },
    ],
  },
  {
    name: 'lower-case from and as',
    dockerfile: lines(
      'from golang:1.22 as build',
      'run go build ./...',
      'from gcr.io/distroless/static',
      'copy --from=build /go/bin/app /app',
    ),
    want: [
      { text: 'golang:1.22', name: 'docker.io/library/golang', tag: '1.22' },
      { text: 'gcr.io/distroless/static', name: 'gcr.io/distroless/static' },
    ],
  },
  {
    name: 'mixed-case From and As',
    dockerfile: lines(
      'From rust:1.79 As builder',
      'Run cargo build --release',
      'From debian:bookworm-slim',
      'Copy --from=builder /target/release/app /usr/bin/',
    ),
    want: [
      { text: 'rust:1.79', name: 'docker.io/library/rust', tag: '1.79' },
      { text: 'debian:bookworm-slim', name: 'docker.io/library/debian', tag: 'bookworm-slim' },
    ],
  },
  {
    name: 'indentation, tabs and trailing blanks around the image',
    dockerfile: lines('   FROM\tubuntu:24.04\t AS  base  ', '\tRUN apt-get update'),
    want: [{ text: 'ubuntu:24.04', name: 'docker.io/library/ubuntu', tag: '24.04' }],
  },
  {
    name: 'literal --platform is kept',
    dockerfile: lines('FROM --platform=linux/amd64 ubuntu:22.04', 'RUN uname -m'),
    want: [{ text: 'ubuntu:22.04', name: 'docker.io/library/ubuntu', tag: '22.04', platform: 'linux/amd64' }],
  },
  {
    name: '--platform=$BUILDPLATFORM is not a platform',
    dockerfile: lines(
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
      'ARG TARGETOS TARGETARCH',
      'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build',
    ),
    want: [{ text: 'golang:1.22', name: 'docker.io/library/golang', tag: '1.22' }],
  },
  {
    name: 'quoted --platform value',
    dockerfile: lines('FROM --platform="linux/arm64/v8" arm64v8/alpine:3.20'),
    want: [{ text: 'arm64v8/alpine:3.20', name: 'docker.io/arm64v8/alpine', tag: '3.20', platform: 'linux/arm64/v8' }],
  },
  {
    name: 'double-quoted image: the range excludes the quotes',
    dockerfile: lines('FROM "alpine:3.20"', 'RUN echo ok'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'single-quoted image',
    dockerfile: lines("FROM 'busybox:1.36' AS tools"),
    want: [{ text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36' }],
  },
  {
    name: 'FROM without AS name but trailing AS (being typed)',
    dockerfile: lines('FROM nginx:1.27 AS', 'EXPOSE 80'),
    want: [{ text: 'nginx:1.27', name: 'docker.io/library/nginx', tag: '1.27' }],
  },
  {
    name: 'invalid reference: upper-case repository',
    dockerfile: lines('FROM Python:3', 'RUN pip install flask'),
    want: [{ text: 'Python:3', name: null, error: 'repository name must be lowercase' }],
  },
  {
    name: 'invalid reference: short digest',
    dockerfile: lines('FROM nginx:1.0@sha256:abc'),
    want: [{ text: 'nginx:1.0@sha256:abc', name: null, error: 'sha256 digest needs 64 hex characters, found 3' }],
  },
  {
    name: 'unmatched quote: the word as written is invalid',
    dockerfile: lines('FROM "alpine 3.20"'),
    want: [
      {
        text: '"alpine',
        name: null,
        error: `repository path component '"alpine' is invalid: use lowercase letters and digits, separated by '.', '_', '__' or '-'`,
      },
    ],
  },

  // ---- stages and scratch ----
  {
    name: 'scratch is not an image, in any case',
    dockerfile: lines(
      'FROM golang:1.22 AS build',
      'FROM scratch',
      'COPY --from=build /app /app',
      'FROM SCRATCH AS empty',
      'FROM Scratch',
    ),
    want: [{ text: 'golang:1.22', name: 'docker.io/library/golang', tag: '1.22' }],
  },
  {
    name: 'FROM image AS stage followed by FROM stage',
    dockerfile: lines(
      'FROM node:20 AS deps',
      'RUN npm ci',
      'FROM deps AS build',
      'RUN npm run build',
      'FROM build AS test',
      'RUN npm test',
      'FROM nginx:1.27-alpine',
      'COPY --from=build /app/dist /usr/share/nginx/html',
    ),
    want: [
      { text: 'node:20', name: 'docker.io/library/node', tag: '20' },
      { text: 'nginx:1.27-alpine', name: 'docker.io/library/nginx', tag: '1.27-alpine' },
    ],
  },
  {
    name: 'stage names are case-insensitive',
    dockerfile: lines(
      'FROM maven:3.9-eclipse-temurin-21 AS Builder',
      'RUN mvn package',
      'FROM builder AS check',
      'FROM BUILDER',
      'COPY --from=bUiLdEr /target/app.jar /app.jar',
    ),
    want: [{ text: 'maven:3.9-eclipse-temurin-21', name: 'docker.io/library/maven', tag: '3.9-eclipse-temurin-21' }],
  },
  {
    name: 'FROM a stage declared later is an image (BuildKit only sees earlier stages)',
    dockerfile: lines('FROM base', 'RUN true', 'FROM alpine:3.20 AS base'),
    want: [
      { text: 'base', name: 'docker.io/library/base' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'FROM x AS x: the image is not its own stage',
    dockerfile: lines(
      'FROM nginx AS nginx',
      'RUN rm /etc/nginx/conf.d/default.conf',
      'FROM nginx',
      'COPY nginx.conf /etc/nginx/',
    ),
    want: [{ text: 'nginx', name: 'docker.io/library/nginx' }],
  },

  // ---- COPY --from ----
  {
    name: 'COPY --from=<stage> is not an image',
    dockerfile: lines(
      'FROM golang:1.22 AS build',
      'RUN go build -o /bin/app',
      'FROM alpine:3.20',
      'COPY --from=build /bin/app /usr/local/bin/app',
    ),
    want: [
      { text: 'golang:1.22', name: 'docker.io/library/golang', tag: '1.22' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'COPY --from=<index> is not an image',
    dockerfile: lines(
      'FROM golang:1.10',
      'RUN go build -o /app/main',
      'FROM scratch',
      'COPY --from=0 /app/main .',
      'COPY --from=1 /x /y',
    ),
    want: [{ text: 'golang:1.10', name: 'docker.io/library/golang', tag: '1.10' }],
  },
  {
    name: 'COPY --from=<image with tag>',
    dockerfile: lines('FROM debian:bookworm', 'COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx/nginx.conf'),
    want: [
      { text: 'debian:bookworm', name: 'docker.io/library/debian', tag: 'bookworm' },
      { text: 'nginx:latest', name: 'docker.io/library/nginx', tag: 'latest', context: 'copy-from' },
    ],
  },
  {
    name: 'COPY --from=<fully qualified image>',
    dockerfile: lines('FROM python:3.12', 'COPY --from=docker.io/library/busybox /bin/busybox /bin/busybox'),
    want: [
      { text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' },
      { text: 'docker.io/library/busybox', name: 'docker.io/library/busybox', context: 'copy-from' },
    ],
  },
  {
    name: 'COPY --from among other flags',
    dockerfile: lines(
      'FROM alpine:3.20',
      'COPY --link --chown=1000:1000 --from=ghcr.io/astral-sh/uv:0.4.18 /uv /bin/uv',
    ),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'ghcr.io/astral-sh/uv:0.4.18', name: 'ghcr.io/astral-sh/uv', tag: '0.4.18', context: 'copy-from' },
    ],
  },
  {
    name: 'COPY --from with a quoted value',
    dockerfile: lines('FROM alpine:3.20', 'COPY --from="tonistiigi/xx:1.4.0" / /'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'tonistiigi/xx:1.4.0', name: 'docker.io/tonistiigi/xx', tag: '1.4.0', context: 'copy-from' },
    ],
  },
  {
    name: 'COPY --from pinned',
    dockerfile: lines('FROM alpine:3.20', `COPY --from=tonistiigi/xx:1.4.0@${DIGEST2} / /`),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      {
        text: `tonistiigi/xx:1.4.0@${DIGEST2}`,
        name: 'docker.io/tonistiigi/xx',
        tag: '1.4.0',
        digest: DIGEST2,
        context: 'copy-from',
      },
    ],
  },
  {
    name: 'COPY --from=scratch copies from nothing',
    dockerfile: lines('FROM alpine:3.20', 'COPY --from=scratch / /empty'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'COPY --from a stage declared later is still a stage',
    dockerfile: lines('FROM alpine:3.20 AS final', 'COPY --from=assets /dist /srv', 'FROM node:20 AS assets'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'node:20', name: 'docker.io/library/node', tag: '20' },
    ],
  },
  {
    name: 'ADD has no --from: not a reference',
    dockerfile: lines('FROM alpine:3.20', 'ADD --from=busybox /bin/busybox /bin/'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'COPY --from=$VAR: BuildKit rejects variables there',
    dockerfile: lines('ARG TOOLS=ghcr.io/acme/tools:1', 'FROM alpine:3.20', 'COPY --from=$TOOLS /bin/tool /bin/'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: '$TOOLS', name: null, context: 'copy-from', variable: COPY_VARIABLE('$TOOLS') },
    ],
  },
  {
    name: 'COPY --from on a continuation line',
    dockerfile: lines(
      'FROM nginx:1.27',
      'COPY --chown=nginx:nginx \\',
      '     --from=ghcr.io/acme/assets:2.1 \\',
      '     /dist /usr/share/nginx/html',
    ),
    want: [
      { text: 'nginx:1.27', name: 'docker.io/library/nginx', tag: '1.27' },
      { text: 'ghcr.io/acme/assets:2.1', name: 'ghcr.io/acme/assets', tag: '2.1', context: 'copy-from' },
    ],
  },
  {
    name: 'COPY heredoc text is not read',
    dockerfile: lines('FROM alpine:3.20', 'COPY <<EOF /etc/motd', 'FROM evil:1', 'COPY --from=other:2 / /', 'EOF'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },

  // ---- RUN --mount from= ----
  {
    name: 'RUN --mount=type=bind,from=<image>',
    dockerfile: lines('FROM python:3.12', 'RUN --mount=type=bind,from=busybox:1.36,target=/bb /bb/bin/busybox true'),
    want: [
      { text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' },
      { text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36', context: 'mount-from' },
    ],
  },
  {
    name: 'RUN --mount=type=cache,from=<image>',
    dockerfile: lines(
      'FROM rust:1.79',
      'RUN --mount=type=cache,from=ghcr.io/acme/cargo-cache:main,target=/usr/local/cargo/registry cargo build',
    ),
    want: [
      { text: 'rust:1.79', name: 'docker.io/library/rust', tag: '1.79' },
      { text: 'ghcr.io/acme/cargo-cache:main', name: 'ghcr.io/acme/cargo-cache', tag: 'main', context: 'mount-from' },
    ],
  },
  {
    name: 'from= first in the mount options',
    dockerfile: lines(
      'FROM alpine:3.20',
      'RUN --mount=from=ghcr.io/acme/testdata:2024.05,source=/data,target=/testdata ls /testdata',
    ),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'ghcr.io/acme/testdata:2024.05', name: 'ghcr.io/acme/testdata', tag: '2024.05', context: 'mount-from' },
    ],
  },
  {
    name: 'from= last in the mount options',
    dockerfile: lines('FROM alpine:3.20', 'RUN --mount=target=/src,type=bind,from=alpine/git:2.45.2 cp -r /src /work'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'alpine/git:2.45.2', name: 'docker.io/alpine/git', tag: '2.45.2', context: 'mount-from' },
    ],
  },
  {
    name: 'several --mount flags on one RUN',
    dockerfile: lines(
      'FROM golang:1.22',
      'RUN --mount=type=cache,target=/go/pkg/mod \\',
      '    --mount=type=bind,from=ghcr.io/acme/protos:3,target=/protos \\',
      '    --mount=type=bind,from=bufbuild/buf:1.34.0,source=/usr/local/bin/buf,target=/usr/bin/buf \\',
      '    buf generate /protos',
    ),
    want: [
      { text: 'golang:1.22', name: 'docker.io/library/golang', tag: '1.22' },
      { text: 'ghcr.io/acme/protos:3', name: 'ghcr.io/acme/protos', tag: '3', context: 'mount-from' },
      { text: 'bufbuild/buf:1.34.0', name: 'docker.io/bufbuild/buf', tag: '1.34.0', context: 'mount-from' },
    ],
  },
  {
    name: 'mount from a stage is not an image',
    dockerfile: lines(
      'FROM node:20 AS deps',
      'RUN npm ci',
      'FROM node:20-slim',
      'RUN --mount=type=bind,from=deps,source=/node_modules,target=/app/node_modules npm test',
    ),
    want: [
      { text: 'node:20', name: 'docker.io/library/node', tag: '20' },
      { text: 'node:20-slim', name: 'docker.io/library/node', tag: '20-slim' },
    ],
  },
  {
    name: 'mount after another flag',
    dockerfile: lines(
      'FROM alpine:3.20',
      'RUN --network=none --mount=type=bind,from=alpine:3.19,target=/old diff -r /old /',
    ),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'alpine:3.19', name: 'docker.io/library/alpine', tag: '3.19', context: 'mount-from' },
    ],
  },
  {
    name: 'quoted --mount value',
    dockerfile: lines('FROM alpine:3.20', 'RUN --mount="type=bind,from=busybox:1.36,target=/bb" ls /bb'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36', context: 'mount-from' },
    ],
  },
  {
    name: 'quoted from= value',
    dockerfile: lines('FROM alpine:3.20', "RUN --mount=type=bind,from='busybox:1.36',target=/bb ls /bb"),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36', context: 'mount-from' },
    ],
  },
  {
    name: 'upper-case FROM= key in a mount',
    dockerfile: lines('FROM alpine:3.20', 'RUN --mount=type=bind,FROM=busybox:1.36,target=/bb ls'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36', context: 'mount-from' },
    ],
  },
  {
    name: 'secret and ssh mounts cannot take from=',
    dockerfile: lines(
      'FROM alpine:3.20',
      'RUN --mount=type=secret,id=npmrc,from=busybox cat /run/secrets/npmrc',
      'RUN --mount=type=ssh,from=busybox git clone x',
    ),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'cache mounts without from= are not references',
    dockerfile: lines(
      'FROM python:3.12',
      'RUN --mount=type=cache,target=/root/.cache/pip \\',
      '    pip install -r requirements.txt',
    ),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' }],
  },
  {
    name: 'mount from=$VAR: BuildKit rejects variables there',
    dockerfile: lines(
      'FROM alpine:3.20',
      'ARG DATA=ghcr.io/acme/data:1',
      'RUN --mount=type=bind,from=${DATA},target=/data ls /data',
    ),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: '${DATA}', name: null, context: 'mount-from', variable: MOUNT_VARIABLE('${DATA}') },
    ],
  },
  {
    name: 'mount-like text after the command is not a flag',
    dockerfile: lines('FROM alpine:3.20', 'RUN echo --mount=type=bind,from=busybox,target=/x > /notes.txt'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'RUN heredoc text is not read',
    dockerfile: lines(
      'FROM alpine:3.20',
      'RUN <<EOF',
      'FROM ubuntu:22.04',
      'COPY --from=nginx / /',
      'EOF',
      'FROM busybox:1.36',
    ),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36' },
    ],
  },
  {
    name: 'non-ASCII before a mount reference on the same line (UTF-16 columns)',
    dockerfile: lines('FROM alpine:3.20', 'RUN --mount=type=bind,target=/données/🐳,from=busybox:1.36 ls'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36', context: 'mount-from' },
    ],
  },

  // ---- ONBUILD ----
  {
    name: 'ONBUILD COPY --from=<image> and RUN --mount from=<image>',
    dockerfile: lines(
      'FROM node:20',
      'ONBUILD COPY --from=ghcr.io/acme/assets:3 /dist /app/dist',
      'ONBUILD RUN --mount=type=bind,from=busybox:1.36,target=/bb /bb/bin/busybox true',
    ),
    want: [
      { text: 'node:20', name: 'docker.io/library/node', tag: '20' },
      { text: 'ghcr.io/acme/assets:3', name: 'ghcr.io/acme/assets', tag: '3', context: 'copy-from' },
      { text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36', context: 'mount-from' },
    ],
  },
  {
    name: 'ONBUILD COPY --from=<bare name> may be a stage of the child build',
    dockerfile: lines('FROM node:20', 'ONBUILD COPY --from=builder /app /app', 'ONBUILD COPY . /src'),
    want: [{ text: 'node:20', name: 'docker.io/library/node', tag: '20' }],
  },

  // ---- # syntax= ----
  {
    name: '# syntax directive',
    dockerfile: lines('# syntax=docker/dockerfile:1.7', 'FROM alpine:3.20'),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: '#syntax without a space',
    dockerfile: lines('#syntax=docker/dockerfile:1', 'FROM alpine:3.20'),
    want: [
      { text: 'docker/dockerfile:1', name: 'docker.io/docker/dockerfile', tag: '1', context: 'syntax' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: '# syntax = with blanks around =',
    dockerfile: lines('# syntax = docker/dockerfile:1.4', '', 'FROM tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim'),
    want: [
      { text: 'docker/dockerfile:1.4', name: 'docker.io/docker/dockerfile', tag: '1.4', context: 'syntax' },
      {
        text: 'tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim',
        name: 'docker.io/tiangolo/uvicorn-gunicorn-fastapi',
        tag: 'python3.9-slim',
      },
    ],
  },
  {
    name: 'directive keys are case-insensitive',
    dockerfile: lines('# SYNTAX=docker/dockerfile:1.9', 'FROM alpine:3.20'),
    want: [
      { text: 'docker/dockerfile:1.9', name: 'docker.io/docker/dockerfile', tag: '1.9', context: 'syntax' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'pinned syntax image',
    dockerfile: lines(`# syntax=docker.io/docker/dockerfile:1.7@${DIGEST}`, 'FROM alpine:3.20'),
    want: [
      {
        text: `docker.io/docker/dockerfile:1.7@${DIGEST}`,
        name: 'docker.io/docker/dockerfile',
        tag: '1.7',
        digest: DIGEST,
        context: 'syntax',
      },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'syntax after the escape and check directives',
    dockerfile: lines(
      '# escape=\\',
      '# check=skip=JSONArgsRecommended',
      '# syntax=docker/dockerfile-upstream:master',
      'FROM alpine:3.20',
    ),
    want: [
      {
        text: 'docker/dockerfile-upstream:master',
        name: 'docker.io/docker/dockerfile-upstream',
        tag: 'master',
        context: 'syntax',
      },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'syntax after a plain comment is just a comment',
    dockerfile: lines('# Build the API image', '# syntax=docker/dockerfile:1.7', 'FROM alpine:3.20'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'syntax after a blank line is just a comment',
    dockerfile: lines('', '# syntax=docker/dockerfile:1.7', 'FROM alpine:3.20'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'syntax after an instruction is just a comment',
    dockerfile: lines('FROM alpine:3.20', '# syntax=docker/dockerfile:1.7', 'RUN true'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'syntax after an unknown directive is just a comment',
    dockerfile: lines('# foo=bar', '# syntax=docker/dockerfile:1.7', 'FROM alpine:3.20'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'a second syntax directive is not read',
    dockerfile: lines('# syntax=docker/dockerfile:1.7', '# syntax=docker/dockerfile:1.4', 'FROM alpine:3.20'),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'syntax options after the image are not part of it',
    dockerfile: lines('# syntax=docker/dockerfile:1.7 frontend-opt=1  ', 'FROM alpine:3.20'),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'syntax after a shebang line',
    dockerfile: lines(
      '#!/usr/bin/env -S docker build . --tag=app --file',
      '# syntax=docker/dockerfile:1.7',
      'FROM alpine:3.20',
    ),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'indented # syntax is not a directive',
    dockerfile: lines('  # syntax=docker/dockerfile:1.7', 'FROM alpine:3.20'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },

  // ---- ARG substitution in FROM ----
  {
    name: 'FROM $BASE: the reference is the global ARG value',
    dockerfile: lines('ARG BASE=python:3.12', 'FROM $BASE', 'RUN pip install poetry'),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' }],
  },
  {
    name: 'FROM ${BASE}',
    dockerfile: lines('ARG BASE=python:3.12-slim', 'FROM ${BASE} AS runtime'),
    want: [{ text: 'python:3.12-slim', name: 'docker.io/library/python', tag: '3.12-slim' }],
  },
  {
    name: 'double-quoted ARG value: range excludes the quotes',
    dockerfile: lines('ARG BASE="python:3.12"', 'FROM $BASE'),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' }],
  },
  {
    name: 'single-quoted ARG value',
    dockerfile: lines("ARG BASE='eclipse-temurin:21-jre'", 'FROM ${BASE}'),
    want: [{ text: 'eclipse-temurin:21-jre', name: 'docker.io/library/eclipse-temurin', tag: '21-jre' }],
  },
  {
    name: 'several FROMs using one ARG: one reference, at the ARG',
    dockerfile: lines(
      'ARG NODE_IMAGE=node:20.15-bookworm-slim',
      'FROM ${NODE_IMAGE} AS deps',
      'RUN npm ci',
      'FROM $NODE_IMAGE AS build',
      'RUN npm run build',
      'FROM ${NODE_IMAGE}',
      'COPY --from=build /app /app',
    ),
    want: [{ text: 'node:20.15-bookworm-slim', name: 'docker.io/library/node', tag: '20.15-bookworm-slim' }],
  },
  {
    name: 'pinned ARG default',
    dockerfile: lines(`ARG BASE=alpine:3.20@${DIGEST}`, 'FROM $BASE'),
    want: [{ text: `alpine:3.20@${DIGEST}`, name: 'docker.io/library/alpine', tag: '3.20', digest: DIGEST }],
  },
  {
    name: 'multiple names on one ARG line',
    dockerfile: lines('ARG UID=1000 BASE=debian:bookworm-slim', 'FROM $BASE'),
    want: [{ text: 'debian:bookworm-slim', name: 'docker.io/library/debian', tag: 'bookworm-slim' }],
  },
  {
    name: 'ARG with --platform from a global ARG',
    dockerfile: lines('ARG BASE=ubuntu:24.04', 'FROM --platform=linux/amd64 $BASE'),
    want: [{ text: 'ubuntu:24.04', name: 'docker.io/library/ubuntu', tag: '24.04', platform: 'linux/amd64' }],
  },
  {
    name: 'double-quoted "$BASE" in FROM',
    dockerfile: lines('ARG BASE=ruby:3.3', 'FROM "$BASE"'),
    want: [{ text: 'ruby:3.3', name: 'docker.io/library/ruby', tag: '3.3' }],
  },
  {
    name: 'ARG without a default: variable at the FROM',
    dockerfile: lines('ARG BASE', 'FROM $BASE', 'RUN true'),
    want: [{ text: '$BASE', name: null, variable: NO_DEFAULT('$BASE', 'BASE') }],
  },
  {
    name: 'no ARG at all: variable at the FROM',
    dockerfile: lines('FROM ${BASE_IMAGE} AS app'),
    want: [{ text: '${BASE_IMAGE}', name: null, variable: NO_DEFAULT('${BASE_IMAGE}', 'BASE_IMAGE') }],
  },
  {
    name: '${BASE:-default} without a global default: the inline default is the reference',
    dockerfile: lines('FROM ${BASE:-python:3.12} AS app', 'RUN pip install .'),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' }],
  },
  {
    name: '${BASE-default} without a global default',
    dockerfile: lines('FROM ${BASE-alpine:3.20}'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
  {
    name: 'ARG declared without a value: the inline default applies',
    dockerfile: lines('ARG BASE', 'FROM ${BASE:-golang:1.22-alpine} AS build'),
    want: [{ text: 'golang:1.22-alpine', name: 'docker.io/library/golang', tag: '1.22-alpine' }],
  },
  {
    name: 'ARG default wins over the inline default (BuildKit uses the set value)',
    dockerfile: lines('ARG BASE=node:20', 'FROM ${BASE:-node:18} AS app'),
    want: [{ text: 'node:20', name: 'docker.io/library/node', tag: '20' }],
  },
  {
    name: 'empty ARG default: :- falls back to the inline default',
    dockerfile: lines('ARG BASE=', 'FROM ${BASE:-nginx:1.27}'),
    want: [{ text: 'nginx:1.27', name: 'docker.io/library/nginx', tag: '1.27' }],
  },
  {
    name: 'empty ARG default: - keeps the empty value',
    dockerfile: lines('ARG BASE=', 'FROM ${BASE-nginx:1.27}'),
    want: [
      {
        text: '${BASE-nginx:1.27}',
        name: null,
        variable: "'${BASE-nginx:1.27}' is empty with the ARG defaults, so the image is only known at build time",
      },
    ],
  },
  {
    name: 'quoted inline default',
    dockerfile: lines('FROM ${BASE:-"python:3.12"}'),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' }],
  },
  {
    name: 'composed reference with an ARG default: variable, with the resolved value in the message',
    dockerfile: lines('ARG GO_VERSION=1.22', 'FROM golang:${GO_VERSION}-alpine AS build'),
    want: [
      {
        text: 'golang:${GO_VERSION}-alpine',
        name: null,
        variable: COMPOSED_DEFAULT('golang:${GO_VERSION}-alpine', 'golang:1.22-alpine'),
      },
    ],
  },
  {
    name: 'composed reference without a default',
    dockerfile: lines('FROM $REGISTRY/app:1', 'RUN true'),
    want: [{ text: '$REGISTRY/app:1', name: null, variable: COMPOSED('$REGISTRY/app:1') }],
  },
  {
    name: 'an ARG default used only through composition is not a reference',
    dockerfile: lines('ARG REG=ghcr.io/acme', 'FROM ${REG}/app:1'),
    want: [{ text: '${REG}/app:1', name: null, variable: COMPOSED_DEFAULT('${REG}/app:1', 'ghcr.io/acme/app:1') }],
  },
  {
    name: 'composed from two variables',
    dockerfile: lines('ARG IMAGE=python', 'ARG TAG=3.12', 'FROM ${IMAGE}:${TAG}'),
    want: [{ text: '${IMAGE}:${TAG}', name: null, variable: COMPOSED_DEFAULT('${IMAGE}:${TAG}', 'python:3.12') }],
  },
  {
    name: 'an ARG declared inside a stage does not reach a later FROM',
    dockerfile: lines('FROM alpine:3.20 AS first', 'ARG BASE=python:3.12', 'FROM $BASE'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      {
        text: '$BASE',
        name: null,
        variable:
          "'$BASE' has no default: BASE gets no value from an ARG before the first FROM (ARG BASE inside a stage does not reach FROM lines), so the image is only known at build time",
      },
    ],
  },
  {
    name: 'a global ARG re-declared inside a stage does not change FROM resolution',
    dockerfile: lines(
      'ARG BASE=python:3.12',
      'FROM $BASE AS build',
      'ARG BASE',
      'RUN echo $BASE',
      'FROM ${BASE}',
      'ARG BASE=python:3.11',
    ),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' }],
  },
  {
    name: 'a later global ARG replaces an earlier default',
    dockerfile: lines('ARG BASE=python:3.11', 'ARG BASE=python:3.12', 'FROM $BASE'),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' }],
  },
  {
    name: 'a later global ARG without a value keeps the default',
    dockerfile: lines('ARG BASE=python:3.12', 'ARG BASE', 'FROM $BASE'),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' }],
  },
  {
    name: 'an ARG defaulting to another ARG: the reference is where the literal is written',
    dockerfile: lines('ARG PYTHON_IMAGE=python:3.12-slim', 'ARG BASE=${PYTHON_IMAGE}', 'FROM $BASE'),
    want: [{ text: 'python:3.12-slim', name: 'docker.io/library/python', tag: '3.12-slim' }],
  },
  {
    name: 'an ARG composed from another ARG is variable at the FROM',
    dockerfile: lines('ARG PY=3.12', 'ARG BASE=python:${PY}-slim', 'FROM $BASE'),
    want: [{ text: '$BASE', name: null, variable: COMPOSED_DEFAULT('$BASE', 'python:3.12-slim') }],
  },
  {
    name: 'an ARG naming an earlier stage',
    dockerfile: lines(
      'ARG VARIANT=prod',
      'FROM alpine:3.20 AS prod',
      'FROM alpine:3.20 AS debug',
      'RUN apk add strace',
      'FROM ${VARIANT}',
    ),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      { text: 'alpine:3.20', occurrence: 1, name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },
  {
    name: 'a composed FROM that the defaults make a stage name',
    dockerfile: lines('ARG FLAVOR=slim', 'FROM debian:bookworm-slim AS base-slim', 'FROM base-${FLAVOR}'),
    want: [{ text: 'debian:bookworm-slim', name: 'docker.io/library/debian', tag: 'bookworm-slim' }],
  },
  {
    name: 'an ARG defaulting to scratch',
    dockerfile: lines('ARG RUNTIME=scratch', 'FROM golang:1.22 AS build', 'FROM ${RUNTIME}'),
    want: [{ text: 'golang:1.22', name: 'docker.io/library/golang', tag: '1.22' }],
  },
  {
    name: 'builder-set arguments are not defaults',
    dockerfile: lines('FROM --platform=$TARGETPLATFORM $TARGETARCH/alpine:3.20'),
    want: [{ text: '$TARGETARCH/alpine:3.20', name: null, variable: COMPOSED('$TARGETARCH/alpine:3.20') }],
  },
  {
    name: 'ARG and FROM together with literal stages (realistic multi-stage)',
    dockerfile: lines(
      '# syntax=docker/dockerfile:1.7',
      'ARG PYTHON_VERSION=3.12',
      'ARG BASE=python:3.12-slim-bookworm',
      'FROM ${BASE} AS builder',
      'RUN --mount=type=cache,target=/root/.cache/pip pip wheel -w /wheels -r requirements.txt',
      'FROM python:${PYTHON_VERSION}-alpine AS test',
      'COPY --from=builder /wheels /wheels',
      'FROM ${BASE}',
      'COPY --from=ghcr.io/astral-sh/uv:0.4 /uv /bin/',
    ),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'python:3.12-slim-bookworm', name: 'docker.io/library/python', tag: '3.12-slim-bookworm' },
      {
        text: 'python:${PYTHON_VERSION}-alpine',
        name: null,
        variable: COMPOSED_DEFAULT('python:${PYTHON_VERSION}-alpine', 'python:3.12-alpine'),
      },
      { text: 'ghcr.io/astral-sh/uv:0.4', name: 'ghcr.io/astral-sh/uv', tag: '0.4', context: 'copy-from' },
    ],
  },

  // ---- # digest-pin: ignore ----
  {
    name: 'ignore comment directly above a FROM',
    dockerfile: lines('FROM node:20 AS build', '# digest-pin: ignore', 'FROM nginx:1.27'),
    want: [
      { text: 'node:20', name: 'docker.io/library/node', tag: '20' },
      { text: 'nginx:1.27', name: 'docker.io/library/nginx', tag: '1.27', ignored: true },
    ],
  },
  {
    name: 'ignore comment on the FROM line',
    dockerfile: lines('FROM nginx:1.27 # digest-pin: ignore'),
    want: [{ text: 'nginx:1.27', name: 'docker.io/library/nginx', tag: '1.27', ignored: true }],
  },
  {
    name: 'ignore comment two lines above does not apply',
    dockerfile: lines('# digest-pin: ignore', '', 'FROM nginx:1.27'),
    want: [{ text: 'nginx:1.27', name: 'docker.io/library/nginx', tag: '1.27' }],
  },
  {
    name: 'ignore comment above a RUN covers its mounts on continuation lines',
    dockerfile: lines(
      'FROM golang:1.22',
      '# digest-pin: ignore',
      'RUN --mount=type=cache,target=/go/pkg/mod \\',
      '    --mount=type=bind,from=ghcr.io/acme/protos:3,target=/protos \\',
      '    make generate',
    ),
    want: [
      { text: 'golang:1.22', name: 'docker.io/library/golang', tag: '1.22' },
      { text: 'ghcr.io/acme/protos:3', name: 'ghcr.io/acme/protos', tag: '3', context: 'mount-from', ignored: true },
    ],
  },
  {
    name: 'ignore comment above COPY --from',
    dockerfile: lines('FROM alpine:3.20', '# digest-pin: ignore', 'COPY --from=tonistiigi/xx:1.4.0 / /'),
    want: [
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
      {
        text: 'tonistiigi/xx:1.4.0',
        name: 'docker.io/tonistiigi/xx',
        tag: '1.4.0',
        context: 'copy-from',
        ignored: true,
      },
    ],
  },
  {
    name: 'ignore on the ARG line of an ARG-sourced reference',
    dockerfile: lines('ARG BASE=python:3.12 # digest-pin: ignore', 'FROM $BASE'),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12', ignored: true }],
  },
  {
    name: 'ignore above one of the FROMs using an ARG ignores the ARG reference',
    dockerfile: lines('ARG BASE=python:3.12', 'FROM $BASE AS build', '# digest-pin: ignore', 'FROM $BASE'),
    want: [{ text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12', ignored: true }],
  },
  {
    name: 'ignore on the syntax line',
    dockerfile: lines('# syntax=docker/dockerfile:1 # digest-pin: ignore', 'FROM alpine:3.20'),
    want: [
      { text: 'docker/dockerfile:1', name: 'docker.io/docker/dockerfile', tag: '1', context: 'syntax', ignored: true },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' },
    ],
  },

  {
    name: 'an ignore comment right after the directive block applies to the next line',
    dockerfile: lines('# syntax=docker/dockerfile:1.7', '# digest-pin: ignore', 'FROM alpine:3.20'),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20', ignored: true },
    ],
  },

  // ---- line continuations and escape ----
  {
    name: 'FROM split over continuation lines: the image is on its own line',
    dockerfile: lines('FROM \\', '    nginx:1.27-alpine \\', '    AS web', 'EXPOSE 80'),
    want: [{ text: 'nginx:1.27-alpine', name: 'docker.io/library/nginx', tag: '1.27-alpine' }],
  },
  {
    name: '--platform then the image on the next line',
    dockerfile: lines('FROM --platform=linux/arm64 \\', '  arm64v8/debian:bookworm AS base'),
    want: [
      { text: 'arm64v8/debian:bookworm', name: 'docker.io/arm64v8/debian', tag: 'bookworm', platform: 'linux/arm64' },
    ],
  },
  {
    name: 'a comment line inside a continuation',
    dockerfile: lines('FROM \\', '# the base image', '  ubuntu:24.04 AS base'),
    want: [{ text: 'ubuntu:24.04', name: 'docker.io/library/ubuntu', tag: '24.04' }],
  },
  {
    name: 'a reference broken by a continuation: written characters, joined value',
    dockerfile: lines('FROM registry.example.com/platform/base-im\\', 'age:2024.06 AS base'),
    want: [
      {
        text: 'registry.example.com/platform/base-im\\\nage:2024.06',
        assembled: 'registry.example.com/platform/base-image:2024.06',
        name: 'registry.example.com/platform/base-image',
        tag: '2024.06',
      },
    ],
  },
  {
    name: 'backtick escape directive (Windows): backslashes are literal, backtick continues lines',
    dockerfile: lines(
      '# escape=`',
      'FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build',
      'COPY C:\\src\\app C:\\app',
      'FROM `',
      '  mcr.microsoft.com/windows/nanoserver:ltsc2022',
      'COPY --from=build C:\\app C:\\app',
    ),
    want: [
      {
        text: 'mcr.microsoft.com/windows/servercore:ltsc2022',
        name: 'mcr.microsoft.com/windows/servercore',
        tag: 'ltsc2022',
      },
      {
        text: 'mcr.microsoft.com/windows/nanoserver:ltsc2022',
        name: 'mcr.microsoft.com/windows/nanoserver',
        tag: 'ltsc2022',
      },
    ],
  },
  {
    name: 'backtick escape: a reference broken by a backtick continuation',
    dockerfile: lines('# escape=`', 'FROM mcr.microsoft.com/powershell:lts-`', 'nanoserver-ltsc2022'),
    want: [
      {
        text: 'mcr.microsoft.com/powershell:lts-`\nnanoserver-ltsc2022',
        assembled: 'mcr.microsoft.com/powershell:lts-nanoserver-ltsc2022',
        name: 'mcr.microsoft.com/powershell',
        tag: 'lts-nanoserver-ltsc2022',
      },
    ],
  },
  {
    name: 'backtick escape: COPY --from and mounts across continuations',
    dockerfile: lines(
      '# escape=`',
      '# syntax=docker/dockerfile:1.7',
      'FROM mcr.microsoft.com/dotnet/sdk:8.0',
      'COPY `',
      '  --from=mcr.microsoft.com/dotnet/aspnet:8.0 `',
      '  C:\\app C:\\app',
    ),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'mcr.microsoft.com/dotnet/sdk:8.0', name: 'mcr.microsoft.com/dotnet/sdk', tag: '8.0' },
      {
        text: 'mcr.microsoft.com/dotnet/aspnet:8.0',
        name: 'mcr.microsoft.com/dotnet/aspnet',
        tag: '8.0',
        context: 'copy-from',
      },
    ],
  },

  // ---- CRLF ----
  {
    name: 'CRLF multi-stage file keeps exact ranges',
    dockerfile: crlf(
      '# syntax=docker/dockerfile:1.7',
      'ARG BASE=python:3.12',
      'FROM ${BASE} AS build',
      'RUN --mount=type=bind,from=busybox:1.36,target=/bb true',
      'FROM nginx:1.27',
      'COPY --from=build /app /app',
      'COPY --from=tonistiigi/xx:1.4.0 / /',
    ),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'python:3.12', name: 'docker.io/library/python', tag: '3.12' },
      { text: 'busybox:1.36', name: 'docker.io/library/busybox', tag: '1.36', context: 'mount-from' },
      { text: 'nginx:1.27', name: 'docker.io/library/nginx', tag: '1.27' },
      { text: 'tonistiigi/xx:1.4.0', name: 'docker.io/tonistiigi/xx', tag: '1.4.0', context: 'copy-from' },
    ],
  },
  {
    name: 'CRLF with continuations',
    dockerfile: crlf(
      'FROM --platform=linux/amd64 \\',
      '    node:20-alpine \\',
      '    AS build',
      'RUN --mount=type=cache,target=/root/.npm \\',
      '    --mount=type=bind,from=node:18,target=/old \\',
      '    npm ci',
    ),
    want: [
      { text: 'node:20-alpine', name: 'docker.io/library/node', tag: '20-alpine', platform: 'linux/amd64' },
      { text: 'node:18', name: 'docker.io/library/node', tag: '18', context: 'mount-from' },
    ],
  },
  {
    name: 'CRLF with the ignore comment and the backtick escape',
    dockerfile: crlf(
      '# escape=`',
      'FROM mcr.microsoft.com/windows/servercore:ltsc2022',
      '# digest-pin: ignore',
      'FROM `',
      '  mcr.microsoft.com/windows/nanoserver:ltsc2022',
    ),
    want: [
      {
        text: 'mcr.microsoft.com/windows/servercore:ltsc2022',
        name: 'mcr.microsoft.com/windows/servercore',
        tag: 'ltsc2022',
      },
      {
        text: 'mcr.microsoft.com/windows/nanoserver:ltsc2022',
        name: 'mcr.microsoft.com/windows/nanoserver',
        tag: 'ltsc2022',
        ignored: true,
      },
    ],
  },

  // ---- shapes seen in real projects ----
  {
    name: 'dev-envs pattern: a tool image copied into a development stage',
    dockerfile: lines(
      '# syntax=docker/dockerfile:1.4',
      '',
      'FROM --platform=$BUILDPLATFORM node:18.20-bullseye-slim as builder',
      'WORKDIR /project',
      'RUN npm install -g @angular/cli@17',
      'COPY package.json /project',
      'RUN npm ci',
      'CMD ["ng", "serve", "--host", "0.0.0.0"]',
      '',
      'FROM builder as dev-envs',
      'RUN <<EOF',
      'apt-get update',
      'apt-get install -y --no-install-recommends git',
      'EOF',
      'COPY --from=gloursdocker/docker / /',
      'CMD ["ng", "serve", "--host", "0.0.0.0"]',
    ),
    want: [
      { text: 'docker/dockerfile:1.4', name: 'docker.io/docker/dockerfile', tag: '1.4', context: 'syntax' },
      { text: 'node:18.20-bullseye-slim', name: 'docker.io/library/node', tag: '18.20-bullseye-slim' },
      { text: 'gloursdocker/docker', name: 'docker.io/gloursdocker/docker', context: 'copy-from' },
    ],
  },
  {
    name: 'a licence header before FROM is not a directive block',
    dockerfile: lines(
      '# Copyright 2024 The Example Authors.',
      '#',
      '# Licensed under the Apache License, Version 2.0 (the "License");',
      '# syntax=docker/dockerfile:1',
      '',
      'FROM golang:1.10.0',
      'RUN go build -o /app/main',
      'FROM scratch',
      'COPY --from=0 /app/main .',
    ),
    want: [{ text: 'golang:1.10.0', name: 'docker.io/library/golang', tag: '1.10.0' }],
  },
  {
    name: 'PowerShell SHELL and ENV with $ do not disturb FROM',
    dockerfile: lines(
      'FROM mcr.microsoft.com/windows/servercore:ltsc2025',
      'SHELL ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]',
      'ENV PYTHON_VERSION 3.13.1',
      "RUN $url = ('https://www.python.org/ftp/python/{0}/python-{0}-amd64.exe' -f $env:PYTHON_VERSION)",
    ),
    want: [
      {
        text: 'mcr.microsoft.com/windows/servercore:ltsc2025',
        name: 'mcr.microsoft.com/windows/servercore',
        tag: 'ltsc2025',
      },
    ],
  },
  {
    name: 'Go service with cross-compilation helpers (xx) and a distroless runtime',
    dockerfile: lines(
      '# syntax=docker/dockerfile:1.7',
      'ARG GO_VERSION=1.22',
      'FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.4.0 AS xx',
      'FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build',
      'COPY --from=xx / /',
      'ARG TARGETPLATFORM',
      'RUN --mount=type=cache,target=/root/.cache/go-build \\',
      '    --mount=type=bind,target=. \\',
      '    xx-go build -o /out/app ./cmd/app',
      `FROM gcr.io/distroless/static-debian12:nonroot@${DIGEST2}`,
      'COPY --from=build /out/app /app',
      'ENTRYPOINT ["/app"]',
    ),
    want: [
      { text: 'docker/dockerfile:1.7', name: 'docker.io/docker/dockerfile', tag: '1.7', context: 'syntax' },
      { text: 'tonistiigi/xx:1.4.0', name: 'docker.io/tonistiigi/xx', tag: '1.4.0' },
      {
        text: 'golang:${GO_VERSION}-alpine',
        name: null,
        variable: COMPOSED_DEFAULT('golang:${GO_VERSION}-alpine', 'golang:1.22-alpine'),
      },
      {
        text: `gcr.io/distroless/static-debian12:nonroot@${DIGEST2}`,
        name: 'gcr.io/distroless/static-debian12',
        tag: 'nonroot',
        digest: DIGEST2,
      },
    ],
  },

  // ---- robustness ----
  { name: 'empty file', dockerfile: '', want: [] },
  { name: 'comments only', dockerfile: lines('# TODO: write the Dockerfile', '# FROM python:3.12'), want: [] },
  { name: 'FROM with no argument', dockerfile: lines('FROM', 'RUN true', 'FROM   '), want: [] },
  { name: 'FROM with only a flag', dockerfile: lines('FROM --platform=linux/amd64'), want: [] },
  { name: 'FROM ""', dockerfile: lines('FROM ""'), want: [] },
  { name: 'not a Dockerfile at all', dockerfile: lines('hello world', '{ "json": true }}', '\\', '`'), want: [] },
  {
    name: 'unterminated ${',
    dockerfile: lines('FROM ${BASE'),
    want: [{ text: '${BASE', name: null, variable: COMPOSED('${BASE') }],
  },
  {
    name: 'a flag without a value and `--` end the flags',
    dockerfile: lines('FROM alpine:3.20', 'COPY --link -- --from=busybox /a /b', 'COPY --from /a /b'),
    want: [{ text: 'alpine:3.20', name: 'docker.io/library/alpine', tag: '3.20' }],
  },
];

describe('extractDockerfile', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { references, notes } = extractDockerfile(c.dockerfile);
      assert.deepEqual(notes, []);
      for (const ref of references) assert.equal(sliceRange(c.dockerfile, ref.range), ref.text, `range of ${ref.text}`);
      assert.deepEqual(
        references,
        c.want.map((want) => expected(c.dockerfile, want)),
      );
    });
  }
});

describe('the real-world corpus', () => {
  const dir = '/work/shared/corpus/dockerfile';
  it(
    'reads every file without notes, with exact ranges, finding the references read by hand',
    { skip: !existsSync(dir) },
    () => {
      const counts = new Map<string, number>();
      const files = readdirSync(dir);
      for (const file of files) {
        const text = readFileSync(join(dir, file), 'utf8');
        const { references, notes } = extractDockerfile(text);
        assert.deepEqual(notes, [], file);
        for (const ref of references) {
          assert.equal(sliceRange(text, ref.range), ref.text, `${file}: range of ${ref.text}`);
          const key = `${ref.context} ${ref.status}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      assert.equal(files.length, 92);
      assert.deepEqual(Object.fromEntries([...counts].sort()), {
        'copy-from unpinned': 26,
        'from unpinned': 102,
        'syntax unpinned': 28,
      });
    },
  );
});

describe('findReferences on a Dockerfile', () => {
  it('strips the BOM before reading, so ranges are those of the BOM-less text', () => {
    const body = lines(
      '# syntax=docker/dockerfile:1.7',
      'FROM python:3.12-slim',
      'COPY --from=tonistiigi/xx:1.4.0 / /',
    );
    const { kind, references, notes } = findReferences('Dockerfile', `\uFEFF${body}`);
    assert.equal(kind, 'dockerfile');
    assert.deepEqual(notes, []);
    assert.deepEqual(references, [
      expected(body, {
        text: 'docker/dockerfile:1.7',
        name: 'docker.io/docker/dockerfile',
        tag: '1.7',
        context: 'syntax',
      }),
      expected(body, { text: 'python:3.12-slim', name: 'docker.io/library/python', tag: '3.12-slim' }),
      expected(body, {
        text: 'tonistiigi/xx:1.4.0',
        name: 'docker.io/tonistiigi/xx',
        tag: '1.4.0',
        context: 'copy-from',
      }),
    ]);
  });

  it('reads a Containerfile the same way', () => {
    const body = lines('FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4', 'RUN microdnf install -y tar');
    const { kind, references } = findReferences('build/Containerfile', body);
    assert.equal(kind, 'dockerfile');
    assert.deepEqual(references, [
      expected(body, {
        text: 'registry.access.redhat.com/ubi9/ubi-minimal:9.4',
        name: 'registry.access.redhat.com/ubi9/ubi-minimal',
        tag: '9.4',
      }),
    ]);
  });
});

function expected(dockerfile: string, want: Want): ImageReference {
  const status = want.error ? 'invalid' : want.variable ? 'variable' : want.digest ? 'pinned' : 'unpinned';
  const ref: ImageReference = {
    text: want.text,
    range: rangeOf(dockerfile, want.text, want.occurrence ?? 0),
    name: want.name,
    tag: want.tag ?? null,
    digest: want.digest ?? null,
    status,
    source: 'dockerfile',
    context: want.context ?? 'from',
  };
  if (want.assembled !== undefined) ref.assembled = want.assembled;
  if (want.platform !== undefined) ref.platform = want.platform;
  if (want.ignored) ref.ignored = true;
  if (want.error !== undefined) ref.error = want.error;
  if (want.variable !== undefined) ref.variable = want.variable;
  return ref;
}
