import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLineDecoder, decodeHead, excerptOf, HEAD_BYTES, MAX_LINE_BYTES, sniffEncoding, stripAnsi, utf8CompleteLength } from './decode.js';
import { createFileSource, memoryReader } from './file-source.js';
import type { DecodeIssue, Encoding, Line } from './types.js';

function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

async function readAll(bytes: Buffer, opts: { chunk?: number; gzip?: boolean; name?: string; maxLineBytes?: number } = {}) {
  const stored = opts.gzip ? gzipSync(bytes) : bytes;
  const name = opts.name ?? (opts.gzip ? 'f.log.gz' : 'f.log');
  const src = createFileSource(
    { path: name, relPath: name, gzip: opts.gzip ?? false },
    memoryReader(chunked(stored, opts.chunk ?? 64 * 1024)),
    opts.maxLineBytes ? { maxLineBytes: opts.maxLineBytes } : {},
  );
  const head = await src.head();
  const lines: Line[] = [];
  for await (const l of src.lines()) lines.push(l);
  const result = await src.finish();
  return { head, lines, issues: src.issues, result, stored };
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function utf16be(s: string): Buffer {
  return Buffer.from(s, 'utf16le').swap16();
}

const TEXT_LINES = ['alpha', 'beta Größe ✅ — done', '', '  gamma: 1'];
const LF_TEXT = TEXT_LINES.join('\n') + '\n';
const CRLF_TEXT = TEXT_LINES.join('\r\n') + '\r\n';

describe('encodings give identical lines', () => {
  const variants: [string, Buffer, Encoding][] = [
    ['UTF-8 LF', Buffer.from(LF_TEXT, 'utf8'), 'utf8'],
    ['UTF-8 CRLF', Buffer.from(CRLF_TEXT, 'utf8'), 'utf8'],
    ['UTF-8 BOM CRLF', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CRLF_TEXT, 'utf8')]), 'utf8-bom'],
    ['UTF-16LE BOM CRLF', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CRLF_TEXT, 'utf16le')]), 'utf16le'],
    ['UTF-16BE BOM LF', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(LF_TEXT)]), 'utf16be'],
    ['UTF-16LE without BOM', Buffer.from(CRLF_TEXT, 'utf16le'), 'utf16le'],
    ['UTF-16BE without BOM', utf16be(CRLF_TEXT), 'utf16be'],
    ['UTF-8 no final newline', Buffer.from(TEXT_LINES.join('\n'), 'utf8'), 'utf8'],
  ];
  const cases = variants.flatMap(([label, bytes, enc]) => [1, 3, 7, 65536].map((chunk) => [label, chunk, bytes, enc] as const));
  it.each(cases)('%s in %i-byte chunks', async (_label, chunk, bytes, enc) => {
    const r = await readAll(bytes, { chunk });
    expect(r.head.encoding).toBe(enc);
    expect(r.lines.map((l) => l.text)).toEqual(TEXT_LINES);
    expect(r.lines.map((l) => l.lineNo)).toEqual([1, 2, 3, 4]);
    expect(r.head.lines).toEqual(TEXT_LINES);
    expect(r.head.text.replace(/\n$/, '')).toBe(TEXT_LINES.join('\n'));
    expect(r.head.complete).toBe(true);
    expect(r.head.binary).toBe(false);
    expect(r.issues).toEqual([]);
    expect(r.result.lines).toBe(4);
    expect(r.result.sha256).toBe(sha(bytes));
    expect(r.result.bytes).toBe(bytes.length);
    expect(r.result.error).toBeUndefined();
  });
});

