// GitLab CI: `image` and `services` (strings, or mappings with `name`) at the top level, in `default:` and in every
// job, hidden jobs (`.template:`) included; `extends:` does not matter, since each literal is reported where it is
// written. An image written as `$VAR` / `${VAR}` takes its value from the job's `parallel.matrix` or from
// `variables:` (the job's, then the file's), so those literals are reported too.
import { isMap, isScalar } from 'yaml';
import { containsVariable } from '../imageRef';
import type { ReferenceContext } from '../types';
import { isStringScalar, type DocumentApi, type YamlNode } from './api';

const SOURCE = 'gitlab-ci';
/** Top-level keys that are settings, not jobs. */
const GLOBAL_KEYS = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'types',
  'spec',
]);
/** Keys only a GitLab job has. */
const JOB_KEYS = ['script', 'trigger', 'extends', 'run', 'stage', 'before_script', 'after_script'];
const SINGLE_VARIABLE = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))$/;
const INPUT = /\$\[\[/;
/** GitLab's hosted macOS runners name a VM image (`macos-14-xcode-15`), not a container image. */
const MACOS_VM_IMAGE = /^macos-[\w.]+-xcode-[\w.]+$/;

/** `stages:` as a list of names, a job (a top-level mapping with `script`, `stage`, `extends` …), or `default:` with an image. */
export function isGitLabCi(root: YamlNode, api: DocumentApi): boolean {
  const stages = api.items(api.get(root, 'stages'));
  if (stages.length > 0 && stages.every(isScalar)) return true;
  if (api.get(api.get(root, 'default'), 'image') !== undefined) return true;
  return api
    .entries(root)
    .some(([key, job]) => !GLOBAL_KEYS.has(key) && isMap(job) && JOB_KEYS.some((k) => api.get(job, k) !== undefined));
}

export function extractGitLabCi(root: YamlNode, api: DocumentApi): void {
  const global = api.get(root, 'variables');
  reportJob(root, [global], api);
  reportJob(api.get(root, 'default'), [global], api);
  for (const [key, job] of api.entries(root)) {
    if (!GLOBAL_KEYS.has(key) && isMap(job)) reportJob(job, [api.get(job, 'variables'), global], api);
  }
}

interface Scope {
  job: YamlNode | undefined;
  variables: Array<YamlNode | undefined>;
}

function reportJob(job: YamlNode | undefined, variables: Array<YamlNode | undefined>, api: DocumentApi): void {
  const scope = { job, variables };
  reportImage(api.get(job, 'image'), 'image', scope, api);
  for (const service of api.items(api.get(job, 'services'))) reportImage(service, 'service', scope, api);
}

/** A string, or a mapping whose `name` is the image (with `entrypoint`, `alias`, `docker.platform` … beside it). */
function reportImage(node: YamlNode | undefined, context: ReferenceContext, scope: Scope, api: DocumentApi): void {
  const image = isMap(node) ? api.get(node, 'name') : node;
  const text = api.text(image);
  if (text === undefined || MACOS_VM_IMAGE.test(text)) return;
  const options = { platform: platformOf(node, api) };
  if (INPUT.test(text)) {
    api.report(image, SOURCE, context);
    return;
  }
  const match = SINGLE_VARIABLE.exec(text);
  const name = match?.[1] ?? match?.[2];
  const values = name === undefined ? [] : variableValues(name, scope, api);
  const first = values[0];
  if (name === undefined || first === undefined) {
    api.report(image, SOURCE, context, options);
    return;
  }
  api.report(image, SOURCE, context, {
    variable: `'${text}' is set by ${name} (line ${api.line(first)}); those images are checked there`,
  });
  for (const value of values) api.report(value, SOURCE, context, options);
}

/** `image.docker.platform` when literal. GitLab writes it without the OS (`arm64/v8`); references carry `linux/arm64/v8`. */
function platformOf(image: YamlNode | undefined, api: DocumentApi): string | undefined {
  const platform = api.text(api.get(api.get(image, 'docker'), 'platform'))?.trim();
  if (!platform || containsVariable(platform)) return undefined;
  return /^(?:linux|windows|darwin|freebsd)(?:\/|$)/.test(platform) ? platform : `linux/${platform}`;
}

/**
 * The literal values a variable takes in a job: each `parallel.matrix` entry that sets it (a value or a list),
 * else the first `variables:` that sets it (`NAME: value` or `NAME: {value: …}`). Values built from other
 * variables are left alone: the consumer is already reported as variable.
 */
function variableValues(name: string, scope: Scope, api: DocumentApi): YamlNode[] {
  const matrix: YamlNode[] = [];
  for (const entry of api.items(api.get(api.get(scope.job, 'parallel'), 'matrix'))) {
    const set = api.get(entry, name);
    matrix.push(...(set === undefined ? [] : isScalar(set) ? [set] : api.items(set)));
  }
  if (matrix.length > 0) return matrix.filter((value) => isLiteral(value, api));
  for (const variables of scope.variables) {
    const set = api.get(variables, name);
    if (set === undefined) continue;
    const value = isMap(set) ? api.get(set, 'value') : set;
    return isLiteral(value, api) ? [value] : [];
  }
  return [];
}

function isLiteral(value: YamlNode | undefined, api: DocumentApi): value is YamlNode {
  return (
    isStringScalar(value) &&
    value.value.trim() !== '' &&
    !containsVariable(value.value) &&
    !MACOS_VM_IMAGE.test(api.text(value) ?? '')
  );
}
