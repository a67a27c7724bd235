// Reference grammar and normalisation, table-driven. Cases are ported from (and reasoned against)
// distribution/reference's reference_test.go, normalize_test.go and regexp_test.go; where digest-pin deliberately
// differs (registry-1.docker.io folding, sha384/sha512 accepted, friendlier messages) the case says so.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReference } from '../../../server/src/references/reference';
import {
  containsVariable,
  digestProblem,
  effectiveTag,
  familiarName,
  isValidDigest,
  parseImageReference,
} from '../../../server/src/references/imageRef';

const HEX64 = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const HEX96 = 'a'.repeat(32) + 'b'.repeat(32) + '0123456789abcdef'.repeat(2);
const HEX128 = '0123456789abcdef'.repeat(8);
const SHA256 = `sha256:${HEX64}`;
const FFF = `sha256:${'f'.repeat(64)}`;

type Ok = { domain: string; path: string; tag?: string; digest?: string };
type Case = [input: string, expected: Ok | string];

const ok = (domain: string, path: string, tag?: string, digest?: string): Ok => ({
  domain,
  path,
  ...(tag === undefined ? {} : { tag }),
  ...(digest === undefined ? {} : { digest }),
});
const hub = (path: string, tag?: string, digest?: string): Ok => ok('docker.io', path, tag, digest);

const COMPONENT_HINT = "use lowercase letters and digits, separated by '.', '_', '__' or '-'";
const badComponent = (component: string): string =>
  `repository path component '${component}' is invalid: ${COMPONENT_HINT}`;
const badTag = (tag: string): string =>
  `tag '${tag}' is invalid: use letters, digits, '_', '.' and '-', not starting with '.' or '-'`;
const IMAGE_ID = 'a 64-character hex string is an image ID, not a repository name; write name@sha256:<hex>';
const LOWERCASE = 'repository name must be lowercase';
const MISSING = 'repository name is missing';

