// Tekton: a step names its image through a parameter (`image: $(params.BUILDER_IMAGE)`) whose `default:` is the
// image that runs unless the caller overrides it — the image a reader means. Where a task spec (a mapping with
// `params` and `steps`, `sidecars`, `stepTemplate` or its own `image`, as in a StepAction) refers to a parameter
// that way, the parameter's literal default is reported; the step itself is reported as variable, pointing there.
import { isMap } from 'yaml';
import { containsVariable } from '../imageRef';
import { isStringScalar, type DocumentApi, type YamlNode } from './api';

const SOURCE = 'yaml';
const PARAM = /^\$\(params(?:\.([\w-]+)|\[\s*(['"])([\w.-]+)\2\s*\])\)$/;

export function isTekton(root: YamlNode, api: DocumentApi): boolean {
  return api.text(api.get(root, 'apiVersion'))?.startsWith('tekton.dev/') === true;
}

export function extractTekton(root: YamlNode, api: DocumentApi): void {
  for (const { map } of api.maps(root)) {
    const params = api.items(api.get(map, 'params'));
    if (params.length === 0) continue;
    for (const image of imagesOf(map, api)) {
      const match = PARAM.exec(api.text(image) ?? '');
      const name = match?.[1] ?? match?.[3];
      if (name === undefined) continue;
      const declared = params.find((param) => api.text(api.get(param, 'name')) === name);
      const fallback = api.get(declared, 'default');
      if (!isStringScalar(fallback) || fallback.value.trim() === '' || containsVariable(fallback.value)) continue;
      api.report(image, SOURCE, 'image', {
        variable: `'${api.text(image)}' is the parameter ${name}; its default (line ${api.line(fallback)}) is checked there`,
      });
      api.report(fallback, SOURCE, 'image');
    }
  }
}

function imagesOf(spec: YamlNode, api: DocumentApi): YamlNode[] {
  const out: YamlNode[] = [];
  const own = api.get(spec, 'image');
  if (own !== undefined) out.push(own);
  const template = api.get(spec, 'stepTemplate');
  if (isMap(template) && api.get(template, 'image') !== undefined) out.push(api.get(template, 'image')!);
  for (const list of ['steps', 'sidecars']) {
    for (const step of api.items(api.get(spec, list))) {
      const image = api.get(step, 'image');
      if (image !== undefined) out.push(image);
    }
  }
  return out;
}
