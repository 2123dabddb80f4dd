/**
 * A bundle as an analyst packs it: a full pg_dump, a partial CSV of the same table (other
 * columns), an aggregate CSV of that table (`day,status,approved,count`) and one large log.
 * Generated at test time; nothing big is committed.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cli, FIXTURES, tmp } from './helpers.js';

function dump(dbPath: string): Record<string, string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const out: Record<string, string> = {};
    const tables = db.prepare("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'index', 'view') ORDER BY name").all() as { name: string; type: string; sql: string | null }[];
    out['(schema)'] = JSON.stringify(tables);
    for (const { name, type } of tables) if (type === 'table') out[name] = JSON.stringify(db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).raw().all());
    return out;
  } finally {
    db.close();
  }
}

const AGGREGATE_LINES = 15;
const PARTIAL_ROWS = 40;

function makeBundle(): string {
  const dir = join(tmp(), 'mixed');
  mkdirSync(join(dir, 'db'), { recursive: true });
  // One large log, first in scan order, so it fills the main thread's run and the dumps go to workers.
  const log = readFileSync(join(FIXTURES, 'docker', 'compose_logs_timestamps.txt'), 'utf8');
  writeFileSync(join(dir, 'a-compose-logs.txt'), log.repeat(40));
  const days = ['2025-12-20', '2025-12-21', '2025-12-22', '2025-12-23', '2025-12-24'];
  const agg = ['day,status,approved,count'];
  for (const d of days) agg.push(`${d},filled,t,${7 + d.length}`, `${d},pending,f,3`, `${d},rejected,f,1`);
  writeFileSync(join(dir, 'db', 'b-orders-per-day.csv'), agg.join('\n') + '\n');
  // A partial export with fewer columns and one the dump does not have: the parallel merge must
  // add columns exactly when the serial writer does.
  const partial = ['id,symbol,side,order_type,status,size,exported_at'];
  for (let i = 0; i < PARTIAL_ROWS; i++) partial.push(`${83 + i},LTC_USDT,buy,market,filled,${1000 + i}.00000000,2025-12-24 08:00:00+00`);
  writeFileSync(join(dir, 'db', 'c-orders-partial.csv'), partial.join('\n') + '\n');
  writeFileSync(join(dir, 'db', 'd-full-dump.sql'), readFileSync(join(FIXTURES, 'postgres', 'pg_dump_data_only.sql')));
  return dir;
}

describe('a bundle mixing a full dump, partial and aggregate CSVs of one table and a large log', () => {
  let bundle: string;
  beforeAll(() => {
    bundle = makeBundle();
  });

  const ingest = (jobs: string): string => {
    const dbPath = join(tmp(), 'case.db');
    const r = cli(['ingest', bundle, '--db', dbPath, '--jobs', jobs]);
    expect(r.status, r.stderr).toBe(0);
    return dbPath;
  };

  it('gives the same working database for --jobs 1 and --jobs 3, every file ingested', () => {
    const serial = ingest('1');
    const parallel = ingest('3');
    const a = dump(serial);
    const b = dump(parallel);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const t of Object.keys(a)) expect(b[t], t).toBe(a[t]);
    const db = new Database(parallel, { readonly: true });
    const statuses = db.prepare("SELECT path, status FROM manifest WHERE path LIKE '%db/%' ORDER BY path").all() as { path: string; status: string }[];
    expect(statuses.map((s) => s.status)).toEqual(['ingested', 'ingested', 'ingested']);
    expect(db.prepare("SELECT COUNT(*) n FROM manifest WHERE status IN ('pending', 'parsing')").get()).toEqual({ n: 0 });
    // The partial CSV's rows are in src_orders with their own extra column.
    const cols = (db.prepare("SELECT name FROM pragma_table_info('src_orders')").all() as { name: string }[]).map((c) => c.name);
    expect(cols).toContain('exported_at');
    expect(cols).toContain('avg_fill_price');
    expect(db.prepare("SELECT COUNT(*) n FROM src_orders WHERE exported_at IS NOT NULL").get()).toEqual({ n: PARTIAL_ROWS });
    db.close();
  });

  it('the aggregate CSV is a query result beside orders, never counted as orders; the manifest says how it was read', () => {
    const dbPath = join(tmp(), 'case.db');
    const r = cli(['ingest', bundle, '--db', dbPath, '--jobs', '1']);
    expect(r.status, r.stderr).toBe(0);
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) n FROM src_query_orders').get()).toEqual({ n: AGGREGATE_LINES });
    // src_orders holds the dump's and the partial export's rows, none of the aggregate's
    const cols = (db.prepare("SELECT name FROM pragma_table_info('src_orders')").all() as { name: string }[]).map((c) => c.name);
    expect(cols).not.toContain('count');
    const m = db.prepare("SELECT id, reason FROM manifest WHERE path LIKE '%b-orders-per-day.csv'").get() as { id: number; reason: string };
    expect(m.reason).toMatch(/aggregate query result/);
    // the canonical model counts no order from it
    expect(db.prepare('SELECT COUNT(*) n FROM orders WHERE file_id = ?').get(m.id)).toEqual({ n: 0 });
    expect((db.prepare('SELECT COUNT(*) n FROM orders').get() as { n: number }).n).toBeGreaterThan(0);
    const notes = (db.prepare('SELECT note FROM file_notes WHERE file_id = ?').all(m.id) as { note: string }[]).map((n) => n.note).join('\n');
    expect(notes).toMatch(/stored as query result query_orders/);
    db.close();
  });
});

describe('archives as analysts pack them', () => {
  it('a compose log in a zip whose header says 0 bytes, inside a tar.gz: every line stored, the manifest notes the lie', () => {
    const dir = tmp();
    const log = readFileSync(join(FIXTURES, 'docker', 'compose_logs_timestamps.txt'));
    const lines = log.toString('utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '').length;
    const py = `
import io, sys, tarfile, zipfile
log = open(sys.argv[1], 'rb').read()
zb = io.BytesIO()
with zipfile.ZipFile(zb, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo('logs/compose.txt', date_time=(2025, 12, 21, 22, 30, 0)), log, zipfile.ZIP_DEFLATED)
z = bytearray(zb.getvalue())
lo = z.find(b'PK\\x03\\x04'); ce = z.find(b'PK\\x01\\x02')
z[lo + 22:lo + 26] = b'\\0\\0\\0\\0'; z[ce + 24:ce + 28] = b'\\0\\0\\0\\0'
with tarfile.open(sys.argv[2], 'w:gz') as t:
    ti = tarfile.TarInfo('export/evidence.zip'); ti.size = len(z); ti.mtime = 1766352600
    t.addfile(ti, io.BytesIO(bytes(z)))
`;
    const bundlePath = join(dir, 'bundle.tgz');
    const r0 = spawnSync('python3', ['-c', py, join(FIXTURES, 'docker', 'compose_logs_timestamps.txt'), bundlePath]);
    expect(r0.status, r0.stderr?.toString()).toBe(0);
    const dbPath = join(tmp(), 'case.db');
    const r = cli(['ingest', bundlePath, '--db', dbPath]);
    expect(r.status, r.stderr).toBe(0);
    const db = new Database(dbPath, { readonly: true });
    const m = db.prepare('SELECT id, path, status, lines, record_lines, structural, quarantined, bytes FROM manifest WHERE status <> ?').all('archive') as Record<string, unknown>[];
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ path: 'bundle.tgz!/export/evidence.zip!/logs/compose.txt', status: 'ingested', lines, bytes: log.length });
    expect((m[0].record_lines as number) + (m[0].structural as number) + (m[0].quarantined as number)).toBe(lines);
    expect(m[0].record_lines as number).toBeGreaterThan(lines * 0.9);
    const notes = db.prepare('SELECT note FROM file_notes WHERE file_id = ?').all(m[0].id) as { note: string }[];
    expect(notes.map((n) => n.note)).toContain(`the zip header says 0 byte(s) but the member holds ${log.length}: read to the end of its data, not to the header's size`);
    db.close();
  });
});

describe('huge config', () => {
  it('a .env of 200,000 lines setting 100,000 keys twice: every setting stored, one note per repeated key', () => {
    const dir = join(tmp(), 'env-bundle');
    mkdirSync(dir);
    const keys = 100_000;
    const lines: string[] = [];
    for (let n = 0; n < 2 * keys; n++) lines.push(`SETTING_${n % keys}=value_${n}`);
    writeFileSync(join(dir, '.env'), lines.join('\n') + '\n');
    const dbPath = join(tmp(), 'case.db');
    const r = cli(['ingest', dir, '--db', dbPath]);
    expect(r.status, r.stderr).toBe(0);
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare("SELECT COUNT(*) n FROM settings WHERE source = 'env'").get()).toEqual({ n: 2 * keys });
    expect(db.prepare('SELECT COUNT(*) n, COUNT(DISTINCT note) d FROM file_notes').get()).toEqual({ n: keys, d: keys });
    expect(db.prepare("SELECT note FROM file_notes WHERE note LIKE 'SETTING_7 %'").get()).toEqual({ note: `SETTING_7 is set twice (lines 8 and ${keys + 8}); the later one wins` });
    db.close();
  }, 180_000);
});

describe('many files that are not evidence', () => {
  it('a copied project with its .venv: the report summarises the junk by folder, report.json keeps every file', () => {
    const dir = join(tmp(), 'project-copy');
    const junk = 3000;
    const text = 'def f(x):\n    return x\n'.repeat(20);
    for (let p = 0; p < 30; p++) {
      const d = join(dir, '.venv', 'lib', 'python3.12', 'site-packages', `pkg${p}`);
      mkdirSync(d, { recursive: true });
      for (let i = 0; i < junk / 30; i++) writeFileSync(join(d, `m${i}.py`), text);
    }
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'compose.txt'), readFileSync(join(FIXTURES, 'docker', 'compose_logs_timestamps.txt')));
    const out = join(tmp(), 'report');
    const r = cli(['run', dir, '--db', join(tmp(), 'case.db'), '--out', out]);
    expect([0, 1]).toContain(r.status);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { manifest: { files: { path: string; status: string }[] } };
    expect(json.manifest.files.length).toBe(junk + 1);
    expect(json.manifest.files.filter((f) => f.status === 'not_ingested').length).toBe(junk);
    for (const name of ['report.md', 'report.html']) {
      const report = readFileSync(join(out, name), 'utf8');
      // one folder row with one example, not 3,000 rows
      expect(report.split('.venv/lib/python3.12/site-packages/').length - 1, name).toBe(1);
      expect(report).toContain('logs/compose.txt');
    }
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| \.venv\/lib \| 3,000 \| 1\.3 MiB \| 3,000 not_ingested \| \.venv\/lib\/python3\.12\/site-packages\/pkg0\/m0\.py \|/);
  }, 300_000);
});
