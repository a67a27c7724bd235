// The injection grammars in syntaxes/, run by the engine VS Code uses (vscode-textmate + vscode-oniguruma) on top of
// the host grammars VS Code ships (copies in ./grammars). A digest is de-emphasised exactly when it is well-formed,
// and the injection changes nothing else about how the line is tokenized.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import pkg from '../../../package.json';

const ROOT = join(__dirname, '..', '..', '..');
const HOSTS = join(__dirname, 'grammars');
const DIGEST_SCOPE = 'comment.digest.digest-pin';

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
}
const contributed = (pkg.contributes as { grammars?: GrammarContribution[] }).grammars ?? [];

const hostFiles: Record<string, string> = {
  'source.dockerfile': join(HOSTS, 'docker.tmLanguage.json'),
  'source.yaml': join(HOSTS, 'yaml.tmLanguage.json'),
  'source.yaml.1.2': join(HOSTS, 'yaml-1.2.tmLanguage.json'),
  'source.yaml.embedded': join(HOSTS, 'yaml-embedded.tmLanguage.json'),
  'source.ini': join(HOSTS, 'ini.tmLanguage.json'),
  'source.json.comments': join(HOSTS, 'JSONC.tmLanguage.json'),
};

/** One registry with our injections (as package.json contributes them) and one without: the same host grammars. */
async function registries(): Promise<{ withInjections: textmate.Registry; hostOnly: textmate.Registry }> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const onigLib = Promise.resolve({
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text: string) => new oniguruma.OnigString(text),
  });
  const files: Record<string, string> = { ...hostFiles };
  for (const grammar of contributed) files[grammar.scopeName] = join(ROOT, grammar.path);
  const loadGrammar = async (scopeName: string) => {
    const file = files[scopeName];
    return file ? textmate.parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
  };
  return {
    withInjections: new textmate.Registry({
      onigLib,
      loadGrammar,
      getInjections: (scopeName) => contributed.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
    }),
    hostOnly: new textmate.Registry({ onigLib, loadGrammar }),
  };
}

type Token = [text: string, scopes: string];

/** Tokens of every line, scopes below the root joined by spaces. */
async function tokenize(registry: textmate.Registry, scopeName: string, text: string): Promise<Token[][]> {
  const grammar = await registry.loadGrammar(scopeName);
  assert.ok(grammar, `no grammar for ${scopeName}`);
  let state = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t): Token => [line.slice(t.startIndex, t.endIndex), t.scopes.slice(1).join(' ')]);
  });
}

/**
 * What a line looks like: neighbours with equal scopes merged (where one token ends inside a run of one colour is
 * not visible) and, optionally, our scope removed.
 */
function normalise(lines: Token[][], removeScope?: string): Token[][] {
  return lines.map((tokens) => {
    const merged: Token[] = [];
    for (const [text, scopes] of tokens) {
      if (text === '') continue;
      const kept = scopes
        .split(' ')
        .filter((s) => s !== removeScope)
        .join(' ');
      const last = merged.at(-1);
      if (last && last[1] === kept) last[0] += text;
      else merged.push([text, kept]);
    }
    return merged;
  });
}

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const S512 = `sha512:${'c'.repeat(128)}`;

