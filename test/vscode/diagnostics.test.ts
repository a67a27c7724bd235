// Story: open a file, see digest-pin's findings — static ones at once, the registry's as its answers arrive.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { suite } from 'mocha';
import {
  diagnosticsOf,
  openFile,
  rangeOf,
  requestCounts,
  suiteRegistry,
  trustedTest,
  untrustedTest,
  waitForCodes,
  waitForStatus,
  where,
} from './support';

const short = (digest: string) => `${digest.slice(0, 'sha256:'.length + 12)}…`;

suite('diagnostics on open', () => {
  trustedTest(
    'a Dockerfile: unpinned tags with their current digest, drift, a deleted digest, a missing tag',
    async () => {
      const { host, digests } = suiteRegistry();
      const document = await openFile('Dockerfile');
      const seen = await waitForCodes(document.uri, [
        'unpinned',
        'unpinned',
        'tag-drift',
        'digest-not-found',
        'tag-not-found',
      ]);
      const at = (needle: string) => where(rangeOf(document, needle));
      assert.deepEqual(
        seen.map(({ where, severity, code }) => ({ where, severity, code })),
        [
          { where: at(`${host}/fixtures/oci-index:1.0`), severity: 'warning', code: 'unpinned' },
          { where: at(`${host}/fixtures/docker-image:1.0`), severity: 'warning', code: 'unpinned' },
          { where: at(`${host}/fixtures/drift:latest@${digests.driftOld}`), severity: 'warning', code: 'tag-drift' },
          {
            where: at(`${host}/fixtures/gone:1.0@${digests.goneDeleted}`),
            severity: 'error',
            code: 'digest-not-found',
          },
          { where: at(`${host}/fixtures/missing:2.0`), severity: 'error', code: 'tag-not-found' },
        ],
      );
      assert.equal(
        seen[1]?.message,
        `${host}/fixtures/docker-image:1.0 is a mutable tag; pin it to its current digest ${short(digests.dockerImage)}`,
      );
      assert.match(
        seen[2]?.message ?? '',
        new RegExp(`^${host}/fixtures/drift:latest has moved on: the tag now points to ${short(digests.driftNew)}`),
      );
      assert.match(seen[3]?.message ?? '', /the registry no longer has this digest/);
      assert.equal(
        seen[4]?.message,
        `${host}/fixtures/missing:2.0 cannot be pulled: tag 2.0 of fixtures/missing not found on ${host}; check the spelling, or use a tag the repository has`,
      );
      assert.ok((await requestCounts()).registry > 0, 'the answers came from the registry through the proxy');
      // The Docker credential helper configured for the registry ran (and had nothing): the untrusted run's probe works.
      assert.match(
        readFileSync(suiteRegistry().credentialHelperLog, 'utf8'),
        new RegExp(`^get ${host.replace(/\./g, '\\.')}\n`),
      );
    },
  );

  trustedTest('a Dockerfile VS Code does not know by name (plain text) is checked too', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('build/Dockerfile-dev');
    assert.equal(document.languageId, 'plaintext');
    const [seen] = await waitForCodes(document.uri, ['unpinned']);
    assert.deepEqual(seen, {
      where: where(rangeOf(document, `${host}/fixtures/docker-image:1.0`)),
      severity: 'warning',
      code: 'unpinned',
      message: `${host}/fixtures/docker-image:1.0 is a mutable tag; pin it to its current digest ${short(digests.dockerImage)}`,
    });
  });

  trustedTest('compose, Kubernetes and GitHub Actions files', async () => {
    const { host, digests } = suiteRegistry();
    const compose = await openFile('compose.yaml');
    const seen = await waitForCodes(compose.uri, [
      'unpinned',
      'unpinned',
      'unpinned',
      'tag-drift',
      'unpinned',
      'variable',
    ]);
    assert.deepEqual(
      seen.map((d) => [d.where, d.severity, d.code]),
      [
        [where(rangeOf(compose, `${host}/fixtures/oci-index:1.0`)), 'warning', 'unpinned'],
        [where(rangeOf(compose, `${host}/fixtures/docker-list:1.0`)), 'warning', 'unpinned'],
        [where(rangeOf(compose, `${host}/fixtures/oci-image:1.0`)), 'warning', 'unpinned'],
        [where(rangeOf(compose, `${host}/fixtures/drift:latest@${digests.driftOld}`)), 'warning', 'tag-drift'],
        [where(rangeOf(compose, 'example/app:dev')), 'information', 'unpinned'],
        [where(rangeOf(compose, '${TOOL_IMAGE}')), 'information', 'variable'],
      ],
    );
    const k8s = await openFile('k8s/deployment.yaml');
    assert.deepEqual(
      (await waitForCodes(k8s.uri, ['unpinned', 'unpinned'])).map((d) => d.where),
      [where(rangeOf(k8s, `${host}/fixtures/oci-image:1.0`)), where(rangeOf(k8s, `${host}/fixtures/docker-image:1.0`))],
    );
    const workflow = await openFile('.github/workflows/ci.yml');
    assert.deepEqual(
      (await waitForCodes(workflow.uri, ['unpinned'])).map((d) => d.where),
      [where(rangeOf(workflow, `${host}/fixtures/oci-image:1.0`))],
    );
  });

  untrustedTest('untrusted: the static findings only, and not one registry request', async () => {
    const { host } = suiteRegistry();
    const document = await openFile('Dockerfile');
    const seen = await waitForCodes(document.uri, ['unpinned', 'unpinned', 'unpinned']);
    const unpinned = (ref: string) => ({
      where: where(rangeOf(document, ref)),
      severity: 'warning',
      code: 'unpinned',
      message: `${ref} is a mutable tag; pin it to a digest`,
    });
    // The pinned references (drifted, deleted) look fine without a registry; the missing tag looks like any tag.
    assert.deepEqual(seen, [
      unpinned(`${host}/fixtures/oci-index:1.0`),
      unpinned(`${host}/fixtures/docker-image:1.0`),
      unpinned(`${host}/fixtures/missing:2.0`),
    ]);
    // The server says it is restricted with nothing pending (it has no registry client to ask): nothing more comes.
    await waitForStatus('untrusted');
    assert.deepEqual(diagnosticsOf(document.uri), seen);
    assert.deepEqual(await requestCounts(), { registry: 0, token: 0, registryRequests: [] });
  });
});
