// Entry of the GitHub Action's bundle (action/dist/index.js, committed: a workflow runs it without a build step).
import { runAction } from './action';
import { annotation } from './workflowCommands';

async function main(): Promise<number> {
  try {
    return await runAction(process.env, { stdout: process.stdout, cwd: process.cwd() });
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stdout.write(
      `${annotation('error', `internal error (please report it): ${text}`, { title: 'digest-pin' })}\n`,
    );
    return 2;
  }
}

// exitCode, not exit(): the log and the files must be written out before the process ends.
void main().then((code) => {
  process.exitCode = code;
});
