/**
 * Checkpoints on a thread of their own (src/db/checkpointer.ts) change when pages are copied
 * from the WAL into the database file, never what the database holds: every table, the schema
 * and the reports are those of SQLite's own checkpoints, the WAL is empty when the command ends,
 * and a bundle large enough to be read on several threads gets them without being asked.
 */
import Database from 'better-sqlite3';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateComposeLogs } from '../src/bench/generate.js';
import { cli, dumpTables, SAMPLES, tmp } from './helpers.js';

const NOW = '2025-11-29T08:00:00Z';

/** Every table, the schema, and what quick_check says of the file. */
function dump(dbPath: string): Record<string, string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    return { ...dumpTables(dbPath), '(quick_check)': JSON.stringify(db.pragma('quick_check')) };
  } finally {
    db.close();
  }
}

function reports(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** Bytes left in the WAL: 0 when it is gone or empty, i.e. every page is in the database file. */
function walBytes(dbPath: string): number {
  return existsSync(dbPath + '-wal') ? statSync(dbPath + '-wal').size : 0;
}

function runWith(bundle: string, checkpoints: '0' | '1', extra: string[] = []) {
  const dir = tmp('cdbf-ckpt-');
  const db = join(dir, 'case.db');
  const r = cli(['run', bundle, '--db', db, '--out', join(dir, 'out'), '--now', NOW, '--quiet', ...extra], { env: { CDB_FORENSICS_BG_CHECKPOINT: checkpoints } });
  return { r, db, out: join(dir, 'out'), dir };
}

describe('checkpoints on a thread of their own', () => {
  it.each([
    ['drawdown-runbook', []],
    ['healthy-era-a.tgz', []],
    ['persistence-era-b.zip', ['--jobs', '3']],
    ['feed-dies-midblock-era-b', ['--jobs', '1']],
  ])('%s %j: the same tables, schema and reports as SQLite\'s own checkpoints, an empty WAL after', (sample, extra) => {
    const own = runWith(join(SAMPLES, sample), '0', extra);
    const bg = runWith(join(SAMPLES, sample), '1', extra);
    expect(own.r.status, own.r.stderr).toBe(0);
    expect(bg.r.status, bg.r.stderr).toBe(0);
    expect(bg.r.stderr).not.toMatch(/write-ahead log/);
    expect(walBytes(bg.db)).toBe(0);
    expect(existsSync(bg.db + '-wal')).toBe(false);
    expect(dump(bg.db)).toEqual(dump(own.db));
    expect(reports(bg.out)).toEqual(reports(own.out));
    rmSync(own.dir, { recursive: true, force: true });
    rmSync(bg.dir, { recursive: true, force: true });
  }, 120_000);

  it('a checkpoint thread that dies: the run completes with the same database and reports, and says so', () => {
    const own = runWith(join(SAMPLES, 'drawdown-runbook'), '0');
    const dir = tmp('cdbf-ckpt-fail-');
    const db = join(dir, 'case.db');
    const r = cli(['run', join(SAMPLES, 'drawdown-runbook'), '--db', db, '--out', join(dir, 'out'), '--now', NOW, '--quiet'], {
      env: { CDB_FORENSICS_BG_CHECKPOINT: '1', CDB_FORENSICS_FAIL_CHECKPOINT: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: the working database's write-ahead log was not copied into the database file \(.*CDB_FORENSICS_FAIL_CHECKPOINT.*\); nothing is lost/);
    expect(dump(db)).toEqual(dump(own.db));
    expect(reports(join(dir, 'out'))).toEqual(reports(own.out));
    rmSync(own.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  let big = '';
  beforeAll(async () => {
    // Over the size at which a bundle is read on several threads: the background thread's own choice.
    big = join(tmp('cdbf-ckpt-big-'), 'bundle');
    cpSync(join(SAMPLES, 'drawdown-runbook'), big, { recursive: true });
    await generateComposeLogs(join(big, 'more'), 18e6);
  }, 120_000);

  it('a bundle read on several threads: chosen without being asked; ingest then analyze equals run; a second ingest changes nothing', () => {
    const dir = tmp('cdbf-ckpt-auto-');
    const db = join(dir, 'case.db');
    const env = { CDB_FORENSICS_BG_CHECKPOINT: '' };
    const ing = cli(['ingest', big, '--db', db, '--jobs', '2', '--quiet'], { env });
    expect(ing.status, ing.stderr).toBe(0);
    expect(walBytes(db)).toBe(0);
    // The thread's connection was the last one: SQLite removed the WAL when it closed.
    expect(existsSync(db + '-wal')).toBe(false);
    const first = dump(db);
    const again = cli(['ingest', big, '--db', db, '--jobs', '2', '--quiet'], { env });
    expect(again.status, again.stderr).toBe(0);
    expect(dump(db)).toEqual(first);
    const own = runWith(big, '0', ['--jobs', '2']);
    expect(own.r.status, own.r.stderr).toBe(0);
    const an = cli(['analyze', '--db', db, '--out', join(dir, 'out'), '--now', NOW], { env });
    expect(an.status, an.stderr).toBe(0);
    expect(reports(join(dir, 'out'))).toEqual(reports(own.out));
    expect(first).toEqual(dump(own.db));
    rmSync(dir, { recursive: true, force: true });
    rmSync(own.dir, { recursive: true, force: true });
  }, 300_000);
});