const groups: Record<string, Case[]> = {
  'Docker Hub normalisation': [
    ['python', hub('library/python')],
    ['python:3.12-slim', hub('library/python', '3.12-slim')],
    ['library/python', hub('library/python')],
    ['docker.io/python:3', hub('library/python', '3')],
    ['docker.io/library/python', hub('library/python')],
    ['grafana/grafana', hub('grafana/grafana')],
    ['docker.io/library/foo/bar', hub('library/foo/bar')],
    ['store/foo/bar', hub('store/foo/bar')],
    ['other/library', hub('other/library')],
    ['index.docker.io/debian', hub('library/debian')],
    ['index.docker.io/docker/docker', hub('docker/docker')],
    // Not folded by distribution/reference, but it is Docker Hub's API host (design: registry.md).
    ['registry-1.docker.io/grafana/grafana:10.4.2', hub('grafana/grafana', '10.4.2')],
    ['registry-1.docker.io/alpine', hub('library/alpine')],
    // Host names are case-insensitive; distribution keeps these as distinct (odd) domains.
    ['DOCKER.IO/foo', hub('library/foo')],
    ['Index.Docker.IO/foo/bar', hub('foo/bar')],
    // With an explicit domain a 64-hex path is unambiguous.
    [`docker.io/${HEX64}`, hub(`library/${HEX64}`)],
    ['ubuntu-12.04-base', hub('library/ubuntu-12.04-base')],
  ],
  'domain detection': [
    ['localhost/foo', ok('localhost', 'foo')],
    ['localhost:5000/foo/bar:1.0', ok('localhost:5000', 'foo/bar', '1.0')],
    ['localhost', hub('library/localhost')],
    ['localhost:5000', hub('library/localhost', '5000')],
    ['test.com:5000', hub('library/test.com', '5000')],
    ['test.com:tag', hub('library/test.com', 'tag')],
    ['test:5000/repo', ok('test:5000', 'repo')],
    ['test_com/foo', hub('test_com/foo')],
    ['test-com:8080/foo', ok('test-com:8080', 'foo')],
    ['ghcr.io/org/app:v1', ok('ghcr.io', 'org/app', 'v1')],
    ['LOCALDOMAIN/debian', ok('LOCALDOMAIN', 'debian')],
    ['Docker/docker', ok('Docker', 'docker')],
    ['Uppercase/lowercase:tag', ok('Uppercase', 'lowercase', 'tag')],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', ok('sub-dom1.foo.com', 'bar/baz/quux', 'some-long-tag')],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      ok('b.gcr.io', 'test.example.com/my-app', 'test.example.com'),
    ],
    ['xn--n3h.com/myimage:xn--n3h.com', ok('xn--n3h.com', 'myimage', 'xn--n3h.com')],
    ['192.168.1.1', hub('library/192.168.1.1')],
    ['192.168.1.1/repo', ok('192.168.1.1', 'repo')],
    ['192.168.1.1:5000/repo:5050', ok('192.168.1.1:5000', 'repo', '5050')],
    ['foo/foo_bar.com:8080', hub('foo/foo_bar.com', '8080')],
    ['public.ecr.aws/docker/library/node:20', ok('public.ecr.aws', 'docker/library/node', '20')],
    ['registry.example.com:443/team/app', ok('registry.example.com:443', 'team/app')],
    ['localhost.localdomain/x', ok('localhost.localdomain', 'x')],
    ['index.docker.io:443/foo', ok('index.docker.io:443', 'foo')],
  ],
  'IPv6 hosts': [
    ['[::1]:5000/foo', ok('[::1]:5000', 'foo')],
    ['[2001:db8::1]/x:tag', ok('[2001:db8::1]', 'x', 'tag')],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', ok('[2001:db8:1:2:3:4:5:6]', 'repo', 'tag')],
    ['[2001:db8::]:5000/repo', ok('[2001:db8::]:5000', 'repo')],
    [`[2001:db8::1]:5000/repo:tag@${FFF}`, ok('[2001:db8::1]:5000', 'repo', 'tag', FFF)],
    ['[fc00:1:2:3:4:5:6:7]:5000/library/debian', ok('[fc00:1:2:3:4:5:6:7]:5000', 'library/debian')],
    ['[2001:db8::1]', "'[2001:db8::1]' is a registry host; a repository path must follow it, e.g. [2001:db8::1]/name"],
    [
      '[2001:db8::1]:5000',
      "'[2001:db8::1]:5000' is a registry host; a repository path must follow it, e.g. [2001:db8::1]:5000/name",
    ],
    [
      '[2001:db8::1]:tag',
      "'[2001:db8::1]' is a registry host; a repository path must follow it, e.g. [2001:db8::1]/name",
    ],
    ['[fe80::1%eth0]:5000/repo', "registry host '[fe80::1%eth0]' is not a valid IPv6 address"],
    [
      '[2001:db8:3:4::192.0.2.33]:5000/debian',
      "registry host '[2001:db8:3:4::192.0.2.33]' is not a valid IPv6 address",
    ],
    // No `:` or `.`, so `[]` is not a host at all (as in distribution): it fails as a path component.
    ['[]/foo', badComponent('[]')],
    ['[::1/foo', "registry host '[::1' has an unclosed '['"],
    ['[::1]x/foo', "registry host '[::1]x' is invalid"],
    [
      'fc00::1:5000/debian',
      "registry host 'fc00::1:5000' looks like an IPv6 address; write the address in brackets, as in [::1]:5000",
    ],
  ],
  'ports and hosts': [
    ['example.com:5000/a/b/c:1', ok('example.com:5000', 'a/b/c', '1')],
    ['localhost:80a/foo', "registry port '80a' must be a number"],
    ['localhost:/foo', "registry port is empty after ':' in 'localhost:'"],
    ['[::1]:/foo', "registry port is empty after ':' in '[::1]:'"],
    [':5000/foo', "registry host is missing before ':5000'"],
    ['-docker.io/docker/docker', "registry host '-docker.io' is invalid"],
    ['foo_bar.com/x', "registry host 'foo_bar.com' is invalid"],
    ['a..b/x', "registry host 'a..b' is invalid"],
    ['example-.com/x', "registry host 'example-.com' is invalid"],
    ['https://github.com/docker/docker', "image reference must not start with 'https://'; write host/repository[:tag]"],
    ['docker://alpine:3', "image reference must not start with 'docker://'; write host/repository[:tag]"],
  ],
  'path components and separators': [
    ['org/app.v2', hub('org/app.v2')],
    ['org/my_app', hub('org/my_app')],
    ['org/my__app', hub('org/my__app')],
    ['docker---rules/docker', hub('docker---rules/docker')],
    ['dock__er/docker', hub('dock__er/docker')],
    ['d/docker', hub('d/docker')],
    ['jess/t', hub('jess/t')],
    ['a/b/c/d/e/f', hub('a/b/c/d/e/f')],
    [
      'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      hub('library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev'),
    ],
    ['org/my___app', badComponent('my___app')],
    ['org/_app', badComponent('_app')],
    ['org/app_', badComponent('app_')],
    ['org/app-', badComponent('app-')],
    ['org/app.', badComponent('app.')],
    ['-docker', badComponent('-docker')],
    ['-docker/docker', badComponent('-docker')],
    ['docker-/docker', badComponent('docker-')],
    ['org/dock..er', badComponent('dock..er')],
    ['org/dock_.er', badComponent('dock_.er')],
    ['org/dock-.er', badComponent('dock-.er')],
    // A `.` makes the first component a host, so these fail as hosts (distribution splits them the same way).
    ['dock..er/docker', "registry host 'dock..er' is invalid"],
    ['dock_.er/docker', "registry host 'dock_.er' is invalid"],
    ['dock-.er/docker', "registry host 'dock-.er' is invalid"],
    ['____/____', badComponent('____')],
    ['aa/asdf$$^/aa', badComponent('asdf$$^')],
    ['a:tag:other', badComponent('a:tag')],
    ['docker///docker', "repository name 'docker///docker' has an empty path component"],
    ['docker/', "repository name 'docker/' has an empty path component"],
    ['example.com/', MISSING],
  ],
  'path length': [
    [`example.com/${'a'.repeat(255)}:tag`, ok('example.com', 'a'.repeat(255), 'tag')],
    [`example.com/${'a'.repeat(256)}`, 'repository name is 256 characters; the limit is 255'],
    // `domain` is not a host (no `.`/`:`), so the whole text is a Docker Hub path.
    [`domain/${'a'.repeat(256)}:tag`, 'repository name is 263 characters; the limit is 255'],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, hub(`${'a/'.repeat(127)}a`, 'tag-puts-this-over-max')],
    ['a'.repeat(247), hub(`library/${'a'.repeat(247)}`)],
    // distribution/reference counts the implied `library/` too.
    ['a'.repeat(248), "repository name is 256 characters with the implied 'library/'; the limit is 255"],
  ],
  'upper case': [
    ['Uppercase:tag', LOWERCASE],
    ['Python', LOWERCASE],
    ['docker/Docker', LOWERCASE],
    ['docker.io/docker/Docker', LOWERCASE],
    ['test:5000/Uppercase/lowercase:tag', LOWERCASE],
    ['ghcr.io/Org/App', LOWERCASE],
    ['lowercase:Uppercase', hub('library/lowercase', 'Uppercase')],
  ],
  tags: [
    [`a:${'x'.repeat(128)}`, hub('library/a', 'x'.repeat(128))],
    [`a:${'x'.repeat(129)}`, 'tag is 129 characters; the limit is 128'],
    ['a:_tag', hub('library/a', '_tag')],
    ['a:1', hub('library/a', '1')],
    ['a:v1.2.3-rc.1_b', hub('library/a', 'v1.2.3-rc.1_b')],
    ['a:.tag', badTag('.tag')],
    ['a:-tag', badTag('-tag')],
    ['a:ta+g', badTag('ta+g')],
    ['a:é', badTag('é')],
    ['a:', "tag is empty after ':'"],
  ],
  digests: [
    [`a@${SHA256}`, hub('library/a', undefined, SHA256)],
    [`a@sha384:${HEX96}`, hub('library/a', undefined, `sha384:${HEX96}`)],
    [`a@sha512:${HEX128}`, hub('library/a', undefined, `sha512:${HEX128}`)],
    ['a@sha256:abc', 'sha256 digest needs 64 hex characters, found 3'],
    [`a@sha256:${HEX64}0`, 'sha256 digest needs 64 hex characters, found 65'],
    [`a@sha384:${HEX64}`, 'sha384 digest needs 96 hex characters, found 64'],
    [`a@sha512:${HEX96}`, 'sha512 digest needs 128 hex characters, found 96'],
    ['a@sha256:', 'sha256 digest needs 64 hex characters, found 0'],
    [`a@sha256:${HEX64.toUpperCase()}`, 'sha256 digest must be lowercase hex'],
    [`a@sha256:${HEX64.slice(0, 63)}g`, "sha256 digest contains 'g', which is not a hex character"],
    [`a@md5:${'a'.repeat(32)}`, "unsupported digest algorithm 'md5' (expected sha256, sha384 or sha512)"],
    [
      `validname@invaliddigest:${'f'.repeat(64)}`,
      "unsupported digest algorithm 'invaliddigest' (expected sha256, sha384 or sha512)",
    ],
    [`a@sha256+b64:${HEX64}`, "unsupported digest algorithm 'sha256+b64' (expected sha256, sha384 or sha512)"],
    // A well-formed algorithm name that is also an Object.prototype key must not be "supported".
    ['a@constructor:abc', "unsupported digest algorithm 'constructor' (expected sha256, sha384 or sha512)"],
    [`a@SHA256:${HEX64}`, "digest algorithm 'SHA256' must be lowercase"],
    [`a@-sha:${HEX64}`, "digest algorithm '-sha' is invalid"],
    ['a@sha256', "digest 'sha256' must be algorithm:hex, e.g. sha256:<64 hex characters>"],
    [`a@:${HEX64}`, `digest ':${HEX64}' must be algorithm:hex, e.g. sha256:<64 hex characters>`],
    ['a@', "digest is empty after '@'"],
    [`a@${SHA256}@${SHA256}`, "image reference has more than one '@'"],
    [`@${SHA256}`, MISSING],
  ],
  'tag and digest together': [
    [`python:3.12@${SHA256}`, hub('library/python', '3.12', SHA256)],
    [`busybox:latest@${SHA256}`, hub('library/busybox', 'latest', SHA256)],
    [`ghcr.io/o/a:v1@${SHA256}`, ok('ghcr.io', 'o/a', 'v1', SHA256)],
    [`xn--7o8h.com/myimage:xn--7o8h.com@${FFF}`, ok('xn--7o8h.com', 'myimage', 'xn--7o8h.com', FFF)],
    [`test:5000/repo:tag@${FFF}`, ok('test:5000', 'repo', 'tag', FFF)],
    [`test:5000/repo@${FFF}`, ok('test:5000', 'repo', undefined, FFF)],
    // The digest is checked first, then the tag.
    [`a:.x@${SHA256}`, badTag('.x')],
    ['a:.x@sha256:abc', 'sha256 digest needs 64 hex characters, found 3'],
  ],
  'empty, white space, odd shapes': [
    ['', 'image reference is empty'],
    [' python', 'image reference contains white space'],
    ['python ', 'image reference contains white space'],
    ['py\tthon', 'image reference contains white space'],
    ['python:3\n', 'image reference contains white space'],
    [':justtag', MISSING],
    [':', "tag is empty after ':'"],
    [HEX64, IMAGE_ID],
    // Only the bare identifier is refused, as in ParseNormalizedNamed: with a tag or digest it is a name.
    [`${HEX64}:tag`, hub(`library/${HEX64}`, 'tag')],
    [`${HEX64}@${SHA256}`, hub(`library/${HEX64}`, undefined, SHA256)],
    [HEX64.slice(0, 63), hub(`library/${HEX64.slice(0, 63)}`)],
    ['dbcc1', hub('library/dbcc1')],
  ],
};

