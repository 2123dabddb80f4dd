/**
 * One file of a bundle as a FileSource: stored bytes (hashed as they pass) → optional gunzip →
 * head peek → line decoder. The stored-byte reader is pluggable so a directory file, a tar
 * member and a zip member all behave the same.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import { analyzeHead, createLineDecoder, HEAD_BYTES, type LineDecoder, type LineDecoderOptions } from './decode.js';
import type { DecodeIssue, Encoding, FileHead, Line, ReadResult } from './types.js';

export interface FileSource {
  /** Decoded head (see FileHead); safe to call before lines(). */
  head(): Promise<FileHead>;
  /** Decoded lines of the whole file; call at most once. */
  lines(): AsyncIterable<Line>;
  /** Lines the decoder refused itself (filled during lines(), as delivery passes them); they are not yielded. */
  issues: DecodeIssue[];
  /** Stored bytes read so far (for progress). */
  readonly bytesRead?: number;
  /**
   * Reads whatever was not read (hashing it, counting its lines without decoding them) and returns
   * the file's line count, sha256 and size of the bytes as stored, and the read error if any.
   */
  finish(): Promise<ReadResult>;
}

/** Pulls the file's bytes as stored (before any gunzip). */
export interface RawReader {
  /** The next chunk, or null at the end; rejects on a read error. Never called concurrently. */
  read(): Promise<Buffer | null>;
  /** Give up on the rest without hashing it (must leave a tar stream positioned after the member). */
  skip(): Promise<void>;
  /** After the end: what the manifest should know about how the bytes were read, if anything. */
  note?(): string | undefined;
}

/** A read failure already phrased for the analyst: `what` + ` after line N` + ` — hint`. */
export class ReadFailure extends Error {
  constructor(
    readonly what: string,
    readonly hint: string,
  ) {
    super(what);
    this.name = 'ReadFailure';
  }
}

function errCode(e: unknown): string {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : '';
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Turn any stream error into the sentence the manifest shows. */
export function describeReadError(e: unknown, afterLine?: number): string {
  const at = afterLine === undefined ? '' : afterLine === 0 ? ' before the first line' : ` after line ${afterLine}`;
  if (e instanceof ReadFailure) return `${e.what}${at} — ${e.hint}`;
  const code = errCode(e);
  const msg = errMessage(e);
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(msg)) {
    return `gzip stream ended early (truncated file?)${at} — re-download the file`;
  }
  if (code.startsWith('Z_') || code.startsWith('ERR_ZLIB')) {
    return `gzip data is corrupt (${msg})${at} — re-download the file or test it with \`gzip -t\``;
  }
  return `read error (${code ? `${code}: ` : ''}${msg})${at} — copy the file again and check the disk`;
}

interface Content {
  read(): Promise<Buffer | null>;
  /** Stop producing content. `drain`: keep reading stored bytes to the end (hashing them). */
  stop(drain: boolean): Promise<void>;
}

class PlainContent implements Content {
  constructor(private readonly readRaw: () => Promise<Buffer | null>) {}
  read(): Promise<Buffer | null> {
    return this.readRaw();
  }
  async stop(): Promise<void> {}
}

/** Gunzip fed by a pump, so stopping early can still hash the remaining stored bytes without inflating them. */
class GunzipContent implements Content {
  private readonly gz: Gunzip;
  private readonly out: AsyncIterator<Buffer>;
  private feeding = true;
  private keepReading = true;
  private readonly pump: Promise<void>;

  constructor(private readonly readRaw: () => Promise<Buffer | null>) {
    this.gz = createGunzip({ chunkSize: 64 * 1024 });
    this.gz.on('error', () => {}); // surfaced through `out`; an unread error must not crash the process
    this.out = this.gz[Symbol.asyncIterator]();
    this.pump = this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.keepReading) {
        const c = await this.readRaw();
        if (c === null) break;
        if (this.feeding && !this.gz.destroyed && !this.gz.write(c)) await drainOrClose(this.gz);
      }
      if (this.feeding && !this.gz.destroyed) this.gz.end();
    } catch (e) {
      if (!this.gz.destroyed) this.gz.destroy(e as Error);
    }
  }

  async read(): Promise<Buffer | null> {
    const r = await this.out.next();
    return r.done ? null : (r.value as Buffer);
  }

  async stop(drain: boolean): Promise<void> {
    this.feeding = false;
    this.keepReading = drain;
    if (!this.gz.destroyed) this.gz.destroy();
    await this.pump;
  }
}

