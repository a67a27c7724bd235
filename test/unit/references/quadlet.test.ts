// Podman Quadlet units: `Image=` of [Container] / [Image] / [Volume], read as Podman reads a unit file (trimmed lines,
// `#` / `;` comment lines, `\` continuations, one pair of double quotes, the last Image= wins), with exact ranges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findReferences } from '../../../server/src/references/index';
import { stripBom } from '../../../server/src/references/positions';
import { assertReferences, rows, type Expected } from './kinds/expect';

const image = rows('quadlet', 'image');
const DIGEST = `sha256:${'a'.repeat(64)}`;

interface QuadletCase {
  name: string;
  /** The file's path (its unit type says which section is read). */
  path?: string;
  text: string;
  expect: Expected[];
}

const container = (...lines: string[]): string =>
  ['[Unit]', 'Description=web', '', '[Container]', ...lines, ''].join('\n');

const cases: QuadletCase[] = [
  {
    name: 'Image= of [Container]',
    text: container('Image=docker.io/library/nginx:1.27', 'PublishPort=8080:80'),
    expect: [image.unpinned('docker.io/library/nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'blanks around = and after the value are not part of it',
    text: container('Image =   quay.io/podman/hello:latest   '),
    expect: [image.unpinned('quay.io/podman/hello:latest', 'quay.io/podman/hello', 'latest')],
  },
  {
    name: 'tabs, and an indented key',
    text: container('\tImage\t=\tghcr.io/acme/api:2.1\t'),
    expect: [image.unpinned('ghcr.io/acme/api:2.1', 'ghcr.io/acme/api', '2.1')],
  },
  {
    name: 'double quotes around the value: the range is inside them',
    text: container('Image="registry.fedoraproject.org/fedora:40"'),
    expect: [image.unpinned('registry.fedoraproject.org/fedora:40', 'registry.fedoraproject.org/fedora', '40')],
  },
  {
    name: 'double quotes with blanks inside: Podman keeps them, so the reference is invalid',
    text: container('Image=" nginx:1 "'),
    expect: [image.invalid(' nginx:1 ')],
  },
  {
    name: 'single quotes are kept by Quadlet: invalid, and says so',
    text: container("Image='docker.io/library/redis:7'"),
    expect: [
      image.invalid('docker.io/library/redis:7', {
        error:
          "'docker.io/library/redis:7' is in single quotes, which Quadlet keeps as part of the value; write it without quotes or in double quotes",
      }),
    ],
  },
  {
    name: 'pinned: tag and digest',
    text: container(`Image=docker.io/library/redis:7@${DIGEST}`),
    expect: [image.pinned(`docker.io/library/redis:7@${DIGEST}`, 'docker.io/library/redis', '7', DIGEST)],
  },
  {
    name: 'digest only',
    text: container(`Image=quay.io/fedora/fedora@${DIGEST}`),
    expect: [image.pinned(`quay.io/fedora/fedora@${DIGEST}`, 'quay.io/fedora/fedora', null, DIGEST)],
  },
  {
    name: 'no tag: an implicit latest (short name, as Podman resolves it through its registries)',
    text: container('Image=nginx'),
    expect: [image.unpinned('nginx', 'docker.io/library/nginx', null)],
  },
  {
    name: 'a registry with a port is not a transport',
    text: container('Image=localhost:5000/app:dev'),
    expect: [image.unpinned('localhost:5000/app:dev', 'localhost:5000/app', 'dev')],
  },
  {
    name: 'docker:// is a transport: the range excludes it',
    text: container('Image=docker://quay.io/centos/centos:stream9'),
    expect: [image.unpinned('quay.io/centos/centos:stream9', 'quay.io/centos/centos', 'stream9')],
  },
  {
    name: 'other transports name archives, directories and local storage: not references',
    text: container('Image=oci-archive:/var/lib/images/app.tar'),
    expect: [],
  },
  {
    name: 'containers-storage: is local storage',
    text: container('Image=containers-storage:localhost/app:dev'),
    expect: [],
  },
  {
    name: 'a value ending in .image names an Image unit, not a registry reference',
    text: container('Image=fedora.image'),
    expect: [],
  },
  {
    name: 'a value ending in .build names a Build unit',
    text: container('Image=app.build'),
    expect: [],
  },
  {
    name: '# and ; comment lines, indented too, are not entries',
    text: container('# Image=nginx:1', '  ; Image=redis:7', 'Image=alpine:3.20'),
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20', { after: 'redis:7' })],
  },
  {
    name: 'no trailing comments in a unit file: the whole value is the reference, and the message says why',
    text: container('Image=nginx:1.27 # the web tier'),
    expect: [
      image.invalid('nginx:1.27 # the web tier', {
        error:
          "'nginx:1.27 # the web tier' is the whole value: a unit file has no trailing comments, so everything after Image= is the image reference",
      }),
    ],
  },
  {
    name: '# digest-pin: ignore on the line above',
    text: container('# digest-pin: ignore', 'Image=docker.io/library/nginx:1.27'),
    expect: [image.unpinned('docker.io/library/nginx:1.27', 'docker.io/library/nginx', '1.27', { ignored: true })],
  },
  {
    name: '# digest-pin: ignore on the line itself is part of the value, but still silences it',
    text: container('Image=nginx:1 # digest-pin: ignore'),
    expect: [image.invalid('nginx:1 # digest-pin: ignore', { ignored: true })],
  },
  {
    name: 'a ; comment does not ignore',
    text: container('; digest-pin: ignore', 'Image=nginx:1'),
    expect: [image.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: 'CRLF line endings',
    text: '[Container]\r\nImage=ghcr.io/acme/web:3\r\nExec=serve\r\n',
    expect: [image.unpinned('ghcr.io/acme/web:3', 'ghcr.io/acme/web', '3')],
  },
  {
    name: 'lone CR line endings',
    text: '[Unit]\rDescription=x\r[Container]\rImage=ghcr.io/acme/web:3\r',
    expect: [image.unpinned('ghcr.io/acme/web:3', 'ghcr.io/acme/web', '3')],
  },
  {
    name: 'a BOM before the first section',
    text: '\uFEFF[Container]\nImage=alpine:3.20\n',
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
  {
    name: 'a BOM and CRLF, the image on the first line after the header',
    text: '\uFEFF[Container]\r\nImage = "alpine:3.20"\r\n',
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
  {
    name: 'a continuation: the value alone on the next line has an exact range there',
    text: container('Image=\\', '    docker.io/library/alpine:3.20'),
    expect: [image.unpinned('docker.io/library/alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
  {
    name: 'a comment line inside a continuation is skipped',
    text: container('Image=\\', '# the base', '  alpine:3.20', 'Exec=sh'),
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20', { after: 'base' })],
  },
  {
    name: 'a value split over lines: reported where written, invalid (a pin cannot be written into it)',
    text: container('Image=docker.io/library/\\', 'alpine:3.20'),
    expect: [
      image.invalid('docker.io/library/\\\nalpine:3.20', {
        error: 'the image reference is written over more than one line',
      }),
    ],
  },
  {
    name: 'a continuation backslash on the last line is dropped',
    text: '[Container]\nImage=alpine:3.20\\',
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
  {
    name: 'the last Image= wins (sections of one name merge)',
    text: container('Image=nginx:1.26', '', '[Service]', 'Restart=always', '', '[Container]', 'Image=nginx:1.27'),
    expect: [image.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'a last empty Image= leaves nothing',
    text: container('Image=nginx:1.26', 'Image='),
    expect: [],
  },
  {
    name: 'Image= of other sections is not read: [Service], [Unit], [Install]',
    text: '[Unit]\nImage=a:1\n[Service]\nImage=b:1\n[Install]\nImage=c:1\n',
    expect: [],
  },
  {
    name: 'keys and section names are case-sensitive',
    text: '[container]\nImage=a:1\n[Container]\nimage=b:1\nIMAGE=c:1\n',
    expect: [],
  },
  {
    name: 'an entry before any section is not read',
    text: 'Image=nginx:1\n[Container]\nExec=sh\n',
    expect: [],
  },
  {
    name: 'a systemd specifier is filled in when the unit runs: variable',
    path: 'web@.container',
    text: container('Image=quay.io/acme/%i:latest'),
    expect: [
      image.variable('quay.io/acme/%i:latest', {
        variable: "'quay.io/acme/%i:latest' uses the systemd specifier %i; its value is only known when the unit runs",
      }),
    ],
  },
  {
    name: 'environment variables: variable',
    text: container('Image=${REGISTRY}/app:${TAG}'),
    expect: [image.variable('${REGISTRY}/app:${TAG}')],
  },
  {
    name: 'upper case in the repository: invalid',
    text: container('Image=docker.io/Library/Nginx:1'),
    expect: [image.invalid('docker.io/Library/Nginx:1')],
  },
  {
    name: '[Image] Image= of an .image unit; its ImageTag= is the name it is known by, not a reference',
    path: 'fedora.image',
    text: '[Image]\nImage=quay.io/fedora/fedora:40\nImageTag=localhost/fedora:mine\nArch=aarch64\n',
    expect: [image.unpinned('quay.io/fedora/fedora:40', 'quay.io/fedora/fedora', '40')],
  },
  {
    name: '[Image] Image= with the docker:// transport',
    path: 'fedora.image',
    text: '[Image]\nImage=docker://quay.io/fedora/fedora:40\n',
    expect: [image.unpinned('quay.io/fedora/fedora:40', 'quay.io/fedora/fedora', '40')],
  },
  {
    name: '[Volume] Image= with Driver=image',
    path: 'data.volume',
    text: '[Volume]\nDriver=image\nImage=quay.io/centos/centos:latest\n',
    expect: [image.unpinned('quay.io/centos/centos:latest', 'quay.io/centos/centos', 'latest')],
  },
  {
    name: '[Volume] Image= with no Driver (a drop-in may set it)',
    path: 'data.volume',
    text: '[Volume]\nImage=alpine:3.20\n',
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
  {
    name: '[Volume] Image= with another driver is ignored by Quadlet',
    path: 'data.volume',
    text: '[Volume]\nDriver=local\nImage=alpine:3.20\n',
    expect: [],
  },
  {
    name: '[Volume] Image= naming an .image unit',
    path: 'data.volume',
    text: '[Volume]\nDriver=image\nImage=base.image\n',
    expect: [],
  },
  {
    name: 'a unit reads only its own section: [Container] in a .volume file is not the volume',
    path: 'data.volume',
    text: '[Container]\nImage=nginx:1\n',
    expect: [],
  },
  {
    name: 'a drop-in reads its unit type’s section',
    path: 'web.container.d/10-image.conf',
    text: '[Container]\nImage=ghcr.io/acme/web:4\n',
    expect: [image.unpinned('ghcr.io/acme/web:4', 'ghcr.io/acme/web', '4')],
  },
  {
    name: 'a file known by content (no unit suffix) reads all three sections',
    path: 'units/web.unit',
    text: '[Container]\nImage=nginx:1\n[Image]\nImage=alpine:3\n',
    expect: [
      image.unpinned('nginx:1', 'docker.io/library/nginx', '1'),
      image.unpinned('alpine:3', 'docker.io/library/alpine', '3'),
    ],
  },
  {
    name: 'a line that is not an entry is skipped, the rest still read',
    text: container('this line has no equals sign', 'Image=nginx:1'),
    expect: [image.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: 'non-ASCII before the value on the line above does not shift the range',
    text: container('Label=emoji=🐳', 'Image=nginx:1'),
    expect: [image.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
];

describe('references/quadlet', () => {
  for (const c of cases) {
    it(c.name, () => {
      const path = c.path ?? 'web.container';
      const result = findReferences(path, c.text);
      assert.equal(result.kind, 'quadlet');
      assert.deepEqual(result.notes, []);
      assertReferences(stripBom(c.text).text, result.references, c.expect);
    });
  }

  it('a binary file that only shares the suffix: nothing, and no note', () => {
    assert.deepEqual(findReferences('disk.image', 'QFI\u00fb\u0000\u0000\u0000\u0003'), {
      kind: 'quadlet',
      references: [],
      notes: [],
    });
  });

  it('a .build unit is not read by name; forced, it has no Image= to read', () => {
    const text = '[Build]\nImageTag=localhost/app:dev\nFile=Containerfile\n';
    assert.equal(findReferences('app.build', text).kind, null);
    assert.deepEqual(findReferences('app.build', text, { kind: 'quadlet' }).references, []);
  });
});
