// The GitHub Action as the runner runs it: `node action/dist/index.js` (the committed bundle) with INPUT_* variables,
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_WORKSPACE set, against the real registry behind the proxy. Asserts the
// exit status, the annotations on stdout, the outputs file, the step summary and, for pin, the files written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './cliRun';
import { useSeededCli } from './support/cliWorkspace';

const ACTION = join(ROOT, 'action', 'dist', 'index.js');
const seeded = useSeededCli('digest-pin-action-');

interface ActionRun {
  status: number | null;
  stdout: string;
  outputs: Map<string, string>;
  summary: string;
}

/** $GITHUB_OUTPUT read back as the runner reads it: `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks. */
function readOutputs(text: string): Map<string, string> {
  const outputs = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      assert.ok(end > i, `the delimiter of ${heredoc[1]} is closed`);
      outputs.set(heredoc[1]!, lines.slice(i + 1, end).join('\n'));
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `an output line: ${line}`);
    outputs.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return outputs;
}

let runs = 0;

/** The action in `workspace` with these inputs (an input left out is unset, as when a default applies). */
function runAction(workspace: string, inputs: Record<string, string>): Promise<ActionRun> {
  const n = ++runs;
  const output = join(seeded.ws.tmp, `output-${n}`);
  const summary = join(seeded.ws.tmp, `summary-${n}`);
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('INPUT_') || name.startsWith('GITHUB_')) delete env[name];
  delete env['NO_COLOR'];
  Object.assign(env, {
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_WORKSPACE: workspace,
    DOCKER_CONFIG: seeded.ws.dockerConfig,
    XDG_CACHE_HOME: join(seeded.ws.tmp, 'cache-home'),
  });
  return new Promise((resolve, reject) => {
    // The runner starts the action in the workspace too; the action must not depend on it: start it elsewhere.
    const child = spawn(process.execPath, [ACTION], { cwd: seeded.ws.tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({
        status,
        stdout,
        outputs: readOutputs(readFileSync(output, 'utf8')),
        summary: readFileSync(summary, 'utf8'),
      }),
    );
  });
}

/** The workflow commands of a log (lines starting with ::), without the stop-commands fences. */
const commands = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => /^::(error|warning|notice) /.test(line) || /^::(error|warning|notice)::/.test(line));

