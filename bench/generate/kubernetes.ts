// A deterministic multi-document Kubernetes manifest, shaped like a `kubectl kustomize` / `helm template` dump of a
// large platform: Deployments, StatefulSets, CronJobs and DaemonSets (4 images each) between Services and ConfigMaps
// (no images). Images mix Docker Hub short names, registries with ports, pinned digests and quoting styles.
import { createHash } from 'node:crypto';

export interface GeneratedManifest {
  text: string;
  documents: number;
  /** Image values written; every one must come back from the extractor. */
  references: number;
}

const hex = (seed: string): string => createHash('sha256').update(seed).digest('hex');

/** The i-th image value, as it appears after `image: ` (quotes included). */
function image(i: number, slot: number): string {
  const n = i * 4 + slot;
  switch (n % 12) {
    case 0:
      return `ghcr.io/acme/svc-${i}:1.${i % 50}.${n % 7}`;
    case 1:
      return 'nginx:1.27.0';
    case 2:
      return `docker.io/library/redis:7.2-alpine`;
    case 3:
      return `"quay.io/prometheus/node-exporter:v1.8.${n % 3}"`;
    case 4:
      return `registry.k8s.io/ingress-nginx/controller:v1.10.1@sha256:${hex(`controller-${n % 5}`)}`;
    case 5:
      return `'gcr.io/distroless/static-debian12:nonroot'`;
    case 6:
      return 'busybox';
    case 7:
      return `123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/worker-${i % 40}:2024.06.${n % 28}`;
    case 8:
      return `registry.internal:5000/platform/envoy:v1.30.${n % 4}`;
    case 9:
      return `mcr.microsoft.com/dotnet/aspnet:8.0@sha256:${hex(`aspnet-${n % 3}`)}`;
    case 10:
      return `acme/fluent-bit:3.0.${n % 9}`;
    default:
      return `public.ecr.aws/docker/library/postgres:16.${n % 4}-bookworm`;
  }
}

function container(i: number, slot: number, name: string, indent: string): string {
  const port = 8000 + slot;
  return [
    `${indent}- name: ${name}`,
    `${indent}  image: ${image(i, slot)}`,
    `${indent}  args: ["--port=${port}", "--log-level=info"]`,
    `${indent}  ports:`,
    `${indent}    - containerPort: ${port}`,
    `${indent}  env:`,
    `${indent}    - { name: SERVICE_NAME, value: "svc-${i}" }`,
    `${indent}  resources:`,
    `${indent}    requests: { cpu: 50m, memory: 64Mi }`,
  ].join('\n');
}

function podSpec(i: number, containers: number, inits: number, indent: string): string {
  const lines = [`${indent}serviceAccountName: svc-${i}`, `${indent}securityContext:`, `${indent}  runAsNonRoot: true`];
  if (inits > 0) {
    lines.push(`${indent}initContainers:`);
    for (let s = 0; s < inits; s++) lines.push(container(i, containers + s, `init-${s}`, `${indent}  `));
  }
  lines.push(`${indent}containers:`);
  for (let s = 0; s < containers; s++) lines.push(container(i, s, s === 0 ? 'app' : `sidecar-${s}`, `${indent}  `));
  lines.push(`${indent}volumes:`, `${indent}  - name: config`, `${indent}    configMap: { name: svc-${i}-config }`);
  return lines.join('\n');
}

const metadata = (i: number, kind: string): string =>
  [
    'metadata:',
    `  name: svc-${i}`,
    `  namespace: team-${i % 25}`,
    '  labels:',
    `    app.kubernetes.io/name: svc-${i}`,
    `  # ${kind} rendered by the platform chart`,
  ].join('\n');

function workloadDocument(i: number): string {
  const selector = ['  selector:', '    matchLabels:', `      app.kubernetes.io/name: svc-${i}`].join('\n');
  const templateMeta = [
    '  template:',
    '    metadata:',
    '      labels:',
    `        app.kubernetes.io/name: svc-${i}`,
    '    spec:',
  ].join('\n');
  switch (i % 10) {
    case 6:
    case 7:
      return [
        'apiVersion: apps/v1',
        'kind: StatefulSet',
        metadata(i, 'StatefulSet'),
        'spec:',
        `  serviceName: svc-${i}`,
        '  replicas: 3',
        selector,
        templateMeta,
        podSpec(i, 2, 2, '      '),
      ].join('\n');
    case 8:
      return [
        'apiVersion: batch/v1',
        'kind: CronJob',
        metadata(i, 'CronJob'),
        'spec:',
        `  schedule: "${i % 60} */6 * * *"`,
        '  jobTemplate:',
        '    spec:',
        '      template:',
        '        spec:',
        '          restartPolicy: OnFailure',
        podSpec(i, 3, 1, '          '),
      ].join('\n');
    case 9:
      return [
        'apiVersion: apps/v1',
        'kind: DaemonSet',
        metadata(i, 'DaemonSet'),
        'spec:',
        selector,
        templateMeta,
        podSpec(i, 4, 0, '      '),
      ].join('\n');
    default:
      return [
        'apiVersion: apps/v1',
        'kind: Deployment',
        metadata(i, 'Deployment'),
        'spec:',
        `  replicas: ${1 + (i % 3)}`,
        selector,
        '  strategy:',
        '    rollingUpdate: { maxSurge: 25%, maxUnavailable: 0 }',
        templateMeta,
        podSpec(i, 3, 1, '      '),
      ].join('\n');
  }
}

const service = (i: number): string =>
  [
    'apiVersion: v1',
    'kind: Service',
    metadata(i, 'Service'),
    'spec:',
    '  type: ClusterIP',
    '  selector:',
    `    app.kubernetes.io/name: svc-${i}`,
    '  ports:',
    '    - name: http',
    '      port: 80',
    '      targetPort: 8000',
  ].join('\n');

const configMap = (i: number): string =>
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    metadata(i, 'ConfigMap'),
    'data:',
    '  app.yaml: |',
    '    server:',
    `      port: 8000`,
    `      name: svc-${i}`,
    `  LOG_LEVEL: "info"`,
  ].join('\n');

/** `workloads` pod-bearing documents with 4 images each, a Service for every other one, a ConfigMap every 5th. */
export function generateManifest(workloads: number): GeneratedManifest {
  const docs: string[] = [];
  for (let i = 0; i < workloads; i++) {
    docs.push(workloadDocument(i));
    if (i % 2 === 0) docs.push(service(i));
    if (i % 5 === 0) docs.push(configMap(i));
  }
  return { text: `---\n${docs.join('\n---\n')}\n`, documents: docs.length, references: workloads * 4 };
}
