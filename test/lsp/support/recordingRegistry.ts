// A registry factory for the in-process server (ServerOptions.createRegistry): it builds the real client
// (createRegistryClient) and records every call made of it, counts those still in flight (so a test can wait until
// the server has no question outstanding), and lets a test make calls fail or hang.
import {
  createRegistryClient,
  type RegistryClient,
  type RegistryClientOptions,
} from '../../../server/src/registry/index';

export type RegistryMethod = 'resolve' | 'describe' | 'checkPin' | 'listTags' | 'flush' | 'close';

export interface RegistryCall {
  method: RegistryMethod;
  /** The reference asked about (`domain/path[:tag][@digest]`), for resolve, describe and checkPin. */
  ref?: string;
  /** Which client (0 = the first one the server made; a new one is made when settings or trust change). */
  client: number;
}

/**
 * What a call does instead of asking the registry: a value or error to end with, or `hang` (never ends, unless the
 * call's signal aborts, which rejects it). Return undefined to let the real client answer.
 */
export type Interception = { value: unknown } | { error: unknown } | 'hang' | undefined;

export interface RecordingRegistry {
  /** Pass as ServerOptions.createRegistry. */
  create: (options: RegistryClientOptions) => RegistryClient;
  /** The options of every client made, in order. */
  readonly made: RegistryClientOptions[];
  readonly calls: RegistryCall[];
  count(filter?: Partial<RegistryCall>): number;
  /** Calls started and not yet ended. */
  inFlight(): number;
  /** Resolves when no call is in flight (including calls started while waiting). */
  idle(): Promise<void>;
  /** Decides per call whether the real client answers; undefined restores it for every call. */
  intercept(decide: ((call: RegistryCall) => Interception) | undefined): void;
}

interface Named {
  domain: string;
  path: string;
  tag?: string | null;
  digest?: string | null;
}

const nameOf = (ref: Named, digest?: string): string =>
  `${ref.domain}/${ref.path}${ref.tag ? `:${ref.tag}` : ''}${(digest ?? ref.digest) ? `@${digest ?? ref.digest}` : ''}`;

export function recordingRegistry(base: (options: RegistryClientOptions) => RegistryClient = createRegistryClient) {
  const made: RegistryClientOptions[] = [];
  const calls: RegistryCall[] = [];
  const running = new Set<Promise<unknown>>();
  let decide: ((call: RegistryCall) => Interception) | undefined;

  function track<T>(call: RegistryCall, signal: AbortSignal | undefined, real: () => Promise<T>): Promise<T> {
    calls.push(call);
    const interception = decide?.(call);
    let promise: Promise<T>;
    if (interception === undefined) promise = real();
    else if (interception === 'hang')
      promise = new Promise<T>((_, reject) => {
        if (signal?.aborted) reject(signal.reason);
        else signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    else if ('error' in interception) promise = Promise.reject(interception.error);
    else promise = Promise.resolve(interception.value as T);
    const tracked = promise.finally(() => running.delete(tracked));
    // A rejection is the caller's to handle; the set only watches.
    tracked.catch(() => undefined);
    running.add(tracked);
    return tracked;
  }

  const registry: RecordingRegistry = {
    made,
    calls,
    create(options) {
      const client = made.length;
      made.push(options);
      const real = base(options);
      return {
        resolve: (ref, opts) =>
          track({ method: 'resolve', ref: nameOf(ref), client }, opts?.signal, () => real.resolve(ref, opts)),
        describe: (ref, digest, opts) =>
          track({ method: 'describe', ref: nameOf(ref, digest), client }, opts?.signal, () =>
            real.describe(ref, digest, opts),
          ),
        checkPin: (ref, opts) =>
          track({ method: 'checkPin', ref: nameOf(ref), client }, opts?.signal, () => real.checkPin(ref, opts)),
        pullBudgets: () => real.pullBudgets(),
        listTags: (ref, opts) =>
          track({ method: 'listTags', ref: nameOf(ref), client }, opts?.signal, () => real.listTags(ref, opts)),
        flush: () => track({ method: 'flush', client }, undefined, () => real.flush()),
        close: () => track({ method: 'close', client }, undefined, () => real.close()),
      };
    },
    count(filter = {}) {
      return calls.filter((call) =>
        Object.entries(filter).every(([key, value]) => call[key as keyof RegistryCall] === value),
      ).length;
    },
    inFlight: () => running.size,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    intercept(next) {
      decide = next;
    },
  };
  return registry;
}
