// digestPin/refresh: forget every answer (the cache file too) and ask the registries again.
import type { RefreshResult } from '../../shared/protocol';
import type { ServerContext } from '../context';

export class RefreshHandler {
  constructor(private readonly context: ServerContext) {}

  async handle(): Promise<RefreshResult> {
    const { settings, diagnostics, registry } = this.context;
    await settings.ready;
    diagnostics.cancelAll();
    await registry.update({ force: true, clearCache: true });
    diagnostics.refreshAll(true);
    return { references: registry.resolver.state.pending + registry.resolver.state.answered };
  }
}
