// What yaml.ts gives a kind module: alias-resolving navigation over one parsed document, and one way to report a
// scalar as an image reference. Kind modules only decide WHICH scalars are images; ranges, quoting, dedupe,
// ignore comments and statuses are yaml.ts's business.
import { isScalar, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type {
  DigestSlot,
  ImageReference,
  Position,
  ReferenceContext,
  ReferencePart,
  ReferenceParts,
  ReferenceSource,
} from '../types';

/** A node with any alias already resolved to its anchored node. */
export type YamlNode = Scalar | YAMLMap | YAMLSeq;

export interface ReportOptions {
  /** Characters written before the reference that are not part of it, e.g. `docker://`; the range excludes them. */
  prefix?: string;
  /** Compose `platform:` or GitLab `docker.platform`, when literal. */
  platform?: string;
  localBuild?: boolean;
  /** Explanation for a variable reference (overrides the default wording). */
  variable?: string;
}

/** A reference assembled from several scalars (see references/reference.ts buildSplitReference). */
export interface SplitReport {
  /** The whole reference the parts make. */
  assembled: string;
  parts: ReferenceParts;
  digestSlot?: DigestSlot;
  origin?: string[];
  /** Explanation for a variable reference (overrides the default wording). */
  variable?: string;
  /** More lines whose `# digest-pin: ignore` silences the reference (the mapping's key line). */
  ignoreLines?: number[];
}

export interface MapVisit {
  map: YAMLMap;
  /** The key of the nearest mapping entry the map sits under (for a sequence item: the sequence's key). */
  key: string | undefined;
}

export interface DocumentApi {
  /** The value under `key`: the mapping's own entry (the last, if duplicated), else the first merge (`<<`) source that has it. */
  get(node: YamlNode | undefined, key: string): YamlNode | undefined;
  /** A mapping's entries: its own (duplicates included), then merged keys it does not override. [] for a non-mapping. */
  entries(node: YamlNode | undefined): ReadonlyArray<readonly [key: string, value: YamlNode]>;
  /** A sequence's items. [] for a non-sequence. */
  items(node: YamlNode | undefined): YamlNode[];
  /** The string a non-null scalar holds (unquoted, before type resolution: `1.10` stays `1.10`); undefined otherwise. */
  text(node: YamlNode | undefined): string | undefined;
  /** Every mapping under `node` (itself included), each once, parents before children. */
  maps(node: YamlNode | undefined): Iterable<MapVisit>;
  /** 1-based line of a node, for messages. */
  line(node: YamlNode): number;
  /**
   * Reports a scalar as an image reference at its literal (an alias target is reported where it is written), once
   * per literal: reporting the same scalar again returns the first reference. Undefined for a non-scalar, a null or
   * an empty value.
   */
  report(
    node: YamlNode | undefined,
    source: ReferenceSource,
    context: ReferenceContext,
    options?: ReportOptions,
  ): ImageReference | undefined;
  /**
   * Reports a split reference at `anchor` (the tag's scalar, else the repository's), once per anchor. Undefined when
   * the anchor's characters are not its value (escapes, folding) or it is empty.
   */
  reportSplit(
    anchor: YamlNode | undefined,
    split: SplitReport,
    source: ReferenceSource,
    context: ReferenceContext,
  ): ImageReference | undefined;
  /** Where a scalar's value is written, when its characters are its value on one line (quotes excluded). */
  part(node: YamlNode | undefined): ReferencePart | undefined;
  /** Where a mapping's own key is written (its first character): a new key beside it takes its indentation. */
  keyStart(map: YamlNode | undefined, key: string): Position | undefined;
  /** Where a scalar ends as written (after a closing quote): text inserted there follows the whole value. */
  endOf(node: YamlNode): Position | undefined;
  /** The end of a line (before its line break), where a new line can be inserted after it. */
  lineEnd(line: number): Position;
  /** A line's text, without its line break. */
  lineText(line: number): string;
  /** The first line after `line` that is not blank, or undefined: what a line inserted after `line` is followed by. */
  nextLine(line: number): string | undefined;
  /** The line break that ends `line` (on a last line without one, the line's before): for a line inserted after it. */
  eolAfter(line: number): string;
}

/** Present and not null: `key:` and `key: ~` say nothing. */
export const isPresent = (node: YamlNode | undefined): node is YamlNode =>
  node !== undefined && !(isScalar(node) && node.value === null);

/** A scalar whose value resolved to a string (not a number, boolean or null). */
export const isStringScalar = (node: YamlNode | undefined): node is Scalar<string> =>
  isScalar(node) && typeof node.value === 'string';
