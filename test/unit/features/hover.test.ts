import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Online } from '../../../server/src/lookup/answer';
import type { ImageFacts } from '../../../server/src/features/facts';
import { describeDate, hoverMarkdown, imagePage, type HoverInput } from '../../../server/src/features/hover';
import { findReferences } from '../../../server/src/references/index';
import type { ImageReference } from '../../../server/src/references/types';

const NOW = Date.parse('2024-03-01T12:00:00Z');
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const INDEX = 'application/vnd.oci.image.index.v1+json';

const ref = (line: string, path = 'Dockerfile'): ImageReference => {
  const found = findReferences(path, `${line}\n`).references;
  assert.equal(found.length, 1);
  return found[0]!;
};
const hover = (input: Partial<HoverInput> & { ref: ImageReference }): string[] =>
  hoverMarkdown({ facts: undefined, mode: 'online', now: NOW, ...input }).split('\n\n');

describe('describeDate', () => {
  const table: Array<[string | undefined, string | null]> = [
    ['2024-02-07T12:00:00Z', '23 days ago (2024-02-07)'],
    ['2024-03-01T11:58:00Z', '2 minutes ago (2024-03-01)'],
    ['2023-01-01T00:00:00+02:00', '14 months ago (2022-12-31)'],
    ['2025-01-01T00:00:00Z', 'on 2025-01-01'],
    ['<script>', null],
    [undefined, null],
  ];
  for (const [value, expected] of table) it(String(value), () => assert.equal(describeDate(value, NOW), expected));
});

describe('imagePage', () => {
  const table: Array<[string, string | null]> = [
    ['docker.io/library/python', 'https://hub.docker.com/_/python'],
    ['docker.io/grafana/grafana', 'https://hub.docker.com/r/grafana/grafana'],
    ['docker.io/library/team/app', 'https://hub.docker.com/r/library/team/app'],
    ['ghcr.io/acme/tools/cli', 'https://ghcr.io/acme/tools/cli'],
    ['quay.io/prometheus/node-exporter', 'https://quay.io/repository/prometheus/node-exporter'],
    ['mcr.microsoft.com/dotnet/aspnet', 'https://mcr.microsoft.com/en-us/artifact/mar/dotnet/aspnet'],
    [
      'gcr.io/distroless/static-debian12',
      'https://console.cloud.google.com/gcr/images/distroless/global/static-debian12',
    ],
    ['registry.example.com/app', null],
    ['localhost:5000/app', null],
  ];
  for (const [name, url] of table) it(name, () => assert.equal(imagePage(name)?.url ?? null, url));
});

const resolution = (digest: string, extra: Record<string, unknown> = {}) => ({
  digest,
  mediaType: INDEX,
  checkedAt: NOW - 2 * 60_000,
  fromCache: false,
  ...extra,
});

