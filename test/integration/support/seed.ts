// Seeds a registry over the distribution HTTP API: blobs (POST upload + PUT ?digest=), image manifests, indexes and
// manifest lists, re-pushed tags and deleted manifests. Bodies are deterministic and stored byte for byte, so every
// digest here is sha256 of the exact body that was PUT.
import { makeLayer, sha256 } from './layer';
import { RELEASE_REVISIONS, RELEASE_SOURCE } from '../../support/releaseFixture';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json',
} as const;

/** The Accept list a resolver sends (registry.md): every manifest type, no q-values. */
export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

/** Authorization header for a scope such as `repository:team/app:pull,push`; undefined sends none. */
export type AuthProvider = (scope: string) => string | undefined | Promise<string | undefined>;

/** Where to seed: a Registry (or a proxy in front of one), optionally with push credentials. */
export interface SeedTarget {
  url: string;
  host: string;
  auth?: AuthProvider;
  /** How to reach it: a registry's own `fetch` when it serves TLS with a test CA. Default the global fetch. */
  fetch?: typeof fetch;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface PushedManifest {
  repo: string;
  /** The tag it was pushed under; undefined when pushed by digest only. */
  tag: string | undefined;
  digest: string;
  mediaType: string;
  /** The exact body stored. */
  bytes: Buffer;
  /** `host/repo:tag` (or `host/repo@digest` when untagged). */
  ref: string;
}

export interface PushedImage extends PushedManifest {
  configDigest: string;
  platform: Platform;
  layers: string[];
}

export interface PushedIndex extends PushedManifest {
  /** Every entry of the index in order, attestation manifests included. */
  manifests: Descriptor[];
}

export interface ImageOptions {
  format: 'docker' | 'oci';
  platform?: Platform;
  /** Config `created`; default a fixed instant so digests are stable. */
  created?: string;
  labels?: Record<string, string>;
  /** OCI manifest annotations (ignored for the Docker format, which has none). */
  annotations?: Record<string, string>;
  /** Distinguishes otherwise identical images (different layer content, different digest). */
  content?: string;
}

export interface IndexOptions {
  format: 'oci' | 'docker-list';
  children: PushedImage[];
  /** Add a buildx-style attestation manifest per child (OCI index only). */
  attestation?: boolean;
  annotations?: Record<string, string>;
}

export const DEFAULT_CREATED = '2024-01-15T10:00:00Z';
const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/** Docker tooling writes schema2 manifests and lists indented with three spaces; OCI tools write compact JSON. */
const dockerJson = (value: unknown) => Buffer.from(JSON.stringify(value, null, 3));
const ociJson = (value: unknown) => Buffer.from(JSON.stringify(value));

async function call(
  target: SeedTarget,
  scope: string,
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: Buffer } = {},
) {
  const authorization = await target.auth?.(scope);
  const headers: Record<string, string> = { ...init.headers };
  if (authorization !== undefined) headers['authorization'] = authorization;
  return (target.fetch ?? fetch)(new URL(url, target.url), { method, headers, body: init.body, redirect: 'manual' });
}

async function expectStatus(res: Response, expected: number, what: string): Promise<void> {
  if (res.status === expected) {
    await res.arrayBuffer();
    return;
  }
  throw new Error(`${what}: expected HTTP ${expected}, got ${res.status} ${await res.text()}`);
}

const pushScope = (repo: string) => `repository:${repo}:pull,push`;

/** Upload a blob (POST /blobs/uploads/ → 202 + Location, PUT Location?digest= → 201). */
export async function pushBlob(
  target: SeedTarget,
  repo: string,
  blob: Uint8Array,
): Promise<{ digest: string; size: number }> {
  const digest = sha256(blob);
  const start = await call(target, pushScope(repo), 'POST', `/v2/${repo}/blobs/uploads/`);
  const location = start.headers.get('location');
  await expectStatus(start, 202, `start upload to ${repo}`);
  if (!location) throw new Error(`start upload to ${repo}: 202 without Location`);
  const put = new URL(location, target.url);
  put.searchParams.set('digest', digest);
  const done = await call(target, pushScope(repo), 'PUT', put.toString(), {
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from(blob),
  });
  await expectStatus(done, 201, `finish upload of ${digest} to ${repo}`);
  return { digest, size: blob.length };
}

