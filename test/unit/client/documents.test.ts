// Which documents reach the server and which files "Pin all" hands it: the globs must cover every name the engine
// reads (server/src/references/fileKind.ts decides; these only have to let those files through).
import assert from 'node:assert/strict';
import { matchesGlob } from 'node:path';
import { describe, it } from 'node:test';
import {
  DEVCONTAINER_NAMES_GLOB,
  HELM_VALUES_GLOB,
  DOCKERFILE_NAMES_GLOB,
  DOCUMENT_SELECTOR,
  excludeGlob,
  isWorkspaceFile,
  LANGUAGES,
  OTHER_NAMES_GLOB,
  WORKSPACE_FILES_GLOB,
} from '../../../client/src/documents';
import { kindFromName } from '../../../server/src/references/fileKind';
import pkg from '../../../package.json';

const dockerfileNames = [
  'Dockerfile',
  'dockerfile',
  'Containerfile',
  'containerfile',
  'Dockerfile.dev',
  'Containerfile.fedora',
  'prod.Dockerfile',
  'x.containerfile',
  'api.dockerfile',
  'Dockerfile-dev',
  'Dockerfile_prod',
  'api-dockerfile',
  'api-Dockerfile',
  'api_Dockerfile',
  'owner__repo__python__3.12__Dockerfile',
  'Containerfile-alpine',
  'x-containerfile',
];
const otherEngineNames = [
  'docker-compose.yml',
  'compose.yaml',
  'compose.prod.yaml',
  '.gitlab-ci.yml',
  'ci.yml',
  'deployment.yaml',
  'Dockerfile.yml',
  'devcontainer.json',
  '.devcontainer.json',
  'x__devcontainer.json',
  'cloudbuild.yaml',
  'azure-pipelines.yml',
  'values.yaml',
  'chart/values-prod.yaml',
  'kustomization.yaml',
  'overlays/prod/kustomization.yml',
];
/** Read by name whatever language VS Code gives them (OTHER_NAMES_GLOB). */
const otherNamed = [
  'web.container',
  'db.volume',
  'fedora.image',
  'web@.container',
  'web.container.d/10-image.conf',
  'db.volume.d/driver.conf',
  'cloudbuild.json',
  'overlays/prod/Kustomization',
  'cloudbuild-prod.json',
  'deploy.cloudbuild.json',
];
const notRead = [
  'README.md',
  'Dockerfile.md',
  'Dockerfile.dockerignore',
  'package.json',
  'Makefile',
  'NotADockerfile',
  'values.toml',
  'app.build',
  'meson.build',
  'web.network',
  'settings.conf',
  'config.ini',
  'data.json',
];

const inWorkspace = (name: string) => `/home/me/project/sub/${name}`;

