// What an image says about itself and what is attached to it, against the real docker-registry: OCI annotations over
// config labels (label-schema ones too), a 1 MB label clipped, BuildKit attestation manifests in the index, a
// cosign-style `sha256-<hex>.sig` tag found by HEAD because distribution 2.8 has no referrers API (404), and — through
// a stub of the OCI 1.1 referrers API in front of the same registry — a referrer found by its artifactType. Then a
// drifted pin through the CLI (`check --format json` and markdown): what changed. Request counts come from the
// registry's own access log: a plain check of a tag is HEAD-only, attachments are asked once per digest.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../../server/src/cli/main';
import { anonymousCredentials, createRegistryClient, describeAttachment } from '../../../server/src/registry';
import { startReferrersStub, type ReferrersStub } from '../support/referrersStub';
import { startRegistry, type Registry } from '../support/registry';
import {
  pushCosignSignature,
  pushImage,
  pushIndex,
  pushReferrer,
  type PushedIndex,
  type SeedTarget,
} from '../support/seed';
import { recordingLogger, ref, value } from './support';

const REPO = 'provenance/app';
const SHA_A = 'a1b2c3d'.padEnd(40, '0');
const SHA_B = 'b2c3d4e'.padEnd(40, '1');
const BASE_A = `sha256:${'c'.repeat(64)}`;
const BASE_B = `sha256:${'d'.repeat(64)}`;
const SPDX = 'application/spdx+json';

let registry: Registry;
let stub: ReferrersStub;
let tmp: string;
let v1: PushedIndex;
let v2: PushedIndex;

before(async () => {
  registry = await startRegistry();
  stub = await startReferrersStub({ target: registry.url });
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-provenance-'));
  // Seeded through the stub, which passes everything on to the registry and remembers referrers.
  const target: SeedTarget = { url: stub.url, host: stub.host };
  const v1Child = await pushImage(target, REPO, undefined, {
    format: 'oci',
    created: '2024-01-01T00:00:00Z',
    content: 'v1',
    labels: {
      'org.label-schema.version': '1.0',
      'org.label-schema.vcs-url': 'git@github.com:org/app.git',
      'org.label-schema.vcs-ref': SHA_A,
      'org.opencontainers.image.base.name': 'docker.io/library/debian:12',
      'org.opencontainers.image.base.digest': BASE_A,
    },
  });
  v1 = await pushIndex(target, REPO, '1', { format: 'oci', children: [v1Child], attestation: true });
  const v2Labels = {
    'org.opencontainers.image.version': '1.1-from-the-label',
    'org.opencontainers.image.source': 'https://github.com/org/app.git',
    'org.opencontainers.image.revision': SHA_B,
    'org.opencontainers.image.base.name': 'docker.io/library/debian:12',
    'org.opencontainers.image.base.digest': BASE_B,
  };
  const v2Children = [
    await pushImage(target, REPO, undefined, {
      format: 'oci',
      created: '2024-02-01T00:00:00Z',
      content: 'v2 amd64',
      // A hostile registry: a 1 MB title.
      labels: { ...v2Labels, 'org.opencontainers.image.title': 'x'.repeat(1024 * 1024) },
    }),
    await pushImage(target, REPO, undefined, {
      format: 'oci',
      created: '2024-02-01T00:00:00Z',
      content: 'v2 arm64',
      platform: { os: 'linux', architecture: 'arm64' },
      labels: v2Labels,
    }),
  ];
  v2 = await pushIndex(target, REPO, '1', {
    format: 'oci',
    children: v2Children,
    attestation: true,
    annotations: { 'org.opencontainers.image.version': '1.1' },
  });
  await pushCosignSignature(target, REPO, v2);
  await pushReferrer(target, REPO, v2, SPDX);
});

