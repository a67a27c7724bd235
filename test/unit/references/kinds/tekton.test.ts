// Tekton: a step's `$(params.X)` image is the parameter's literal default.
import { describe, it } from 'node:test';
import { check, rows, type Case } from './expect';

const { unpinned, pinned, variable } = rows('yaml', 'image');
const DIGEST = `sha256:${'c'.repeat(64)}`;

const task = (params: string, steps: string, extra = ''): string =>
  `apiVersion: tekton.dev/v1beta1\nkind: Task\nmetadata:\n  name: build\nspec:\n  params:\n${params}  steps:\n${steps}${extra}`;

const cases: Case[] = [
  {
    name: 'the default of the parameter a step image names',
    text: task(
      '  - name: BUILDER_IMAGE\n    description: The location of the buildah builder image.\n    default: quay.io/buildah/stable:v1\n',
      '  - name: build\n    image: $(params.BUILDER_IMAGE)\n    script: buildah bud .\n',
    ),
    expect: [
      unpinned('quay.io/buildah/stable:v1', 'quay.io/buildah/stable', 'v1'),
      variable('$(params.BUILDER_IMAGE)', {
        variable: "'$(params.BUILDER_IMAGE)' is the parameter BUILDER_IMAGE; its default (line 9) is checked there",
      }),
    ],
  },
  {
    name: 'a pinned default, quoted, with a comment',
    text: task(
      `  - name: builder_image\n    default: "docker.io/library/docker:stable@${DIGEST}" #tag: stable\n`,
      '  - name: build\n    image: $(params.builder_image)\n  - name: push\n    image: $(params.builder_image)\n',
    ),
    expect: [
      pinned(`docker.io/library/docker:stable@${DIGEST}`, 'docker.io/library/docker', 'stable', DIGEST),
      variable('$(params.builder_image)'),
      variable('$(params.builder_image)', { occurrence: 1 }),
    ],
  },
  {
    name: 'sidecars and stepTemplate, and the bracket form $(params["x"])',
    text: task(
      "  - name: dind_image\n    default: docker:dind\n  - name: base\n    default: 'alpine:3.20'\n",
      '  - name: s\n    image: alpine:3.20\n',
      '  sidecars:\n  - name: dind\n    image: $(params.dind_image)\n  stepTemplate:\n    image: $(params["base"])\n',
    ),
    expect: [
      unpinned('docker:dind', 'docker.io/library/docker', 'dind'),
      unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20'),
      unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20', { occurrence: 1 }),
      variable('$(params.dind_image)'),
      variable('$(params["base"])'),
    ],
  },
  {
    name: 'a parameter without a default, or with a default built from another parameter, stays variable',
    text: task(
      '  - name: IMAGE\n    description: Reference of the image to produce.\n  - name: TOOL\n    default: $(params.REGISTRY)/tool:1\n',
      '  - name: a\n    image: $(params.IMAGE)\n  - name: b\n    image: $(params.TOOL)\n',
    ),
    expect: [
      variable('$(params.IMAGE)', {
        variable: "'$(params.IMAGE)' is built from variables; its value is only known at build or deploy time",
      }),
      variable('$(params.TOOL)', { after: '  - name: b' }),
    ],
  },
  {
    name: 'an image that only mentions a parameter is variable, and the parameter default is not an image',
    text: task(
      '  - name: version\n    default: "1.22"\n',
      '  - name: build\n    image: docker.io/library/golang:$(params.version)\n',
    ),
    expect: [variable('docker.io/library/golang:$(params.version)')],
  },
  {
    name: 'StepAction: spec.image with spec.params',
    text: 'apiVersion: tekton.dev/v1beta1\nkind: StepAction\nmetadata: {name: git-clone}\nspec:\n  params:\n    - name: gitInitImage\n      type: string\n      default: "ghcr.io/tektoncd-catalog/git-clone:v1.1.0"\n  image: "$(params.gitInitImage)"\n  script: git-init\n',
    expect: [
      unpinned('ghcr.io/tektoncd-catalog/git-clone:v1.1.0', 'ghcr.io/tektoncd-catalog/git-clone', 'v1.1.0'),
      variable('$(params.gitInitImage)'),
    ],
  },
  {
    name: 'a Pipeline with an embedded taskSpec uses the taskSpec params',
    text: [
      'apiVersion: tekton.dev/v1',
      'kind: Pipeline',
      'metadata: {name: p}',
      'spec:',
      '  tasks:',
      '  - name: lint',
      '    taskSpec:',
      '      params:',
      '      - name: linter',
      '        default: golangci/golangci-lint:v1.60',
      '      steps:',
      '      - name: run',
      '        image: $(params.linter)',
      '',
    ].join('\n'),
    expect: [
      unpinned('golangci/golangci-lint:v1.60', 'docker.io/golangci/golangci-lint', 'v1.60'),
      variable('$(params.linter)'),
    ],
  },
];

describe('kinds/tekton', () => {
  for (const c of cases) it(c.name, () => void check(c));
});