describe('line splitting', () => {
  const cases: [string, string, string[]][] = [
    ['empty file', '', []],
    ['single LF', '\n', ['']],
    ['no final LF', 'a', ['a']],
    ['final LF adds no line', 'a\n', ['a']],
    ['blank last line', 'a\n\n', ['a', '']],
    ['CRLF', 'a\r\nb\r\n', ['a', 'b']],
    ['lone CR inside stays', 'a\rb\n', ['a\rb']],
    ['mixed endings', 'a\r\nb\nc', ['a', 'b', 'c']],
    ['only CRLF', '\r\n\r\n', ['', '']],
  ];
  const all = cases.flatMap(([n, t, e]) => [1, 2, 65536].map((c) => [n, c, t, e] as const));
  it.each(all)('%s (chunk %i)', async (_n, chunk, text, expected) => {
    const r = await readAll(Buffer.from(text, 'utf8'), { chunk });
    expect(r.lines.map((l) => l.text)).toEqual(expected);
    expect(r.lines.map((l) => l.lineNo)).toEqual(expected.map((_, i) => i + 1));
    expect(r.result.lines).toBe(expected.length);
  });
});

describe('ANSI escapes', () => {
  const cases: [string, string, string][] = [
    ['colour', '\x1b[32mINFO\x1b[0m started', 'INFO started'],
    ['bold+colour', '\x1b[1;31mERROR\x1b[m: boom', 'ERROR: boom'],
    ['private mode', '\x1b[?25lhidden cursor\x1b[?25h', 'hidden cursor'],
    ['no escape', 'plain [32m text', 'plain [32m text'],
    ['escape before CRLF', 'x \x1b[0m', 'x '],
  ];
  it.each(cases)('%s', async (_n, line, expected) => {
    const crlf = await readAll(Buffer.from(`${line}\r\nnext\r\n`, 'utf8'));
    expect(crlf.lines.map((l) => l.text)).toEqual([expected, 'next']);
    expect(crlf.head.lines[0]).toBe(expected);
    expect(crlf.head.text).toBe(`${expected}\nnext\n`);
    // the slow (per-line) path strips the same way
    const slow = await readAll(Buffer.concat([Buffer.from(`${line}\n`), Buffer.from([0xff, 0x0a])]), { name: 'x' });
    expect(slow.lines[0].text).toBe(expected);
  });
  it('stripAnsi leaves text without ESC untouched', () => {
    expect(stripAnsi('a[0mb')).toBe('a[0mb');
  });
});

