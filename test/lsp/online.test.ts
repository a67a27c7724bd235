// The server against the real docker-registry (behind the counting fault proxy): online diagnostics as answers
// arrive, code actions whose edits pin, update and ignore, hovers, workspace edits, refresh, trust and offline. The
// server runs in this process on fake timers (support/inProcess.ts), its registry client the real one, recorded.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CancellationTokenSource,
  DiagnosticSeverity,
  LSPErrorCodes,
  type Diagnostic,
} from 'vscode-languageserver/node';
import { formatAge, shortDigest } from '../../server/src/shared/text';
import type { StatusParams, WorkspaceEditResult } from '../../server/src/shared/protocol';
import { pushCosignSignature, pushImage, pushIndex } from '../integration/support/seed';
import { startSeededSetup, type SeededSetup } from '../integration/support/setup';
import { rangeOf } from '../support/ranges';
import {
  PULL_CAPABILITIES,
  applyWorkspaceEdit,
  changeSettings,
  codeActionsAt,
  codes,
  editsFor,
  fileUri,
  hoverAt,
  startClient,
  type InProcessClient as TestClient,
  type InProcessOptions as ClientOptions,
} from './support/inProcess';

let setup: SeededSetup;
let host: string;
let tmp: string;

before(async () => {
  setup = await startSeededSetup({ proxy: true });
  host = setup.host;
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-lsp-online-'));
});
after(async () => {
  await setup?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Ages in messages and hovers are compared with the real clock (the registry's answers carry real times). */
const online = (options: ClientOptions = {}): Promise<TestClient> =>
  startClient({ clock: 'wall', ...options, env: { DOCKER_CONFIG: setup.dockerConfigDir, ...options.env } });

/** Diagnostics once every reference's registry answer is in (its message names a digest, or an online code). */
const settled =
  (count: number) =>
  (p: { diagnostics: Diagnostic[] }): boolean =>
    p.diagnostics.length === count &&
    p.diagnostics.every((d) =>
      /sha256:|tag-drift|not-found|registry-error/.test(`${String(d.message)} ${String(d.code)}`),
    );

const short = (digest: string): string => shortDigest(digest);

/** A publish for an open document (closing one publishes an empty list without a version). */
const opened = (p: { version?: number }): boolean => p.version !== undefined;

describe('online diagnostics', () => {
  let client: TestClient;
  before(async () => {
    client = await online();
  });
  after(() => client.stop());

  it('static findings first, then each reference says what its tag points to, drifts, or why it cannot be checked', async () => {
    const { dockerImage, drift, gone } = setup.fixtures;
    const uri = fileUri(join(tmp, 'online', 'compose.yaml'));
    const text = [
      'services:',
      `  a:`,
      `    image: ${host}/fixtures/docker-image:1.0`,
      `  b:`,
      `    image: ${drift.ref}@${drift.oldDigest}`,
      `  c:`,
      `    image: ${gone.ref}@${gone.digest}`,
      `  d:`,
      `    image: ${host}/fixtures/no-such-repo:2.0`,
      '',
    ].join('\n');
    client.open(uri, 'dockercompose', text);
    const first = await client.diagnostics(uri);
    assert.deepEqual(
      first.diagnostics.map((d) => [d.code, String(d.message)]),
      [
        ['unpinned', `${host}/fixtures/docker-image:1.0 is a mutable tag; pin it to a digest`],
        ['unpinned', `${host}/fixtures/no-such-repo:2.0 is a mutable tag; pin it to a digest`],
      ],
    );

    const { diagnostics } = await client.diagnostics(uri, settled(4));
    const now = Date.now();
    const expectDrift = `${drift.ref} has moved on: the tag now points to ${short(drift.newDigest)}, built ${formatAge(now - Date.parse('2024-02-01T00:00:00Z'))} ago; your pin ${short(drift.oldDigest)} is ${formatAge(Date.parse('2024-02-01T00:00:00Z') - Date.parse('2024-01-01T00:00:00Z'))} older (older than 30 days: review the update for security fixes)`;
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.range, String(d.message)]),
      [
        [
          'unpinned',
          DiagnosticSeverity.Warning,
          rangeOf(text, `${host}/fixtures/docker-image:1.0`),
          `${host}/fixtures/docker-image:1.0 is a mutable tag; pin it to its current digest ${short(dockerImage.digest)}`,
        ],
        // The pin is older than the 30-day staleness: a warning, not the default information.
        ['tag-drift', DiagnosticSeverity.Warning, rangeOf(text, `${drift.ref}@${drift.oldDigest}`), expectDrift],
        [
          'digest-not-found',
          DiagnosticSeverity.Error,
          rangeOf(text, `${gone.ref}@${gone.digest}`),
          `${gone.ref}@${short(gone.digest)} cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository); the tag now points to ${short(gone.tagDigest)}, pin that`,
        ],
        [
          'tag-not-found',
          DiagnosticSeverity.Error,
          rangeOf(text, `${host}/fixtures/no-such-repo:2.0`),
          String(diagnostics[3]?.message),
        ],
      ],
    );
    assert.match(
      String(diagnostics[3]!.message),
      new RegExp(
        `^${host.replace(/\./g, '\\.')}/fixtures/no-such-repo:2\\.0 cannot be pulled: .*not found on ${host.replace(/\./g, '\\.')}`,
      ),
    );
    assert.deepEqual(
      diagnostics.map((d) => d.codeDescription?.href),
      diagnostics.map((d) => `https://github.com/digest-pin/digest-pin#${String(d.code)}`),
    );
  });

  it('a registry error is a registry-error finding, and the status bar hears about the work', async () => {
    const fault = setup.proxy!.inject(
      { kind: 'status', status: 500, body: '' },
      { path: /fixtures\/oci-image\/manifests\/1\.0/ },
    );
    try {
      const uri = fileUri(join(tmp, 'online', 'errors', 'Dockerfile'));
      client.open(uri, 'dockerfile', `FROM ${host}/fixtures/oci-image:1.0\n`);
      const { diagnostics } = await client.diagnostics(
        uri,
        (p) => p.diagnostics.some((d) => d.code === 'registry-error'),
        20_000,
      );
      assert.deepEqual(codes(diagnostics), ['unpinned', 'registry-error']);
      assert.match(
        String(diagnostics[1]!.message),
        /^could not check .*oci-image:1\.0 \(network\): .*answered HTTP 500/,
      );
      const states = client.statuses.map((s: StatusParams) => s.state);
      assert.ok(states.includes('resolving'), states.join());
      assert.equal(client.statuses.at(-1)?.state, 'idle');
    } finally {
      fault.remove();
    }
  });
});

