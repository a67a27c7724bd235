// Issue 4: the language server's work between a didChange and its publishDiagnostics, after the debounce: apply the
// change to the document, re-read it (only the YAML document that changed), update the registry questions it asks,
// and build the diagnostics — the code the server runs (lsp/documents.ts, lsp/resolver.ts, lsp/diagnosticsMemo.ts),
// without the connection. The yardstick is the full re-parse
// the incremental reader avoids: yaml.parseAllDocuments on the 100,000-line manifest (≈1.7 s on the reference
// machine), so the budgets become ratios. One timed run is a typing session of EDITS edits in a row (as the server
// sees them; the harness collects garbage before every run, which no editing session does before each keystroke):
// ≤ 20 ms an edit of the large manifest ⇔ ≤ 0.235× for 20 edits, ≤ 5 ms an edit of a 300-line file ⇔ ≤ 0.059×.
// Encoding 10,000 diagnostics as JSON for the wire is measured on its own (report only): the transport's cost, the
// same for any server that reports that many findings.
import { createHash } from 'node:crypto';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { parseAllDocuments } from 'yaml';
import { DiagnosticsMemo, type DiagnosticsContext } from '../../server/src/lsp/diagnosticsMemo';
import { TrackedDocument } from '../../server/src/lsp/documents';
import { Resolver } from '../../server/src/lsp/resolver';
import type { RegistryClient } from '../../server/src/registry/index';
import { findReferences } from '../../server/src/references/index';
import { DEFAULT_SETTINGS } from '../../server/src/shared/settings';
import { formatBytes, formatCount, type Prepared, type Workload } from '../workload';

const hex = (seed: string): string => createHash('sha256').update(seed).digest('hex');

function image(n: number): string {
  switch (n % 8) {
    case 0:
      return `ghcr.io/acme/svc-${n % 300}:1.${n % 40}.${n % 7}`;
    case 1:
      return 'nginx:1.27.0';
    case 2:
      return `"quay.io/prometheus/node-exporter:v1.8.${n % 3}"`;
    case 3:
      return `registry.k8s.io/ingress-nginx/controller:v1.10.1@sha256:${hex(`c${n % 5}`)}`;
    case 4:
      return `'gcr.io/distroless/static-debian12:nonroot'`;
    case 5:
      return 'busybox';
    case 6:
      return `registry.internal:5000/platform/envoy:v1.30.${n % 4}`;
    default:
      return `acme/worker-${n % 90}:2024.06.${n % 28}`;
  }
}