describe('refused lines', () => {
  it.each([1, 5, 65536])('a NUL line is refused with its number, the rest delivered (chunk %i)', async (chunk) => {
    const bytes = Buffer.from('first ✅\nbad\0line\nthird\n', 'utf8');
    const r = await readAll(bytes, { chunk });
    expect(r.lines).toEqual([
      { text: 'first ✅', lineNo: 1 },
      { text: 'third', lineNo: 3 },
    ]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0].lineNo).toBe(2);
    expect(r.issues[0].reason).toMatch(/NUL/);
    expect(r.issues[0].excerpt).toBe('bad\\0line');
    expect(r.result.lines).toBe(3);
    // one damaged line does not make a log binary: the rest must still be parsed
    expect(r.head.binary).toBe(false);
  });

  it.each([1, 4, 65536])('an invalid UTF-8 line is refused in a UTF-8 file (chunk %i)', async (chunk) => {
    const bytes = Buffer.concat([Buffer.from('ok ✅\nalso ü ok\n'), Buffer.from([0x62, 0x61, 0x64, 0x20, 0xc3, 0x28, 0x0a]), Buffer.from('after\n')]);
    const r = await readAll(bytes, { chunk });
    expect(r.head.encoding).toBe('utf8');
    expect(r.lines.map((l) => [l.lineNo, l.text])).toEqual([
      [1, 'ok ✅'],
      [2, 'also ü ok'],
      [4, 'after'],
    ]);
    expect(r.issues.map((i) => i.lineNo)).toEqual([3]);
    expect(r.issues[0].reason).toMatch(/not valid UTF-8/);
    expect(r.result.lines).toBe(4);
  });

  it('an invalid UTF-8 line after the head is refused even in an ASCII file', async () => {
    const filler = 'x'.repeat(99) + '\n';
    const n = Math.ceil(HEAD_BYTES / filler.length) + 10;
    const bytes = Buffer.concat([Buffer.from(filler.repeat(n)), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('tail\n')]);
    const r = await readAll(bytes);
    expect(r.head.encoding).toBe('utf8');
    expect(r.head.complete).toBe(false);
    expect(r.issues.map((i) => i.lineNo)).toEqual([n + 1]);
    expect(r.lines.length).toBe(n + 1);
    expect(r.lines[n]).toEqual({ text: 'tail', lineNo: n + 2 });
  });

  const bigLine = 'y'.repeat(5 * 1024 * 1024);
  const bigCases: [string, string, number][] = [
    ['in the middle', `before\n${bigLine}\nafter\n`, 3],
    ['in the middle, CRLF', `before\r\n${bigLine}\r\nafter\r\n`, 3],
    ['as the last line without LF', `before\nafter\n${bigLine}`, 3],
  ];
  it.each(bigCases)('a 5 MB line %s is refused without breaking its neighbours', async (label, text, total) => {
    for (const chunk of [64 * 1024, 1024 * 1024 + 3]) {
      const r = await readAll(Buffer.from(text), { chunk });
      expect(r.result.lines).toBe(total);
      expect(r.issues).toHaveLength(1);
      const bigNo = label.startsWith('as the last') ? 3 : 2;
      expect(r.issues[0].lineNo).toBe(bigNo);
      const len = bigLine.length + (label.includes('CRLF') ? 1 : 0);
      expect(r.issues[0].reason).toBe(`line is ${len} bytes, over the 1 MiB limit — split the file or check it is text`);
      expect(r.issues[0].excerpt.length).toBeLessThanOrEqual(120);
      expect(r.lines.map((l) => l.text)).toEqual(['before', 'after']);
      expect(r.lines.map((l) => l.lineNo)).toEqual(bigNo === 2 ? [1, 3] : [1, 2]);
    }
  });

  it('a line of exactly the limit is delivered, one byte more is refused', async () => {
    const max = 1000;
    const ok = 'a'.repeat(max);
    const r = await readAll(Buffer.from(`${ok}\n${ok}b\nz`), { chunk: 97, maxLineBytes: max });
    expect(r.lines.map((l) => [l.lineNo, l.text.length])).toEqual([
      [1, max],
      [3, 1],
    ]);
    expect(r.issues.map((i) => [i.lineNo, i.reason])).toEqual([[2, 'line is 1001 bytes, over the 1000 bytes limit — split the file or check it is text']]);
  });

  it('UTF-16 over-long and NUL lines are refused too', async () => {
    const text = `a\r\n${'z'.repeat(600)}\r\nb\0c\r\nd\r\n`;
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const r = await readAll(bytes, { chunk: 5, maxLineBytes: 1000 });
    expect(r.lines.map((l) => [l.lineNo, l.text])).toEqual([
      [1, 'a'],
      [4, 'd'],
    ]);
    expect(r.issues.map((i) => i.lineNo)).toEqual([2, 3]);
    expect(r.issues[0].reason).toMatch(/^line is 1202 bytes, over the 1000 bytes limit/);
    expect(r.issues[1].reason).toMatch(/NUL/);
  });
});

describe('cp1252', () => {
  const cases: [string, number[], string[]][] = [
    ['Größe (PowerShell Set-Content)', [0x47, 0x72, 0xf6, 0xdf, 0x65, 0x0d, 0x0a, 0x6f, 0x6b], ['Größe', 'ok']],
    ['euro sign and quotes', [0x50, 0x72, 0x65, 0x69, 0x73, 0x3a, 0x20, 0x35, 0x80, 0x20, 0x93, 0x78, 0x94, 0x0a], ['Preis: 5€ “x”']],
    ['every mapped 0x80–0x9F byte', [0x80, 0x82, 0x8a, 0x8c, 0x8e, 0x91, 0x96, 0x97, 0x99, 0x9f, 0x0a, 0xe4], ['€‚ŠŒŽ‘–—™Ÿ', 'ä']],
  ];
  it.each(cases)('%s', async (_n, bytes, expected) => {
    const r = await readAll(Buffer.from(bytes), { chunk: 3 });
    expect(r.head.encoding).toBe('cp1252');
    expect(r.head.binary).toBe(false);
    expect(r.lines.map((l) => l.text)).toEqual(expected);
    expect(r.issues).toEqual([]);
  });
});

