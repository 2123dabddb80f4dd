import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { openBundle, type Bundle } from './open-bundle.js';
import type { BundleFile, DecodeIssue, Line, ReadResult } from './types.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface TarSpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  linkname?: string;
  data?: Buffer;
}

async function makeTar(entries: TarSpec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  for (const e of entries) {
    await new Promise<void>((res, rej) => {
      const header = { name: e.name, type: e.type ?? 'file', linkname: e.linkname, mtime: new Date('2025-12-21T22:30:00Z') };
      pack.entry(header, e.data ?? Buffer.alloc(0), (err) => (err ? rej(err) : res()));
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

interface ZipSpec {
  name: string;
  data: Buffer;
  deflate?: boolean;
  mode?: number;
}

function makeZip(out: string, entries: ZipSpec[]): void {
  const script = `
import sys, json, zipfile, base64
spec = json.load(sys.stdin)
with zipfile.ZipFile(spec['out'], 'w') as z:
    for e in spec['entries']:
        zi = zipfile.ZipInfo(e['name'], date_time=(2025, 12, 21, 22, 30, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED if e.get('deflate') else zipfile.ZIP_STORED
        if e.get('mode') is not None:
            zi.create_system = 3
            zi.external_attr = e['mode'] << 16
        z.writestr(zi, base64.b64decode(e['data']))
`;
  const spec = { out, entries: entries.map((e) => ({ name: e.name, data: e.data.toString('base64'), deflate: e.deflate, mode: e.mode })) };
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(spec) });
  if (r.status !== 0) throw new Error(`python zipfile failed: ${r.stderr.toString()}`);
}

interface Read {
  file: BundleFile;
  lines: Line[];
  issues: DecodeIssue[];
  result: ReadResult;
  encoding: string;
  headName: string;
}

async function readBundle(b: Bundle, select: (f: BundleFile) => boolean = () => true): Promise<Read[]> {
  const out: Read[] = [];
  await b.scan(select, async (file, src) => {
    const head = await src.head();
    const lines: Line[] = [];
    for await (const l of src.lines()) lines.push(l);
    const result = await src.finish();
    out.push({ file, lines, issues: src.issues, result, encoding: head.encoding, headName: head.name });
  });
  return out;
}

/** Every path under `root` with its content hash (or link target), to prove nothing was written. */
function snapshot(root: string): Record<string, string> {
  const snap: Record<string, string> = {};
  const walk = (dir: string, rel: string): void => {
    for (const n of readdirSync(dir).sort()) {
      const abs = join(dir, n);
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) snap[r] = `link:${readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        snap[r] = 'dir';
        walk(abs, r);
      } else if (st.isFile()) snap[r] = `${sha(readFileSync(abs))}:${st.mtimeMs}`;
      else snap[r] = 'special';
    }
  };
  walk(root, '');
  return snap;
}

const A_LOG = Buffer.from('a1\na2\n');
const DEEP = Buffer.from('deep\r\nline two\r\n');
const C_GZ = gzipSync(Buffer.from('c1\nc2\nc3\n'));
const HOSTILE_TAR: TarSpec[] = [
  { name: 'z-first.log', data: Buffer.from('z\n') },
  { name: 'good/a.log', data: A_LOG },
  { name: '../evil', data: Buffer.from('pwned\n') },
  { name: '/etc/x', data: Buffer.from('absolute\n') },
  { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
  { name: 'nested/', type: 'directory' },
  { name: 'nested/deep/file.txt', data: DEEP },
  { name: 'logs/c.log.gz', data: C_GZ },
  { name: 'hard', type: 'link', linkname: 'good/a.log' },
  { name: 'pipe', type: 'fifo' },
  { name: './dot/b.log', data: Buffer.from('b\n') },
  { name: 'a-later.log', data: Buffer.from('later\n') },
];
const HOSTILE_ZIP: ZipSpec[] = [
  { name: 'good/a.log', data: A_LOG, deflate: true },
  { name: '../evil', data: Buffer.from('pwned\n') },
  { name: '/etc/x', data: Buffer.from('absolute\n') },
  { name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
  { name: 'nested/', data: Buffer.alloc(0), mode: 0o040755 },
  { name: 'nested/deep/file.txt', data: DEEP, deflate: true },
  { name: 'logs/c.log.gz', data: C_GZ },
  { name: 'win\\path.txt', data: Buffer.from('backslash\n') },
];
const GOOD_MEMBERS = ['a-later.log', 'dot/b.log', 'good/a.log', 'logs/c.log.gz', 'nested/deep/file.txt', 'z-first.log'];

let tmp: string;
let before: Record<string, string>;
const bigLines = Array.from({ length: 60000 }, (_, i) => `2025-12-21 22:30:00,000 - risk - INFO - event ${i + 1} ${'x'.repeat(i % 37)}`);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cdbf-bundle-'));
  const tgz = gzipSync(await makeTar(HOSTILE_TAR));
  writeFileSync(join(tmp, 'hostile.tgz'), tgz);
  writeFileSync(join(tmp, 'plain.tar'), await makeTar(HOSTILE_TAR));
  // an archive named like a log: detection is by magic bytes
  writeFileSync(join(tmp, 'disguised.log'), tgz);
  makeZip(join(tmp, 'hostile.zip'), HOSTILE_ZIP);
  writeFileSync(join(tmp, 'single.log.gz'), gzipSync(Buffer.from('g1\r\ng2\r\n')));
  const big = gzipSync(
    await makeTar([
      { name: 'first.log', data: Buffer.from('first\n') },
      { name: 'big.log', data: Buffer.from(bigLines.join('\n') + '\n') },
      { name: 'after.log', data: Buffer.from('never reached\n') },
    ]),
  );
  writeFileSync(join(tmp, 'truncated.tgz'), big.subarray(0, Math.floor(big.length * 0.5)));

  const d = join(tmp, 'dirbundle');
  mkdirSync(join(d, 'logs'), { recursive: true });
  mkdirSync(join(d, 'drop'), { recursive: true });
  writeFileSync(join(d, 'logs', 'cdb_risk.log'), '2025-12-21 22:30:00,000 [INFO] risk: ok\r\n\x1b[31mred\x1b[0m\r\n');
  writeFileSync(join(d, 'logs', 'old.log.gz'), gzipSync(Buffer.from('old1\nold2\n')));
  writeFileSync(join(d, '.env'), 'REDIS_PASSWORD=secret\n');
  writeFileSync(join(d, 'drop', 'notes.txt'), 'notes\n');
  writeFileSync(join(d, 'drop', 'evidence.tgz'), tgz);
  makeZip(join(d, 'drop', 'evidence.zip'), HOSTILE_ZIP);
  symlinkSync('.env', join(d, 'link-to-env'));
  symlinkSync('/etc/passwd', join(d, 'link-outside'));
  symlinkSync('logs', join(d, 'link-dir'));
  const fifo = spawnSync('python3', ['-c', `import os; os.mkfifo(${JSON.stringify(join(d, 'fifo'))})`]);
  if (fifo.status !== 0) throw new Error(fifo.stderr.toString());
  before = snapshot(tmp);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('directory bundle', () => {
  it('lists files sorted, includes hidden files, expands archives one level, refuses links and fifos', async () => {
    const b = await openBundle(join(tmp, 'dirbundle'));
    expect(b.kind).toBe('dir');
    expect(b.name).toBe('dirbundle');
    expect(b.root).toBe(join(tmp, 'dirbundle'));
    const paths = b.files.map((f) => f.path);
    expect(paths).toEqual([
      '.env',
      ...GOOD_MEMBERS.map((m) => `drop/evidence.tgz!/${m}`),
      ...['good/a.log', 'logs/c.log.gz', 'nested/deep/file.txt', 'win/path.txt'].map((m) => `drop/evidence.zip!/${m}`),
      'drop/notes.txt',
      'logs/cdb_risk.log',
      'logs/old.log.gz',
    ]);
    expect([...paths].sort()).toEqual(paths);
    const refused = Object.fromEntries(b.refused.map((r) => [r.path, r.reason]));
    expect(Object.keys(refused).sort()).toEqual(
      [
        'drop/evidence.tgz!/../evil',
        'drop/evidence.tgz!//etc/x',
        'drop/evidence.tgz!/hard',
        'drop/evidence.tgz!/link',
        'drop/evidence.tgz!/pipe',
        'drop/evidence.zip!/../evil',
        'drop/evidence.zip!//etc/x',
        'drop/evidence.zip!/link',
        'fifo',
        'link-dir',
        'link-outside',
        'link-to-env',
      ].sort(),
    );
    expect(refused['link-outside']).toMatch(/^symbolic link to \/etc\/passwd — not followed/);
    expect(refused['link-dir']).toMatch(/symbolic link/);
    expect(refused['fifo']).toMatch(/device\/fifo/);
    expect(refused['drop/evidence.tgz!/../evil']).toMatch(/path escapes the archive \(\.\.\/\)/);
    expect(refused['drop/evidence.zip!//etc/x']).toMatch(/absolute path in archive/);
    expect(refused['drop/evidence.tgz!/pipe']).toMatch(/device\/fifo/);
    const gz = b.files.find((f) => f.path === 'logs/old.log.gz')!;
    expect(gz.gzip).toBe(true);
    expect(b.files.find((f) => f.path === 'drop/evidence.tgz!/logs/c.log.gz')).toMatchObject({ gzip: true, relPath: 'logs/c.log.gz', bytes: C_GZ.length });
    expect(b.files.find((f) => f.path === '.env')).toMatchObject({ relPath: '.env', bytes: 22, gzip: false });
  });

  it('reads every file: text decoded, archives streamed, hashes of the stored bytes', async () => {
    const b = await openBundle(join(tmp, 'dirbundle'));
    const reads = await readBundle(b);
    const by = Object.fromEntries(reads.map((r) => [r.file.path, r]));
    expect(by['logs/cdb_risk.log'].lines.map((l) => l.text)).toEqual(['2025-12-21 22:30:00,000 [INFO] risk: ok', 'red']);
    expect(by['logs/old.log.gz'].lines.map((l) => l.text)).toEqual(['old1', 'old2']);
    expect(by['logs/old.log.gz'].headName).toBe('old.log');
    expect(by['.env'].lines.map((l) => l.text)).toEqual(['REDIS_PASSWORD=secret']);
    for (const p of ['drop/evidence.tgz!', 'drop/evidence.zip!']) {
      expect(by[`${p}/good/a.log`].lines.map((l) => l.text)).toEqual(['a1', 'a2']);
      expect(by[`${p}/good/a.log`].result).toEqual({ lines: 2, sha256: sha(A_LOG), bytes: A_LOG.length });
      expect(by[`${p}/nested/deep/file.txt`].lines.map((l) => l.text)).toEqual(['deep', 'line two']);
      expect(by[`${p}/logs/c.log.gz`].lines.map((l) => l.text)).toEqual(['c1', 'c2', 'c3']);
      expect(by[`${p}/logs/c.log.gz`].result.sha256).toBe(sha(C_GZ));
      expect(by[`${p}/logs/c.log.gz`].headName).toBe('c.log');
    }
    expect(reads.every((r) => r.result.error === undefined && r.issues.length === 0)).toBe(true);
    // sorted order, except inside a tar where archive order rules
    const tarOrder = reads.filter((r) => r.file.path.startsWith('drop/evidence.tgz!')).map((r) => r.file.relPath);
    expect(tarOrder).toEqual(['z-first.log', 'good/a.log', 'nested/deep/file.txt', 'logs/c.log.gz', 'dot/b.log', 'a-later.log']);
    expect(reads.map((r) => r.file.path).filter((p) => !p.includes('.tgz!'))).toEqual(
      b.files.map((f) => f.path).filter((p) => !p.includes('.tgz!')),
    );
  });

  it('a visit that only looks at the head (no finish) leaves the next files intact', async () => {
    const b = await openBundle(join(tmp, 'dirbundle'));
    const seen: string[] = [];
    await b.scan(
      () => true,
      async (f, src) => {
        const h = await src.head();
        seen.push(`${f.path}:${h.lines[0] ?? ''}`);
      },
    );
    expect(seen).toContain('drop/evidence.tgz!/a-later.log:later');
    expect(seen).toContain('drop/evidence.zip!/win/path.txt:backslash');
    expect(seen).toHaveLength(b.files.length);
  });

  it('select() picks files; unselected archive members are not visited', async () => {
    const b = await openBundle(join(tmp, 'dirbundle'));
    const reads = await readBundle(b, (f) => f.relPath === 'good/a.log');
    expect(reads.map((r) => r.file.path)).toEqual(['drop/evidence.tgz!/good/a.log', 'drop/evidence.zip!/good/a.log']);
  });
});

describe('archive bundles', () => {
  const cases: [string, 'tar' | 'zip', string[], string[]][] = [
    ['hostile.tgz', 'tar', GOOD_MEMBERS, ['../evil', '/etc/x', 'hard', 'link', 'pipe']],
    ['plain.tar', 'tar', GOOD_MEMBERS, ['../evil', '/etc/x', 'hard', 'link', 'pipe']],
    ['disguised.log', 'tar', GOOD_MEMBERS, ['../evil', '/etc/x', 'hard', 'link', 'pipe']],
    ['hostile.zip', 'zip', ['good/a.log', 'logs/c.log.gz', 'nested/deep/file.txt', 'win/path.txt'], ['../evil', '/etc/x', 'link']],
  ];
  it.each(cases)('%s: hostile entries refused and listed, good ones readable as name!/path', async (name, kind, good, bad) => {
    const b = await openBundle(join(tmp, name));
    expect(b.kind).toBe(kind);
    expect(b.files.map((f) => f.path)).toEqual(good.map((g) => `${name}!/${g}`));
    expect(b.refused.map((r) => r.path).sort()).toEqual(bad.map((x) => `${name}!/${x}`).sort());
    const reads = await readBundle(b);
    expect(reads).toHaveLength(good.length);
    const a = reads.find((r) => r.file.relPath === 'good/a.log')!;
    expect(a.lines).toEqual([
      { text: 'a1', lineNo: 1 },
      { text: 'a2', lineNo: 2 },
    ]);
    expect(a.result.sha256).toBe(sha(A_LOG));
  });

  it('a truncated tar.gz delivers the members and lines before the damage and says where it broke', async () => {
    const b = await openBundle(join(tmp, 'truncated.tgz'));
    expect(b.kind).toBe('tar');
    expect(b.files.map((f) => f.relPath)).toEqual(['big.log', 'first.log']);
    expect(b.refused).toEqual([{ path: 'truncated.tgz', reason: expect.stringMatching(/^archive ended early \(truncated file\?\) — re-download the archive/) }]);
    const reads = await readBundle(b);
    const first = reads.find((r) => r.file.relPath === 'first.log')!;
    expect(first.lines.map((l) => l.text)).toEqual(['first']);
    expect(first.result.error).toBeUndefined();
    const big = reads.find((r) => r.file.relPath === 'big.log')!;
    expect(big.lines.length).toBeGreaterThan(1000);
    expect(big.lines.length).toBeLessThan(bigLines.length);
    big.lines.forEach((l, i) => {
      if (l.text !== bigLines[i]) throw new Error(`line ${i + 1} differs`);
    });
    expect(big.result.error).toBe(`archive ended early (truncated file?) after line ${big.lines.length} — re-download the archive`);
    expect(big.result.lines).toBe(big.lines.length + big.issues.length);
  });
});

describe('single-file bundles', () => {
  it('reads the real redis INFO capture (CRLF) as one file', async () => {
    const path = '/work/shared/fixtures/real-tools/redis/info_memory.txt';
    const raw = readFileSync(path);
    expect(raw.includes('\r\n')).toBe(true);
    const b = await openBundle(path);
    expect(b.kind).toBe('file');
    expect(b.name).toBe('info_memory.txt');
    expect(b.files).toEqual([expect.objectContaining({ path: 'info_memory.txt', relPath: 'info_memory.txt', bytes: raw.length, gzip: false })]);
    const [r] = await readBundle(b);
    const expected = raw.toString('utf8').split('\n');
    if (expected[expected.length - 1] === '') expected.pop();
    expect(r.lines.map((l) => l.text)).toEqual(expected.map((l) => l.replace(/\r$/, '')));
    expect(r.lines.some((l) => l.text.includes('\r'))).toBe(false);
    expect(r.lines[0].text).toBe('# Memory');
    expect(r.result).toEqual({ lines: expected.length, sha256: sha(raw), bytes: raw.length });
    expect(readFileSync(path).equals(raw)).toBe(true);
  });

  it('a single .gz file is a gzip member named without .gz', async () => {
    const b = await openBundle(join(tmp, 'single.log.gz'));
    expect(b.kind).toBe('file');
    expect(b.files[0]).toMatchObject({ path: 'single.log.gz', gzip: true });
    const [r] = await readBundle(b);
    expect(r.headName).toBe('single.log');
    expect(r.lines.map((l) => l.text)).toEqual(['g1', 'g2']);
  });

  it.each([
    ['missing', 'does/not/exist', 'BUNDLE_NOT_FOUND'],
    ['below a file', 'single.log.gz/x', 'BUNDLE_NOT_FOUND'],
  ])('%s path → UserError %s', async (_n, rel, code) => {
    const err = await openBundle(join(tmp, rel)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe(code);
    expect((err as UserError).where).toBe(join(tmp, rel));
    expect((err as UserError).hint).toMatch(/directory|tar|zip/);
  });

  it('a fifo given as the bundle is refused without reading it', async () => {
    const err = await openBundle(join(tmp, 'dirbundle', 'fifo')).catch((e: unknown) => e);
    expect((err as UserError).code).toBe('BUNDLE_UNREADABLE');
  });
});

describe('read-only', () => {
  it('after all tests the input bundle files are byte-identical and nothing was added', () => {
    expect(snapshot(tmp)).toEqual(before);
  });
});
