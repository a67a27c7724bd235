// The settings of digest-pin: ONE definition (key, type, default, description, scope) that the server reads and the
// VS Code client contributes as `contributes.configuration` (configurationContribution() builds that object).
// Pure and free of `vscode`, so both bundles import it. Reading is total: a wrong value falls back to its default.
import { RULES, defaultSeveritySetting, type DiagnosticCode, type Rule, type Severity } from './rules';

/** The configuration section: every key below is `digestPin.<key>`. */
export const SECTION = 'digestPin';

export type SeveritySetting = Severity | 'off';
export type PinStyle = 'tag@digest' | '@digest # tag';
export type TraceSetting = 'off' | 'messages' | 'verbose';

export interface Settings {
  enable: boolean;
  /** Per diagnostic code; `off` hides it. */
  severity: Record<DiagnosticCode, SeveritySetting>;
  /** Globs on image names (`docker.io/library/python`, `python`, `ghcr.io/acme/**`). */
  ignore: string[];
  cacheTtlMinutes: number;
  offline: boolean;
  /** `os/arch[/variant]` to pin a platform's manifest by default; empty pins the multi-platform index. */
  defaultPlatform: string;
  pinStyle: PinStyle;
  /** A drifted pin whose image is older than this many days is reported as a warning; 0 turns that off. */
  stalenessDays: number;
  insecureRegistries: string[];
  /** Registry (`docker.io`) → mirror URLs asked first, in order; checked by the registry client. */
  registryMirrors: Record<string, string[]>;
  concurrency: number;
  timeoutMs: number;
  trace: { server: TraceSetting };
}

/** VS Code setting scopes (contributes.configuration `scope`). */
export type Scope = 'application' | 'machine' | 'window' | 'resource';

interface Base<T> {
  default: T;
  description: string;
  scope: Scope;
  /** Rendered as markdown in the Settings editor. */
  markdown?: boolean;
}

export type SettingSpec =
  | (Base<boolean> & { type: 'boolean' })
  | (Base<string> & {
      type: 'string';
      enum?: readonly string[];
      enumDescriptions?: readonly string[];
      pattern?: string;
      patternErrorMessage?: string;
    })
  | (Base<number> & { type: 'integer'; minimum: number; maximum: number })
  | (Base<string[]> & { type: 'array'; items: { type: 'string'; pattern?: string } })
  | (Base<Record<string, string[]>> & {
      type: 'object';
      additionalProperties: { type: 'array'; items: { type: 'string'; pattern?: string } };
    });

const SEVERITY_VALUES: readonly SeveritySetting[] = ['error', 'warning', 'information', 'hint', 'off'];
const PIN_STYLES: readonly PinStyle[] = ['tag@digest', '@digest # tag'];
const TRACE_VALUES: readonly TraceSetting[] = ['off', 'messages', 'verbose'];
const PLATFORM_PATTERN = '^$|^[a-z0-9_.-]+/[a-z0-9_.-]+(/[a-z0-9_.-]+)?$';

const severitySpec = (rule: Rule): SettingSpec => ({
  type: 'string',
  enum: SEVERITY_VALUES,
  default: defaultSeveritySetting(rule),
  scope: 'resource',
  description: rule.offByDefault
    ? `Severity of \`${rule.code}\` diagnostics (${rule.title.toLowerCase()}); \`off\` (the default) hides them, \`${rule.severity}\` is its usual severity.`
    : `Severity of \`${rule.code}\` diagnostics (${rule.title.toLowerCase()}); \`off\` hides them.`,
  markdown: true,
});

/**
 * Every setting, keyed by its name under `digestPin.`, in the order the Settings editor shows them.
 * Scopes: `resource` settings may differ per workspace folder; `machine` ones are never read from a workspace
 * (a cloned repository must not be able to turn TLS off for a registry); `window` ones apply to the whole server.
 */
