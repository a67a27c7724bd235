// Dockerfile / Containerfile image references, read with dockerfile-ast and decided the way BuildKit decides them
// (moby/buildkit frontend/dockerfile: parser/directives.go, parser/split_command.go, shell/lex.go,
// dockerfile2llb/convert.go):
//  - FROM: the image word after expanding the global ARGs (those before the first FROM; ARGs inside a stage never
//    reach a FROM). When the whole word is one variable whose value is a literal written in the file — an
//    `ARG BASE=python:3.12` default or a `${BASE:-python:3.12}` fallback — the reference is that literal, where the
//    pin edit belongs, reported once however many FROMs use it. When the variable is the whole tag at the end of
//    the word (`python:${PY}` with `ARG PY=3.12-slim`) and every FROM that uses it names the same repository, the
//    reference is assembled (a split reference: repository in the FROM, tag in the ARG) and reported, and pinned, at
//    the ARG default: `ARG PY=3.12-slim@sha256:…` keeps `--build-arg PY=…` working. Any other word composed of
//    variables and text is 'variable', with why pinning the ARG would be wrong when that is the reason.
//  - COPY --from=<image> and RUN --mount=…,from=<image>, in any flag position, quoted or not. BuildKit expands no
//    variables there (it rejects them), so a `$` there is reported as 'variable' with that reason. ADD has no --from.
//    In ONBUILD triggers only names that cannot be a stage of the downstream build (`nginx:1.27`, `ghcr.io/x/y`).
//  - the `# syntax=` parser directive, only in the directive block at the top of the file.
// Not images: `scratch`, stage names (case-insensitive; for FROM only stages declared earlier), stage indexes.
// A word BuildKit decodes (quotes, escapes, a line continuation inside it) is reported over the characters it is
// written with: `text` is exactly what the range covers, and name / tag / digest / status describe the decoded value.
import { Arg, Copy, DockerfileParser, From, Onbuild, Run } from 'dockerfile-ast';
import type { Instruction } from 'dockerfile-ast';
import { LineIndex } from './positions';
import { ownCopy } from './strings';
import {
  buildReference,
  buildSplitReference,
  IGNORE_COMMENT,
  isIgnoredAt,
  splitLines,
  type ReferenceExtras,
} from './reference';
import type { FileNote, ImageReference, Position, ReferenceContext, ReferencePart } from './types';

export function extractDockerfile(text: string): { references: ImageReference[]; notes: FileNote[] } {
  try {
    return { references: new Extraction(text).run(), notes: [] };
  } catch (error) {
    // dockerfile-ast is not expected to throw; if it does, say so instead of taking the caller down.
    const reason = error instanceof Error ? error.message : String(error);
    return { references: [], notes: [{ severity: 'error', message: `could not read this Dockerfile: ${reason}` }] };
  }
}

/** Arguments BuildKit sets for every build; their values depend on the build, never on the file. */
const BUILDER_ARGS = [
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDOSVERSION',
  'BUILDARCH',
  'BUILDVARIANT',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETOSVERSION',
  'TARGETARCH',
  'TARGETVARIANT',
  'TARGETSTAGE',
];

/** A stage name as BuildKit accepts it (instructions/parse.go validStageName, names are lower-cased first). */
const STAGE_NAME = /^[a-z][a-z0-9._-]*$/i;
/** `COPY --from=<n>`: BuildKit reads anything strconv.Atoi accepts as a stage index. */
const STAGE_INDEX = /^[+-]?\d+$/;

class Extraction {
  private readonly lines: string[];
  private readonly index: LineIndex;
  private readonly escape: string;
  private readonly instructions: Instruction[];
  /** Global ARG values, as FROM lines see them. */
  private readonly globals = new Map<string, Value>();
  /** ARG names declared inside a stage: only to explain why a FROM does not see them. */
  private readonly stageArgs = new Set<string>();
  /** Stage names declared so far (lower-case), for FROM. */
  private readonly earlierStages = new Set<string>();
  /** Every stage name in the file (lower-case), for COPY --from and mounts, which BuildKit resolves after all stages. */
  private readonly allStages = new Set<string>();
  /** References by start offset: an ARG default used by several FROMs is one reference. */
  private readonly found = new Map<number, ImageReference>();
  /** FROM words that end with a whole-tag variable (`python:${PY}`), by variable name. */
  private readonly tagUses = new Map<string, TagUse[]>();
  /** Variables FROM words use other than as a whole tag (the whole word, inside a tag …): never pinned as a tag. */
  private readonly otherUses = new Map<string, string>();
  /** How many lines at the top are parser directives (and a shebang). */
  private directiveLines = 0;