describe('parseImageReference', () => {
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      for (const [input, expected] of cases) {
        it(JSON.stringify(input.length > 80 ? `${input.slice(0, 77)}...` : input), () => {
          const result = parseImageReference(input);
          if (typeof expected === 'string') {
            assert.deepEqual(result, { ok: false, error: { kind: 'invalid', message: expected } });
          } else {
            assert.deepEqual(result, {
              ok: true,
              value: {
                domain: expected.domain,
                path: expected.path,
                name: `${expected.domain}/${expected.path}`,
                tag: expected.tag ?? null,
                digest: expected.digest ?? null,
              },
            });
          }
        });
      }
    });
  }
});

describe('containsVariable', () => {
  const cases: [string, boolean][] = [
    ['$A', true],
    ['${A}', true],
    ['${A:-x}', true],
    ['python:${PY_VERSION:-3.12}-slim', true],
    ['$1', true],
    ['$_x', true],
    ['${{ matrix.x }}', true],
    ['node:${{ matrix.node }}', true],
    ['{{ .Values.x }}', true],
    ['{{.Values.image.repository}}:{{.Values.image.tag}}', true],
    ['{% if prod %}app{% endif %}', true],
    ['$(cmd)', true],
    ['$[[ inputs.image ]]', true],
    ['registry.example.com/$[[ inputs.name ]]:1', true],
    ['<YOUR-CONTAINER>', true],
    ['<image_url>', true],
    ['gcr.io/<project-id>/app:1', true],
    ['a<b', false],
    ['registry.local/$(echo app)', true],
    ['python:3.12', false],
    ['a$', false],
    ['$', false],
    ['$-x', false],
    ['$:tag', false],
    ['a{b}', false],
    ['{single}', false],
    [`python@${SHA256}`, false],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected}`, () => assert.equal(containsVariable(text), expected));
  }
});

describe('effectiveTag', () => {
  const cases: [tag: string | null, digest: string | null, expected: string | null][] = [
    [null, null, 'latest'],
    ['3.12', null, '3.12'],
    [null, SHA256, null],
    ['3.12', SHA256, '3.12'],
    ['latest', null, 'latest'],
  ];
  for (const [tag, digest, expected] of cases) {
    it(`tag ${tag} digest ${digest ? 'set' : 'null'} → ${expected}`, () =>
      assert.equal(effectiveTag({ tag, digest }), expected));
  }
});

describe('familiarName', () => {
  const cases: [string, string][] = [
    ['docker.io/library/python', 'python'],
    ['docker.io/grafana/grafana', 'grafana/grafana'],
    ['docker.io/library/foo/bar', 'library/foo/bar'],
    ['docker.io/libraryx/foo', 'libraryx/foo'],
    ['docker.io/other/library', 'other/library'],
    ['ghcr.io/org/app', 'ghcr.io/org/app'],
    ['localhost/foo', 'localhost/foo'],
    ['docker.io.example.com/x', 'docker.io.example.com/x'],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase'],
  ];
  for (const [name, expected] of cases) {
    it(`${name} → ${expected}`, () => assert.equal(familiarName(name), expected));
  }

  // Round trip from what users write, as in normalize_test.go's TestParseRepositoryInfo.
  const roundTrips: [string, string][] = [
    ['ubuntu', 'ubuntu'],
    ['library/ubuntu', 'ubuntu'],
    ['index.docker.io/library/ubuntu-12.04-base', 'ubuntu-12.04-base'],
    ['docker.io/foo', 'foo'],
    ['index.docker.io/fooo/bar', 'fooo/bar'],
    ['docker.io/library/foo/bar', 'library/foo/bar'],
    ['Foo/bar', 'Foo/bar'],
    ['example.com:8000/privatebasee', 'example.com:8000/privatebasee'],
  ];
  for (const [input, expected] of roundTrips) {
    it(`familiar(parse(${input})) → ${expected}`, () => {
      const parsed = parseImageReference(input);
      assert.ok(parsed.ok, `expected ${input} to parse`);
      assert.equal(familiarName(parsed.value.name), expected);
    });
  }
});

describe('digestProblem / isValidDigest', () => {
  const cases: [string, string | null][] = [
    [SHA256, null],
    [`sha384:${HEX96}`, null],
    [`sha512:${HEX128}`, null],
    ['sha256:abc', 'sha256 digest needs 64 hex characters, found 3'],
    [`sha256:${HEX64.toUpperCase()}`, 'sha256 digest must be lowercase hex'],
    [`sha256:${HEX64.slice(0, 32)}Z${HEX64.slice(33)}`, "sha256 digest contains 'Z', which is not a hex character"],
    [`sha256:${HEX64}\n`, "sha256 digest contains '\n', which is not a hex character"],
    [`sha1:${'a'.repeat(40)}`, "unsupported digest algorithm 'sha1' (expected sha256, sha384 or sha512)"],
    [`toString:${HEX64}`, "digest algorithm 'toString' is invalid"],
    [`Sha512:${HEX128}`, "digest algorithm 'Sha512' must be lowercase"],
    [HEX64, `digest '${HEX64}' must be algorithm:hex, e.g. sha256:<64 hex characters>`],
    ['', "digest '' must be algorithm:hex, e.g. sha256:<64 hex characters>"],
  ];
  for (const [digest, expected] of cases) {
    it(JSON.stringify(digest.length > 40 ? `${digest.slice(0, 37)}...` : digest), () => {
      assert.equal(digestProblem(digest), expected);
      assert.equal(isValidDigest(digest), expected === null);
    });
  }
});

describe('buildReference: why a reference cannot be pinned', () => {
  const cases: [text: string, reason: string][] = [
    [
      'golang:${GO}-alpine',
      "'golang:${GO}-alpine' is built from variables; its value is only known at build or deploy time",
    ],
    ['<YOUR-CONTAINER>', "'<YOUR-CONTAINER>' is a placeholder to fill in, not an image"],
    ['gcr.io/<project-id>/app:1', "'gcr.io/<project-id>/app:1' is a placeholder to fill in, not an image"],
    [
      '<registry>/${NAME}',
      "'<registry>/${NAME}' is built from variables; its value is only known at build or deploy time",
    ],
  ];
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  for (const [text, reason] of cases) {
    it(text, () => {
      const ref = buildReference(text, range, 'yaml', 'image');
      assert.equal(ref.status, 'variable');
      assert.equal(ref.variable, reason);
    });
  }
});