describe('hoverMarkdown', () => {
  it('an unpinned Docker Hub image: identity, digest short and full, publication, platforms, link, when checked', () => {
    const facts: ImageFacts = {
      online: { kind: 'tag', result: { ok: true, value: resolution(D1) } },
      current: {
        ok: true,
        value: resolution(D1, {
          created: '2024-02-07T09:00:00Z',
          platforms: [
            { os: 'linux', architecture: 'amd64' },
            { os: 'linux', architecture: 'arm', variant: 'v7' },
          ],
        }),
      },
    };
    assert.deepEqual(hover({ ref: ref('FROM python:3.12-slim'), facts }), [
      '**python:3.12-slim**',
      '`docker.io/library/python` on docker.io · tag `3.12-slim`',
      `Points to \`sha256:111111111111…\` now, published 23 days ago (2024-02-07).`,
      `Digest: \`${D1}\``,
      'Platforms: linux/amd64, linux/arm/v7',
      '*Checked 2 minutes ago.*',
      '[Open on Docker Hub](https://hub.docker.com/_/python)',
    ]);
  });

  it('an implicit latest, a literal platform, a stale cached answer', () => {
    const facts: ImageFacts = {
      online: { kind: 'tag', result: { ok: true, value: resolution(D1, { stale: true, fromCache: true }) } },
      current: { ok: true, value: resolution(D1, { stale: true, fromCache: true }) },
    };
    const lines = hover({ ref: ref('FROM --platform=linux/arm64 ghcr.io/acme/app'), facts });
    assert.equal(lines[1], '`ghcr.io/acme/app` on ghcr.io · tag `latest` (implicit) · platform `linux/arm64`');
    assert.equal(lines.at(-2), '*Checked 2 minutes ago (from the cache).*');
    assert.equal(lines.at(-1), '[Open on GitHub Packages](https://ghcr.io/acme/app)');
  });

  it('a drifted pin older than the new image', () => {
    const online: Online = {
      kind: 'pin',
      status: { status: 'drifted', pinned: D1, current: D2, tagDigest: D2, checkedAt: NOW - 30_000 },
      created: { pinned: '2024-01-01T00:00:00Z', current: '2024-02-25T00:00:00Z' },
    };
    const facts: ImageFacts = {
      online,
      pinned: {
        ok: true,
        value: {
          digest: D1,
          mediaType: INDEX,
          created: '2024-01-01T00:00:00Z',
          platforms: [{ os: 'linux', architecture: 'amd64' }],
        },
      },
    };
    assert.deepEqual(hover({ ref: ref(`FROM quay.io/org/app:1.2@${D1}`), facts }), [
      `**quay.io/org/app:1.2@${D1}**`,
      '`quay.io/org/app` on quay.io · tag `1.2`',
      'Pinned to `sha256:111111111111…`, built 60 days ago (2024-01-01).',
      '**The tag has moved** to `sha256:222222222222…`, built 5 days ago (2024-02-25); your pin is 55 days older.',
      `Current digest: \`${D2}\``,
      `Pinned digest: \`${D1}\``,
      'Platforms: linux/amd64',
      '*Checked just now.*',
      '[Open on Quay](https://quay.io/repository/org/app)',
    ]);
  });

  it('a current pin, a lost digest, a digest without a tag', () => {
    const current: ImageFacts = { online: { kind: 'pin', status: { status: 'current', digest: D1, checkedAt: NOW } } };
    assert.equal(hover({ ref: ref(`FROM redis:7@${D1}`), facts: current })[3], 'The tag still points to this digest.');
    const gone: ImageFacts = {
      online: { kind: 'pin', status: { status: 'gone', pinned: D1, checkedAt: NOW }, tag: resolution(D2) },
    };
    assert.equal(
      hover({ ref: ref(`FROM redis:7@${D1}`), facts: gone })[3],
      '**The registry no longer has this digest**: pulling it fails. The tag points to `sha256:222222222222…` now.',
    );
    assert.equal(hover({ ref: ref(`FROM redis@${D1}`) })[3], 'A digest without a tag: nothing to compare it with.');
  });

  it('errors are explained with the fix, and their text escaped', () => {
    const facts: ImageFacts = {
      online: {
        kind: 'tag',
        result: {
          ok: false,
          error: {
            kind: 'unauthorized',
            message: 'not logged in to ghcr.io: run docker login ghcr.io <now>',
            registry: 'ghcr.io',
          },
        },
      },
    };
    const lines = hover({ ref: ref('FROM ghcr.io/acme/private:1'), facts });
    assert.deepEqual(lines.slice(2, 4), [
      '**Could not check** (unauthorized): not logged in to ghcr.io: run docker login ghcr.io \\<now\\>.',
      '*Fix:* Log in with \\`docker login\\` for private registries, or retry later; \\`--offline\\` skips registry checks.',
    ]);
    const missing: ImageFacts = {
      online: {
        kind: 'tag',
        result: {
          ok: false,
          error: { kind: 'not-found', message: 'tag 9 of acme/app not found on ghcr.io', registry: 'ghcr.io' },
        },
      },
    };
    assert.equal(
      hover({ ref: ref('FROM ghcr.io/acme/app:9'), facts: missing })[3],
      '*Fix:* Use a tag the repository has.',
    );
  });

  it('what is not asked says why', () => {
    const python = ref('FROM python:3.12');
    assert.equal(
      hover({ ref: python, mode: 'untrusted' })[2],
      'Registry checks are off: this workspace is not trusted.',
    );
    assert.equal(hover({ ref: python, mode: 'offline' })[2], 'Offline: this tag is not in the cache.');
    assert.equal(hover({ ref: python })[2], 'Asking the registry…');
    assert.equal(hover({ ref: python, ignoredBySettings: true })[2], 'Ignored by the `digestPin.ignore` setting.');
    assert.equal(hover({ ref: { ...python, ignored: true } })[2], 'Ignored here (`# digest-pin: ignore`).');
    const build = findReferences('compose.yaml', 'services:\n  a:\n    build: .\n    image: acme/app:dev\n')
      .references[0]!;
    assert.equal(
      hover({ ref: build })[2],
      'This service builds the image (`build:`); it is not pulled from a registry.',
    );
  });

  it('variable and invalid references explain themselves', () => {
    assert.deepEqual(hover({ ref: ref('FROM golang:${GO}') }), [
      '**golang:${GO}**',
      "'golang:${GO}' is built from variables; its value is only known at build or deploy time",
    ]);
    assert.deepEqual(hover({ ref: ref('FROM Python:3') }), [
      '**Python:3**',
      'Not a valid image reference: repository name must be lowercase.',
    ]);
  });
});