export const SETTINGS: Readonly<Record<string, SettingSpec>> = {
  enable: {
    type: 'boolean',
    default: true,
    scope: 'resource',
    description: 'Check image references in Dockerfiles, compose files, Kubernetes manifests and CI files.',
  },
  ...Object.fromEntries(RULES.map((rule) => [`severity.${rule.code}`, severitySpec(rule)])),
  ignore: {
    type: 'array',
    items: { type: 'string' },
    default: [],
    scope: 'resource',
    markdown: true,
    description:
      'Image names to leave alone: globs matched against the repository name, both normalised (`docker.io/library/python`) and as usually written (`python`). `*` stays within one path component, `**` crosses `/`. Example: `["localhost:5000/**", "ghcr.io/acme/*"]`.',
  },
  cacheTtlMinutes: {
    type: 'integer',
    minimum: 1,
    maximum: 7 * 24 * 60,
    default: 60,
    scope: 'window',
    description:
      'How long a tag-to-digest answer from a registry is reused before the registry is asked again (minutes).',
  },
  offline: {
    type: 'boolean',
    default: false,
    scope: 'window',
    description: 'Never contact registries: only findings that need no network (and answers already cached) are shown.',
  },
  defaultPlatform: {
    type: 'string',
    default: '',
    pattern: PLATFORM_PATTERN,
    patternErrorMessage: 'os/architecture[/variant], e.g. linux/amd64, or empty',
    scope: 'resource',
    markdown: true,
    description:
      "Empty (recommended): pin the multi-platform index digest, so every machine still pulls its own platform. `os/arch[/variant]` (e.g. `linux/amd64`): pin that platform's image instead.",
  },
  pinStyle: {
    type: 'string',
    enum: PIN_STYLES,
    enumDescriptions: [
      'python:3.12@sha256:… — the tag stays for readers and tools; the digest decides what is pulled.',
      'python@sha256:… # 3.12 — the tag moves into a trailing comment (YAML only: a Dockerfile has no trailing comments, so it keeps tag@digest).',
    ],
    default: 'tag@digest',
    scope: 'resource',
    markdown: true,
    description: 'How a pin is written.',
  },
  stalenessDays: {
    type: 'integer',
    minimum: 0,
    maximum: 3650,
    default: 30,
    scope: 'resource',
    markdown: true,
    description:
      'When the tag has moved and the pinned image is older than this many days, `tag-drift` is reported as a warning (pinning must not silently mean missing security fixes). `0` turns this off.',
  },
  insecureRegistries: {
    type: 'array',
    items: { type: 'string' },
    default: [],
    scope: 'machine',
    markdown: true,
    description:
      'Registries reached without TLS verification: `host:port` for plain HTTP (credentials are never sent), `https://host:port` for HTTPS without certificate checks. Loopback registries need no entry.',
  },
  registryMirrors: {
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' } },
    default: {},
    scope: 'machine',
    markdown: true,
    description:
      'Pull-through caches (Harbor, Artifactory, Nexus, a registry proxy) asked before a registry: registry host → mirror URLs, tried in order, then the registry itself when every mirror fails. Docker\'s daemon.json `registry-mirrors` is `{"docker.io": ["https://mirror.gcr.io"]}`. A mirror gets its own host\'s credentials from the Docker config, never the registry\'s.',
  },
  concurrency: {
    type: 'integer',
    minimum: 1,
    maximum: 64,
    default: 8,
    scope: 'window',
    description: 'Requests in flight per registry.',
  },
  timeoutMs: {
    type: 'integer',
    minimum: 1000,
    maximum: 120_000,
    default: 10_000,
    scope: 'window',
    description: 'How long to wait for one registry request (milliseconds).',
  },
  'trace.server': {
    type: 'string',
    enum: TRACE_VALUES,
    default: 'off',
    scope: 'window',
    description: 'Traces the communication between VS Code and the digest-pin language server (Output view).',
  },
};

/** The `contributes.configuration` object of package.json, generated from SETTINGS. */
export function configurationContribution(): { title: string; properties: Record<string, Record<string, unknown>> } {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const { description, markdown, ...rest } = spec;
    properties[`${SECTION}.${key}`] = { ...rest, [markdown ? 'markdownDescription' : 'description']: description };
  }
  return { title: 'digest-pin', properties };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a dotted key of a nested section object (`severity.unpinned`), or one written flat (`"severity.unpinned"`). */