/** PUT a manifest body under a tag or its own digest; Content-Type is its media type. */
export async function pushManifest(
  target: SeedTarget,
  repo: string,
  reference: string | undefined,
  mediaType: string,
  bytes: Buffer,
): Promise<PushedManifest> {
  const digest = sha256(bytes);
  const res = await call(target, pushScope(repo), 'PUT', `/v2/${repo}/manifests/${reference ?? digest}`, {
    headers: { 'content-type': mediaType },
    body: bytes,
  });
  await expectStatus(res, 201, `push manifest ${repo}:${reference ?? digest}`);
  const stored = res.headers.get('docker-content-digest');
  if (stored !== digest) throw new Error(`registry stored ${repo} as ${stored}, expected ${digest}`);
  const tag = reference;
  return {
    repo,
    tag,
    digest,
    mediaType,
    bytes,
    ref: tag ? `${target.host}/${repo}:${tag}` : `${target.host}/${repo}@${digest}`,
  };
}

const platformText = (p: Platform) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

/** Push a config, one layer and a single-platform manifest (Docker schema2 or OCI). `tag` undefined pushes by digest. */
export async function pushImage(
  target: SeedTarget,
  repo: string,
  tag: string | undefined,
  options: ImageOptions,
): Promise<PushedImage> {
  const platform = options.platform ?? DEFAULT_PLATFORM;
  const created = options.created ?? DEFAULT_CREATED;
  const docker = options.format === 'docker';
  const layer = makeLayer('image.txt', `${repo} ${platformText(platform)} ${options.content ?? ''}\n`);
  const config = ociJson({
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created,
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/bin/sh'],
      ...(options.labels ? { Labels: options.labels } : {}),
    },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, created_by: 'digest-pin integration seed' }],
  });
  const configBlob = await pushBlob(target, repo, config);
  await pushBlob(target, repo, layer.blob);
  const mediaType = docker ? MEDIA.dockerManifest : MEDIA.ociManifest;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: docker ? MEDIA.dockerConfig : MEDIA.ociConfig,
      digest: configBlob.digest,
      size: configBlob.size,
    },
    layers: [{ mediaType: docker ? MEDIA.dockerLayer : MEDIA.ociLayer, digest: layer.digest, size: layer.blob.length }],
    ...(!docker && options.annotations ? { annotations: options.annotations } : {}),
  };
  const pushed = await pushManifest(target, repo, tag, mediaType, docker ? dockerJson(manifest) : ociJson(manifest));
  return { ...pushed, configDigest: configBlob.digest, platform, layers: [layer.digest] };
}

