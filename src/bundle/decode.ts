/**
 * Byte stream → decoded lines. Encoding is decided once from the head (BOM, UTF-16 pattern,
 * cp1252 vote), then chunks are split on LF as Buffers; only blocks that fail the fast checks
 * (isUtf8, no NUL) are looked at line by line. Lines the decoder cannot hand over as text become
 * DecodeIssues and still take a line number, so downstream accounting stays exact.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { DecodeIssue, Encoding, FileHead, Line } from './types.js';

export const HEAD_BYTES = 64 * 1024;
export const MAX_LINE_BYTES = 1024 * 1024;
export const EXCERPT_CHARS = 120;

// Cannot match across LF or CR (no class includes 0x0A/0x0D), so it is safe on whole blocks.
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const LF = 0x0a;
/**
 * Chunks are cut into blocks of this size before decoding: a line found inside one block is then
 * always under the line limit, and the decoded string (2 bytes a char once non-ASCII appears) stays
 * well below V8's large-object size, whose allocations made 128 KiB blocks 5-10x slower.
 */
const SLICE_BYTES = 32 * 1024;
/** Bytes windows-1252 leaves undefined; a file containing them is not cp1252 text. */
const CP1252_UNDEFINED = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

/**
 * windows-1252 by hand: Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80 stays
 * U+0080 instead of €), so map the 0x80–0x9F row ourselves. Undefined bytes keep their C1 value.
 */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_RE = /[\x80-\x9f]/g;

export function decodeCp1252(b: Uint8Array): string {
  const s = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  C1_RE.lastIndex = 0;
  return C1_RE.test(s) ? s.replace(C1_RE, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]) : s;
}

export function stripAnsi(s: string): string {
  return s.indexOf('\x1b') === -1 ? s : s.replace(ANSI_RE, '');
}

export interface EncodingGuess {
  encoding: Encoding;
  /** Bytes of BOM to skip at the start of the content. */
  bomBytes: number;
}

/** Length of `b` without an incomplete UTF-8 sequence at its end (the head may cut one in two). */
export function utf8CompleteLength(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= Math.min(4, n); k++) {
    const c = b[n - k];
    if ((c & 0xc0) === 0x80) continue;
    if (c < 0x80) return n;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return k < need ? n - k : n;
  }
  return n;
}

function looksUtf16(b: Buffer): 'utf16le' | 'utf16be' | null {
  const pairs = Math.min(b.length, 4096) >> 1;
  if (pairs === 0) return null;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (b[i] === 0) zeroEven++;
    if (b[i + 1] === 0) zeroOdd++;
  }
  // Mostly-ASCII UTF-16 text has a zero in one half of nearly every pair and almost never in the other.
  if (b[0] !== 0 && b[1] === 0 && zeroOdd >= pairs * 0.3 && zeroEven <= pairs * 0.02) return 'utf16le';
  if (b[0] === 0 && b[1] !== 0 && zeroEven >= pairs * 0.3 && zeroOdd <= pairs * 0.02) return 'utf16be';
  return null;
}

/**
 * cp1252 only when the non-ASCII lines of the head are mostly invalid UTF-8: a UTF-8 log with one
 * damaged line must stay UTF-8 (so that line is refused), while `Größe` written by PowerShell
 * `Set-Content` is cp1252.
 */
function looksCp1252(body: Buffer): boolean {
  if (body.indexOf(0) !== -1) return false;
  for (const u of CP1252_UNDEFINED) if (body.indexOf(u) !== -1) return false;
  let invalid = 0;
  let validNonAscii = 0;
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf(LF, start);
    const end = nl === -1 ? body.length : nl;
    const line = body.subarray(start, end);
    if (!isAscii(line)) {
      if (isUtf8(line)) validNonAscii++;
      else invalid++;
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  return invalid > validNonAscii;
}

/** Decide the encoding from the first bytes of the (decompressed) content. */
export function sniffEncoding(head: Buffer, complete: boolean): EncodingGuess {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8-bom', bomBytes: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomBytes: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomBytes: 2 };
  const u16 = looksUtf16(head);
  if (u16) return { encoding: u16, bomBytes: 0 };
  const body = complete ? head : head.subarray(0, utf8CompleteLength(head));
  if (!isUtf8(body) && looksCp1252(body)) return { encoding: 'cp1252', bomBytes: 0 };
  return { encoding: 'utf8', bomBytes: 0 };
}

function isUtf16(e: Encoding): boolean {
  return e === 'utf16le' || e === 'utf16be';
}

/**
 * Binary when over 10% of the characters are ones text never has (C0 controls other than
 * tab/CR/LF/ESC, DEL, C1, U+FFFD), or when NULs make up over 30%. NULs are weighed apart so that a
 * log with one NUL-damaged line (or a short NUL run after a crash) stays text: that line is then
 * refused on its own and the rest is read.
 */
export function looksBinary(text: string): boolean {
  if (text.length === 0) return false;
  let bad = 0;
  let nul = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (c === 0) nul++;
      else if (c !== 9 && c !== 10 && c !== 13 && c !== 27) bad++;
    } else if (c === 0x7f || (c >= 0x80 && c < 0xa0) || c === 0xfffd) bad++;
  }
  return bad > text.length * 0.1 || nul > text.length * 0.3;
}

