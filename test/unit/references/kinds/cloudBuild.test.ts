// Google Cloud Build: `steps[].name` is the image a step runs in; `images:` is what the build pushes (not a
// reference); substitutions' defaults; the JSON form through the YAML reader, with exact ranges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findReferences } from '../../../../server/src/references/index';
import { stripBom } from '../../../../server/src/references/positions';
import { assertReferences, check, rows, type Case } from './expect';

const step = rows('cloud-build', 'image');
const DIGEST = `sha256:${'b'.repeat(64)}`;

const cases: Case[] = [
  {
    name: 'steps[].name; images: (what is pushed) is not a reference',
    hint: 'cloud-build',
    kind: 'cloud-build',
    text: [
      'steps:',
      "  - name: 'gcr.io/cloud-builders/docker'",
      "    args: ['build', '-t', 'us-docker.pkg.dev/acme/web/app:$SHORT_SHA', '.']",
      '  - name: ubuntu',
      '    entrypoint: bash',
      "    args: ['-c', 'echo done']",
      'images:',
      "  - 'us-docker.pkg.dev/acme/web/app:1.0'",
      '',
    ].join('\n'),
    expect: [
      step.unpinned('gcr.io/cloud-builders/docker', 'gcr.io/cloud-builders/docker', null),
      step.unpinned('ubuntu', 'docker.io/library/ubuntu', null),
    ],
  },
  {
    name: 'quoted, plain and pinned names',
    hint: 'cloud-build',
    text: `steps:\n- name: "node:20-slim"\n  args: [npm, ci]\n- name: python:3.12@${DIGEST}\n  script: pytest\n`,
    expect: [
      step.unpinned('node:20-slim', 'docker.io/library/node', '20-slim'),
      step.pinned(`python:3.12@${DIGEST}`, 'docker.io/library/python', '3.12', DIGEST),
    ],
  },
  {
    name: 'built-in substitutions are variables',
    hint: 'cloud-build',
    text: "steps:\n- name: 'gcr.io/$PROJECT_ID/builder:latest'\n  args: [run]\n",
    expect: [step.variable('gcr.io/$PROJECT_ID/builder:latest')],
  },
  {
    name: 'a user substitution: the step is variable, its default is checked where it is written',
    hint: 'cloud-build',
    text: 'substitutions:\n  _NODE: node:22-alpine\nsteps:\n- name: $_NODE\n  args: [npm, test]\n',
    expect: [
      step.unpinned('node:22-alpine', 'docker.io/library/node', '22-alpine'),
      step.variable('$_NODE', {
        variable: "'$_NODE' is the substitution _NODE (line 2); its default is checked there",
      }),
    ],
  },
  {
    name: '${_X} braces, the default quoted',
    hint: 'cloud-build',
    text: 'steps:\n- name: "${_BUILDER}"\nsubstitutions:\n  _BUILDER: "gcr.io/kaniko-project/executor:v1.23.2"\n',
    expect: [
      step.variable('${_BUILDER}'),
      step.unpinned('gcr.io/kaniko-project/executor:v1.23.2', 'gcr.io/kaniko-project/executor', 'v1.23.2'),
    ],
  },
  {
    name: 'a default built from other substitutions is not followed',
    hint: 'cloud-build',
    text: 'substitutions:\n  _IMG: gcr.io/${PROJECT_ID}/tool:1\nsteps:\n- name: $_IMG\n',
    expect: [step.variable('$_IMG')],
  },
  {
    name: 'artifacts, options, tags and availableSecrets are not images',
    hint: 'cloud-build',
    text: [
      'steps:',
      '- name: golang:1.22',
      '  args: [go, build, ./...]',
      'artifacts:',
      '  objects:',
      '    location: gs://acme-artifacts/',
      '    paths: [app]',
      'options:',
      '  machineType: E2_HIGHCPU_8',
      '  pool: {name: projects/acme/locations/us/workerPools/p}',
      'tags: [nightly]',
      'timeout: 1200s',
      '',
    ].join('\n'),
    expect: [step.unpinned('golang:1.22', 'docker.io/library/golang', '1.22')],
  },
  {
    name: 'recognised by content: only build-config keys, steps that each have a name',
    kind: 'cloud-build',
    text: 'steps:\n- name: gcr.io/cloud-builders/gcloud\n  args: [app, deploy]\ntimeout: 600s\n',
    expect: [step.unpinned('gcr.io/cloud-builders/gcloud', 'gcr.io/cloud-builders/gcloud', null)],
  },
  {
    name: 'not Cloud Build by content: Woodpecker steps with image (the generic rule reads them)',
    kind: 'yaml',
    text: 'steps:\n- name: test\n  image: golang:1.22\n  commands: [go test]\n',
    expect: [rows('yaml', 'image').unpinned('golang:1.22', 'docker.io/library/golang', '1.22')],
  },
  {
    name: 'not Cloud Build by content: another top-level key',
    kind: 'yaml',
    text: 'version: 2\nsteps:\n- name: ubuntu\n',
    expect: [],
  },
  {
    name: '# digest-pin: ignore',
    hint: 'cloud-build',
    text: 'steps:\n# digest-pin: ignore\n- name: gcr.io/cloud-builders/docker\n- name: alpine:3 # digest-pin: ignore\n',
    expect: [
      step.unpinned('gcr.io/cloud-builders/docker', 'gcr.io/cloud-builders/docker', null, { ignored: true }),
      step.unpinned('alpine:3', 'docker.io/library/alpine', '3', { ignored: true }),
    ],
  },
];

describe('kinds/cloudBuild', () => {
  for (const c of cases) it(c.name, () => void check(c));

  it('cloudbuild.json through the YAML reader: exact ranges inside the quotes, images not read', () => {
    const text = [
      '{',
      '  "steps": [',
      '    { "name": "gcr.io/cloud-builders/docker", "args": ["build", "-t", "gcr.io/acme/app", "."] },',
      '    {"name":"node:20","entrypoint":"npm","args":["test"]}',
      '  ],',
      '  "images": ["gcr.io/acme/app"]',
      '}',
      '',
    ].join('\r\n');
    const result = findReferences('deploy/cloudbuild.json', text);
    assert.equal(result.kind, 'cloud-build');
    assert.deepEqual(result.notes, []);
    assertReferences(text, result.references, [
      step.unpinned('gcr.io/cloud-builders/docker', 'gcr.io/cloud-builders/docker', null),
      step.unpinned('node:20', 'docker.io/library/node', '20'),
    ]);
  });

  it('cloudbuild.yaml with a BOM and CRLF, found by name', () => {
    const text =
      '\uFEFFsteps:\r\n  - name: gcr.io/google.com/cloudsdktool/cloud-sdk:slim\r\n    args: [gcloud, version]\r\n';
    const result = findReferences('cloudbuild.yaml', text);
    assert.equal(result.kind, 'cloud-build');
    assertReferences(stripBom(text).text, result.references, [
      step.unpinned(
        'gcr.io/google.com/cloudsdktool/cloud-sdk:slim',
        'gcr.io/google.com/cloudsdktool/cloud-sdk',
        'slim',
      ),
    ]);
  });

  it('a JSON string with an escape is reported invalid (a pin cannot be written into it)', () => {
    const text = '{"steps": [{"name": "gcr.io\\/cloud-builders\\/docker"}]}';
    const [ref] = findReferences('cloudbuild.json', text).references;
    assert.equal(ref?.status, 'invalid');
    assert.equal(ref?.source, 'cloud-build');
  });
});
