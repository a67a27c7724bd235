// Mutations of a fixture's text: flipped characters, syntax-significant tokens inserted, lines duplicated, deleted
// and swapped, text spliced in from another fixture, truncation, line-end and encoding oddities. Positions are
// biased towards the references the text holds (`hot` offsets), where a wrong range would show.
import type { Random } from './random';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** Tokens that mean something to one of the formats read (YAML, Dockerfile, INI, JSONC) or to the line counting. */
export const TOKENS: readonly string[] = [
  '${',
  '}',
  '$',
  '${A:-',
  '${A}',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ':',
  ': ',
  ',',
  '- ',
  '-',
  '&a ',
  '*a',
  '<<: *a\n',
  '? ',
  '!!str ',
  '#',
  ' # digest-pin: ignore',
  '// digest-pin: ignore',
  '\\',
  '\\\n',
  '\\\r\n',
  '`',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\uFEFF',
  '\u0000',
  '\uD800',
  '\uDC00',
  '\uD83D\uDC33',
  'é',
  '\u2028',
  '\u0085',
  ' ',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '|\n',
  '>-\n',
  '@',
  `@${DIGEST}`,
  DIGEST,
  '=',
  '--from=',
  '--platform=linux/amd64 ',
  '--mount=type=bind,from=x:1 ',
  'FROM ',
  'FROM nginx:1.27\n',
  'ARG TAG=1.0\n',
  ' AS build',
  '<<EOF\n',
  'image: ',
  'image: nginx:1.27\n',
  '  - image: "redis:7"\n',
  'services: [postgres:16]\n',
  'Image=',
  '[Container]\n',
  '/*',
  '*/',
  '//',
  '"image": "alpine:3"',
  'docker://',
  'localhost:5000/',
  ':latest',
  '{{ .Values.tag }}',
  '# escape=`\n',
  '# syntax=docker/dockerfile:1\n',
  'ONBUILD ',
  '--platform=$BUILDPLATFORM ',
  '\\u0041',
  '\\"',
  "''",
  '\u00a0',
];

export type Mutation = (text: string, rng: Random, context: MutationContext) => string;

export interface MutationContext {
  /** Offsets of the seed's references (their starts and ends): mutations land near them more often. */
  hot: readonly number[];
  /** Other fixtures' texts, to splice from. */
  others: readonly string[];
  /** The largest runs and long lines, as a fraction of the largest there are (a short run keeps them smaller). */
  scale?: number;
}

const upTo = (max: number, context: MutationContext): number => Math.max(2, Math.round(max * (context.scale ?? 1)));

function offset(text: string, rng: Random, context: MutationContext): number {
  if (context.hot.length > 0 && rng.chance(0.5)) {
    const at = rng.pick(context.hot) + rng.int(7) - 3;
    return Math.max(0, Math.min(text.length, at));
  }
  return rng.int(text.length + 1);
}

function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

function randomChar(rng: Random): string {
  const roll = rng.next();
  if (roll < 0.6) return String.fromCharCode(32 + rng.int(95));
  if (roll < 0.8) return rng.pick(['\n', '\r', '\t', '\u0000', '\uFEFF', '\u00a0', '\u3000']);
  return String.fromCharCode(rng.int(0x10000));
}

export const MUTATIONS: ReadonlyArray<readonly [string, Mutation, number]> = [
  [
    'flip',
    (text, rng, context) => {
      const at = Math.min(offset(text, rng, context), Math.max(0, text.length - 1));
      return text.slice(0, at) + randomChar(rng) + text.slice(at + 1);
    },
    3,
  ],
  [
    'token',
    (text, rng, context) => {
      const at = offset(text, rng, context);
      return text.slice(0, at) + rng.pick(TOKENS) + text.slice(at);
    },
    6,
  ],
  [
    'delete',
    (text, rng, context) => {
      const at = offset(text, rng, context);
      return text.slice(0, at) + text.slice(at + 1 + rng.size(0, 40));
    },
    3,
  ],
  [
    'duplicate-line',
    (text, rng) => {
      const all = lines(text);
      const i = rng.int(all.length);
      all.splice(i, 0, ...Array<string>(1 + rng.size(0, 5)).fill(all[i] ?? ''));
      return all.join('');
    },
    2,
  ],
  [
    'delete-line',
    (text, rng) => {
      const all = lines(text);
      all.splice(rng.int(all.length), 1 + rng.size(0, 3));
      return all.join('');
    },
    2,
  ],
  [
    'swap-lines',
    (text, rng) => {
      const all = lines(text);
      if (all.length < 2) return text;
      const a = rng.int(all.length);
      const b = rng.int(all.length);
      [all[a], all[b]] = [all[b]!, all[a]!];
      return all.join('');
    },
    2,
  ],
  [
    'indent',
    (text, rng) => {
      const all = lines(text);
      const i = rng.int(all.length);
      const line = all[i] ?? '';
      all[i] = rng.chance(0.5) ? rng.pick([' ', '  ', '\t', '    ']) + line : line.replace(/^[ \t]/, '');
      return all.join('');
    },
    2,
  ],
  [
    'splice',
    (text, rng, context) => {
      if (context.others.length === 0) return text;
      const other = rng.pick(context.others);
      const from = rng.int(other.length + 1);
      const chunk = other.slice(from, from + rng.size(1, 2000));
      const at = offset(text, rng, context);
      return rng.chance(0.3) ? text.slice(0, at) + chunk : text.slice(0, at) + chunk + text.slice(at);
    },
    2,
  ],
  ['truncate', (text, rng, context) => text.slice(0, offset(text, rng, context)), 1],
  [
    'repeat-token',
    (text, rng, context) => {
      const at = offset(text, rng, context);
      return text.slice(0, at) + rng.pick(TOKENS).repeat(rng.size(2, upTo(3000, context))) + text.slice(at);
    },
    1,
  ],
  [
    'long-line',
    (text, rng, context) => {
      const at = offset(text, rng, context);
      return (
        text.slice(0, at) +
        rng.pick(['a', 'x:', '/a', '-', '9']).repeat(rng.size(100, upTo(60_000, context))) +
        text.slice(at)
      );
    },
    1,
  ],
  [
    'line-ends',
    (text, rng) => {
      const eol = rng.pick(['\r\n', '\r', '\n']);
      return rng.chance(0.5) ? text.replace(/\r\n|\r|\n/g, eol) : text.replace(/\n/, eol);
    },
    1,
  ],
  ['bom', (text) => (text.startsWith('\uFEFF') ? text.slice(1) : `\uFEFF${text}`), 1],
];

const TOTAL = MUTATIONS.reduce((n, [, , weight]) => n + weight, 0);

/** 1–4 mutations (rarely more), chosen by weight; returns the new text and the names of what was done. */
export function mutate(text: string, rng: Random, context: MutationContext): { text: string; applied: string[] } {
  const applied: string[] = [];
  const count = 1 + rng.size(0, 7);
  let out = text;
  for (let i = 0; i < count; i++) {
    let roll = rng.int(TOTAL);
    for (const [name, mutation, weight] of MUTATIONS) {
      roll -= weight;
      if (roll >= 0) continue;
      out = mutation(out, rng, context);
      applied.push(name);
      break;
    }
  }
  return { text: out, applied };
}