after(async () => {
  await stub?.stop();
  await registry?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const client = () => createRegistryClient({ credentials: anonymousCredentials, logger: recordingLogger() });
const attachmentRequests = async () =>
  (await registry.requestLog()).filter((l) => /\/referrers\/|\/manifests\/sha256-/.test(l.path));

describe('describe: provenance and attachments on the real registry', () => {
  it('annotations over labels, a 1 MB label clipped; no referrers API (404): the cosign tags, once per digest', async () => {
    const c = client();
    const before = await registry.requestCount();
    const beforeAttachments = (await attachmentRequests()).length;
    const d = value(await c.describe(ref(`${registry.host}/${REPO}`), v2.digest, { attachments: true }));
    const { title, ...rest } = d.provenance ?? {};
    assert.deepEqual(rest, {
      version: '1.1',
      source: 'https://github.com/org/app.git',
      revision: SHA_B,
      baseName: 'docker.io/library/debian:12',
      baseDigest: BASE_B,
    });
    assert.equal(title?.length, 256);
    assert.deepEqual(d.attachments?.map(describeAttachment), [
      'signature (cosign tag)',
      'attestation (attestation in index)',
    ]);
    const asked = (await attachmentRequests()).slice(beforeAttachments);
    const tag = `${v2.digest.replace(':', '-')}`;
    assert.deepEqual(
      asked.map((l) => [l.method, l.path, l.status]),
      [
        ['GET', `/v2/${REPO}/referrers/${v2.digest}`, 404],
        ['HEAD', `/v2/${REPO}/manifests/${tag}.sig`, 200],
        ['HEAD', `/v2/${REPO}/manifests/${tag}.att`, 404],
        ['HEAD', `/v2/${REPO}/manifests/${tag}.sbom`, 404],
      ],
    );
    const requests = await registry.requestCount();
    assert.ok(requests > before);
    // Asked again: the manifest, config and attachments are all kept.
    const again = value(await c.describe(ref(`${registry.host}/${REPO}`), v2.digest, { attachments: true }));
    assert.deepEqual(again, d);
    assert.equal(await registry.requestCount(), requests);
    await c.close();
  });

  it('label-schema labels; an index with attestations and nothing else', async () => {
    const c = client();
    const d = value(await c.describe(ref(`${registry.host}/${REPO}`), v1.digest, { attachments: true }));
    assert.deepEqual(d.provenance, {
      version: '1.0',
      source: 'git@github.com:org/app.git',
      revision: SHA_A,
      baseName: 'docker.io/library/debian:12',
      baseDigest: BASE_A,
    });
    assert.deepEqual(d.attachments?.map(describeAttachment), ['attestation (attestation in index)']);
    await c.close();
  });

  it('with the referrers API (the stub): its answer, and no cosign tag is asked', async () => {
    const c = client();
    stub.clear();
    const d = value(await c.describe(ref(`${stub.host}/${REPO}`), v2.digest, { attachments: true }));
    assert.deepEqual(d.attachments?.map(describeAttachment), [
      'SBOM (referrers API)',
      'attestation (attestation in index)',
    ]);
    const asked = stub.requests().filter((r) => /\/referrers\/|\/manifests\/sha256-/.test(r));
    assert.deepEqual(asked, [`GET /v2/${REPO}/referrers/${v2.digest}`]);
    // Nothing refers to v1: an empty index, not a 404, and still no cosign tag asked.
    stub.clear();
    const old = value(await c.describe(ref(`${stub.host}/${REPO}`), v1.digest, { attachments: true }));
    assert.deepEqual(old.attachments?.map(describeAttachment), ['attestation (attestation in index)']);
    assert.deepEqual(
      stub.requests().filter((r) => /\/referrers\/|\/manifests\/sha256-/.test(r)),
      [`GET /v2/${REPO}/referrers/${v1.digest}`],
    );
    await c.close();
  });
});

// --- the CLI ------------------------------------------------------------------------------------------------------

interface Output {
  status: number;
  stdout: string;
}

async function check(args: string[], files: Record<string, string>, name: string): Promise<Output> {
  const cwd = join(tmp, name);
  mkdirSync(cwd, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(cwd, file), text);
  const dockerConfig = join(tmp, 'docker');
  mkdirSync(dockerConfig, { recursive: true });
  writeFileSync(join(dockerConfig, 'config.json'), '{}\n');
  let stdout = '';
  const status = await run(['check', ...args], {
    cwd,
    env: { DOCKER_CONFIG: dockerConfig, XDG_CACHE_HOME: join(cwd, '.cache') },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
  });
  return { status, stdout };
}

describe('check: a drifted pin explained', () => {
  it('a plain check of a tag stays HEAD-only: no manifest GET, no attachment request', async () => {
    const before = await registry.requestLog();
    await check(['--format', 'json', '.'], { Dockerfile: `FROM ${registry.host}/${REPO}:1\n` }, 'plain');
    const asked = (await registry.requestLog()).slice(before.length).filter((l) => l.path !== '/v2/');
    assert.deepEqual(
      asked.map((l) => [l.method, l.path]),
      [['HEAD', `/v2/${REPO}/manifests/1`]],
    );
  });

  it('JSON: current and pinned with provenance, attachments and what changed', async () => {
    const text = `FROM ${registry.host}/${REPO}:1@${v1.digest}\n`;
    const { stdout } = await check(['--format', 'json', '.'], { Dockerfile: text }, 'json');
    const reference = JSON.parse(stdout).references[0];
    assert.equal(reference.diagnostics[0].code, 'tag-drift');
    const { provenance, ...current } = reference.current;
    assert.equal(provenance.version, '1.1');
    assert.deepEqual(current, {
      digest: v2.digest,
      created: '2024-02-01T00:00:00Z',
      error: null,
      platforms: ['linux/amd64', 'linux/arm64'],
      attachments: [
        { kind: 'signature', via: 'cosign-tag' },
        { kind: 'attestation', via: 'index' },
      ],
      changes: {
        version: { before: '1.0', after: '1.1', changed: true },
        base: {
          before: BASE_A,
          after: BASE_B,
          changed: true,
          beforeName: 'docker.io/library/debian:12',
          afterName: 'docker.io/library/debian:12',
        },
        revision: {
          before: SHA_A,
          after: SHA_B,
          changed: true,
          compare: `https://github.com/org/app/compare/${SHA_A}...${SHA_B}`,
          beforeLink: `https://github.com/org/app/commit/${SHA_A}`,
          afterLink: `https://github.com/org/app/commit/${SHA_B}`,
        },
        platforms: { added: ['linux/arm64'], removed: [] },
        built: { before: '2024-01-01T00:00:00Z', after: '2024-02-01T00:00:00Z', apartMs: 31 * 86_400_000 },
      },
    });
    assert.deepEqual(reference.pinned, {
      digest: v1.digest,
      created: '2024-01-01T00:00:00Z',
      platforms: ['linux/amd64'],
      provenance: {
        version: '1.0',
        source: 'git@github.com:org/app.git',
        revision: SHA_A,
        baseName: 'docker.io/library/debian:12',
        baseDigest: BASE_A,
      },
      attachments: [{ kind: 'attestation', via: 'index' }],
    });
  });

  it('Markdown: the What changed list', async () => {
    const text = `FROM ${registry.host}/${REPO}:1@${v1.digest}\n`;
    const { stdout } = await check(['--format', 'markdown', '.'], { Dockerfile: text }, 'markdown');
    const section = stdout.slice(stdout.indexOf('### What changed'));
    assert.equal(
      section,
      [
        '### What changed',
        '',
        `- \`${registry.host}/${REPO}:1@${v1.digest.slice(0, 19)}…\` (\`Dockerfile:1\`): version \`1.0\` → \`1.1\` · base image \`docker.io/library/debian:12\` updated: \`sha256:cccccccccccc…\` → \`sha256:dddddddddddd…\` · source revision \`a1b2c3d00000\` → \`b2c3d4e11111\` ([compare](https://github.com/org/app/compare/${SHA_A}...${SHA_B})) · platforms added \`linux/arm64\` · the new image has: signature \\(cosign tag\\), attestation \\(attestation in index\\)`,
        '',
      ].join('\n'),
    );
  });
});
