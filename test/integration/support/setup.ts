// The whole seeded setup in one call: a real registry (optionally behind auth and/or the fault proxy) with the standard
// fixtures, plus a Docker config dir holding its credentials. Used by cli.ts and by tests that want everything.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy } from './faultProxy';
import { startRegistry, type Registry } from './registry';
import { seedStandard, type AuthProvider, type SeedTarget, type StandardFixtures } from './seed';
import { startTokenServer, type TokenServer } from './tokenServer';

export type SetupAuth = 'none' | 'htpasswd' | 'token';

export interface SetupOptions {
  auth?: SetupAuth;
  /** Put the fault proxy in front; fixtures and `host` then name the proxy. */
  proxy?: boolean;
}

export interface SeededSetup {
  /** Host to put in image references: the proxy's when there is one, else the registry's. */
  host: string;
  registry: Registry;
  proxy: FaultProxy | undefined;
  tokenServer: TokenServer | undefined;
  /** Push/pull credentials when auth is on (the token server also serves anonymous pulls). */
  credentials: { username: string; password: string } | undefined;
  /** A DOCKER_CONFIG directory whose config.json has `auths[host]` for those credentials (empty auths otherwise). */
  dockerConfigDir: string;
  fixtures: StandardFixtures;
  /** Where (and with which push credentials) to seed more: the front host, as the fixtures were. */
  seedTarget: SeedTarget;
  stop(): Promise<void>;
}

export const SETUP_USER = { username: 'digest-pin', password: 'digest-pin-password' };

export async function startSeededSetup(options: SetupOptions = {}): Promise<SeededSetup> {
  const auth = options.auth ?? 'none';
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const run of stops.reverse()) await run();
  };
  try {
    let tokenServer: TokenServer | undefined;
    let seedAuth: AuthProvider | undefined;
    let registry: Registry;
    if (auth === 'token') {
      const server = await startTokenServer({ users: { [SETUP_USER.username]: SETUP_USER.password } });
      tokenServer = server;
      stops.push(() => server.stop());
      registry = await startRegistry({ auth: { token: server.registryAuth } });
      seedAuth = server.seedAuth(SETUP_USER.username);
    } else if (auth === 'htpasswd') {
      registry = await startRegistry({ auth: { htpasswd: { users: { [SETUP_USER.username]: SETUP_USER.password } } } });
      const header = `Basic ${Buffer.from(`${SETUP_USER.username}:${SETUP_USER.password}`).toString('base64')}`;
      seedAuth = () => header;
    } else {
      registry = await startRegistry();
    }
    stops.push(() => registry.stop());
    const proxy = options.proxy ? await startFaultProxy({ target: registry.url }) : undefined;
    if (proxy) stops.push(() => proxy.stop());
    const front = proxy ?? registry;
    const seedTarget: SeedTarget = { url: front.url, host: front.host, ...(seedAuth ? { auth: seedAuth } : {}) };
    const fixtures = await seedStandard(seedTarget);
    proxy?.clearLog();

    const credentials = auth === 'none' ? undefined : SETUP_USER;
    const dockerConfigDir = join(registry.dir, 'docker-config');
    mkdirSync(dockerConfigDir, { recursive: true });
    const auths = credentials
      ? { [front.host]: { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') } }
      : {};
    writeFileSync(join(dockerConfigDir, 'config.json'), `${JSON.stringify({ auths }, null, 2)}\n`);

    return { host: front.host, registry, proxy, tokenServer, credentials, dockerConfigDir, fixtures, seedTarget, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
