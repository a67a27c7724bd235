// The real registry (CNCF distribution, test/integration/support) seeded with the standard fixtures, behind the
// fault proxy: the fixture workspaces name the proxy, so every request the extension makes is recorded there (and,
// when it gets through, in the registry's own access log), and a scenario can slow the registry down.
import type { Fault } from '../integration/support/faultProxy';
import { seedRelease, type ReleaseFixture, type StandardFixtures } from '../integration/support/seed';
import { startSeededSetup } from '../integration/support/setup';

export interface E2ERegistry {
  /** `127.0.0.1:<port>` of the proxy: the registry part of every image in the fixtures. */
  host: string;
  fixtures: StandardFixtures;
  /** fixtures/release: a rebuilt 2.4.0 (what changed) with newer 2.4.1 and 2.5.0 tags. */
  release: ReleaseFixture;
  /** Placeholder → value for the fixture templates. */
  substitutions: Record<string, string>;
  /** Starts counting afresh (proxy log cleared, registry access log baselined). */
  reset(): Promise<void>;
  /** Requests since the last reset(): through the proxy, and in the registry's access log. */
  requests(): Promise<{ proxy: string[]; registry: number }>;
  /** Slows or breaks manifest requests until the returned function is called. */
  injectManifestFault(fault: Fault): () => void;
  stop(): Promise<void>;
}

export async function startE2ERegistry(): Promise<E2ERegistry> {
  const setup = await startSeededSetup({ auth: 'none', proxy: true });
  const proxy = setup.proxy!;
  const f = setup.fixtures;
  const release = await seedRelease(setup.seedTarget);
  proxy.clearLog();
  const hex = (digest: string) => digest.replace(/^sha256:/, '');
  let registryBase = await setup.registry.requestCount();
  return {
    host: setup.host,
    fixtures: f,
    release,
    substitutions: {
      __REGISTRY__: setup.host,
      __DRIFT_OLD__: hex(f.drift.oldDigest),
      __RELEASE_OLD__: hex(release.old),
    },
    reset: async () => {
      proxy.clearLog();
      registryBase = await setup.registry.requestCount();
    },
    requests: async () => ({
      proxy: proxy.requests().map((r) => `${r.method} ${r.path}`),
      registry: (await setup.registry.requestCount()) - registryBase,
    }),
    injectManifestFault: (fault) => {
      const rule = proxy.inject(fault, { path: /\/manifests\// });
      return () => rule.remove();
    },
    stop: () => setup.stop(),
  };
}
