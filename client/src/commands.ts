// The six commands. "Pin all", "Update drifted", "Lock all" and "Update digest-pin.lock" run in a cancellable
// progress notification: find the files, ask the server for one WorkspaceEdit (it reports progress through a
// work-done token), apply it, and sum up.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { LSPErrorCodes, ResponseError, WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import {
  LockWorkspace,
  PinWorkspace,
  Refresh,
  UpdateWorkspace,
  type LockWorkspaceParams,
  type LockWorkspaceResult,
  type LockWorkspaceSummary,
  type RefreshParams,
  type RefreshResult,
  type WorkspaceEditParams,
  type WorkspaceEditResult,
  type WorkspaceEditSummary,
} from '../../server/src/shared/protocol';
import { excludeGlob, isWorkspaceFile, LANGUAGES, WORKSPACE_FILES_GLOB } from './documents';
import { COMMANDS } from './ids';
import {
  failureLines,
  lockProgressTitle,
  lockSummaryMessage,
  progressIncrement,
  progressTitle,
  summaryMessage,
  type WorkspaceAction,
} from './summary';
import { explainUntrusted, isTrusted } from './trust';

/** More files than this and the search stops (the output says so). */
const MAX_FILES = 20_000;

export interface Services {
  client: LanguageClient;
  /** Resolves true once the server is running, false when it could not start. */
  ready: Promise<boolean>;
  output: vscode.LogOutputChannel;
}

/** What a workspace command did; also its return value, for scripts and tests (`executeCommand` gets it). */
export interface WorkspaceCommandResult {
  /** Files handed to the server. */
  searched: number;
  summary?: WorkspaceEditSummary | LockWorkspaceSummary;
  /** Whether the edit was applied (false when nothing to apply, refused, or the files changed meanwhile). */
  applied: boolean;
  /** The sentence shown to the user. */
  message: string;
}

export function registerCommands(services: Services): vscode.Disposable[] {
  let running: string | undefined;
  /** One workspace command at a time: `doing` says what it does while it runs, `what` names it when it fails. */
  const exclusive =
    (doing: string, what: string, run: () => Promise<WorkspaceCommandResult | undefined>) =>
    async (): Promise<WorkspaceCommandResult | undefined> => {
      if (running) {
        void vscode.window.showInformationMessage(`digest-pin is already ${running}; wait for it or cancel it.`);
        return undefined;
      }
      running = doing;
      try {
        return await run();
      } catch (error) {
        failed(services, what, error);
        return undefined;
      } finally {
        running = undefined;
      }
    };
  const workspaceCommand = (action: WorkspaceAction) =>
    exclusive(
      action === 'pin' ? 'pinning images' : 'updating digests',
      action === 'pin' ? 'Pinning the workspace' : 'Updating drifted digests',
      () => runWorkspaceAction(services, action),
    );
  const lockCommand = (update: boolean) =>
    exclusive(
      update ? 'updating digest-pin.lock' : 'locking images',
      update ? 'Updating digest-pin.lock' : 'Locking the workspace',
      () => runLockAction(services, update),
    );
  return [
    vscode.commands.registerCommand(COMMANDS.pinWorkspace, workspaceCommand('pin')),
    vscode.commands.registerCommand(COMMANDS.updateWorkspace, workspaceCommand('update')),
    vscode.commands.registerCommand(COMMANDS.lockWorkspace, lockCommand(false)),
    vscode.commands.registerCommand(COMMANDS.updateLock, lockCommand(true)),
    vscode.commands.registerCommand(COMMANDS.refresh, () =>
      refresh(services).catch((error: unknown) => {
        failed(services, 'Refreshing digests', error);
        return undefined;
      }),
    ),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => services.output.show()),
  ];
}

/** A request that failed (the server crashed, answered with an error…): logged, and said in one line. */
function failed(services: Services, what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  services.output.error(`${what} failed: ${message}`);
  tell(services, 'error', `digest-pin: ${what.toLowerCase()} failed: ${message}`);
}

const SHOW_OUTPUT = 'Show Output';

/** A message with a "Show Output" button (none for information: it has nothing more to say in the output). */
function tell(services: Services, level: 'error' | 'warning' | 'information', message: string): void {
  const shown =
    level === 'error'
      ? vscode.window.showErrorMessage(message, SHOW_OUTPUT)
      : level === 'warning'
        ? vscode.window.showWarningMessage(message, SHOW_OUTPUT)
        : vscode.window.showInformationMessage(message);
  void shown.then((choice) => {
    if (choice === SHOW_OUTPUT) services.output.show();
  });
}