function drainOrClose(s: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

export interface SourceFile {
  path: string;
  relPath: string;
  gzip: boolean;
}

export interface InternalFileSource extends FileSource {
  /** True once finish() was called. */
  readonly finishing: boolean;
  /** Close without hashing the rest (visit did not ask for a result). */
  skip(): Promise<void>;
}

export function headName(relPath: string, gzip: boolean): string {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  return gzip ? base.replace(/\.gz$/i, '') : base;
}

class StreamFileSource implements InternalFileSource {
  issues: DecodeIssue[] = [];
  finishing = false;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private rawDone = false;
  private rawError: unknown;
  private rawQueue: Promise<unknown> = Promise.resolve();
  private readonly content: Content;
  private contentDone = false;
  private contentError: unknown;
  private peeked: Buffer[] = [];
  private bomBytes = 0;
  private headP: Promise<FileHead> | undefined;
  private linesStarted = false;
  private error: string | undefined;
  private closed = false;
  private finishP: Promise<ReadResult> | undefined;
  private skipP: Promise<void> | undefined;
  // lines() state; lines() runs once, so it lives on the source
  private dec: LineDecoder | null = null;
  private readonly out: Line[] = [];
  private k = 0;
  private readonly iss: DecodeIssue[] = [];
  private j = 0;
  private peekIdx = 0;
  private ended = false;

  constructor(
    private readonly file: SourceFile,
    private readonly raw: RawReader,
    private readonly decoderOptions: SourceOptions,
  ) {
    const readRaw = (): Promise<Buffer | null> => this.readRaw();
    this.content = file.gzip ? new GunzipContent(readRaw) : new PlainContent(readRaw);
  }

  /** Serialised: finish() may drain while a lines() consumer still holds its iterator. */
  private readRaw(): Promise<Buffer | null> {
    const p = this.rawQueue.then(() => this.readRawNow());
    this.rawQueue = p.catch(() => undefined);
    return p;
  }

  get bytesRead(): number {
    return this.bytes;
  }

  private async readRawNow(): Promise<Buffer | null> {
    if (this.rawDone) return null;
    let c: Buffer | null;
    try {
      c = await this.raw.read();
    } catch (e) {
      this.rawDone = true;
      this.rawError = e;
      throw e;
    }
    if (c === null) {
      this.rawDone = true;
      return null;
    }
    this.hash.update(c);
    this.bytes += c.length;
    return c;
  }

  private async nextContent(): Promise<Buffer | null> {
    for (;;) {
      if (this.contentDone || this.closed) return null;
      try {
        const c = await this.content.read();
        if (c === null) this.contentDone = true;
        else if (c.length === 0) continue;
        return c;
      } catch (e) {
        this.contentDone = true;
        this.contentError = e;
        return null;
      }
    }
  }

  head(): Promise<FileHead> {
    return (this.headP ??= this.readHead());
  }

  private async readHead(): Promise<FileHead> {
    let len = 0;
    while (len < HEAD_BYTES) {
      const c = await this.nextContent();
      if (c === null) break;
      this.peeked.push(c);
      len += c.length;
    }
    const all = this.peeked.length === 1 ? this.peeked[0] : Buffer.concat(this.peeked, len);
    const complete = this.contentDone && this.contentError === undefined && len <= HEAD_BYTES;
    const a = analyzeHead(all.subarray(0, HEAD_BYTES), complete, this.file.path, headName(this.file.relPath, this.file.gzip));
    this.bomBytes = a.bomBytes;
    return a.head;
  }

  lines(): AsyncIterable<Line> {
    if (this.linesStarted) throw new Error(`lines() of ${this.file.path} may be called only once`);
    this.linesStarted = true;
    // A hand-written iterator, not an async generator: a line already decoded is handed over with
    // one resolved promise, which is 2-3x cheaper per line than a generator's yield.
    const it: AsyncIterableIterator<Line> = {
      next: () => this.nextLine(),
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  private nextLine(): Promise<IteratorResult<Line>> {
    if (this.k < this.out.length) {
      const l = this.out[this.k++];
      // Issues are published as delivery passes them: a consumer that stops early is not handed
      // refusals from the part it never reached (finish() counts those lines as unread instead).
      while (this.j < this.iss.length && this.iss[this.j].lineNo < l.lineNo) this.issues.push(this.iss[this.j++]);
      return Promise.resolve({ value: l, done: false });
    }
    return this.refill();
  }

  private publishRest(): void {
    while (this.j < this.iss.length) {
      const x = this.iss[this.j++];
      this.issues.push(x);
    }
    this.iss.length = 0;
    this.j = 0;
  }

  private async refill(): Promise<IteratorResult<Line>> {
    this.publishRest();
    this.out.length = 0;
    this.k = 0;
    if (!this.dec) {
      const head = await this.head();
      this.dec = this.decoder(head);
    }
    const dec = this.dec;
    while (!this.ended) {
      let c: Buffer | null;
      if (this.peekIdx < this.peeked.length) c = this.peeked[this.peekIdx++];
      else {
        if (this.peeked.length > 0) this.peeked = [];
        c = await this.nextContent();
      }
      if (c !== null) dec.push(c, this.out, this.iss);
      else {
        this.ended = true;
        if (this.contentError !== undefined && !this.closed) {
          this.error = describeReadError(this.contentError, dec.lineNo);
          dec.abort(this.iss, 'the stream broke in the middle of it — see the file error');
        } else if (!this.closed) dec.end(this.out, this.iss);
      }
      if (this.out.length > 0) return this.nextLine();
      this.publishRest();
    }
    return { value: undefined, done: true };
  }

  finish(): Promise<ReadResult> {
    return (this.finishP ??= this.doFinish());
  }

  /**
   * Lines nobody took are still counted (not decoded), so ReadResult.lines is the file's line count
   * and a parser that stops early shows up as unaccounted lines instead of vanishing.
   */
  /** A piece of a file (see src/ingest/split.ts) is decoded as the whole file was: its encoding, no BOM of its own. */
  private decoder(head: FileHead): LineDecoder {
    const { encoding, ...opts } = this.decoderOptions;
    return encoding ? createLineDecoder(encoding, opts) : createLineDecoder(head.encoding, { ...opts, skipBytes: this.bomBytes });
  }

  private async countRest(): Promise<void> {
    if (!this.dec) {
      const head = await this.head();
      this.dec = this.decoder(head);
    }
    const dec = this.dec;
    // Stop a still-held iterator: what it has not handed out is counted below, never delivered later.
    this.ended = true;
    this.out.length = 0;
    this.k = 0;
    for (;;) {
      let c: Buffer | null;
      if (this.peekIdx < this.peeked.length) c = this.peeked[this.peekIdx++];
      else {
        if (this.peeked.length > 0) this.peeked = [];
        c = await this.nextContent();
      }
      if (c === null) break;
      dec.count(c);
    }
    if (this.contentError !== undefined) this.error ??= describeReadError(this.contentError, dec.lineNo);
    dec.endCount();
  }

  private async doFinish(): Promise<ReadResult> {
    this.finishing = true;
    if (!this.ended && !this.closed) await this.countRest();
    this.closed = true;
    await this.content.stop(true);
    try {
      while ((await this.readRaw()) !== null);
    } catch {
      // rawError holds it
    }
    let error = this.error;
    if (error === undefined && this.contentError !== undefined) error = describeReadError(this.contentError);
    if (error === undefined && this.rawError !== undefined) {
      error = `${describeReadError(this.rawError)} (hash covers the first ${this.bytes} bytes only)`;
    }
    const r: ReadResult = { lines: this.dec?.lineNo ?? 0, sha256: this.hash.digest('hex'), bytes: this.bytes };
    if (error !== undefined) r.error = error;
    const note = this.raw.note?.();
    if (note !== undefined) r.note = note;
    return r;
  }

  skip(): Promise<void> {
    if (this.finishP) return this.finishP.then(() => undefined);
    return (this.skipP ??= (async () => {
      this.closed = true;
      await this.content.stop(false);
      await this.rawQueue;
      if (!this.rawDone) {
        this.rawDone = true;
        await this.raw.skip();
      }
    })());
  }
}

/** `encoding`: decode as this encoding whatever the head looks like, and drop no BOM (a piece that starts mid-file). */
export type SourceOptions = LineDecoderOptions & { encoding?: Encoding };

export function createFileSource(file: SourceFile, raw: RawReader, decoderOptions: SourceOptions = {}): InternalFileSource {
  return new StreamFileSource(file, raw, decoderOptions);
}

/** A RawReader over in-memory chunks (tests, and anything already in memory). */
export function memoryReader(chunks: Buffer[]): RawReader {
  let i = 0;
  return {
    async read() {
      return i < chunks.length ? chunks[i++] : null;
    },
    async skip() {
      i = chunks.length;
    },
  };
}

const FILE_CHUNK = 256 * 1024;

/**
 * A RawReader over a file on disk, opened read-only on the first read. One read is kept in flight
 * ahead of the consumer, so disk I/O overlaps with decoding and parsing. `range`: only the bytes
 * [start, end) (one piece of a file read on several threads).
 */
export function fileReader(abs: string, range?: { start: number; end: number }): RawReader {
  let pos = range?.start ?? 0;
  const end = range?.end ?? Infinity;
  let fh: FileHandle | null = null;
  let done = false;
  let ahead: Promise<Buffer | null> | null = null;
  const close = async (): Promise<void> => {
    const h = fh;
    fh = null;
    if (h) await h.close().catch(() => undefined);
  };
  const readOnce = async (): Promise<Buffer | null> => {
    try {
      fh ??= await open(abs, 'r');
      const want = Math.min(FILE_CHUNK, end - pos);
      const buf = Buffer.allocUnsafe(FILE_CHUNK);
      const { bytesRead } = want > 0 ? await fh.read(buf, 0, want, pos) : { bytesRead: 0 };
      pos += bytesRead;
      if (bytesRead === 0) {
        done = true;
        await close();
        return null;
      }
      // A small tail is copied so the 256 KiB buffer is not kept alive by a short carried line.
      return bytesRead < FILE_CHUNK / 4 ? Buffer.from(buf.subarray(0, bytesRead)) : buf.subarray(0, bytesRead);
    } catch (e) {
      done = true;
      await close();
      throw e;
    }
  };
  return {
    async read() {
      const p = ahead ?? (done ? null : readOnce());
      ahead = null;
      if (p === null) return null;
      const c = await p;
      if (c !== null && !done) {
        ahead = readOnce();
        ahead.catch(() => undefined); // surfaced by the next read(); skip() may never ask
      }
      return c;
    },
    async skip() {
      done = true;
      const p = ahead;
      ahead = null;
      if (p) await p.catch(() => undefined);
      await close();
    },
  };
}

/**
 * A RawReader over an async-iterable stream. `onSkip` says how to abandon it: a tar member must be
 * drained (the archive continues after it), a file or zip member can be destroyed.
 */
export function streamReader(
  stream: AsyncIterable<Buffer | Uint8Array>,
  onSkip: 'drain' | (() => void),
  wrapError: (e: unknown) => unknown = (e) => e,
): RawReader {
  const it = stream[Symbol.asyncIterator]();
  let done = false;
  const next = async (): Promise<Buffer | null> => {
    if (done) return null;
    let r: IteratorResult<Buffer | Uint8Array>;
    try {
      r = await it.next();
    } catch (e) {
      done = true;
      throw wrapError(e);
    }
    if (r.done) {
      done = true;
      return null;
    }
    const v = r.value;
    return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  };
  return {
    read: next,
    async skip() {
      if (done) return;
      if (onSkip === 'drain') {
        try {
          while ((await next()) !== null);
        } catch {
          // the archive walker sees the same error on its own
        }
      } else {
        done = true;
        onSkip();
      }
    },
  };
}
