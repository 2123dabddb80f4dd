import { describe, expect, it } from 'vitest';
import { TestDb } from '../analysis/testing.js';
import { inferBlock, inferZone } from './block.js';

const HOST = 'host local (CET/CEST, assumed)';

/** A bundle whose logs start at `logStart`, with signals on local vs UTC days and a daily_check Yesterday value. */
function bundle(opts: { logStart: string; reported: number | null }): TestDb {
  const t = new TestDb();
  const logs = t.file('logs/compose_logs.txt');
  t.insert('log_hourly', { file_id: logs, service: 'cdb_core', hour: opts.logStart.slice(0, 13), kind: 'app', level: 'INFO', n: 10, first_ts: opts.logStart, last_ts: '2025-12-17T22:50:00.000Z' });
  t.insert('log_hourly', { file_id: logs, service: 'cdb_core', hour: '2025-12-17T22', kind: 'app', level: 'INFO', n: 50, first_ts: '2025-12-17T22:00:00.000Z', last_ts: '2025-12-17T22:50:00.000Z' });
  const db = t.file('db/signals.csv');
  // 2025-12-15 local = 2025-12-14T23:00Z .. 2025-12-15T23:00Z: 3 signals in the late UTC hour of the 14th, 20 on the 15th.
  for (const ts of ['2025-12-14T23:10:00.000Z', '2025-12-14T23:20:00.000Z', '2025-12-14T23:30:00.000Z']) t.insert('signals', { file_id: db, ts, source: 'db' });
  for (let i = 0; i < 20; i++) t.insert('signals', { file_id: db, ts: `2025-12-15T1${i % 10}:0${i % 6}:00.000Z`, source: 'db' });
  if (opts.reported !== null) {
    const rep = t.file('reports/report_20251216.md');
    t.insert('daily_report_values', { file_id: rep, report_kind: 'daily_check', report_date: '2025-12-16', zone: HOST, key: 'Signals Yesterday (2025-12-15)', value_text: String(opts.reported), value_num: opts.reported });
  }
  return t;
}

describe('block zone', () => {
  it.each<[string, string, number | null, string | null]>([
    ['logs from local midnight and a report that counts the local day', '2025-12-14T23:00:04.000Z', 23, 'Europe/Berlin'],
    ['logs from local midnight, but the report counts the UTC day', '2025-12-14T23:00:04.000Z', 20, null],
    ['logs from UTC midnight, the report counts the local day', '2025-12-15T00:00:04.000Z', 23, null],
    ['logs from local midnight, no report with a dated day', '2025-12-14T23:00:04.000Z', null, null],
  ])('%s → %s', (_n, logStart, reported, zone) => {
    const t = bundle({ logStart, reported });
    const z = inferZone(t.db);
    expect(z?.zone ?? null).toBe(zone);
    if (z) expect(z.evidence).toMatch(/compose_logs\.txt starts at .* local midnight.*report_20251216\.md.*Signals Yesterday \(2025-12-15\) 23 equals the DB's local day \(UTC day: 20\)/);
  });

  it('the window of a local-day block runs from local midnight to local midnight', () => {
    const t = bundle({ logStart: '2025-12-14T23:00:04.000Z', reported: 23 });
    const utc = inferBlock(t.db, [], 'UTC');
    const local = inferBlock(t.db, [], 'Europe/Berlin');
    expect([utc.from, utc.to]).toEqual(['2025-12-15T00:00:00.000Z', '2025-12-17T23:59:59.999Z']);
    expect([local.from, local.to]).toEqual(['2025-12-14T23:00:00.000Z', '2025-12-17T22:59:59.999Z']);
  });
});
