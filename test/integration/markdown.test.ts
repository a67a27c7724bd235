// `--format markdown` end to end: the built CLI against the real registry behind the counting seeded.proxy, on a
// workspace with a new pin written in two files, the drift fixture (both build dates known) in two files, and a tag
// that does not exist. `check` and `pin --update` (and its dry run) are compared with the exact Markdown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAge, shortDigest } from '../../server/src/shared/text';
import type { Run } from './cliRun';
import { useSeededCli } from './support/cliWorkspace';

const seeded = useSeededCli('digest-pin-markdown-');
const cli = (cwd: string, ...args: string[]): Promise<Run> => seeded.ws.cli(cwd, ...args);
const DOCS = 'https://github.com/digest-pin/digest-pin';

function files(): Record<string, string> {
  const f = seeded.setup.fixtures;
  return {
    Dockerfile: [
      `FROM ${f.dockerImage.ref}`,
      `FROM ${f.drift.ref}@${f.drift.oldDigest}`,
      `FROM ${seeded.host}/fixtures/missing:1.0`,
      '',
    ].join('\n'),
    'compose.yaml': [
      'services:',
      '  web:',
      `    image: ${f.dockerImage.ref}`,
      '  old:',
      `    image: ${f.drift.ref}@${f.drift.oldDigest}`,
      '',
    ].join('\n'),
  };
}

const CHANGES_HEAD = [
  '| image | old digest | new digest | old image built | new image built | gap | places |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];

describe('--format markdown against the seeded registry', () => {
  it('check: the summary, then a table per file with links to the codes', async () => {
    const f = seeded.setup.fixtures;
    const H = seeded.host;
    const dir = seeded.ws.workspace('check', files());
    const run = await cli(dir, 'check', '--no-cache', '--format', 'markdown', '--fail-on', 'never');
    const built = formatAge(Date.now() - Date.parse('2024-02-01T00:00:00Z'));
    const head = ['| line | severity | code | image | message |', '| ---: | --- | --- | --- | --- |'];
    const unpinned = `| \`${f.dockerImage.ref}\` | ${f.dockerImage.ref} is a mutable tag; pin it to its current digest ${shortDigest(f.dockerImage.digest)} |`;
    const drift = `| \`${f.drift.ref}@${shortDigest(f.drift.oldDigest)}\` | ${f.drift.ref} has moved on: the tag now points to ${shortDigest(f.drift.newDigest)}, built ${built} ago; your pin ${shortDigest(f.drift.oldDigest)} is 31 days older |`;
    assert.deepEqual(run, {
      status: 0,
      stderr: '',
      stdout: [
        '## digest-pin check',
        '',
        '2 files, 5 references: 1 error, 2 warnings, 2 information',
        '',
        '### `Dockerfile`',
        '',
        ...head,
        `| 1 | warning | [\`unpinned\`](${DOCS}#unpinned) ${unpinned}`,
        `| 2 | information | [\`tag-drift\`](${DOCS}#tag-drift) ${drift}`,
        `| 3 | error | [\`tag-not-found\`](${DOCS}#tag-not-found) | \`${H}/fixtures/missing:1.0\` | ${H}/fixtures/missing:1.0 cannot be pulled: tag 1.0 of fixtures/missing not found on ${H}; check the spelling, or use a tag the repository has |`,
        '',
        '### `compose.yaml`',
        '',
        ...head,
        `| 3 | warning | [\`unpinned\`](${DOCS}#unpinned) ${unpinned}`,
        `| 5 | information | [\`tag-drift\`](${DOCS}#tag-drift) ${drift}`,
        '',
      ].join('\n'),
    });
  });

  it('pin --update: one row per image with both build dates, the problems after; --dry-run says would change', async () => {
    const f = seeded.setup.fixtures;
    const H = seeded.host;
    const dir = seeded.ws.workspace('pin', files());
    const rows = [
      `| \`${f.dockerImage.ref}\` | new pin | \`${shortDigest(f.dockerImage.digest)}\` | — | unknown | — | \`Dockerfile:1\`, \`compose.yaml:3\` |`,
      `| \`${f.drift.ref}\` | \`${shortDigest(f.drift.oldDigest)}\` | \`${shortDigest(f.drift.newDigest)}\` | 2024-01-01 | 2024-02-01 | 31 days newer | \`Dockerfile:2\`, \`compose.yaml:5\` |`,
    ];
    const problem = `could not pin ${H}/fixtures/missing:1.0: tag 1.0 of fixtures/missing not found on ${H} (not-found)`;
    const problems = ['### Problems', '', `- \`Dockerfile:3\`: ${problem.replace(/[()]/g, '\\$&')}`, ''];
    const stderr = `digest-pin: Dockerfile:3:6: ${problem}\n`;

    const dry = await cli(dir, 'pin', '--update', '--dry-run', '--format', 'markdown', '--no-cache');
    assert.deepEqual(dry, {
      status: 1,
      stderr,
      stdout: [
        '## digest-pin pin --update --dry-run',
        '',
        '2 files would change: 2 references pinned, 2 updated; 1 could not be resolved; nothing was written',
        '',
        ...CHANGES_HEAD,
        ...rows,
        '',
        ...problems,
      ].join('\n'),
    });
    for (const [path, text] of Object.entries(files())) assert.equal(seeded.ws.read(dir, path), text, path);

    const run = await cli(dir, 'pin', '--update', '--format', 'markdown', '--no-cache');
    assert.deepEqual(run, {
      status: 1,
      stderr,
      stdout: [
        '## digest-pin pin --update',
        '',
        '2 files changed: 2 references pinned, 2 updated; 1 could not be resolved',
        '',
        ...CHANGES_HEAD,
        ...rows,
        '',
        ...problems,
      ].join('\n'),
    });
    const pinned = (text: string): string =>
      text
        .replaceAll(`${f.dockerImage.ref}\n`, `${f.dockerImage.ref}@${f.dockerImage.digest}\n`)
        .replaceAll(f.drift.oldDigest, f.drift.newDigest);
    for (const [path, text] of Object.entries(files())) assert.equal(seeded.ws.read(dir, path), pinned(text), path);

    const again = await cli(dir, 'pin', '--update', '--format', 'markdown', '--no-cache');
    assert.deepEqual(again, {
      status: 1,
      stderr,
      stdout: ['## digest-pin pin --update', '', 'no file changed; 1 could not be resolved', '', ...problems].join(
        '\n',
      ),
    });
  });
});