function lookup(section: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(section, key)) return section[key];
  let node: unknown = section;
  for (const part of key.split('.')) {
    if (!isRecord(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/** The value of one setting, validated against its spec; its default otherwise. */
function valueOf(section: Record<string, unknown>, key: string): unknown {
  const spec = SETTINGS[key]!;
  const raw = lookup(section, key);
  switch (spec.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? raw : spec.default;
    case 'string':
      if (typeof raw !== 'string') return spec.default;
      if (spec.enum && !spec.enum.includes(raw)) return spec.default;
      if (spec.pattern && !new RegExp(spec.pattern).test(raw.trim())) return spec.default;
      return raw.trim();
    case 'integer':
      return typeof raw === 'number' && Number.isFinite(raw)
        ? Math.min(spec.maximum, Math.max(spec.minimum, Math.round(raw)))
        : spec.default;
    case 'array':
      return Array.isArray(raw)
        ? raw.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((s) => s.trim())
        : spec.default;
    case 'object':
      return isRecord(raw) ? stringLists(raw) : spec.default;
  }
}

/** An object's keys that hold a list of non-empty strings (or one string), trimmed; anything else dropped. */
function stringLists(raw: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(raw)) {
    const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    const list = items.filter((item): item is string => typeof item === 'string' && item.trim() !== '');
    if (key.trim() !== '' && list.length > 0)
      Object.defineProperty(out, key.trim(), {
        value: list.map((item) => item.trim()),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

/**
 * Settings from what a client sent for the `digestPin` section (workspace/configuration, didChangeConfiguration's
 * `settings.digestPin`, or initializationOptions.settings): nested or flat keys, anything missing or wrong → default.
 */
export function readSettings(section: unknown): Settings {
  const s = isRecord(section) ? section : {};
  const get = <T>(key: string): T => valueOf(s, key) as T;
  const severity = Object.fromEntries(
    RULES.map((rule) => [rule.code, get<SeveritySetting>(`severity.${rule.code}`)]),
  ) as Record<DiagnosticCode, SeveritySetting>;
  return {
    enable: get('enable'),
    severity,
    ignore: get('ignore'),
    cacheTtlMinutes: get('cacheTtlMinutes'),
    offline: get('offline'),
    defaultPlatform: get('defaultPlatform'),
    pinStyle: get('pinStyle'),
    stalenessDays: get('stalenessDays'),
    insecureRegistries: get('insecureRegistries'),
    registryMirrors: get('registryMirrors'),
    concurrency: get('concurrency'),
    timeoutMs: get('timeoutMs'),
    trace: { server: get<TraceSetting>('trace.server') },
  };
}

/** Every setting at its default (what a client that sends none gets). */
export const DEFAULT_SETTINGS: Settings = readSettings(undefined);

/** Settings that change how the registry is asked; a change to any of them needs a new registry client. */
export function registryKey(settings: Settings): string {
  return JSON.stringify([
    settings.offline,
    settings.cacheTtlMinutes,
    settings.insecureRegistries,
    settings.registryMirrors,
    settings.concurrency,
    settings.timeoutMs,
    settings.defaultPlatform,
  ]);
}

// --- image name globs ----------------------------------------------------------------------------------------------

const globCache = new Map<string, RegExp>();

/** `*` any characters but `/`, `**` any characters, `?` one character but `/`; the whole name must match. */
export function globToRegExp(glob: string): RegExp {
  let cached = globCache.get(glob);
  if (cached) return cached;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') {
      if (glob.charAt(i + 1) === '*') {
        source += '.*';
        i++;
      } else source += '[^/]*';
    } else if (c === '?') source += '[^/]';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  cached = new RegExp(`^${source}$`, 'i');
  if (globCache.size > 1000) globCache.clear();
  globCache.set(glob, cached);
  return cached;
}

/** True when a normalised image name (or its familiar form) matches one of the ignore globs. */
export function isIgnoredName(name: string | null, familiar: string | null, globs: readonly string[]): boolean {
  if (name === null || globs.length === 0) return false;
  return globs.some((glob) => {
    const re = globToRegExp(glob);
    return re.test(name) || (familiar !== null && re.test(familiar));
  });
}