/** A buildx-style provenance attestation manifest for `child` (platform unknown/unknown in the index). */
async function pushAttestation(target: SeedTarget, repo: string, child: PushedImage): Promise<Descriptor> {
  const statement = ociJson({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [
      {
        name: `pkg:docker/${repo}?platform=${encodeURIComponent(platformText(child.platform))}`,
        digest: { sha256: child.digest.slice(7) },
      },
    ],
    predicate: { buildType: 'https://mobyproject.org/buildkit@v1' },
  });
  const layer = await pushBlob(target, repo, statement);
  const config = await pushBlob(
    target,
    repo,
    ociJson({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  );
  const manifest = ociJson({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: config.size },
    layers: [
      {
        mediaType: MEDIA.inToto,
        digest: layer.digest,
        size: layer.size,
        annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
      },
    ],
  });
  const pushed = await pushManifest(target, repo, undefined, MEDIA.ociManifest, manifest);
  return {
    mediaType: MEDIA.ociManifest,
    digest: pushed.digest,
    size: manifest.length,
    annotations: { 'vnd.docker.reference.digest': child.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    platform: { architecture: 'unknown', os: 'unknown' },
  };
}

/** Push an OCI index or Docker manifest list over already-pushed children (the registry checks they exist). */
export async function pushIndex(
  target: SeedTarget,
  repo: string,
  tag: string | undefined,
  options: IndexOptions,
): Promise<PushedIndex> {
  const oci = options.format === 'oci';
  if (options.attestation && !oci) throw new Error('attestation manifests only go in OCI indexes');
  // Platform keys in the order the image spec lists them; Go tooling writes architecture first.
  const platformJson = (p: Platform): Platform => ({
    architecture: p.architecture,
    os: p.os,
    ...(p.variant ? { variant: p.variant } : {}),
  });
  const manifests: Descriptor[] = options.children.map((child) => ({
    mediaType: child.mediaType,
    digest: child.digest,
    size: child.bytes.length,
    platform: platformJson(child.platform),
  }));
  if (options.attestation) {
    for (const child of options.children) manifests.push(await pushAttestation(target, repo, child));
  }
  const mediaType = oci ? MEDIA.ociIndex : MEDIA.dockerList;
  const body = {
    schemaVersion: 2,
    mediaType,
    manifests,
    ...(oci && options.annotations ? { annotations: options.annotations } : {}),
  };
  const pushed = await pushManifest(target, repo, tag, mediaType, oci ? ociJson(body) : dockerJson(body));
  return { ...pushed, manifests };
}

/** The empty JSON config OCI artifacts use (`{}`), pushed so a manifest naming it is complete. */
async function pushEmptyConfig(target: SeedTarget, repo: string): Promise<Descriptor> {
  const blob = await pushBlob(target, repo, Buffer.from('{}'));
  return { mediaType: 'application/vnd.oci.empty.v1+json', digest: blob.digest, size: blob.size };
}

/**
 * A cosign-style signature under the tag `sha256-<hex>.sig` (cosign's tag scheme, for registries without the
 * referrers API): an OCI manifest whose layer is a simple-signing payload.
 */
export async function pushCosignSignature(
  target: SeedTarget,
  repo: string,
  subject: { digest: string },
  suffix: 'sig' | 'att' | 'sbom' = 'sig',
): Promise<PushedManifest> {
  const payload = await pushBlob(
    target,
    repo,
    ociJson({
      critical: { image: { 'docker-manifest-digest': subject.digest }, type: 'cosign container image signature' },
    }),
  );
  const manifest = ociJson({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { ...(await pushEmptyConfig(target, repo)), mediaType: MEDIA.ociConfig },
    layers: [
      {
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        digest: payload.digest,
        size: payload.size,
        annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ-not-a-real-signature' },
      },
    ],
  });
  return pushManifest(target, repo, `${subject.digest.replace(':', '-')}.${suffix}`, MEDIA.ociManifest, manifest);
}

/** An OCI 1.1 referrer of `subject` (a manifest with `subject` and `artifactType`), pushed by digest. */
export async function pushReferrer(
  target: SeedTarget,
  repo: string,
  subject: PushedManifest,
  artifactType: string,
): Promise<PushedManifest> {
  const content = await pushBlob(target, repo, ociJson({ spdxVersion: 'SPDX-2.3', name: repo }));
  const manifest = ociJson({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    artifactType,
    config: await pushEmptyConfig(target, repo),
    layers: [{ mediaType: artifactType, digest: content.digest, size: content.size }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
  });
  return pushManifest(target, repo, undefined, MEDIA.ociManifest, manifest);
}

/** DELETE /v2/<repo>/manifests/<digest> → 202 (needs storage.delete.enabled). Tags pointing at it go too. */
export async function deleteManifest(target: SeedTarget, repo: string, digest: string): Promise<void> {
  const res = await call(target, `repository:${repo}:delete`, 'DELETE', `/v2/${repo}/manifests/${digest}`);
  await expectStatus(res, 202, `delete ${repo}@${digest}`);
}

export interface StandardFixtures {
  /** Docker schema2 single-platform image (linux/amd64). */
  dockerImage: PushedImage;
  /** OCI single-platform image with manifest annotations and config labels. */
  ociImage: PushedImage;
  /** OCI index: linux/amd64, linux/arm64/v8 and one attestation manifest per platform (buildx style). */
  ociIndex: PushedIndex & { children: PushedImage[] };
  /** Docker manifest list: linux/amd64, linux/arm/v7. */
  dockerList: PushedIndex & { children: PushedImage[] };
  /** A tag pushed twice: `oldDigest` still exists by digest, the tag now points at `newDigest`. */
  drift: { repo: string; tag: string; ref: string; oldDigest: string; newDigest: string };
  /** A pinned digest deleted from the registry while its tag moved on to `tagDigest`. */
  gone: { repo: string; tag: string; ref: string; digest: string; tagDigest: string };
}

/** The fixture set the integration tests share. Same bytes on every run, hence the same digests. */
export async function seedStandard(target: SeedTarget): Promise<StandardFixtures> {
  const dockerImage = await pushImage(target, 'fixtures/docker-image', '1.0', { format: 'docker' });
  const ociImage = await pushImage(target, 'fixtures/oci-image', '1.0', {
    format: 'oci',
    labels: { 'org.opencontainers.image.version': '1.0' },
    annotations: { 'org.opencontainers.image.created': DEFAULT_CREATED },
  });

  const indexRepo = 'fixtures/oci-index';
  const indexChildren = [
    await pushImage(target, indexRepo, undefined, { format: 'oci', platform: { os: 'linux', architecture: 'amd64' } }),
    await pushImage(target, indexRepo, undefined, {
      format: 'oci',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    }),
  ];
  const ociIndex = await pushIndex(target, indexRepo, '1.0', {
    format: 'oci',
    children: indexChildren,
    attestation: true,
  });

  const listRepo = 'fixtures/docker-list';
  const listChildren = [
    await pushImage(target, listRepo, undefined, {
      format: 'docker',
      platform: { os: 'linux', architecture: 'amd64' },
    }),
    await pushImage(target, listRepo, undefined, {
      format: 'docker',
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    }),
  ];
  const dockerList = await pushIndex(target, listRepo, '1.0', { format: 'docker-list', children: listChildren });

  const driftRepo = 'fixtures/drift';
  const before = await pushImage(target, driftRepo, 'latest', {
    format: 'oci',
    created: '2024-01-01T00:00:00Z',
    content: 'build 1',
  });
  const after = await pushImage(target, driftRepo, 'latest', {
    format: 'oci',
    created: '2024-02-01T00:00:00Z',
    content: 'build 2',
  });

  const goneRepo = 'fixtures/gone';
  const doomed = await pushImage(target, goneRepo, '1.0', { format: 'oci', content: 'build 1' });
  const current = await pushImage(target, goneRepo, '1.0', { format: 'oci', content: 'build 2' });
  await deleteManifest(target, goneRepo, doomed.digest);

  return {
    dockerImage,
    ociImage,
    ociIndex: { ...ociIndex, children: indexChildren },
    dockerList: { ...dockerList, children: listChildren },
    drift: {
      repo: driftRepo,
      tag: 'latest',
      ref: `${target.host}/${driftRepo}:latest`,
      oldDigest: before.digest,
      newDigest: after.digest,
    },
    gone: {
      repo: goneRepo,
      tag: '1.0',
      ref: `${target.host}/${goneRepo}:1.0`,
      digest: doomed.digest,
      tagDigest: current.digest,
    },
  };
}

/**
 * `fixtures/release`: tag 2.4.0 pushed twice (rebuilt on a new base, from a new commit: a drift with something to
 * say about what changed), then 2.4.1 and 2.5.0 (the newer versions of its line). Seeded by the extension-host suite and the e2e run, not by seedStandard.
 */
export async function seedRelease(target: SeedTarget): Promise<ReleaseFixture> {
  const repo = 'fixtures/release';
  const labels = (version: string, revision: string, base: string) => ({
    'org.opencontainers.image.version': version,
    'org.opencontainers.image.source': RELEASE_SOURCE,
    'org.opencontainers.image.revision': revision,
    'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.20',
    'org.opencontainers.image.base.digest': `sha256:${base.repeat(64)}`,
  });
  const old = await pushImage(target, repo, '2.4.0', {
    format: 'oci',
    created: '2024-03-01T00:00:00Z',
    content: 'release 2.4.0',
    labels: labels('2.4.0', RELEASE_REVISIONS.old, 'a'),
  });
  const rebuilt = await pushImage(target, repo, '2.4.0', {
    format: 'oci',
    created: '2024-04-10T00:00:00Z',
    content: 'release 2.4.0 rebuilt',
    labels: labels('2.4.0', RELEASE_REVISIONS.new, 'b'),
  });
  const patch = await pushImage(target, repo, '2.4.1', {
    format: 'oci',
    created: '2024-05-01T00:00:00Z',
    content: 'release 2.4.1',
    labels: labels('2.4.1', RELEASE_REVISIONS.new, 'b'),
  });
  const minor = await pushImage(target, repo, '2.5.0', {
    format: 'oci',
    created: '2024-06-01T00:00:00Z',
    content: 'release 2.5.0',
    labels: labels('2.5.0', RELEASE_REVISIONS.new, 'b'),
  });
  return { old: old.digest, rebuilt: rebuilt.digest, patch: patch.digest, minor: minor.digest };
}

/** Digests of fixtures/release: 2.4.0 before and after its rebuild, then 2.4.1 and 2.5.0. */
export interface ReleaseFixture {
  old: string;
  rebuilt: string;
  patch: string;
  minor: string;
}
