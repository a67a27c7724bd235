// digest-pin's own LSP messages, shared by the server and the VS Code client (and usable by any other client).
// Types only plus method names: no runtime dependency, so neither bundle pulls in the other side's library.
//
// Both libraries accept a method name: `connection.onRequest(PinWorkspace.method, handler)` on the server,
// `client.sendRequest(PinWorkspace.method, params)` on the client; `Message<P, R>` carries the types along.
import type { WorkDoneProgressParams, WorkspaceEdit } from 'vscode-languageserver';
import type { PullBudget } from './pullBudget';
import type { Settings } from './settings';

/** A method name with its parameter and result types attached (phantom fields, never present at run time). */
export interface Message<P, R = void> {
  readonly method: string;
  readonly _params?: P;
  readonly _result?: R;
}
const message = <P, R = void>(method: string): Message<P, R> => ({ method });

export type ParamsOf<M> = M extends Message<infer P, unknown> ? P : never;
export type ResultOf<M> = M extends Message<unknown, infer R> ? R : never;

// --- initialisation --------------------------------------------------------------------------------------------------

/**
 * `initializationOptions` of the initialize request. Every field is optional: a plain LSP client (Neovim, Helix…)
 * sends nothing and gets a trusted workspace, the CLI's cache directory and default settings.
 */
export interface InitializationOptions {
  /**
   * Workspace trust (VS Code: `workspace.isTrusted`). Untrusted: static diagnostics only — no registry request, no
   * credential helper is run, no cache is read or written. Default true: whoever starts `digest-pin lsp` trusts it.
   * Later changes arrive as the `digestPin/trust` notification.
   */
  trusted?: boolean;
  /** Directory of the persistent registry cache (VS Code: the extension's global storage). Default: the CLI's. */
  cacheDir?: string;
  /** Settings for clients that have no workspace/configuration; the same shape as the `digestPin` section. */
  settings?: Partial<Settings> | Record<string, unknown>;
}

// --- client → server ---------------------------------------------------------------------------------------------------

export interface TrustParams {
  trusted: boolean;
}
/** Notification: the workspace became trusted (resolution starts) or untrusted (it stops; online diagnostics go). */
export const Trust = message<TrustParams>('digestPin/trust');

export interface RefreshParams {
  /** Documents to re-check; all open documents when absent. */
  uris?: string[];
}
export interface RefreshResult {
  /** References that were resolved again. */
  references: number;
}
/**
 * Request ("Refresh digests"): forget what the registries said (memory and the persistent cache), ask again for
 * every reference of the open documents, and update diagnostics as answers arrive. Answers after the asking starts.
 */
export const Refresh = message<RefreshParams, RefreshResult>('digestPin/refresh');

export interface WorkspaceEditParams extends WorkDoneProgressParams {
  /** Files to edit (`file:` URIs). Open documents are edited as they are in the editor, others as on disk. */
  uris: string[];
}

export interface WorkspaceEditSummary {
  /** Files that got at least one edit. */
  files: number;
  /** References pinned or updated. */
  edited: number;
  /** References that could not be: their file, where, and why (registry errors explained). */
  failures: Array<{ uri: string; line: number; text: string; reason: string }>;
  /** True when the request was cancelled part way; `edit` then holds what was finished. */
  cancelled: boolean;
}

export interface WorkspaceEditResult {
  /** Apply with workspace.applyEdit; versioned (documentChanges) when the client supports it. */
  edit: WorkspaceEdit;
  summary: WorkspaceEditSummary;
}

/** Request ("Pin all images in workspace"): pin every unpinned reference in the given files. Progress + cancellable. */
export const PinWorkspace = message<WorkspaceEditParams, WorkspaceEditResult>('digestPin/pinWorkspace');

/** Request ("Update drifted digests in workspace"): replace every pinned digest whose tag has moved. */
export const UpdateWorkspace = message<WorkspaceEditParams, WorkspaceEditResult>('digestPin/updateWorkspace');

export interface LockWorkspaceParams extends WorkspaceEditParams {
  /** `digest-pin lock --update`: also move the entries whose tag has moved on (or whose digest is gone). */
  update: boolean;
}

export interface LockWorkspaceSummary {
  /** Lock files the edit writes (or creates). */
  locks: number;
  /** Entries added, and moved to the tag's current digest. */
  added: number;
  updated: number;
  /** Entries that could not be added or updated (their lock keeps what it had): the reference, and why. */
  failures: Array<{ uri: string; line: number; text: string; reason: string }>;
  /** True when the request was cancelled part way; `edit` then holds nothing. */
  cancelled: boolean;
}

export interface LockWorkspaceResult {
  /** Each lock file's whole new text (created when absent); apply with workspace.applyEdit. */
  edit: WorkspaceEdit;
  summary: LockWorkspaceSummary;
}

/**
 * Request ("Lock all images in workspace", "Update digest-pin.lock"): the lock files of the given files with an entry
 * for every reference they lack (`update`: and every entry whose tag moved on), as `digest-pin lock` merges them
 * (lock/merge.ts); entries no file uses are kept. Progress + cancellable.
 */
export const LockWorkspace = message<LockWorkspaceParams, LockWorkspaceResult>('digestPin/lockWorkspace');

// --- server → client ---------------------------------------------------------------------------------------------------

export type StatusState =
  /** Nothing pending; `message` says what is known. */
  | 'idle'
  /** Asking registries; `pending` references outstanding. */
  | 'resolving'
  /** The offline setting is on: only cached answers are used. */
  | 'offline'
  /** The workspace is not trusted: static checks only. */
  | 'untrusted'
  /** A registry is rate-limiting; `retryAfter` seconds when it said so. */
  | 'rate-limited'
  /** `digestPin.enable` is false for every open document. */
  | 'disabled';

export interface StatusParams {
  state: StatusState;
  /** References waiting for a registry answer. */
  pending: number;
  /** One line for a status bar tooltip, e.g. "resolving 12 images". */
  message: string;
  /** For `rate-limited`: the registry and seconds until it accepts requests again, when known. */
  registry?: string;
  retryAfter?: number;
  /** What is left of each pull budget the registries' answers stated (Docker Hub), in any state but untrusted. */
  pullBudgets?: PullBudget[];
}
/** Notification: what the server is doing, for a status bar item. Sent on every change of state or count. */
export const Status = message<StatusParams>('digestPin/status');

/**
 * Node options the language server process is started with (the VS Code client's execArgv; other editors may add
 * them to their command). V8 optimises hot functions on a background thread, and what that thread allocated while
 * the server resolved thousands of tags stays in its malloc arena: 10–35 MB of resident memory, different on every
 * run (bench lsp-server-10k). Optimising on the main thread instead costs pauses of a few ms while warming up.
 */
export const SERVER_NODE_OPTIONS: readonly string[] = ['--no-concurrent-recompilation'];

/**
 * Environment added to the language server process's (the VS Code client's). glibc's malloc otherwise keeps freed
 * memory: one arena per thread that ever allocated, and a threshold for returning large blocks to the system that
 * rises to the largest block freed — a 3 MB diagnostics message or a 1 MB document then stays resident after each
 * use. One arena and a fixed 128 kB threshold: 2–4 MB less steady RSS in bench lsp-server-10k, keystroke time
 * unchanged. Other C libraries ignore these names.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '131072' };
