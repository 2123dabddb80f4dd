import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { registerPgFunctions } from './functions.js';
import { DialectError, rewritePostgres } from './rewrite.js';

const NOW = Date.parse('2025-11-28T23:59:59.999Z');
const rw = (sql: string, tz = 'UTC') => rewritePostgres(sql, { now: NOW, nowLabel: 'the block end', tz }).statements.map((s) => s.sql).join(';\n');

describe('rewritePostgres', () => {
  it.each([
    ["SELECT 1 WHERE ts >= NOW() - INTERVAL '3 days'", "SELECT 1 WHERE pg_ts(ts) >= '2025-11-25T23:59:59.999Z'"],
    ["SELECT 'NOW() - INTERVAL ''3 days''', \"now()\" FROM t -- NOW()::float", "SELECT 'NOW() - INTERVAL ''3 days''', \"now()\" FROM t -- NOW()::float"],
    ['SELECT SUM(x)::float / COUNT(*) FROM t', 'SELECT CAST(SUM(x) AS REAL) / COUNT(*) FROM t'],
    ['SELECT (a + b)::numeric(10,2), c::int, d::text FROM t', 'SELECT CAST((a + b) AS REAL), CAST(ROUND(c) AS INTEGER), CAST(d AS TEXT) FROM t'],
    ['SELECT CAST(ts AS date) FROM t', 'SELECT pg_date((ts)) FROM t'],
    ["SELECT ts + INTERVAL '1 hour' FROM t", "SELECT pg_add(ts, '1 hour', 1) FROM t"],
    ["SELECT 1 FROM t WHERE ts > CURRENT_TIMESTAMP - INTERVAL '1 day' - INTERVAL '2 hours'", "SELECT 1 FROM t WHERE pg_ts(ts) > '2025-11-27T21:59:59.999Z'"],
    ["SELECT 1 FROM t WHERE ts >= '3 days'::interval + ts", null],
    ["SELECT DATE(ts), DATE(ts, '+1 day') FROM t", "SELECT pg_date(ts), DATE(ts, '+1 day') FROM t"],
    ["SELECT DATE_TRUNC('hour', ts), EXTRACT(HOUR FROM ts), DATE_PART('dow', ts) FROM t", "SELECT pg_date_trunc('hour', ts), pg_extract('hour', ts), pg_extract('dow', ts) FROM t"],
    ["SELECT 1 FROM t WHERE reason NOT ILIKE '%drawdown%' AND x LIKE 'a\\_b'", "SELECT 1 FROM t WHERE NOT pg_ilike(reason, '%drawdown%') AND x LIKE 'a\\_b' ESCAPE '\\'"],
    ["SELECT 1 FROM t WHERE t.timestamp < '2025-11-26 00:00' AND report_date = '2025-11-26'", "SELECT 1 FROM t WHERE pg_ts(t.timestamp) < '2025-11-26T00:00:00.000Z' AND report_date = '2025-11-26'"],
    ["SELECT 1 FROM t WHERE ts NOT IN ('2025-11-26 00:49:33', '2025-11-27T01:00:00Z') AND x IN ('2025-11-26')", "SELECT 1 FROM t WHERE pg_ts(ts) NOT IN ('2025-11-26T00:49:33.000Z', '2025-11-27T01:00:00.000Z') AND x IN ('2025-11-26')"],
    ["SELECT CURRENT_DATE, CURRENT_DATE - 2, STRING_AGG(s, ',') FROM t", "SELECT '2025-11-28', '2025-11-26', group_concat(s, ',') FROM t"],
  ])('%s', (sql, want) => {
    if (want === null) expect(() => rw(sql)).toThrow(DialectError);
    else expect(rw(sql)).toBe(want);
  });

  it.each([
    ["SELECT DATE(ts) FROM t WHERE ts >= '2025-11-26'", 'Europe/Berlin', "SELECT pg_date(ts) FROM t WHERE pg_ts(ts) >= '2025-11-25T23:00:00.000Z'"],
    ['SELECT CURRENT_DATE', 'Asia/Tokyo', "SELECT '2025-11-29'"],
  ])('session zone: %s in %s', (sql, tz, want) => {
    expect(rw(sql, tz)).toBe(want);
  });

  it.each([
    ["SELECT x FROM t WHERE a ~* 'b'", 'regular-expression operator ~*'],
    ["SELECT E'a\\n' FROM t", "E'…' escape string"],
    ['SELECT $$x$$', '$$-quoted string'],
    ["SELECT INTERVAL '3 fortnights' + ts", "INTERVAL '3 fortnights'"],
    ["SELECT DATE_TRUNC('fortnight', ts) FROM t", "DATE_TRUNC field 'fortnight'"],
    ['SELECT CURRENT_DATE - d FROM t', 'arithmetic on a date'],
    ['SELECT (x FROM t', 'never closed'],
    ['SELECT EXTRACT(EPOCH FROM t.last_ts - first_ts) FROM t', 'the difference of two times'],
    ['SELECT NOW() - ts FROM t', 'the difference of two times'],
  ])('refuses %s', (sql, construct) => {
    try {
      rw(sql);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DialectError);
      const d = e as DialectError;
      expect(d.message + d.construct).toContain(construct);
      expect(d.sqliteWay.length).toBeGreaterThan(3);
      expect(d.where).toMatch(/line 1, column \d+/);
    }
  });

  it('states the clock and zone it assumed', () => {
    const r = rewritePostgres("SELECT DATE(ts) FROM t WHERE ts > NOW() AND x LIKE 'a%'", { now: NOW, nowLabel: 'the block end', tz: 'UTC' });
    expect(r.notes).toEqual([
      'NOW() = 2025-11-28T23:59:59.999Z (the block end)',
      'session time zone UTC: DATE(), DATE_TRUNC, EXTRACT, ::date and time literals without an offset follow it',
      'LIKE is case-sensitive, as in PostgreSQL (ILIKE ignores case)',
    ]);
  });
});

describe('pg_* functions', () => {
  const db = new Database(':memory:');
  registerPgFunctions(db, 'Europe/Berlin');
  it.each([
    ["pg_date('2025-11-26T23:30:00.000Z')", '2025-11-27'],
    ["pg_ts('2025-11-26 00:00')", '2025-11-25T23:00:00.000Z'],
    ["pg_ts('2025-12-22 00:36:27.2+00')", '2025-12-22T00:36:27.200Z'],
    ["pg_add('2025-10-25T10:00:00.000Z', '1 day', 1)", '2025-10-26T11:00:00.000Z'], // DST ends: same wall time next day
    ["pg_add('2025-01-31T12:00:00.000Z', '1 month', 1)", '2025-02-28T12:00:00.000Z'],
    ["pg_date_trunc('day', '2025-11-26T23:30:00.000Z')", '2025-11-26T23:00:00.000Z'],
    ["pg_date_trunc('week', '2025-11-26T10:00:00.000Z')", '2025-11-23T23:00:00.000Z'],
    ["pg_extract('hour', '2025-11-26T23:30:00.000Z')", 0],
    ["pg_extract('dow', '2025-11-26T10:00:00.000Z')", 3],
    ["pg_ilike('Daily DRAWDOWN exceeded', '%drawdown%')", 1],
    ["pg_ilike('ÄRGER', 'ä%')", 1],
    ["pg_ilike('a%b', 'a\\%b')", 1],
    ["pg_ilike('axb', 'a\\%b')", 0],
    ["pg_bool('t')", 1],
  ])('%s = %s', (expr, want) => {
    expect((db.prepare(`SELECT ${expr} AS v`).get() as { v: unknown }).v).toBe(want);
  });
});
