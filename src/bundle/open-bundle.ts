/**
 * Open an evidence bundle read-only: a directory (archives inside it are expanded one level), a
 * tar / tar.gz, a zip, or a single (possibly gzipped) file. Nothing is written or extracted; every
 * entry that is not read is listed in `refused` with the reason.
 */
import { open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import type yauzl from 'yauzl';
import { UserError } from '../errors.js';
import { listTar, walkTar } from './archive-tar.js';
import { listZip, openZip, zipMemberReader } from './archive-zip.js';
import { HEAD_BYTES, MAX_LINE_BYTES } from './decode.js';
import { createFileSource, describeReadError, fileReader, type FileSource, type InternalFileSource } from './file-source.js';
import { memberPath } from './member-name.js';
import type { BundleFile, RefusedEntry } from './types.js';
import { comparePaths, walkDir } from './walk-dir.js';

export { HEAD_BYTES, MAX_LINE_BYTES };
export type { FileSource };

export interface Bundle {
  /** Display name of the bundle (basename of the path). */
  name: string;
  /** Absolute path given. */
  root: string;
  kind: 'dir' | 'tar' | 'zip' | 'file';
  /** Sorted by path, deterministic. */
  files: BundleFile[];
  /** Links, devices, fifos, `../x`, absolute names, unreadable archives — listed, never followed or written. */
  refused: RefusedEntry[];
  /**
   * Visit the selected files in a deterministic order (archive order inside a tar; sorted path
   * otherwise). If visit returns without calling finish(), the rest of that file is skipped cheaply.
   */
  scan(select: (f: BundleFile) => boolean, visit: (f: BundleFile, src: FileSource) => Promise<void>): Promise<void>;
}

type FileKind = 'zip' | 'tar' | 'tgz' | 'gzip' | 'plain';

type Unit =
  | { type: 'file'; path: string; abs: string; file: BundleFile }
  | { type: 'tar'; path: string; abs: string; gz: boolean; byIndex: Map<number, BundleFile> }
  | { type: 'zip'; path: string; abs: string; members: { file: BundleFile; entry: yauzl.Entry }[] };

function isUstar(b: Buffer): boolean {
  return b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar';
}

/** Decide by magic bytes, never by extension alone. */
export async function sniffFileKind(abs: string): Promise<FileKind> {
  const fh = await open(abs, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const b = buf.subarray(0, bytesRead);
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
  } finally {
    await fh.close();
  }
}

function code(e: unknown): string {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : '';
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const BUNDLE_HINT = 'give a directory, a .tar.gz/.tgz/.tar, a .zip, or a single evidence file';

/** Paths must be unique; a second member with the same name (tar allows it) gets a visible suffix. */
function uniquePath(path: string, used: Set<string>): string {
  let p = path;
  for (let n = 2; used.has(p); n++) p = `${path} (duplicate ${n})`;
  used.add(p);
  return p;
}

class Builder {
  readonly files: BundleFile[] = [];
  readonly refused: RefusedEntry[] = [];
  readonly units: Unit[] = [];
  private readonly used = new Set<string>();

  private file(path: string, relPath: string, bytes: number, gzip: boolean, mtime: string | undefined): BundleFile {
    const f: BundleFile = { path: uniquePath(path, this.used), relPath, bytes, gzip };
    if (mtime !== undefined) f.mtime = mtime;
    this.files.push(f);
    return f;
  }

  addPlain(displayPath: string, relPath: string, abs: string, bytes: number, gzip: boolean, mtime?: string): void {
    const file = this.file(displayPath, relPath, bytes, gzip, mtime);
    this.units.push({ type: 'file', path: displayPath, abs, file });
  }

  /** Returns false when nothing at all could be listed (the archive is unreadable). */
  async addTar(prefix: string, abs: string, gz: boolean): Promise<boolean> {
    let listing;
    try {
      listing = await listTar(abs, gz, prefix);
    } catch (e) {
      this.refused.push({ path: prefix, reason: `archive cannot be read (${errText(e)}) — check its permissions` });
      return false;
    }
    const byIndex = new Map<number, BundleFile>();
    for (const m of listing.members) byIndex.set(m.index, this.file(memberPath(prefix, m.relPath), m.relPath, m.bytes, m.gzip, m.mtime));
    this.refused.push(...listing.refused);
    if (listing.failure) {
      const n = listing.members.length + listing.refused.length;
      this.refused.push({ path: prefix, reason: `${describeReadError(listing.failure)} (after ${n} member(s); the members listed before the damage are read)` });
    }
    this.units.push({ type: 'tar', path: prefix, abs, gz, byIndex });
    return listing.members.length + listing.refused.length > 0 || !listing.failure;
  }

  async addZip(prefix: string, abs: string): Promise<boolean> {
    let listing;
    try {
      listing = await listZip(abs, prefix);
    } catch (e) {
      this.refused.push({ path: prefix, reason: `zip archive cannot be read (${errText(e)}) — re-download it or test it with \`unzip -t\`` });
      return false;
    }
    const members = listing.members.map((m) => ({ file: this.file(memberPath(prefix, m.relPath), m.relPath, m.bytes, m.gzip, m.mtime), entry: m.entry }));
    members.sort((a, b) => comparePaths(a.file.path, b.file.path));
    this.refused.push(...listing.refused);
    if (listing.failure) this.refused.push({ path: prefix, reason: describeReadError(listing.failure) });
    this.units.push({ type: 'zip', path: prefix, abs, members });
    return true;
  }

  /** A file found in a directory bundle: archives are expanded one level, anything else is a file. */
  async addDirFile(relPath: string, abs: string, bytes: number, mtime: string): Promise<void> {
    let kind: FileKind = 'plain';
    try {
      kind = await sniffFileKind(abs);
    } catch {
      // unreadable: listed as a file, reading it reports why
    }
    if (kind === 'zip') await this.addZip(relPath, abs);
    else if (kind === 'tar' || kind === 'tgz') await this.addTar(relPath, abs, kind === 'tgz');
    else this.addPlain(relPath, relPath, abs, bytes, kind === 'gzip', mtime);
  }
}

async function visitOne(f: BundleFile, src: InternalFileSource, visit: (f: BundleFile, src: FileSource) => Promise<void>): Promise<void> {
  try {
    await visit(f, src);
  } finally {
    if (src.finishing) await src.finish();
    else await src.skip();
  }
}

function makeBundle(name: string, root: string, kind: Bundle['kind'], b: Builder): Bundle {
  const files = [...b.files].sort((x, y) => comparePaths(x.path, y.path));
  const refused = [...b.refused].sort((x, y) => comparePaths(x.path, y.path));
  const units = [...b.units].sort((x, y) => comparePaths(x.path, y.path));
  return {
    name,
    root,
    kind,
    files,
    refused,
    async scan(select, visit) {
      for (const u of units) {
        if (u.type === 'file') {
          if (select(u.file)) await visitOne(u.file, createFileSource(u.file, fileReader(u.abs)), visit);
        } else if (u.type === 'tar') {
          const wanted = new Map([...u.byIndex].filter(([, f]) => select(f)));
          if (wanted.size === 0) continue;
          let left = wanted.size;
          // The damage itself was reported when listing; here it reaches the member being read.
          await walkTar(u.abs, u.gz, async (index, _h, raw) => {
            const f = wanted.get(index);
            if (!f) return true;
            await visitOne(f, createFileSource(f, raw), visit);
            return --left > 0;
          });
        } else {
          const chosen = u.members.filter((m) => select(m.file));
          if (chosen.length === 0) continue;
          const zip = await openZip(u.abs);
          try {
            for (const m of chosen) await visitOne(m.file, createFileSource(m.file, zipMemberReader(zip, m.entry)), visit);
          } finally {
            zip.close();
          }
        }
      }
    },
  };
}

export async function openBundle(path: string): Promise<Bundle> {
  const root = resolve(path);
  const name = basename(root);
  let st;
  try {
    st = await stat(root);
  } catch (e) {
    const c = code(e);
    if (c === 'ENOENT' || c === 'ENOTDIR') throw new UserError('BUNDLE_NOT_FOUND', `bundle not found: ${path}`, root, `check the path; ${BUNDLE_HINT}`);
    throw new UserError('BUNDLE_UNREADABLE', `bundle cannot be read (${c || errText(e)})`, root, 'check the permissions of the path and its parent directories');
  }
  const b = new Builder();
  if (st.isDirectory()) {
    const listing = await walkDir(root);
    b.refused.push(...listing.refused);
    if (listing.refused.some((r) => r.path === '.')) {
      throw new UserError('BUNDLE_UNREADABLE', 'bundle directory cannot be read', root, 'check its permissions (it must be readable and searchable)');
    }
    for (const f of listing.files) await b.addDirFile(f.relPath, f.abs, f.bytes, f.mtime);
    return makeBundle(name, root, 'dir', b);
  }
  if (!st.isFile()) {
    throw new UserError('BUNDLE_UNREADABLE', 'bundle is not a regular file or directory (device, fifo or socket)', root, BUNDLE_HINT);
  }
  let kind: FileKind;
  try {
    kind = await sniffFileKind(root);
  } catch (e) {
    throw new UserError('BUNDLE_UNREADABLE', `bundle cannot be read (${code(e) || errText(e)})`, root, 'check the file permissions');
  }
  if (kind === 'zip') {
    if (!(await b.addZip(name, root))) {
      throw new UserError('BUNDLE_UNREADABLE', 'zip archive cannot be read', root, b.refused[b.refused.length - 1]?.reason ?? BUNDLE_HINT);
    }
    return makeBundle(name, root, 'zip', b);
  }
  if (kind === 'tar' || kind === 'tgz') {
    if (!(await b.addTar(name, root, kind === 'tgz'))) {
      throw new UserError('BUNDLE_UNREADABLE', 'tar archive cannot be read', root, b.refused[b.refused.length - 1]?.reason ?? BUNDLE_HINT);
    }
    return makeBundle(name, root, 'tar', b);
  }
  b.addPlain(name, name, root, st.size, kind === 'gzip', st.mtime.toISOString());
  return makeBundle(name, root, 'file', b);
}