async function serverReady(services: Services): Promise<boolean> {
  // Started once, and still running (the client gives up on a server that keeps crashing).
  if ((await services.ready) && services.client.isRunning()) return true;
  tell(services, 'error', 'The digest-pin language server is not running.');
  return false;
}

async function refresh(services: Services): Promise<RefreshResult | undefined> {
  if (!isTrusted()) {
    void explainUntrusted('refresh digests');
    return undefined;
  }
  if (!(await serverReady(services))) return undefined;
  const params: RefreshParams = {};
  const result = await services.client.sendRequest<RefreshResult>(Refresh.method, params);
  services.output.info(`refresh: asking registries again for ${result.references} reference(s)`);
  vscode.window.setStatusBarMessage(
    `digest-pin: asking registries again for ${result.references} image${result.references === 1 ? '' : 's'}`,
    5000,
  );
  return result;
}

async function runWorkspaceAction(
  services: Services,
  action: WorkspaceAction,
): Promise<WorkspaceCommandResult | undefined> {
  if (!isTrusted()) {
    void explainUntrusted(action === 'pin' ? 'pin images' : 'update digests');
    return undefined;
  }
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showInformationMessage(
      'Open a folder first: digest-pin pins the images of the files in your workspace.',
    );
    return undefined;
  }
  if (!(await serverReady(services))) return undefined;

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: progressTitle(action), cancellable: true },
    (progress, token) => askServer(services, action, progress, token),
  );
  if (!result) return undefined;
  const { summary, uris } = result;
  const applied = await applyEdit(services, result.edit);
  let message = summaryMessage(action, summary, uris.length);
  if (!applied.ok) message = `${applied.reason} ${message}`;
  const failures = failureLines(summary, (uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri)));
  services.output.info(`${action === 'pin' ? 'pin all' : 'update drifted'}: ${message}`);
  failures.forEach((line) => services.output.warn(line));
  tell(services, failures.length > 0 || !applied.ok ? 'warning' : 'information', message);
  return { searched: uris.length, summary, applied: applied.ok && applied.changed, message };
}

interface ServerAnswer<S> {
  uris: string[];
  edit: WorkspaceEditResult['edit'];
  summary: S;
}

/** Sends a workspace request for the files (with the work-done token its progress is reported under). */
type Send<S> = (
  uris: string[],
  workDoneToken: string,
  token: vscode.CancellationToken,
) => Promise<{ edit: WorkspaceEditResult['edit']; summary: S }>;

function askServer(
  services: Services,
  action: WorkspaceAction,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<ServerAnswer<WorkspaceEditSummary> | undefined> {
  return askServerWith(services, progress, token, async (uris, workDoneToken, cancel) => {
    const params: WorkspaceEditParams = { uris, workDoneToken };
    try {
      return await services.client.sendRequest<WorkspaceEditResult>(
        action === 'pin' ? PinWorkspace.method : UpdateWorkspace.method,
        params,
        cancel,
      );
    } catch (error) {
      // A server that answers a cancellation with an error instead of a partial result: nothing was done.
      if (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled)
        return { edit: {}, summary: { files: 0, edited: 0, failures: [], cancelled: true } };
      throw error;
    }
  });
}

async function askServerWith<S>(
  services: Services,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
  send: Send<S>,
): Promise<ServerAnswer<S> | undefined> {
  progress.report({ message: 'finding files…' });
  const uris = await workspaceFiles(services.output, token);
  if (token.isCancellationRequested) return undefined;
  if (uris.length === 0) {
    void vscode.window.showInformationMessage('No Dockerfiles, compose files or YAML files in this workspace.');
    return undefined;
  }
  progress.report({ message: `${uris.length} file${uris.length === 1 ? '' : 's'}…` });

  const workDoneToken = randomUUID();
  let reported = 0;
  const listener = services.client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
    if (value.kind === 'end') return;
    const increment = progressIncrement(reported, value.percentage);
    if (increment !== undefined) reported += increment;
    progress.report({
      ...(value.message ? { message: value.message } : {}),
      ...(increment !== undefined ? { increment } : {}),
    });
  });
  try {
    const answer = await send(uris, workDoneToken, token);
    return { uris, edit: answer.edit, summary: answer.summary };
  } finally {
    listener.dispose();
  }
}

