import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, SAMPLES, tmp } from './helpers.js';

/** A schema-1 database as cdb-forensics 0.1 before log_hourly wrote it: no log_hourly, user_version 1. */
function downgrade(file: string): void {
  const d = new Database(file);
  d.exec('DROP TABLE log_hourly; DROP TABLE signals');
  d.pragma('user_version = 1');
  d.close();
}

const TABLES = {
  log_hourly: 'SELECT file_id, service, hour, kind, level, n, first_ts, last_ts FROM log_hourly ORDER BY 1, 2, 3, 4, 5',
  signals: 'SELECT * FROM signals ORDER BY id',
  risk_decisions: 'SELECT * FROM risk_decisions ORDER BY id',
  trades: 'SELECT * FROM trades ORDER BY id',
  block: 'SELECT * FROM block ORDER BY key',
  log_events: 'SELECT COUNT(*) AS n FROM log_events',
};

describe('a working database of an older schema', () => {
  it.each([['drawdown-runbook'], ['exposure-stuck-era-a']])('%s at schema 1 is migrated: raw tables kept, log_hourly and the model as a fresh ingest makes them', (name) => {
    const dir = tmp('cdbf-migrate-');
    const fresh = join(dir, 'fresh.db');
    const old = join(dir, 'old.db');
    expect(cli(['ingest', join(SAMPLES, name), '--db', fresh, '--quiet', '--from', '2025-11-26', '--to', '2025-12-07']).status).toBe(0);
    copyFileSync(fresh, old);
    downgrade(old);
    const r = cli(['query', '--db', old, 'SELECT COUNT(*) AS n FROM signals', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('migrated the working database');
    expect(r.stderr).toContain('from schema version 1 to 2');
    const a = new Database(fresh, { readonly: true });
    const b = new Database(old, { readonly: true });
    expect(b.pragma('user_version', { simple: true })).toBe(2);
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
    expect(r.stderr).toContain(`cdb-forensics ingest "${join(SAMPLES, 'drawdown-runbook')}" --db "${join(dir, 'case.v2.db')}"`);
  });
});