export interface AnalyzedHead {
  head: FileHead;
  bomBytes: number;
}

/** Decode the head bytes (at most HEAD_BYTES of content, BOM included) into a FileHead. */
export function analyzeHead(bytes: Buffer, complete: boolean, path: string, name: string): AnalyzedHead {
  const { encoding, bomBytes } = sniffEncoding(bytes, complete);
  const body = bytes.subarray(bomBytes);
  let raw: string;
  if (encoding === 'cp1252') raw = decodeCp1252(body);
  else {
    const label = encoding === 'utf16le' ? 'utf-16le' : encoding === 'utf16be' ? 'utf-16be' : 'utf-8';
    // stream: true drops a sequence cut in two at the end of the head instead of showing U+FFFD.
    raw = new TextDecoder(label, { ignoreBOM: true }).decode(body, { stream: !complete });
  }
  const text = stripAnsi(raw).replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const binary = looksBinary(text);
  return { head: { path, name, text, lines, encoding, binary, complete }, bomBytes };
}

export function decodeHead(bytes: Buffer, complete: boolean, path: string, name: string): FileHead {
  return analyzeHead(bytes, complete, path, name).head;
}

/** A short, printable excerpt for an issue: control characters shown as escapes. */
export function excerptOf(text: string): string {
  const cut = text.length > EXCERPT_CHARS * 2 ? text.slice(0, EXCERPT_CHARS * 2) : text;
  // eslint-disable-next-line no-control-regex
  const shown = cut.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\0' ? '\\0' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return shown.length > EXCERPT_CHARS ? shown.slice(0, EXCERPT_CHARS - 1) + '…' : shown;
}

