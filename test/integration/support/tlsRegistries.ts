// Two real registries serving TLS with certificates of a CA made for the run (support/pki.ts): `open` (any client)
// and `mutual` (requires a client certificate the CA issued), whose blob downloads redirect to `storage`, another
// host with the same server certificate that records any client certificate presented to it. A `stranger` CA signed
// nothing here: trusting it is trusting the wrong CA.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCa, type Ca, type Issued } from '../../support/pki';
import { startEvilOrigin, type EvilOrigin } from './evilOrigin';
import { startRegistry, type Registry } from './registry';

export interface TlsRegistries {
  corp: Ca;
  stranger: Ca;
  /** The registries' (and storage's) server certificate, for 127.0.0.1 and localhost. */
  server: Issued;
  /** A client certificate the corp CA issued: `mutual` accepts it. */
  client: Issued;
  open: Registry;
  mutual: Registry;
  storage: EvilOrigin;
  stop(): Promise<void>;
}

/** Everything under `dir/pki`; stop() stops the three servers (the caller removes `dir`). */
export async function startTlsRegistries(dir: string): Promise<TlsRegistries> {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true });
  const corp = makeCa(pki, 'corp');
  const stranger = makeCa(pki, 'stranger');
  const server = corp.issue('registry', { server: ['IP:127.0.0.1', 'DNS:localhost'] });
  const client = corp.issue('client', 'client');
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop();
  };
  try {
    const open = await startRegistry({ tls: { certificate: server.certPath, key: server.keyPath, ca: corp.cert } });
    started.push(open);
    const storage = await startEvilOrigin({ tls: { cert: server.cert, key: server.key } });
    started.push(storage);
    const mutual = await startRegistry({
      tls: {
        certificate: server.certPath,
        key: server.keyPath,
        clientCas: [corp.certPath],
        ca: corp.cert,
        client: { cert: client.cert, key: client.key },
      },
      redirectBlobsTo: storage.localhostUrl,
    });
    started.push(mutual);
    storage.serveFrom(mutual.storageDir);
    return { corp, stranger, server, client, open, mutual, storage, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A certs.d tree under `dir`: `{ '127.0.0.1:5000/ca.crt': pem }`; a null value makes an empty directory. */
export function certsD(dir: string, files: Record<string, string | null>): string {
  const root = mkdtempSync(join(dir, 'certs.d-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, text === null ? '' : '..'), { recursive: true });
    if (text !== null) writeFileSync(join(root, path), text);
  }
  return root;
}

/**
 * certs.d for `mutual` with the client certificate, and for `storage` (where its blobs redirect) the CA alone, in its
 * own directory: the storage host is trusted, and has no client certificate to be shown.
 */
export function mutualCertsD(tls: TlsRegistries, dir: string): { dirs: string } {
  const storageHost = new URL(tls.storage.localhostUrl).host;
  const dirs = certsD(dir, {
    [`${tls.mutual.host}/ca.crt`]: tls.corp.cert,
    [`${tls.mutual.host}/client.cert`]: tls.client.cert,
    [`${tls.mutual.host}/client.key`]: tls.client.key,
    [`${storageHost}/ca.crt`]: tls.corp.cert,
  });
  return { dirs };
}
