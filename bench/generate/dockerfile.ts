// A deterministic, realistic multi-stage Dockerfile of a given line count: a `# syntax` directive, global ARGs, then
// per-service groups of build / assets / test / certs / runtime stages with cache mounts, line continuations,
// COPY --from stages, images and a stage index, and RUN --mount from= an image.
import { createHash } from 'node:crypto';

export interface GeneratedDockerfile {
  text: string;
  lines: number;
  stages: number;
  /**
   * Image references reported: `# syntax`, FROM images (not FROM <stage>; FROMs whose tag is one ARG share one reference
   * at the ARG default), COPY --from=<image> (not a stage name or
   * index) and RUN --mount=…,from=<image>.
   */
  references: number;
}

const hex = (seed: string): string => createHash('sha256').update(seed).digest('hex');

function group(i: number): { lines: string[]; stages: number; references: number } {
  const svc = `api-${i}`;
  const lines = [
    `# ---------- service ${i}: ${svc} ----------`,
    `FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION}-alpine AS build-${i}`,
    'ARG TARGETOS',
    'ARG TARGETARCH',
    `ARG VERSION=1.${i}.0`,
    `WORKDIR /src/${svc}`,
    'ENV CGO_ENABLED=0 \\',
    '    GOFLAGS=-trimpath',
    'COPY --link go.mod go.sum ./',
    'RUN --mount=type=cache,target=/go/pkg/mod \\',
    '    --mount=type=cache,target=/root/.cache/go-build \\',
    '    go mod download',
    'COPY --link . .',
    'RUN --mount=type=cache,target=/go/pkg/mod \\',
    '    --mount=type=cache,target=/root/.cache/go-build \\',
    '    GOOS=$TARGETOS GOARCH=$TARGETARCH \\',
    `    go build -ldflags "-s -w -X main.version=\${VERSION}" -o /out/${svc} ./cmd/${svc}`,
    '',
    `FROM node:20.${i % 15}-bookworm-slim AS assets-${i}`,
    'WORKDIR /app',
    'COPY web/package.json web/package-lock.json ./',
    'RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund',
    'COPY web/ ./',
    `RUN npm run build -- --outDir /out/web-${i}`,
    '',
    `FROM build-${i} AS test-${i}`,
    `RUN --mount=type=bind,from=ghcr.io/acme/testdata:2024.${(i % 12) + 1},source=/data,target=/testdata \\`,
    '    go test ./... -count=1',
    '',
    `FROM alpine:\${ALPINE_VERSION} AS certs-${i}`,
    '# tzdata for log timestamps',
    'RUN apk add --no-cache ca-certificates tzdata && \\',
    '    update-ca-certificates',
    '',
    `FROM gcr.io/distroless/static-debian12:nonroot@sha256:${hex(`distroless-${i % 4}`)} AS runtime-${i}`,
    `LABEL org.opencontainers.image.source="https://github.com/acme/${svc}" \\`,
    `      org.opencontainers.image.version="1.${i}.0"`,
    `COPY --from=certs-${i} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`,
    `COPY --from=certs-${i} /usr/share/zoneinfo /usr/share/zoneinfo`,
    `COPY --from=build-${i} /out/${svc} /usr/local/bin/${svc}`,
    `COPY --from=assets-${i} /out/web-${i} /srv/www`,
    'COPY --from=docker.io/tonistiigi/xx:1.4.0 /usr/bin/xx-* /usr/bin/',
    'COPY --from=0 /etc/passwd /etc/passwd',
    'USER nonroot:nonroot',
    'EXPOSE 8080',
    `HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/${svc}", "healthcheck"]`,
    `ENTRYPOINT ["/usr/local/bin/${svc}"]`,
    'CMD ["serve", "--addr", ":8080"]',
    '',
  ];
  // build, assets and runtime FROM images; the test stage's mount image; the xx COPY --from image. The certs stage's
  // alpine:${ALPINE_VERSION} is one reference for all groups, at the ARG default (counted once, below).
  return { lines, stages: 5, references: 5 };
}

export function generateDockerfile(targetLines: number): GeneratedDockerfile {
  const lines = ['# syntax=docker/dockerfile:1.7', 'ARG GO_VERSION=1.22', 'ARG ALPINE_VERSION=3.20', ''];
  let stages = 0;
  let references = 2; // the syntax directive; ARG ALPINE_VERSION, the tag of every certs stage's alpine
  for (let i = 0; ; i++) {
    const next = group(i);
    if (lines.length + next.lines.length > targetLines) break;
    lines.push(...next.lines);
    stages += next.stages;
    references += next.references;
  }
  while (lines.length < targetLines) lines.push(`# padding ${lines.length + 1}`);
  return { text: `${lines.join('\n')}\n`, lines: lines.length, stages, references };
}