/** "Lock all images in workspace" / "Update digest-pin.lock": the server's edit of the lock files, applied. */
async function runLockAction(services: Services, update: boolean): Promise<WorkspaceCommandResult | undefined> {
  const name = update ? 'update digest-pin.lock' : 'lock images';
  if (!isTrusted()) {
    void explainUntrusted(name);
    return undefined;
  }
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showInformationMessage(
      'Open a folder first: digest-pin locks the images of the files in your workspace.',
    );
    return undefined;
  }
  if (!(await serverReady(services))) return undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: lockProgressTitle(update), cancellable: true },
    (progress, token) =>
      askServerWith(services, progress, token, async (uris, workDoneToken, cancel) => {
        const params: LockWorkspaceParams = { uris, workDoneToken, update };
        try {
          return await services.client.sendRequest<LockWorkspaceResult>(LockWorkspace.method, params, cancel);
        } catch (error) {
          if (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled)
            return { edit: {}, summary: { locks: 0, added: 0, updated: 0, failures: [], cancelled: true } };
          throw error;
        }
      }),
  );
  if (!result) return undefined;
  const { summary, uris } = result;
  const applied = await applyEdit(services, result.edit);
  let message = lockSummaryMessage(update, summary, uris.length);
  if (!applied.ok) message = `${applied.reason} ${message}`;
  const failures = failureLines(summary, (uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri)));
  services.output.info(`${update ? 'update lock' : 'lock all'}: ${message}`);
  failures.forEach((line) => services.output.warn(line));
  tell(services, failures.length > 0 || !applied.ok ? 'warning' : 'information', message);
  return { searched: uris.length, summary, applied: applied.ok && applied.changed, message };
}

/** Every file of the workspace the engine reads, plus open documents in our languages that their name hides. */
async function workspaceFiles(output: vscode.LogOutputChannel, token: vscode.CancellationToken): Promise<string[]> {
  const exclude = excludeGlob(vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude'));
  const found = await vscode.workspace.findFiles(WORKSPACE_FILES_GLOB, exclude, MAX_FILES, token);
  if (found.length >= MAX_FILES)
    output.warn(`pin: the workspace has more than ${MAX_FILES} candidate files; only the first ${MAX_FILES} were read`);
  const uris = new Set(found.filter((uri) => isWorkspaceFile(uri.path)).map((uri) => uri.toString()));
  for (const document of vscode.workspace.textDocuments) {
    if (
      document.uri.scheme === 'file' &&
      (LANGUAGES as readonly string[]).includes(document.languageId) &&
      vscode.workspace.getWorkspaceFolder(document.uri)
    ) {
      uris.add(document.uri.toString());
    }
  }
  return [...uris].sort();
}

type Applied = { ok: true; changed: boolean } | { ok: false; reason: string };

/**
 * Applies the server's edit as a refactoring (one undo step). Like VS Code's own refactorings, edited files that
 * were clean before are saved when files.refactoring.autoSave is on (its default) — for one file as for many.
 */
async function applyEdit(services: Services, lspEdit: WorkspaceEditResult['edit']): Promise<Applied> {
  const edit = await services.client.protocol2CodeConverter.asWorkspaceEdit(lspEdit);
  const entries = edit.entries();
  if (entries.length === 0) return { ok: true, changed: false };
  const dirtyBefore = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
  if (!(await vscode.workspace.applyEdit(edit, { isRefactoring: true }))) {
    return {
      ok: false,
      reason: 'Nothing was changed: files were edited while digest-pin was working; run the command again.',
    };
  }
  if (vscode.workspace.getConfiguration('files').get<boolean>('refactoring.autoSave', true)) {
    const edited = new Set(entries.map(([uri]) => uri.toString()));
    const toSave = vscode.workspace.textDocuments.filter(
      (d) => edited.has(d.uri.toString()) && d.isDirty && !dirtyBefore.has(d.uri.toString()),
    );
    const saved = await Promise.all(toSave.map((d) => d.save()));
    const failed = toSave.filter((_, i) => !saved[i]).map((d) => vscode.workspace.asRelativePath(d.uri));
    if (failed.length > 0)
      services.output.warn(`could not save ${failed.join(', ')}: the changes are in the editor, unsaved`);
  }
  return { ok: true, changed: true };
}
