// The .vsix under test: packaged afresh by `npm run package` (vsce, which builds first through vscode:prepublish),
// written outside the repository so no stray .vsix is left behind.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export async function packageVsix(repoRoot: string, outDir: string): Promise<string> {
  const out = join(outDir, 'digest-pin.vsix');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(npm, ['run', 'package', '--', '--out', out], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error) => {
      output += error.message;
      resolve(null);
    });
    child.once('close', resolve);
  });
  if (code !== 0 || !existsSync(out) || statSync(out).size === 0) {
    throw new Error(`npm run package failed (exit ${code}):\n${output.slice(-4000)}`);
  }
  return out;
}
