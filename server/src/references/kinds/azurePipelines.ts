// Azure Pipelines: container jobs. `resources.containers[].image` defines an image under an alias
// (`container: linux`); a job's `container:` (the pipeline's own for a single-job pipeline, each `jobs[]` entry, each
// `stages[].jobs[]` entry) is such an alias, an image written directly (`container: ubuntu:24.04`) or a mapping
// with `image:`; `services:` maps names to aliases or images. A bare word that is no alias of this file (`container:
// linux` in a template whose pipeline defines the alias) is left alone: it is most likely an alias defined
// elsewhere. `pool.vmImage` names a hosted VM image, not a container image. Every other `image:` key is still read
// by the generic rule (source `yaml`).
import { isMap, isScalar } from 'yaml';
import { containsVariable } from '../imageRef';
import type { ReferenceContext } from '../types';
import { type DocumentApi, type YamlNode } from './api';
import { extractGeneric } from './generic';

const SOURCE = 'azure-pipelines';
/** Step keys only Azure Pipelines has (`script` is shared with Cloud Build and others). */
const STEP_KEYS = [
  'task',
  'checkout',
  'bash',
  'pwsh',
  'powershell',
  'download',
  'downloadBuild',
  'getPackage',
  'publish',
  'reviewApp',
];

/**
 * By content, conservatively: `stages` a list of `- stage:` entries, `jobs` a list of `- job:` / `- deployment:`
 * entries, `steps` with an Azure-only step (`- task:`, `- checkout:`, `- bash:` …), or a top-level `pool` with a
 * `vmImage`.
 */
export function isAzurePipelines(root: YamlNode, api: DocumentApi): boolean {
  if (!isMap(root)) return false;
  const has = (list: string, keys: readonly string[]): boolean =>
    api.items(api.get(root, list)).some((item) => keys.some((key) => api.get(item, key) !== undefined));
  return (
    has('stages', ['stage']) ||
    has('jobs', ['job', 'deployment']) ||
    has('steps', STEP_KEYS) ||
    api.get(api.get(root, 'pool'), 'vmImage') !== undefined
  );
}

export function extractAzurePipelines(root: YamlNode, api: DocumentApi): void {
  const aliases = new Set<string>();
  for (const container of api.items(api.get(api.get(root, 'resources'), 'containers'))) {
    const alias = api.text(api.get(container, 'container'));
    if (alias !== undefined) aliases.add(alias);
    api.report(api.get(container, 'image'), SOURCE, 'image');
  }
  const jobs = [root, ...api.items(api.get(root, 'jobs'))];
  for (const stage of api.items(api.get(root, 'stages'))) jobs.push(...api.items(api.get(stage, 'jobs')));
  for (const job of jobs) {
    if (!isMap(job)) continue;
    reportContainer(api.get(job, 'container'), 'container', aliases, api);
    for (const [, service] of api.entries(api.get(job, 'services'))) reportContainer(service, 'service', aliases, api);
  }
  extractGeneric(root, api);
}

/** A string (alias or image) or a mapping with `image`. */
function reportContainer(
  node: YamlNode | undefined,
  context: ReferenceContext,
  aliases: ReadonlySet<string>,
  api: DocumentApi,
): void {
  if (isMap(node)) {
    api.report(api.get(node, 'image'), SOURCE, context);
    return;
  }
  const text = api.text(node);
  if (!isScalar(node) || text === undefined || aliases.has(text)) return;
  if (!containsVariable(text) && !/[/:@]/.test(text)) return;
  api.report(node, SOURCE, context);
}
