// kustomize: `images:` entries of a kustomization rewrite the images of its resources — `name` (the image to
// replace), `newName`, `newTag`, `digest`. An entry with a tag or a digest is an image reference (newName, else
// name, with newTag), reported at `newTag`; pinning writes its `digest:` (a new key after `newTag` when it has none).
// An entry that only renames (`name` + `newName`) leaves the tag to the resources: not a reference here.
import { isMap, type YAMLMap } from 'yaml';
import type { DigestSlot, ReferencePart, ReferenceParts } from '../types';
import type { DocumentApi, YamlNode } from './api';

const SOURCE = 'kustomize';

/** `kind: Kustomization` (kustomize.config.k8s.io), or `kind: Component`: both hold `images:`. */
export function isKustomization(root: YamlNode, api: DocumentApi): boolean {
  const kind = api.text(api.get(root, 'kind'));
  const apiVersion = api.text(api.get(root, 'apiVersion')) ?? '';
  return (kind === 'Kustomization' || kind === 'Component') && apiVersion.startsWith('kustomize.config.k8s.io/');
}

export function extractKustomize(root: YamlNode, api: DocumentApi): void {
  for (const entry of api.items(api.get(root, 'images'))) {
    if (isMap(entry)) reportEntry(entry, api);
  }
}

function reportEntry(entry: YAMLMap, api: DocumentApi): void {
  const nameScalar = api.text(api.get(entry, 'newName')) ? api.get(entry, 'newName') : api.get(entry, 'name');
  const repository = api.part(nameScalar);
  if (repository === undefined || repository.text.trim() === '') return;
  const tagScalar = api.get(entry, 'newTag');
  const written = api.part(tagScalar);
  const tag = written !== undefined && written.text.trim() !== '' ? written : undefined;
  const digest = api.part(api.get(entry, 'digest'));
  const pinned = digest !== undefined && digest.text.trim() !== '';
  if (tag === undefined && !pinned) return;
  const parts: ReferenceParts = { repository };
  if (tag !== undefined) parts.tag = tag;
  if (digest !== undefined) parts.digest = digest;
  const assembled = `${repository.text}${tag !== undefined ? `:${tag.text}` : ''}${pinned ? `@${digest.text}` : ''}`;
  const slot = digestSlot(entry, api, tag, digest, tagScalar);
  api.reportSplit(
    tag !== undefined ? tagScalar : nameScalar,
    { assembled, parts, ...(slot !== undefined ? { digestSlot: slot } : {}), ignoreLines: [api.line(entry) - 1] },
    SOURCE,
    'image',
  );
}

/** The entry's `digest:` value; else a new `digest:` key after `newTag` (its indentation, or `, ` in a flow map). */
function digestSlot(
  entry: YAMLMap,
  api: DocumentApi,
  tag: ReferencePart | undefined,
  digest: ReferencePart | undefined,
  tagScalar: YamlNode | undefined,
): DigestSlot | undefined {
  if (digest !== undefined) return { kind: 'field', range: digest.range, field: 'digest' };
  if (tag === undefined) return undefined;
  // `newTag: 2@sha256:…` (a digest written into the tag): the pin is those characters; a digest: key as well would
  // make the image `n:2@sha256:…@sha256:…`.
  const at = tag.text.indexOf('@');
  if (at >= 0) {
    const { start, end } = tag.range;
    if (start.line !== end.line || end.character - start.character !== tag.text.length)
      return { kind: 'none', reason: 'newTag holds a digest written over lines or with escapes; edit it by hand' };
    return {
      kind: 'field',
      range: { start: { line: start.line, character: start.character + at + 1 }, end },
      field: 'newTag',
    };
  }
  if (entry.flow === true) {
    // After the whole value, its closing quote included.
    const at = tagScalar === undefined ? undefined : api.endOf(tagScalar);
    return at === undefined ? undefined : { kind: 'new-key', at, prefix: ', digest: ', suffix: '', field: 'digest' };
  }
  const key = api.keyStart(entry, 'newTag');
  if (key === undefined || key.line !== tag.range.start.line) {
    return { kind: 'none', reason: 'newTag is not written on its key line; add a digest: key by hand' };
  }
  // A line indented further right after it is a YAML error now, but would continue the new key's plain value: the
  // digest would read as `sha256:… <that line>` (a comment line would end the value instead).
  const next = api.nextLine(tag.range.end.line);
  if (next !== undefined && !next.trimStart().startsWith('#') && /^[ \t]*/.exec(next)![0].length > key.character) {
    return {
      kind: 'none',
      reason: 'the line after newTag is indented further than it (a YAML error); fix it, then pin',
    };
  }
  // Text after the value on its line (`newTag: "7"]`) is a YAML error that ends the document's map there: a key
  // inserted below it would not belong to this entry.
  const end = tagScalar === undefined ? undefined : api.endOf(tagScalar);
  if (end !== undefined && !/^\s*(#.*)?$/.test(api.lineText(end.line).slice(end.character))) {
    return { kind: 'none', reason: "newTag's line goes on after its value (a YAML error); fix it, then pin" };
  }
  const indent = ' '.repeat(key.character);
  return {
    kind: 'new-key',
    at: api.lineEnd(tag.range.end.line),
    prefix: `${api.eolAfter(tag.range.end.line)}${indent}digest: `,
    suffix: '',
    field: 'digest',
  };
}
