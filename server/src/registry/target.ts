// Where a reference's repository lives: the registry as written, the host its API is on, and how to reach it.
// The syntax checks are the reference grammar's own (references/imageRef), not a copy of it.

import {
  DEFAULT_DOMAIN,
  MAX_PATH_LENGTH,
  domainProblem,
  pathProblem,
  tagProblem,
  type ParsedImageRef,
} from '../references/imageRef';
import { fail, invalidInput } from './errors';
import { isLoopbackHost } from './http';
import type { Result } from './types';

export const DOCKER_HUB = DEFAULT_DOMAIN;
const DOCKER_HUB_API = 'registry-1.docker.io';
/** The grammar takes any number of port digits; a URL takes a port up to 65535 (new URL() throws past it). */
const PORT_SUFFIX = /:(\d+)$/;
const MAX_PORT = 65535;

export type Insecurity = 'http' | 'https-noverify';

export interface Target {
  /** As written in references: `docker.io`, `ghcr.io`, `localhost:5000`. */
  registry: string;
  /** Host (and port) the API lives on. */
  apiHost: string;
  loopback: boolean;
  /** From insecureRegistries: plain HTTP (never credentials) or HTTPS without verification. */
  insecure: Insecurity | null;
  path: string;
  /** Path before `/v2` on the API host (a mirror served under a path); none for a registry. */
  root?: string;
}

/**
 * The insecureRegistries option as a map by registry: `host:port` is plain HTTP, `https://host:port` is HTTPS
 * without certificate checks.
 */
export function parseInsecureRegistries(entries: readonly string[]): Map<string, Insecurity> {
  const insecure = new Map<string, Insecurity>();
  for (const entry of entries) {
    const https = entry.startsWith('https://');
    const host = entry
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '')
      .toLowerCase();
    if (host) insecure.set(host, https ? 'https-noverify' : 'http');
  }
  return insecure;
}

/** A registry host the grammar takes and a URL can hold (a port up to 65535). */
export function validDomain(domain: string): boolean {
  if (domainProblem(domain) !== null) return false;
  const port = PORT_SUFFIX.exec(domain)?.[1];
  return port === undefined || (port.length <= 5 && Number(port) <= MAX_PORT);
}

/** True for a tag the registry may be asked for. */
export const isValidTag = (tag: string): boolean => tagProblem(tag) === null;

export function targetOf(
  ref: Pick<ParsedImageRef, 'domain' | 'path'>,
  insecure: ReadonlyMap<string, Insecurity>,
): Result<Target> {
  if (!validDomain(ref.domain)) return fail(invalidInput(`registry host '${ref.domain}' is invalid`));
  if (pathProblem(ref.path) !== null || ref.path.length > MAX_PATH_LENGTH)
    return fail(invalidInput(`repository '${ref.path}' is invalid`, ref.domain));
  const registry = ref.domain.toLowerCase();
  const apiHost = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  return {
    ok: true,
    value: {
      registry,
      apiHost,
      loopback: isLoopbackHost(apiHost),
      insecure: insecure.get(registry) ?? null,
      path: ref.path,
    },
  };
}