  constructor(private readonly text: string) {
    const dockerfile = DockerfileParser.parse(flagsHidden(text));
    this.lines = splitLines(text);
    this.index = new LineIndex(text);
    this.escape = dockerfile.getEscapeCharacter();
    this.instructions = dockerfile.getInstructions();
    for (const name of BUILDER_ARGS) this.globals.set(name, { text: '', offsets: null, known: false, missing: [] });
  }

  run(): ImageReference[] {
    this.syntaxDirective();
    const later: Instruction[] = [];
    let inStage = false;
    for (const instruction of this.instructions) {
      if (instruction instanceof From) {
        this.from(instruction);
        inStage = true;
      } else if (instruction instanceof Arg) {
        this.arg(instruction, inStage);
      } else if (instruction instanceof Copy || instruction instanceof Run || instruction instanceof Onbuild) {
        later.push(instruction);
      }
    }
    this.tagArgs();
    for (const instruction of later) {
      if (instruction instanceof Onbuild) {
        const trigger = instruction.getTriggerInstruction();
        if (trigger !== null) this.sourceFlags(trigger, instruction, true);
      } else {
        this.sourceFlags(instruction, instruction, false);
      }
    }
    return [...this.found.entries()].sort((a, b) => a[0] - b[0]).map(([, ref]) => ref);
  }

  /** `# syntax=<image>` in the directive block at the top (BuildKit DetectSyntax: a shebang line may come first). */
  private syntaxDirective(): void {
    const seen = new Set<string>();
    for (let line = this.lines[0]?.startsWith('#!') ? 1 : 0; line < this.lines.length; line++) {
      this.directiveLines = line; // the block ends before the first line that is not a directive
      const content = this.lines[line] ?? '';
      if (!content.startsWith('#')) return;
      const body = content.slice(1).trimStart();
      const head = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*/.exec(body);
      const value = head ? body.slice(head[0].length).trimEnd() : '';
      if (!head || value === '') return;
      const key = (head[1] ?? '').toLowerCase();
      if (!['syntax', 'escape', 'check'].includes(key) || seen.has(key)) return;
      seen.add(key);
      if (key !== 'syntax') continue;
      // BuildKit takes the frontend image up to the first space; the rest are frontend options.
      const image = value.split(' ')[0] ?? '';
      const start = this.index.offsetAt({ line, character: content.length - body.length + head[0].length });
      this.add(image, start, start + image.length, 'syntax', {});
    }
    this.directiveLines = this.lines.length;
  }

  private arg(instruction: Arg, inStage: boolean): void {
    for (const property of instruction.getProperties()) {
      const name = property.getName();
      if (inStage) {
        this.stageArgs.add(name);
        continue;
      }
      const range = property.getValueRange();
      // `ARG NAME` without a value keeps an earlier default (BuildKit buildMetaArgs).
      if (range === null) continue;
      const parts = this.read(this.offset(range.start), this.offset(range.end), 'shell');
      this.globals.set(name, evaluate(parts, this.globals));
    }
  }

  private from(instruction: From): void {
    // FROM [--platform=…] <image> [AS <name>]: BuildKit splits the words after the flags at blanks, quotes or not.
    const { flags, reader } = this.flags(instruction, (name) => name === 'platform');
    const image = reader.word(false);
    const as = reader.word(false);
    const name = reader.word(false);
    const stage =
      as && name && this.text.slice(as.start, as.end).toLowerCase() === 'as'
        ? this.text.slice(name.start, name.end)
        : null;
    if (image !== null)
      this.fromImage(
        instruction,
        image,
        flags.find((flag) => flag.name === 'platform'),
      );
    if (stage !== null) {
      this.earlierStages.add(stage.toLowerCase());
      this.allStages.add(stage.toLowerCase());
    }
  }

