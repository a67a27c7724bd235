// `check --format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it.
// Rules come from the one diagnostics table; regions are 1-based with an exclusive end column, counting UTF-16
// code units (SARIF's default columnKind), so they match the JSON ranges plus one.
import { createHash } from 'node:crypto';
import { RULES, ruleHelpUri, DOCS_URL, type Rule, type Severity } from '../../shared/rules';
import type { Range } from '../../references/types';
import type { Report } from '../check';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../shared/product';
import { referenceText } from '../../references/reference';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';

export const sarifLevel = (severity: Severity): SarifLevel =>
  severity === 'error' || severity === 'warning' ? severity : 'note';

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export const sarifRegion = (range: Range): SarifRegion => ({
  startLine: range.start.line + 1,
  startColumn: range.start.character + 1,
  endLine: range.end.line + 1,
  endColumn: range.end.character + 1,
});

/** A relative URI: each path segment percent-encoded, `/` kept. */
const fileUri = (file: string): string => file.split('/').map(encodeURIComponent).join('/');

const physicalLocation = (file: string, range?: Range): object => ({
  physicalLocation: {
    artifactLocation: { uri: fileUri(file), uriBaseId: '%SRCROOT%' },
    ...(range ? { region: sarifRegion(range) } : {}),
  },
});

/** `tag-drift` → `TagDrift`: SARIF's `name` is an identifier for people. */
const ruleName = (code: string): string =>
  code.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());

function sarifRule(rule: Rule): object {
  const helpUri = ruleHelpUri(rule.code);
  return {
    id: rule.code,
    name: ruleName(rule.code),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.why },
    help: {
      text: `${rule.why}\n\nHow to fix: ${rule.fix}\n\n${helpUri}`,
      markdown: `${rule.why}\n\n**How to fix:** ${rule.fix}\n\n[Documentation](${helpUri})`,
    },
    // A rule off by default (`outdated`) says so: SARIF's reportingConfiguration.enabled.
    defaultConfiguration: { level: sarifLevel(rule.severity), ...(rule.offByDefault ? { enabled: false } : {}) },
    helpUri,
    properties: { tags: ['supply-chain', 'containers'] },
  };
}

/**
 * A finding's identity across commits: file, rule, the reference as written and which occurrence it is. Lines are
 * left out on purpose, so an alert survives edits above it.
 */
function fingerprint(file: string, code: string, text: string, occurrence: number): string {
  return createHash('sha256')
    .update([file, code, text, String(occurrence)].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

export function toSarif(report: Report): object {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.code, index]));
  const occurrences = new Map<string, number>();
  const results: object[] = [];
  for (const { file, reference, findings } of report.references) {
    for (const finding of findings) {
      const key = [file, finding.code, referenceText(reference)].join('\u0000');
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      results.push({
        ruleId: finding.code,
        ruleIndex: ruleIndex.get(finding.code),
        level: sarifLevel(finding.severity),
        message: { text: finding.message },
        locations: [physicalLocation(file, finding.range)],
        ...(finding.related === undefined
          ? {}
          : {
              relatedLocations: finding.related.map((place, id) => ({
                id,
                ...physicalLocation(place.file, place.range),
                message: { text: place.message },
              })),
            }),
        partialFingerprints: { 'digestPin/v1': fingerprint(file, finding.code, referenceText(reference), occurrence) },
      });
    }
  }
  // File notes and failures are about the run, not the code: execution notifications, not alerts.
  const notifications = [
    ...report.notes.map((note) => ({
      level: sarifLevel(note.severity),
      message: { text: note.message },
      locations: [physicalLocation(note.file, note.range)],
    })),
    ...report.failures.map((failure) => ({
      level: 'error',
      message: { text: failure.message },
      locations: [physicalLocation(failure.file)],
    })),
  ];
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: PRODUCT_NAME,
            informationUri: DOCS_URL,
            version: PRODUCT_VERSION,
            semanticVersion: PRODUCT_VERSION,
            rules: RULES.map(sarifRule),
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(report: Report): string {
  return `${JSON.stringify(toSarif(report), null, 2)}\n`;
}
