import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RAW_TABLES } from '../src/db/raw-tables.js';
import { INDEX_SQL, SCHEMA_VERSION } from '../src/db/schema.js';
import { cli, SAMPLES, tmp } from './helpers.js';

/**
 * log_events (and its mirror of copies) as schema 4 and earlier stored them: every column plain
 * text, nothing packed. Built from the fresh table's own values, so that a migration must give
 * back exactly what the writer stored.
 */
function unpack(d: Database.Database): void {
  const cols = ['file_id', 'line_no', 'line_count', ...Object.keys(RAW_TABLES.log_events.columns), 'in_block'];
  const def = Object.entries(RAW_TABLES.log_events.columns).map(([c, t]) => `${c} ${t}`).join(', ');
  d.exec(`CREATE TABLE log_events_v4 (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL, ${def}, in_block INTEGER);
    INSERT INTO log_events_v4 (id, ${cols.join(', ')}) SELECT id, ${cols.join(', ')} FROM log_events ORDER BY id;
    DROP TABLE log_events; ALTER TABLE log_events_v4 RENAME TO log_events; ${INDEX_SQL}`);
  if (d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'copy_log_events'").get()) {
    // As v4 made it: CREATE TABLE ... AS SELECT * FROM log_events WHERE 0.
    d.exec(`CREATE TABLE copy_v4 AS SELECT * FROM log_events WHERE 0;
      INSERT INTO copy_v4 SELECT id, ${cols.join(', ')} FROM copy_log_events ORDER BY id;
      DROP TABLE copy_log_events; ALTER TABLE copy_v4 RENAME TO copy_log_events`);
  }
}

/**
 * A database as an older cdb-forensics wrote it. Schema 4: log_events unpacked. Schema 3: also
 * no clock-skew sums in log_hourly. Schema 2: also no event classes, no copies table, no
 * catalog/copy/previous-hash columns in the manifest. Schema 1: also no log_hourly.
 */
function downgrade(file: string, version: 1 | 2 | 3 | 4): void {
  const d = new Database(file);
  const has = (t: string, c: string) => (d.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).some((x) => x.name === c);
  unpack(d);
  if (version === 4) {
    d.pragma('user_version = 4');
    d.close();
    return;
  }
  for (const c of ['skew_n', 'skew_over', 'skew_sum', 'skew_lo', 'skew_hi']) d.exec(`ALTER TABLE log_hourly DROP COLUMN ${c}`);
  if (version === 3) {
    d.pragma('user_version = 3');
    d.close();
    return;
  }
  d.exec('DROP INDEX IF EXISTS ix_log_events_class; DROP TABLE copies; ALTER TABLE log_events DROP COLUMN class; ALTER TABLE log_hourly DROP COLUMN class');
  for (const c of ['catalog_version', 'copies', 'copy_lines', 'previous_sha256']) if (has('manifest', c)) d.exec(`ALTER TABLE manifest DROP COLUMN ${c}`);
  d.exec('DROP VIEW trading_signals; DROP TABLE signals');
  if (version === 1) d.exec('DROP TABLE log_hourly');
  d.pragma(`user_version = ${version}`);
  d.close();
}

const TABLES = {
  log_hourly: 'SELECT file_id, service, hour, kind, level, class, n, first_ts, last_ts FROM log_hourly ORDER BY 1, 2, 3, 4, 5, 6',
  classes: 'SELECT id, class FROM log_events ORDER BY id',
  manifest: 'SELECT id, path, catalog_version, copies, copy_lines FROM manifest ORDER BY id',
  signals: 'SELECT * FROM signals ORDER BY id',
  risk_decisions: 'SELECT * FROM risk_decisions ORDER BY id',
  trades: 'SELECT * FROM trades ORDER BY id',
  block: 'SELECT * FROM block ORDER BY key',
  // Every column of every row, the packed ones included: the migration stores what the writer does.
  log_events: 'SELECT * FROM log_events ORDER BY id',
  copy_log_events: 'SELECT * FROM copy_log_events ORDER BY id',
  copies: 'SELECT * FROM copies ORDER BY rowid',
};

describe('a working database of an older schema', () => {
  it.each([
    ['drawdown-runbook', 1],
    ['exposure-stuck-era-a', 1],
    ['drawdown-runbook', 2],
    ['healthy-era-a.tgz', 2],
    ['drawdown-runbook', 3],
    ['drawdown-runbook', 4],
    ['copies-three-era-a', 4],
    ['persistence-era-b.zip', 4],
  ] as const)('%s at schema %i is migrated: raw tables kept, classes, copies, log_hourly and the model as a fresh ingest makes them', (name, version) => {
    const dir = tmp('cdbf-migrate-');
    const fresh = join(dir, 'fresh.db');
    const old = join(dir, 'old.db');
    expect(cli(['ingest', join(SAMPLES, name), '--db', fresh, '--quiet', '--from', '2025-11-26', '--to', '2025-12-07']).status).toBe(0);
    copyFileSync(fresh, old);
    downgrade(old, version);
    const r = cli(['query', '--db', old, 'SELECT COUNT(*) AS n FROM signals', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('migrated the working database');
    expect(r.stderr).toContain(`from schema version ${version} to ${SCHEMA_VERSION}`);
    const a = new Database(fresh, { readonly: true });
    const b = new Database(old, { readonly: true });
    expect(b.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const exists = (d: Database.Database, t: string) => d.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
    for (const [t, q] of Object.entries(TABLES)) {
      expect(exists(b, t), t).toBe(exists(a, t));
      if (exists(a, t)) expect(b.prepare(q).all(), t).toEqual(a.prepare(q).all());
    }
    if (name === 'copies-three-era-a') expect((b.prepare('SELECT COUNT(*) AS n FROM copy_log_events').get() as { n: number }).n).toBeGreaterThan(0);
    // an explicit window stays explicit
    expect((b.prepare("SELECT evidence FROM block WHERE key = 'from'").get() as { evidence: string }).evidence).toBe('set with --from');
    a.close();
    b.close();
    // opened again: nothing left to migrate
    expect(cli(['query', '--db', old, 'SELECT 1']).stderr).not.toContain('migrated');
  });

  it('a schema it cannot migrate is refused with the exact re-ingest command', () => {
    const dir = tmp('cdbf-migrate-');
    const db = join(dir, 'case.db');
    expect(cli(['ingest', join(SAMPLES, 'drawdown-runbook'), '--db', db, '--quiet']).status).toBe(0);
    const d = new Database(db);
    d.pragma('user_version = 99');
    d.close();
    const r = cli(['query', '--db', db, 'SELECT 1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('schema version 99');
    expect(r.stderr).toContain(`cdb-forensics ingest "${join(SAMPLES, 'drawdown-runbook')}" --db "${join(dir, `case.v${SCHEMA_VERSION}.db`)}"`);
  });
});
