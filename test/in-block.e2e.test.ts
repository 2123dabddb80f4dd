import Database from 'better-sqlite3';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES, tmp } from './helpers.js';

/**
 * The writer stores raw rows marked as if inside the block and the model build rewrites only the
 * rows whose mark changes. Whatever the window and whatever the previous one was, every row's
 * in_block must be what the block says: 1 inside, 0 outside, NULL without a time.
 */
const TABLES: [string, string][] = [
  ['log_events', 'ts'],
  ['redis_messages', 'COALESCE(ts, payload_ts)'],
  ['market_data', 'ts'],
  ['signals', 'ts'],
  ['orders', 'ts'],
];

describe('in_block after a model build, for any window and any window before it', () => {
  const db = join(tmp('cdbf-inblock-'), 'case.db');
  let from = '';
  let to = '';
  beforeAll(() => {
    const r = cli(['ingest', FIXTURES, '--db', db, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const d = new Database(db, { readonly: true });
    // The span of the logs themselves (the inferred block may be whole days around them).
    const span = d.prepare('SELECT MIN(ts) AS f, MAX(ts) AS t FROM log_events').get() as { f: string; t: string };
    from = span.f;
    to = span.t;
    d.close();
  }, 300_000);

  const mid = (a: string, b: string, f: number) => new Date(Date.parse(a) + (Date.parse(b) - Date.parse(a)) * f).toISOString().slice(0, 19);
  /** Rows inside the inferred block, as the first build marked them. */
  let inferredInside = -1;
  it.each([
    ['the inferred window', () => [] as string[], 'inferred'],
    ['a window that cuts the evidence in the middle', () => ['--from', mid(from, to, 0.3), '--to', mid(from, to, 0.6)], 'cut'],
    ['the inferred window again (rows outside go back in)', () => [] as string[], 'inferred'],
    ['a window after all evidence', () => ['--from', '2099-01-01', '--to', '2099-01-02'], 'none'],
  ])('%s', (_name, window, kind) => {
    const r = cli(['ingest', FIXTURES, '--db', db, '--quiet', ...window()]);
    expect(r.status, r.stderr).toBe(0);
    const d = new Database(db, { readonly: true });
    const b = (k: string) => (d.prepare('SELECT value FROM block WHERE key = ?').get(k) as { value: string }).value;
    let outside = 0;
    let inside = 0;
    for (const [t, ts] of TABLES) {
      const wrong = d
        .prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE in_block IS NOT (CASE WHEN ${ts} IS NULL THEN NULL WHEN ${ts} >= ? AND ${ts} <= ? THEN 1 ELSE 0 END)`)
        .get(b('from'), b('to')) as { n: number };
      expect(wrong.n, `${t}: rows whose in_block disagrees with the block`).toBe(0);
      const c = d.prepare(`SELECT SUM(in_block = 0) AS o, SUM(in_block = 1) AS i FROM ${t}`).get() as { o: number | null; i: number | null };
      outside += c.o ?? 0;
      inside += c.i ?? 0;
    }
    d.close();
    if (kind === 'inferred') {
      expect(inside).toBeGreaterThan(0);
      if (inferredInside < 0) inferredInside = inside;
      else expect(inside, 'the same rows are inside as at the first build').toBe(inferredInside);
    } else if (kind === 'cut') {
      expect(inside).toBeGreaterThan(0);
      expect(inside).toBeLessThan(inferredInside);
      expect(outside).toBeGreaterThan(0);
    } else {
      expect(inside).toBe(0);
      expect(outside).toBeGreaterThan(0);
    }
  }, 300_000);
});
