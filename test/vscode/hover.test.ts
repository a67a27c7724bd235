// Story: hover an image to see what its tag points to.
import * as assert from 'node:assert/strict';
import { suite } from 'mocha';
import * as vscode from 'vscode';
import { RELEASE_REVISIONS, RELEASE_SOURCE } from '../support/releaseFixture';
import { openFile, rangeOf, suiteRegistry, trustedTest, untrustedTest, waitForCodes } from './support';

async function hoverText(
  document: vscode.TextDocument,
  needle: string,
): Promise<{ text: string; range: vscode.Range | undefined }> {
  const range = rangeOf(document, needle);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    document.uri,
    range.start.translate(0, 3),
  );
  const texts = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n'));
  assert.equal(hovers.length, 1, `one hover (digest-pin's), got ${JSON.stringify(texts)}`);
  return { text: texts[0]!, range: hovers[0]!.range };
}

const short = (digest: string) => `${digest.slice(0, 'sha256:'.length + 12)}…`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Ages are relative to today's clock ("2 years ago"): the dates next to them are exact. */
const AGO = '[^()]+ ago';
const CHECKED = /^\*Checked (just now|.+ ago)\.\*$/;

/** The hover's paragraphs, each exactly as given (or matching the pattern). */
function assertParagraphs(text: string, expected: Array<string | RegExp>): void {
  const paragraphs = text.split('\n\n');
  assert.equal(paragraphs.length, expected.length, text);
  expected.forEach((want, i) => {
    if (typeof want === 'string') assert.equal(paragraphs[i], want);
    else assert.match(paragraphs[i]!, want);
  });
}

suite('hover', () => {
  trustedTest('an unpinned tag: the digest it points to now', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('Dockerfile');
    await waitForCodes(document.uri, ['unpinned', 'unpinned', 'tag-drift', 'digest-not-found', 'tag-not-found']);
    const { text, range } = await hoverText(document, `${host}/fixtures/docker-image:1.0`);
    assert.deepEqual(range, rangeOf(document, `${host}/fixtures/docker-image:1.0`));
    assertParagraphs(text, [
      `**${host}/fixtures/docker-image:1.0**`,
      `\`${host}/fixtures/docker-image\` on ${host} · tag \`1.0\``,
      new RegExp(`^Points to \`${escape(short(digests.dockerImage))}\` now, published ${AGO} \\(2024-01-15\\)\\.$`),
      `Digest: \`${digests.dockerImage}\``,
      'Platforms: linux/amd64',
      'Attachments: none found',
      CHECKED,
    ]);
  });

  trustedTest('a drifted pin: both digests', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('Dockerfile');
    const { text } = await hoverText(document, `${host}/fixtures/drift:latest@${digests.driftOld}`);
    assertParagraphs(text, [
      `**${host}/fixtures/drift:latest@${digests.driftOld}**`,
      `\`${host}/fixtures/drift\` on ${host} · tag \`latest\``,
      new RegExp(`^Pinned to \`${escape(short(digests.driftOld))}\`, built ${AGO} \\(2024-01-01\\)\\.$`),
      new RegExp(
        `^\\*\\*The tag has moved\\*\\* to \`${escape(short(digests.driftNew))}\`, built ${AGO} \\(2024-02-01\\); your pin is 31 days older\\.$`,
      ),
      `Current digest: \`${digests.driftNew}\``,
      `Pinned digest: \`${digests.driftOld}\``,
      'Platforms: linux/amd64',
      'Attachments: none found',
      CHECKED,
    ]);
  });

  untrustedTest('untrusted: says why there is nothing from the registry', async () => {
    const { host } = suiteRegistry();
    const document = await openFile('Dockerfile');
    const { text } = await hoverText(document, `${host}/fixtures/docker-image:1.0`);
    assertParagraphs(text, [
      `**${host}/fixtures/docker-image:1.0**`,
      `\`${host}/fixtures/docker-image\` on ${host} · tag \`1.0\``,
      'Registry checks are off: this workspace is not trusted.',
    ]);
  });

  trustedTest('a rebuilt release: what changed, and the newer versions of its line', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('release/Dockerfile');
    await waitForCodes(document.uri, ['tag-drift']);
    const ref = `${host}/fixtures/release:2.4.0@${digests.releaseOld}`;
    const { text } = await hoverText(document, ref);
    const paragraphs = text.split('\n\n');
    const find = (pattern: RegExp): string => {
      const found = paragraphs.find((p) => pattern.test(p));
      assert.ok(found, `no paragraph matching ${pattern} in:\n${text}`);
      return found;
    };
    assert.equal(paragraphs[0], `**${ref}**`);
    assert.match(
      find(/The tag has moved/),
      new RegExp(
        `to \`${escape(short(digests.releaseNew))}\`, built ${AGO} \\(2024-04-10\\); your pin is 40 days older`,
      ),
    );
    const changed = find(/^\*\*What changed:\*\*/);
    // The same version label, rebuilt on a new alpine:3.20 from a new commit, with a link to compare the two.
    assert.match(changed, /version `2\.4\.0` \(unchanged\)/);
    assert.match(changed, /base image `docker\.io\/library\/alpine:3\.20` updated/);
    assert.match(
      changed,
      new RegExp(
        `source revision \`${RELEASE_REVISIONS.old.slice(0, 7)}[0-9a-f]*\` → \`${RELEASE_REVISIONS.new.slice(0, 7)}[0-9a-f]*\``,
      ),
    );
    assert.ok(
      changed.includes(`(${RELEASE_SOURCE}/compare/${RELEASE_REVISIONS.old}...${RELEASE_REVISIONS.new})`),
      changed,
    );
    const newer = find(/^\*\*Newer:\*\*/);
    assert.match(
      newer,
      new RegExp(
        `^\\*\\*Newer:\\*\\* \`2\\.4\\.1\` \\(patch\\) — \`${escape(short(digests.releasePatch))}\` built ${AGO}; ` +
          `\`2\\.5\\.0\` \\(minor\\) — \`${escape(short(digests.releaseMinor))}\` built ${AGO}\\.$`,
      ),
    );
  });
});
