// GitHub Actions: a job's `container` (a string or `.image`), its `services.<id>.image`, and steps that run a
// container directly (`uses: docker://…`, the range after `docker://`). `runs-on` and action references
// (`actions/checkout@v4`) are not images, nor are action inputs in general (many name an image to build or push);
// only the inputs of ACTION_IMAGE_INPUTS, known to be pulled, are. An image written as `${{ matrix.x }}` (or
// `${{ matrix.x.image }}`) takes its values from the job's matrix, so those literals are reported too. Action
// metadata files (action.yml) run an image with `runs.image: docker://…` (`runs.image: Dockerfile` builds one).
import { isMap, isScalar, isSeq } from 'yaml';
import { isStringScalar, type DocumentApi, type YamlNode } from './api';
import type { ReferenceContext } from '../types';

const SOURCE = 'github-actions';
const DOCKER = 'docker://';
const MATRIX_VALUE = /^\$\{\{\s*matrix((?:\.[A-Za-z_][\w-]*)+)\s*\}\}$/;
/** Action inputs that name an image the action pulls and runs. */
const ACTION_IMAGE_INPUTS: ReadonlyMap<string, readonly string[]> = new Map([['docker/setup-qemu-action', ['image']]]);

/** A workflow (`jobs` with `on:` or a job with `runs-on`) or an action's metadata (`runs.using`). */
export function isGitHubActions(root: YamlNode, api: DocumentApi): boolean {
  const jobs = api.get(root, 'jobs');
  if (isMap(jobs)) {
    // `on` is a string key in YAML 1.2; a YAML 1.1 reader (or a `true:` key written by one) makes it true.
    if (api.get(root, 'on') !== undefined || api.get(root, 'true') !== undefined) return true;
    return api.entries(jobs).some(([, job]) => api.get(job, 'runs-on') !== undefined);
  }
  const runs = api.get(root, 'runs');
  return isMap(runs) && api.get(runs, 'using') !== undefined;
}

export function extractGitHubActions(root: YamlNode, api: DocumentApi): void {
  for (const [, job] of api.entries(api.get(root, 'jobs'))) {
    if (!isMap(job)) continue;
    const container = api.get(job, 'container');
    reportImage(isScalar(container) ? container : api.get(container, 'image'), 'container', job, api);
    for (const [, service] of api.entries(api.get(job, 'services')))
      reportImage(api.get(service, 'image'), 'service', job, api);
    reportSteps(api.get(job, 'steps'), api);
  }
  const runs = api.get(root, 'runs');
  reportDocker(api.get(runs, 'image'), 'image', api);
  reportSteps(api.get(runs, 'steps'), api);
}

function reportSteps(steps: YamlNode | undefined, api: DocumentApi): void {
  for (const step of api.items(steps)) {
    const uses = api.get(step, 'uses');
    reportDocker(uses, 'uses', api);
    const action = api.text(uses)?.split('@')[0]?.toLowerCase() ?? '';
    for (const input of ACTION_IMAGE_INPUTS.get(action) ?? [])
      api.report(api.get(api.get(step, 'with'), input), SOURCE, 'image');
  }
}

function reportDocker(node: YamlNode | undefined, context: ReferenceContext, api: DocumentApi): void {
  if (api.text(node)?.startsWith(DOCKER)) api.report(node, SOURCE, context, { prefix: DOCKER });
}

function reportImage(node: YamlNode | undefined, context: ReferenceContext, job: YamlNode, api: DocumentApi): void {
  const path = MATRIX_VALUE.exec(api.text(node) ?? '')?.[1]
    ?.slice(1)
    .split('.');
  if (path === undefined) {
    api.report(node, SOURCE, context);
    return;
  }
  const values = matrixValues(job, path, api);
  const where = values[0] ? ` (line ${api.line(values[0])})` : '';
  api.report(node, SOURCE, context, {
    variable: values.length
      ? `'${api.text(node)}' takes its values from the job's matrix${where}; those images are checked there`
      : `'${api.text(node)}' comes from the job's matrix, which is computed when the workflow runs`,
  });
  for (const value of values) api.report(value, SOURCE, context);
}

/**
 * The literal images `${{ matrix.<name>[.<field>…] }}` can take: `strategy.matrix.<name>` (a list or a single
 * value) and `<name>` of each `include` entry, then `<field>…` inside each. A value may be a container mapping
 * with its own `image`. Values that are themselves expressions are left alone (the consumer is already reported
 * as variable). `exclude` entries only name combinations to drop, so they are not images.
 */
function matrixValues(job: YamlNode, [name = '', ...fields]: string[], api: DocumentApi): YamlNode[] {
  const matrix = api.get(api.get(job, 'strategy'), 'matrix');
  const candidates: YamlNode[] = [];
  const own = api.get(matrix, name);
  if (isSeq(own)) candidates.push(...api.items(own));
  else if (own !== undefined) candidates.push(own);
  for (const entry of api.items(api.get(matrix, 'include'))) {
    const value = api.get(entry, name);
    if (value !== undefined) candidates.push(value);
  }
  const out: YamlNode[] = [];
  for (const candidate of candidates) {
    const value = fields.reduce<YamlNode | undefined>((node, field) => api.get(node, field), candidate);
    const image = isMap(value) ? api.get(value, 'image') : value;
    if (isStringScalar(image) && !image.value.includes('${{')) out.push(image);
  }
  return out;
}
