// Inputs built to hurt, from issue 13's reproducers and the classic parser attacks: runs of one token, many references
// on one line, nested variables, a huge sequence beside an anchor, aliases of aliases (billion laughs), deep nesting.
// Sizes are drawn up to `scale` × a bound at which each input still reads well under a second.
import type { Random } from './random';
import type { Seed } from './seeds';

export interface Shape {
  name: string;
  build: (rng: Random, scale: number) => Seed;
}

const n = (rng: Random, scale: number, max: number): number => rng.size(1, Math.max(1, Math.round(max * scale)));

/** Aliases of aliases: `fan` references to the previous level on each of `levels` levels (10 × 10 is 10^10 nodes). */
export function aliasChain(levels: number, fan: number, leaf: string): string {
  const out = [`l0: &l0 ${leaf}`];
  for (let level = 1; level <= levels; level++) {
    out.push(
      `l${level}: &l${level} [${Array<string>(fan)
        .fill(`*l${level - 1}`)
        .join(', ')}]`,
    );
  }
  return `${out.join('\n')}\n`;
}

export const SHAPES: readonly Shape[] = [
  {
    name: 'stray-brackets',
    build: (rng, scale) => ({
      path: rng.pick(['k8s/pod.yaml', 'compose.yaml', '.gitlab-ci.yml']),
      text: `image: nginx:1.27\nk: ${rng.pick([']', '}', '"', "'", ']"', '[', '{', '`']).repeat(n(rng, scale, 20_000))}\n`,
    }),
  },
  {
    name: 'mount-from-run',
    build: (rng, scale) => ({
      path: 'Dockerfile',
      text: `FROM alpine:3.19\nRUN${' --mount=type=bind,from=x:1'.repeat(n(rng, scale, 4000))} true\n`,
    }),
  },
  {
    name: 'services-flow-list',
    build: (rng, scale) => ({
      path: '.gitlab-ci.yml',
      text: `test:\n  script: [x]\n  services: [${Array.from({ length: n(rng, scale, 4000) }, (_, i) => `redis:${i}`).join(', ')}]\n`,
    }),
  },
  {
    name: 'compose-one-line',
    build: (rng, scale) => ({
      path: 'compose.yaml',
      text: `services: {${Array.from({ length: n(rng, scale, 3000) }, (_, i) => `s${i}: {image: "nginx:1.${i}"}`).join(', ')}}\n`,
    }),
  },
  {
    name: 'nested-variables',
    build: (rng, scale) => ({
      path: 'Dockerfile',
      text: `FROM alpine:3.19\nFROM ${rng.pick(['${', '${A:-', '${A:+']).repeat(n(rng, scale, 4000))}${rng.chance(0.5) ? 'x' : ''}\nFROM redis:7\n`,
    }),
  },
  {
    name: 'anchor-huge-sequence',
    build: (rng, scale) => {
      const args = Array.from({ length: n(rng, scale, 30_000) }, (_, i) => `        - a${i}`).join('\n');
      return {
        path: 'pod.yaml',
        text: `apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: x\nextra: *m\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      args:\n${args}\n`,
      };
    },
  },
  {
    name: 'billion-laughs',
    build: (rng) => {
      const leaf = rng.pick(['{image: nginx:1.27}', '"nginx:1.27"', '[a, b]', '{image: &i redis:7, tag: x}']);
      const chain = aliasChain(10, 10, leaf);
      const use = rng.pick(['services:\n  a: *l10\n', 'spec:\n  containers: *l10\n', 'x: *l10\n', '']);
      return { path: rng.pick(['compose.yaml', 'k8s/pod.yaml', 'values.yaml', '.gitlab-ci.yml']), text: chain + use };
    },
  },
  {
    name: 'merge-key-chain',
    build: (rng, scale) => {
      const depth = n(rng, scale, 200);
      const out = ['x-0: &a0 {image: nginx:1.27}'];
      for (let i = 1; i <= depth; i++) out.push(`x-${i}: &a${i}\n  <<: [*a${i - 1}${i > 1 ? `, *a${i - 2}` : ''}]`);
      out.push(`services:\n  web:\n    <<: *a${depth}`);
      return { path: 'compose.yaml', text: `${out.join('\n')}\n` };
    },
  },
  {
    name: 'deep-nesting',
    build: (rng, scale) => {
      const depth = n(rng, scale, 3000);
      const text = rng.pick([
        () => `image: ${'['.repeat(depth)}nginx:1${']'.repeat(depth)}\n`,
        () =>
          `${Array.from({ length: Math.min(depth, 300) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} {image: a:1}\n`,
        () => `${'- '.repeat(depth)}image: a:1\n`,
        () => `{"image": ${'{"a": '.repeat(depth)}1${'}'.repeat(depth)}}`,
      ])();
      return { path: rng.pick(['x.yaml', '.devcontainer/devcontainer.json', 'compose.yaml']), text };
    },
  },
  {
    name: 'many-documents',
    build: (rng, scale) => ({
      path: 'k8s/all.yaml',
      text: Array.from({ length: n(rng, scale, 5000) }, (_, i) => `image: a:${i}\n`).join('---\n'),
    }),
  },
  {
    name: 'long-reference',
    build: (rng, scale) => {
      const long = 'a'.repeat(n(rng, scale, 200_000));
      return rng.pick([
        { path: 'Dockerfile', text: `FROM ${long}:1\nFROM x/${long}\n` },
        { path: 'compose.yaml', text: `services:\n  a:\n    image: ${long}:1.0\n` },
        { path: 'web.container', text: `[Container]\nImage=${long}\n` },
      ]);
    },
  },
  {
    name: 'continuations',
    build: (rng, scale) => ({
      path: rng.pick(['Dockerfile', 'web.container']),
      text: rng.chance(0.5)
        ? `FROM \\\n${'  \\\n'.repeat(n(rng, scale, 5000))}nginx:1.27\n`
        : `[Container]\nImage=\\\n${' \\\n'.repeat(n(rng, scale, 5000))}nginx:1.27\n`,
    }),
  },
  {
    name: 'many-args',
    build: (rng, scale) => {
      const count = n(rng, scale, 2000);
      const args = Array.from({ length: count }, (_, i) => `ARG A${i}=\${A${i + 1}}`).join('\n');
      return { path: 'Dockerfile', text: `${args}\nARG A${count}=nginx:1.27\nFROM \${A0}\nFROM x:\${A0}\n` };
    },
  },
];
