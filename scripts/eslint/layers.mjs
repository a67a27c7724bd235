// ESLint rule `digest-pin/layers`: imports point down the layers of docs/architecture.md, never up or sideways.
//
//   shared/ (settings, rules, protocol, product, text…)   ← everything may import it; it imports only itself
//   references/ ← registry/ ← lookup/ ← lock/ ← features/ ← cli/ | lsp/ (siblings: never each other) ← entries | action/ ← client/
//
// A module may import its own layer and any layer below it. The entries (server/src/cli.ts, server/src/server.ts,
// server/src/lsp/main.ts) start the CLI and the language server; action/ is the GitHub Action, an entry of its own
// (action/dist/index.js) that runs the CLI in-process; the client may import only shared/ and references/ (types and
// file kinds), never the engine's I/O.
import { dirname, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** What starts a process: dist/cli.js, the language server's startServer/main, dist/server.js. */
const ENTRIES = new Set(['server/src/cli', 'server/src/server', 'server/src/lsp/main']);

/** Layer of a repository-relative path (without extension), or null when the rule does not apply to it. */
export function layerOf(path) {
  if (ENTRIES.has(path)) return { name: 'entry', rank: 7 };
  const m = /^server\/src\/([^/]+)(\/|$)/.exec(path);
  if (m !== null) {
    const rank = { shared: 0, references: 1, registry: 2, lookup: 3, lock: 4, features: 5, cli: 6, lsp: 6, action: 7 }[
      m[1]
    ];
    return rank === undefined ? null : { name: m[1], rank };
  }
  if (path.startsWith('client/src/')) return { name: 'client', rank: 8 };
  return null;
}

/** Why `from` may not import `to`, or null when it may. */
export function violation(from, to) {
  if (from === null || to === null || from.name === to.name) return null;
  if (from.name === 'client')
    return to.name === 'shared' || to.name === 'references'
      ? null
      : `the client talks to the engine over LSP: it may import only server/src/shared and server/src/references, not ${to.name}/`;
  if (to.rank > from.rank)
    return `${from.name}/ is below ${to.name}/: imports point down the layers (docs/architecture.md)`;
  if (to.rank === from.rank) return `${from.name}/ and ${to.name}/ are siblings: neither imports the other`;
  return null;
}

const repoPath = (absolute) =>
  relative(ROOT, absolute)
    .replace(/\\/g, '/')
    .replace(/\.(ts|mjs|js)$/, '');

export default {
  meta: { type: 'problem', docs: { description: 'imports point down the layers of docs/architecture.md' }, schema: [] },
  create(context) {
    const here = layerOf(repoPath(context.filename));
    if (here === null) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = layerOf(repoPath(resolve(dirname(context.filename), source)));
      const why = violation(here, target);
      if (why !== null) context.report({ node, message: `'${source}': ${why}` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
