// Compose: `services.<name>.image`. A service that also has `build:` names the image its build produces
// (localBuild); a literal `platform:` travels with the reference so the registry is asked for that platform.
import { isMap } from 'yaml';
import { containsVariable } from '../imageRef';
import { isPresent, type DocumentApi, type YamlNode } from './api';

/** Top-level keys of other formats that also have a `services` mapping (Woodpecker, Drone, CI files). */
const OTHER_FORMATS = ['steps', 'pipeline', 'pipelines', 'jobs', 'stages', 'apiVersion', 'kind'];

/** A top-level `services` mapping whose entries have an `image` or a `build`. */
export function isCompose(root: YamlNode, api: DocumentApi): boolean {
  const services = api.get(root, 'services');
  if (!isMap(services) || OTHER_FORMATS.some((key) => api.get(root, key) !== undefined)) return false;
  return api
    .entries(services)
    .some(([, service]) => isPresent(api.get(service, 'image')) || isPresent(api.get(service, 'build')));
}

export function extractCompose(root: YamlNode, api: DocumentApi): void {
  for (const [, service] of api.entries(api.get(root, 'services'))) {
    if (!isMap(service)) continue;
    const platform = api.text(api.get(service, 'platform'));
    api.report(api.get(service, 'image'), 'compose', 'image', {
      localBuild: isPresent(api.get(service, 'build')),
      platform: platform !== undefined && platform !== '' && !containsVariable(platform) ? platform : undefined,
    });
  }
}