describe('the GitHub Action (action/dist/index.js)', () => {
  it('is committed', () => assert.ok(existsSync(ACTION), 'npm run build:action'));

  it('check (the defaults): an annotation per finding, outputs, the summary, exit 1 on a warning', async () => {
    const { host, setup } = seeded;
    const ref = `${host}/fixtures/docker-image:1.0`;
    const escaped = ref.replace(/[.]/g, '\\.');
    const dir = seeded.ws.workspace('check', {
      Dockerfile: `FROM ${ref}\nRUN true\n`,
      'compose.yaml': `services:\n  app:\n    image: ${host}/fixtures/oci-image:1.0@${setup.fixtures.ociImage.digest}\n`,
    });
    const result = await runAction(dir, {});
    assert.equal(result.status, 1, result.stdout);
    const lines = commands(result.stdout);
    assert.equal(lines.length, 2, result.stdout);
    assert.equal(lines[1], "::error title=digest-pin::findings at or above 'warning' (input fail-on)");
    const [warning] = commands(result.stdout);
    assert.match(
      warning!,
      new RegExp(
        `^::warning file=Dockerfile,line=1,col=6,endLine=1,endColumn=${6 + ref.length},title=digest-pin%3A unpinned::${escaped} is a mutable tag; pin it to `,
      ),
    );
    assert.deepEqual([...result.outputs.keys()], ['changed', 'findings', 'changed-files', 'report']);
    assert.equal(result.outputs.get('changed'), 'false');
    assert.equal(result.outputs.get('findings'), '1');
    assert.equal(result.outputs.get('changed-files'), '');
    assert.ok(
      result.summary.startsWith('## digest-pin check\n\n2 files, 2 references: 0 errors, 1 warning, 0 information\n'),
    );
    assert.ok(
      result.summary.includes(`| Dockerfile:1:6 | warning | unpinned | ${ref} is a mutable tag;`),
      result.summary,
    );
    assert.equal(result.outputs.get('report'), result.summary.replace(/\n$/, ''));
    // Nothing was written.
    assert.equal(seeded.ws.read(dir, 'Dockerfile'), `FROM ${ref}\nRUN true\n`);
  });

  it('check with fail-on never and extra args: exit 0, the findings still annotated', async () => {
    const dir = seeded.ws.workspace('check-never', { 'ci/Dockerfile': 'FROM python:3.12-slim\n', 'other/x.txt': '' });
    const result = await runAction(dir, { 'fail-on': 'never', args: '--offline', paths: 'ci\n' });
    assert.equal(result.status, 0, result.stdout);
    assert.deepEqual(commands(result.stdout), [
      '::warning file=ci/Dockerfile,line=1,col=6,endLine=1,endColumn=22,title=digest-pin%3A unpinned::python:3.12-slim is a mutable tag; pin it to a digest',
    ]);
    assert.equal(result.outputs.get('findings'), '1');
  });

  it('pin with update: files written, changed and changed-files, notices, the summary', async () => {
    const f = seeded.setup.fixtures;
    const host = seeded.host;
    const dir = seeded.ws.workspace('pin', {
      Dockerfile: `FROM ${host}/fixtures/docker-image:1.0\n`,
      'deploy/app.yaml': `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: ${f.drift.ref}@${f.drift.oldDigest}\n`,
      'untouched/compose.yaml': `services:\n  db:\n    image: ${host}/fixtures/oci-image:1.0@${f.ociImage.digest}\n`,
    });
    const result = await runAction(dir, { command: 'pin', update: 'true' });
    assert.equal(result.status, 0, result.stdout);
    assert.equal(seeded.ws.read(dir, 'Dockerfile'), `FROM ${host}/fixtures/docker-image:1.0@${f.dockerImage.digest}\n`);
    assert.ok(seeded.ws.read(dir, 'deploy/app.yaml').includes(`${f.drift.ref}@${f.drift.newDigest}\n`));
    assert.equal(result.outputs.get('changed'), 'true');
    assert.equal(result.outputs.get('changed-files'), 'Dockerfile\ndeploy/app.yaml');
    assert.equal(result.outputs.get('findings'), '2');
    assert.deepEqual(commands(result.stdout), [
      `::notice file=Dockerfile,line=1,col=6,title=digest-pin%3A pinned::pinned ${host}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
      `::notice file=deploy/app.yaml,line=5,col=14,title=digest-pin%3A updated::updated ${f.drift.ref}@${f.drift.newDigest} (was ${f.drift.oldDigest.slice(0, 19)}…)`,
    ]);
    assert.ok(
      result.summary.startsWith('## digest-pin pin\n\n2 files changed: 1 reference pinned, 1 updated\n'),
      result.summary,
    );
    assert.ok(result.summary.includes(`| deploy/app.yaml:5:14 | updated | ${f.drift.ref}@${f.drift.newDigest} |`));

    // Again: nothing left to do, nothing written.
    const again = await runAction(dir, { command: 'pin', update: 'true' });
    assert.equal(again.status, 0, again.stdout);
    assert.equal(again.outputs.get('changed'), 'false');
    assert.equal(again.outputs.get('findings'), '0');
  });

  it('pin of a tag the registry does not have: an error annotation, the step fails, the rest still pinned', async () => {
    const host = seeded.host;
    const dir = seeded.ws.workspace('pin-missing', {
      Dockerfile: `FROM ${host}/fixtures/docker-image:9.9\nFROM ${host}/fixtures/oci-image:1.0\n`,
    });
    const result = await runAction(dir, { command: 'pin' });
    assert.equal(result.status, 1, result.stdout);
    const lines = commands(result.stdout);
    assert.equal(lines.length, 3, result.stdout);
    assert.match(lines[1]!, /^::error file=Dockerfile,line=1,col=6,title=digest-pin%3A not pinned::/);
    assert.equal(lines[2], '::error title=digest-pin::some references could not be pinned or written');
    assert.equal(result.outputs.get('changed'), 'true');
    assert.ok(result.summary.includes('**Not pinned**'), result.summary);
  });

  it('lock: the lock file written, its Markdown change table as the summary and the report', async () => {
    const ref = `${seeded.host}/fixtures/docker-image:1.0`;
    const { dockerImage } = seeded.setup.fixtures;
    const dir = seeded.ws.workspace('lock', { Dockerfile: `FROM ${ref}\n` });
    const result = await runAction(dir, { command: 'lock' });
    assert.equal(result.status, 0, result.stdout);
    assert.ok(result.stdout.includes('digest-pin lock --format markdown .\n'), result.stdout);
    assert.equal(result.outputs.get('changed'), 'true');
    assert.equal(result.outputs.get('changed-files'), 'digest-pin.lock');
    const lock = JSON.parse(seeded.ws.read(dir, 'digest-pin.lock')) as { images: Record<string, { digest: string }> };
    assert.equal(lock.images[ref]?.digest, dockerImage.digest);
    assert.ok(result.summary.startsWith('## digest-pin lock\n\n1 lock file written: 1 added\n'), result.summary);
    assert.ok(
      result.summary.includes(`| \`${ref}\` | new pin | \`${dockerImage.digest.slice(0, 19)}…\` |`),
      result.summary,
    );
    assert.equal(result.outputs.get('report'), result.summary.replace(/\n$/, ''));
    // The files themselves are not touched.
    assert.equal(seeded.ws.read(dir, 'Dockerfile'), `FROM ${ref}\n`);
  });

  it('an input it cannot read fails the step before anything runs', async () => {
    const dir = seeded.ws.workspace('bad-input', { Dockerfile: 'FROM python:3.12-slim\n' });
    const result = await runAction(dir, { command: 'pin', update: 'maybe' });
    assert.equal(result.status, 2);
    assert.deepEqual(commands(result.stdout), [
      "::error title=digest-pin::input 'update' must be true or false, not 'maybe'",
    ]);
    assert.equal(result.outputs.size, 0);
    assert.equal(seeded.ws.read(dir, 'Dockerfile'), 'FROM python:3.12-slim\n');
  });

  it('text from the files cannot issue workflow commands: the CLI output is fenced by stop-commands', async () => {
    const dir = seeded.ws.workspace('injection', { '::error::owned': 'FROM python:3.12-slim\n' });
    const result = await runAction(dir, { paths: '::error::owned', args: '--offline', 'fail-on': 'never' });
    assert.equal(result.status, 0, result.stdout);
    const fenced =
      /^::stop-commands::([0-9a-f-]{36})\ndigest-pin check --format json --fail-on never --offline ::error::owned\n::\1::$/m;
    assert.match(result.stdout, fenced);
    assert.ok(commands(result.stdout)[0]!.startsWith('::warning file=%3A%3Aerror%3A%3Aowned,line=1,'));
  });
});
