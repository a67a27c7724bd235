// TLS material per registry host, read the way Docker reads it, and the trust store every HTTPS connection starts
// from. Docker: `<certs.d>/<host[:port]>/` holds CA roots (`*.crt`, merged with the system's) and client certificates
// (`<name>.cert` with `<name>.key`; either one alone is an error). The trust store is Node's own (its bundled roots,
// NODE_EXTRA_CA_CERTS, --use-system-ca) plus the operating system's bundle, where corporate CAs are installed.
// A certs.d file that cannot be used is an error of kind `tls` naming the file (never quoting a key).
// Everything is read lazily, once, synchronously (files of a few KB; a redirect hook cannot wait), and cached.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as tls from 'node:tls';
import { tlsFilesError, type RegistryError } from './errors';

/** The environment variable that replaces the certs.d directories searched (a path list, like PATH). */
export const CERTS_DIRS_ENV = 'DIGEST_PIN_CERTS_DIRS';

/**
 * Where Docker keeps per-registry certificates, most personal first: `~/.docker/certs.d` (Docker Desktop),
 * `$XDG_CONFIG_HOME/docker/certs.d` (rootless Docker), `/etc/docker/certs.d` (Docker Engine;
 * `%ProgramData%\docker\certs.d` on Windows). `DIGEST_PIN_CERTS_DIRS` replaces the list.
 */
export function defaultCertsDirs(
  env: NodeJS.ProcessEnv,
  home: string = homedir(),
  platform: NodeJS.Platform = process.platform,
): string[] {
  const override = env[CERTS_DIRS_ENV];
  if (override !== undefined && override !== '') return override.split(delimiter).filter((dir) => dir !== '');
  const dirs = [join(home, '.docker', 'certs.d')];
  if (platform === 'win32') {
    dirs.push(join(env.ProgramData || 'C:\\ProgramData', 'docker', 'certs.d'));
    return dirs;
  }
  dirs.push(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'docker', 'certs.d'));
  dirs.push('/etc/docker/certs.d');
  return dirs;
}

