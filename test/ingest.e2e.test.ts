import Database from 'better-sqlite3';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, cli, FIXTURES, samples, tmp, treeHash } from './helpers.js';

interface ManifestRow {
  path: string;
  parser: string | null;
  lines: number;
  records: number;
  record_lines: number;
  structural: number;
  quarantined: number;
  copies: number;
  copy_lines: number;
  status: string;
  message: string | null;
  sha256: string | null;
}

function ingest(bundle: string, extra: string[] = []): { db: Database.Database; dbPath: string; out: ReturnType<typeof cli> } {
  const dbPath = join(tmp(), 'case.db');
  const out = cli(['ingest', bundle, '--db', dbPath, ...extra]);
  expect(out.stderr, out.stderr).not.toMatch(/bug in cdb-forensics/);
  expect(out.status, out.stderr).toBe(0);
  return { db: new Database(dbPath, { readonly: true }), dbPath, out };
}

function manifest(db: Database.Database): ManifestRow[] {
  return db.prepare('SELECT * FROM manifest ORDER BY path').all() as ManifestRow[];
}

const BUNDLES = [{ name: 'real-tools fixtures', path: FIXTURES }, ...samples().map((s) => ({ name: s.name, path: s.path }))];

describe('every line is accounted for, and the bundle is never written', () => {
  it.each(BUNDLES)('$name', ({ path }) => {
    const before = treeHash(path);
    const { db } = ingest(path);
    const rows = manifest(db);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.status, `${r.path}: ${r.message}`).not.toBe('accounting_error');
      expect(r.status, `${r.path}: ${r.message}`).not.toBe('error');
      // A record that copies one of an earlier file is accounted for as a copy (table copies).
      const accounted = r.record_lines + r.structural + r.quarantined + r.copy_lines;
      expect(accounted, r.path).toBe(r.status === 'ingested' || r.status === 'partial' ? r.lines : accounted);
    }
    expect(treeHash(path)).toEqual(before);
  });
});

