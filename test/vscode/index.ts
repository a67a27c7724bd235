// The extension-host suite's entry (extensionTestsPath): VS Code loads the bundled out/test/vscode/index.js inside
// its extension host and calls run(); resolving means success, throwing means failure. Both runners use it:
// runTest.ts (@vscode/test-electron, desktop) and runCodeServer.ts (code-server's VS Code, here and in CI).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SUITE_ENV } from './env';

/** The bundled `*.test.js` files next to this one, in a stable order. */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort()
    .map((file) => join(dir, file));
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 30_000 });
  const grep = process.env[SUITE_ENV.grep];
  if (grep) mocha.grep(grep);
  const files = testFiles(__dirname);
  files.forEach((file) => mocha.addFile(file));

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
        // One plain line the code-server runner reads back for its closing summary.
        console.log(`suite result: ${passes} passed, ${failures} failed, ${pending} pending`);
        if (failures > 0) reject(new Error(`${failures} of ${passes + failures} tests failed`));
        else if (passes === 0) reject(new Error(grep ? `no test matches ${grep}` : `no tests found in ${__dirname}`));
        else resolve();
      });
    } catch (error) {
      // A test file that throws while loading fails the whole run.
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