describe('online diagnostics, pulled', () => {
  it('answers arrive as a workspace/diagnostic/refresh; the next pull has them', async () => {
    const client = await online({ capabilities: PULL_CAPABILITIES });
    try {
      const uri = fileUri(join(tmp, 'pull', 'Dockerfile'));
      client.open(uri, 'dockerfile', `FROM ${host}/fixtures/docker-list:1.0\n`);
      const pull = async (): Promise<Diagnostic[]> => {
        const report = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as {
          kind: string;
          items?: Diagnostic[];
        };
        return report.items ?? [];
      };
      const first = await pull();
      assert.equal(String(first[0]?.message), `${host}/fixtures/docker-list:1.0 is a mutable tag; pin it to a digest`);
      // As an editor does: pull again on every refresh request, until the answer is in.
      let next = first;
      for (let seen = 0; !String(next[0]?.message).includes('sha256:');) {
        await client.waitFor('a refresh request', () => client.refreshes > seen);
        seen = client.refreshes;
        next = await pull();
      }
      assert.equal(
        String(next[0]?.message),
        `${host}/fixtures/docker-list:1.0 is a mutable tag; pin it to its current digest ${short(setup.fixtures.dockerList.digest)}`,
      );
      assert.deepEqual(client.published, []);
    } finally {
      await client.stop();
    }
  });

  it('a rate-limiting registry: registry-error findings and a rate-limited status', async () => {
    const fault = setup.proxy!.inject(
      { kind: 'status', status: 429, headers: { 'retry-after': '3600' }, body: '' },
      { path: /fixtures\/docker-image\/manifests/ },
    );
    const client = await online();
    try {
      const uri = fileUri(join(tmp, 'limited', 'Dockerfile'));
      client.open(uri, 'dockerfile', `FROM ${host}/fixtures/docker-image:1.0\n`);
      const { diagnostics } = await client.diagnostics(
        uri,
        (p) => p.diagnostics.some((d) => d.code === 'registry-error'),
        20_000,
      );
      assert.match(
        String(diagnostics[1]!.message),
        /\(rate-limited\): rate limited by 127\.0\.0\.1:\d+; retry in 60 min$/,
      );
      const status = await client.waitFor('rate-limited status', () =>
        client.statuses.find((s) => s.state === 'rate-limited'),
      );
      assert.deepEqual(status, {
        state: 'rate-limited',
        pending: 0,
        registry: host,
        retryAfter: 3600,
        message: `Rate-limited by ${host} (retry after 3600 s)`,
      });
    } finally {
      fault.remove();
      await client.stop();
    }
  });

  it('the pull budget an answer states reaches the status bar (no request of its own)', async () => {
    const fault = setup.proxy!.inject(
      {
        kind: 'headers',
        set: {
          'ratelimit-limit': '100;w=21600',
          'ratelimit-remaining': '87;w=21600',
          'docker-ratelimit-source': '192.0.2.1',
        },
      },
      { path: /fixtures\/oci-image\/manifests/ },
    );
    setup.proxy!.clearLog();
    const client = await online();
    try {
      const uri = fileUri(join(tmp, 'budget', 'Dockerfile'));
      client.open(uri, 'dockerfile', `FROM ${host}/fixtures/oci-image:1.0\n`);
      const status = await client.waitFor('a status with the budget', () =>
        client.statuses.find((s) => s.pullBudgets !== undefined),
      );
      assert.deepEqual(status.pullBudgets, [
        { registry: host, remaining: 87, limit: 100, windowSeconds: 21600, source: '192.0.2.1' },
      ]);
      assert.deepEqual(
        setup.proxy!.requests().map((r) => `${r.method} ${r.path}`),
        ['HEAD /v2/fixtures/oci-image/manifests/1.0'],
      );
    } finally {
      fault.remove();
      await client.stop();
    }
  });
});

