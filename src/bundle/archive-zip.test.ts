import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listZip } from './archive-zip.js';
import { openBundle } from './open-bundle.js';

function python(script: string, input: unknown): void {
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(input) });
  if (r.status !== 0) throw new Error(r.stderr.toString());
}

const MAKE = `
import sys, json, zipfile, base64
spec = json.load(sys.stdin)
methods = {'stored': zipfile.ZIP_STORED, 'deflate': zipfile.ZIP_DEFLATED, 'bzip2': zipfile.ZIP_BZIP2}
with zipfile.ZipFile(spec['out'], 'w') as z:
    for e in spec['entries']:
        zi = zipfile.ZipInfo(e['name'], date_time=(2025, 12, 21, 22, 30, 0))
        zi.compress_type = methods[e.get('method', 'deflate')]
        if e.get('mode') is not None:
            zi.create_system = 3
            zi.external_attr = e['mode'] << 16
        z.writestr(zi, base64.b64decode(e['data']))
`;

function makeZip(out: string, entries: { name: string; data: string; method?: string; mode?: number }[]): void {
  python(MAKE, { out, entries: entries.map((e) => ({ ...e, data: Buffer.from(e.data).toString('base64') })) });
}

let dir: string;
const BIG = Array.from({ length: 3000 }, (_, i) => `row ${i} ${'q'.repeat(i % 50)}`).join('\n') + '\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdbf-zip-'));
  makeZip(join(dir, 'm.zip'), [
    { name: 'b.log', data: 'b\n' },
    { name: 'a.log', data: 'a\r\n', method: 'stored' },
    { name: 'dev', data: '', mode: 0o020644 },
    { name: 'bz.log', data: 'bzip2\n', method: 'bzip2' },
    { name: 'sub/./c.log', data: 'c\n' },
    { name: 'big.log', data: BIG },
  ]);
  // corrupt the deflated data of big.log but leave the directory intact
  const z = Buffer.from(readFileSync(join(dir, 'm.zip')));
  const at = z.indexOf(Buffer.from('big.log')) + 7 + 200;
  for (let i = at; i < at + 64; i++) z[i] ^= 0x5a;
  writeFileSync(join(dir, 'damaged.zip'), z);
  writeFileSync(join(dir, 'cut.zip'), readFileSync(join(dir, 'm.zip')).subarray(0, 100));
  mkdirSync(join(dir, 'folder'));
  writeFileSync(join(dir, 'folder', 'cut.zip'), readFileSync(join(dir, 'm.zip')).subarray(0, 100));
  writeFileSync(join(dir, 'folder', 'ok.txt'), 'ok\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('listZip', () => {
  it('lists readable members with uncompressed sizes, refuses devices and unsupported methods', async () => {
    const l = await listZip(join(dir, 'm.zip'), 'm.zip');
    expect(l.failure).toBeUndefined();
    expect(l.members.map((m) => [m.relPath, m.bytes, m.gzip])).toEqual([
      ['b.log', 2, false],
      ['a.log', 3, false],
      ['sub/c.log', 2, false],
      ['big.log', Buffer.byteLength(BIG), false],
    ]);
    expect(l.refused).toEqual([
      { path: 'm.zip!/dev', reason: 'device/fifo — not read' },
      { path: 'm.zip!/bz.log', reason: 'compression method 12 is not supported — re-pack the archive with deflate' },
    ]);
    expect(l.members[0].mtime).toBe('2025-12-21T22:30:00.000Z');
  });

  it('throws when the archive cannot be opened', async () => {
    await expect(listZip(join(dir, 'cut.zip'), 'cut.zip')).rejects.toThrow();
  });
});

describe('zip bundles', () => {
  it('a member with damaged data delivers what it can and reports the damage', async () => {
    const b = await openBundle(join(dir, 'damaged.zip'));
    const got: Record<string, { n: number; error?: string; sha: string }> = {};
    await b.scan(
      () => true,
      async (f, src) => {
        let n = 0;
        for await (const _ of src.lines()) n++;
        const r = await src.finish();
        got[f.relPath] = { n, error: r.error, sha: r.sha256 };
      },
    );
    expect(got['big.log'].error).toMatch(/^zip member data is corrupt \(.+\)( after line \d+| before the first line)? — re-download the archive or test it with `unzip -t`$/);
    expect(got['big.log'].n).toBeLessThan(3000);
    expect(got['a.log']).toEqual({ n: 1, error: undefined, sha: createHash('sha256').update('a\r\n').digest('hex') });
  });

  it('an unreadable top-level zip is a UserError', async () => {
    const err = await openBundle(join(dir, 'cut.zip')).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('BUNDLE_UNREADABLE');
  });

  it('an unreadable zip inside a folder is refused, the rest of the folder is read', async () => {
    const b = await openBundle(join(dir, 'folder'));
    expect(b.files.map((f) => f.path)).toEqual(['ok.txt']);
    expect(b.refused).toEqual([{ path: 'cut.zip', reason: expect.stringMatching(/^zip archive cannot be read \(.+\) — re-download it/) }]);
  });
});
