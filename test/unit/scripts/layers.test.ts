// The ESLint rule that holds the layers of docs/architecture.md: each wrong-way import of the issue that introduced
// it is a case here, next to the imports that must stay allowed.
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RuleTester } from 'eslint';
import layers, { layerOf, violation } from '../../../scripts/eslint/layers.mjs';

// RuleTester runs its cases through the test framework's hooks; node:test's are these.
Object.assign(RuleTester, { afterAll: after, describe, it, itOnly: it.only });

const ROOT = join(import.meta.dirname, '..', '..', '..');
const at = (path: string) => join(ROOT, path);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });

describe('layers', () => {
  tester.run('digest-pin/layers', layers, {
    valid: [
      { filename: at('server/src/lsp/resolver.ts'), code: "import { ask } from '../lookup/ask';" },
      { filename: at('server/src/features/hover.ts'), code: "import { x } from '../registry/index';" },
      { filename: at('server/src/features/hover.ts'), code: "import { x } from './facts';" },
      { filename: at('server/src/cli/main.ts'), code: "import { x } from '../shared/product';" },
      { filename: at('server/src/registry/client.ts'), code: "import { x } from '../references/imageRef';" },
      { filename: at('server/src/shared/settings.ts'), code: "import { RULES } from './rules';" },
      { filename: at('server/src/server.ts'), code: "import { x } from './lsp/documents';" },
      { filename: at('server/src/cli.ts'), code: "import { x } from './cli/main';" },
      { filename: at('client/src/status.ts'), code: "import { S } from '../../server/src/shared/protocol';" },
      { filename: at('client/src/documents.ts'), code: "import { k } from '../../server/src/references/fileKind';" },
      { filename: at('server/src/lsp/server.ts'), code: "import { readFile } from 'node:fs/promises';" },
      // The GitHub Action runs the CLI in-process.
      { filename: at('server/src/action/action.ts'), code: "import { run } from '../cli/main';" },
      { filename: at('server/src/action/summary.ts'), code: "import { plural } from '../shared/text';" },
      { filename: at('server/src/features/diagnostics.ts'), code: "import { x } from '../lock/state';" },
      { filename: at('server/src/lock/state.ts'), code: "import { x } from '../lookup/question';" },
      { filename: at('server/src/cli/lock.ts'), code: "import { x } from '../lock/lockFile';" },
    ],
    invalid: [
      // The wrong-way imports the layering was introduced to end.
      ['server/src/lsp/resolver.ts', '../cli/lookup'],
      ['server/src/shared/settings.ts', '../features/diagnostics'],
      ['server/src/features/codeActions.ts', '../lsp/protocol'],
      ['server/src/lsp/server.ts', '../cli/registry'],
      // Up the layers.
      ['server/src/references/yaml.ts', '../registry/index'],
      ['server/src/registry/client.ts', '../lookup/ask'],
      ['server/src/lookup/ask.ts', '../features/diagnostics'],
      ['server/src/features/diagnostics.ts', '../cli/output/json'],
      // The lock layer sits between lookup/ and features/: it reads neither edits nor the file system's surfaces.
      ['server/src/lock/lockFile.ts', '../features/edits'],
      ['server/src/lock/state.ts', '../cli/check'],
      ['server/src/lookup/ask.ts', '../lock/state'],
      ['server/src/cli/check.ts', '../server'],
      ['client/src/commands.ts', '../../server/src/registry/index'],
      ['client/src/commands.ts', '../../server/src/lsp/documents'],
      // Nothing below the action imports it; the action is not the language server's.
      ['server/src/cli/main.ts', '../action/action'],
      ['server/src/lsp/server.ts', '../action/inputs'],
      ['server/src/action/action.ts', '../server'],
      ['client/src/commands.ts', '../../server/src/action/summary'],
    ].map(([file, source]) => ({
      filename: at(file!),
      code: `export { x } from '${source}';`,
      errors: 1,
    })),
  });

  it('ranks the folders in the order of docs/architecture.md', () => {
    const order = ['shared', 'references', 'registry', 'lookup', 'lock', 'features', 'cli', 'entry', 'client'];
    const paths = [
      'server/src/shared/text',
      'server/src/references/imageRef',
      'server/src/registry/client',
      'server/src/lookup/ask',
      'server/src/lock/state',
      'server/src/features/hover',
      'server/src/cli/main',
      'server/src/server',
      'client/src/extension',
    ];
    const ranks = paths.map((p) => layerOf(p)!.rank);
    for (let i = 1; i < ranks.length; i++)
      if (!(ranks[i]! > ranks[i - 1]!)) throw new Error(`${order[i]} is not above ${order[i - 1]}`);
    if (violation(layerOf('server/src/cli/main'), layerOf('server/src/lsp/server')) === null)
      throw new Error('cli/ may not import lsp/');
    if (layerOf('test/unit/x') !== null) throw new Error('tests are outside the layers');
    if (layerOf('server/src/action/main')?.rank !== layerOf('server/src/cli')?.rank)
      throw new Error('action/ is an entry: above cli/, beside the other entries');
  });
});
