// Helm values: an image split over a mapping — `image: {registry, repository, tag, digest}` under a key named `image`
// or ending in `Image`/`image` (`initImage`, `sidecarImage` …) — that the chart's templates assemble. The reference is
// the assembled one, reported at the tag's value (the repository's when the tag is not written here); pinning writes
// into the map's `digest:` when it has one (Bitnami-style charts render `repository@digest` then), else after the tag.
import { isMap, type YAMLMap } from 'yaml';
import { containsVariable, namesRegistry } from '../imageRef';
import type { DigestSlot, ReferencePart, ReferenceParts } from '../types';
import { isStringScalar, type DocumentApi, type YamlNode } from './api';
import { looksLikeImage } from './generic';

const SOURCE = 'helm';
const IMAGE_KEY = /(?:^|[a-z0-9_-])(?:image|Image)$/;

export interface HelmContext {
  /** The Chart.yaml beside the values: its appVersion is the tag of an image whose tag is empty. */
  chart?: { appVersion: string | null };
}

/** Where the registry comes from when the chart sets one for all images (Bitnami's and others' conventions). */
interface GlobalRegistry {
  node: YamlNode;
  from: string;
}

export function extractHelm(root: YamlNode, api: DocumentApi, context: HelmContext): void {
  const global = globalRegistry(root, api);
  // By entry, not by visit: an image map shared through an anchor is visited once, under whichever key came first.
  for (const { map } of api.maps(root)) {
    for (const [key, value] of api.entries(map)) {
      if (!IMAGE_KEY.test(key)) continue;
      if (isMap(value)) {
        if (repositoryNode(value, api) !== undefined) reportImageMap(value, api, context, global);
        // `image: {keda: {repository…}, webhooks: {repository…}}` or `image: {…, tools: {repository…}}`: one image
        // per component under the image key.
        for (const [, inner] of api.entries(value))
          if (isMap(inner) && api.get(inner, 'repository') !== undefined) reportImageMap(inner, api, context, global);
      } else if (isStringScalar(value) && looksLikeImage(value.value) && !(key === 'image' && flatTag(map, api))) {
        // Written whole under an image key (`natsImage: nats:2.10.10`): an ordinary reference.
        api.report(value, SOURCE, 'image');
      }
    }
    // The older flat form: `image: repo` beside `imageTag:` (or `tag:`) in the same mapping.
    if (isMap(map) && api.text(api.get(map, 'image')) !== undefined && flatTag(map, api) !== undefined)
      reportImageMap(map, api, context, undefined);
  }
}

function globalRegistry(root: YamlNode, api: DocumentApi): GlobalRegistry | undefined {
  const global = api.get(root, 'global');
  for (const [path, node] of [
    ['global.imageRegistry', api.get(global, 'imageRegistry')],
    ['global.image.registry', api.get(api.get(global, 'image'), 'registry')],
  ] as const) {
    const text = api.text(node);
    if (node !== undefined && text !== undefined && text.trim() !== '') return { node, from: path };
  }
  return undefined;
}

/** The tag key of the flat form (`image` + `imageTag`), when the mapping has one and no `repository`. */
function flatTag(map: YamlNode, api: DocumentApi): string | undefined {
  if (api.get(map, 'repository') !== undefined) return undefined;
  return ['imageTag', 'tag'].find((key) => api.get(map, key) !== undefined);
}

/** The repository's scalar: `repository`, else `image` or `name` holding a repository. */
function repositoryNode(map: YamlNode, api: DocumentApi): YamlNode | undefined {
  for (const key of ['repository', 'image', 'name']) {
    const node = api.get(map, key);
    if (api.text(node) !== undefined) return node;
  }
  return undefined;
}

