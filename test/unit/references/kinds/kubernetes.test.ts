// Kubernetes: containers / initContainers / ephemeralContainers of every pod spec, image volumes, CRD fields.
import { describe, it } from 'node:test';
import { check, rows, type Case } from './expect';

const { unpinned, pinned, variable } = rows('kubernetes', 'image');
const generic = rows('yaml', 'image');
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const pod = (kind: string, path: string[], body: string): string => {
  const lines = [
    `apiVersion: ${kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : kind === 'Pod' ? 'v1' : 'apps/v1'}`,
    `kind: ${kind}`,
    'metadata:',
    '  name: demo',
  ];
  let indent = '';
  for (const key of path) {
    lines.push(`${indent}${key}:`);
    indent += '  ';
  }
  return `${lines.join('\n')}\n${body.replace(/^/gm, indent)}\n`;
};

const cases: Case[] = [
  {
    name: 'Pod: spec.containers',
    text: pod('Pod', ['spec'], 'containers:\n- name: web\n  image: nginx:1.27\n  ports: [{containerPort: 80}]'),
    kind: 'yaml',
    expect: [unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'Deployment: spec.template.spec, containers and initContainers',
    text: pod(
      'Deployment',
      ['spec', 'template', 'spec'],
      'initContainers:\n- name: migrate\n  image: ghcr.io/acme/migrate:5\ncontainers:\n- name: api\n  image: ghcr.io/acme/api:5',
    ),
    expect: [
      unpinned('ghcr.io/acme/migrate:5', 'ghcr.io/acme/migrate', '5'),
      unpinned('ghcr.io/acme/api:5', 'ghcr.io/acme/api', '5'),
    ],
  },
  {
    name: 'StatefulSet',
    text: pod('StatefulSet', ['spec', 'template', 'spec'], 'containers:\n- name: db\n  image: "postgres:16.4"'),
    expect: [unpinned('postgres:16.4', 'docker.io/library/postgres', '16.4')],
  },
  {
    name: 'DaemonSet with a pinned image',
    text: pod(
      'DaemonSet',
      ['spec', 'template', 'spec'],
      `containers:\n- name: agent\n  image: fluent/fluent-bit:3.1@${DIGEST}`,
    ),
    expect: [pinned(`fluent/fluent-bit:3.1@${DIGEST}`, 'docker.io/fluent/fluent-bit', '3.1', DIGEST)],
  },
  {
    name: 'ReplicaSet',
    text: pod('ReplicaSet', ['spec', 'template', 'spec'], "containers:\n- name: x\n  image: 'busybox:1.36'"),
    expect: [unpinned('busybox:1.36', 'docker.io/library/busybox', '1.36')],
  },
  {
    name: 'Job',
    text: pod(
      'Job',
      ['spec', 'template', 'spec'],
      'restartPolicy: Never\ncontainers:\n- name: pi\n  image: perl:5.34.0',
    ),
    expect: [unpinned('perl:5.34.0', 'docker.io/library/perl', '5.34.0')],
  },
  {
    name: 'CronJob: spec.jobTemplate.spec.template.spec',
    text: pod(
      'CronJob',
      ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
      'containers:\n- name: backup\n  image: restic/restic:0.17.0',
    ),
    expect: [unpinned('restic/restic:0.17.0', 'docker.io/restic/restic', '0.17.0')],
  },
  {
    name: 'ephemeralContainers',
    text: pod(
      'Pod',
      ['spec'],
      'containers:\n- name: app\n  image: app:1\nephemeralContainers:\n- name: debugger\n  image: nicolaka/netshoot:v0.13',
    ),
    expect: [
      unpinned('app:1', 'docker.io/library/app', '1'),
      unpinned('nicolaka/netshoot:v0.13', 'docker.io/nicolaka/netshoot', 'v0.13'),
    ],
  },
  {
    name: 'kind: List items',
    text: [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Pod',
      '  metadata: {name: a}',
      '  spec:',
      '    containers: [{name: a, image: "nginx:1"}]',
      '- apiVersion: apps/v1',
      '  kind: Deployment',
      '  metadata: {name: b}',
      '  spec:',
      '    template:',
      '      spec:',
      '        containers:',
      '        - {name: b, image: httpd:2.4}',
      '',
    ].join('\n'),
    expect: [
      unpinned('nginx:1', 'docker.io/library/nginx', '1'),
      unpinned('httpd:2.4', 'docker.io/library/httpd', '2.4'),
    ],
  },
  {
    name: 'PodTemplate: template.spec',
    text: 'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  spec:\n    containers:\n    - name: t\n      image: registry.k8s.io/pause:3.9\n',
    expect: [unpinned('registry.k8s.io/pause:3.9', 'registry.k8s.io/pause', '3.9')],
  },
  {
    name: 'Argo Rollout (a CRD with a pod template) reports its containers as kubernetes',
    text: 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  strategy: {canary: {steps: [{setWeight: 20}]}}\n  template:\n    spec:\n      containers:\n      - name: r\n        image: argoproj/rollouts-demo:blue\n',
    expect: [unpinned('argoproj/rollouts-demo:blue', 'docker.io/argoproj/rollouts-demo', 'blue')],
  },
  {
    name: 'Knative Service: containers without a name',
    text: 'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: hello}\nspec:\n  template:\n    spec:\n      containers:\n        - image: gcr.io/knative-samples/helloworld-go\n          env: [{name: TARGET, value: Go}]\n',
    expect: [unpinned('gcr.io/knative-samples/helloworld-go', 'gcr.io/knative-samples/helloworld-go', null)],
  },
  {
    name: 'a CRD field outside any pod spec falls to the generic rule (source yaml)',
    text: 'apiVersion: example.com/v1\nkind: Backup\nmetadata: {name: nightly}\nspec:\n  agent:\n    image: quay.io/example/agent:2.0\n',
    expect: [generic.unpinned('quay.io/example/agent:2.0', 'quay.io/example/agent', '2.0')],
  },
  {
    name: 'built-in kinds: a Ceph rbd.image is not a container image',
    text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: rbd}\nspec:\n  containers:\n  - name: c\n    image: kubernetes/pause\n  volumes:\n  - name: data\n    rbd:\n      monitors: ["10.16.154.78:6789"]\n      pool: kube\n      image: foo\n',
    expect: [unpinned('kubernetes/pause', 'docker.io/kubernetes/pause', null)],
  },
  {
    name: 'image volumes: volumes[].image.reference',
    text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: v}\nspec:\n  containers:\n  - name: c\n    image: debian:12\n  volumes:\n  - name: models\n    image:\n      reference: quay.io/acme/models:v3\n      pullPolicy: IfNotPresent\n',
    expect: [
      unpinned('debian:12', 'docker.io/library/debian', '12'),
      unpinned('quay.io/acme/models:v3', 'quay.io/acme/models', 'v3'),
    ],
  },
  {
    name: 'a CRD schema describing containers is not a pod spec',
    text: [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata: {name: widgets.example.com}',
      'spec:',
      '  versions:',
      '  - name: v1',
      '    schema:',
      '      openAPIV3Schema:',
      '        properties:',
      '          containers:',
      '            type: array',
      '          image:',
      '            type: string',
      '',
    ].join('\n'),
    expect: [],
  },
  {
    name: 'Helm / Go template values are variable',
    text: pod(
      'Deployment',
      ['spec', 'template', 'spec'],
      'containers:\n- name: app\n  image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
    ),
    expect: [variable('{{ .Values.image.repository }}:{{ .Values.image.tag }}')],
  },
  {
    name: 'multi-document manifest: Services and ConfigMaps between workloads',
    text: [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web}',
      'spec: {ports: [{port: 80}]}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: cfg}',
      'data:',
      '  image: "not-a-pod-field:1"',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: nginx:1.27',
      '...',
      '',
    ].join('\n'),
    expect: [unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'a container without an image, and one with an empty image, report nothing',
    text: pod('Pod', ['spec'], 'containers:\n- name: a\n- name: b\n  image: ""\n- name: c\n  image: alpine'),
    expect: [unpinned('alpine', 'docker.io/library/alpine', null)],
  },
  {
    name: 'containers reached through an anchor are reported once',
    text: [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Pod',
      '  metadata: {name: a}',
      '  spec: &spec',
      '    containers: [{name: x, image: "redis:7.4"}]',
      '- apiVersion: v1',
      '  kind: Pod',
      '  metadata: {name: b}',
      '  spec: *spec',
      '',
    ].join('\n'),
    expect: [unpinned('redis:7.4', 'docker.io/library/redis', '7.4')],
  },
  {
    name: 'a pod spec without apiVersion / kind (a kustomize patch) is read by the generic rule',
    text: 'spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/acme/app:7\n',
    expect: [generic.unpinned('ghcr.io/acme/app:7', 'ghcr.io/acme/app', '7')],
  },
];

describe('kinds/kubernetes', () => {
  for (const c of cases) it(c.name, () => void check(c));
});
