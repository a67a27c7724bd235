// Fixture workspaces: templates under test/e2e/fixtures/<name>/ copied into a temp dir with the registry's address
// (and seeded digests) substituted. The generated text of every file is kept, so a scenario can compare what is on
// disk after an edit with what it was, byte for byte.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const FIXTURES = resolve(__dirname, 'fixtures');

export interface Workspace {
  dir: string;
  /** Workspace-relative path (with `/`) → the bytes written there. */
  original: ReadonlyMap<string, Buffer>;
  /** The current bytes of a workspace file. */
  read(path: string): Buffer;
  path(relative: string): string;
}

export function createWorkspace(template: string, into: string, substitutions: Record<string, string>): Workspace {
  const source = join(FIXTURES, template);
  const original = new Map<string, Buffer>();
  for (const relative of readdirSync(source, { recursive: true, encoding: 'utf8' }).sort()) {
    const from = join(source, relative);
    if (!statSync(from).isFile()) continue;
    const text = Object.entries(substitutions).reduce(
      (t, [placeholder, value]) => t.replaceAll(placeholder, value),
      readFileSync(from, 'utf8'),
    );
    const leftover = /__[A-Z_]+__/.exec(text);
    if (leftover) throw new Error(`fixture ${template}/${relative}: no value for ${leftover[0]}`);
    const to = join(into, relative);
    mkdirSync(dirname(to), { recursive: true });
    const bytes = Buffer.from(text, 'utf8');
    writeFileSync(to, bytes);
    original.set(relative.split('\\').join('/'), bytes);
  }
  return {
    dir: into,
    original,
    read: (relative) => readFileSync(join(into, relative)),
    path: (relative) => join(into, relative),
  };
}

/**
 * `text` with exactly one occurrence of `from` replaced by `to`: what a file must read after one pin. Throws when
 * `from` is missing or ambiguous, so an expectation can never silently match nothing.
 */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`expected text not found: ${from}`);
  if (text.indexOf(from, at + 1) >= 0) throw new Error(`expected text occurs more than once: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}
