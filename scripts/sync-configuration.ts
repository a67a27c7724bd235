// Writes package.json's contributes.configuration from server/src/settings.ts, the one definition of the settings:
//   node --import tsx scripts/sync-configuration.ts          (rewrite)
//   node --import tsx scripts/sync-configuration.ts --check  (exit 1 when package.json is out of date)
// test/unit/package.test.ts fails on any difference, so a settings change cannot ship without running this.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { configurationContribution } from '../server/src/shared/settings';

const PATH = 'package.json';
const text = readFileSync(PATH, 'utf8');
const pkg = JSON.parse(text) as { contributes?: Record<string, unknown> };
const wanted = configurationContribution();
const current = pkg.contributes?.['configuration'];

if (isDeepStrictEqual(current, wanted)) {
  console.log('package.json: contributes.configuration is up to date');
} else if (process.argv.includes('--check')) {
  console.error(
    'package.json: contributes.configuration differs from server/src/settings.ts; run node --import tsx scripts/sync-configuration.ts',
  );
  process.exitCode = 1;
} else {
  pkg.contributes = { ...pkg.contributes, configuration: wanted };
  // Atomic: other tools read package.json at any moment.
  writeFileSync(`${PATH}.tmp`, `${JSON.stringify(pkg, null, 2)}\n`);
  renameSync(`${PATH}.tmp`, PATH);
  console.log(`package.json: contributes.configuration written (${Object.keys(wanted.properties).length} settings)`);
}
