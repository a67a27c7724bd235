// Helpers for tests that run inside the extension host (they may import `vscode`; the runners may not).
import { get } from 'node:http';
import { test } from 'mocha';
import * as vscode from 'vscode';
import type { StatusParams, StatusState } from '../../server/src/shared/protocol';
import type { DigestPinApi } from '../../client/src/api';
import { SUITE_ENV, type RequestCounts, type SuiteRegistry, type SuiteTrust } from './env';

/** publisher.name from package.json */
export const EXTENSION_ID = 'digest-pin.digest-pin';

/** The trust state the runner set up for this run. */
export const TRUST: SuiteTrust = process.env[SUITE_ENV.trust] === 'untrusted' ? 'untrusted' : 'trusted';

/** `test` in a trusted run, skipped (reported as pending) in an untrusted one; and the other way round. */
export const trustedTest = (title: string, fn: Mocha.AsyncFunc): Mocha.Test =>
  TRUST === 'trusted' ? test(title, fn) : test.skip(title, fn);
export const untrustedTest = (title: string, fn: Mocha.AsyncFunc): Mocha.Test =>
  TRUST === 'untrusted' ? test(title, fn) : test.skip(title, fn);

/** The seeded registry the runner started; the fixture workspace names it. */
export function suiteRegistry(): SuiteRegistry {
  const json = process.env[SUITE_ENV.registry];
  if (!json)
    throw new Error(
      `${SUITE_ENV.registry} is not set: run the suite through test/vscode/runCodeServer.ts or runTest.ts`,
    );
  return JSON.parse(json) as SuiteRegistry;
}

/** Registry and token requests since this VS Code run started, as the harness's proxy counted them. */
export function requestCounts(): Promise<RequestCounts> {
  return new Promise((resolve, reject) => {
    get(`${suiteRegistry().control}/requests`, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(JSON.parse(body) as RequestCounts));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** A file of the fixture workspace the runner opened (a temp copy of test/vscode/fixtures/workspace). */
export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open: the runner must open the fixture workspace');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

export async function openFile(relativePath: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relativePath));
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

/** The file's text on disk (not the editor's). */
export async function diskText(relativePath: string): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile(relativePath)));
}

/** Polls `condition` until it holds; fails with what was awaited when `timeoutMs` passes. */
export async function waitFor(
  condition: () => boolean,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The range of the `occurrence`-th appearance of `needle` in the document. */
export function rangeOf(document: vscode.TextDocument, needle: string, occurrence = 0): vscode.Range {
  let at = -1;
  const text = document.getText();
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0)
      throw new Error(`${document.uri.path} does not contain ${JSON.stringify(needle)} (occurrence ${occurrence})`);
  }
  return new vscode.Range(document.positionAt(at), document.positionAt(at + needle.length));
}

const SEVERITY_NAMES = ['error', 'warning', 'information', 'hint'] as const;

/** A diagnostic as the tests compare it: `line:start-end severity code`, plus the message. */
export interface Seen {
  where: string;
  severity: (typeof SEVERITY_NAMES)[number];
  code: string;
  message: string;
}

export const where = (range: vscode.Range): string =>
  `${range.start.line}:${range.start.character}-${range.end.line === range.start.line ? '' : `${range.end.line}:`}${range.end.character}`;

/** digest-pin's diagnostics of a document, in document order. */
export function diagnosticsOf(uri: vscode.Uri): Seen[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'digest-pin')
    .sort((a, b) => a.range.start.compareTo(b.range.start))
    .map((d) => ({
      where: where(d.range),
      severity: SEVERITY_NAMES[d.severity]!,
      code: typeof d.code === 'object' ? String(d.code.value) : String(d.code),
      message: d.message,
    }));
}

/** Waits until the document's diagnostics have exactly these codes (in document order), then returns them. */
export async function waitForCodes(uri: vscode.Uri, codes: string[], timeoutMs = 15_000): Promise<Seen[]> {
  const wanted = codes.join(',');
  await waitFor(
    () =>
      diagnosticsOf(uri)
        .map((d) => d.code)
        .join(',') === wanted,
    () => `diagnostics ${wanted} in ${uri.path}; have ${JSON.stringify(diagnosticsOf(uri))}`,
    timeoutMs,
  );
  return diagnosticsOf(uri);
}

/** The extension, activated. */
export async function activeExtension(): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded from the development path`);
  await waitFor(() => extension.isActive, `${EXTENSION_ID} to activate`, 20_000);
  return extension;
}

/** The extension's API (what activate returned): the language server's status reports. */
export async function statusApi(): Promise<DigestPinApi> {
  const extension = vscode.extensions.getExtension<DigestPinApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded from the development path`);
  return extension.activate();
}

const describeStatus = (status: StatusParams | undefined): string =>
  status === undefined ? 'none' : `${status.state} (${status.pending} pending): ${status.message}`;

/** Waits until the server's last status report is `state` with nothing pending. */
export async function waitForStatus(state: StatusState, timeoutMs = 15_000): Promise<StatusParams> {
  const api = await statusApi();
  await waitFor(
    () => api.status?.state === state && api.status.pending === 0,
    () => `status ${state} with nothing pending; have ${describeStatus(api.status)}`,
    timeoutMs,
  );
  return api.status!;
}

/**
 * Makes a change (a setting, a command), then waits until the server has done the work it caused: the status moved
 * to `state` (unless it was that already), the questions the change asked were reported (`resolving`), and the last
 * report is `state` with nothing pending — every answer is in, so no finding changes on its own any more.
 */
export async function afterServerWork(
  change: () => Thenable<unknown>,
  state: StatusState,
  timeoutMs = 15_000,
): Promise<void> {
  const api = await statusApi();
  const wasState = api.status?.state === state;
  const reports: StatusParams[] = [];
  const listening = api.onDidChangeStatus((status) => reports.push(status));
  try {
    await change();
    await waitFor(
      () => {
        const entered = wasState ? 0 : reports.findIndex((s) => s.state === state);
        if (entered < 0) return false;
        const last = reports.at(-1);
        return (
          reports.slice(entered).some((s) => s.state === 'resolving') && last?.state === state && last.pending === 0
        );
      },
      () => `the server's work after the change, ending ${state}; reports: ${reports.map(describeStatus).join(' → ')}`,
      timeoutMs,
    );
  } finally {
    listening.dispose();
  }
}
