// Public surface of the registry module, for the CLI and the LSP server. All network I/O of digest-pin is behind
// createRegistryClient; everything it returns is a value (Result / PinStatus), never a throw.

export { deleteCacheFile } from './cache';
export { createRegistryClient, type RegistryClient, type RegistryClientOptions, type ResolveOptions } from './client';
export type {
  Attachment,
  AttachmentKind,
  AttachmentVia,
  Description,
  PinStatus,
  Platform,
  Provenance,
  Resolution,
  Result,
} from './types';
export { describeAttachment } from './provenance';
export type { TagList } from './tagList';
export { explain, isRegistryError, type RegistryError, type RegistryErrorKind } from './errors';
export {
  anonymousCredentials,
  dockerConfigCredentials,
  staticCredentials,
  type Credential,
  type CredentialResult,
  type CredentialSource,
} from './credentials';
export { formatPlatform, parsePlatform, normalizePlatform } from './manifest';
export type { Logger } from './http';
export { mirroredRegistry, parseMirror } from './mirrors';
export type { PullBudget } from '../shared/pullBudget';
