// Free loopback ports for test servers that cannot listen on port 0 themselves (the registry needs it in its config).
import { createServer } from 'node:net';

/** A port that was free a moment ago: listen on 0, read it, close. Callers retry if someone takes it meanwhile. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
