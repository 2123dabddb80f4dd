/**
 * What a file or an archive member is, by its first bytes — never by its name: a zip, a tar, a
 * tar.gz, a gzip member, or anything else.
 */
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import type { RawReader } from './file-source.js';

export type FileKind = 'zip' | 'tar' | 'tgz' | 'gzip' | 'plain';

/** Bytes looked at to decide (a tar header is 512; a gzip prefix must inflate past it). */
export const KIND_PEEK_BYTES = 4096;

function isUstar(b: Buffer): boolean {
  return b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar';
}

export function kindOfBytes(b: Buffer): FileKind {
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6))) return 'zip';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      // Z_SYNC_FLUSH inflates a prefix without demanding the end of the stream.
      const d = gunzipSync(b, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      if (isUstar(d)) return 'tgz';
    } catch {
      // corrupt from the start: still a gzip member, reading it reports the damage
    }
    return 'gzip';
  }
  return isUstar(b) ? 'tar' : 'plain';
}

export const isArchive = (k: FileKind): k is 'zip' | 'tar' | 'tgz' => k === 'zip' || k === 'tar' || k === 'tgz';

/**
 * Read a member's first bytes to learn its kind. The chunks read are returned so the member can
 * still be read whole (`prepend`); a read error leaves it `plain` (reading it reports the damage).
 */
export async function peekKind(raw: RawReader): Promise<{ kind: FileKind; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    while (n < KIND_PEEK_BYTES) {
      const c = await raw.read();
      if (c === null) break;
      chunks.push(c);
      n += c.length;
    }
  } catch {
    return { kind: 'plain', chunks };
  }
  return { kind: kindOfBytes(Buffer.concat(chunks, n).subarray(0, KIND_PEEK_BYTES)), chunks };
}

/** The bytes already taken, then the rest of the reader, as one async iterable. */
export async function* prepend(chunks: Buffer[], raw: RawReader): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c;
  for (;;) {
    const c = await raw.read();
    if (c === null) return;
    yield c;
  }
}

/** The whole member in memory, or null when it is larger than `limit` (the rest is left unread). */
export async function readAllLimited(chunks: Buffer[], raw: RawReader, limit: number): Promise<Buffer | null> {
  const got = [...chunks];
  let n = got.reduce((a, c) => a + c.length, 0);
  if (n > limit) return null;
  for (;;) {
    const c = await raw.read();
    if (c === null) break;
    n += c.length;
    if (n > limit) return null;
    got.push(c);
  }
  return Buffer.concat(got, n);
}
