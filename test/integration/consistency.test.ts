// `inconsistent-pin` end to end: the built CLI against the real docker-registry. A tag is pushed, one file pinned to
// it with `pin`; a month later the tag is pushed again and another file pinned; `check` then reports both places,
// each naming the other, and which pin is the newest from the registry's build dates.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { shortDigest } from '../../server/src/shared/text';
import { ensureBuilt, type Run } from './cliRun';
import { cliWorkspace, type CliWorkspace } from './support/cliWorkspace';
import { startRegistry, type Registry } from './support/registry';
import { pushImage } from './support/seed';

interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  related?: Array<{ file: string; range: { start: { line: number } }; message: string }>;
}
interface JsonReport {
  references: Array<{ file: string; text: string; diagnostics: JsonDiagnostic[] }>;
  summary: Record<string, number>;
}

let ws: CliWorkspace;
let registry: Registry;
before(async () => {
  ensureBuilt();
  ws = cliWorkspace('digest-pin-consistency-');
  registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
  ws?.dispose();
});

const cli = (cwd: string, ...args: string[]): Promise<Run> => ws.cli(cwd, ...args);

describe('inconsistent-pin against the real registry', () => {
  it('two files pinned to the same tag a month apart: both reported, naming each other and the newest', async () => {
    const H = registry.host;
    const target = { url: registry.url, host: H };
    const image = `${H}/team/web:1.0`;
    const dir = ws.workspace('two', {
      Dockerfile: `FROM ${image}\nRUN true\n`,
      'deploy/compose.yaml': `services:\n  web:\n    image: ${image}\n`,
    });
    const a = await pushImage(target, 'team/web', '1.0', {
      format: 'oci',
      content: 'a',
      created: '2024-01-01T00:00:00Z',
    });
    const first = await cli(dir, 'pin', '--no-cache', 'Dockerfile');
    assert.equal(first.status, 0, first.stderr);
    const b = await pushImage(target, 'team/web', '1.0', {
      format: 'oci',
      content: 'b',
      created: '2024-02-01T00:00:00Z',
    });
    assert.notEqual(a.digest, b.digest);
    const second = await cli(dir, 'pin', '--no-cache', 'deploy/compose.yaml');
    assert.equal(second.status, 0, second.stderr);
    assert.equal(ws.read(dir, 'Dockerfile'), `FROM ${image}@${a.digest}\nRUN true\n`);
    assert.equal(ws.read(dir, 'deploy/compose.yaml'), `services:\n  web:\n    image: ${image}@${b.digest}\n`);

    const run = await cli(dir, 'check', '--no-cache', '--format', 'json', '--fail-on', 'never');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    const report = JSON.parse(run.stdout) as JsonReport;
    const findings = Object.fromEntries(
      report.references.map((ref) => [ref.file, ref.diagnostics.filter((d) => d.code === 'inconsistent-pin')]),
    );
    const [sa, sb] = [shortDigest(a.digest), shortDigest(b.digest)];
    assert.deepEqual(findings, {
      Dockerfile: [
        {
          code: 'inconsistent-pin',
          severity: 'information',
          message: `${image} is pinned to ${sa} here but to ${sb} in deploy/compose.yaml:3; the newest is ${sb} (built last, 31 days newer)`,
          related: [
            {
              file: 'deploy/compose.yaml',
              range: {
                start: { line: 2, character: 11 },
                end: { line: 2, character: 11 + `${image}@${b.digest}`.length },
              },
              message: `${image} pinned to ${sb}`,
            },
          ],
        },
      ],
      'deploy/compose.yaml': [
        {
          code: 'inconsistent-pin',
          severity: 'information',
          message: `${image} is pinned to ${sb} here but to ${sa} in Dockerfile:1; this pin is the newest (built last)`,
          related: [
            {
              file: 'Dockerfile',
              range: {
                start: { line: 0, character: 5 },
                end: { line: 0, character: 5 + `${image}@${a.digest}`.length },
              },
              message: `${image} pinned to ${sa}`,
            },
          ],
        },
      ],
    });
    // The Dockerfile's pin also drifted (the tag moved on): both findings stand side by side.
    assert.deepEqual(
      report.references.find((ref) => ref.file === 'Dockerfile')!.diagnostics.map((d) => d.code),
      ['tag-drift', 'inconsistent-pin'],
    );

    // Offline, from nothing cached: the places still disagree, but which is newer is not said.
    const offline = await cli(dir, 'check', '--offline', '--no-cache', '--fail-on', 'never');
    assert.equal(offline.status, 0, offline.stderr);
    assert.deepEqual(
      offline.stdout.split('\n').filter((line) => line.includes('inconsistent-pin')),
      [
        `Dockerfile:1:6 information inconsistent-pin ${image} is pinned to ${sa} here but to ${sb} in deploy/compose.yaml:3`,
        `deploy/compose.yaml:3:12 information inconsistent-pin ${image} is pinned to ${sb} here but to ${sa} in Dockerfile:1`,
      ],
    );

    // After `pin --update` every pin is the tag's current digest: nothing left to report.
    const update = await cli(dir, 'pin', '--update', '--no-cache');
    assert.equal(update.status, 0, update.stderr);
    const again = JSON.parse((await cli(dir, 'check', '--no-cache', '--format', 'json')).stdout) as JsonReport;
    assert.deepEqual(
      again.references.flatMap((ref) => ref.diagnostics),
      [],
    );
  });
});
