// Deterministic, genuinely extractable image layers: a one-file ustar archive, gzipped with a fixed header,
// so seeded images can also be copied or pulled by real tools (skopeo) and the same input always gives the same digest.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A POSIX ustar archive holding one regular file (mode 0644, uid/gid 0, mtime 0). */
export function tarOneFile(name: string, content: Uint8Array): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write(octal(0o644, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(content.length, 12), 124);
  header.write(octal(0, 12), 136);
  header.write('        ', 148); // checksum field counts as spaces while summing
  header.write('0', 156);
  header.write('ustar\0' + '00', 257, 'binary');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148);
  const padding = (512 - (content.length % 512)) % 512;
  return Buffer.concat([header, content, Buffer.alloc(padding), Buffer.alloc(1024)]);
}

export interface Layer {
  /** gzip bytes: what the registry stores. */
  blob: Buffer;
  digest: string;
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
}

/** A layer whose single file `/digest-pin/<name>` contains `text`. Same text, same digest. */
export function makeLayer(name: string, text: string): Layer {
  const tar = tarOneFile(`digest-pin/${name}`, Buffer.from(text, 'utf8'));
  // zlib's gzip header has mtime 0 and no file name, so the output depends on the input only.
  const blob = gzipSync(tar, { level: 9 });
  return { blob, digest: sha256(blob), diffId: sha256(tar) };
}