describe('code actions', () => {
  let client: TestClient;
  before(async () => {
    client = await online();
  });
  after(() => client.stop());

  it('pin to digest (preferred), pin per platform of an index, then the diagnostic is gone', async () => {
    const { ociIndex } = setup.fixtures;
    const path = join(tmp, 'actions', 'Dockerfile');
    const uri = fileUri(path);
    const ref = `${host}/fixtures/oci-index:1.0`;
    const text = `FROM ${ref} AS base\nRUN true\n`;
    client.open(uri, 'dockerfile', text);
    await client.diagnostics(uri, settled(1));
    const actions = await codeActionsAt(client, uri, rangeOf(text, 'oci-index'));
    const [amd64, arm64] = ociIndex.children;
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind, a.isPreferred ?? false, a.diagnostics?.map((d) => d.code)]),
      [
        [`Pin to digest (${short(ociIndex.digest)})`, 'quickfix', true, ['unpinned']],
        [`Pin to linux/amd64 digest (${short(amd64!.digest)})`, 'quickfix', false, ['unpinned']],
        [`Pin to linux/arm64 digest (${short(arm64!.digest)})`, 'quickfix', false, ['unpinned']],
        ['Ignore this image', 'quickfix', false, ['unpinned']],
      ],
    );
    // Each edit inserts only the digest.
    assert.deepEqual(editsFor(actions[0]!.edit, uri), [
      { range: { start: rangeOf(text, ref).end, end: rangeOf(text, ref).end }, newText: `@${ociIndex.digest}` },
    ]);
    assert.equal(applyWorkspaceEdit(text, actions[2]!.edit, uri), `FROM ${ref}@${arm64!.digest} AS base\nRUN true\n`);

    const pinned = applyWorkspaceEdit(text, actions[0]!.edit, uri);
    assert.equal(pinned, `FROM ${ref}@${ociIndex.digest} AS base\nRUN true\n`);
    client.close(uri);
    client.open(uri, 'dockerfile', pinned);
    // Static: nothing; online: the pin is current, so still nothing.
    assert.deepEqual((await client.diagnostics(uri, opened)).diagnostics, []);
    // Every registry answer in and every batch delay run out: still nothing.
    await client.settle();
    assert.deepEqual(client.published.filter((p) => p.uri === uri).at(-1)?.diagnostics, []);
  });

  it('update a drifted pin; pin the tag of a lost digest', async () => {
    const { drift, gone } = setup.fixtures;
    const uri = fileUri(join(tmp, 'actions', 'drift.yaml'));
    const text = `image: ${drift.ref}@${drift.oldDigest}\n---\nimage: ${gone.ref}@${gone.digest}\n`;
    client.open(uri, 'yaml', text);
    await client.diagnostics(uri, settled(2));
    const update = await codeActionsAt(client, uri, rangeOf(text, drift.ref));
    assert.deepEqual(
      update.map((a) => [a.title, a.isPreferred ?? false]),
      [
        [`Update to current digest (${short(drift.newDigest)})`, true],
        ['Ignore this image', false],
      ],
    );
    assert.deepEqual(editsFor(update[0]!.edit, uri), [
      { range: rangeOf(text, drift.oldDigest), newText: drift.newDigest },
    ]);
    const lost = await codeActionsAt(client, uri, rangeOf(text, gone.ref));
    assert.equal(lost[0]!.title, `Pin to the tag's current digest (${short(gone.tagDigest)})`);
    const fixed = applyWorkspaceEdit(applyWorkspaceEdit(text, update[0]!.edit, uri), lost[0]!.edit, uri);
    assert.equal(fixed, `image: ${drift.ref}@${drift.newDigest}\n---\nimage: ${gone.ref}@${gone.tagDigest}\n`);
  });

  it('pin all images in this file, as a quick fix and as source.fixAll.digestPin', async () => {
    const { dockerImage, ociImage, dockerList } = setup.fixtures;
    const uri = fileUri(join(tmp, 'actions', 'all', 'compose.yaml'));
    const text = `services:\n  a:\n    image: ${host}/fixtures/docker-image:1.0\n  b:\n    image: '${host}/fixtures/oci-image:1.0'\n  c:\n    image: ${host}/fixtures/docker-list:1.0 # keep\n  d:\n    image: \${IMAGE}\n`;
    client.open(uri, 'dockercompose', text);
    await client.diagnostics(
      uri,
      (p) => p.diagnostics.filter((d) => String(d.message).includes('sha256:')).length === 3,
    );
    const expected = `services:\n  a:\n    image: ${host}/fixtures/docker-image:1.0@${dockerImage.digest}\n  b:\n    image: '${host}/fixtures/oci-image:1.0@${ociImage.digest}'\n  c:\n    image: ${host}/fixtures/docker-list:1.0@${dockerList.digest} # keep\n  d:\n    image: \${IMAGE}\n`;
    const quick = (await codeActionsAt(client, uri, rangeOf(text, 'docker-image'))).find((a) =>
      a.title.startsWith('Pin all'),
    );
    assert.equal(quick?.title, 'Pin all images in this file (3)');
    assert.equal(applyWorkspaceEdit(text, quick!.edit, uri), expected);
    const fixAll = await codeActionsAt(
      client,
      uri,
      { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      ['source.fixAll'],
    );
    assert.deepEqual(
      fixAll.map((a) => [a.title, a.kind]),
      [['Pin all images in this file (3)', 'source.fixAll.digestPin']],
    );
    assert.equal(applyWorkspaceEdit(text, fixAll[0]!.edit, uri), expected);
  });

  it('ignore this image: a comment line above in a Dockerfile, a trailing comment in YAML, nothing in JSON', async () => {
    const docker = fileUri(join(tmp, 'ignore', 'Dockerfile'));
    const dockerText = `FROM ${host}/fixtures/docker-image:1.0\r\n    FROM ${host}/fixtures/oci-image:1.0\r\n`;
    client.open(docker, 'dockerfile', dockerText);
    await client.diagnostics(docker, settled(2));
    const ignoreSecond = (await codeActionsAt(client, docker, rangeOf(dockerText, 'oci-image'))).find(
      (a) => a.title === 'Ignore this image',
    );
    const ignored = applyWorkspaceEdit(dockerText, ignoreSecond?.edit, docker);
    assert.equal(
      ignored,
      `FROM ${host}/fixtures/docker-image:1.0\r\n    # digest-pin: ignore\r\n    FROM ${host}/fixtures/oci-image:1.0\r\n`,
    );
    client.close(docker);
    client.open(docker, 'dockerfile', ignored);
    assert.deepEqual(codes((await client.diagnostics(docker, opened)).diagnostics), ['unpinned']);

    const yaml = fileUri(join(tmp, 'ignore', 'ci.yml'));
    const yamlText = `image: "${host}/fixtures/docker-image:1.0"   \n`;
    client.open(yaml, 'yaml', yamlText);
    await client.diagnostics(yaml, settled(1));
    const ignoreYaml = (await codeActionsAt(client, yaml, rangeOf(yamlText, 'docker-image'))).find(
      (a) => a.title === 'Ignore this image',
    );
    const yamlIgnored = applyWorkspaceEdit(yamlText, ignoreYaml?.edit, yaml);
    assert.equal(yamlIgnored, `image: "${host}/fixtures/docker-image:1.0" # digest-pin: ignore   \n`);
    client.close(yaml);
    client.open(yaml, 'yaml', yamlIgnored);
    assert.deepEqual((await client.diagnostics(yaml, opened)).diagnostics, []);

    const json = fileUri(join(tmp, 'ignore', '.devcontainer', 'devcontainer.json'));
    const jsonText = `{\n  "image": "${host}/fixtures/docker-image:1.0"\n}\n`;
    client.open(json, 'jsonc', jsonText);
    await client.diagnostics(json, settled(1));
    const jsonActions = await codeActionsAt(client, json, rangeOf(jsonText, 'docker-image'));
    assert.deepEqual(
      jsonActions.map((a) => a.title),
      [`Pin to digest (${short(setup.fixtures.dockerImage.digest)})`],
    );
  });

  it('pin style @digest # tag: the tag moves to a trailing comment in YAML; a Dockerfile keeps tag@digest', async () => {
    const { dockerImage } = setup.fixtures;
    changeSettings(client, { pinStyle: '@digest # tag' });
    const yaml = fileUri(join(tmp, 'style', 'k8s.yaml'));
    const text = `containers:\n  - image: ${host}/fixtures/docker-image:1.0\n`;
    client.open(yaml, 'yaml', text);
    await client.diagnostics(yaml, settled(1));
    const pin = (await codeActionsAt(client, yaml, rangeOf(text, 'docker-image')))[0]!;
    assert.equal(
      applyWorkspaceEdit(text, pin.edit, yaml),
      `containers:\n  - image: ${host}/fixtures/docker-image@${dockerImage.digest} # 1.0\n`,
    );
    const docker = fileUri(join(tmp, 'style', 'Dockerfile'));
    const dockerText = `FROM ${host}/fixtures/docker-image:1.0\n`;
    client.open(docker, 'dockerfile', dockerText);
    await client.diagnostics(docker, settled(1));
    const dockerPin = (await codeActionsAt(client, docker, rangeOf(dockerText, 'docker-image')))[0]!;
    assert.equal(
      applyWorkspaceEdit(dockerText, dockerPin.edit, docker),
      `FROM ${host}/fixtures/docker-image:1.0@${dockerImage.digest}\n`,
    );
    changeSettings(client, {});
  });
});