describe('hover: devcontainer.json', () => {
  const path = '.devcontainer/devcontainer.json';
  const [image, feature] = findReferences(
    path,
    '{\n  "image": "mcr.microsoft.com/devcontainers/base:ubuntu", // digest-pin: ignore\n  "features": {"ghcr.io/devcontainers/features/node:1": {}}\n}\n',
  ).references;

  it('a feature says what it is; the image is an image', () => {
    assert.equal(
      hover({ ref: feature! })[1],
      'Dev Container Feature `ghcr.io/devcontainers/features/node` on ghcr.io · tag `1`',
    );
    assert.equal(
      hover({ ref: image! })[1],
      '`mcr.microsoft.com/devcontainers/base` on mcr.microsoft.com · tag `ubuntu`',
    );
  });

  it('the ignore comment is named as JSONC writes it', () => {
    assert.equal(hover({ ref: image! })[2], 'Ignored here (`// digest-pin: ignore`).');
  });
});

describe('split references', () => {
  const split = (text: string, path: string, neighbours?: { chart: { appVersion: string | null } }) => {
    const found = findReferences(path, text, neighbours ? { neighbours } : {}).references;
    assert.equal(found.length, 1);
    return found[0]!;
  };

  it('Helm values: the whole image, what it is assembled from, where the tag and registry came from', () => {
    const ref = split(
      'global:\n  imageRegistry: mirror.example\nimage:\n  registry: docker.io\n  repository: bitnami/nginx\n  digest: ""\n',
      'values.yaml',
      { chart: { appVersion: '1.29.1' } },
    );
    const lines = hover({ ref, mode: 'untrusted' });
    assert.deepEqual(lines.slice(0, 3), [
      '**mirror.example/bitnami/nginx:1.29.1**',
      "Assembled from registry `mirror.example` · repository `bitnami/nginx` · registry: global.imageRegistry \\(it overrides this image's registry\\) · tag: 1.29.1 \\(Chart.yaml appVersion\\)",
      '`mirror.example/bitnami/nginx` on mirror.example · tag `1.29.1`',
    ]);
  });

  it('a Dockerfile ARG holding the tag: the image the FROM builds on, the ARG it comes from', () => {
    const ref = split('ARG PY=3.12-slim\nFROM python:${PY}\n', 'Dockerfile');
    const lines = hover({ ref, mode: 'untrusted' });
    assert.deepEqual(lines.slice(0, 2), [
      '**python:3.12-slim**',
      'Assembled from repository `python` · tag `3.12-slim` · tag: ARG PY',
    ]);
  });

  it('a variable split reference says why before anything else', () => {
    const ref = split('image:\n  repository: quay.io/argoproj/argocd\n  tag: ""\n', 'values.yaml');
    const lines = hover({ ref });
    assert.equal(lines[0], '**quay.io/argoproj/argocd:{{ .Chart.AppVersion }}**');
    assert.equal(lines[1], 'Assembled from repository `quay.io/argoproj/argocd`');
    assert.match(lines[2]!, /there is no Chart\.yaml beside this file/);
  });
});

describe('hoverMarkdown with a lock', () => {
  const locked = { kind: 'locked' as const, key: 'docker.io/library/python:3.12', digest: D1, lock: 'digest-pin.lock' };

  it('a locked reference: where it is locked, the locked image’s age and the drift of its tag', () => {
    const lines = hover({
      ref: ref('FROM python:3.12'),
      lock: locked,
      facts: {
        online: {
          kind: 'pin',
          status: { status: 'drifted', pinned: D1, current: D2, tagDigest: D2, checkedAt: NOW - 30_000 },
          created: { pinned: '2024-01-01T00:00:00Z', current: '2024-02-25T00:00:00Z' },
        },
        pinned: { ok: true, value: { digest: D1, mediaType: INDEX, created: '2024-01-01T00:00:00Z' } },
      },
    });
    assert.ok(
      lines.includes(`Locked to \`${D1.slice(0, 19)}…\` in digest-pin.lock, built 2 months ago (2024-01-01).`) ||
        lines.some((l) => l.startsWith('Locked to `sha256:1111') && l.includes('in digest-pin.lock, built ')),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => l.startsWith('**The tag has moved**') && l.includes('the locked image is')));
    assert.ok(lines.includes(`Locked digest: \`${D1}\``), lines.join('\n'));
    assert.ok(!lines.some((l) => l.startsWith('Pinned')));
  });

  it('untrusted: the lock still says where it is locked', () => {
    const lines = hover({ ref: ref('FROM python:3.12'), lock: locked, mode: 'untrusted' });
    assert.ok(
      lines.some((l) => /^Locked to `sha256:1111.*` in digest-pin\.lock\.$/.test(l)),
      lines.join('\n'),
    );
  });

  it('a reference the lock lacks says so', () => {
    const lines = hover({
      ref: ref('FROM python:3.12'),
      lock: { kind: 'not-locked', key: 'docker.io/library/python:3.12', lock: 'app/digest-pin.lock' },
    });
    assert.equal(
      lines.at(-2),
      '**Not locked:** app/digest-pin.lock has no entry for `docker.io/library/python:3.12`; builds pull whatever the tag points to that day.',
    );
  });
});

