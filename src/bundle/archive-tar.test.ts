import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTar, walkTar } from './archive-tar.js';
import { createFileSource } from './file-source.js';
import { checkMemberName } from './member-name.js';
import { openBundle } from './open-bundle.js';

interface Spec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device' | 'block-device';
  linkname?: string;
  data?: string | Buffer;
}

async function makeTar(entries: Spec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  })();
  for (const e of entries) {
    await new Promise<void>((res, rej) => {
      const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
      pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mtime: new Date('2025-12-22T00:00:00Z') }, data, (err) =>
        err ? rej(err) : res(),
      );
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

let dir: string;
const LONG = `${'very-long-directory-name/'.repeat(6)}service.log`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdbf-tar-'));
  writeFileSync(
    join(dir, 'mixed.tar'),
    await makeTar([
      { name: 'a.log', data: 'one\n' },
      { name: 'dev', type: 'character-device' },
      { name: 'blk', type: 'block-device' },
      { name: 'a.log', data: 'second copy\n' },
      { name: LONG, data: 'long name\n' },
      { name: 'x/../../up', data: 'up\n' },
      { name: 'C:/windows/x', data: 'drive\n' },
      { name: 'gz/inner.log.gz', data: gzipSync(Buffer.from('in1\nin2\n')) },
      { name: 'gz/not-really.gz', data: 'plain text named .gz\n' },
    ]),
  );
  writeFileSync(join(dir, 'garbage.tar'), Buffer.concat([Buffer.alloc(257), Buffer.from('ustar'), Buffer.alloc(250, 0x41)]));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('member names', () => {
  it.each([
    ['plain', 'logs/a.log', { ok: true, relPath: 'logs/a.log', isDir: false }],
    ['dot prefix', './logs/a.log', { ok: true, relPath: 'logs/a.log', isDir: false }],
    ['double slash', 'logs//a.log', { ok: true, relPath: 'logs/a.log', isDir: false }],
    ['directory', 'logs/', { ok: true, relPath: 'logs', isDir: true }],
    ['parent', '../evil', { ok: false, reason: expect.stringMatching(/^path escapes the archive \(\.\.\/\)/) }],
    ['parent inside', 'a/../../evil', { ok: false, reason: expect.stringMatching(/escapes/) }],
    ['absolute', '/etc/x', { ok: false, reason: expect.stringMatching(/^absolute path in archive/) }],
    ['drive letter', 'C:/x', { ok: false, reason: expect.stringMatching(/^absolute path in archive/) }],
  ])('%s', (_n, name, expected) => {
    expect(checkMemberName(name)).toEqual(expected);
  });
});

describe('listTar', () => {
  it('lists files, refuses devices and hostile names, keeps duplicates and long names', async () => {
    const l = await listTar(join(dir, 'mixed.tar'), false, 'mixed.tar');
    expect(l.failure).toBeUndefined();
    expect(l.members.map((m) => [m.index, m.relPath, m.gzip])).toEqual([
      [0, 'a.log', false],
      [3, 'a.log', false],
      [4, LONG, false],
      [7, 'gz/inner.log.gz', true],
      [8, 'gz/not-really.gz', false],
    ]);
    expect(l.members[0].mtime).toBe('2025-12-22T00:00:00.000Z');
    expect(l.refused).toEqual([
      { path: 'mixed.tar!/dev', reason: 'device/fifo (character-device) — not read' },
      { path: 'mixed.tar!/blk', reason: 'device/fifo (block-device) — not read' },
      { path: 'mixed.tar!/x/../../up', reason: expect.stringMatching(/escapes/) },
      { path: 'mixed.tar!/C:/windows/x', reason: expect.stringMatching(/absolute/) },
    ]);
  });

  it('a damaged archive reports a failure instead of throwing', async () => {
    const l = await listTar(join(dir, 'garbage.tar'), false, 'garbage.tar');
    expect(l.members).toEqual([]);
    expect(l.failure?.what).toMatch(/archive is damaged|archive ended early/);
  });

  it('openBundle refuses a tar it cannot list at all', async () => {
    const err = await openBundle(join(dir, 'garbage.tar')).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('BUNDLE_UNREADABLE');
  });
});

describe('walkTar', () => {
  it('visits in archive order, drains what the visitor leaves, and can stop early', async () => {
    const seen: string[] = [];
    await walkTar(join(dir, 'mixed.tar'), false, async (i, h, raw) => {
      seen.push(`${i}:${h.name}`);
      if (i === 0) {
        const c = await raw.read();
        expect(c?.toString()).toBe('one\n');
      }
      return i < 4;
    });
    expect(seen).toEqual(['0:a.log', '1:dev', '2:blk', '3:a.log', `4:${LONG}`]);
  });

  it('duplicate names stay distinct files in a bundle, each with its own content', async () => {
    const b = await openBundle(join(dir, 'mixed.tar'));
    expect(b.files.map((f) => f.path)).toEqual([
      'mixed.tar!/a.log',
      'mixed.tar!/a.log (duplicate 2)',
      'mixed.tar!/gz/inner.log.gz',
      'mixed.tar!/gz/not-really.gz',
      `mixed.tar!/${LONG}`,
    ]);
    const texts: Record<string, string[]> = {};
    await b.scan(
      () => true,
      async (f, src) => {
        const out: string[] = [];
        for await (const l of src.lines()) out.push(l.text);
        texts[f.path] = out;
      },
    );
    expect(texts['mixed.tar!/a.log']).toEqual(['one']);
    expect(texts['mixed.tar!/a.log (duplicate 2)']).toEqual(['second copy']);
    expect(texts['mixed.tar!/gz/inner.log.gz']).toEqual(['in1', 'in2']);
    expect(texts['mixed.tar!/gz/not-really.gz']).toEqual(['plain text named .gz']);
  });

  it('a member source hashes the member bytes even when only the head was read', async () => {
    const results: string[] = [];
    await walkTar(join(dir, 'mixed.tar'), false, async (_i, h, raw) => {
      if (h.name !== 'gz/inner.log.gz') return;
      const src = createFileSource({ path: h.name, relPath: h.name, gzip: true }, raw);
      expect((await src.head()).lines).toEqual(['in1', 'in2']);
      const r = await src.finish();
      results.push(r.sha256);
      expect(r.bytes).toBe(gzipSync(Buffer.from('in1\nin2\n')).length);
    });
    expect(results).toHaveLength(1);
  });
});