export function formatLimit(bytes: number): string {
  const MiB = 1024 * 1024;
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

function overLongReason(len: number, max: number): string {
  return `line is ${len} bytes, over the ${formatLimit(max)} limit — split the file or check it is text`;
}

export interface LineDecoder {
  /** Line numbers used so far (delivered and refused). */
  readonly lineNo: number;
  /** Decode a chunk; complete lines go to `out`, refused ones to `issues` (both in line order). */
  push(chunk: Buffer, out: Line[], issues: DecodeIssue[]): void;
  /** End of content: a final line without LF is still a line. */
  end(out: Line[], issues: DecodeIssue[]): void;
  /** The stream broke: a partial line is refused with `why`. Returns true when there was one. */
  abort(issues: DecodeIssue[], why: string): boolean;
  /** Count the lines of a chunk without decoding them (the rest of a file nobody read to the end). */
  count(chunk: Buffer): void;
  /** End of counting: a pending partial line counts as one. */
  endCount(): void;
}

export interface LineDecoderOptions {
  /** Bytes to drop at the start (the BOM). */
  skipBytes?: number;
  /** Longer lines are refused; tests lower it to keep inputs small. */
  maxLineBytes?: number;
}

/**
 * Count mode: the line feeds in a piece of text (bytes or decoded), found with its own `indexOf`,
 * and whether a line is still open after the last one.
 */
function countFeeds(find: (from: number) => number, length: number): { feeds: number; open: boolean } {
  let feeds = 0;
  let last = -1;
  for (let pos = find(0); pos !== -1; pos = find(pos + 1)) {
    feeds++;
    last = pos;
  }
  return { feeds, open: feeds === 0 || last < length - 1 };
}

export function createLineDecoder(encoding: Encoding, opts: LineDecoderOptions = {}): LineDecoder {
  return isUtf16(encoding) ? new Utf16LineDecoder(encoding as 'utf16le' | 'utf16be', opts) : new ByteLineDecoder(encoding, opts);
}

function nulReason(): string {
  return 'line contains NUL bytes — binary data, not text; check the file is the text export you expected';
}

/** UTF-8 (with or without BOM) and cp1252: LF is a byte of its own, so split raw bytes. */
class ByteLineDecoder implements LineDecoder {
  lineNo = 0;
  private readonly utf8: boolean;
  private readonly max: number;
  private readonly slice: number;
  private skip: number;
  private carry: Buffer[] = [];
  private carryLen = 0;
  /** Count mode: a line has started and has no LF yet. */
  private open = false;
  /** Set while inside a line over the limit: its bytes are counted and dropped. */
  private over = false;
  private overLen = 0;
  private overHead: Buffer = Buffer.alloc(0);

  constructor(encoding: Encoding, opts: LineDecoderOptions) {
    this.utf8 = encoding !== 'cp1252';
    this.max = opts.maxLineBytes ?? MAX_LINE_BYTES;
    this.slice = Math.min(SLICE_BYTES, this.max);
    this.skip = opts.skipBytes ?? 0;
  }

  push(chunk: Buffer, out: Line[], issues: DecodeIssue[]): void {
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
    }
    for (let off = 0; off < chunk.length; off += this.slice) {
      this.pushSlice(off === 0 && chunk.length <= this.slice ? chunk : chunk.subarray(off, off + this.slice), out, issues);
    }
  }

  private pushSlice(c: Buffer, out: Line[], issues: DecodeIssue[]): void {
    let pos = 0;
    if (this.carryLen > 0 || this.over) {
      const nl = c.indexOf(LF);
      if (nl === -1) {
        this.addCarry(c);
        return;
      }
      this.addCarry(c.subarray(0, nl));
      this.flushCarry(out, issues);
      pos = nl + 1;
    }
    const last = c.lastIndexOf(LF);
    if (last >= pos) {
      this.block(c.subarray(pos, last), out, issues);
      pos = last + 1;
    }
    if (pos < c.length) this.addCarry(c.subarray(pos));
  }

  /** `b` holds whole lines separated by LF (the final LF excluded). */
  private block(b: Buffer, out: Line[], issues: DecodeIssue[]): void {
    if (b.indexOf(0) === -1 && (!this.utf8 || isUtf8(b))) {
      let text = this.utf8 ? b.toString('utf8') : decodeCp1252(b);
      if (text.indexOf('\x1b') !== -1) text = text.replace(ANSI_RE, '');
      const cr = text.indexOf('\r') !== -1;
      const parts = text.split('\n');
      let n = this.lineNo;
      for (let i = 0; i < parts.length; i++) {
        let t = parts[i];
        if (cr && t.charCodeAt(t.length - 1) === 13) t = t.slice(0, -1);
        out.push({ text: t, lineNo: ++n });
      }
      this.lineNo = n;
      return;
    }
    let s = 0;
    for (;;) {
      const nl = b.indexOf(LF, s);
      this.one(b.subarray(s, nl === -1 ? b.length : nl), out, issues);
      if (nl === -1) break;
      s = nl + 1;
    }
  }

  private lossy(b: Buffer): string {
    return this.utf8 ? b.toString('utf8') : decodeCp1252(b);
  }

  private one(lb: Buffer, out: Line[], issues: DecodeIssue[]): void {
    const n = ++this.lineNo;
    if (lb.indexOf(0) !== -1) {
      issues.push({ lineNo: n, reason: nulReason(), excerpt: excerptOf(this.lossy(lb.subarray(0, 512))) });
      return;
    }
    if (this.utf8 && !isUtf8(lb)) {
      issues.push({
        lineNo: n,
        reason: 'line is not valid UTF-8 — the file mixes encodings or is damaged; re-export it as UTF-8',
        excerpt: excerptOf(lb.subarray(0, 512).toString('utf8')),
      });
      return;
    }
    let t = stripAnsi(this.lossy(lb));
    if (t.charCodeAt(t.length - 1) === 13) t = t.slice(0, -1);
    out.push({ text: t, lineNo: n });
  }

  private addCarry(b: Buffer): void {
    if (this.over) {
      this.overLen += b.length;
      return;
    }
    if (b.length === 0) return;
    if (this.carryLen + b.length > this.max) {
      this.over = true;
      this.overLen = this.carryLen + b.length;
      this.overHead = Buffer.from(Buffer.concat([...this.carry, b.subarray(0, 512)]).subarray(0, 512));
      this.carry = [];
      this.carryLen = 0;
      return;
    }
    this.carry.push(b);
    this.carryLen += b.length;
  }

  private flushCarry(out: Line[], issues: DecodeIssue[]): void {
    if (this.over) {
      const n = ++this.lineNo;
      issues.push({ lineNo: n, reason: overLongReason(this.overLen, this.max), excerpt: excerptOf(this.lossy(this.overHead)) });
      this.over = false;
      this.overLen = 0;
      this.overHead = Buffer.alloc(0);
      return;
    }
    const lb = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry, this.carryLen);
    this.carry = [];
    this.carryLen = 0;
    this.one(lb, out, issues);
  }

  end(out: Line[], issues: DecodeIssue[]): void {
    if (this.carryLen > 0 || this.over) this.flushCarry(out, issues);
  }

  count(chunk: Buffer): void {
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length === 0) return;
    if (this.carryLen > 0 || this.over) {
      this.carry = [];
      this.carryLen = 0;
      this.over = false;
      this.open = true;
    }
    const { feeds, open } = countFeeds((from) => chunk.indexOf(LF, from), chunk.length);
    this.lineNo += feeds;
    this.open = open;
  }

  endCount(): void {
    if (this.open || this.carryLen > 0 || this.over) this.lineNo++;
    this.open = false;
    this.carry = [];
    this.carryLen = 0;
    this.over = false;
  }

  abort(issues: DecodeIssue[], why: string): boolean {
    if (this.carryLen === 0 && !this.over) return false;
    const n = ++this.lineNo;
    const len = this.over ? this.overLen : this.carryLen;
    const headBytes = this.over ? this.overHead : Buffer.concat(this.carry, this.carryLen).subarray(0, 512);
    issues.push({ lineNo: n, reason: `line is incomplete (${len} bytes read): ${why}`, excerpt: excerptOf(this.lossy(headBytes)) });
    this.carry = [];
    this.carryLen = 0;
    this.over = false;
    return true;
  }
}

