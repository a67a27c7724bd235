// digest-pin command line: `check`, `pin` and `lsp --stdio`. The work is in cli/ and server.ts; this only binds process.
import { run, type ExitCode } from './cli/main';
import { main as startLanguageServer } from './server';

async function main(): Promise<ExitCode> {
  try {
    return await run(process.argv.slice(2), {
      cwd: process.cwd(),
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  } catch (error) {
    // A bug outside any one file's check: say so, and exit 2 rather than node's 1, which would read as "findings".
    process.stderr.write(
      `digest-pin: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 2;
  }
}

// `digest-pin check | head`: the reader left, which is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit();
});

// `digest-pin lsp [--stdio]`: the language server takes the process over (stdin/stdout carry the protocol).
if (process.argv[2] === 'lsp') startLanguageServer(process.argv.slice(3));
// exitCode, not exit(): a large report written to a pipe must drain before the process ends.
else {
  void main().then((code) => {
    process.exitCode = code;
  });
}
