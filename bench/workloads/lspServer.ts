// Issue 4: the language server as a process started as the VS Code client starts it (SERVER_NODE_OPTIONS and
// SERVER_ENV, through the LSP test client), with a 10,000-reference document open and its 10,000 registry answers in
// memory: its resident memory must stay ≤ 80 MB (the correctness gate reads /proc/<pid>/status), and the timed pair
// is what an editor waits for after a keystroke in that document when it pulls diagnostics (no debounce): didChange
// + textDocument/diagnostic over stdio, 10,000 diagnostics encoded, sent and decoded — against the yaml parse of the
// same document as yardstick.
// Setup pushes one image under 10,000 tags to a real local registry and lets the server resolve them all.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { pushImage, pushManifest } from '../../test/integration/support/seed';
import { startRegistry, type Registry } from '../../test/integration/support/registry';
import { ensureBuilt } from '../../test/support/build';
import { PULL_CAPABILITIES, startClient, type TestClient } from '../../test/lsp/support/client';
import { formatBytes, formatCount, type Prepared, type Workload } from '../workload';

const TAGS = 10_000;
const RSS_LIMIT_MB = 80;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export const lspServer10k: Workload = {
  name: 'lsp-server-10k',
  title: `language server process with ${formatCount(TAGS)} registry answers: RSS ≤ ${RSS_LIMIT_MB} MB (gate); keystroke → pulled diagnostics over stdio`,
  target: 0.1,
  async setup(): Promise<Prepared> {
    ensureBuilt();
    let registry: Registry | undefined;
    let client: TestClient | undefined;
    const teardown = async (): Promise<void> => {
      await client?.stop();
      await registry?.stop();
    };
    try {
      registry = await startRegistry();
      const target = { url: registry.url, host: registry.host };
      const image = await pushImage(target, 'bench/app', 't0', { format: 'oci' });
      await pool(
        Array.from({ length: TAGS - 1 }, (_, i) => `t${i + 1}`),
        16,
        (tag) => pushManifest(target, 'bench/app', tag, image.mediaType, image.bytes),
      );

      const lines: string[] = [];
      for (let i = 0; i < TAGS; i++)
        lines.push(
          '---',
          'apiVersion: v1',
          'kind: Pod',
          `metadata: {name: p${i}}`,
          'spec:',
          '  containers:',
          '    - name: app',
          `      image: ${registry.host}/bench/app:t${i}`,
        );
      const text = `${lines.join('\n')}\n`;
      const uri = 'file:///bench/pods.yaml';
      client = await startClient({ capabilities: PULL_CAPABILITIES });
      const c = client;
      c.open(uri, 'yaml', text);
      const pid = c.process.pid!;
      let peakRss = 0;
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, rssMb(pid));
      }, 250);
      await c
        .waitFor(
          'every tag resolved',
          () => c.statuses.some((s) => s.state === 'idle' && s.message === `${TAGS} images checked`),
          600_000,
        )
        .finally(() => clearInterval(sampler));
      const line = 7;
      let version = 1;
      const pull = async (): Promise<number> => {
        const character = `      image: ${registry!.host}/bench/app:t0`.length;
        const even = version % 2 === 1;
        c.change(uri, ++version, [
          {
            range: { start: { line, character }, end: { line, character: even ? character : character + 1 } },
            text: even ? ' ' : '',
          },
        ]);
        const report = (await c.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as {
          items?: unknown[];
        };
        return report.items?.length ?? 0;
      };
      return {
        size: `${formatCount(TAGS)} refs and answers, ${formatCount(lines.length)} lines, ${formatBytes(text.length)}`,
        baseline: { label: 'yaml parseAllDocuments', run: () => parseAllDocuments(text) },
        subject: { label: 'didChange + textDocument/diagnostic', run: pull },
        async check() {
          const items = await pull();
          if (items !== TAGS) return `expected ${formatCount(TAGS)} diagnostics, pulled ${formatCount(items)}`;
          // Steady state: V8 gives memory back some seconds after the allocation burst of resolving (its memory
          // reducer runs once the process is idle), so the smallest RSS of the next 45 s is what the server keeps.
          let rss = rssMb(pid);
          const peak = Math.max(rss, peakRss);
          for (let second = 0; second < 45 && rss > RSS_LIMIT_MB; second++) {
            await new Promise((r) => setTimeout(r, 1000));
            rss = Math.min(rss, rssMb(pid));
          }
          console.log(
            `\n    server RSS with ${formatCount(TAGS)} answers: ${rss.toFixed(1)} MB steady, ${peak.toFixed(1)} MB at most while resolving`,
          );
          return rss <= RSS_LIMIT_MB ? null : `server RSS ${rss.toFixed(1)} MB (steady) is above ${RSS_LIMIT_MB} MB`;
        },
        teardown,
      };
    } catch (error) {
      await teardown();
      throw error;
    }
  },
};