/** UTF-16: LF is two bytes and may straddle chunks, so decode to text first and split the text. */
class Utf16LineDecoder implements LineDecoder {
  lineNo = 0;
  private readonly td: TextDecoder;
  private readonly max: number;
  private skip: number;
  private carry = '';
  private open = false;
  private over = false;
  private overLen = 0;
  private overHead = '';

  constructor(encoding: 'utf16le' | 'utf16be', opts: LineDecoderOptions) {
    this.td = new TextDecoder(encoding === 'utf16le' ? 'utf-16le' : 'utf-16be', { ignoreBOM: true });
    this.max = opts.maxLineBytes ?? MAX_LINE_BYTES;
    this.skip = opts.skipBytes ?? 0;
  }

  push(chunk: Buffer, out: Line[], issues: DecodeIssue[]): void {
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
    }
    this.text(this.td.decode(chunk, { stream: true }), out, issues);
  }

  private text(s: string, out: Line[], issues: DecodeIssue[]): void {
    let pos = 0;
    for (;;) {
      const nl = s.indexOf('\n', pos);
      if (nl === -1) {
        this.addCarry(s.slice(pos));
        return;
      }
      this.addCarry(s.slice(pos, nl));
      this.flushCarry(out, issues);
      pos = nl + 1;
    }
  }

  private addCarry(s: string): void {
    if (this.over) {
      this.overLen += s.length * 2;
      return;
    }
    if (s.length === 0) return;
    if ((this.carry.length + s.length) * 2 > this.max) {
      this.over = true;
      this.overLen = (this.carry.length + s.length) * 2;
      this.overHead = (this.carry + s.slice(0, 256)).slice(0, 256);
      this.carry = '';
      return;
    }
    this.carry += s;
  }

  private flushCarry(out: Line[], issues: DecodeIssue[]): void {
    const n = ++this.lineNo;
    if (this.over) {
      issues.push({ lineNo: n, reason: overLongReason(this.overLen, this.max), excerpt: excerptOf(this.overHead) });
      this.over = false;
      this.overLen = 0;
      this.overHead = '';
      return;
    }
    const t0 = this.carry;
    this.carry = '';
    if (t0.indexOf('\0') !== -1) {
      issues.push({ lineNo: n, reason: 'line contains NUL characters — binary data, not text; check the file is the text export you expected', excerpt: excerptOf(t0) });
      return;
    }
    let t = stripAnsi(t0);
    if (t.charCodeAt(t.length - 1) === 13) t = t.slice(0, -1);
    out.push({ text: t, lineNo: n });
  }

  end(out: Line[], issues: DecodeIssue[]): void {
    this.text(this.td.decode(), out, issues);
    if (this.carry.length > 0 || this.over) this.flushCarry(out, issues);
  }

  count(chunk: Buffer): void {
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
    }
    this.countText(this.td.decode(chunk, { stream: true }));
  }

  private countText(s: string): void {
    if (s.length === 0) return;
    if (this.carry.length > 0 || this.over) {
      this.carry = '';
      this.over = false;
      this.open = true;
    }
    const { feeds, open } = countFeeds((from) => s.indexOf('\n', from), s.length);
    this.lineNo += feeds;
    this.open = open;
  }

  endCount(): void {
    this.countText(this.td.decode());
    if (this.open || this.carry.length > 0 || this.over) this.lineNo++;
    this.open = false;
    this.carry = '';
    this.over = false;
  }

  abort(issues: DecodeIssue[], why: string): boolean {
    if (this.carry.length === 0 && !this.over) return false;
    const n = ++this.lineNo;
    const len = this.over ? this.overLen : this.carry.length * 2;
    issues.push({ lineNo: n, reason: `line is incomplete (${len} bytes read): ${why}`, excerpt: excerptOf(this.over ? this.overHead : this.carry) });
    this.carry = '';
    this.over = false;
    return true;
  }
}
