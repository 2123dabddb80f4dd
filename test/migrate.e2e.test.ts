import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, SAMPLES, tmp } from './helpers.js';

/**
 * A database as an older cdb-forensics wrote it. Schema 3: no clock-skew sums in log_hourly.
 * Schema 2: also no event classes, no copies table, no catalog/copy/previous-hash columns in the
 * manifest. Schema 1: also no log_hourly.
 */
function downgrade(file: string, version: 1 | 2 | 3): void {
  const d = new Database(file);
  const has = (t: string, c: string) => (d.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).some((x) => x.name === c);
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
  log_events: 'SELECT COUNT(*) AS n FROM log_events',
};

describe('a working database of an older schema', () => {
  it.each([
    ['drawdown-runbook', 1],
    ['exposure-stuck-era-a', 1],
    ['drawdown-runbook', 2],
    ['healthy-era-a.tgz', 2],
    ['drawdown-runbook', 3],
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
    expect(r.stderr).toContain(`from schema version ${version} to 4`);
    const a = new Database(fresh, { readonly: true });
    const b = new Database(old, { readonly: true });
    expect(b.pragma('user_version', { simple: true })).toBe(4);
    for (const [t, q] of Object.entries(TABLES)) expect(b.prepare(q).all(), t).toEqual(a.prepare(q).all());
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
    expect(r.stderr).toContain(`cdb-forensics ingest "${join(SAMPLES, 'drawdown-runbook')}" --db "${join(dir, 'case.v4.db')}"`);
  });
});