  private fromImage(instruction: From, word: Span, platformFlag: BuilderFlag | undefined): void {
    const wordStart = word.start;
    const wordEnd = word.end;
    const reader = new WordReader(this.text, wordStart, wordEnd, this.escape, 'shell');
    const parts = reader.parts(null);
    const value = evaluate(parts, this.globals);
    const notImage = (name: string): boolean => isScratch(name) || this.earlierStages.has(name.toLowerCase());
    const extras: ReferenceExtras = { ignored: this.ignoredAt(instruction) };
    // `--platform=` is kept only when written literally.
    const platform = platformFlag?.value.text;
    if (platform && !platform.includes('$')) extras.platform = platform;

    if (reader.unclosedQuote) {
      // BuildKit fails on an unmatched quote; the word as written is what the user has to fix.
      this.add(this.text.slice(wordStart, wordEnd), wordStart, wordEnd, 'from', extras);
      return;
    }
    if (value.offsets !== null && value.text !== '') {
      const only = parts.length === 1 ? parts[0] : undefined;
      if (only?.kind === 'var' && !this.otherUses.has(only.name))
        this.otherUses.set(only.name, this.text.slice(wordStart, wordEnd));
      if (!notImage(value.text)) this.addSpelled({ text: value.text, offsets: value.offsets }, 'from', extras);
      return;
    }
    // `FROM ""`: nothing written, nothing to report (BuildKit rejects a blank base name).
    if (!parts.some((part) => part.kind === 'var')) return;
    // Built from variables: reported where written, unless the defaults make it a stage or scratch.
    if (value.known && value.text !== '' && notImage(value.text)) return;
    const [start, end] = this.unquoted(wordStart, wordEnd);
    const written = this.text.slice(start, end);
    const tail = tagVariable(parts);
    if (tail !== null) {
      const uses = this.tagUses.get(tail.name) ?? [];
      uses.push({ repository: tail.repository, written, start, end, extras, parts, value });
      this.tagUses.set(tail.name, uses);
      return;
    }
    for (const part of parts)
      if (part.kind === 'var' && !this.otherUses.has(part.name)) this.otherUses.set(part.name, written);
    extras.variable = this.fromVariableReason(written, parts, value);
    this.add(written, start, end, 'from', extras);
  }

  /**
   * FROM words whose tag is one ARG: one split reference at the ARG default when every such word names the same
   * repository and the ARG has a literal default used nowhere else; otherwise each word is 'variable', saying why.
   */
  private tagArgs(): void {
    for (const [name, uses] of this.tagUses) {
      const value = this.globals.get(name);
      const first = uses[0]!;
      const repositories = [...new Set(uses.map((use) => use.repository.text))];
      let why: string | undefined;
      // No default, or not one literal: the usual wording says so.
      if (value === undefined || !value.known || value.offsets === null || value.text === '') why = undefined;
      else if (repositories.length > 1)
        why = `ARG ${name} is the tag of ${repositories.join(' and ')}: pinning its default would write one image's digest into the others`;
      else if (this.otherUses.has(name))
        why = `ARG ${name} is also used in '${this.otherUses.get(name)}': a digest in its default would break that image`;
      else {
        const tag = this.spelledPart({ text: value.text, offsets: value.offsets });
        const repository = this.spelledPart(first.repository);
        if (tag !== null && repository !== null) {
          this.addTagArg(name, tag, repository, uses);
          continue;
        }
      }
      for (const use of uses) {
        const extras = { ...use.extras };
        // Not pinnable through the ARG: the word is 'variable', worded as any other unless the ARG is the reason.
        const reason = this.fromVariableReason(use.written, use.parts, use.value);
        if (why !== undefined) extras.variable = `'${use.written}' cannot be pinned through its ARG: ${why}`;
        else if (reason !== undefined) extras.variable = reason;
        this.add(use.written, use.start, use.end, 'from', extras);
      }
    }
  }

