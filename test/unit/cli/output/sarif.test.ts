import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseAll, summarise } from '../../../../server/src/cli/check';
import { findReferences } from '../../../../server/src/references/index';
import { shortDigest } from '../../../../server/src/shared/text';
import { formatJson } from '../../../../server/src/cli/output/json';
import { formatSarif, sarifLevel, SARIF_SCHEMA } from '../../../../server/src/cli/output/sarif';
import { RULES, type Severity } from '../../../../server/src/shared/rules';
import { DIGEST, fixtureReport } from './fixture';

// The subset of SARIF 2.1.0 that GitHub code scanning reads, typed for the assertions below.
interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface Location {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: Region };
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  helpUri: string;
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Location[];
  partialFingerprints: Record<string, string>;
}
interface Sarif {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; informationUri: string; version: string; rules: SarifRule[] } };
    invocations: Array<{
      executionSuccessful: boolean;
      toolExecutionNotifications: Array<{ level: string; message: { text: string }; locations: Location[] }>;
    }>;
    results: Result[];
  }>;
}

describe('formatSarif', () => {
  const report = fixtureReport();
  const sarif = JSON.parse(formatSarif(report)) as Sarif;
  const run = sarif.runs[0];
  const LEVELS = ['error', 'warning', 'note'];

  it('is SARIF 2.1.0 with one run of digest-pin', () => {
    assert.equal(sarif.$schema, SARIF_SCHEMA);
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs.length, 1);
    assert.equal(run?.tool.driver.name, 'digest-pin');
    assert.equal(run?.tool.driver.informationUri, 'https://github.com/digest-pin/digest-pin');
    assert.match(run?.tool.driver.version ?? '', /^\d+\.\d+\.\d+/);
  });

  it('has one rule per code of the table, with every property code scanning shows', () => {
    const rules = run?.tool.driver.rules ?? [];
    assert.deepEqual(
      rules.map((r) => r.id),
      RULES.map((r) => r.code),
    );
    for (const [i, rule] of rules.entries()) {
      const source = RULES[i];
      assert.ok(source);
      assert.equal(rule.shortDescription.text, source.title);
      assert.equal(rule.fullDescription.text, source.why);
      assert.ok(rule.help.text.includes(source.fix) && rule.help.markdown.includes(source.fix));
      assert.equal(rule.helpUri, `https://github.com/digest-pin/digest-pin#${source.code}`);
      assert.ok(LEVELS.includes(rule.defaultConfiguration.level));
      assert.match(rule.name, /^[A-Z][A-Za-z]+$/);
    }
    assert.equal(rules.find((r) => r.id === 'tag-drift')?.name, 'TagDrift');
  });

  it('has a result per finding, pointing at its rule, with 1-based regions equal to the JSON ranges plus one', () => {
    const json = JSON.parse(formatJson(report, summarise(report))) as {
      references: Array<{
        file: string;
        range: { start: { line: number; character: number }; end: { line: number; character: number } };
        diagnostics: Array<{ code: string; severity: Severity; message: string }>;
      }>;
    };
    const expected = json.references.flatMap((ref) =>
      ref.diagnostics.map((d) => ({
        ruleId: d.code,
        level: sarifLevel(d.severity),
        text: d.message,
        uri: ref.file.replace(/ /g, '%20'),
        region: {
          startLine: ref.range.start.line + 1,
          startColumn: ref.range.start.character + 1,
          endLine: ref.range.end.line + 1,
          endColumn: ref.range.end.character + 1,
        },
      })),
    );
    const results = run?.results ?? [];
    assert.deepEqual(
      results.map((r) => ({
        ruleId: r.ruleId,
        level: r.level,
        text: r.message.text,
        uri: r.locations[0]?.physicalLocation.artifactLocation.uri,
        region: r.locations[0]?.physicalLocation.region,
      })),
      expected,
    );
    assert.equal(results.length, 5);
    for (const result of results) {
      assert.equal(run?.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
      assert.ok(LEVELS.includes(result.level));
      assert.equal(result.locations[0]?.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    }
    // The astral character before Bad:1 counts two UTF-16 units (SARIF's default columnKind).
    assert.deepEqual(results[3]?.locations[0]?.physicalLocation.region, {
      startLine: 2,
      startColumn: 35,
      endLine: 2,
      endColumn: 40,
    });
  });

  it('fingerprints survive line moves but tell repeated references apart', () => {
    const prints = (run?.results ?? []).map((r) => r.partialFingerprints['digestPin/v1']);
    assert.equal(new Set(prints).size, prints.length);
    for (const print of prints) assert.match(print ?? '', /^[0-9a-f]{32}$/);
    const moved = fixtureReport();
    for (const checked of moved.references) {
      checked.findings = checked.findings.map((f) => ({
        ...f,
        range: {
          start: { line: f.range.start.line + 5, character: 0 },
          end: { line: f.range.end.line + 5, character: 9 },
        },
      }));
    }
    const movedPrints = (JSON.parse(formatSarif(moved)) as Sarif).runs[0]?.results.map(
      (r) => r.partialFingerprints['digestPin/v1'],
    );
    assert.deepEqual(movedPrints, prints);
  });

  it('puts file notes and failures in the invocation, not among the alerts', () => {
    assert.deepEqual(run?.invocations, [
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'YAML: unexpected end of the stream' },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'broken.yaml', uriBaseId: '%SRCROOT%' },
                  region: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 6 },
                },
              },
            ],
          },
          {
            level: 'warning',
            message: { text: 'a note without a range' },
            locations: [
              { physicalLocation: { artifactLocation: { uri: 'sub%20dir/compose.yaml', uriBaseId: '%SRCROOT%' } } },
            ],
          },
          {
            level: 'error',
            message: { text: 'could not read: permission denied' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'locked.yaml', uriBaseId: '%SRCROOT%' } } }],
          },
        ],
      },
    ]);
  });

  it('maps severities to SARIF levels', () => {
    assert.deepEqual((['error', 'warning', 'information', 'hint'] as const).map(sarifLevel), [
      'error',
      'warning',
      'note',
      'note',
    ]);
  });
});

