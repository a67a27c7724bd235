// Issue 2: reference extraction must cost little more than the parse it cannot avoid.
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import { findReferences } from '../../server/src/references/index';
import { generateDockerfile } from '../generate/dockerfile';
import { generateManifest } from '../generate/kubernetes';
import { formatBytes, formatCount, type Workload } from '../workload';

const countProblem = (what: string, expected: number, found: number): string | null =>
  found === expected ? null : `expected ${formatCount(expected)} ${what}, found ${formatCount(found)}`;

export const kubernetesManifest: Workload = {
  name: 'kubernetes-10k',
  title: 'findReferences on a 10,000-image multi-document Kubernetes manifest vs yaml.parseAllDocuments',
  target: 1.3,
  setup() {
    const manifest = generateManifest(2500);
    const path = 'deploy/rendered.yaml';
    return {
      size: `${formatCount(manifest.documents)} docs, ${formatCount(manifest.references)} refs, ${formatBytes(manifest.text.length)}`,
      baseline: { label: 'yaml parseAllDocuments', run: () => parseAllDocuments(manifest.text) },
      subject: { label: 'findReferences', run: () => findReferences(path, manifest.text) },
      check() {
        const result = findReferences(path, manifest.text);
        const errors = result.notes.filter((note) => note.severity === 'error');
        if (errors.length > 0) return `extractor reported ${errors.length} error note(s): ${errors[0]?.message}`;
        return countProblem('references', manifest.references, result.references.length);
      },
    };
  },
};

export const largeDockerfile: Workload = {
  name: 'dockerfile-5k-lines',
  title: 'findReferences on a 5,000-line multi-stage Dockerfile vs dockerfile-ast DockerfileParser.parse',
  setup() {
    const dockerfile = generateDockerfile(5000);
    const path = 'Dockerfile';
    return {
      size: `${formatCount(dockerfile.lines)} lines, ${formatCount(dockerfile.stages)} stages, ${formatCount(dockerfile.references)} refs`,
      baseline: { label: 'DockerfileParser.parse', run: () => DockerfileParser.parse(dockerfile.text) },
      subject: { label: 'findReferences', run: () => findReferences(path, dockerfile.text) },
      check() {
        const result = findReferences(path, dockerfile.text);
        return countProblem('references', dockerfile.references, result.references.length);
      },
    };
  },
};
