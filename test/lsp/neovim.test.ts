// Neovim's built-in LSP client (push diagnostics, no workspace/configuration in 0.7) against `digest-pin lsp
// --stdio` and the real registry: a headless nvim runs test/lsp/fixtures/neovim.lua and writes what it saw.
// Debian's neovim is 0.7.2: vim.lsp.start arrived in 0.8, so the script uses vim.lsp.start_client + buf_attach_client.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shortDigest } from '../../server/src/shared/text';
import { startSeededSetup, type SeededSetup } from '../integration/support/setup';
import { ensureBuilt } from '../support/build';
import { CLI, ROOT } from './support/client';

const NVIM = process.env['DIGEST_PIN_NVIM'] ?? 'nvim';
const available = spawnSync(NVIM, ['--version'], { encoding: 'utf8' });

interface NeovimResult {
  steps: string[];
  error?: string;
  first?: Array<{
    lnum: number;
    col: number;
    end_lnum: number;
    end_col: number;
    message: string;
    code: string;
    source: string;
    severity: number;
  }>;
  diagnostics?: Array<{
    lnum: number;
    col: number;
    end_lnum: number;
    end_col: number;
    message: string;
    code: string;
    source: string;
    severity: number;
  }>;
  hover?: string;
  actions?: string[];
  text?: string;
  after?: unknown[];
}

describe(
  'Neovim (built-in LSP client, headless)',
  { skip: available.status === 0 ? false : `${NVIM} is not installed (apt-get install neovim)` },
  () => {
    let setup: SeededSetup;
    let tmp: string;
    before(async () => {
      ensureBuilt();
      setup = await startSeededSetup();
      tmp = mkdtempSync(join(tmpdir(), 'digest-pin-nvim-'));
    });
    after(async () => {
      await setup?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    it('diagnostics are pushed, the hover shows the digest, the pin action is applied and the finding goes', () => {
      const { dockerImage } = setup.fixtures;
      const ref = `${setup.host}/fixtures/docker-image:1.0`;
      const file = join(tmp, 'Dockerfile');
      writeFileSync(file, `FROM ${ref}\nRUN true\n`);
      const out = join(tmp, 'result.json');
      const run = spawnSync(
        NVIM,
        [
          '--headless',
          '-u',
          'NONE',
          '-i',
          'NONE',
          '--noplugin',
          '-c',
          `luafile ${join(ROOT, 'test/lsp/fixtures/neovim.lua')}`,
        ],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: tmp,
            XDG_STATE_HOME: join(tmp, 'state'),
            XDG_CACHE_HOME: join(tmp, 'cache'),
            DOCKER_CONFIG: setup.dockerConfigDir,
            DP_NODE: process.execPath,
            DP_SERVER: CLI,
            DP_FILE: file,
            DP_OUT: out,
            DP_CACHE: join(tmp, 'digest-pin-cache'),
          },
          encoding: 'utf8',
          timeout: 90_000,
        },
      );
      assert.equal(run.status, 0, `nvim exited with ${run.status}: ${run.stderr}`);
      const result = JSON.parse(readFileSync(out, 'utf8')) as NeovimResult;
      assert.equal(result.error, undefined);
      assert.deepEqual(result.steps, [
        'start',
        'static diagnostics',
        'online diagnostics',
        'hover',
        'code action',
        'diagnostic gone',
      ]);

      const start = 'FROM '.length;
      assert.deepEqual(result.first, [
        {
          lnum: 0,
          col: start,
          end_lnum: 0,
          end_col: start + ref.length,
          severity: 2,
          code: 'unpinned',
          source: 'digest-pin',
          message: `${ref} is a mutable tag; pin it to a digest`,
        },
      ]);
      assert.deepEqual(result.diagnostics, [
        {
          lnum: 0,
          col: start,
          end_lnum: 0,
          end_col: start + ref.length,
          severity: 2,
          code: 'unpinned',
          source: 'digest-pin',
          message: `${ref} is a mutable tag; pin it to its current digest ${shortDigest(dockerImage.digest)}`,
        },
      ]);
      assert.ok(result.hover?.includes(`Digest: \`${dockerImage.digest}\``), result.hover);
      assert.deepEqual(result.actions, [`Pin to digest (${shortDigest(dockerImage.digest)})`, 'Ignore this image']);
      assert.equal(result.text, `FROM ${ref}@${dockerImage.digest}\nRUN true`);
      assert.deepEqual(result.after, []);
    });
  },
);