describe('samples: line counts and runbook per-day query match expected.json (computed by grep/wc)', () => {
  it.each(samples())('$name', ({ path, expected }) => {
    const { db } = ingest(path);
    const rows = manifest(db);
    const prefix = /\.(tgz|tar\.gz|zip)$/.test(path) ? `${basename(path)}!/` : '';
    for (const [file, want] of Object.entries(expected.files)) {
      const row = rows.find((r) => r.path === prefix + file || r.path.endsWith('!/' + file) || r.path === file);
      expect(row, `manifest has ${file}`).toBeDefined();
      expect(row!.lines, file).toBe(want.lines);
      expect(row!.parser, `${file} is claimed by a parser`).not.toBeNull();
    }
    const perDay = expected.counts.signals_per_day as Record<string, number> | undefined;
    if (perDay) {
      const got = Object.fromEntries(
        (db.prepare('SELECT DATE(timestamp) AS d, COUNT(*) AS n FROM trading_signals WHERE in_block = 1 GROUP BY 1 ORDER BY 1').all() as { d: string; n: number }[]).map((r) => [r.d, r.n]),
      );
      const want = Object.fromEntries(Object.entries(perDay).filter(([, n]) => n > 0));
      expect(got).toEqual(want);
    }
    const block = Object.fromEntries((db.prepare('SELECT key, value FROM block').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    // A block in the team's local days runs from local midnight (expected.window), else whole UTC days.
    const window = (expected as { window?: { from: string; to: string } }).window;
    if (window) expect([block.from, block.to]).toEqual([window.from, window.to]);
    else {
      expect(block.from.slice(0, 10)).toBe(expected.block.from);
      expect(block.to.slice(0, 10)).toBe(expected.block.to);
    }
    expect(block.era).toBe(expected.era);
    expect(block.dialect).toBe(expected.dialect);
  });
});

describe('secrets never reach the working database', () => {
  it.each(samples().filter((s) => (s.expected.secrets ?? []).length > 0))('$name', ({ path, expected }) => {
    const { dbPath, db } = ingest(path);
    db.close();
    const bytes = readFileSync(dbPath);
    for (const f of [dbPath + '-wal']) {
      try {
        Buffer.concat([bytes, readFileSync(f)]);
      } catch {
        /* no WAL left */
      }
    }
    for (const s of expected.secrets ?? []) {
      expect(bytes.includes(Buffer.from(s, 'utf8')), `secret ${s.slice(0, 3)}… found in the DB`).toBe(false);
    }
  });
});

describe('detection is by content: random renames change nothing', () => {
  const dirs = [{ name: 'real-tools fixtures', path: FIXTURES }, ...samples().filter((s) => !/\.(tgz|zip)$/.test(s.path)).map((s) => ({ name: s.name, path: s.path }))];
  it.each(dirs)('$name renamed at random', ({ path }) => {
    const dir = tmp();
    const files: { from: string; rel: string }[] = [];
    const walk = (d: string, rel = '') => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), rel ? `${rel}/${e.name}` : e.name);
        else files.push({ from: join(d, e.name), rel: rel ? `${rel}/${e.name}` : e.name });
      }
    };
    walk(path);
    // Deterministic "random" names: flat, with no hint of the content; a .gz keeps its magic bytes, not its name.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1e9).toString(36);
    const renamed = new Map<string, string>();
    for (const f of files) {
      const name = `file_${rnd()}${['.txt', '.log', '', '.dat'][seed % 4]}`;
      copyFileSync(f.from, join(dir, name));
      renamed.set(name, f.rel);
    }
    const a = JSON.parse(cli(['detect', path, '--json']).stdout) as { files: { path: string; parser: string | null }[] };
    const b = JSON.parse(cli(['detect', dir, '--json']).stdout) as { files: { path: string; parser: string | null }[] };
    const want = Object.fromEntries(a.files.map((f) => [f.path, f.parser]));
    const got = Object.fromEntries(b.files.map((f) => [renamed.get(f.path)!, f.parser]));
    expect(got).toEqual(want);
    expect(Object.values(want).filter((p) => p !== null).length).toBeGreaterThan(0);
    // Ingest results too: the same records, lines and quarantine per file. Which of two copies of
    // a record keeps it goes by path order, so a file's records and copies together are compared,
    // and the events stored in all.
    const key = (db: Database.Database, map: (p: string) => string) =>
      Object.fromEntries(manifest(db).map((r) => [map(r.path), [r.parser, r.lines, r.records + r.copies, r.structural, r.quarantined, r.sha256]]));
    const events = (db: Database.Database) => db.prepare('SELECT SUM(records) AS n, SUM(copies) AS c FROM manifest').get();
    const [renamedDb, originalDb] = [ingest(dir).db, ingest(path).db];
    expect(key(renamedDb, (p) => renamed.get(p)!)).toEqual(key(originalDb, (p) => p));
    expect(events(renamedDb)).toEqual(events(originalDb));
  });
});