export interface ClientCertificate {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

export interface HostTls {
  /** The `<certs.d>/<host>` directories that exist, in search order. */
  dirs: string[];
  /** PEM certificates of every `*.crt`, in search order. */
  cas: string[];
  /** The first `.cert`/`.key` pair: the first directory that has one, names in alphabetical order. */
  client?: ClientCertificate;
}

export type HostTlsResult = { ok: true; value: HostTls | null } | { ok: false; error: RegistryError };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificates of a bundle's text (anything between them, comments included, is ignored). */
export const pemCertificates = (text: string): string[] => text.match(PEM_CERTIFICATE) ?? [];

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error';
const absent = (error: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes(codeOf(error));

/** A problem with a file, named by path; the file's contents never appear in it. */
const problem = (registry: string, message: string): { ok: false; error: RegistryError } => ({
  ok: false,
  error: tlsFilesError(registry, message),
});

/**
 * The directory names Docker would use for a host: `host[:port]`, and for HTTPS's default port both forms. Windows
 * allows no `:` in a name, so Docker drops it there (`host5000`).
 */
export function hostDirNames(host: string, platform: NodeJS.Platform = process.platform): string[] {
  const name = host.toLowerCase();
  const names = /:\d+$/.test(name) ? [name] : [name, `${name}:443`];
  return platform === 'win32' ? names.map((n) => n.replaceAll(':', '')) : names;
}

/**
 * Reads `<dir>/<host>` in each directory: null when none exists, else the CAs and the client certificate, or the
 * first problem (an unreadable file, a `.crt` without a certificate, a `.cert` without its `.key` or the reverse, a
 * key that is not an unencrypted PEM key or does not match its certificate).
 */
export function readHostTls(dirs: readonly string[], host: string, registry: string = host): HostTlsResult {
  const found: string[] = [];
  const cas: string[] = [];
  let client: ClientCertificate | undefined;
  for (const base of dirs) {
    for (const name of hostDirNames(host)) {
      const dir = join(base, name);
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch (error) {
        if (absent(error)) continue;
        return problem(registry, `cannot read the certificate directory ${dir} (${codeOf(error)})`);
      }
      found.push(dir);
      const read = readDirectory(dir, names, registry);
      if (!read.ok) return read;
      cas.push(...read.cas);
      client ??= read.client;
    }
  }
  if (found.length === 0) return { ok: true, value: null };
  return { ok: true, value: { dirs: found, cas, ...(client ? { client } : {}) } };
}

type DirectoryRead = { ok: true; cas: string[]; client?: ClientCertificate } | { ok: false; error: RegistryError };

function readDirectory(dir: string, names: readonly string[], registry: string): DirectoryRead {
  const cas: string[] = [];
  let client: ClientCertificate | undefined;
  const has = new Set(names);
  for (const name of names) {
    const path = join(dir, name);
    if (name.endsWith('.crt')) {
      const text = readText(path, registry, 'CA certificate');
      if (!text.ok) return text;
      const certs = pemCertificates(text.value);
      const bad = certs.findIndex((pem) => !parses(() => new X509Certificate(pem)));
      if (certs.length === 0 || bad >= 0)
        return problem(
          registry,
          certs.length === 0
            ? `the CA certificate ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`
            : `the CA certificate ${path} holds an unreadable certificate (number ${bad + 1})`,
        );
      cas.push(...certs);
    } else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!has.has(keyName))
        return problem(
          registry,
          `the client certificate ${path} has no key ${keyName} beside it (a CA certificate must end in .crt)`,
        );
      if (client !== undefined) continue;
      const pair = readPair(path, join(dir, keyName), registry);
      if (!pair.ok) return pair;
      client = pair.client;
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -'.key'.length)}.cert`;
      if (!has.has(certName))
        return problem(registry, `the client key ${path} has no certificate ${certName} beside it`);
    }
  }
  return { ok: true, cas, ...(client ? { client } : {}) };
}

function parses(make: () => unknown): boolean {
  try {
    make();
    return true;
  } catch {
    return false;
  }
}

function readText(
  path: string,
  registry: string,
  what: string,
): { ok: true; value: string } | { ok: false; error: RegistryError } {
  try {
    return { ok: true, value: readFileSync(path, 'utf8') };
  } catch (error) {
    return problem(registry, `cannot read the ${what} ${path} (${codeOf(error)})`);
  }
}

function readPair(
  certPath: string,
  keyPath: string,
  registry: string,
): { ok: true; client: ClientCertificate } | { ok: false; error: RegistryError } {
  const cert = readText(certPath, registry, 'client certificate');
  if (!cert.ok) return cert;
  const key = readText(keyPath, registry, 'client key');
  if (!key.ok) return key;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert.value);
  } catch {
    return problem(registry, `the client certificate ${certPath} is not a PEM certificate`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    // Parsed only to say early and plainly what is wrong; the error of the parser is not repeated (it is ours to word).
    privateKey = createPrivateKey(key.value);
  } catch {
    return problem(registry, `the client key ${keyPath} is not an unencrypted PEM private key`);
  }
  if (!x509.checkPrivateKey(privateKey))
    return problem(registry, `the client key ${keyPath} does not belong to the certificate ${certPath}`);
  return { ok: true, client: { certPath, keyPath, cert: cert.value, key: key.value } };
}

// ---------------------------------------------------------------------------------------------------------------
// The operating system's store

/** Known bundle files: Debian/Ubuntu, RHEL/Fedora, SUSE, Alpine/macOS/BSD. The first that exists is used. */
export const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

export interface SystemStore {
  certificates: string[];
  /** `tls.getCACertificates('system')`, a bundle's path, or `none`. */
  source: string;
}

type CaGetter = (type: 'default' | 'system' | 'bundled' | 'extra') => string[];
const getCACertificates = (tls as unknown as { getCACertificates?: CaGetter }).getCACertificates;

/** The system's CA certificates: Node's own reader when it has one (Node ≥ 22.15), else the first bundle file. */
export function readSystemStore(bundles: readonly string[] = SYSTEM_BUNDLES): SystemStore {
  if (typeof getCACertificates === 'function') {
    try {
      return { certificates: getCACertificates('system'), source: "tls.getCACertificates('system')" };
    } catch {
      // an unreadable system store is no worse than none; fall through to the files
    }
  }
  for (const path of bundles) {
    try {
      return { certificates: pemCertificates(readFileSync(path, 'utf8')), source: path };
    } catch {
      continue;
    }
  }
  return { certificates: [], source: 'none' };
}

// ---------------------------------------------------------------------------------------------------------------
// Secure contexts

interface NativeContext {
  addCACert?: (pem: string) => void;
}

const normalised = (pem: string): string => pem.replace(/\s+/g, '');

/**
 * A secure context trusting Node's default roots plus `extra` (and presenting `client`, if any). With nothing extra
 * it is Node's own default store (bundled roots, NODE_EXTRA_CA_CERTS, --use-system-ca) untouched. Otherwise the
 * extra certificates are added to a copy of the bundled roots — which holds no NODE_EXTRA_CA_CERTS, so those are
 * added again — and where that is not possible the whole list is passed as `ca`, which costs parsing every root
 * again (≈ 0.3 ms a certificate, ≈ 50 ms for Node's 150).
 */
export function secureContextWith(extra: readonly string[], client: ClientCertificate | undefined): tls.SecureContext {
  const identity = client ? { cert: client.cert, key: client.key } : {};
  const context = tls.createSecureContext(identity);
  if (extra.length === 0) return context;
  const native = (context as unknown as { context?: NativeContext }).context;
  if (typeof native?.addCACert === 'function') {
    for (const pem of [...nodeExtraCertificates(), ...extra]) native.addCACert(pem);
    return context;
  }
  return tls.createSecureContext({ ...identity, ca: [...nodeDefaultRoots(), ...extra] });
}

let nodeExtra: string[] | undefined;

/** NODE_EXTRA_CA_CERTS as Node read it at start-up (its own answer where it gives one, else the file). */
function nodeExtraCertificates(): string[] {
  if (nodeExtra) return nodeExtra;
  if (typeof getCACertificates === 'function') nodeExtra = getCACertificates('extra');
  else {
    const file = process.env.NODE_EXTRA_CA_CERTS;
    nodeExtra = [];
    try {
      if (file) nodeExtra = pemCertificates(readFileSync(file, 'utf8'));
    } catch {
      // Node itself warned about it at start-up and carried on; so do we
    }
  }
  return nodeExtra;
}

/** Node's default roots as a list: its own answer where it gives one, else the bundle and NODE_EXTRA_CA_CERTS. */
function nodeDefaultRoots(): string[] {
  if (typeof getCACertificates === 'function') return getCACertificates('default');
  return [...tls.rootCertificates, ...nodeExtraCertificates()];
}

export interface TlsStoreOptions {
  /** certs.d directories, most personal first. Default: `defaultCertsDirs(env)`. */
  dirs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Read the operating system's store. Default true. */
  systemStore?: boolean;
  /** Reads the system store (tests). */
  readSystem?: () => SystemStore;
  now?: () => number;
}

/**
 * The TLS material of each host and the secure context built from it, each read and built once. Hosts without a
 * certs.d directory share one context: Node's roots plus the system's.
 */
export class TlsStore {
  readonly dirs: readonly string[];
  private readonly env: NodeJS.ProcessEnv;
  private readonly useSystem: boolean;
  private readonly readSystem: () => SystemStore;
  private readonly now: () => number;
  private system: { store: SystemStore; extra: string[]; ms: number } | undefined;
  private shared: tls.SecureContext | undefined;
  private readonly hosts = new Map<string, HostTlsResult>();
  private readonly contexts = new Map<string, tls.SecureContext>();

  constructor(options: TlsStoreOptions = {}) {
    this.env = options.env ?? process.env;
    this.dirs = options.dirs ?? defaultCertsDirs(this.env);
    this.useSystem = options.systemStore !== false;
    this.readSystem = options.readSystem ?? (() => readSystemStore());
    this.now = options.now ?? (() => performance.now());
  }

  /** The host's certs.d material (null: no directory for it). `host` is a URL's host: `name[:port]`. */
  material(host: string, registry: string = host): HostTlsResult {
    const key = host.toLowerCase();
    let result = this.hosts.get(key);
    if (!result) {
      result = readHostTls(this.dirs, key, registry);
      this.hosts.set(key, result);
    }
    return result;
  }

  /** True when a certs.d directory exists for the host (even one that cannot be read: it asks for verification). */
  configured(host: string): boolean {
    const result = this.material(host);
    return !result.ok || result.value !== null;
  }

  /** The context for a host's connections: its own when it has certs.d material, else the shared one. */
  contextFor(
    host: string,
    registry: string = host,
  ): { ok: true; value: tls.SecureContext } | { ok: false; error: RegistryError } {
    const material = this.material(host, registry);
    if (!material.ok) return material;
    if (material.value === null) return { ok: true, value: this.sharedContext() };
    const key = host.toLowerCase();
    let context = this.contexts.get(key);
    if (!context) {
      context = secureContextWith([...this.systemExtra(), ...material.value.cas], material.value.client);
      this.contexts.set(key, context);
    }
    return { ok: true, value: context };
  }

  /** Where the system store came from, how many certificates it added to Node's, and how long reading took. */
  systemInfo(): { source: string; certificates: number; added: number; ms: number } {
    this.systemExtra();
    const system = this.system!;
    return {
      source: system.store.source,
      certificates: system.store.certificates.length,
      added: system.extra.length,
      ms: system.ms,
    };
  }

  /** A hint of where a host's CA certificate goes, for messages. */
  caPathFor(host: string): string {
    return join(this.dirs[0] ?? join(homedir(), '.docker', 'certs.d'), hostDirNames(host)[0]!, 'ca.crt');
  }

  private sharedContext(): tls.SecureContext {
    this.shared ??= secureContextWith(this.systemExtra(), undefined);
    return this.shared;
  }

  /** The system's certificates that Node's bundled roots do not already hold (parsing each costs ≈ 0.3 ms). */
  private systemExtra(): string[] {
    if (!this.system) {
      const started = this.now();
      const store = this.useSystem ? this.readSystem() : { certificates: [], source: 'none' };
      const known = new Set(tls.rootCertificates.map(normalised));
      const extra = store.certificates.filter((pem) => !known.has(normalised(pem)));
      this.system = { store, extra, ms: this.now() - started };
    }
    return this.system.extra;
  }
}
