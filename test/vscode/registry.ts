// Runner side: the seeded registry (token auth, behind the fault proxy) that the fixture workspace names, a control
// endpoint the suite asks for request counts, and a Docker config whose credential helper for that registry records
// every run (so the untrusted suite can show none happened, and the trusted one that the probe works).
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { seedRelease } from '../integration/support/seed';
import { startSeededSetup, type SeededSetup } from '../integration/support/setup';
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
    const r = await seedRelease(setup.seedTarget);
    const release = { releaseOld: r.old, releaseNew: r.rebuilt, releasePatch: r.patch, releaseMinor: r.minor };
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
