import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { SERVER_ENV, SERVER_NODE_OPTIONS } from '../../server/src/shared/protocol';
import { EXTENSION_ID, waitFor } from './support';

/** The extension host's child processes running the bundled server: their argv and environment, from /proc. */
function serverProcesses(): Array<{ pid: number; argv: string[]; env: string[] }> {
  const found: Array<{ pid: number; argv: string[]; env: string[] }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]);
      if (ppid !== process.pid) continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv.some((arg) => arg.endsWith('dist/server.js')))
        found.push({ pid: Number(name), argv, env: readFileSync(`/proc/${name}/environ`, 'utf8').split('\0') });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

suite('activation', () => {
  test('a workspace with a Dockerfile activates the extension (workspaceContains), before any file is opened', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded from the development path`);
    const events = (extension.packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
    assert.ok(events.includes('workspaceContains:**/Dockerfile'), `activationEvents: ${events.join(', ')}`);
    await waitFor(() => extension.isActive, `${EXTENSION_ID} to activate`, 20_000);
    assert.equal(extension.isActive, true);
  });

  test('the six commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.deepEqual(
      [
        'digestPin.pinWorkspace',
        'digestPin.updateWorkspace',
        'digestPin.lockWorkspace',
        'digestPin.updateLock',
        'digestPin.refresh',
        'digestPin.showOutput',
      ].filter((c) => !commands.includes(c)),
      [],
    );
  });

  test("the language server is a process of its own, started with the client's Node options and environment", async function () {
    if (!existsSync('/proc/self/status')) this.skip(); // read from /proc: Linux only
    let servers: ReturnType<typeof serverProcesses> = [];
    await waitFor(
      () => (servers = serverProcesses()).length > 0,
      'a dist/server.js child of the extension host',
      20_000,
    );
    assert.equal(servers.length, 1, `servers: ${servers.map((s) => s.argv.join(' ')).join('; ')}`);
    const [server] = servers;
    const script = server!.argv.findIndex((arg) => arg.endsWith('dist/server.js'));
    assert.deepEqual(server!.argv.slice(1, script), [...SERVER_NODE_OPTIONS], `argv: ${server!.argv.join(' ')}`);
    for (const [name, value] of Object.entries(SERVER_ENV))
      assert.ok(server!.env.includes(`${name}=${value}`), `${name}=${value} is not in the server's environment`);
  });
});
