// The files that put digest-pin into other people's CI: action.yml, the scheduled workflow example, the GitLab CI/CD
// component and the pre-commit hooks. Each parses, and each names only what really exists: the action's inputs and
// outputs, the component's inputs, the package's command and the file names digest-pin reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { readInputs } from '../../../server/src/action/inputs';
import { kindFromName } from '../../../server/src/references/fileKind';
import pkg from '../../../package.json';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const yaml = (path: string): Record<string, unknown> => parse(read(path)) as Record<string, unknown>;

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { default: string; required: boolean; description: string }>;
  outputs: Record<string, { description: string }>;
}
const action = yaml('action.yml') as unknown as ActionYml;

describe('action.yml', () => {
  it('a JavaScript action on node20 whose main is the committed bundle', () => {
    assert.deepEqual(action.runs, { using: 'node20', main: 'action/dist/index.js' });
    assert.ok(read('action/dist/index.js').length > 0);
  });

  it('inputs: exactly those the action reads, with the defaults it falls back to', () => {
    assert.deepEqual(Object.keys(action.inputs), ['command', 'paths', 'update', 'fail-on', 'args']);
    const env = Object.fromEntries(
      Object.entries(action.inputs).map(([name, spec]) => [`INPUT_${name.toUpperCase()}`, spec.default]),
    );
    // What the runner passes when a workflow gives no input reads the same as no variable at all.
    assert.deepEqual(readInputs(env), readInputs({}));
    for (const [name, spec] of Object.entries(action.inputs)) {
      assert.equal(spec.required, false, name);
      assert.equal(typeof spec.default, 'string', `${name}: the runner passes strings`);
      assert.ok(spec.description.length > 10, name);
    }
  });

  it('outputs: changed, findings, changed-files, report', () => {
    assert.deepEqual(Object.keys(action.outputs), ['changed', 'findings', 'changed-files', 'report']);
  });
});

interface Step {
  id?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
}

describe('examples/workflows/digest-pin-update.yml', () => {
  const text = read('examples/workflows/digest-pin-update.yml');
  const workflow = parse(text) as {
    on: { schedule: Array<{ cron: string }> };
    permissions: Record<string, string>;
    jobs: Record<string, { steps: Step[] }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const pin = steps.find((step) => step.uses?.startsWith('digest-pin/digest-pin@'));

  it('runs weekly on a schedule, may write contents and pull requests', () => {
    assert.match(workflow.on.schedule[0]!.cron, /^\S+ \S+ \* \* [0-6]$/);
    assert.deepEqual(workflow.permissions, { contents: 'write', 'pull-requests': 'write' });
  });

  it('runs the action with command pin and update, giving only inputs action.yml declares', () => {
    assert.ok(pin?.id, 'the action step has an id');
    assert.equal(pin.with?.['command'], 'pin');
    assert.equal(pin.with?.['update'], true);
    for (const name of Object.keys(pin.with ?? {})) assert.ok(name in action.inputs, name);
  });

  it("every output it reads is one of the action's, of the action's step", () => {
    const used = [...text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)];
    assert.ok(used.length >= 3);
    for (const [, id, output] of used) {
      assert.equal(id, pin?.id);
      assert.ok(output! in action.outputs, output);
    }
  });

  it('opens a pull request when files changed, with the report as its body', () => {
    const pr = steps.find((step) => step.uses?.startsWith('peter-evans/create-pull-request@'));
    assert.ok(pr, 'a create-pull-request step');
    assert.equal(pr.if, `steps.${pin?.id}.outputs.changed == 'true'`);
    assert.equal(pr.with?.['body'], `\${{ steps.${pin?.id}.outputs.report }}`);
  });
});