describe('gzip members', () => {
  const text = Array.from({ length: 20000 }, (_, i) => `2025-12-21 22:30:${String(i % 60).padStart(2, '0')},123 - svc - INFO - line ${i + 1}`).join('\n') + '\n';

  it('decompresses on the fly and hashes the compressed bytes', async () => {
    const r = await readAll(Buffer.from(text), { gzip: true, chunk: 4096 });
    expect(r.lines).toHaveLength(20000);
    expect(r.lines[19999]).toEqual({ text: expect.stringMatching(/line 20000$/), lineNo: 20000 });
    expect(r.head.name).toBe('f.log');
    expect(r.head.path).toBe('f.log.gz');
    expect(r.result.sha256).toBe(sha(r.stored));
    expect(r.result.bytes).toBe(r.stored.length);
  });

  it.each([0.3, 0.6, 0.95])('a gzip truncated at %f delivers the earlier lines and says so', async (frac) => {
    const gz = gzipSync(Buffer.from(text));
    const cut = gz.subarray(0, Math.floor(gz.length * frac));
    const src = createFileSource({ path: 'x.log.gz', relPath: 'x.log.gz', gzip: true }, memoryReader(chunked(cut, 1000)));
    const lines: Line[] = [];
    for await (const l of src.lines()) lines.push(l);
    const res = await src.finish();
    const original = text.split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(20000);
    lines.forEach((l, i) => expect(l).toEqual({ text: original[i], lineNo: i + 1 }));
    expect(res.error).toBe(`gzip stream ended early (truncated file?) after line ${lines.length} — re-download the file`);
    // the line cut in two is refused, not delivered half
    const partial: DecodeIssue[] = src.issues;
    expect(partial.length).toBeLessThanOrEqual(1);
    expect(res.lines).toBe(lines.length + partial.length);
    if (partial.length) {
      expect(partial[0].lineNo).toBe(lines.length + 1);
      expect(partial[0].reason).toMatch(/^line is incomplete/);
    }
    expect(res.sha256).toBe(sha(cut));
    expect(res.bytes).toBe(cut.length);
  });

  it('a gzip whose header is already broken reports it before the first line', async () => {
    const bad = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03, 0x04, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const src = createFileSource({ path: 'b.gz', relPath: 'b.gz', gzip: true }, memoryReader([bad]));
    const head = await src.head();
    expect(head.lines).toEqual([]);
    expect(head.complete).toBe(false);
    let n = 0;
    for await (const _ of src.lines()) n++;
    const res = await src.finish();
    expect(n).toBe(0);
    expect(res.error).toMatch(/^gzip (data is corrupt \(.+\)|stream ended early \(truncated file\?\)) before the first line — re-download the file/);
    expect(res.sha256).toBe(sha(bad));
  });

  it('a read error mid-file keeps the earlier lines and refuses the cut line', async () => {
    const parts = [Buffer.from('one\ntwo\nthr'), Buffer.from('ee\nfour\n')];
    let i = 0;
    const failing = {
      async read() {
        if (i === 1) throw Object.assign(new Error('i/o error'), { code: 'EIO' });
        return parts[i++];
      },
      async skip() {},
    };
    const src = createFileSource({ path: 'r.log', relPath: 'r.log', gzip: false }, failing);
    const lines: Line[] = [];
    for await (const l of src.lines()) lines.push(l);
    const res = await src.finish();
    expect(lines.map((l) => l.text)).toEqual(['one', 'two']);
    expect(src.issues).toEqual([{ lineNo: 3, reason: expect.stringMatching(/^line is incomplete \(3 bytes read\)/), excerpt: 'thr' }]);
    expect(res.error).toBe('read error (EIO: i/o error) after line 2 — copy the file again and check the disk');
    expect(res.lines).toBe(3);
    expect(res.bytes).toBe(parts[0].length);
  });

  it('corrupt gzip data is reported, not thrown', async () => {
    const gz = Buffer.from(gzipSync(Buffer.from(text)));
    for (let i = 2000; i < 2100; i++) gz[i] ^= 0xa5;
    const src = createFileSource({ path: 'x.gz', relPath: 'x.gz', gzip: true }, memoryReader(chunked(gz, 512)));
    let n = 0;
    for await (const _ of src.lines()) n++;
    const res = await src.finish();
    expect(res.error).toMatch(/^gzip (data is corrupt|stream ended early).* after line \d+ — /);
    expect(res.sha256).toBe(sha(gz));
    expect(n).toBeLessThan(20000);
  });
});

