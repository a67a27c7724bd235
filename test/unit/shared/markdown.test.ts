import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeSpan, escapeMarkdown } from '../../../server/src/shared/markdown';

describe('escaping', () => {
  const table: Array<[string, string]> = [
    ['linux/amd64', 'linux/amd64'],
    ['<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert\\(1\\)\\>'],
    ['[click](javascript:alert(1))', '\\[click\\]\\(javascript:alert\\(1\\)\\)'],
    ['**bold** _it_ `code` # h | t ~ !', '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\# h \\| t \\~ \\!'],
    ['a\nb\r\nc\u0007d', 'a b c d'],
    ['&amp; \\', '\\&amp; \\\\'],
  ];
  for (const [input, expected] of table) it(JSON.stringify(input), () => assert.equal(escapeMarkdown(input), expected));

  it('codeSpan fences text holding backticks', () => {
    assert.equal(codeSpan('sha256:abc'), '`sha256:abc`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('`x'), '`` `x ``');
  });
});
