import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadResult } from './types.js';
import { MAX_ARCHIVE_DEPTH, openBundle } from './open-bundle.js';

/** Archives are built by Python's zipfile/tarfile, as an analyst's tools would write them. */
const NEST = `
import io, json, sys, tarfile, zipfile
spec = json.load(sys.stdin)
def tgz(members):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode='w:gz') as t:
        for name, data in members:
            ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 1766352600
            t.addfile(ti, io.BytesIO(data))
    return b.getvalue()
def zf(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(2025, 12, 21, 22, 30, 0)), data, zipfile.ZIP_DEFLATED)
    return b.getvalue()
def build(node):
    members = [(m['name'], build(m) if 'kind' in m else m['text'].encode()) for m in node['members']]
    return tgz(members) if node['kind'] == 'tgz' else zf(members)
open(spec['out'], 'wb').write(build(spec['root']))
`;

type Spec = { kind: 'tgz' | 'zip'; members: ({ name: string; text: string } | ({ name: string } & Spec))[] };

function nest(out: string, root: Spec): void {
  const r = spawnSync('python3', ['-c', NEST], { input: JSON.stringify({ out, root }) });
  if (r.status !== 0) throw new Error(r.stderr.toString());
}

const LOG = (tag: string, n: number): string => Array.from({ length: n }, (_, i) => `${tag} line ${i + 1}`).join('\n') + '\n';

/** Archives nested `levels` deep, alternating tgz and zip, each level holding one log. */
function chain(levels: number, level = 1): Spec {
  const kind = level % 2 === 1 ? 'tgz' : 'zip';
  const members: Spec['members'] = [{ name: `logs/level${level}.log`, text: LOG(`level${level}`, 3) }];
  if (level < levels) members.push({ name: `inner/level${level + 1}.${level % 2 === 1 ? 'zip' : 'tar.gz'}`, ...chain(levels, level + 1) });
  return { kind, members };
}

async function readAll(path: string): Promise<{ files: Map<string, { lines: string[]; result: ReadResult }>; refused: { path: string; reason: string }[] }> {
  const b = await openBundle(path);
  const files = new Map<string, { lines: string[]; result: ReadResult }>();
  await b.scan(
    () => true,
    async (f, src) => {
      const lines: string[] = [];
      for await (const l of src.lines()) lines.push(l.text);
      files.set(f.path, { lines, result: await src.finish() });
    },
  );
  expect([...files.keys()].sort()).toEqual(b.files.map((f) => f.path));
  return { files, refused: b.refused };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdbf-nest-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('archives inside archives', () => {
  it('a tar.gz inside a zip inside a tar.gz: all three levels opened, every log read with its path', async () => {
    const out = join(dir, 'three.tgz');
    nest(out, chain(3));
    const { files, refused } = await readAll(out);
    expect(refused).toEqual([]);
    expect([...files.keys()].sort()).toEqual([
      'three.tgz!/inner/level2.zip!/inner/level3.tar.gz!/logs/level3.log',
      'three.tgz!/inner/level2.zip!/logs/level2.log',
      'three.tgz!/logs/level1.log',
    ]);
    for (const [path, f] of files) {
      const level = /level(\d)\.log$/.exec(path)![1];
      expect(f.lines).toEqual(LOG(`level${level}`, 3).trimEnd().split('\n'));
      expect(f.result.sha256).toBe(createHash('sha256').update(LOG(`level${level}`, 3)).digest('hex'));
    }
  });

  it(`opens ${MAX_ARCHIVE_DEPTH} levels and refuses the next one, naming it`, async () => {
    const out = join(dir, 'deep.tgz');
    nest(out, chain(MAX_ARCHIVE_DEPTH + 1));
    const { files, refused } = await readAll(out);
    expect([...files.keys()].map((p) => /level(\d)\.log$/.exec(p)![1]).sort()).toEqual(['1', '2', '3', '4']);
    expect(refused).toHaveLength(1);
    expect(refused[0].path).toMatch(/level5\.tar\.gz$/);
    expect(refused[0].reason).toMatch(/nested deeper than 4 levels — not opened/);
  });

  it('hostile names inside a nested archive are refused as in the outer one', async () => {
    const out = join(dir, 'hostile.zip');
    nest(out, { kind: 'zip', members: [{ name: 'inner.tgz', kind: 'tgz', members: [{ name: '../escape.log', text: 'x\n' }, { name: 'ok.log', text: 'ok\n' }] }] });
    const { files, refused } = await readAll(out);
    expect([...files.keys()]).toEqual(['hostile.zip!/inner.tgz!/ok.log']);
    expect(refused).toEqual([{ path: 'hostile.zip!/inner.tgz!/../escape.log', reason: expect.stringMatching(/escapes the archive/) }]);
  });
});

describe('a zip member whose header lies about its size', () => {
  const N = 50_000;
  const text = LOG('cdb_core | 2025-12-21T10:00:00Z INFO tick', N);

  /** Overwrite the size fields of the one member in both its local header and the central directory. */
  function lie(zip: Buffer, field: 'uncompressed' | 'compressed', value: number): Buffer {
    const z = Buffer.from(zip);
    const local = z.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const central = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    z.writeUInt32LE(value, local + (field === 'compressed' ? 18 : 22));
    z.writeUInt32LE(value, central + (field === 'compressed' ? 20 : 24));
    return z;
  }

  it.each([
    { field: 'uncompressed' as const, value: 0 },
    { field: 'uncompressed' as const, value: 1000 },
    { field: 'compressed' as const, value: 100 },
  ])('$field size written as $value: every line is read and the note says the header lied', async ({ field, value }) => {
    const honest = join(dir, `honest-${field}-${value}.zip`);
    nest(honest, { kind: 'zip', members: [{ name: 'core.log', text }, { name: 'after.log', text: 'after\n' }] });
    const path = join(dir, `lying-${field}-${value}.zip`);
    writeFileSync(path, lie(readFileSync(honest), field, value));
    const { files, refused } = await readAll(path);
    expect(refused).toEqual([]);
    const core = files.get(`lying-${field}-${value}.zip!/core.log`)!;
    expect(core.lines.length).toBe(N);
    expect(core.lines[N - 1]).toBe(`cdb_core | 2025-12-21T10:00:00Z INFO tick line ${N}`);
    expect(core.result.error).toBeUndefined();
    expect(core.result.bytes).toBe(Buffer.byteLength(text));
    if (field === 'uncompressed') expect(core.result.note).toBe(`the zip header says ${value} byte(s) but the member holds ${Buffer.byteLength(text)}: read to the end of its data, not to the header's size`);
    else expect(core.result.note).toMatch(new RegExp(`^the zip header says ${value} compressed byte\\(s\\) but the member's data is \\d+: read to the end`));
    // the member after it is unharmed
    expect(files.get(`lying-${field}-${value}.zip!/after.log`)!.lines).toEqual(['after']);
    expect(files.get(`lying-${field}-${value}.zip!/after.log`)!.result.note).toBeUndefined();
  });
});