describe('finish and partial reads', () => {
  const text = Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le')]);
  const noFinalLf = Buffer.from(text.slice(0, -1));
  const stores: [string, Buffer, boolean][] = [
    ['utf8', Buffer.from(text), false],
    ['utf8 gzip', gzipSync(Buffer.from(text)), true],
    ['utf16le', utf16, false],
    ['utf16le gzip', gzipSync(utf16), true],
    ['no final LF', noFinalLf, false],
  ];

  it.each(stores)('finish() without lines() hashes everything and counts every line (%s)', async (_n, stored, gzip) => {
    const src = createFileSource({ path: 'a', relPath: 'a', gzip }, memoryReader(chunked(stored, 333)));
    const head = await src.head();
    expect(head.lines[0]).toBe('line 1');
    const res = await src.finish();
    expect(res).toEqual({ lines: 5000, sha256: sha(stored), bytes: stored.length });
    expect(src.issues).toEqual([]);
  });

  it.each(stores)('stopping after 10 lines still counts all lines and hashes all bytes (%s)', async (_n, stored, gzip) => {
    for (const chunk of [7, 100, 4096]) {
      const src = createFileSource({ path: 'a', relPath: 'a', gzip }, memoryReader(chunked(stored, chunk)));
      let n = 0;
      for await (const l of src.lines()) {
        expect(l.lineNo).toBe(++n);
        if (n === 10) break;
      }
      const res = await src.finish();
      expect(res.lines).toBe(5000);
      expect(res.sha256).toBe(sha(stored));
    }
  });

  it('a truncated gzip nobody read still reports its error and the lines it has', async () => {
    const gz = gzipSync(Buffer.from(text));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const src = createFileSource({ path: 'a.gz', relPath: 'a.gz', gzip: true }, memoryReader(chunked(cut, 500)));
    const res = await src.finish();
    expect(res.error).toMatch(/^gzip stream ended early \(truncated file\?\) after line \d+ — re-download the file$/);
    const after = Number(/after line (\d+)/.exec(res.error!)![1]);
    expect(after).toBeGreaterThan(100);
    expect(res.lines === after || res.lines === after + 1).toBe(true);
  });

  it('the iterator stops once finish() was called', async () => {
    const src = createFileSource({ path: 'a', relPath: 'a', gzip: false }, memoryReader(chunked(Buffer.from(text), 50)));
    const it = src.lines()[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ text: 'line 1', lineNo: 1 });
    const res = await src.finish();
    expect(res.lines).toBe(5000);
    expect((await it.next()).done).toBe(true);
  });

  it('lines() may be called only once', async () => {
    const src = createFileSource({ path: 'a', relPath: 'a', gzip: false }, memoryReader([Buffer.from('x\n')]));
    src.lines();
    expect(() => src.lines()).toThrow(/only once/);
  });

  it('skip() closes without reading the rest', async () => {
    let reads = 0;
    const chunks = chunked(Buffer.from(text.repeat(10)), 1000);
    const src = createFileSource(
      { path: 'a', relPath: 'a', gzip: false },
      {
        async read() {
          return reads < chunks.length ? chunks[reads++] : null;
        },
        async skip() {},
      },
    );
    await src.head();
    await src.skip();
    expect(reads).toBeLessThan(chunks.length);
  });
});

