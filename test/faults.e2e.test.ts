/**
 * The working database is evidence: a process killed at any moment, a second process, a full
 * disk or a damaged file must never leave half a file, a doubled file or a report of half the
 * evidence. These tests kill the built CLI (SIGKILL, as the OOM killer does) at named points
 * (CDB_FORENSICS_FAULT=<phase>:<n>) and at random moments, run it again, and compare every
 * table and the report with a clean run.
 *
 * CI runs a spread of points; CDB_FORENSICS_FAULT_ALL=1 runs every phase at many counts and
 * more random kills (minutes).
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, appendFileSync, chmodSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateComposeLogs, splitByService } from '../src/bench/generate.js';
import { acquireWriterLock } from '../src/db/lock.js';
import { RAW_TABLES } from '../src/db/raw-tables.js';
import { BIN, cli, dumpTables, SAMPLES, tmp } from './helpers.js';

const NOW = '2025-11-29T08:00:00Z';
const FINAL = new Set(['ingested', 'partial', 'not_ingested', 'binary', 'refused', 'error', 'accounting_error']);

interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Start the CLI; `killAfterMs` sends SIGKILL from outside after that long (if still running). */
function startCli(args: string[], killAfterMs?: number): Promise<Result> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      resolveRun({ status, signal, stdout, stderr });
    });
  });
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * What must hold after any kill: every file is whole or absent. A file with a final status has
 * exactly the rows, quarantine entries and counters its manifest row says; any other file
 * has none.
 */
