// Every benchmark, in report order. Registry (issue 3) and LSP (issue 4) workloads join this list.
import type { Workload } from '../workload';
import { clientActivation, vsixSize } from './client';
import { kubernetesManifest, largeDockerfile } from './extraction';
import { lspEncode10k, lspKeystroke10k, lspKeystroke300, lspNewline10k } from './lsp';
import { lspServer10k } from './lspServer';
import { registryResolution } from './registry';

export const workloads: readonly Workload[] = [
  kubernetesManifest,
  largeDockerfile,
  registryResolution,
  lspKeystroke10k,
  lspNewline10k,
  lspKeystroke300,
  lspEncode10k,
  lspServer10k,
  clientActivation,
  vsixSize,
];
