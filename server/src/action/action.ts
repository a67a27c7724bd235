// The GitHub Action (action.yml): inputs from INPUT_* variables, the CLI's run() in-process with its output captured,
// then what the runner reads — annotations on stdout, outputs in $GITHUB_OUTPUT, the Markdown report in
// $GITHUB_STEP_SUMMARY — and the CLI's exit status as the step's.
import { appendFileSync } from 'node:fs';
import { run } from '../cli/main';
import { cliArgv, readInputs, type Env } from './inputs';
import { annotationsOf, findingsOf, outcomeOf, type CliRun, type Outcome } from './outcome';
import { changedFiles, snapshot } from './snapshot';
import { summaryOf } from './summary';
import { annotation, outputEntry, verbatim } from './workflowCommands';

export interface ActionIo {
  /** The step's log: the runner reads workflow commands from it. */
  stdout: { write(text: string): unknown };
  /** Where GITHUB_WORKSPACE is missing (a run outside a workflow). */
  cwd: string;
}

/** The CLI in-process: argv in, exit status and both outputs captured. */
export async function runCli(argv: string[], cwd: string, env: Env): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await run(argv, {
    cwd,
    env,
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  });
  return { argv, status, stdout, stderr };
}

/** Runs the action; resolves to the exit status of the step. */
export async function runAction(env: Env, io: ActionIo): Promise<number> {
  const inputs = readInputs(env);
  if (!inputs.ok) {
    io.stdout.write(`${annotation('error', inputs.error, { title: 'digest-pin' })}\n`);
    return 2;
  }
  const cwd = env['GITHUB_WORKSPACE'] || io.cwd;
  const argv = cliArgv(inputs.value);
  const before = snapshot(cwd);
  const cliRun = await runCli(argv, cwd, env);
  const changed = changedFiles(before, snapshot(cwd));
  const outcome = outcomeOf(inputs.value.command, cliRun);
  const report = summaryOf(outcome);

  io.stdout.write(verbatim(`digest-pin ${argv.join(' ')}\n`));
  for (const line of annotationsOf(outcome)) io.stdout.write(`${line}\n`);
  io.stdout.write(verbatim(logOf(outcome)));

  const outputs: Array<[string, string]> = [
    ['changed', String(changed.length > 0)],
    ['findings', String(findingsOf(outcome))],
    ['changed-files', changed.join('\n')],
    ['report', report.replace(/\n+$/, '')],
  ];
  const outputFile = env['GITHUB_OUTPUT'];
  if (outputFile) appendFileSync(outputFile, outputs.map(([name, value]) => outputEntry(name, value)).join(''));
  const summaryFile = env['GITHUB_STEP_SUMMARY'];
  if (summaryFile) appendFileSync(summaryFile, report);

  const failure = failureOf(outcome, inputs.value.failOn);
  if (failure !== null) io.stdout.write(`${annotation('error', failure, { title: 'digest-pin' })}\n`);
  return cliRun.status;
}

/** What the log shows besides the annotations: the CLI's own words (pin's summary line, warnings, a usage error). */
function logOf(outcome: Outcome): string {
  const { stdout, stderr } = outcome.run;
  switch (outcome.command) {
    case 'check': {
      const { files, references, errors, warnings, information } = outcome.report.summary;
      return `${stderr}${files} files, ${references} references: ${errors} errors, ${warnings} warnings, ${information} information\n`;
    }
    case 'pin':
      return `${stderr}${outcome.summary}\n`;
    case 'other':
      return `${stdout}${stderr}`;
  }
}

/** Why the step fails, or null when the CLI exited 0. */
function failureOf(outcome: Outcome, failOn: string): string | null {
  const { status, stderr } = outcome.run;
  if (status === 0) return null;
  if (status === 1 && outcome.command === 'check') return `findings at or above '${failOn}' (input fail-on)`;
  if (status === 1 && outcome.command === 'pin') return 'some references could not be pinned or written';
  // A usage error or a fatal one: the CLI's first words say which (`digest-pin: unknown command 'lock'`).
  const first = stderr.split('\n').find((line) => line.trim() !== '');
  return first ?? `digest-pin exited with status ${status}`;
}