  /** The split reference of `repository:${name}`: reported, and pinned, at the ARG default (the tag's value). */
  private addTagArg(name: string, tag: ReferencePart, repository: ReferencePart, uses: readonly TagUse[]): void {
    const start = this.offset(tag.range.start);
    if (this.found.has(start)) return;
    const platforms = new Set(uses.map((use) => use.extras.platform));
    const platform = platforms.size === 1 ? [...platforms][0] : undefined;
    const ignored = this.ignoredLine(tag.range.start.line) || uses.every((use) => use.extras.ignored === true);
    const ref = buildSplitReference(
      {
        assembled: `${repository.text}:${tag.text}`,
        parts: { repository, tag },
        anchor: tag,
        origin: [`tag: ARG ${name}`],
      },
      'dockerfile',
      'from',
      { ignored, ...(platform !== undefined ? { platform } : {}) },
    );
    this.found.set(start, ref);
  }

  /** Where a decoded value is written, when it is written as it reads (no quotes or escapes inside it). */
  private spelledPart(value: Spelled): ReferencePart | null {
    const first = value.offsets[0];
    const last = value.offsets[value.offsets.length - 1];
    if (first === undefined || last === undefined || last - first + 1 !== value.text.length) return null;
    if (this.text.slice(first, last + 1) !== value.text) return null;
    return { text: value.text, range: this.index.rangeOf(first, last + 1) };
  }

  private fromVariableReason(written: string, parts: readonly Part[], value: Value): string | undefined {
    const only = parts.length === 1 ? parts[0] : undefined;
    const missing = value.missing[0];
    if (only?.kind === 'var' && missing !== undefined) {
      const inStage = this.stageArgs.has(missing) ? ` (ARG ${missing} inside a stage does not reach FROM lines)` : '';
      return `'${written}' has no default: ${missing} gets no value from an ARG before the first FROM${inStage}, so the image is only known at build time`;
    }
    if (!value.known) return undefined;
    if (value.text === '')
      return `'${written}' is empty with the ARG defaults, so the image is only known at build time`;
    return `'${written}' is built from variables; with the ARG defaults it is '${value.text}'`;
  }

  /** COPY --from=<image> and RUN --mount=…,from=<image>. */
  private sourceFlags(instruction: Instruction, site: Instruction, onbuild: boolean): void {
    const isCopy = instruction instanceof Copy;
    if (!isCopy && !(instruction instanceof Run)) return;
    // Only flags that can name an image are decoded: most RUN lines carry cache mounts without from=.
    const wanted = isCopy
      ? (name: string) => name === 'from'
      : (name: string, raw: string) => name === 'mount' && /from/i.test(raw);
    for (const flag of this.flags(instruction, wanted).flags) {
      if (isCopy && flag.name === 'from') this.source(flag.value, 'copy-from', site, onbuild);
      if (!isCopy && flag.name === 'mount') {
        const from = mountFrom(flag.value);
        if (from !== null) this.source(from, 'mount-from', site, onbuild);
      }
    }
  }

  private source(value: Spelled, context: 'copy-from' | 'mount-from', site: Instruction, onbuild: boolean): void {
    const name = value.text;
    // A number is a stage index for COPY --from; a mount has no indexes, but no image is named `0` either.
    if (name === '' || isScratch(name) || STAGE_INDEX.test(name) || this.allStages.has(name.toLowerCase())) return;
    // An ONBUILD trigger runs in another Dockerfile, whose stages we cannot see: a bare name may be one of them.
    if (onbuild && STAGE_NAME.test(name)) return;
    const where = context === 'copy-from' ? 'COPY --from' : 'RUN --mount from=';
    this.addSpelled(value, context, {
      ignored: this.ignoredAt(site),
      variable: `BuildKit does not expand variables in ${where} ('${name}'); name the image in a stage (FROM <image> AS <name>) and use that name`,
    });
  }

