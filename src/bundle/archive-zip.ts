/**
 * Zip, by random access (yauzl, lazyEntries), never extracted. Names are decoded here rather than
 * by yauzl, because yauzl aborts the whole archive on one hostile name; we refuse that member only.
 */
import yauzl from 'yauzl';
import { ReadFailure, streamReader, type RawReader } from './file-source.js';
import { checkMemberName, memberPath } from './member-name.js';
import type { RefusedEntry } from './types.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const HOST_UNIX = 3;

export interface ZipMember {
  relPath: string;
  /** Uncompressed size: the member's bytes as a file, which is what is hashed. */
  bytes: number;
  gzip: boolean;
  mtime?: string;
  entry: yauzl.Entry;
  /** Where the member's data can end at most: the next member's local header, or the end of the archive. */
  dataEnd: number;
}

export interface ZipListing {
  members: ZipMember[];
  refused: RefusedEntry[];
  failure?: ReadFailure;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function zipFailure(e: unknown): ReadFailure {
  if (e instanceof ReadFailure) return e;
  return new ReadFailure(`zip member data is corrupt (${errText(e)})`, 're-download the archive or test it with `unzip -t`');
}

// Sizes are not validated against the headers: a member is read by its actual stream, and a
// header that lied is noted (zipMemberReader), instead of the member being lost.
const ZIP_OPTIONS = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false } as const;

export async function openZip(abs: string): Promise<yauzl.ZipFile> {
  return yauzl.openPromise(abs, ZIP_OPTIONS);
}

/** A zip held in memory (an archive inside another archive). */
export function openZipBuffer(buf: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, ZIP_OPTIONS, (err, zip) => (err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip)));
  });
}

/**
 * Reads a member lazily: the local header is only read when the first bytes are wanted. A
 * deflated member is inflated until its stream ends, up to `dataEnd` (where the next member
 * starts), not just its header's compressed size; note() says when the header's size was wrong.
 */
export function zipMemberReader(zip: yauzl.ZipFile, entry: yauzl.Entry, dataEnd?: number): RawReader & { note(): string | undefined } {
  let inner: RawReader | null = null;
  let failed = false;
  let actual = 0;
  let ended = false;
  /** The inflater, whose bytesWritten is the compressed length its stream really had. */
  let inflater: { bytesWritten?: number } | null = null;
  const open = async (): Promise<import('node:stream').Readable> => {
    if (entry.compressionMethod === 8 && !entry.isEncrypted() && dataEnd !== undefined) {
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const len = Math.max(entry.compressedSize, Math.min(dataEnd, zip.fileSize) - fileDataStart);
      // Not openReadStreamLowLevelPromise: yauzl 3.4's wrapper calls openReadStream instead.
      return new Promise((resolve, reject) => {
        zip.openReadStreamLowLevel(fileDataStart, len, 0, len, true, entry.uncompressedSize, (err, s) => {
          if (err || !s) return reject(err ?? new Error('no stream'));
          inflater = s as { bytesWritten?: number };
          resolve(s);
        });
      });
    }
    return zip.openReadStreamPromise(entry);
  };
  return {
    async read() {
      if (failed) return null;
      if (!inner) {
        try {
          const s = await open();
          inner = streamReader(s, () => s.destroy(), zipFailure);
        } catch (e) {
          failed = true;
          throw zipFailure(e);
        }
      }
      const c = await inner.read();
      if (c === null) ended = true;
      else actual += c.length;
      return c;
    },
    async skip() {
      await inner?.skip();
    },
    note() {
      if (!ended) return undefined;
      const lies: string[] = [];
      if (actual !== entry.uncompressedSize) lies.push(`the zip header says ${entry.uncompressedSize} byte(s) but the member holds ${actual}`);
      const packed = inflater?.bytesWritten;
      if (typeof packed === 'number' && packed !== entry.compressedSize) lies.push(`the zip header says ${entry.compressedSize} compressed byte(s) but the member's data is ${packed}`);
      return lies.length ? `${lies.join('; ')}: read to the end of its data, not to the header's size` : undefined;
    },
  };
}

async function peekGzip(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<boolean> {
  if (entry.uncompressedSize < 2) return false;
  const r = zipMemberReader(zip, entry);
  try {
    let b = Buffer.alloc(0);
    while (b.length < 2) {
      const c = await r.read();
      if (c === null) break;
      b = Buffer.concat([b, c]);
    }
    return b[0] === 0x1f && b[1] === 0x8b;
  } catch {
    return false; // reading the member later reports the damage with its line number
  } finally {
    await r.skip();
  }
}

/** List the members of an open zip (names checked, no content read); the caller closes it. */
export async function listZipEntries(zip: yauzl.ZipFile, prefix: string, limit = Infinity): Promise<ZipListing & { truncated: boolean }> {
  const members: ZipMember[] = [];
  const refused: RefusedEntry[] = [];
  let failure: ReadFailure | undefined;
  let truncated = false;
  const offsets: number[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      offsets.push(entry.relativeOffsetOfLocalHeader);
      if (members.length + refused.length >= limit) {
        truncated = true;
        break;
      }
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
      const shown = memberPath(prefix, name);
      const mode = entry.versionMadeBy >> 8 === HOST_UNIX ? (entry.externalFileAttributes >>> 16) & S_IFMT : 0;
      if (mode === S_IFDIR || name.endsWith('/')) continue;
      const checked = checkMemberName(name);
      if (!checked.ok) {
        refused.push({ path: shown, reason: checked.reason });
        continue;
      }
      if (checked.isDir) continue;
      if (mode === S_IFLNK) {
        refused.push({ path: shown, reason: 'symbolic link — not followed' });
        continue;
      }
      if (mode !== 0 && mode !== S_IFREG) {
        refused.push({ path: shown, reason: 'device/fifo — not read' });
        continue;
      }
      if (entry.isEncrypted()) {
        refused.push({ path: shown, reason: 'encrypted member — cannot be read without the password; extract it yourself and add the plain file' });
        continue;
      }
      if (!entry.canDecodeFileData()) {
        refused.push({ path: shown, reason: `compression method ${entry.compressionMethod} is not supported — re-pack the archive with deflate` });
        continue;
      }
      const m: ZipMember = { relPath: checked.relPath, bytes: entry.uncompressedSize, gzip: false, entry, dataEnd: zip.fileSize };
      try {
        m.mtime = entry.getLastModDate({ timezone: 'UTC' }).toISOString();
      } catch {
        // an impossible DOS date: leave mtime out
      }
      members.push(m);
    }
  } catch (e) {
    failure = new ReadFailure(`zip central directory is damaged (${errText(e)})`, 're-download the archive or test it with `unzip -t`');
  }
  // A member's data ends where the next member's local header starts (when the headers are in file order).
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  for (const m of members) {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] > m.entry.relativeOffsetOfLocalHeader) hi = mid;
      else lo = mid + 1;
    }
    if (lo < sorted.length) m.dataEnd = sorted[lo];
  }
  const listing: ZipListing & { truncated: boolean } = { members, refused, truncated };
  if (failure) listing.failure = failure;
  return listing;
}

/** List a zip file; `prefix` is its display path. Throws when the archive cannot be opened at all. */
export async function listZip(abs: string, prefix: string): Promise<ZipListing> {
  const zip = await openZip(abs);
  try {
    const l = await listZipEntries(zip, prefix);
    for (const m of l.members) m.gzip = await peekGzip(zip, m.entry);
    const listing: ZipListing = { members: l.members, refused: l.refused };
    if (l.failure) listing.failure = l.failure;
    return listing;
  } finally {
    zip.close();
  }
}
