/**
 * Open an evidence bundle read-only: a directory (archives inside it are opened), a tar / tar.gz,
 * a zip, or a single (possibly gzipped) file. Archives inside archives are opened too, down to
 * MAX_ARCHIVE_DEPTH levels, with the same name checks at every level. Nothing is written or
 * extracted; every entry that is not read is listed in `refused` with the reason.
 */
import { open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type yauzl from 'yauzl';
import { UserError } from '../errors.js';
import { isArchive, KIND_PEEK_BYTES, kindOfBytes, peekKind, prepend, readAllLimited, type FileKind } from './archive-kind.js';
import { listTarStream, walkTarStream } from './archive-tar.js';
import { listZipEntries, openZip, openZipBuffer, zipMemberReader } from './archive-zip.js';
import { HEAD_BYTES, MAX_LINE_BYTES } from './decode.js';
import { createFileSource, describeReadError, fileReader, type FileSource, type InternalFileSource, type RawReader } from './file-source.js';
import { memberPath } from './member-name.js';
import type { BundleFile, RefusedEntry } from './types.js';
import { comparePaths, walkDir } from './walk-dir.js';
import { createReadStream } from 'node:fs';

export { HEAD_BYTES, MAX_LINE_BYTES };
export type { FileSource };

/** An archive in a folder or the bundle itself is level 1; archives inside it are opened down to this level. */
export const MAX_ARCHIVE_DEPTH = 4;
/** A zip inside an archive needs random access, so it is held in memory; a larger one is refused. */
export const MAX_NESTED_ZIP_BYTES = 128 * 1024 * 1024;
/** Members listed over all archives of a bundle; beyond, the rest is refused (an archive bomb). */
export const MAX_ARCHIVE_MEMBERS = 250_000;

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
  /** Where a file lies on disk when it can be read at any offset (a plain, uncompressed file, not an archive member); else null. */
  diskPath(path: string): string | null;
}

/** A member of an archive: a file, or an archive inside it. */
type Item = { type: 'file'; file: BundleFile } | Nested;

interface Nested {
  type: 'nested';
  path: string;
  kind: 'zip' | 'tar' | 'tgz';
  /** tar members by ordinal (tar has no index) */
  tar?: Map<number, Item>;
  zip?: ZipItem[];
}

interface ZipItem {
  entry: yauzl.Entry;
  dataEnd: number;
  item: Item;
}

type Unit =
  | { type: 'file'; path: string; abs: string; file: BundleFile }
  | { type: 'tar'; path: string; abs: string; gz: boolean; byIndex: Map<number, Item> }
  | { type: 'zip'; path: string; abs: string; members: ZipItem[] };

const itemPath = (i: Item): string => (i.type === 'file' ? i.file.path : i.path);

