// Where a reference's repository lives: which hosts and paths the client accepts (the reference grammar's own checks,
// plus what a URL can carry), the Docker Hub API host, loopback and insecure registries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageReference } from '../../../server/src/references/imageRef';
import { parseInsecureRegistries, targetOf } from '../../../server/src/registry/target';

const target = (text: string, insecure: string[] = []) => {
  const parsed = parseImageReference(text);
  assert.ok(parsed.ok, text);
  return targetOf(parsed.value, parseInsecureRegistries(insecure));
};

describe('targetOf', () => {
  const table: Array<[string, string | null]> = [
    ['python:3.12', 'registry-1.docker.io'],
    ['ghcr.io/org/app:1', 'ghcr.io'],
    ['localhost:5000/app:1', 'localhost:5000'],
    ['127.0.0.1:65535/app:1', '127.0.0.1:65535'],
    // The grammar takes any digits; a URL does not: an invalid-input error, not a thrown URL error.
    ['127.0.0.1:65536/app:1', null],
    ['127.0.0.1:99999/app:1', null],
    ['127.0.0.1:123456/app:1', null],
  ];
  for (const [text, apiHost] of table) {
    it(text, () => {
      const result = target(text);
      if (apiHost === null) {
        assert.ok(!result.ok);
        assert.equal(result.error.kind, 'invalid');
      } else {
        assert.ok(result.ok);
        assert.equal(result.value.apiHost, apiHost);
      }
    });
  }

  it('loopback and insecure registries', () => {
    const loop = target('localhost:5000/app:1');
    assert.ok(loop.ok && loop.value.loopback && loop.value.insecure === null);
    const plain = target('registry.internal:5000/app:1', ['registry.internal:5000']);
    assert.ok(plain.ok && plain.value.insecure === 'http' && !plain.value.loopback);
  });
});
