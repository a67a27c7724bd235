// Last-resort cleanup when the test process exits without calling stop(): one `exit` listener for every instance
// (synchronous work only: kill a child, remove a temp dir).
const hooks = new Set<() => void>();
let installed = false;

/** Runs `hook` at process exit unless the returned function is called first. */
export function onProcessExit(hook: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', () => {
      for (const run of hooks) {
        try {
          run();
        } catch {
          // Best effort: keep running the other hooks.
        }
      }
    });
  }
  hooks.add(hook);
  return () => hooks.delete(hook);
}
