// A fetch for the harness's own requests to a registry serving TLS with a private CA: the global fetch cannot be told
// which CA to trust or which client certificate to present, node:https can. Enough of fetch for seed.ts and the
// readiness probe: method, headers, a Buffer body, no redirect following (`redirect: 'manual'` is what they use).
import { request } from 'node:https';

export interface TlsClientOptions {
  /** PEM CA certificate(s) the harness trusts. */
  ca: string;
  /** Client certificate and key, for a registry that requires one. */
  cert?: string;
  key?: string;
}

const NO_BODY = new Set([101, 204, 205, 304]);

export function tlsFetch(options: TlsClientOptions): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = new Headers(init?.headers);
      const req = request(
        url,
        {
          method: init?.method ?? 'GET',
          headers: Object.fromEntries(headers.entries()),
          ca: options.ca,
          ...(options.cert !== undefined ? { cert: options.cert, key: options.key } : {}),
          agent: false,
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const out = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              for (const one of Array.isArray(value) ? value : [value ?? '']) out.append(name, one);
            }
            const status = res.statusCode ?? 0;
            resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers: out }));
          });
        },
      );
      req.on('error', reject);
      const body = init?.body;
      if (body !== undefined && body !== null) req.end(body as Buffer | string);
      else req.end();
    });
}
