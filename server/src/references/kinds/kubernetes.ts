// Kubernetes: the `image` of every container in every pod spec, and image volumes (`volumes[].image.reference`).
// Rather than list where each kind keeps its pod template (Pod spec, Deployment spec.template.spec, CronJob
// spec.jobTemplate.spec.template.spec, List items, Argo Rollouts, Knative, PodTemplate, operators' CRDs …), any
// mapping shaped like a pod spec counts: one with a `containers` sequence of mappings that have a `name` or an
// `image`.
import { isMap } from 'yaml';
import type { DocumentApi, YamlNode } from './api';

const SOURCE = 'kubernetes';
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

/** A document with a literal `apiVersion` and `kind`. */
export function isKubernetes(root: YamlNode, api: DocumentApi): boolean {
  return isMap(root) && Boolean(api.text(api.get(root, 'apiVersion'))) && Boolean(api.text(api.get(root, 'kind')));
}

/**
 * A built-in API group (`v1`, `apps/v1`, `batch/v1`, `*.k8s.io/…`): every image such an object holds is in a pod
 * spec, and its other `image` keys (a Ceph `rbd.image`) are not container images. Other groups are CRDs.
 */
export function isBuiltInKind(root: YamlNode, api: DocumentApi): boolean {
  const apiVersion = api.text(api.get(root, 'apiVersion')) ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return !group.includes('.') || group.endsWith('.k8s.io');
}

export function extractKubernetes(root: YamlNode, api: DocumentApi): void {
  for (const { map } of api.maps(root)) {
    if (!isPodSpec(map, api)) continue;
    for (const list of CONTAINER_LISTS) {
      for (const container of api.items(api.get(map, list))) api.report(api.get(container, 'image'), SOURCE, 'image');
    }
    for (const volume of api.items(api.get(map, 'volumes')))
      api.report(api.get(api.get(volume, 'image'), 'reference'), SOURCE, 'image');
  }
}

function isPodSpec(map: YamlNode, api: DocumentApi): boolean {
  return api
    .items(api.get(map, 'containers'))
    .some((c) => isMap(c) && (api.get(c, 'image') !== undefined || api.get(c, 'name') !== undefined));
}
