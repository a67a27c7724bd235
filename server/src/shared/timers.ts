// Timers behind an interface, so tests drive time (fake timers) instead of sleeping: the language server's debounce,
// batching and status throttle, and the registry client's delayed cache write, all take one.

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: a pending analysis or cache write never keeps a finished process alive (close() writes). */
export const realTimers: Timers = {
  setTimeout: (run, ms) => {
    const handle = setTimeout(run, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
