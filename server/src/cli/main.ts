// The command line as a function of argv and an environment: everything but process itself, so tests run it in-process.
import { parseArgs, HELP, type CheckArgs } from './args';
import { checkFiles, exitStatus, summarise } from './check';
import { formatJson } from './output/json';
import { formatSarif } from './output/sarif';
import { formatText } from './output/text';
import { PRODUCT_NAME, PRODUCT_VERSION } from './product';
import { collectFiles } from './walk';

export interface CliIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

/** 0, 1 or 2, as cli.md defines them. */
export type ExitCode = 0 | 1 | 2;

export function run(argv: readonly string[], io: CliIo): ExitCode {
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
    case 'pin':
    case 'lsp':
      io.stderr.write(`${PRODUCT_NAME}: '${invocation.command}' is not available yet\n`);
      return 2;
    case 'check':
      return check(invocation, io);
  }
}

function check(args: CheckArgs, io: CliIo): ExitCode {
  const walked = collectFiles(args.paths, io.cwd);
  if (walked.missing.length > 0) {
    for (const path of walked.missing) io.stderr.write(`${PRODUCT_NAME}: ${path}: no such file or directory\n`);
    return 2;
  }
  const report = checkFiles(walked.files, { problems: walked.problems });
  for (const failure of report.failures) io.stderr.write(`${PRODUCT_NAME}: ${failure.file}: ${failure.message}\n`);
  const summary = summarise(report);
  switch (args.format) {
    case 'json':
      io.stdout.write(formatJson(report, summary));
      break;
    case 'sarif':
      io.stdout.write(formatSarif(report));
      break;
    case 'text':
      io.stdout.write(formatText(report, summary, { color: useColor(io) }));
      break;
  }
  return exitStatus(summary, args.failOn);
}

/** Colour only for a terminal, and never when NO_COLOR is set and not empty (https://no-color.org). */
export function useColor(io: Pick<CliIo, 'env' | 'stdout'>): boolean {
  return io.stdout.isTTY === true && !io.env.NO_COLOR;
}
