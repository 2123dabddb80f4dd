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

export async function openZip(abs: string): Promise<yauzl.ZipFile> {
  return yauzl.openPromise(abs, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
}

/** Reads a member lazily: the local header is only read when the first bytes are wanted. */
export function zipMemberReader(zip: yauzl.ZipFile, entry: yauzl.Entry): RawReader {
  let inner: RawReader | null = null;
  let failed = false;
  return {
    async read() {
      if (failed) return null;
      if (!inner) {
        try {
          const s = await zip.openReadStreamPromise(entry);
          inner = streamReader(s, () => s.destroy(), zipFailure);
        } catch (e) {
          failed = true;
          throw zipFailure(e);
        }
      }
      return inner.read();
    },
    async skip() {
      await inner?.skip();
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

/** List a zip; `prefix` is its display path. Throws when the archive cannot be opened at all. */
export async function listZip(abs: string, prefix: string): Promise<ZipListing> {
  const zip = await openZip(abs);
  const members: ZipMember[] = [];
  const refused: RefusedEntry[] = [];
  let failure: ReadFailure | undefined;
  try {
    for await (const entry of zip.eachEntry()) {
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
      const m: ZipMember = { relPath: checked.relPath, bytes: entry.uncompressedSize, gzip: await peekGzip(zip, entry), entry };
      try {
        m.mtime = entry.getLastModDate({ timezone: 'UTC' }).toISOString();
      } catch {
        // an impossible DOS date: leave mtime out
      }
      members.push(m);
    }
  } catch (e) {
    failure = new ReadFailure(`zip central directory is damaged (${errText(e)})`, 're-download the archive or test it with `unzip -t`');
  } finally {
    zip.close();
  }
  const listing: ZipListing = { members, refused };
  if (failure) listing.failure = failure;
  return listing;
}
