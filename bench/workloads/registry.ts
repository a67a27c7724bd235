// Issue 3: asking the registry must cost what the network costs and no more. 50 unique references (25 repositories ×
// 2 tags) in 10 files, a token-auth registry, 40 ms of latency on every registry and token request. The subject is
// the built CLI (`node dist/cli.js check --no-cache`), the baseline `skopeo inspect` once per reference, one after
// another, as a script would do it. Ratio target ≤ 0.1 (10× faster); the correctness gate also demands the ideal
// request count and a wall time within 1.2× of the network bound.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from '../measure';
import { startFaultProxy, type FaultProxy } from '../../test/integration/support/faultProxy';
import { startRegistry, type Registry } from '../../test/integration/support/registry';
import { pushImage, pushManifest } from '../../test/integration/support/seed';
import { startTokenServer, type TokenServer } from '../../test/integration/support/tokenServer';
import type { Workload } from '../workload';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const LATENCY_MS = 40;
const REPOSITORIES = 25;
const TAGS = ['1.0', '2.0'];
/** The CLI's default requests in flight per registry (registry client default). */
const CONCURRENCY = 8;
const USER = 'bench';
const PASSWORD = 'bench-password';

interface Exec {
  status: number | null;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Exec> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

const ms = (n: number): string => `${Math.round(n)} ms`;

export const registryResolution: Workload = {
  name: 'registry-50',
  title: `digest-pin check on 50 unique references (token auth, ${LATENCY_MS} ms latency) vs skopeo inspect one after another`,
  target: 0.1,
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'digest-pin-bench-registry-'));
    const stops: Array<() => Promise<void>> = [];
    const teardown = async (): Promise<void> => {
      for (const stop of stops.reverse()) await stop();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      const tokens: TokenServer = await startTokenServer({ users: { [USER]: PASSWORD } });
      stops.push(() => tokens.stop());
      // Token requests pay the latency too: they are round trips a real resolver makes.
      const tokenProxy: FaultProxy = await startFaultProxy({ target: tokens.url });
      stops.push(() => tokenProxy.stop());
      const registry: Registry = await startRegistry({
        auth: { token: { ...tokens.registryAuth, realm: `${tokenProxy.url}/token` } },
      });
      stops.push(() => registry.stop());
      const proxy: FaultProxy = await startFaultProxy({ target: registry.url });
      stops.push(() => proxy.stop());
      const host = proxy.host;

      // Seed straight into the registry (no latency): each repository gets one image under two tags.
      const target = { url: registry.url, host: registry.host, auth: tokens.seedAuth() };
      const expected = new Map<string, string>();
      for (let r = 0; r < REPOSITORIES; r++) {
        const repo = `bench/service-${String(r).padStart(2, '0')}`;
        const image = await pushImage(target, repo, TAGS[0], { format: 'oci', content: repo });
        for (const tag of TAGS.slice(1)) await pushManifest(target, repo, tag, image.mediaType, image.bytes);
        for (const tag of TAGS) expected.set(`${host}/${repo}:${tag}`, image.digest);
      }
      const refs = [...expected.keys()];

      // 10 files of 5 references: Dockerfiles and compose files alternately.
      const workspace = join(dir, 'workspace');
      for (let f = 0; f < 10; f++) {
        const mine = refs.slice(f * 5, f * 5 + 5);
        const sub = join(workspace, `service-${f}`);
        mkdirSync(sub, { recursive: true });
        if (f % 2 === 0)
          writeFileSync(join(sub, 'Dockerfile'), mine.map((ref, i) => `FROM ${ref} AS stage${i}\n`).join(''));
        else
          writeFileSync(
            join(sub, 'compose.yaml'),
            `services:\n${mine.map((ref, i) => `  s${i}:\n    image: ${ref}\n`).join('')}`,
          );
      }
      const dockerConfig = join(dir, 'docker');
      mkdirSync(dockerConfig);
      writeFileSync(
        join(dockerConfig, 'config.json'),
        JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }),
      );
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DOCKER_CONFIG: dockerConfig,
        XDG_CACHE_HOME: join(dir, 'cache-home'),
      };
      delete env.NO_COLOR;

      proxy.inject({ kind: 'latency', ms: LATENCY_MS });
      tokenProxy.inject({ kind: 'latency', ms: LATENCY_MS });

      const check = (): Promise<Exec> =>
        exec(process.execPath, [CLI, 'check', '--no-cache', '--format', 'json', '--fail-on', 'never', workspace], env);
      const skopeoAll = async (): Promise<void> => {
        for (const ref of refs) {
          const run = await exec(
            'skopeo',
            ['inspect', '--tls-verify=false', '--raw', '--creds', `${USER}:${PASSWORD}`, `docker://${ref}`],
            env,
          );
          if (run.status !== 0) throw new Error(`skopeo inspect ${ref} failed: ${run.stderr.trim()}`);
        }
      };

      return {
        size: `${refs.length} refs, ${REPOSITORIES} repos, 10 files, ${LATENCY_MS} ms latency`,
        baseline: { label: 'skopeo inspect ×50', run: skopeoAll },
        subject: {
          label: 'digest-pin check',
          run: async () => {
            const run = await check();
            if (run.status !== 0) throw new Error(`digest-pin check exited ${run.status}: ${run.stderr}`);
          },
        },
        async check() {
          // Correctness: every reference resolved to the digest that was pushed.
          proxy.clearLog();
          tokenProxy.clearLog();
          const run = await check();
          if (run.status !== 0) return `digest-pin check exited ${run.status}: ${run.stderr.trim()}`;
          const report = JSON.parse(run.stdout) as {
            references: Array<{ text: string; current?: { digest: string | null } }>;
          };
          const wrong = report.references.filter((r) => r.current?.digest !== expected.get(r.text));
          if (report.references.length !== refs.length || wrong.length > 0) {
            return `expected ${refs.length} references resolved to their pushed digests; ${wrong.length} wrong, e.g. ${wrong[0]?.text ?? 'none'}`;
          }

          // Requests against the ideal: one HEAD per repository:tag, one token per repository, plus the one challenge
          // (a 401) that tells any client how this registry authenticates.
          const heads = proxy.count({ method: 'HEAD' });
          const challenges = proxy.requests({ method: 'HEAD' }).filter((r) => r.status === 401).length;
          const others = proxy.count() - heads;
          const tokenRequests = tokenProxy.count();
          const ideal = { heads: refs.length + 1, tokens: REPOSITORIES };
          const requests = `requests: ${heads} HEAD (${challenges} challenge) + ${others} other + ${tokenRequests} token; ideal ${ideal.heads} HEAD (1 challenge) + 0 other + ${ideal.tokens} token`;

          // Wall time against the network bound (the issue's): the challenge, then ⌈50 / concurrency⌉ HEAD round
          // trips plus ⌈25 / concurrency⌉ token round trips, plus what node needs to start the CLI at all (measured,
          // not guessed). Reported beside it, the tighter critical path the client can reach because tokens do not
          // hold registry slots: challenge, first token, then the HEADs.
          const samples: number[] = [];
          for (let i = 0; i < 5; i++) {
            const start = performance.now();
            await check();
            samples.push(performance.now() - start);
          }
          const startup: number[] = [];
          for (let i = 0; i < 5; i++) {
            const start = performance.now();
            await exec(process.execPath, [CLI, '--version'], env);
            startup.push(performance.now() - start);
          }
          const node = median(startup);
          const roundTrips = 1 + Math.ceil(refs.length / CONCURRENCY) + Math.ceil(REPOSITORIES / CONCURRENCY);
          const criticalTrips = 2 + Math.ceil(refs.length / CONCURRENCY);
          const bound = roundTrips * LATENCY_MS + node;
          const critical = criticalTrips * LATENCY_MS + node;
          const wall = median(samples);
          const timing =
            `wall ${ms(wall)} (median of 5) vs bound ${ms(bound)} = ${roundTrips} round trips × ${LATENCY_MS} ms + ${ms(node)} node startup: ` +
            `${(wall / bound).toFixed(2)}× (critical path ${criticalTrips} round trips: ${ms(critical)}, ${(wall / critical).toFixed(2)}×)`;
          console.log(`\n    ${requests}\n    ${timing}`);

          if (heads !== ideal.heads || challenges !== 1 || others !== 0 || tokenRequests !== ideal.tokens)
            return `${requests}: above the ideal`;
          if (wall > 1.2 * bound) return `${timing}: above 1.2× the bound`;
          return null;
        },
        teardown,
      };
    } catch (error) {
      await teardown();
      throw error;
    }
  },
};