describe('hostile and broken input fails forward', () => {
  it('names file and line for each problem and ingests the rest', () => {
    const dir = tmp();
    const good = readFileSync(join(FIXTURES, 'docker', 'compose_logs.txt'));
    writeFileSync(join(dir, 'good.txt'), good);
    writeFileSync(join(dir, 'truncated.log.gz'), gzipSync(good).subarray(0, 4000));
    writeFileSync(join(dir, 'image.bin'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256)));
    const lines = good.toString('utf8').split('\n').slice(0, 20);
    const withHuge = [...lines.slice(0, 5), 'cdb_risk          | ' + 'x'.repeat(5 * 1024 * 1024), ...lines.slice(5)].join('\n') + '\n';
    writeFileSync(join(dir, 'huge.txt'), withHuge);
    const withNul = Buffer.concat([Buffer.from(lines.slice(0, 3).join('\n') + '\n'), Buffer.from('cdb_risk | bad\0line\n'), Buffer.from(lines.slice(3).join('\n') + '\n')]);
    writeFileSync(join(dir, 'nul.txt'), withNul);
    const withBadUtf8 = Buffer.concat([Buffer.from(lines.slice(0, 4).join('\n') + '\n'), Buffer.from([0x63, 0x64, 0x62, 0x5f, 0x72, 0x20, 0x7c, 0x20, 0xff, 0xfe, 0xc3, 0x0a]), Buffer.from(lines.slice(4).join('\n') + '\n')]);
    writeFileSync(join(dir, 'badutf8.txt'), withBadUtf8);
    const before = treeHash(dir);
    const { db } = ingest(dir);
    const rows = Object.fromEntries(manifest(db).map((r) => [r.path, r]));
    expect(rows['good.txt'].status).toBe('ingested');
    expect(rows['truncated.log.gz'].status).toBe('partial');
    expect(rows['truncated.log.gz'].message).toMatch(/gzip/i);
    expect(rows['image.bin'].status).toBe('binary');
    const q = db.prepare('SELECT path, line, reason FROM quarantine ORDER BY path, line').all() as { path: string; line: number; reason: string }[];
    expect(q).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'huge.txt', line: 6 }),
        expect.objectContaining({ path: 'nul.txt', line: 4 }),
        expect.objectContaining({ path: 'badutf8.txt', line: 5 }),
      ]),
    );
    for (const p of ['huge.txt', 'nul.txt', 'badutf8.txt']) {
      // All three repeat good.txt's lines: what they share with an earlier file is stored once.
      expect(rows[p].records + rows[p].copies, p).toBeGreaterThan(0);
      expect(rows[p].record_lines + rows[p].structural + rows[p].quarantined + rows[p].copy_lines).toBe(rows[p].lines);
    }
    expect(treeHash(dir)).toEqual(before);
  });

  it('a PowerShell-saved UTF-16LE CRLF log gives the same rows as its UTF-8 twin', () => {
    const dir = tmp();
    const text = readFileSync(join(FIXTURES, 'docker', 'compose_logs_timestamps.txt'), 'utf8');
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'logs.txt'), text);
    writeFileSync(join(dir, 'b', 'logs.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le')]));
    const q = 'SELECT service, ts, level, logger, message, kind, line_no, line_count FROM log_events ORDER BY line_no';
    const a = ingest(join(dir, 'a')).db.prepare(q).all();
    const b = ingest(join(dir, 'b')).db.prepare(q).all();
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
  });
});

describe('the working database', () => {
  it('re-ingesting the same bundle is a no-op; another bundle is refused unless --append', () => {
    const dbDir = tmp();
    const dbPath = join(dbDir, 'case.db');
    const first = cli(['ingest', FIXTURES, '--db', dbPath]);
    expect(first.status, first.stderr).toBe(0);
    const count = () => (new Database(dbPath, { readonly: true }).prepare('SELECT (SELECT COUNT(*) FROM log_events) + (SELECT COUNT(*) FROM redis_messages) AS n').get() as { n: number }).n;
    const n1 = count();
    const second = cli(['ingest', FIXTURES, '--db', dbPath]);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/20 unchanged; 0 rows/);
    expect(count()).toBe(n1);
    // A file parsed by an older parser version is parsed again, replacing (not adding to) its rows.
    const rw = new Database(dbPath);
    rw.prepare("UPDATE manifest SET parser_version = 0 WHERE path = 'redis/monitor.txt'").run();
    rw.close();
    const third = cli(['ingest', FIXTURES, '--db', dbPath]);
    expect(third.status).toBe(0);
    // Only monitor.txt is read again: its 64 commands (65 lines, less the OK line).
    expect(third.stdout).toMatch(/19 unchanged; 64 rows/);
    expect(count()).toBe(n1);
    const v = new Database(dbPath, { readonly: true }).prepare("SELECT parser_version FROM manifest WHERE path = 'redis/monitor.txt'").get() as { parser_version: number };
    expect(v.parser_version).toBeGreaterThan(0);
    const other = tmp();
    cpSync(join(FIXTURES, 'redis'), other, { recursive: true });
    const refused = cli(['ingest', other, '--db', dbPath]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/another bundle/);
    expect(refused.stderr).toMatch(/--append/);
    const appended = cli(['ingest', other, '--db', dbPath, '--append']);
    expect(appended.status, appended.stderr).toBe(0);
  });

  it.each([
    [['ingest', '/nonexistent/bundle'], /error\[BUNDLE_NOT_FOUND\]/],
    [['detect', '/nonexistent/bundle'], /error\[BUNDLE_NOT_FOUND\]/],
  ])('%j exits 2 with what/where/help', (args, re) => {
    const r = cli(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/help:/);
  });

  it('a bundle in which nothing is recognised exits 2 and says what to do', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'notes.txt'), 'just some notes\nnothing to see\n');
    const r = cli(['ingest', dir, '--db', join(tmp(), 'x.db')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/NOTHING_RECOGNISED/);
    expect(r.stderr).toMatch(/--as/);
  });
});
void dirname;
void extname;

