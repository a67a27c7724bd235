// How the edit builders see a file's comment style: a Dockerfile and a Quadlet unit take comments only on lines of
// their own (`ini`), JSON none, the rest is YAML.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatOf } from '../../../server/src/lsp/fileView';

describe('lsp/fileView formatOf', () => {
  const cases: Array<[path: string, kind: string | null, text: string, format: string]> = [
    ['/w/Dockerfile', 'dockerfile', 'FROM a\n', 'dockerfile'],
    ['/w/web.container', 'quadlet', '[Container]\nImage=nginx:1\n', 'ini'],
    ['/w/web.container.d/10-image.conf', 'quadlet', '[Container]\nImage=nginx:1\n', 'ini'],
    ['/w/units/web.unit', 'quadlet', '[Container]\nImage=nginx:1\n', 'ini'],
    ['/w/cloudbuild.json', 'cloud-build', '{"steps": []}', 'json'],
    ['/w/cloudbuild.yaml', 'cloud-build', 'steps: []\n', 'yaml'],
    ['/w/azure-pipelines.yml', 'azure-pipelines', 'steps: []\n', 'yaml'],
    ['/w/.devcontainer/devcontainer.json', 'yaml', '{}', 'json'],
  ];
  for (const [path, kind, text, format] of cases) {
    it(`${path} (${kind}) → ${format}`, () => assert.equal(formatOf({ path }, kind, text), format));
  }
});