describe('hover', () => {
  let client: TestClient;
  let evil: { digest: string };
  before(async () => {
    // A hostile registry: platform strings that are Markdown and HTML.
    const target = { url: setup.proxy!.url, host };
    const child = await pushImage(target, 'fixtures/hostile', undefined, {
      format: 'oci',
      platform: { os: 'linux', architecture: '<img src=x onerror=alert(1)>[click](javascript:alert(1))' },
    });
    evil = await pushIndex(target, 'fixtures/hostile', '1.0', { format: 'oci', children: [child] });
    setup.proxy!.clearLog();
    client = await online();
  });
  after(() => client.stop());

  it('an unpinned multi-platform tag: digest short and full, publication age, platforms, when it was checked', async () => {
    const { ociIndex } = setup.fixtures;
    const uri = fileUri(join(tmp, 'hover', 'Dockerfile'));
    const text = `FROM ${host}/fixtures/oci-index:1.0\n`;
    client.open(uri, 'dockerfile', text);
    await client.diagnostics(uri, settled(1));
    const markdown = await hoverAt(client, uri, { line: 0, character: 12 });
    assert.equal(
      markdown,
      [
        `**${host}/fixtures/oci-index:1.0**`,
        `\`${host}/fixtures/oci-index\` on ${host} · tag \`1.0\``,
        `Points to \`${short(ociIndex.digest)}\` now, published ${formatAge(Date.now() - Date.parse('2024-01-15T10:00:00Z'))} ago (2024-01-15).`,
        `Digest: \`${ociIndex.digest}\``,
        'Platforms: linux/amd64, linux/arm64',
        'Attachments: attestation \\(attestation in index\\)',
        '*Checked just now.*',
      ].join('\n\n'),
    );
  });

  it('a drifted pin: its age, where the tag went and how far behind it is', async () => {
    const { drift } = setup.fixtures;
    const uri = fileUri(join(tmp, 'hover', 'drift.yaml'));
    const text = `image: ${drift.ref}@${drift.oldDigest}\n`;
    client.open(uri, 'yaml', text);
    await client.diagnostics(uri, settled(1));
    const markdown = await hoverAt(client, uri, { line: 0, character: 10 });
    const now = Date.now();
    assert.equal(
      markdown,
      [
        `**${drift.ref}@${drift.oldDigest}**`,
        `\`${host}/fixtures/drift\` on ${host} · tag \`latest\``,
        `Pinned to \`${short(drift.oldDigest)}\`, built ${formatAge(now - Date.parse('2024-01-01T00:00:00Z'))} ago (2024-01-01).`,
        `**The tag has moved** to \`${short(drift.newDigest)}\`, built ${formatAge(now - Date.parse('2024-02-01T00:00:00Z'))} ago (2024-02-01); your pin is ${formatAge(Date.parse('2024-02-01T00:00:00Z') - Date.parse('2024-01-01T00:00:00Z'))} older.`,
        `Current digest: \`${drift.newDigest}\``,
        `Pinned digest: \`${drift.oldDigest}\``,
        'Platforms: linux/amd64',
        'Attachments: none found',
        '*Checked just now.*',
      ].join('\n\n'),
    );
  });

  it('a drifted pin of a labelled image: what changed, its provenance, what is attached; asked once', async () => {
    const target = { url: setup.proxy!.url, host };
    const sha = (c: string) => c.repeat(40);
    // Tag 2 pushed twice: 2.0.0, then 2.0.1 (another source revision).
    const image = (version: string, revision: string, created: string) =>
      pushImage(target, 'fixtures/labelled', '2', {
        format: 'oci',
        created,
        content: version,
        labels: {
          'org.opencontainers.image.version': version,
          'org.opencontainers.image.source': 'https://github.com/org/labelled',
          'org.opencontainers.image.revision': revision,
        },
      });
    const old = await image('2.0.0', sha('a'), '2024-01-01T00:00:00Z');
    const now = await image('2.0.1', sha('b'), '2024-01-11T00:00:00Z');
    await pushCosignSignature(target, 'fixtures/labelled', now);
    const uri = fileUri(join(tmp, 'hover', 'labelled', 'Dockerfile'));
    client.open(uri, 'dockerfile', `FROM ${host}/fixtures/labelled:2@${old.digest}\n`);
    await client.diagnostics(uri, settled(1));
    const referrers = { path: new RegExp('/fixtures/labelled/referrers/') };
    assert.equal(setup.proxy!.count(referrers), 0, 'diagnostics never ask for attachments');
    const markdown = (await hoverAt(client, uri, { line: 0, character: 12 }))!;
    const paragraphs = markdown.split('\n\n');
    const compare = `https://github.com/org/labelled/compare/${sha('a')}...${sha('b')}`;
    assert.ok(
      paragraphs.includes(
        `**What changed:** version \`2.0.0\` → \`2.0.1\` · source revision \`aaaaaaaaaaaa\` → \`bbbbbbbbbbbb\` ([compare](${compare}))`,
      ),
      markdown,
    );
    assert.ok(
      paragraphs.includes(
        `Provenance: version \`2.0.0\` · source [github.com/org/labelled](https://github.com/org/labelled) at [\`aaaaaaaaaaaa\`](https://github.com/org/labelled/commit/${sha('a')})`,
      ),
      markdown,
    );
    assert.ok(paragraphs.includes('Attachments: none found'), markdown);
    assert.ok(
      paragraphs.includes('Attachments of the image the tag points to now: signature \\(cosign tag\\)'),
      markdown,
    );
    // Hovering again asks the registry nothing (answers, descriptions and attachments are kept).
    const requests = setup.proxy!.count();
    assert.equal(await hoverAt(client, uri, { line: 0, character: 12 }), markdown);
    assert.equal(setup.proxy!.count(), requests);
    // The hover asked once per digest: the pinned image and the one the tag points to now.
    assert.equal(setup.proxy!.count(referrers), 2);
  });

  it('registry strings are escaped: a hostile platform cannot become a link or HTML', async () => {
    const uri = fileUri(join(tmp, 'hover', 'hostile', 'Dockerfile'));
    client.open(uri, 'dockerfile', `FROM ${host}/fixtures/hostile:1.0\n`);
    await client.diagnostics(uri, settled(1));
    const markdown = (await hoverAt(client, uri, { line: 0, character: 12 }))!;
    assert.ok(markdown.includes(`Digest: \`${evil.digest}\``), markdown);
    assert.ok(
      markdown.includes(
        'Platforms: linux/\\<img src=x onerror=alert\\(1\\)\\>\\[click\\]\\(javascript:alert\\(1\\)\\)',
      ),
      markdown,
    );
    // Nothing unescaped: no HTML tag, no link target.
    assert.ok(!/(^|[^\\])<img|[^\\]\]\(javascript/.test(markdown), markdown);
  });
});

