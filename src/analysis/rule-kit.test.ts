import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../redact/secrets.js';
import { schemaSql } from '../db/schema.js';
import { Writer } from '../db/writer.js';
import { makeRuleContext } from './context.js';
import { loggedServices } from './rule-kit.js';

const iso = (h: number) => new Date(Date.parse('2026-02-09T00:00:00.000Z') + h * 3_600_000).toISOString();

/**
 * Services in two files written by the real Writer (so log_hourly is what an ingest keeps): one
 * logging all day, one only early, one only late, one with records without a time, one with
 * only health polls, and records without a service.
 */
function bundle(): Database.Database {
  const db = new Database(':memory:');
  db.exec(schemaSql());
  const w = new Writer(db, new Redactor());
  let line = 0;
  const rec = (service: string | null, h: number | null, kind = 'app') =>
    w.write({
      table: 'log_events',
      line: ++line,
      lines: 1,
      values: { service, ts: h === null ? null : iso(h), ts_text: null, docker_ts: null, level: 'INFO', logger: service, message: `line ${line}`, kind, format: 'bracket', stream: null },
    });
  w.setFile(1);
  for (let h = 0; h < 24; h += 0.5) rec('cdb_ws', h);
  rec('cdb_early', 1);
  rec('cdb_early', 2.5);
  rec(null, 12);
  rec('cdb_untimed', null);
  w.finishFile();
  w.setFile(2);
  line = 0;
  rec('cdb_late', 22);
  rec('cdb_polled', 13, 'health_poll');
  w.finishFile();
  return db;
}

/** The scan loggedServices stands for. */
const SCAN = `SELECT DISTINCT service FROM log_events l WHERE service IS NOT NULL AND COALESCE(in_block, 1) = 1 ORDER BY service`;

describe('loggedServices: the services with a record in the block', () => {
  it.each<[string, number, number, string[]]>([
    ['the whole day', 0, 24, ['cdb_early', 'cdb_late', 'cdb_polled', 'cdb_untimed', 'cdb_ws']],
    ['the morning: a block edge inside an hour', 0.75, 10.25, ['cdb_early', 'cdb_untimed', 'cdb_ws']],
    ['the evening', 20, 24, ['cdb_late', 'cdb_untimed', 'cdb_ws']],
    ['before any record', -5, -1, ['cdb_untimed']],
  ])('%s', (_name, from, to, want) => {
    for (const withRollup of [true, false]) {
      const db = bundle();
      if (!withRollup) db.exec('DELETE FROM log_hourly');
      db.prepare('UPDATE log_events SET in_block = CASE WHEN ts IS NULL THEN NULL WHEN ts >= ? AND ts <= ? THEN 1 ELSE 0 END').run(iso(from), iso(to));
      const ctx = makeRuleContext(db, { from: iso(from), to: iso(to), days: [], era: 'B', dialect: 'real' });
      const scan = (db.prepare(SCAN).all() as { service: string }[]).map((r) => r.service);
      expect(scan).toEqual(want);
      expect(loggedServices(ctx)).toEqual(scan);
    }
  });
});