describe('hoverMarkdown: provenance, attachments, what changed', () => {
  const SHA_A = 'a'.repeat(40);
  const SHA_B = 'b'.repeat(40);
  const amd64 = { os: 'linux', architecture: 'amd64' };
  const arm64 = { os: 'linux', architecture: 'arm64' };

  it('a drifted pin: what changed (version, revision with a compare link, platforms), both images’ attachments', () => {
    const pinned = {
      digest: D1,
      mediaType: INDEX,
      created: '2024-01-01T00:00:00Z',
      platforms: [amd64],
      provenance: { version: '1.2.0', source: 'https://github.com/org/app', revision: SHA_A },
      attachments: [],
    };
    const current = {
      digest: D2,
      mediaType: INDEX,
      created: '2024-02-25T00:00:00Z',
      platforms: [amd64, arm64],
      provenance: { version: '1.2.1', source: 'https://github.com/org/app', revision: SHA_B },
      attachments: [{ kind: 'signature' as const, via: 'cosign-tag' as const }],
    };
    const facts: ImageFacts = {
      online: {
        kind: 'pin',
        status: { status: 'drifted', pinned: D1, current: D2, tagDigest: D2, checkedAt: NOW - 30_000 },
        created: { pinned: pinned.created, current: current.created },
        described: { pinned, current },
      },
      pinned: { ok: true, value: pinned },
      currentImage: { ok: true, value: current },
    };
    const lines = hover({ ref: ref(`FROM quay.io/org/app:1.2@${D1}`), facts });
    assert.deepEqual(lines.slice(4, 11), [
      `Current digest: \`${D2}\``,
      `**What changed:** version \`1.2.0\` → \`1.2.1\` · source revision \`aaaaaaaaaaaa\` → \`bbbbbbbbbbbb\` ([compare](https://github.com/org/app/compare/${SHA_A}...${SHA_B})) · platforms added \`linux/arm64\``,
      `Pinned digest: \`${D1}\``,
      'Platforms: linux/amd64',
      `Provenance: version \`1.2.0\` · source [github.com/org/app](https://github.com/org/app) at [\`aaaaaaaaaaaa\`](https://github.com/org/app/commit/${SHA_A})`,
      'Attachments: none found',
      'Attachments of the image the tag points to now: signature \\(cosign tag\\)',
    ]);
  });

  it('without the hover’s own descriptions, what changed comes from the drift’s answer', () => {
    const facts: ImageFacts = {
      online: {
        kind: 'pin',
        status: { status: 'drifted', pinned: D1, current: D2, tagDigest: D2, checkedAt: NOW - 30_000 },
        described: {
          pinned: { digest: D1, mediaType: INDEX, provenance: { baseDigest: `sha256:${'c'.repeat(64)}` } },
          current: { digest: D2, mediaType: INDEX, provenance: { baseDigest: `sha256:${'d'.repeat(64)}` } },
        },
      },
    };
    const lines = hover({ ref: ref(`FROM quay.io/org/app:1.2@${D1}`), facts });
    assert.ok(
      lines.includes('**What changed:** base image changed: `sha256:cccccccccccc…` → `sha256:dddddddddddd…`'),
      lines.join('\n'),
    );
  });

  it('an unpinned tag: the current image’s provenance (hostile values escaped) and attachments', () => {
    const facts: ImageFacts = {
      online: { kind: 'tag', result: { ok: true, value: resolution(D1) } },
      current: { ok: true, value: resolution(D1, { provenance: { title: 'from the resolution' } }) },
      currentImage: {
        ok: true,
        value: {
          digest: D1,
          mediaType: INDEX,
          provenance: { title: '<img src=x>', source: 'javascript:alert(1)', revision: 'main' },
          attachments: [{ kind: 'attestation', via: 'index' }],
        },
      },
    };
    const lines = hover({ ref: ref('FROM python:3.12-slim'), facts });
    assert.ok(
      lines.includes('Provenance: title `<img src=x>` · source `javascript:alert(1)` at `main`'),
      lines.join('\n'),
    );
    assert.ok(lines.includes('Attachments: attestation \\(attestation in index\\)'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('](javascript')));
  });

  it('nothing said, nothing asked: no provenance or attachment line', () => {
    const facts: ImageFacts = { online: { kind: 'tag', result: { ok: true, value: resolution(D1) } } };
    const lines = hover({ ref: ref('FROM python:3.12-slim'), facts });
    assert.ok(!lines.some((l) => l.startsWith('Provenance') || l.startsWith('Attachments')));
  });
});
