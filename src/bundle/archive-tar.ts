/**
 * Tar and tar.gz, streamed (fs → gunzip → tar-stream), never extracted. Tar has no index, so the
 * bundle lists an archive in one pass and reads it in another; members are matched by their
 * ordinal, which a name collision cannot confuse.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tarStream from 'tar-stream';
import { ReadFailure, streamReader, type RawReader } from './file-source.js';
import { checkMemberName, memberPath } from './member-name.js';
import type { RefusedEntry } from './types.js';

export interface TarHeader {
  name: string;
  type?: string | null;
  size?: number;
  mtime?: Date;
  linkname?: string | null;
}

/** Return false to stop reading the archive (everything wanted was seen). */
export type TarVisitor = (index: number, header: TarHeader, raw: RawReader) => Promise<boolean | void>;

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Phrase a failure inside the archive stream for the file that was being read when it happened. */
export function tarFailure(e: unknown): ReadFailure {
  if (e instanceof ReadFailure) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const msg = errText(e);
  if (code === 'Z_BUF_ERROR' || /unexpected end of (file|data)/i.test(msg)) {
    return new ReadFailure('archive ended early (truncated file?)', 're-download the archive');
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ReadFailure(`archive data is corrupt (${msg})`, 're-download the archive or test it with `tar -tzf`');
  }
  if (/header/i.test(msg)) return new ReadFailure(`archive is damaged (${msg})`, 're-download the archive or test it with `tar -tf`');
  return new ReadFailure(`archive read error (${typeof code === 'string' ? `${code}: ` : ''}${msg})`, 'copy the archive again and check the disk');
}

/**
 * Walk the entries in archive order. Each entry is drained after the visitor returns, so a visitor
 * may read as little as it likes. Returns the archive's own failure, if any (visitor errors are thrown).
 */
export async function walkTar(abs: string, gz: boolean, visit: TarVisitor): Promise<ReadFailure | undefined> {
  return walkTarStream(createReadStream(abs, { highWaterMark: 256 * 1024 }), gz, visit);
}

/** walkTar over any byte stream: a file, or a member of another archive (a tar.gz inside a zip). */
export async function walkTarStream(input: AsyncIterable<Buffer | Uint8Array>, gz: boolean, visit: TarVisitor): Promise<ReadFailure | undefined> {
  const rs = input instanceof Readable ? input : Readable.from(input, { objectMode: false });
  const extract = tarStream.extract();
  const gunzip = gz ? createGunzip({ chunkSize: 64 * 1024 }) : null;
  const fail = (e: Error): void => {
    extract.destroy(e);
  };
  rs.on('error', fail);
  if (gunzip) {
    gunzip.on('error', fail);
    rs.pipe(gunzip).pipe(extract);
  } else rs.pipe(extract);

  const it = extract[Symbol.asyncIterator]();
  let index = 0;
  try {
    for (;;) {
      let r: Awaited<ReturnType<typeof it.next>>;
      try {
        r = await it.next();
      } catch (e) {
        return tarFailure(e);
      }
      if (r.done) return undefined;
      const entry = r.value;
      const raw = streamReader(entry as unknown as AsyncIterable<Uint8Array>, 'drain', tarFailure);
      const more = await visit(index++, entry.header as TarHeader, raw);
      await raw.skip();
      if (more === false) return undefined;
    }
  } finally {
    rs.unpipe();
    rs.destroy();
    gunzip?.destroy();
    extract.destroy();
  }
}

export interface TarMember {
  index: number;
  relPath: string;
  bytes: number;
  gzip: boolean;
  mtime?: string;
}

export interface TarListing {
  members: TarMember[];
  refused: RefusedEntry[];
  /** The archive broke while listing; members before the damage are listed. */
  failure?: ReadFailure;
}

async function peekGzip(raw: RawReader): Promise<boolean> {
  const got: Buffer[] = [];
  let n = 0;
  while (n < 2) {
    const c = await raw.read();
    if (c === null) break;
    got.push(c);
    n += c.length;
  }
  const b = Buffer.concat(got);
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

export function refusedTarType(type: string | null | undefined, linkname: string | null | undefined): string {
  switch (type) {
    case 'symlink':
      return `symbolic link${linkname ? ` to ${linkname}` : ''} — not followed`;
    case 'link':
      return `hard link${linkname ? ` to ${linkname}` : ''} — not followed; the linked member is read under its own name`;
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return `device/fifo (${type}) — not read`;
    default:
      return `unsupported tar entry type (${type ?? 'unknown'}) — not read`;
  }
}

/** A member that passed the name and type checks; `raw` is its content (read as little as you like). */
export type TarMemberVisitor = (m: { index: number; relPath: string; bytes: number; mtime?: string; shown: string }, raw: RawReader) => Promise<boolean | void>;

/**
 * List an archive stream; `prefix` is the archive's display path (members become `prefix!/path`).
 * Hostile names, links and devices are refused here; `onMember` decides about the others and may
 * return false to stop listing.
 */
export async function listTarStream(input: AsyncIterable<Buffer | Uint8Array>, gz: boolean, prefix: string, onMember: TarMemberVisitor): Promise<{ refused: RefusedEntry[]; failure?: ReadFailure }> {
  const refused: RefusedEntry[] = [];
  const failure = await walkTarStream(input, gz, async (index, h, raw) => {
    const shown = memberPath(prefix, h.name);
    if (h.type === 'directory') return;
    const name = checkMemberName(h.name);
    if (!name.ok) {
      refused.push({ path: shown, reason: name.reason });
      return;
    }
    if (h.type !== 'file' && h.type !== 'contiguous-file') {
      refused.push({ path: shown, reason: refusedTarType(h.type, h.linkname) });
      return;
    }
    if (name.isDir) {
      refused.push({ path: shown, reason: 'file entry with a directory name — not read' });
      return;
    }
    const m: Parameters<TarMemberVisitor>[0] = { index, relPath: name.relPath, bytes: h.size ?? 0, shown };
    if (h.mtime instanceof Date && !Number.isNaN(h.mtime.getTime())) m.mtime = h.mtime.toISOString();
    return onMember(m, raw);
  });
  return failure ? { refused, failure } : { refused };
}

/** List an archive file (members only, no nesting); `prefix` is its display path. */
export async function listTar(abs: string, gz: boolean, prefix: string): Promise<TarListing> {
  const members: TarMember[] = [];
  const l = await listTarStream(createReadStream(abs, { highWaterMark: 256 * 1024 }), gz, prefix, async (m, raw) => {
    let gzip = false;
    try {
      gzip = await peekGzip(raw);
    } catch {
      // the walker reports the failure for the archive
    }
    const t: TarMember = { index: m.index, relPath: m.relPath, bytes: m.bytes, gzip };
    if (m.mtime !== undefined) t.mtime = m.mtime;
    members.push(t);
  });
  const listing: TarListing = { members, refused: l.refused };
  if (l.failure) listing.failure = l.failure;
  return listing;
}