/** Every table's rows in id order and the schema, as one comparable text per table. */
function dump(dbPath: string): Record<string, string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const out: Record<string, string> = {};
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index', 'view') ORDER BY name").all() as { name: string; sql: string | null }[];
    out['(schema)'] = JSON.stringify(tables);
    for (const { name } of tables) {
      if (!(db.prepare("SELECT type FROM sqlite_master WHERE name = ?").get(name) as { type: string }).type.startsWith('table')) continue;
      out[name] = JSON.stringify(db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).raw().all());
    }
    return out;
  } finally {
    db.close();
  }
}

describe('parallel ingest', () => {
  const bundles = [...samples().map((s) => [s.name, s.path]), ['fixtures', FIXTURES]];

  it.each(bundles)('%s: --jobs 3 gives the same working database as --jobs 1', (_name, path) => {
    const serial = ingest(path, ['--jobs', '1']);
    const parallel = ingest(path, ['--jobs', '3']);
    serial.db.close();
    parallel.db.close();
    const a = dump(serial.dbPath);
    const b = dump(parallel.dbPath);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const t of Object.keys(a)) expect(b[t], t).toBe(a[t]);
    // The workers' scratch databases are gone.
    expect(readdirSync(dirname(parallel.dbPath)).filter((f) => f.includes('ingest-part'))).toEqual([]);
  });

  it('a worker that fails costs no evidence: its files are read by the main thread, with a warning', () => {
    const dbPath = join(tmp(), 'case.db');
    const r = spawnSync(process.execPath, [BIN, 'ingest', FIXTURES, '--db', dbPath, '--jobs', '2'], {
      encoding: 'utf8',
      env: { ...process.env, CDB_FORENSICS_FAIL_WORKER: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: ingest worker 1 failed \(.*CDB_FORENSICS_FAIL_WORKER.*\); its \d+ file\(s\) were read by the main thread instead/);
    const serial = ingest(FIXTURES, ['--jobs', '1']);
    serial.db.close();
    const a = dump(serial.dbPath);
    const b = dump(dbPath);
    for (const t of Object.keys(a)) expect(b[t], t).toBe(a[t]);
  });
});

describe('log_hourly', () => {
  it.each([...samples().map((s) => [s.name, s.path]), ['fixtures', FIXTURES]])('%s: the hourly rollup counts every log record of every file', (_name, path) => {
    const { db } = ingest(path);
    const per = db
      .prepare(
        `SELECT m.path, (SELECT COUNT(*) FROM log_events l WHERE l.file_id = m.id) AS rows,
                (SELECT COALESCE(SUM(n), 0) FROM log_hourly h WHERE h.file_id = m.id) AS rolled,
                (SELECT COUNT(*) FROM log_events l WHERE l.file_id = m.id AND l.ts IS NOT NULL) AS timed,
                (SELECT COALESCE(SUM(n), 0) FROM log_hourly h WHERE h.file_id = m.id AND h.hour IS NOT NULL) AS rolledTimed
           FROM manifest m ORDER BY m.path`,
      )
      .all() as { path: string; rows: number; rolled: number; timed: number; rolledTimed: number }[];
    expect(per.some((p) => p.rows > 0)).toBe(true);
    for (const p of per) expect([p.path, p.rolled, p.rolledTimed]).toEqual([p.path, p.rows, p.timed]);
    const spans = db.prepare("SELECT (SELECT MIN(ts) FROM log_events WHERE ts IS NOT NULL) a, (SELECT MIN(first_ts) FROM log_hourly) b, (SELECT MAX(ts) FROM log_events) c, (SELECT MAX(last_ts) FROM log_hourly) d").get() as Record<string, string>;
    expect([spans.b, spans.d]).toEqual([spans.a, spans.c]);
    db.close();
  });
});

it('a bundle path that does not exist leaves no working database behind', () => {
  const dbPath = join(tmp(), 'case.db');
  const r = cli(['ingest', '/nonexistent/bundle', '--db', dbPath]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/BUNDLE_NOT_FOUND/);
  expect(readdirSync(dirname(dbPath))).toEqual([]);
});