/** Decide by magic bytes, never by extension alone. */
export async function sniffFileKind(abs: string): Promise<FileKind> {
  const fh = await open(abs, 'r');
  try {
    const buf = Buffer.alloc(KIND_PEEK_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return kindOfBytes(buf.subarray(0, bytesRead));
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

const ZIP_DAMAGED_HINT = 're-download the archive or test it with `unzip -t`';

class Builder {
  readonly files: BundleFile[] = [];
  readonly refused: RefusedEntry[] = [];
  readonly units: Unit[] = [];
  private readonly used = new Set<string>();
  private members = 0;
  private tooMany = false;

  private file(path: string, relPath: string, bytes: number, gzip: boolean, mtime: string | undefined): BundleFile {
    const f: BundleFile = { path: uniquePath(path, this.used), relPath, bytes, gzip };
    if (mtime !== undefined) f.mtime = mtime;
    this.files.push(f);
    return f;
  }

  /** Counts a member against the bomb limit; false (once refused) when the bundle has too many. */
  private count(archive: string): boolean {
    if (++this.members <= MAX_ARCHIVE_MEMBERS) return true;
    this.refuseTooMany(archive);
    return false;
  }

  private refuseTooMany(archive: string): void {
    if (this.tooMany) return;
    this.tooMany = true;
    this.refused.push({
      path: archive,
      reason: `more than ${MAX_ARCHIVE_MEMBERS} archive members in the bundle (an archive bomb?) — the rest is not listed or read; extract the evidence you need and bundle it alone`,
    });
  }

  addPlain(displayPath: string, relPath: string, abs: string, bytes: number, gzip: boolean, mtime?: string): void {
    const file = this.file(displayPath, relPath, bytes, gzip, mtime);
    this.units.push({ type: 'file', path: displayPath, abs, file });
  }

  /**
   * A member that passed the name checks: a file, or — by its first bytes — an archive that is
   * opened in turn (depth + 1), or refused when it is nested too deep or too large to hold.
   */
  private async member(shown: string, relPath: string, bytes: number, mtime: string | undefined, raw: RawReader, depth: number): Promise<Item | null> {
    const { kind, chunks } = await peekKind(raw);
    if (!isArchive(kind)) {
      return { type: 'file', file: this.file(shown, relPath, bytes, kind === 'gzip', mtime) };
    }
    if (depth + 1 > MAX_ARCHIVE_DEPTH) {
      this.refused.push({ path: shown, reason: `archive nested deeper than ${MAX_ARCHIVE_DEPTH} levels — not opened; extract it and add its contents to the bundle if they are evidence` });
      return null;
    }
    if (kind === 'zip') {
      const buf = await readAllLimited(chunks, raw, MAX_NESTED_ZIP_BYTES).catch(() => null);
      if (!buf) {
        this.refused.push({ path: shown, reason: `zip inside an archive, over ${MAX_NESTED_ZIP_BYTES >> 20} MiB or unreadable — not opened; extract it and add it to the bundle` });
        return null;
      }
      let zip: yauzl.ZipFile;
      try {
        zip = await openZipBuffer(buf);
      } catch (e) {
        this.refused.push({ path: shown, reason: `zip archive cannot be read (${errText(e)}) — ${ZIP_DAMAGED_HINT}` });
        return null;
      }
      try {
        return { type: 'nested', path: shown, kind, zip: await this.listZip(zip, shown, depth + 1) };
      } finally {
        zip.close();
      }
    }
    const byIndex = await this.listTar(prepend(chunks, raw), kind === 'tgz', shown, depth + 1);
    return byIndex ? { type: 'nested', path: shown, kind, tar: byIndex } : null;
  }

  private async listTar(input: AsyncIterable<Buffer>, gz: boolean, prefix: string, depth: number): Promise<Map<number, Item> | null> {
    const byIndex = new Map<number, Item>();
    let listing;
    try {
      listing = await listTarStream(input, gz, prefix, async (m, raw) => {
        if (!this.count(prefix)) return false;
        const item = await this.member(memberPath(prefix, m.relPath), m.relPath, m.bytes, m.mtime, raw, depth);
        if (item) byIndex.set(m.index, item);
      });
    } catch (e) {
      this.refused.push({ path: prefix, reason: `archive cannot be read (${errText(e)}) — check its permissions` });
      return null;
    }
    this.refused.push(...listing.refused);
    if (listing.failure) {
      const n = byIndex.size + listing.refused.length;
      this.refused.push({ path: prefix, reason: `${describeReadError(listing.failure)} (after ${n} member(s); the members listed before the damage are read)` });
    }
    return byIndex.size + listing.refused.length > 0 || !listing.failure ? byIndex : null;
  }

  private async listZip(zip: yauzl.ZipFile, prefix: string, depth: number): Promise<ZipItem[]> {
    const listing = await listZipEntries(zip, prefix, Math.max(0, MAX_ARCHIVE_MEMBERS - this.members));
    if (listing.truncated) this.refuseTooMany(prefix);
    this.members += listing.refused.length;
    const out: ZipItem[] = [];
    for (const m of listing.members) {
      this.members++;
      const raw = zipMemberReader(zip, m.entry, m.dataEnd);
      try {
        const item = await this.member(memberPath(prefix, m.relPath), m.relPath, m.bytes, m.mtime, raw, depth);
        if (item) out.push({ entry: m.entry, dataEnd: m.dataEnd, item });
      } finally {
        await raw.skip();
      }
    }
    out.sort((a, b) => comparePaths(itemPath(a.item), itemPath(b.item)));
    this.refused.push(...listing.refused);
    if (listing.failure) this.refused.push({ path: prefix, reason: describeReadError(listing.failure) });
    return out;
  }

  /** Returns false when nothing at all could be listed (the archive is unreadable). */
  async addTar(prefix: string, abs: string, gz: boolean): Promise<boolean> {
    const byIndex = await this.listTar(createReadStream(abs, { highWaterMark: 256 * 1024 }), gz, prefix, 1);
    if (!byIndex) return false;
    this.units.push({ type: 'tar', path: prefix, abs, gz, byIndex });
    return true;
  }

  async addZip(prefix: string, abs: string): Promise<boolean> {
    let zip: yauzl.ZipFile;
    try {
      zip = await openZip(abs);
    } catch (e) {
      this.refused.push({ path: prefix, reason: `zip archive cannot be read (${errText(e)}) — re-download it or test it with \`unzip -t\`` });
      return false;
    }
    try {
      this.units.push({ type: 'zip', path: prefix, abs, members: await this.listZip(zip, prefix, 1) });
    } finally {
      zip.close();
    }
    return true;
  }

  /** A file found in a directory bundle: archives are opened, anything else is a file. */
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

type Select = (f: BundleFile) => boolean;
type Visit = (f: BundleFile, src: FileSource) => Promise<void>;

function wants(item: Item, select: Select): boolean {
  if (item.type === 'file') return select(item.file);
  if (item.tar) for (const i of item.tar.values()) if (wants(i, select)) return true;
  if (item.zip) for (const z of item.zip) if (wants(z.item, select)) return true;
  return false;
}

async function scanTar(input: AsyncIterable<Buffer | Uint8Array>, gz: boolean, byIndex: Map<number, Item>, select: Select, visit: Visit): Promise<void> {
  const wanted = new Map([...byIndex].filter(([, i]) => wants(i, select)));
  if (wanted.size === 0) return;
  let left = wanted.size;
  // The damage itself was reported when listing; here it reaches the member being read.
  await walkTarStream(input, gz, async (index, _h, raw) => {
    const item = wanted.get(index);
    if (!item) return true;
    await scanItem(item, raw, select, visit);
    return --left > 0;
  });
}

async function scanZip(zip: yauzl.ZipFile, members: ZipItem[], select: Select, visit: Visit): Promise<void> {
  for (const m of members) {
    if (!wants(m.item, select)) continue;
    const raw = zipMemberReader(zip, m.entry, m.dataEnd);
    try {
      await scanItem(m.item, raw, select, visit);
    } finally {
      await raw.skip();
    }
  }
}

async function scanItem(item: Item, raw: RawReader, select: Select, visit: Visit): Promise<void> {
  if (item.type === 'file') {
    await visitOne(item.file, createFileSource(item.file, raw), visit);
    return;
  }
  if (item.tar) {
    await scanTar(prepend([], raw), item.kind === 'tgz', item.tar, select, visit);
    return;
  }
  const buf = await readAllLimited([], raw, MAX_NESTED_ZIP_BYTES).catch(() => null);
  if (!buf) return; // it was read when listing; a changed bundle is not ours to explain here
  const zip = await openZipBuffer(buf);
  try {
    await scanZip(zip, item.zip ?? [], select, visit);
  } finally {
    zip.close();
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
    diskPath(path) {
      const u = units.find((x) => x.type === 'file' && x.path === path);
      return u && u.type === 'file' && !u.file.gzip ? u.abs : null;
    },
    async scan(select, visit) {
      for (const u of units) {
        if (u.type === 'file') {
          if (select(u.file)) await visitOne(u.file, createFileSource(u.file, fileReader(u.abs)), visit);
        } else if (u.type === 'tar') {
          if ([...u.byIndex.values()].some((i) => wants(i, select))) await scanTar(createReadStream(u.abs, { highWaterMark: 256 * 1024 }), u.gz, u.byIndex, select, visit);
        } else {
          if (!u.members.some((m) => wants(m.item, select))) continue;
          const zip = await openZip(u.abs);
          try {
            await scanZip(zip, u.members, select, visit);
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