describe('formatSarif: an inconsistent pin', () => {
  it('names the other places as related locations', () => {
    const B = `sha256:${'b'.repeat(64)}`;
    const dockerfile = `FROM node:22@${DIGEST}\n`;
    const compose = `services:\n  web:\n    image: node:22@${B}\n`;
    const read = {
      files: [
        {
          walked: { path: '/w/Dockerfile', file: 'Dockerfile', size: 0 },
          references: findReferences('/w/Dockerfile', dockerfile).references,
          notes: [],
        },
        {
          walked: { path: '/w/c/compose.yaml', file: 'c/compose.yaml', size: 0 },
          references: findReferences('/w/c/compose.yaml', compose).references,
          notes: [],
        },
      ],
      failures: [],
    };
    const sarif = JSON.parse(formatSarif(diagnoseAll(read))) as {
      runs: Array<{
        results: Array<Result & { relatedLocations?: Array<Location & { id: number; message: { text: string } }> }>;
      }>;
    };
    const results = sarif.runs[0]!.results;
    assert.deepEqual(
      results.map((r) => [
        r.ruleId,
        r.level,
        r.locations[0]?.physicalLocation.artifactLocation.uri,
        r.relatedLocations,
      ]),
      [
        [
          'inconsistent-pin',
          'note',
          'Dockerfile',
          [
            {
              id: 0,
              physicalLocation: {
                artifactLocation: { uri: 'c/compose.yaml', uriBaseId: '%SRCROOT%' },
                region: { startLine: 3, startColumn: 12, endLine: 3, endColumn: 12 + `node:22@${B}`.length },
              },
              message: { text: `node:22 pinned to ${shortDigest(B)}` },
            },
          ],
        ],
        [
          'inconsistent-pin',
          'note',
          'c/compose.yaml',
          [
            {
              id: 0,
              physicalLocation: {
                artifactLocation: { uri: 'Dockerfile', uriBaseId: '%SRCROOT%' },
                region: { startLine: 1, startColumn: 6, endLine: 1, endColumn: 6 + `node:22@${DIGEST}`.length },
              },
              message: { text: `node:22 pinned to ${shortDigest(DIGEST)}` },
            },
          ],
        ],
      ],
    );
  });
});