const cases: Array<{ name: string; scope: string; text: string; digests: string[] }> = [
  { name: 'FROM with a pinned tag', scope: 'source.dockerfile', text: `FROM node:22@${A}\n`, digests: [`@${A}`] },
  {
    name: 'FROM … AS (one host token)',
    scope: 'source.dockerfile',
    text: `FROM node:22@${A} AS build\n`,
    digests: [`@${A}`],
  },
  {
    name: 'lower-case from … as with --platform',
    scope: 'source.dockerfile',
    text: `from --platform=$BUILDPLATFORM golang@${B} as b\n`,
    digests: [`@${B}`],
  },
  {
    name: 'COPY --from and RUN --mount',
    scope: 'source.dockerfile',
    text: `COPY --from=busybox@${A} /bin/sh /sh\nRUN --mount=type=bind,from=alpine@${B},target=/a true\n`,
    digests: [`@${A}`, `@${B}`],
  },
  {
    name: 'inside a Dockerfile string',
    scope: 'source.dockerfile',
    text: `CMD ["run", "x@${A}"]\n`,
    digests: [`@${A}`],
  },
  { name: 'sha512', scope: 'source.dockerfile', text: `FROM node@${S512}\n`, digests: [`@${S512}`] },
  {
    name: 'Dockerfile comment keeps its own scope',
    scope: 'source.dockerfile',
    text: `# FROM node@${A}\n`,
    digests: [],
  },
  { name: 'too long: not a digest', scope: 'source.dockerfile', text: `FROM node@${A}a AS x\n`, digests: [] },
  {
    name: 'too short: not a digest',
    scope: 'source.dockerfile',
    text: `FROM node@sha256:${'a'.repeat(63)}\n`,
    digests: [],
  },
  {
    name: 'upper-case hex: not a digest',
    scope: 'source.dockerfile',
    text: `FROM node@sha256:${'A'.repeat(64)}\n`,
    digests: [],
  },
  { name: 'no @: not a pin', scope: 'source.dockerfile', text: `LABEL x=${A}\n`, digests: [] },
  {
    name: 'YAML plain scalar',
    scope: 'source.yaml',
    text: `services:\n  web:\n    image: nginx:1.27@${A}\n`,
    digests: [`@${A}`],
  },
  {
    name: 'YAML quoted scalars',
    scope: 'source.yaml',
    text: `a: "nginx@${A}"\nb: 'redis:7@${B}'\n`,
    digests: [`@${A}`, `@${B}`],
  },
  {
    name: 'YAML pin with the tag in a comment',
    scope: 'source.yaml',
    text: `image: python@${A} # 3.12\n`,
    digests: [`@${A}`],
  },
  {
    name: 'YAML sequence and flow mapping',
    scope: 'source.yaml',
    text: `- image: a@${A}\n- { image: b@${B} }\n`,
    digests: [`@${A}`, `@${B}`],
  },
  {
    name: 'YAML block scalar (compose dockerfile_inline)',
    scope: 'source.yaml',
    text: `dockerfile_inline: |\n  FROM node@${A} AS base\n`,
    digests: [`@${A}`],
  },
  { name: 'YAML comment keeps its own scope', scope: 'source.yaml', text: `# image: nginx@${A}\n`, digests: [] },
  { name: 'YAML key: any well-formed digest is dimmed', scope: 'source.yaml', text: `x@${A}: 1\n`, digests: [`@${A}`] },
  {
    name: 'INI (Quadlet unit): Image= value',
    scope: 'source.ini',
    text: `[Container]\nImage=docker.io/library/nginx:1.27@${A}\nExec=serve\n`,
    digests: [`@${A}`],
  },
  {
    name: 'INI: blanks around = and a double-quoted value',
    scope: 'source.ini',
    text: `[Image]\nImage = "quay.io/fedora/fedora:40@${B}"\n`,
    digests: [`@${B}`],
  },
  { name: 'INI comment keeps its own scope', scope: 'source.ini', text: `# Image=nginx@${A}\n; x@${B}\n`, digests: [] },
  {
    name: 'INI: a malformed digest is not dimmed',
    scope: 'source.ini',
    text: `Image=nginx@sha256:${'a'.repeat(63)}\n`,
    digests: [],
  },
  {
    name: 'devcontainer.json: the image and a feature key pinned by digest, its tag in a comment',
    scope: 'source.json.comments',
    text: `{\n  "image": "mcr.microsoft.com/devcontainers/base:ubuntu@${A}",\n  "features": {\n    "ghcr.io/devcontainers/features/node@${B}" /* 1 */: {},\n  },\n}\n`,
    digests: [`@${A}`, `@${B}`],
  },
  {
    name: 'devcontainer.json comments keep their own scope',
    scope: 'source.json.comments',
    text: `{\n  // "image": "node@${A}",\n  /* "image": "node@${B}" */\n  "image": "node:22"\n}\n`,
    digests: [],
  },
  {
    name: 'devcontainer.json: a malformed digest is not dimmed',
    scope: 'source.json.comments',
    text: `{"image": "node@sha256:${'a'.repeat(63)}"}\n`,
    digests: [],
  },
];

describe('syntaxes: digest injection grammars', () => {
  let regs: Awaited<ReturnType<typeof registries>>;
  before(async () => {
    regs = await registries();
  });

  it('package.json contributes both grammars, injected into Dockerfile, YAML, INI and JSONC (devcontainer.json)', () => {
    assert.deepEqual(
      contributed.map((g) => [g.scopeName, g.path, g.injectTo]),
      [
        [
          'digest-pin.digest.injection',
          './syntaxes/digest.injection.tmLanguage.json',
          ['source.dockerfile', 'source.yaml', 'source.github-actions-workflow', 'source.ini', 'source.json.comments'],
        ],
        [
          'digest-pin.dockerfile-from.injection',
          './syntaxes/dockerfile-from.injection.tmLanguage.json',
          ['source.dockerfile'],
        ],
      ],
    );
  });

  for (const c of cases) {
    it(c.name, async () => {
      const injected = await tokenize(regs.withInjections, c.scope, c.text);
      const digests = injected
        .flat()
        .filter(([, scopes]) => scopes.split(' ').includes(DIGEST_SCOPE))
        .map(([text]) => text);
      assert.deepEqual(digests, c.digests);
      // Everything else is tokenized as the host grammar alone tokenizes it (keywords, strings, comments, keys).
      assert.deepEqual(normalise(injected, DIGEST_SCOPE), normalise(await tokenize(regs.hostOnly, c.scope, c.text)));
    });
  }
});
