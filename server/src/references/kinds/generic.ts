// Any other YAML (Tekton steps, Argo Workflows templates, Drone / Woodpecker steps, Bitbucket Pipelines, CircleCI
// `docker:` lists, devcontainer.json …): the value of a key named `image`, when it is a string meant as an image
// reference. Bitbucket's `image: {name: …}` counts too. Split forms (`image: {repository, tag}`, or `image`
// beside a `tag`, as in Helm values or Argo item lists) name a repository, not a reference: not reported.
import { isMap } from 'yaml';
import { containsVariable, parseImageReference } from '../imageRef';
import { isStringScalar, type DocumentApi, type YamlNode } from './api';

const SOURCE = 'yaml';
/** Siblings (or keys of an `image` mapping) that mean the image is assembled from parts. */
const SPLIT_KEYS = ['tag', 'digest', 'repository', 'registry', 'imageTag', 'version'];
/** Parents whose `image` is not a container image: CircleCI `machine.image` is a VM image. */
const NOT_CONTAINER_PARENTS = new Set(['machine']);
/** Words that parse as a repository name but are settings. */
const NOT_IMAGES = new Set([
  'none',
  'null',
  'default',
  'auto',
  'inherit',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'latest',
  'local',
]);

export function extractGeneric(root: YamlNode, api: DocumentApi): void {
  for (const { map, key } of api.maps(root)) {
    if (key !== undefined && NOT_CONTAINER_PARENTS.has(key)) continue;
    const image = api.get(map, 'image');
    if (image === undefined || isSplit(map, api)) continue;
    const literal = isMap(image) && !isSplit(image, api) ? api.get(image, 'name') : image;
    if (isStringScalar(literal) && looksLikeImage(literal.value)) api.report(literal, SOURCE, 'image');
  }
}

function isSplit(map: YamlNode, api: DocumentApi): boolean {
  return SPLIT_KEYS.some((key) => api.get(map, key) !== undefined);
}

/**
 * A string meant as an image reference: it parses as one, or it clearly tries to (a `:` tag, a `/` path or a
 * variable), and it is not a file path, a URL or a picture (`image: /img/logo.png` in a site config).
 */
export function looksLikeImage(value: string): boolean {
  const text = value.trim();
  if (text === '') return false;
  // Template expressions may hold spaces (`{{ .Values.tag }}`); anything else with spaces is prose.
  if (containsVariable(text)) return true;
  if (/\s/.test(text) || NOT_IMAGES.has(text.toLowerCase())) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(?:\/|\.{1,2}\/|~)/.test(text)) return false;
  if (/\.(?:png|jpe?g|gif|svg|webp|ico|bmp|tiff?|avif|heic)$/i.test(text)) return false;
  if (!/[a-z]/i.test(text)) return false;
  return parseImageReference(text).ok || text.includes(':') || text.includes('/');
}