/** A rendered Kubernetes stream of Deployments, 4 containers each: about 10 lines per image reference. */
export function denseManifest(references: number): { text: string; references: number; lines: number } {
  const docs: string[] = [];
  for (let d = 0; d * 4 < references; d++) {
    const lines = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: svc-${d}`,
      `  namespace: team-${d % 20}`,
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
    ];
    for (let c = 0; c < 4 && d * 4 + c < references; c++) {
      lines.push(
        `        - name: c${c}`,
        `          image: ${image(d * 4 + c)}`,
        `          args: ["--port=${8000 + c}"]`,
        '          env:',
        `            - { name: SLOT, value: "${c}" }`,
        '          resources:',
        '            requests: { cpu: 50m, memory: 64Mi }',
      );
    }
    docs.push(lines.join('\n'));
  }
  const text = `---\n${docs.join('\n---\n')}\n`;
  return { text, references, lines: text.split('\n').length - 1 };
}

interface Session {
  document: TrackedDocument;
  resolver: Resolver;
  memo: DiagnosticsMemo;
  context: DiagnosticsContext;
  /** The edits to make, in turn (each run makes the next): typing a character and taking it back, or Enter and back. */
  edits: TextDocumentContentChangeEvent[];
  version: number;
  lastDiagnostics: number;
}

function session(text: string, edits: TextDocumentContentChangeEvent[]): Session {
  const uri = 'file:///bench/rendered.yaml';
  const document = new TrackedDocument(uri, 'yaml', TextDocument.create(uri, 'yaml', 1, text));
  const memo = new DiagnosticsMemo();
  const context: DiagnosticsContext = {
    settings: DEFAULT_SETTINGS,
    now: Date.now(),
    offline: false,
    online: () => undefined,
  };
  // A registry that never answers: every question stays pending, as while the first answers are on their way.
  const never = new Promise<never>(() => undefined);
  const registry: RegistryClient = {
    resolve: () => never,
    describe: () => never,
    checkPin: () => never,
    pullBudgets: () => [],
    listTags: () => never,
    flush: async () => undefined,
    close: async () => undefined,
  };
  const resolver = new Resolver(
    registry,
    { answered: () => undefined, progress: () => undefined },
    { warn: () => undefined },
  );
  const analysis = document.analyse();
  resolver.want(uri, document.extractor.groups, null, () => false);
  memo.all(document.extractor.groups, analysis.result.notes, context);
  return { document, resolver, memo, context, edits, version: 1, lastDiagnostics: 0 };
}

/** Edits per timed run. */
export const EDITS = 20;

/** What the server does for one didChange once the debounce has passed: apply, re-read, ask, build diagnostics. */
function editOnce(s: Session): unknown[] {
  const edit = s.edits[(s.version - 1) % s.edits.length]!;
  s.document.applyChanges([edit], ++s.version);
  const { result } = s.document.analyse();
  s.resolver.want(s.document.uri, s.document.extractor.groups, null, () => false);
  const diagnostics = s.memo.all(s.document.extractor.groups, result.notes, s.context);
  s.lastDiagnostics = diagnostics.length;
  return diagnostics;
}

/** A character typed at the end of a line in the middle of the file, then deleted; or a line inserted, then removed. */
function editsAt(text: string, kind: 'character' | 'line'): TextDocumentContentChangeEvent[] {
  const lines = text.split('\n');
  const line = lines.findIndex((l, i) => i > lines.length / 2 && l.includes('image: '));
  const end = lines[line]!.length;
  if (kind === 'character') {
    return [
      { range: { start: { line, character: end }, end: { line, character: end } }, text: ' ' },
      { range: { start: { line, character: end }, end: { line, character: end + 1 } }, text: '' },
    ];
  }
  return [
    { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '          # a note\n' },
    { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' },
  ];
}

function editWorkload(
  name: string,
  title: string,
  target: number,
  references: number,
  kind: 'character' | 'line',
): Workload {
  return {
    name,
    title,
    target,
    setup(): Prepared {
      const yardstick = denseManifest(10_000);
      const manifest = references === 10_000 ? yardstick : denseManifest(references);
      const s = session(manifest.text, editsAt(manifest.text, kind));
      const expected = findReferences('rendered.yaml', manifest.text).references.filter(
        (ref) => !ref.ignored && ref.status !== 'pinned',
      ).length;
      return {
        size: `${formatCount(manifest.lines)} lines, ${formatCount(manifest.references)} refs, ${formatBytes(manifest.text.length)}; yardstick ${formatCount(yardstick.lines)} lines`,
        baseline: { label: 'yaml parseAllDocuments (100k lines)', run: () => parseAllDocuments(yardstick.text) },
        subject: {
          label: `${EDITS} × ${kind === 'line' ? 'new line' : 'keystroke'} → diagnostics`,
          run: () => {
            for (let i = 1; i < EDITS; i++) editOnce(s);
            return editOnce(s);
          },
        },
        check() {
          // Two edits: back where it started, so the diagnostics must be exactly those of a fresh read.
          editOnce(s);
          editOnce(s);
          if (s.document.extractor.stats.whole) return 'the document was read whole, not incrementally';
          if (s.document.extractor.stats.parsed > 1)
            return `an edit re-read ${s.document.extractor.stats.parsed} YAML documents, expected 1`;
          const questions = new Set(
            findReferences('rendered.yaml', manifest.text)
              .references.map((ref) => s.resolver.keyOf(ref, null))
              .filter((key) => key !== null),
          ).size;
          if (s.resolver.state.pending !== questions)
            return `${s.resolver.state.pending} registry questions pending, expected ${questions}`;
          return s.lastDiagnostics === expected
            ? null
            : `expected ${formatCount(expected)} diagnostics, found ${formatCount(s.lastDiagnostics)}`;
        },
      };
    },
  };
}

export const lspKeystroke10k = editWorkload(
  'lsp-edit-10k',
  `language server: keystrokes in a 100,000-line manifest (10,000 references) → diagnostics; ≤ 20 ms each ⇔ ≤ 0.235× the full parse for ${EDITS}`,
  0.235,
  10_000,
  'character',
);

export const lspNewline10k = editWorkload(
  'lsp-newline-10k',
  'language server: new lines in the middle of the 100,000-line manifest (half the references move) → diagnostics; ≤ 0.235×',
  0.235,
  10_000,
  'line',
);

export const lspKeystroke300 = editWorkload(
  'lsp-edit-300',
  'language server: keystrokes in a 300-line manifest → diagnostics; ≤ 5 ms each ⇔ ≤ 0.059× the full parse of the 100,000-line one',
  0.059,
  32,
  'character',
);

export const lspEncode10k: Workload = {
  name: 'lsp-encode-10k',
  title: "language server: JSON for publishDiagnostics with 10,000 diagnostics (report only: the transport's cost)",
  setup(): Prepared {
    const manifest = denseManifest(10_000);
    const s = session(manifest.text, editsAt(manifest.text, 'character'));
    const diagnostics = editOnce(s);
    const message = () =>
      JSON.stringify({
        jsonrpc: '2.0',
        method: 'textDocument/publishDiagnostics',
        params: { uri: s.document.uri, version: s.version, diagnostics },
      });
    return {
      size: `${formatCount(diagnostics.length)} diagnostics, ${formatBytes(message().length)} of JSON`,
      baseline: { label: 'yaml parseAllDocuments (100k lines)', run: () => parseAllDocuments(manifest.text) },
      subject: { label: 'JSON.stringify', run: message },
      check: () => (diagnostics.length > 5000 ? null : `only ${diagnostics.length} diagnostics`),
    };
  },
};
