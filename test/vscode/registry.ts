// Runner side: the seeded registry (token auth, behind the fault proxy) that the fixture workspace names, a control
// endpoint the suite asks for request counts, and a Docker config whose credential helper for that registry records
// every run (so the untrusted suite can show none happened, and the trusted one that the probe works).
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pushImage, type SeedTarget } from '../integration/support/seed';
import { startSeededSetup, type SeededSetup } from '../integration/support/setup';
import { RELEASE_REVISIONS, RELEASE_SOURCE } from './releaseFixture';
import { SUITE_ENV, type RequestCounts, type SuiteRegistry } from './env';

export interface SuiteRegistryRun {
  registry: SuiteRegistry;
  /** For the VS Code server's environment (the extension host and the language server inherit it). */
  env: Record<string, string>;
  /** Requests since the last reset(). */
  counts(): RequestCounts;
  /** Starts counting (and the credential helper's log) afresh: before each VS Code run. */
  reset(): void;
  stop(): Promise<void>;
}

const HELPER = 'digestpin-probe';

/** Starts everything under `dir` (the run's temp root). */
export async function startSuiteRegistry(dir: string): Promise<SuiteRegistryRun> {
  const setup: SeededSetup = await startSeededSetup({ auth: 'token', proxy: true });
  let control: Server | undefined;
  try {
    const proxy = setup.proxy!;
    const tokenServer = setup.tokenServer!;
    // The token server cannot forget its log: count from a baseline instead.
    let tokenBase = 0;
    const counts = (): RequestCounts => ({
      registry: proxy.count(),
      token: tokenServer.requestCount() - tokenBase,
      registryRequests: proxy.requests().map((r) => `${r.method} ${r.path}`),
    });
    control = createServer((request, response) => {
      if (request.method === 'GET' && request.url === '/requests') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts()));
      } else response.writeHead(404).end();
    });
    const server = control;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });

    // Docker config: a credential helper for the registry that records each call and has no credentials (the
    // token server grants anonymous pulls), so the trusted suite resolves as an anonymous user would.
    const bin = join(dir, 'bin');
    const dockerConfig = join(dir, 'docker-config');
    const helperLog = join(dir, 'credential-helper.log');
    mkdirSync(bin, { recursive: true });
    mkdirSync(dockerConfig, { recursive: true });
    writeFileSync(
      join(bin, `docker-credential-${HELPER}`),
      `#!/bin/sh\nread -r server\necho "$1 $server" >> '${helperLog}'\necho 'credentials not found in native keychain'\nexit 1\n`,
    );
    chmodSync(join(bin, `docker-credential-${HELPER}`), 0o755);
    writeFileSync(
      join(dockerConfig, 'config.json'),
      `${JSON.stringify({ credHelpers: { [setup.host]: HELPER } }, null, 2)}\n`,
    );

    const f = setup.fixtures;
    const release = await seedRelease(setup.seedTarget);
    proxy.clearLog();
    const registry: SuiteRegistry = {
      host: setup.host,
      control: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentialHelperLog: helperLog,
      digests: {
        dockerImage: f.dockerImage.digest,
        ociImage: f.ociImage.digest,
        ociIndex: f.ociIndex.digest,
        dockerList: f.dockerList.digest,
        driftOld: f.drift.oldDigest,
        driftNew: f.drift.newDigest,
        goneDeleted: f.gone.digest,
        goneCurrent: f.gone.tagDigest,
        ...release,
      },
    };
    return {
      registry,
      env: {
        [SUITE_ENV.registry]: JSON.stringify(registry),
        DOCKER_CONFIG: dockerConfig,
        PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      },
      counts,
      reset: () => {
        proxy.clearLog();
        tokenBase = tokenServer.requestCount();
        rmSync(helperLog, { force: true });
      },
      stop: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await setup.stop();
      },
    };
  } catch (error) {
    control?.close();
    await setup.stop();
    throw error;
  }
}

/**
 * `fixtures/release`: tag 2.4.0 pushed twice (rebuilt on a new base, from a new commit: a drift with something to
 * say about what changed), then 2.4.1 and 2.5.0 (the newer versions of its line). Only the suite seeds it.
 */
async function seedRelease(target: SeedTarget): Promise<Pick<SuiteRegistry['digests'], ReleaseDigest>> {
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
  return { releaseOld: old.digest, releaseNew: rebuilt.digest, releasePatch: patch.digest, releaseMinor: minor.digest };
}

type ReleaseDigest = 'releaseOld' | 'releaseNew' | 'releasePatch' | 'releaseMinor';