  /**
   * The builder flags of an instruction (`--name=value` words before its arguments, BuildKit extractBuilderFlags:
   * quotes and escapes removed) and a reader positioned after them. Reads only as far as the flags go, so a long
   * RUN costs no more than its first word.
   */
  private flags(
    instruction: Instruction,
    wanted: (name: string, raw: string) => boolean,
  ): { flags: BuilderFlag[]; reader: WordReader } {
    const start = this.offset(instruction.getInstructionRange().end);
    const reader = new WordReader(this.text, start, this.offset(instruction.getRange().end), this.escape, 'flag');
    const flags: BuilderFlag[] = [];
    for (;;) {
      const mark = reader.position;
      const word = reader.word(true);
      if (word === null || !this.text.startsWith('--', word.start)) {
        reader.position = mark;
        return { flags, reader };
      }
      if (word.end - word.start === 2) return { flags, reader }; // `--` ends the flags
      const raw = this.text.slice(word.start, word.end);
      const rawName = raw.slice(2, raw.includes('=') ? raw.indexOf('=') : raw.length);
      const plain = !/["']/.test(rawName) && !rawName.includes(this.escape);
      if (plain && !wanted(rawName, raw)) continue;
      const decoded = this.read(word.start, word.end, 'flag')[0];
      const equals = decoded?.kind === 'text' ? decoded.text.indexOf('=') : -1;
      if (decoded?.kind !== 'text' || equals < 0 || !wanted(decoded.text.slice(2, equals), decoded.text)) continue;
      flags.push({
        name: decoded.text.slice(2, equals),
        value: { text: decoded.text.slice(equals + 1), offsets: decoded.offsets.slice(equals + 1) },
      });
    }
  }

  private addSpelled(value: Spelled, context: ReferenceContext, extras: ReferenceExtras): void {
    const first = value.offsets[0];
    const last = value.offsets[value.offsets.length - 1];
    if (first !== undefined && last !== undefined) this.add(value.text, first, last + 1, context, extras);
  }

  /**
   * Records a reference over [start, end). `value` is what BuildKit reads; when quotes, escapes or a line
   * continuation sit inside the written characters, `text` stays the written characters. Ignored when the
   * caller says so (the instruction's line) or `# digest-pin: ignore` marks the reference's own line.
   */
  private add(value: string, start: number, end: number, context: ReferenceContext, extras: ReferenceExtras): void {
    const range = this.index.rangeOf(start, end);
    const ignored = extras.ignored === true || this.ignoredLine(range.start.line);
    const existing = this.found.get(start);
    if (existing) {
      if (ignored) existing.ignored = true;
      return;
    }
    const written = this.text.slice(start, end);
    const ref = buildReference(value, range, 'dockerfile', context, { ...extras, ignored });
    // Decoded differently from how it is written (quotes, escapes inside the word): the text stays the written
    // characters, and `assembled` is what BuildKit reads — what is looked up and named in messages.
    this.found.set(start, written === value ? ref : { ...ref, text: written, assembled: ownCopy(value) });
  }

  /** `# digest-pin: ignore` on the instruction's first line or on a comment line directly above it. */
  private ignoredAt(instruction: Instruction): boolean {
    return this.ignoredLine(instruction.getRange().start.line);
  }

  private ignoredLine(line: number): boolean {
    // A directive line is a comment, but a marker there is about the directive's own image, not the next line.
    if (line - 1 < this.directiveLines) return IGNORE_COMMENT.test(this.lines[line] ?? '');
    return isIgnoredAt(this.lines, line);
  }

  private offset(position: Position): number {
    return this.index.offsetAt(position);
  }

  /** [start, end) without one pair of quotes around the whole word. */
  private unquoted(start: number, end: number): [number, number] {
    const open = this.text[start];
    const quoted = end - start >= 2 && (open === '"' || open === "'") && this.text[end - 1] === open;
    return quoted ? [start + 1, end - 1] : [start, end];
  }

  private read(start: number, end: number, mode: 'shell' | 'flag'): Part[] {
    return new WordReader(this.text, start, end, this.escape, mode).parts(null);
  }
}

/** A FROM word `repository:${NAME}` and what the FROM says about it. */
interface TagUse {
  /** The characters before `:${NAME}`, as BuildKit reads them. */
  repository: Spelled;
  /** The word as written, and where. */
  written: string;
  start: number;
  end: number;
  extras: ReferenceExtras;
  /** The word's parts and its value with the ARG defaults, for the usual wording when it stays 'variable'. */
  parts: Part[];
  value: Value;
}

/**
 * `repository:${NAME}` / `repository:$NAME`: a literal repository, a colon, then one plain variable that is the whole
 * tag. Null for anything else (a variable inside the tag or the repository, a default `${NAME:-x}`, a digest).
 */
function tagVariable(parts: readonly Part[]): { name: string; repository: Spelled } | null {
  const [text, variable] = parts;
  if (parts.length !== 2 || text?.kind !== 'text' || variable?.kind !== 'var' || variable.op !== '') return null;
  if (!text.text.endsWith(':') || text.text.length < 2 || /[:@]/.test(text.text.slice(0, -1).split('/').pop() ?? ''))
    return null;
  return {
    name: variable.name,
    repository: { text: text.text.slice(0, -1), offsets: text.offsets.slice(0, -1) },
  };
}

/** Characters as BuildKit reads them, each with the document offset it is written at. */
interface Spelled {
  text: string;
  offsets: number[];
}

/** [start, end) of a word as written. */
interface Span {
  start: number;
  end: number;
}

interface BuilderFlag {
  name: string;
  value: Spelled;
}

type Part = ({ kind: 'text' } & Spelled) | { kind: 'var'; name: string; op: string; word: Part[] };

/** A word's value with the ARG defaults. */
interface Value {
  /** '' where a variable has no value. */
  text: string;
  /** Where each character is written, when the value is one literal written in the file; else null. */
  offsets: number[] | null;
  /** False when part of it is only known at build time (no default, set by the builder, pattern substitution). */
  known: boolean;
  /** Variables without a value. */
  missing: string[];
}

const EMPTY: Value = { text: '', offsets: [], known: true, missing: [] };

/** BuildKit shell expansion (shell/lex.go processDollar) over the parts of one word. */
function evaluate(parts: readonly Part[], env: ReadonlyMap<string, Value>): Value {
  const only = parts[0];
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1 && only !== undefined) return evaluatePart(only, env);
  const values = parts.map((part) => evaluatePart(part, env));
  return {
    text: values.map((v) => v.text).join(''),
    offsets: null,
    known: values.every((v) => v.known),
    missing: values.flatMap((v) => v.missing),
  };
}