function assertWholeFiles(dbPath: string): void {
  if (!existsSync(dbPath)) return;
  const db = new Database(dbPath, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    if (!tables.some((t) => t.name === 'manifest')) return;
    // One read transaction for every statement below: a reader must judge one committed state, not
    // a list of source tables from before a commit and their counts from after it.
    db.exec('BEGIN');
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    const src = (db.prepare('SELECT name FROM src_tables').all() as { name: string }[]).map((r) => r.name);
    // Rows the model build derives from log lines (derived = 1) are the model's, not the file's.
    const hasDerived = (t: string) => (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(t) as { name: string }[]).some((c) => c.name === 'derived');
    const counters = [
      ...Object.keys(RAW_TABLES).map((t) => `SELECT COUNT(*) FROM ${t} WHERE file_id = m.id${hasDerived(t) ? ' AND COALESCE(derived, 0) = 0' : ''}`),
      ...src.map((t) => `SELECT COUNT(*) FROM "${t}" WHERE file_id = m.id`),
    ];
    const rows = db
      .prepare(
        `SELECT m.path, m.status, m.records, m.quarantined, (${counters.map((c) => `(${c})`).join(' + ')}) AS stored,
                (SELECT COUNT(*) FROM quarantine q WHERE q.file_id = m.id) AS q
           FROM manifest m`,
      )
      .all() as { path: string; status: string; records: number; quarantined: number; stored: number; q: number }[];
    for (const r of rows) {
      if (FINAL.has(r.status)) expect([r.path, r.stored, r.q]).toEqual([r.path, r.records, r.quarantined]);
      else expect([r.path, r.status, r.stored, r.q]).toEqual([r.path, r.status, 0, 0]);
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

let bundle: string;
let clean: { db: Record<string, string>; reports: Record<string, string> };

function reportsOf(dir: string): Record<string, string> {
  return Object.fromEntries(['report.json', 'report.md', 'report.html'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function runArgs(dir: string): string[] {
  return ['run', bundle, '--db', join(dir, 'case.db'), '--out', join(dir, 'out'), '--now', NOW, '--jobs', '3', '--quiet'];
}

beforeAll(async () => {
  // A multi-file, multi-MB bundle: a sample plus generated logs, one file per service, so
  // that the three threads each get files and the merge has work.
  bundle = join(tmp('cdbf-fault-bundle-'), 'bundle');
  cpSync(join(SAMPLES, 'drawdown-runbook'), bundle, { recursive: true });
  const gen = tmp('cdbf-gen-');
  const logs = await generateComposeLogs(gen, 2.5e6);
  await splitByService(logs.path, join(bundle, 'more-logs'));
  rmSync(gen, { recursive: true, force: true });
  const dir = tmp('cdbf-clean-');
  const r = runCli(runArgs(dir));
  expect(r.status, r.stderr).toBe(0);
  clean = { db: dumpTables(join(dir, 'case.db')), reports: reportsOf(join(dir, 'out')) };
}, 120_000);

const CI_POINTS: [string, string][] = [
  ['ingest', 'file-begin:1'],
  ['ingest', 'file-rows:5'],
  ['run', 'file-rows:17'],
  ['ingest', 'file-end:3'],
  ['run', 'file-commit:2'],
  ['ingest', 'reserved:1'],
  ['run', 'merge:1'],
  ['ingest', 'merge:2'],
  ['run', 'model:1'],
  ['run', 'model-built:1'],
  ['run', 'analyze:1'],
  ['run', 'report:2'],
];

function allPoints(): [string, string][] {
  const out: [string, string][] = [];
  for (const cmd of ['ingest', 'run']) {
    for (const n of [1, 2, 3, 5, 8, 12]) for (const p of ['file-begin', 'file-end', 'file-commit', 'merge']) out.push([cmd, `${p}:${n}`]);
    for (const n of [1, 3, 7, 12, 20, 30, 45, 60]) out.push([cmd, `file-rows:${n}`]);
    for (const p of ['reserved:1', 'model:1', 'model-built:1']) out.push([cmd, p]);
  }
  for (const p of ['analyze:1', 'report:1', 'report:2', 'report:3']) out.push(['run', p]);
  return out;
}

const ALL = process.env.CDB_FORENSICS_FAULT_ALL === '1';
const POINTS = ALL ? allPoints() : CI_POINTS;

describe('a SIGKILL at any point, then a second run: the same database and report as a clean run', () => {
  it.each(POINTS)('%s killed at %s', (cmd, point) => {
    const dir = tmp('cdbf-kill-');
    const db = join(dir, 'case.db');
    const args = cmd === 'run' ? runArgs(dir) : ['ingest', bundle, '--db', db, '--jobs', '3', '--quiet'];
    const killed = runCli(args, { CDB_FORENSICS_FAULT: point });
    // The point must be reached, or this case proves nothing.
    expect(killed.signal, `${point} was not reached: ${killed.stderr}`).toBe('SIGKILL');
    assertWholeFiles(db);
    // Whatever the kill left, an analysis either refuses (exit 2, naming the fix) or reports exactly what a clean run does.
    if (existsSync(db)) {
      const a = runCli(['analyze', '--db', db, '--out', join(dir, 'early'), '--now', NOW]);
      if (a.status === 2) expect(a.stderr).toMatch(/error\[(DB_INTERRUPTED|DB_MODEL_STALE|NOT_INGESTED)\][\s\S]*help: run `cdb-forensics ingest/);
      else expect([a.status, reportsOf(join(dir, 'early'))['report.json']]).toEqual([0, clean.reports['report.json']]);
    }
    const again = runCli(runArgs(dir));
    expect(again.status, again.stderr).toBe(0);
    if (/^(file-|reserved|merge)/.test(point)) expect(again.stderr).toMatch(/resumed: \d+ files? (was|were) interrupted and (is|are) read again/);
    // No scratch database of the killed run's workers is left.
    expect(readdirSync(dir).filter((f) => f.includes('.ingest-part'))).toEqual([]);
    const got = dumpTables(db);
    expect(Object.keys(got)).toEqual(Object.keys(clean.db));
    for (const t of Object.keys(clean.db)) expect(got[t], t).toBe(clean.db[t]);
    expect(reportsOf(join(dir, 'out'))).toEqual(clean.reports);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  // Kills from outside at moments no named point chooses (seeded, so a failure can be replayed).
  const RANDOM = ALL ? 12 : 3;
  let seed = 20261206;
  const delays = Array.from({ length: RANDOM }, () => 150 + ((seed = (seed * 1103515245 + 12345) >>> 0) % 3000));
  it.each(delays)('run killed after %i ms', async (ms) => {
    const dir = tmp('cdbf-rkill-');
    const killed = await startCli(runArgs(dir), ms);
    assertWholeFiles(join(dir, 'case.db'));
    const again = runCli(runArgs(dir));
    expect(again.status, again.stderr).toBe(0);
    const got = dumpTables(join(dir, 'case.db'));
    for (const t of Object.keys(clean.db)) expect(got[t], `${t} (first run: ${killed.signal ?? killed.status})`).toBe(clean.db[t]);
    expect(reportsOf(join(dir, 'out'))).toEqual(clean.reports);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});

describe('one writer at a time', () => {
  it('two runs at once on one database: one waits, then finds nothing to do; no row twice', async () => {
    const dir = tmp('cdbf-two-');
    const args = (out: string) => ['run', bundle, '--db', join(dir, 'case.db'), '--out', join(dir, out), '--now', NOW, '--jobs', '3'];
    const [a, b] = await Promise.all([startCli(args('a')), startCli(args('b'))]);
    expect([a.status, b.status], a.stderr + b.stderr).toEqual([0, 0]);
    const waited = [a, b].filter((r) => /waiting for pid \d+ \(cdb-forensics run /.test(r.stderr));
    expect(waited.length, a.stderr + b.stderr).toBe(1);
    // The one that waited read nothing: every file was already there, whole.
    expect(waited[0].stdout).toMatch(/\(0 read, \d+ unchanged/);
    const got = dumpTables(join(dir, 'case.db'));
    for (const t of Object.keys(clean.db)) expect(got[t], t).toBe(clean.db[t]);
    expect(reportsOf(join(dir, 'a'))).toEqual(clean.reports);
    expect(reportsOf(join(dir, 'b'))).toEqual(clean.reports);
  }, 180_000);

  it('a writer that outwaits --wait exits 2 naming the holder; a reader works meanwhile', async () => {
    const dir = tmp('cdbf-busy-');
    const db = join(dir, 'case.db');
    expect(runCli(['ingest', bundle, '--db', db, '--quiet']).status).toBe(0);
    const lock = await acquireWriterLock(db, { command: 'cdb-forensics ingest (held by the test)' });
    try {
      const r = await startCli(['ingest', bundle, '--db', db, '--wait', '1']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`waiting for pid ${process.pid} \\(cdb-forensics ingest \\(held by the test\\)\\)`));
      expect(r.stderr).toMatch(new RegExp(`error\\[DB_BUSY\\]: another cdb-forensics is using this working database: pid ${process.pid} .*waited 1 s`));
      expect(r.stderr).toMatch(/help: .*--wait/);
      const q = await startCli(['query', '--db', db, '--format', 'csv', "SELECT COUNT(*) AS n FROM manifest WHERE status = 'ingested'"]);
      expect(q.status, q.stderr).toBe(0);
      expect(Number(q.stdout.split('\n')[1])).toBeGreaterThan(10);
    } finally {
      lock.release();
    }
    const after = runCli(['ingest', bundle, '--db', db, '--wait', '1']);
    expect(after.status, after.stderr).toBe(0);
  }, 120_000);

  it('readers during an ingest are never blocked and see whole files only', async () => {
    const dir = tmp('cdbf-read-');
    const db = join(dir, 'case.db');
    const running = startCli(['ingest', bundle, '--db', db, '--jobs', '3']);
    let done = false;
    void running.then(() => (done = true));
    let looks = 0;
    let sawPartialRun = false;
    while (!done) {
      if (existsSync(db)) {
        try {
          assertWholeFiles(db);
          looks++;
          const r = new Database(db, { readonly: true });
          const n = r.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'manifest'").get() as { n: number };
          if (n.n > 0 && (r.prepare("SELECT COUNT(*) AS n FROM manifest WHERE status = 'pending'").get() as { n: number }).n > 0) sawPartialRun = true;
          r.close();
        } catch (e) {
          // The schema may not be there in the first instant; anything else is a failure.
          if (!/no such table/.test((e as Error).message)) throw e;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await running;
    expect(r.status, r.stderr).toBe(0);
    expect(looks).toBeGreaterThan(3);
    expect(sawPartialRun).toBe(true);
    assertWholeFiles(db);
  }, 120_000);

  it('a lock whose holder was killed is taken over, with a message', () => {
    const dir = tmp('cdbf-stale-');
    const db = join(dir, 'case.db');
    const killed = runCli(['ingest', bundle, '--db', db, '--jobs', '3'], { CDB_FORENSICS_FAULT: 'file-rows:4' });
    expect(killed.signal).toBe('SIGKILL');
    const r = runCli(['ingest', bundle, '--db', db, '--wait', '5']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: the previous writer of .*case\.db, pid \d+ \(cdb-forensics ingest .*\), since .*, stopped without finishing and is no longer running; its lock is taken over/);
  }, 120_000);
});

describe('full disk', () => {
  it('SQLITE_FULL while ingesting: exit 2 with what, where and how much; only whole files kept; a later run completes it', () => {
    const dir = tmp('cdbf-full-');
    const db = join(dir, 'case.db');
    const r = runCli(['run', bundle, '--db', db, '--out', join(dir, 'out'), '--now', NOW, '--jobs', '3'], { CDB_FORENSICS_MAX_PAGE_COUNT: '400' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error\[DISK_FULL\]: no space left for the working database while ingesting \(database or disk is full\)/);
    expect(r.stderr).toMatch(new RegExp(`where: ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(r.stderr).toMatch(/help: [\d.]+ MB free there now; the database needs about twice the bundle's size while loading \(this bundle: [\d.]+ MB, so about [\d.]+ MB\)/);
    expect(existsSync(join(dir, 'out', 'report.json'))).toBe(false);
    assertWholeFiles(db);
    const a = runCli(['analyze', '--db', db]);
    expect(a.status).toBe(2);
    const again = runCli(runArgs(dir));
    expect(again.status, again.stderr).toBe(0);
    const got = dumpTables(db);
    for (const t of Object.keys(clean.db)) expect(got[t], t).toBe(clean.db[t]);
  }, 120_000);

  it('a real small filesystem (tmpfs, when the test may mount one): exit 2 with the free space, whole files only, no scratch database left', (ctx) => {
    const mnt = tmp('cdbf-tmpfs-');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) ctx.skip();
    try {
      const db = join(mnt, 'case.db');
      const r = runCli(['ingest', bundle, '--db', db, '--jobs', '3']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/error\[DISK_FULL\]: no space left for the working database while ingesting/);
      expect(r.stderr).toMatch(/help: \d+\.\d MB free there now/);
      assertWholeFiles(db);
      expect(readdirSync(mnt).filter((f) => f.includes('.ingest-part'))).toEqual([]);
    } finally {
      spawnSync('umount', [mnt]);
    }
  }, 120_000);

  it.skipIf(!existsSync('/dev/full'))('no space for the report: exit 2 with the bytes needed; the previous report stays whole', () => {
    const dir = tmp('cdbf-rfull-');
    const first = runCli(runArgs(dir));
    expect(first.status, first.stderr).toBe(0);
    const out = join(dir, 'out');
    // The report is written beside its place first: that file is a device that is always full.
    symlinkSync('/dev/full', join(out, '.report.json.tmp'));
    const r = runCli(runArgs(dir));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error\[DISK_FULL\]: no space left to write the report \([\d,]+ bytes needed/);
    expect(r.stderr).toMatch(/where: .*report\.json/);
    expect(reportsOf(out)).toEqual(clean.reports);
  }, 120_000);
});

function expectUntouched(path: string, before: string): void {
  expect(sha(path)).toBe(before);
}

/** Garbage over the log_events b-tree's root page, written into the file itself: the header still says SQLite. */
function damageInPlace(p: string): void {
  const db = new Database(p, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'log_events'").get() as { rootpage: number }).rootpage;
  db.close();
  const buf = readFileSync(p);
  buf.fill(0x5a, (root - 1) * pageSize, (root - 1) * pageSize + 200);
  writeFileSync(p, buf);
}

describe('foreign, damaged and newer databases are refused, never rebuilt over', () => {
  let good: string;
  beforeAll(() => {
    good = join(tmp('cdbf-good-'), 'good.db');
    expect(runCli(['ingest', join(SAMPLES, 'drawdown-runbook'), '--db', good, '--quiet']).status).toBe(0);
    // One file, no WAL beside it, as an analyst would copy it.
    const db = new Database(good);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
  }, 60_000);

  const makers: Record<string, (path: string) => void> = {
    newer: (p) => {
      cpSync(good, p);
      const db = new Database(p);
      db.pragma('user_version = 99');
      db.close();
    },
    foreign: (p) => {
      const db = new Database(p);
      db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES (\'a\')');
      db.close();
    },
    text: (p) => writeFileSync(p, 'these are my notes, not a database\n'),
    truncated: (p) => {
      cpSync(good, p);
      truncateSync(p, Math.floor(statSync(p).size / 2));
    },
    corrupt: (p) => {
      cpSync(good, p);
      damageInPlace(p);
    },
  };

  it.each([
    ['newer', 'ingest', /error\[DB_NEWER\]: the working database was written by a newer cdb-forensics \(schema version 99; this one reads version \d+\)/],
    ['newer', 'analyze', /error\[DB_NEWER\]/],
    ['newer', 'query', /error\[DB_NEWER\]/],
    ['foreign', 'ingest', /error\[DB_FOREIGN\]: this SQLite file is not a cdb-forensics working database/],
    ['foreign', 'run', /error\[DB_FOREIGN\]/],
    ['foreign', 'query', /error\[DB_FOREIGN\]/],
    ['text', 'ingest', /error\[DB_NOT_SQLITE\]: this file is not an SQLite database/],
    ['text', 'analyze', /error\[DB_NOT_SQLITE\]/],
    ['truncated', 'ingest', /error\[DB_CORRUPT\]: the working database is truncated: the header declares \d+ pages of \d+ bytes/],
    ['truncated', 'trace', /error\[DB_CORRUPT\]: the working database is truncated/],
    ['corrupt', 'ingest', /error\[DB_CORRUPT\]: the working database is damaged \(SQLite integrity check: /],
    ['corrupt', 'analyze', /error\[DB_CORRUPT\]: the working database is damaged/],
  ])('%s database, %s: exit 2, the reason and the fix; the file is untouched', (kind, cmd, re) => {
    const dir = tmp('cdbf-bad-');
    const p = join(dir, 'case.db');
    makers[kind](p);
    const before = sha(p);
    const sample = join(SAMPLES, 'drawdown-runbook');
    const args: Record<string, string[]> = {
      ingest: ['ingest', sample, '--db', p],
      run: ['run', sample, '--db', p, '--out', join(dir, 'out')],
      analyze: ['analyze', '--db', p],
      query: ['query', '--db', p, 'SELECT COUNT(*) FROM manifest'],
      trace: ['trace', 'sig_1', '--db', p],
    };
    const r = runCli(args[cmd]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/ where: .*case\.db\n  help: /);
    expectUntouched(p, before);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 60_000);

  it('a database a clean run stamped and then damaged in place is still refused; one killed mid-write has no stamp', () => {
    const dir = tmp('cdbf-stamp-');
    const p = join(dir, 'case.db');
    const sample = join(SAMPLES, 'drawdown-runbook');
    const killed = runCli(['ingest', sample, '--db', p], { CDB_FORENSICS_FAULT: 'file-rows:4' });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(`${p}.verified`)).toBe(false);
    expect(runCli(['ingest', sample, '--db', p, '--quiet']).status).toBe(0);
    expect(existsSync(`${p}.verified`)).toBe(true);
    expect(runCli(['analyze', '--db', p, '--out', join(dir, 'out')]).status).not.toBe(2);
    damageInPlace(p);
    const r = runCli(['analyze', '--db', p]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error\[DB_CORRUPT\]: the working database is damaged \(SQLite integrity check: /);
  }, 60_000);

  it('analyze refuses a database holding an interrupted file, and ingest reads it again', () => {
    const dir = tmp('cdbf-int-');
    const p = join(dir, 'case.db');
    cpSync(good, p);
    const db = new Database(p);
    const row = db.prepare("SELECT id, path FROM manifest WHERE path LIKE 'logs/%'").get() as { id: number; path: string };
    // What an older version left when killed mid-file: rows committed, status still `parsing`.
    db.prepare("UPDATE manifest SET status = 'parsing' WHERE id = ?").run(row.id);
    const kept = (db.prepare('SELECT COUNT(*) AS n FROM log_events WHERE file_id = ?').get(row.id) as { n: number }).n;
    db.prepare('DELETE FROM log_events WHERE file_id = ? AND id % 2 = 0').run(row.id);
    db.close();
    const a = runCli(['analyze', '--db', p]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(new RegExp(`error\\[DB_INTERRUPTED\\]: the working database holds 1 file whose ingest was interrupted \\(${row.path}\\)`));
    expect(a.stderr).toMatch(/help: run `cdb-forensics ingest <bundle> --db .*` \(or `run`\) again/);
    const r = runCli(['ingest', join(SAMPLES, 'drawdown-runbook'), '--db', p]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resumed: 1 file was interrupted and is read again/);
    const after = new Database(p, { readonly: true });
    expect((after.prepare('SELECT COUNT(*) AS n FROM log_events WHERE file_id = ?').get(row.id) as { n: number }).n).toBe(kept);
    after.close();
    expect(runCli(['analyze', '--db', p]).status).toBe(0);
  }, 60_000);
});

describe('places that cannot be written, and a read-only bundle', () => {
  it.each([
    ['ingest --db under a file', (d: string) => ['ingest', join(SAMPLES, 'drawdown-runbook'), '--db', join(d, 'file', 'case.db')], /error\[NOT_WRITABLE\]: the working database cannot be written: .*file is not a directory/],
    ['run --out under a file', (d: string) => ['run', join(SAMPLES, 'drawdown-runbook'), '--db', join(d, 'case.db'), '--out', join(d, 'file', 'out')], /error\[NOT_WRITABLE\]: the report directory cannot be written: .*file is not a directory/],
    ['analyze --out under a file', (d: string) => ['analyze', '--db', join(d, 'case.db'), '--out', join(d, 'file', 'out')], /error\[NOT_WRITABLE\]: the report directory cannot be written/],
  ])('%s: refused before any work', (_name, args, re) => {
    const dir = tmp('cdbf-ro-');
    writeFileSync(join(dir, 'file'), 'in the way\n');
    if (args(dir)[0] === 'analyze') expect(runCli(['ingest', join(SAMPLES, 'drawdown-runbook'), '--db', join(dir, 'case.db'), '--quiet']).status).toBe(0);
    const before = readdirSync(dir).sort();
    const r = runCli(args(dir));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/help: choose a --(db|out) in a directory you can write/);
    expect(readdirSync(dir).sort()).toEqual(before);
  }, 60_000);

  it('a bundle whose files and directories are read-only ingests normally', () => {
    const dir = tmp('cdbf-robundle-');
    const b = join(dir, 'bundle');
    cpSync(join(SAMPLES, 'drawdown-runbook'), b, { recursive: true });
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        chmodSync(join(d, e.name), e.isDirectory() ? 0o555 : 0o444);
      }
    };
    walk(b);
    chmodSync(b, 0o555);
    const r = cli(['ingest', b, '--db', join(dir, 'case.db')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/11 ingested/);
    chmodSync(b, 0o755);
  }, 60_000);
});

describe('the bundle changed under us', () => {
  it('a file that changed since it was ingested is read again; its old rows go, both hashes are kept', () => {
    const dir = tmp('cdbf-changed-');
    const b = join(dir, 'bundle');
    cpSync(join(SAMPLES, 'drawdown-runbook'), b, { recursive: true });
    const db = join(dir, 'case.db');
    expect(runCli(['ingest', b, '--db', db, '--quiet']).status).toBe(0);
    const target = join(b, 'logs', 'docker_compose_logs.txt');
    const oldSha = sha(target);
    appendFileSync(target, 'cdb_risk          | 2025-11-29 07:59:59,000 [INFO] risk_manager: one more line\n');
    const r = runCli(['ingest', b, '--db', db]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/10 unchanged/);
    const fresh = join(dir, 'fresh.db');
    expect(runCli(['ingest', b, '--db', fresh, '--quiet']).status).toBe(0);
    const q = (p: string) => {
      const d = new Database(p, { readonly: true });
      try {
        return {
          m: d.prepare("SELECT sha256, previous_sha256, lines, records FROM manifest WHERE path = 'logs/docker_compose_logs.txt'").get() as Record<string, unknown>,
          logs: (d.prepare('SELECT COUNT(*) AS n FROM log_events').get() as { n: number }).n,
          hourly: (d.prepare('SELECT SUM(n) AS n FROM log_hourly').get() as { n: number }).n,
        };
      } finally {
        d.close();
      }
    };
    const got = q(db);
    const want = q(fresh);
    expect(got.m).toEqual({ ...want.m, previous_sha256: oldSha });
    expect(got.m.sha256).toBe(sha(target));
    expect([got.logs, got.hourly]).toEqual([want.logs, want.hourly]);
    // The report's manifest shows both hashes.
    const a = runCli(['analyze', '--db', db, '--out', join(dir, 'out'), '--now', NOW]);
    expect(a.status, a.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { manifest: { files: { path: string; sha256: string; previous_sha256?: string }[] } };
    const entry = report.manifest.files.find((f) => f.path === 'logs/docker_compose_logs.txt');
    expect(entry).toMatchObject({ sha256: sha(target), previous_sha256: oldSha });
    expect(report.manifest.files.filter((f) => f.previous_sha256 !== undefined)).toHaveLength(1);
    expect(readFileSync(join(dir, 'out', 'report.md'), 'utf8')).toContain(`(changed since an earlier ingest, was ${oldSha.slice(0, 12)})`);
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toContain(`title="${oldSha}">changed since an earlier ingest, was ${oldSha.slice(0, 12)}<`);
  }, 60_000);
});