describe('cancellation', () => {
  it('a hover waiting on a registry that does not answer ends as soon as the client cancels it', async () => {
    const fault = setup.proxy!.inject({ kind: 'hang' }, { path: /fixtures\/hanging\/manifests/ });
    const client = await online();
    try {
      const uri = fileUri(join(tmp, 'cancel', 'Dockerfile'));
      client.open(uri, 'dockerfile', `FROM ${host}/fixtures/hanging:1.0\n`);
      await client.diagnostics(uri);
      await client.waitFor('the question to be asked', () => fault.hits() > 0);
      const source = new CancellationTokenSource();
      const started = Date.now();
      const hover = client.connection.sendRequest(
        'textDocument/hover',
        { textDocument: { uri }, position: { line: 0, character: 10 } },
        source.token,
      );
      setTimeout(() => source.cancel(), 200);
      await assert.rejects(hover, (error: { code?: number }) => error.code === LSPErrorCodes.RequestCancelled);
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    } finally {
      fault.remove();
      await client.stop();
    }
  });
});

describe('settings, trust and refresh', () => {
  it('an untrusted workspace makes no registry request at all (static findings only), until trusted', async () => {
    setup.proxy!.clearLog();
    const client = await online({ initializationOptions: { trusted: false } });
    try {
      const uri = fileUri(join(tmp, 'trust', 'Dockerfile'));
      const text = `FROM ${host}/fixtures/docker-image:1.0\n`;
      client.open(uri, 'dockerfile', text);
      assert.deepEqual(codes((await client.diagnostics(uri)).diagnostics), ['unpinned']);
      const hover = await hoverAt(client, uri, { line: 0, character: 10 });
      assert.ok(hover?.includes('Registry checks are off: this workspace is not trusted.'), hover ?? '');
      assert.deepEqual(
        (await codeActionsAt(client, uri, rangeOf(text, 'docker-image'))).map((a) => a.title),
        ['Ignore this image'],
      );
      // Every delay run out: no registry client was even made, and nothing was asked.
      await client.settle();
      assert.equal(client.registry.made.length, 0);
      assert.equal(setup.proxy!.count(), 0);
      assert.equal(client.statuses.at(-1)?.state, 'untrusted');

      void client.connection.sendNotification('digestPin/trust', { trusted: true });
      const { diagnostics } = await client.diagnostics(uri, settled(1));
      assert.match(String(diagnostics[0]!.message), /pin it to its current digest sha256:/);
      assert.ok(setup.proxy!.count() > 0);
    } finally {
      await client.stop();
    }
  });

  it('offline: no request; a cold cache gives static findings, a warm one its answers', async () => {
    setup.proxy!.clearLog();
    const client = await online({ settings: { offline: true } });
    try {
      const uri = fileUri(join(tmp, 'offline', 'Dockerfile'));
      client.open(uri, 'dockerfile', `FROM ${host}/fixtures/docker-image:1.0\n`);
      assert.deepEqual(
        (await client.diagnostics(uri)).diagnostics.map((d) => String(d.message)),
        [`${host}/fixtures/docker-image:1.0 is a mutable tag; pin it to a digest`],
      );
      await client.waitFor('offline status', () => client.statuses.find((s) => s.state === 'offline'));
      assert.equal(setup.proxy!.count(), 0);
      // Online once (fills the cache), then offline again: the answer comes from the cache, still without a request.
      changeSettings(client, { offline: false });
      await client.diagnostics(uri, settled(1));
      setup.proxy!.clearLog();
      changeSettings(client, { offline: true });
      const { diagnostics } = await client.diagnostics(uri, settled(1));
      assert.match(
        String(diagnostics[0]!.message),
        /pin it to its current digest sha256:[0-9a-f]{12}… \(from the cache, checked (less than a minute|1 minute) ago\)$/,
      );
      assert.equal(setup.proxy!.count(), 0);
    } finally {
      await client.stop();
    }
  });

  it('registry mirrors from the settings: a new registry client, which asks the mirror instead of the registry', async () => {
    // References name the counting proxy's host; the registry behind it, reached directly, stands in as its mirror.
    const client = await online();
    try {
      const mirrors = { [host]: [setup.registry.url] };
      changeSettings(client, { registryMirrors: mirrors });
      await client.waitFor('a client made with the mirrors', () =>
        client.registry.made.some((options) => JSON.stringify(options.registryMirrors) === JSON.stringify(mirrors)),
      );
      setup.proxy!.clearLog();
      const before = await setup.registry.requestCount({
        method: 'HEAD',
        path: '/v2/fixtures/oci-index/manifests/1.0',
      });
      const uri = fileUri(join(tmp, 'mirrors', 'Dockerfile'));
      client.open(uri, 'dockerfile', `FROM ${host}/fixtures/oci-index:1.0\n`);
      const { diagnostics } = await client.diagnostics(uri, settled(1));
      assert.match(
        String(diagnostics[0]!.message),
        new RegExp(`current digest ${short(setup.fixtures.ociIndex.digest)}`),
      );
      assert.equal(setup.proxy!.count(), 0, 'the registry (the proxy) was not asked');
      assert.equal(
        (await setup.registry.requestCount({ method: 'HEAD', path: '/v2/fixtures/oci-index/manifests/1.0' })) - before,
        1,
        'the mirror was',
      );
    } finally {
      await client.stop();
    }
  });

  it('each question is asked once however many documents repeat it; refresh forgets and asks again', async () => {
    setup.proxy!.clearLog();
    const client = await online();
    try {
      const path = `/v2/fixtures/docker-list/manifests/1.0`;
      for (const name of ['a', 'b', 'c']) {
        const uri = fileUri(join(tmp, 'dedupe', name, 'Dockerfile'));
        client.open(
          uri,
          'dockerfile',
          `FROM ${host}/fixtures/docker-list:1.0\nFROM ${host}/fixtures/docker-list:1.0 AS again\n`,
        );
        await client.diagnostics(uri, settled(2));
      }
      assert.equal(setup.proxy!.count({ method: 'HEAD', path }), 1);
      const refreshed = (await client.connection.sendRequest('digestPin/refresh', {})) as { references: number };
      assert.equal(refreshed.references, 1);
      await client.waitFor('a second HEAD', () => setup.proxy!.count({ method: 'HEAD', path }) === 2);
      await client.waitFor('idle', () => client.statuses.at(-1)?.state === 'idle');
      await client.settle();
      assert.equal(setup.proxy!.count({ method: 'HEAD', path }), 2);
    } finally {
      await client.stop();
    }
  });
});