function evaluatePart(part: Part, env: ReadonlyMap<string, Value>): Value {
  if (part.kind === 'text') return { text: part.text, offsets: part.offsets, known: true, missing: [] };
  const value = env.get(part.name);
  const unset: Value = { text: '', offsets: null, known: false, missing: [part.name] };
  const nonEmpty = value !== undefined && !(value.known && value.text === '');
  switch (part.op) {
    case '':
    case '?':
    case ':?':
      return value ?? unset;
    case '-':
      return value ?? evaluate(part.word, env);
    case ':-':
      return value !== undefined && nonEmpty ? value : evaluate(part.word, env);
    case '+':
      return value !== undefined ? evaluate(part.word, env) : EMPTY;
    case ':+':
      return nonEmpty ? evaluate(part.word, env) : EMPTY;
    default:
      // Pattern removal / substitution (${x#p}, ${x%p}, ${x/p/r}) or a malformed ${…}: not worth predicting.
      return { text: '', offsets: null, known: false, missing: [] };
  }
}

/**
 * The text dockerfile-ast parses, with flags blanked: its instructions split flags off their arguments one
 * `shift()` at a time, several times while each is built, and make objects for every word each time — a RUN with
 * 32,000 `--mount=` took 7.7 s (quadratic), one with 388,000 (10 MB) 9 s and 1.2 GB even without the quadratic.
 * Flags are read here from the text itself (flags()), and nothing else this file asks the parser for depends on
 * them. Each word starting with `--` becomes blanks, but the last one on a line keeps its first `-`, so no line
 * turns blank (a blank line inside a continuation would join the next instruction). Same length, same line breaks,
 * so every range the parser gives holds for `text`. Quotes and both escape characters are followed within a line.
 */
export function flagsHidden(text: string): string {
  if (!text.includes('--')) return text;
  const spans: Array<[start: number, end: number]> = [];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 45 || text.charCodeAt(i + 1) !== 45) continue;
    if (i > 0 && !isFlagBoundary(text.charCodeAt(i - 1))) continue;
    const end = flagEnd(text, i);
    spans.push([i, end]);
    i = end - 1;
  }
  const parts: string[] = [];
  let from = 0;
  let lineBreak = -1;
  spans.forEach(([start, end], k) => {
    if (lineBreak !== Infinity && lineBreak < end) {
      lineBreak = text.indexOf('\n', end);
      if (lineBreak < 0) lineBreak = Infinity;
    }
    const next = spans[k + 1];
    const lastOnLine = next === undefined || lineBreak < next[0];
    parts.push(text.slice(from, start), lastOnLine ? '-'.padEnd(end - start) : ' '.repeat(end - start));
    from = end;
  });
  parts.push(text.slice(from));
  return parts.join('');
}

