// What the fuzzer mutates: the repository's own fixtures (examples/, test/**/fixtures/, test/fuzz/fixtures/ for the
// kinds no other fixture has), and in a long run also the real-world corpus (/work/shared/corpus).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { detectKind } from '../../server/src/references/fileKind';

export interface Seed {
  /** The path the extractors see: it decides the file kind, as a file's name does in a repository. */
  path: string;
  text: string;
}

const REPO = join(import.meta.dirname, '..', '..');
/** Fixture trees of the repository; each file that names a kind the extractors read is a seed. */
const FIXTURE_ROOTS = ['examples', 'test'];

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir).sort()) {
    if (entry === 'node_modules' || entry === 'artifacts') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
}

/** The repository's fixtures: every file under examples/ and a `fixtures` folder of test/ whose kind is known. */
export function repoSeeds(root = REPO): Seed[] {
  const files: string[] = [];
  for (const top of FIXTURE_ROOTS) walk(join(root, top), files);
  const seeds: Seed[] = [];
  for (const file of files) {
    const path = relative(root, file).replace(/\\/g, '/');
    if (!path.startsWith('examples/') && !/(^|\/)fixtures\//.test(path)) continue;
    const text = readFileSync(file, 'utf8');
    if (detectKind(path, text) !== null) seeds.push({ path, text });
  }
  return seeds;
}

/**
 * The corpus's files under their original paths (MANIFEST.tsv), so a workflow is read as `.github/workflows/x.yml`
 * and a chart's values as `values.yaml`, as in the repositories they come from. Empty when there is no corpus.
 */
export function corpusSeeds(dir: string): Seed[] {
  const manifest = join(dir, 'MANIFEST.tsv');
  if (!existsSync(manifest)) return [];
  const seeds: Seed[] = [];
  for (const line of readFileSync(manifest, 'utf8').split('\n').slice(1)) {
    const [, local, , , original] = line.split('\t');
    if (!local || !original) continue;
    const text = readFileSync(join(dir, local), 'utf8');
    const path = detectKind(original, text) !== null ? original : local;
    if (detectKind(path, text) !== null) seeds.push({ path, text });
  }
  return seeds;
}
