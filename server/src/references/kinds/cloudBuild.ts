// Google Cloud Build (`cloudbuild.yaml`, `cloudbuild.json`): each step runs in the container image its `name` names.
// `images:` and `artifacts:` list what the build pushes, not what it pulls: not references. A step written as a
// user substitution (`name: $_BUILDER` / `${_BUILDER}`) takes the value the file's `substitutions:` gives it, so
// that literal is reported too.
import { isMap } from 'yaml';
import { containsVariable } from '../imageRef';
import { isStringScalar, type DocumentApi, type YamlNode } from './api';

const SOURCE = 'cloud-build';
/** Top-level keys of a build config (cloudbuild.yaml schema). */
const BUILD_KEYS = new Set([
  'steps',
  'timeout',
  'queueTtl',
  'logsBucket',
  'options',
  'substitutions',
  'tags',
  'serviceAccount',
  'secrets',
  'availableSecrets',
  'artifacts',
  'images',
  'dependencies',
]);
/** Keys of a build step. */
const STEP_KEYS = new Set([
  'name',
  'args',
  'env',
  'dir',
  'id',
  'waitFor',
  'entrypoint',
  'secretEnv',
  'volumes',
  'timeout',
  'script',
  'automapSubstitutions',
  'allowFailure',
  'allowExitCodes',
]);
/** User-defined substitutions start with an underscore: `$_BUILDER`, `${_BUILDER}`. */
const SUBSTITUTION = /^\$(?:\{(_[A-Z0-9_]+)\}|(_[A-Z0-9_]+))$/;

/**
 * By content, conservatively: only build-config keys at the top, and `steps` a non-empty list of steps that each
 * have a string `name` and only step keys (Drone, Woodpecker and Azure steps have others: `image`, `commands`, `task`).
 */
export function isCloudBuild(root: YamlNode, api: DocumentApi): boolean {
  if (!isMap(root) || api.entries(root).some(([key]) => !BUILD_KEYS.has(key))) return false;
  const steps = api.items(api.get(root, 'steps'));
  return (
    steps.length > 0 &&
    steps.every(
      (step) => isStringScalar(api.get(step, 'name')) && api.entries(step).every(([key]) => STEP_KEYS.has(key)),
    )
  );
}

export function extractCloudBuild(root: YamlNode, api: DocumentApi): void {
  const substitutions = api.get(root, 'substitutions');
  for (const step of api.items(api.get(root, 'steps'))) {
    const image = api.get(step, 'name');
    const text = api.text(image);
    const match = SUBSTITUTION.exec(text ?? '');
    const name = match?.[1] ?? match?.[2];
    const value = name === undefined ? undefined : api.get(substitutions, name);
    if (name === undefined || !isStringScalar(value) || value.value.trim() === '' || containsVariable(value.value)) {
      api.report(image, SOURCE, 'image');
      continue;
    }
    api.report(image, SOURCE, 'image', {
      variable: `'${text}' is the substitution ${name} (line ${api.line(value)}); its default is checked there`,
    });
    api.report(value, SOURCE, 'image');
  }
}