const isFlagBoundary = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13;

/**
 * Where the word starting at `at` ends: at a blank or line break outside quotes, or at an escape character that
 * continues the line (kept, with the blanks after it); another escaped character is part of the word.
 */
function flagEnd(text: string, at: number): number {
  let quote = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
    if (c === 92 || c === 96) {
      if (continuesLine(text, i)) return i;
      i++;
    } else if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 32 || c === 9) return i;
  }
  return text.length;
}

/** Only blanks between the character at `at` and the end of its line. */
function continuesLine(text: string, at: number): boolean {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** The `from=` of one `--mount` value (CSV fields), unless the mount type cannot take one. */
function mountFrom(value: Spelled): Spelled | null {
  let from: Spelled | null = null;
  let type = 'bind';
  let start = 0;
  while (start <= value.text.length) {
    let end = value.text.indexOf(',', start);
    if (end < 0) end = value.text.length;
    const field = value.text.slice(start, end);
    const equals = field.indexOf('=');
    const key = equals < 0 ? field.toLowerCase() : field.slice(0, equals).toLowerCase();
    const at = start + equals + 1;
    if (key === 'type') type = field.slice(equals + 1).toLowerCase();
    if (key === 'from' && equals >= 0)
      from = { text: value.text.slice(at, end), offsets: value.offsets.slice(at, end) };
    start = end + 1;
  }
  // BuildKit rejects from= on secret and ssh mounts.
  return type === 'secret' || type === 'ssh' ? null : from;
}

const isScratch = (name: string): boolean => name.toLowerCase() === 'scratch';

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;
const DIGIT = /\d/;

/**
 * Reads one written word into text and variable parts, as BuildKit does: line continuations (and the comment lines
 * they carry) vanish, quotes and escapes are removed. 'shell' follows shell/lex.go ($ expands; no escapes inside
 * single quotes, only \" \$ \\ inside double quotes); 'flag' follows split_command.go extractBuilderFlags
 * (no expansion; the escape works everywhere).
 */
/** `${a:-${b:-${c…}}}` nested deeper than this is not a Dockerfile anyone writes; deeper would exhaust the stack. */
export const MAX_VARIABLE_NESTING = 64;

class WordReader {
  private pos: number;
  /** How many `${…:-word}` the reader is inside (parts() and variable() recurse through the nested words). */
  private nesting = 0;
  /** Set when the last word read by parts() ended inside quotes. */
  unclosedQuote = false;

  get position(): number {
    return this.pos;
  }

  set position(at: number) {
    this.pos = at;
  }

  constructor(
    private readonly src: string,
    start: number,
    private readonly end: number,
    private readonly escape: string,
    private readonly mode: 'shell' | 'flag',
  ) {
    this.pos = start;
  }

  parts(stop: string | null): Part[] {
    const parts: Part[] = [];
    let text = '';
    let offsets: number[] = [];
    const push = (at: number): void => {
      text += this.src[at];
      offsets.push(at);
    };
    const flush = (): void => {
      if (text !== '') parts.push({ kind: 'text', text, offsets });
      text = '';
      offsets = [];
    };
    let quote: string | null = null;
    while (this.pos < this.end) {
      const ch = this.src[this.pos];
      if (quote === null && ch === stop) {
        this.pos++;
        break;
      }
      if (ch === this.escape) {
        if (this.skipContinuation()) continue;
        const next = this.src[this.pos + 1];
        const literal =
          this.mode === 'shell' &&
          (quote === "'" || (quote === '"' && next !== '"' && next !== '$' && next !== this.escape));
        if (literal) {
          push(this.pos++);
        } else {
          if (this.pos + 1 < this.end) push(this.pos + 1);
          this.pos += 2;
        }
        continue;
      }
      if (quote !== null && ch === quote) {
        quote = null;
        this.pos++;
        continue;
      }
      if (quote === null && (ch === '"' || ch === "'")) {
        quote = ch;
        this.pos++;
        continue;
      }
      if (ch === '$' && this.mode === 'shell' && quote !== "'") {
        const variable = this.variable();
        if (variable !== null) {
          flush();
          parts.push(variable);
          continue;
        }
      }
      push(this.pos++);
    }
    flush();
    this.unclosedQuote = quote !== null;
    return parts;
  }

  /**
   * The next blank-separated word as written, or null at the end. Line continuations join (a word may span them);
   * with `quoteAware`, blanks inside quotes do not split (builder flags); FROM arguments split at every blank.
   */
  word(quoteAware: boolean): Span | null {
    while (this.pos < this.end) {
      const ch = this.src[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') this.pos++;
      else if (ch === this.escape && this.skipContinuation()) continue;
      else break;
    }
    if (this.pos >= this.end) return null;
    const start = this.pos;
    let last = start;
    let quote: string | null = null;
    while (this.pos < this.end) {
      const ch = this.src[this.pos];
      if (ch === this.escape) {
        if (this.skipContinuation()) continue;
        this.pos = Math.min(this.pos + 2, this.end);
      } else if (quote !== null) {
        if (ch === quote) quote = null;
        this.pos++;
      } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        break;
      } else {
        if (quoteAware && (ch === '"' || ch === "'")) quote = ch;
        this.pos++;
      }
      last = this.pos;
    }
    return { start, end: last };
  }

  /** `$NAME`, `${NAME}` or `${NAME<op>word}` at pos; null for a lone `$`, which is literal. */
  private variable(): Part | null {
    const braced = this.src[this.pos + 1] === '{';
    const nameStart = this.pos + (braced ? 2 : 1);
    const nameEnd = this.nameEnd(nameStart);
    const name = this.src.slice(nameStart, nameEnd);
    if (!braced) {
      if (name === '') return null;
      this.pos = nameEnd;
      return { kind: 'var', name, op: '', word: [] };
    }
    this.pos = nameEnd;
    if (name !== '' && this.src[this.pos] === '}') {
      this.pos++;
      return { kind: 'var', name, op: '', word: [] };
    }
    let op = this.src[this.pos] === ':' ? ':' : '';
    if (op !== '') this.pos++;
    const modifier = this.src[this.pos] ?? '';
    const valid =
      name !== '' && '-+?#%/'.includes(modifier) && modifier !== '' && !(op === ':' && '#%/'.includes(modifier));
    op = valid ? op + modifier : '!';
    if (valid) this.pos++;
    if (this.nesting >= MAX_VARIABLE_NESTING) {
      // Too deep to follow: the rest of the word is this variable's, and its value is unknown (op '!').
      this.pos = this.end;
      return { kind: 'var', name, op: '!', word: [] };
    }
    this.nesting++;
    try {
      return { kind: 'var', name, op, word: this.parts('}') };
    } finally {
      this.nesting--;
    }
  }

  /** BuildKit processName: a run of digits, or letters, digits and underscores. */
  private nameEnd(start: number): number {
    let at = start;
    const first = this.src[start] ?? '';
    const allowed = DIGIT.test(first) ? DIGIT : NAME_CHAR;
    while (at < this.end && allowed.test(this.src[at] ?? '')) at++;
    return at;
  }

  /** At an escape: skips `escape [blanks] newline` plus the comment and blank lines inside a continuation. */
  private skipContinuation(): boolean {
    let at = this.pos + 1;
    while (at < this.end && (this.src[at] === ' ' || this.src[at] === '\t')) at++;
    if (at >= this.end || (this.src[at] !== '\n' && this.src[at] !== '\r')) return false;
    at = this.afterNewline(at);
    for (;;) {
      let first = at;
      while (first < this.end && (this.src[first] === ' ' || this.src[first] === '\t')) first++;
      const ch = this.src[first];
      if (first >= this.end || (ch !== '#' && ch !== '\n' && ch !== '\r')) break;
      while (first < this.end && this.src[first] !== '\n' && this.src[first] !== '\r') first++;
      at = this.afterNewline(first);
    }
    this.pos = at;
    return true;
  }

  private afterNewline(at: number): number {
    if (this.src[at] === '\r' && this.src[at + 1] === '\n') return at + 2;
    return at < this.end ? at + 1 : at;
  }
}
