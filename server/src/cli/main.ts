// The command line as a function of argv and an environment: everything but process itself, so tests run it in-process.
import { parseArgs, HELP, type CheckArgs, type PinArgs } from './args';
import { askRegistries } from './ask';
import { allReferences, codeEnabled, diagnoseAll, exitStatus, readFiles, summarise } from './check';
import { lookUpNewer, type Newer } from '../lookup/newer';
import type { ImageReference } from '../references/types';
import type { Result } from '../registry/index';
import { lockCommand } from './lock';
import { checkLocks } from './locks';
import { renderCommand } from './render';
import { formatJson } from './output/json';
import { formatMarkdown, formatPinMarkdown, type ReportProblem } from './output/markdown';
import { formatSarif } from './output/sarif';
import { formatText } from './output/text';
import { imageChanges, pinSummary, planPins, problemLine, writePins } from './pin';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../shared/product';
import { collectFiles, type WalkResult } from './walk';

export interface CliIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Wall clock (ms since the epoch) for "built 5 days ago"; default Date.now. */
  now?: () => number;
}

/** 0, 1 or 2, as cli.md defines them. */
export type ExitCode = 0 | 1 | 2;

export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.stderr.write(`${PRODUCT_NAME}: ${parsed.error}\nRun '${PRODUCT_NAME} --help' for usage.\n`);
    return 2;
  }
  const invocation = parsed.value;
  switch (invocation.command) {
    case 'help':
      io.stdout.write(HELP);
      return 0;
    case 'version':
      io.stdout.write(`${PRODUCT_VERSION}\n`);
      return 0;
    case 'lsp':
      // Only reached in-process: the command's entry point starts the server itself, which owns stdin and stdout.
      io.stderr.write(`${PRODUCT_NAME}: 'lsp' takes over the process; run it as '${PRODUCT_NAME} lsp --stdio'\n`);
      return 2;
    case 'check':
      return check(invocation, io);
    case 'pin':
      return pin(invocation, io);
    case 'lock':
      return lockCommand(invocation, io, walk);
    case 'render':
      return renderCommand(invocation, io, walk);
  }
}

/** The walk, or null (after saying why on stderr) when a PATH does not exist: a usage error. */
export function walk(paths: readonly string[], io: Pick<CliIo, 'cwd' | 'stderr'>): WalkResult | null {
  const walked = collectFiles(paths, io.cwd);
  if (walked.missing.length === 0) return walked;
  for (const path of walked.missing) io.stderr.write(`${PRODUCT_NAME}: ${path}: no such file or directory\n`);
  return null;
}

async function check(args: CheckArgs, io: CliIo): Promise<ExitCode> {
  const walked = walk(args.paths, io);
  if (walked === null) return 2;
  const read = readFiles(walked.files, { problems: walked.problems });
  // A locked reference is asked about as the pin of its locked digest (lock/state.ts lockedView).
  const locks = checkLocks(read, args, io.cwd);
  const asked = allReferences(read).map((ref) => locks.views.get(ref) ?? ref);
  // A drifted pin is described (both images: dates, provenance, attachments) to say what changed; a tag is not.
  // Newer versions only when `outdated` is on: a plain check stays HEAD-only (no tag list).
  let newer: Map<ImageReference, Result<Newer>> | undefined;
  const answers = await askRegistries(asked, args, io, {
    pins: true,
    dates: true,
    attachments: true,
    ...(codeEnabled('outdated', args.severity)
      ? {
          more: async (client) => {
            newer = await lookUpNewer(allReferences(read), client, { platform: args.platform, resolve: false });
          },
        }
      : {}),
  });
  const online = new Map(
    allReferences(read).flatMap((ref) => {
      const answer = answers.get(locks.views.get(ref) ?? ref);
      return answer === undefined ? [] : [[ref, answer] as const];
    }),
  );
  read.failures.push(...locks.failures);
  const report = diagnoseAll(
    read,
    online,
    { now: (io.now ?? Date.now)(), offline: args.offline, severity: args.severity, ...(newer ? { newer } : {}) },
    locks.states,
  );
  for (const failure of report.failures) io.stderr.write(`${PRODUCT_NAME}: ${failure.file}: ${failure.message}\n`);
  const summary = summarise(report);
  switch (args.format) {
    case 'json':
      io.stdout.write(formatJson(report, summary));
      break;
    case 'sarif':
      io.stdout.write(formatSarif(report));
      break;
    case 'markdown':
      io.stdout.write(formatMarkdown(report, summary));
      break;
    case 'text':
      io.stdout.write(formatText(report, summary, { color: useColor(io) }));
      break;
  }
  return exitStatus(summary, args.failOn);
}

async function pin(args: PinArgs, io: CliIo): Promise<ExitCode> {
  const walked = walk(args.paths, io);
  if (walked === null) return 2;
  const read = readFiles(walked.files, { problems: walked.problems, keepBytes: true });
  const markdown = args.format === 'markdown';
  // The markdown report dates both images of a drifted pin (the text output has no room for it).
  // --upgrade: the tag lists of version tags, and the one offer each moves to, resolved (pins too: they upgrade).
  const upgrade = args.upgrade ?? undefined;
  let newer: Map<ImageReference, Result<Newer>> | undefined;
  const online = await askRegistries(allReferences(read), args, io, {
    pins: args.update || upgrade !== undefined,
    dates: markdown,
    ...(upgrade === undefined
      ? {}
      : {
          more: async (client) => {
            newer = await lookUpNewer(allReferences(read), client, { platform: args.platform, resolve: upgrade });
          },
        }),
  });
  const plan = planPins(read, online, {
    update: args.update,
    ...(upgrade === undefined ? {} : { upgrade, ...(newer ? { newer } : {}) }),
  });
  const output = writePins(plan, { dryRun: args.dryRun });
  const errors = [
    ...read.failures.map((failure) => `${failure.file}: ${failure.message}`),
    ...plan.problems.map(problemLine),
    ...output.failures,
  ];
  for (const line of errors) io.stderr.write(`${PRODUCT_NAME}: ${line}\n`);
  if (markdown) {
    // The report replaces the change lines, the summary and, for a dry run, the diff.
    const problems: ReportProblem[] = [
      ...read.failures,
      ...plan.problems.map((p) => ({ file: p.file, line: p.reference.range.start.line + 1, message: p.message })),
      ...output.unwritten,
    ];
    const command = [
      'pin',
      args.update ? '--update' : '',
      upgrade === undefined ? '' : `--upgrade ${upgrade}`,
      args.dryRun ? '--dry-run' : '',
    ]
      .filter(Boolean)
      .join(' ');
    io.stdout.write(
      formatPinMarkdown({
        command,
        summary: pinSummary(output.counts, args.dryRun),
        changes: imageChanges(output.written, online),
        problems,
      }),
    );
    return errors.length > 0 ? 1 : 0;
  }
  io.stdout.write(output.out);
  // A dry run's stdout is the diff alone (ready for `git apply`); its summary goes with the messages.
  const summary = `${pinSummary(output.counts, args.dryRun)}\n`;
  if (args.dryRun) io.stderr.write(summary);
  else io.stdout.write(summary);
  return errors.length > 0 ? 1 : 0;
}

/** Colour only for a terminal, and never when NO_COLOR is set and not empty (https://no-color.org). */
export function useColor(io: Pick<CliIo, 'env' | 'stdout'>): boolean {
  return io.stdout.isTTY === true && !io.env.NO_COLOR;
}
