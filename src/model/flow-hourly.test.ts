import { describe, expect, it } from 'vitest';
import { TestDb } from '../analysis/testing.js';
import { buildFlowHourly } from './flow-hourly.js';
import { buildMarketMinutes } from './market-minutes.js';

type Tick = [file: number, ts: string | number | null];

const FROM = '2026-02-09T00:00:00.000Z';
const TO = '2026-02-10T23:59:59.999Z';
const FLOW = "SELECT hour, class, n, source, in_block, observed FROM flow_hourly WHERE stage = 'market_data' ORDER BY rowid";

const CASES: [string, Tick[]][] = [
  ['ticks in several hours and files, inside and outside the block', [[1, '2026-02-08T23:59:59.999Z'], [2, '2026-02-09T00:00:00.000Z'], [1, '2026-02-09T00:59:59.999Z'], [1, '2026-02-09T01:00:00.000Z'], [2, '2026-02-10T23:59:59.999Z'], [2, '2026-02-11T00:30:00.000Z']]],
  ['several ticks a minute', [[1, '2026-02-09T05:00:00.100Z'], [1, '2026-02-09T05:00:00.200Z'], [2, '2026-02-09T05:00:30.000Z'], [1, '2026-02-09T05:00:59.900Z'], [1, '2026-02-09T05:01:00.000Z'], [1, '2026-02-09T06:59:59.999Z']]],
  ['untimed ticks', [[1, null], [1, '2026-02-09T05:00:00.100Z'], [2, null]]],
  ['times far outside the block ± 1 day', [[1, '1970-01-01T00:00:00.000Z'], [1, '2026-02-09T05:00:00.100Z'], [1, '2099-12-31T23:00:00.000Z']]],
  ['a time that is not ISO text: every tick is read', [[1, '2026-02-09 05:00:00'], [1, '2026-02-09T05:00:00.100Z'], [2, '2026-02-09T06:00:00Z']]],
  ['a time stored as a number', [[1, 1770613200000], [1, '2026-02-09T05:00:00.100Z']]],
  ['no ticks', []],
];

function ticks(rows: Tick[]): TestDb {
  const t = new TestDb();
  t.file('logs/a.log');
  t.file('logs/b.log');
  rows.forEach(([file_id, ts], i) => t.insert('market_data', { file_id, line_no: i + 1, ts, symbol: 'BTCUSDT', price: 1, source: 'log', in_block: ts === null ? null : 1 }));
  t.db.prepare("INSERT INTO block (key, value) VALUES ('source.market_data', 'log')").run();
  return t;
}

describe('the hourly flow of market data', () => {
  it.each(CASES)('counts the same ticks per hour from the per-minute rollup as from every tick: %s', (_name, rows) => {
    const t = ticks(rows);
    buildFlowHourly(t.db, FROM, TO);
    const want = t.db.prepare(FLOW).all();
    buildMarketMinutes(t.db);
    buildFlowHourly(t.db, FROM, TO);
    expect(t.db.prepare(FLOW).all()).toEqual(want);
    expect(want.length).toBeGreaterThan(0);
  });
});