describe('head', () => {
  const cases: [string, Buffer, { binary: boolean; encoding: Encoding }][] = [
    ['plain text', Buffer.from('hello\nworld\n'), { binary: false, encoding: 'utf8' }],
    ['NUL bytes and controls', Buffer.from('PK\0\0\x03\x04binary\0\0'), { binary: true, encoding: 'utf8' }],
    ['mostly NULs', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4000)]), { binary: true, encoding: 'utf8' }],
    ['one NUL line in a log', Buffer.from('a log line\nanother\0one\nthird line here\n'), { binary: false, encoding: 'utf8' }],
    ['random bytes', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256)), { binary: true, encoding: 'utf8' }],
    ['many control chars', Buffer.from('\x01\x02\x03\x04\x05abc\x06\x07'), { binary: true, encoding: 'utf8' }],
    ['tabs and ESC are text', Buffer.from('a\tb\x1b[0m\r\n'), { binary: false, encoding: 'utf8' }],
    ['UTF-16 is not binary for its NULs', Buffer.from('\ufeffhi\r\n', 'utf16le'), { binary: false, encoding: 'utf16le' }],
    ['empty', Buffer.alloc(0), { binary: false, encoding: 'utf8' }],
  ];
  it.each(cases)('%s', (_n, bytes, exp) => {
    const h = decodeHead(bytes, true, 'p', 'n');
    expect(h.binary).toBe(exp.binary);
    expect(h.encoding).toBe(exp.encoding);
  });

  it('a head cut inside a UTF-8 character drops the half character', () => {
    const b = Buffer.from('ab✅', 'utf8');
    const cut = b.subarray(0, 4);
    expect(utf8CompleteLength(cut)).toBe(2);
    const h = decodeHead(cut, false, 'p', 'n');
    expect(h.text).toBe('ab');
    expect(h.encoding).toBe('utf8');
  });

  it('a long file gives a head of HEAD_BYTES and complete=false', async () => {
    const text = 'z'.repeat(200) + '\n';
    const r = await readAll(Buffer.from(text.repeat(1000)));
    expect(r.head.complete).toBe(false);
    expect(r.head.text.length).toBe(HEAD_BYTES);
    expect(r.lines).toHaveLength(1000);
  });

  it('sniffEncoding prefers BOMs and needs the x\\0 pattern for UTF-16', () => {
    expect(sniffEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), true)).toEqual({ encoding: 'utf8-bom', bomBytes: 3 });
    expect(sniffEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]), true)).toEqual({ encoding: 'utf16le', bomBytes: 2 });
    expect(sniffEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]), true)).toEqual({ encoding: 'utf16be', bomBytes: 2 });
    expect(sniffEncoding(Buffer.from('a\0b\0c\0', 'latin1'), true).encoding).toBe('utf16le');
    expect(sniffEncoding(Buffer.from('\0\0\0\0abc', 'latin1'), true).encoding).toBe('utf8');
  });
});

describe('decoder alone', () => {
  it('is a streaming transform usable without a FileSource', () => {
    const dec = createLineDecoder('utf8');
    const out: Line[] = [];
    const issues: DecodeIssue[] = [];
    dec.push(Buffer.from('one\ntw'), out, issues);
    expect(out.map((l) => l.text)).toEqual(['one']);
    dec.push(Buffer.from('o\r\nthree'), out, issues);
    dec.end(out, issues);
    expect(out).toEqual([
      { text: 'one', lineNo: 1 },
      { text: 'two', lineNo: 2 },
      { text: 'three', lineNo: 3 },
    ]);
    expect(dec.lineNo).toBe(3);
    expect(MAX_LINE_BYTES).toBe(1024 * 1024);
  });

  it('excerpts are at most 120 characters and show control bytes', () => {
    expect(excerptOf('a'.repeat(500))).toHaveLength(120);
    expect(excerptOf('a\0b\x01')).toBe('a\\0b\\x01');
  });
});