describe('workspace edits', () => {
  it('pin all images in the workspace: open documents as edited, closed files from disk, versioned edits, a summary', async () => {
    const { dockerImage, drift } = setup.fixtures;
    const dir = join(tmp, 'workspace');
    mkdirSync(join(dir, 'svc'), { recursive: true });
    const diskText = `FROM ${host}/fixtures/docker-image:1.0\nFROM ${host}/fixtures/missing:9\n`;
    writeFileSync(join(dir, 'svc', 'Dockerfile'), diskText);
    const openText = `image: ${drift.ref}@${drift.oldDigest}\n`;
    const client = await online({ capabilities: PULL_CAPABILITIES });
    try {
      const openUri = fileUri(join(dir, 'k8s.yaml'));
      client.open(openUri, 'yaml', openText, 4);
      const diskUri = fileUri(join(dir, 'svc', 'Dockerfile'));
      const pin = (await client.connection.sendRequest('digestPin/pinWorkspace', {
        uris: [diskUri, openUri],
        workDoneToken: 'pin-1',
      })) as WorkspaceEditResult;
      assert.deepEqual(pin.edit.documentChanges, [
        {
          textDocument: { uri: diskUri, version: null },
          edits: [
            {
              range: {
                start: rangeOf(diskText, 'docker-image:1.0').end,
                end: rangeOf(diskText, 'docker-image:1.0').end,
              },
              newText: `@${dockerImage.digest}`,
            },
          ],
        },
      ]);
      assert.equal(pin.summary.files, 1);
      assert.equal(pin.summary.edited, 1);
      assert.equal(pin.summary.cancelled, false);
      assert.deepEqual(
        pin.summary.failures.map((f) => [f.uri, f.line, f.text]),
        [[diskUri, 1, `${host}/fixtures/missing:9`]],
      );
      assert.match(pin.summary.failures[0]!.reason, /not found .*\(not-found\)$/);
      assert.equal(
        readFileSync(join(dir, 'svc', 'Dockerfile'), 'utf8'),
        diskText,
        'the server never writes files itself',
      );

      const update = (await client.connection.sendRequest('digestPin/updateWorkspace', {
        uris: [diskUri, openUri],
      })) as WorkspaceEditResult;
      assert.deepEqual(update.edit.documentChanges, [
        {
          textDocument: { uri: openUri, version: 4 },
          edits: [{ range: rangeOf(openText, drift.oldDigest), newText: drift.newDigest }],
        },
      ]);
      assert.deepEqual(update.summary, { files: 1, edited: 1, failures: [], cancelled: false });
    } finally {
      await client.stop();
    }
  });
});