describe('client/documents', () => {
  it('the names in these tables are what the engine says they are', () => {
    assert.deepEqual(
      dockerfileNames.filter((n) => kindFromName(n) !== 'dockerfile'),
      [],
    );
    assert.deepEqual(
      otherEngineNames.filter((n) => kindFromName(n) === null || kindFromName(n) === 'dockerfile'),
      [],
    );
    assert.deepEqual(
      otherNamed.filter((n) => kindFromName(n) === null || kindFromName(n) === 'dockerfile'),
      [],
    );
    assert.deepEqual(
      notRead.filter((n) => kindFromName(n) !== null),
      [],
    );
  });

  it('the document selector reaches Quadlet units and cloudbuild.json by name, and nothing the engine does not read', () => {
    assert.deepEqual(
      otherNamed.filter((n) => !matchesGlob(inWorkspace(n), OTHER_NAMES_GLOB)),
      [],
    );
    assert.deepEqual(
      notRead.filter((n) => matchesGlob(inWorkspace(n), OTHER_NAMES_GLOB)),
      [],
    );
  });

  it('the document selector reaches every Dockerfile by name, whatever language VS Code gave it', () => {
    const pattern = DOCUMENT_SELECTOR.find((f) => 'pattern' in f && f.pattern)?.pattern;
    assert.equal(pattern, DOCKERFILE_NAMES_GLOB);
    assert.deepEqual(
      dockerfileNames.filter((n) => !matchesGlob(inWorkspace(n), DOCKERFILE_NAMES_GLOB)),
      [],
    );
    assert.deepEqual(
      ['README.md', 'package.json', 'compose.yaml', 'NotADockerfile'].filter((n) =>
        matchesGlob(inWorkspace(n), DOCKERFILE_NAMES_GLOB),
      ),
      [],
    );
  });

  it('selects the four languages in any scheme, and files by name only on disk', () => {
    assert.deepEqual(DOCUMENT_SELECTOR, [
      { language: 'dockerfile' },
      { language: 'dockercompose' },
      { language: 'yaml' },
      { language: 'github-actions-workflow' },
      { scheme: 'file', pattern: DOCKERFILE_NAMES_GLOB },
      { scheme: 'file', pattern: OTHER_NAMES_GLOB },
      { language: 'jsonc', pattern: DEVCONTAINER_NAMES_GLOB },
      { language: 'helm', pattern: HELM_VALUES_GLOB },
      { scheme: 'file', pattern: DEVCONTAINER_NAMES_GLOB },
    ]);
  });

  it('a chart: values files in the helm language are selected, its templates are not', () => {
    for (const name of ['values.yaml', 'chart/values-prod.yaml', 'charts/x/values.yml'])
      assert.ok(matchesGlob(inWorkspace(name), HELM_VALUES_GLOB), name);
    for (const name of ['chart/templates/deployment.yaml', 'chart/Chart.yaml', 'chart/templates/_helpers.tpl'])
      assert.ok(!matchesGlob(inWorkspace(name), HELM_VALUES_GLOB), name);
  });

  it('devcontainer.json: the selector reaches every name the engine reads as one, and no other JSON', () => {
    const devcontainers = [
      '.devcontainer/devcontainer.json',
      '.devcontainer/python/devcontainer.json',
      '.devcontainer.json',
      'devcontainer.json',
      'x.devcontainer.json',
      'owner__repo__.devcontainer__devcontainer.json',
    ];
    assert.deepEqual(
      devcontainers.filter((n) => kindFromName(inWorkspace(n)) !== 'devcontainer'),
      [],
    );
    assert.deepEqual(
      devcontainers.filter((n) => !matchesGlob(inWorkspace(n), DEVCONTAINER_NAMES_GLOB)),
      [],
    );
    const others = ['.vscode/settings.json', 'tsconfig.json', 'package.json', '.devcontainer/devcontainer-lock.json'];
    assert.deepEqual(
      others.filter((n) => matchesGlob(inWorkspace(n), DEVCONTAINER_NAMES_GLOB) || kindFromName(n) !== null),
      [],
    );
    assert.deepEqual(
      devcontainers.filter((n) => !isWorkspaceFile(inWorkspace(n))),
      [],
    );
    // The workspace search: VS Code's `**` enters dot folders (`.devcontainer/`), node's does not; the names match.
    assert.deepEqual(
      devcontainers.filter((n) => !n.includes('/') && !matchesGlob(inWorkspace(n), WORKSPACE_FILES_GLOB)),
      [],
    );
  });

  it('package.json activates on the same languages', () => {
    const onLanguage = pkg.activationEvents
      .filter((e) => e.startsWith('onLanguage:'))
      .map((e) => e.slice('onLanguage:'.length));
    // helm: a chart's values (HELM_VALUES_GLOB); json / jsonc / ini are left to workspaceContains, since every
    // settings.json or .ini file would otherwise start the language server.
    assert.deepEqual(onLanguage, [...LANGUAGES, 'helm']);
    assert.deepEqual(
      pkg.activationEvents.filter((e) => e.startsWith('workspaceContains:')),
      [
        'workspaceContains:**/Dockerfile',
        'workspaceContains:**/Containerfile',
        'workspaceContains:**/*compose*.y*ml',
        'workspaceContains:**/*.container',
        'workspaceContains:**/*.image',
        'workspaceContains:**/*.volume',
        'workspaceContains:**/.devcontainer/**/devcontainer.json',
        'workspaceContains:**/.devcontainer.json',
        'workspaceContains:**/kustomization.y*ml',
        'workspaceContains:**/Chart.yaml',
      ],
    );
  });

  it('the workspace search finds every file the engine reads, and isWorkspaceFile keeps exactly those', () => {
    const all = [...dockerfileNames, ...otherEngineNames, ...otherNamed];
    assert.deepEqual(
      all.filter((n) => !matchesGlob(inWorkspace(n), WORKSPACE_FILES_GLOB)),
      [],
    );
    assert.deepEqual(
      all.filter((n) => !isWorkspaceFile(inWorkspace(n))),
      [],
    );
    assert.deepEqual(
      notRead.filter((n) => isWorkspaceFile(inWorkspace(n))),
      [],
    );
    assert.equal(isWorkspaceFile('/p/.github/workflows/ci.yml'), true);
  });

  it('excludes node_modules and .git always, plus what files.exclude turns on unconditionally', () => {
    assert.equal(excludeGlob(undefined), '{**/node_modules/**,**/.git/**}');
    assert.equal(
      excludeGlob({
        '**/.git': true,
        '**/.svn': true,
        '**/build': false,
        '**/*.js': { when: '$(basename).ts' },
        '**/{a,b}': true,
        '**/.git/**': true,
      }),
      '{**/node_modules/**,**/.git/**,**/.git,**/.svn}',
    );
  });
});