describe('templates/digest-pin.yml (GitLab CI/CD component)', () => {
  const text = read('templates/digest-pin.yml');
  const documents = parseAllDocuments(text);

  it('a spec document with inputs, then the jobs', () => {
    assert.equal(documents.length, 2);
    for (const doc of documents) assert.deepEqual(doc.errors, []);
    const spec = documents[0]!.toJS() as { spec: { inputs: Record<string, { default?: unknown }> } };
    const jobs = documents[1]!.toJS() as Record<string, { script: string[]; rules: Array<{ if: string }> }>;
    assert.deepEqual(Object.keys(jobs), ['digest-pin-check', 'digest-pin-update']);
    assert.equal(jobs['digest-pin-update']!.rules[0]!.if, '$CI_PIPELINE_SOURCE == "schedule"');
    assert.equal(jobs['digest-pin-check']!.rules[0]!.if, '$CI_PIPELINE_SOURCE != "schedule"');
    assert.ok(jobs['digest-pin-check']!.script.some((line) => line.includes(' check ')));
    assert.ok(jobs['digest-pin-update']!.script.some((line) => line.includes(' pin --update ')));
    for (const [name, input] of Object.entries(spec.spec.inputs)) assert.ok('default' in input, `${name}: optional`);
  });

  it('uses only inputs its spec declares, and every one it declares', () => {
    const spec = documents[0]!.toJS() as { spec: { inputs: Record<string, unknown> } };
    const jobsText = text.slice(text.indexOf('\n---\n'));
    const used = new Set([...jobsText.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((m) => m[1]!));
    assert.deepEqual([...used].sort(), Object.keys(spec.spec.inputs).sort());
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = yaml('.pre-commit-hooks.yaml') as unknown as Array<Record<string, unknown>>;

  it('an offline check hook, and a pin hook for the manual stage, both running the package command', () => {
    assert.deepEqual(
      hooks.map((hook) => [hook['id'], hook['entry'], hook['language'], hook['stages']]),
      [
        ['digest-pin', 'digest-pin check --offline', 'node', undefined],
        ['digest-pin-pin', 'digest-pin pin', 'node', ['manual']],
      ],
    );
    assert.deepEqual(Object.keys(pkg.bin), ['digest-pin']);
    assert.equal(
      pkg.scripts.prepare,
      'node scripts/bundle.mjs',
      'pre-commit installs from git: prepare builds the bin',
    );
  });

  it('files: the names digest-pin reads (fileKind.ts); exclude: names of other formats', () => {
    // Python's inline (?i) is JavaScript's i flag.
    const pattern = (key: string) => new RegExp(String(hooks[0]![key]).replace(/^\(\?i\)/, ''), 'i');
    const files = pattern('files');
    const exclude = pattern('exclude');
    const selected = (path: string) => files.test(path) && !exclude.test(path);
    const read = [
      'Dockerfile',
      'docker/Dockerfile.prod',
      'Containerfile',
      'api.Dockerfile',
      'build/x-dockerfile',
      'compose.yaml',
      'deploy/k8s/app.yml',
      '.gitlab-ci.yml',
      '.github/workflows/ci.yaml',
      'cloudbuild.json',
      'ci/prod.cloudbuild.json',
      'quadlet/web.container',
      'quadlet/db.volume',
      'app.image',
      'web.container.d/10-image.conf',
      '.devcontainer/devcontainer.json',
      '.devcontainer/node/devcontainer.json',
      '.devcontainer.json',
      'overlays/prod/kustomization.yaml',
      'base/Kustomization',
    ];
    for (const path of read) {
      assert.notEqual(kindFromName(path), null, `fileKind reads ${path}`);
      assert.ok(selected(path), `the hook selects ${path}`);
    }
    for (const path of [
      'README.md',
      'Dockerfile.dockerignore',
      'Dockerfile.md',
      'package.json',
      'src/main.ts',
      'x.conf',
    ])
      assert.ok(!selected(path), `the hook leaves ${path}`);
    const [check, pin] = hooks;
    assert.equal(pin!['files'], check!['files']);
    assert.equal(pin!['exclude'], check!['exclude']);
  });
});
