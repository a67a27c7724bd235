// The settings in force: the workspace's, each open document's (clients with workspace/configuration), or the ones
// pushed (didChangeConfiguration, initializationOptions) by clients without it.
import type { ConfigurationItem } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, SECTION, readSettings, type Settings } from '../shared/settings';
import type { ClientFeatures } from './capabilities';
import type { DocumentStore } from './documents';

export type GetConfiguration = (items: ConfigurationItem[]) => Promise<unknown[]>;

export class SettingsStore {
  global: Settings = DEFAULT_SETTINGS;
  /** Settings sent without workspace/configuration (didChangeConfiguration, initializationOptions). */
  private pushed: unknown;
  private readonly resources = new Map<string, Settings>();
  /** Until the settings are read (after `initialized`), documents are only recorded: enable/offline are unknown. */
  loaded = false;
  /** Requests that need settings and the registry client wait for this. */
  readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor(
    private readonly getConfiguration: GetConfiguration,
    private readonly client: ClientFeatures,
    private readonly documents: DocumentStore,
  ) {
    this.ready = new Promise<void>((resolve) => {
      this.markReady = resolve;
    });
  }

  /** The settings of initializationOptions, until the client's are read. */
  initialize(pushed: unknown): void {
    this.pushed = pushed;
    this.global = readSettings(pushed);
  }

  /** didChangeConfiguration: the section it carries, if any, replaces the pushed settings. */
  push(sent: unknown): void {
    if (sent !== undefined) this.pushed = sent;
  }

  /** The settings are read: documents are analysed and requests answered from now on. */
  markLoaded(): void {
    this.loaded = true;
    this.markReady();
  }

  for(uri: string): Settings {
    return this.resources.get(uri) ?? this.global;
  }

  forget(uri: string): void {
    this.resources.delete(uri);
  }

  async load(): Promise<void> {
    if (this.client.configurationRequests) {
      const uris = this.documents.all().map((d) => d.uri);
      const answers = await this.getConfiguration([
        { section: SECTION },
        ...uris.map((scopeUri) => ({ section: SECTION, scopeUri })),
      ]);
      this.global = readSettings(answers[0]);
      this.resources.clear();
      uris.forEach((uri, i) => this.resources.set(uri, readSettings(answers[i + 1])));
    } else {
      this.global = readSettings(this.pushed);
      this.resources.clear();
    }
  }

  /** Reads one document's settings; true when they differ from what was in force for it. */
  async loadDocument(uri: string): Promise<boolean> {
    if (!this.client.configurationRequests) return false;
    const [answer] = await this.getConfiguration([{ section: SECTION, scopeUri: uri }]);
    if (this.documents.get(uri) === undefined) return false;
    const next = readSettings(answer);
    const before = this.resources.get(uri);
    this.resources.set(uri, next);
    return before === undefined
      ? JSON.stringify(next) !== JSON.stringify(this.global)
      : JSON.stringify(before) !== JSON.stringify(next);
  }
}
