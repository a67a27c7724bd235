// Every benchmark, in report order. Registry (issue 3) and LSP (issue 4) workloads join this list.
import type { Workload } from '../workload';
import { clientActivation, vsixSize } from './client';
import { kubernetesManifest, largeDockerfile } from './extraction';
import { registryResolution } from './registry';

export const workloads: readonly Workload[] = [kubernetesManifest, largeDockerfile, registryResolution, clientActivation, vsixSize];