function reportImageMap(
  map: YAMLMap,
  api: DocumentApi,
  context: HelmContext,
  global: GlobalRegistry | undefined,
): void {
  const repositoryScalar = repositoryNode(map, api);
  const repository = api.part(repositoryScalar);
  // No repository literal (`repository: ""` inherits a global one the templates pick): nothing to report here.
  if (repository === undefined || repository.text.trim() === '') return;
  const origin: string[] = [];
  const parts: ReferenceParts = { repository };

  const ownRegistry = api.part(api.get(map, 'registry'));
  let registry: ReferencePart | undefined = ownRegistry?.text.trim() ? ownRegistry : undefined;
  if (global !== undefined) {
    registry = api.part(global.node);
    origin.push(`registry: ${global.from} (it overrides this image's registry)`);
  }
  if (registry !== undefined && namesRegistry(repository.text)) {
    // `repository: ghcr.io/org/app` already names its registry; charts prefix theirs only to a plain path.
    registry = undefined;
  }
  if (registry !== undefined) parts.registry = registry;

  const tagScalar = api.get(map, 'tag') ?? api.get(map, 'version') ?? api.get(map, 'imageTag');
  const written = api.part(tagScalar);
  const tag = written !== undefined && written.text.trim() !== '' ? written : undefined;
  // An empty `tag: ""` is still where the tag is written: tools reading `parts` can find it.
  if (written !== undefined) parts.tag = written;

  const digestScalar = api.get(map, 'digest') ?? api.get(map, 'imageDigest');
  const digest = api.part(digestScalar);
  if (digest !== undefined) parts.digest = digest;

  // A tag whose characters are not its value (escapes) still names the tag; it just cannot be written into.
  const decodedTag = api.text(tagScalar)?.trim();
  const escapedTag = tag === undefined && decodedTag !== undefined && decodedTag !== '';
  let tagText = tag?.text ?? (escapedTag ? decodedTag : undefined);
  let variable: string | undefined;
  if (tagText === undefined) {
    const appVersion = context.chart?.appVersion;
    if (appVersion === undefined) {
      variable = `the tag of ${repository.text} is empty: the chart uses Chart.yaml's appVersion, and there is no Chart.yaml beside this file`;
    } else if (appVersion === null) {
      variable = `the tag of ${repository.text} is empty and Chart.yaml has no appVersion: the tag is only known when the chart is installed`;
    } else {
      tagText = appVersion;
      origin.push(`tag: ${appVersion} (Chart.yaml appVersion)`);
    }
  }

  const base = registry !== undefined ? `${registry.text.replace(/\/+$/, '')}/${repository.text}` : repository.text;
  const assembled = `${base}${tagText !== undefined ? `:${tagText}` : ':{{ .Chart.AppVersion }}'}${
    digest !== undefined && digest.text !== '' ? `@${digest.text}` : ''
  }`;
  if (variable === undefined && containsVariable(assembled)) {
    variable = `${assembled} is built from chart templates; its value is only known when the chart is installed`;
  }
  // `# digest-pin: ignore` on (or above) the `image:` line, or on the repository's line, silences the image too.
  const keyLine = api.line(map) - (map.flow === true ? 1 : 2);
  const ignoreLines = [keyLine, repository.range.start.line];
  api.reportSplit(
    tag !== undefined ? tagScalar : repositoryScalar,
    {
      assembled,
      parts,
      digestSlot: digestSlot(digest, tag, repository, escapedTag),
      ...(origin.length > 0 ? { origin } : {}),
      ...(variable !== undefined ? { variable } : {}),
      ignoreLines,
    },
    SOURCE,
    'image',
  );
}

function digestSlot(
  digest: ReferencePart | undefined,
  tag: ReferencePart | undefined,
  repository: ReferencePart,
  tagNotLiteral: boolean,
): DigestSlot | undefined {
  if (digest !== undefined) return { kind: 'field', range: digest.range, field: 'digest' };
  if (tag !== undefined) return undefined;
  if (tagNotLiteral)
    return {
      kind: 'none',
      reason: `the tag of ${repository.text} is not written literally (escapes); write it plainly to pin it`,
    };
  return {
    kind: 'none',
    reason: `the tag of ${repository.text} comes from Chart.yaml's appVersion; write the tag here, or add a digest: field the chart's templates use`,
  };
}
