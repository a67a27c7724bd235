// GitHub's workflow commands and environment files, as the runner reads them: escaping per its documentation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  annotation,
  escapeData,
  escapeProperty,
  outputEntry,
  verbatim,
  workflowCommand,
} from '../../../server/src/action/workflowCommands';

describe('workflow commands', () => {
  it('escapes a message: %, CR and LF (percent first, so nothing is encoded twice)', () => {
    assert.equal(escapeData('100% done\r\nnext: a, b'), '100%25 done%0D%0Anext: a, b');
    assert.equal(escapeData('%0A'), '%250A');
  });

  it('escapes a property: also : and , which separate the command and its properties', () => {
    assert.equal(escapeProperty('dir,x/Dockerfile:prod\n%'), 'dir%2Cx/Dockerfile%3Aprod%0A%25');
  });

  it('an annotation: level, properties in order, the unset ones left out', () => {
    assert.equal(
      annotation('warning', 'python:3.12 is a mutable tag', {
        file: 'a,b/Dockerfile',
        line: 3,
        col: 6,
        endLine: 3,
        endColumn: 17,
        title: 'digest-pin: unpinned',
      }),
      '::warning file=a%2Cb/Dockerfile,line=3,col=6,endLine=3,endColumn=17,title=digest-pin%3A unpinned::python:3.12 is a mutable tag',
    );
    assert.equal(annotation('error', 'no place'), '::error::no place');
    assert.equal(
      workflowCommand('notice', { file: 'x', line: undefined }, 'two\nlines'),
      '::notice file=x::two%0Alines',
    );
  });

  it('a message cannot start another command on a new line', () => {
    const line = annotation('error', 'x\n::add-mask::secret');
    assert.equal(line.split('\n').length, 1);
  });

  it('verbatim text is fenced by stop-commands with the token', () => {
    assert.equal(
      verbatim('::error::not a command\n', 'tok'),
      '::stop-commands::tok\n::error::not a command\n::tok::\n',
    );
    assert.equal(verbatim('no newline', 'tok'), '::stop-commands::tok\nno newline\n::tok::\n');
    assert.equal(verbatim(''), '');
    assert.notEqual(verbatim('a'), verbatim('a'), 'a fresh token each time');
  });

  it('$GITHUB_OUTPUT entries: name=value for one line, the heredoc form for several', () => {
    assert.equal(outputEntry('changed', 'true'), 'changed=true\n');
    assert.equal(outputEntry('report', '## a\n\nb', 'EOF_1'), 'report<<EOF_1\n## a\n\nb\nEOF_1\n');
    assert.match(
      outputEntry('report', 'a\nb'),
      /^report<<ghadelimiter_[0-9a-f-]{36}\na\nb\nghadelimiter_[0-9a-f-]{36}\n$/,
    );
    assert.throws(() => outputEntry('report', 'a\nEOF_1\nb', 'EOF_1'), /contains its delimiter/);
  });
});
