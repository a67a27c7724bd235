// A private CA and the certificates it signs, made with the openssl CLI (node:crypto cannot make certificates), for
// the TLS tests: a registry's server certificate, client certificates, and a CA nobody trusts.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Issued {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

export interface Ca extends Issued {
  name: string;
  /** A leaf certificate signed by this CA: `serverAuth` for `sans` (IP:…, DNS:…), or `clientAuth`. */
  issue(name: string, usage: { server: readonly string[] } | 'client'): Issued;
}

function openssl(args: readonly string[], what: string): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error || result.status !== 0)
    throw new Error(`openssl could not make ${what}: ${result.error?.message ?? result.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function issued(certPath: string, keyPath: string): Issued {
  return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

/** A self-signed CA (P-256, valid two days) in `dir`, files `<name>-ca.crt` / `<name>-ca.key`. */
export function makeCa(dir: string, name: string): Ca {
  const certPath = join(dir, `${name}-ca.crt`);
  const keyPath = join(dir, `${name}-ca.key`);
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-days',
      '2',
      '-subj',
      `/CN=digest-pin test CA ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    `the CA ${name}`,
  );
  let serial = 1;
  return {
    name,
    ...issued(certPath, keyPath),
    issue(leaf, usage) {
      const leafKey = join(dir, `${name}-${leaf}.key`);
      const leafCsr = join(dir, `${name}-${leaf}.csr`);
      const leafCert = join(dir, `${name}-${leaf}.cert`);
      const ext = join(dir, `${name}-${leaf}.ext`);
      openssl(['req', ...EC, '-subj', `/CN=${leaf}`, '-keyout', leafKey, '-out', leafCsr], `the key of ${leaf}`);
      writeFileSync(
        ext,
        usage === 'client'
          ? 'extendedKeyUsage=clientAuth\n'
          : `subjectAltName=${usage.server.join(',')}\nextendedKeyUsage=serverAuth\n`,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          leafCsr,
          '-CA',
          certPath,
          '-CAkey',
          keyPath,
          '-set_serial',
          String(serial++),
          '-days',
          '2',
          '-extfile',
          ext,
          '-out',
          leafCert,
        ],
        `the certificate of ${leaf}`,
      );
      return issued(leafCert, leafKey);
    },
  };
}
