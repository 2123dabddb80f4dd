import { describe, expect, it } from 'vitest';
import { TestDb } from '../analysis/testing.js';
import { blockSpansSql, buildMarketMinutes, marketMinutesUsable, MinuteRollup } from './market-minutes.js';

type Tick = [file: number | null, ts: string | null, inBlock: 0 | 1 | null];

const SCAN = 'SELECT file_id, MIN(ts) AS f, MAX(ts) AS t, COUNT(*) AS n, MIN(source) AS source FROM market_data WHERE in_block = 1 AND ts IS NOT NULL GROUP BY file_id ORDER BY file_id';

function ticks(rows: Tick[]): TestDb {
  const t = new TestDb();
  t.file('logs/a.log');
  t.file('logs/b.log');
  t.file('logs/c.log');
  rows.forEach(([file_id, ts, in_block], i) => t.insert('market_data', { file_id, line_no: i + 1, ts, symbol: i % 2 ? 'ETHUSDT' : 'BTCUSDT', price: 1, source: i % 5 === 4 ? null : i % 2 ? 'redis' : 'log', in_block }));
  return t;
}

const CASES: [string, Tick[], boolean][] = [
  ['one file, ticks in several minutes', [[1, '2025-11-27T10:00:00.100Z', 1], [1, '2025-11-27T10:00:59.999Z', 1], [1, '2025-11-27T10:03:00.000Z', 1]], true],
  [
    'three files interleaved, inside and outside the block in the same minute, untimed ticks',
    [[1, '2025-11-27T09:59:59.900Z', 0], [2, '2025-11-27T10:00:00.000Z', 1], [1, '2025-11-27T10:00:00.000Z', 1], [3, null, null], [2, '2025-11-27T23:59:59.999Z', 1], [2, '2025-11-28T00:00:00.000Z', 0], [3, '2025-11-27T12:00:00.000Z', 0]],
    true,
  ],
  ['a time in another format beside canonical ones', [[1, '2025-11-27 10:00:00', 1], [1, '2025-11-27T10:00:30.000Z', 1], [2, '2025-11-27T10:01:00Z', 1]], false],
  ['a tick without a file', [[null, '2025-11-27T10:00:00.000Z', 1], [null, '2025-11-27T10:05:00.000Z', 1], [1, '2025-11-27T10:00:00.000Z', 1]], true],
  ['only untimed ticks', [[1, null, null], [2, null, null]], true],
  ['no ticks', [], true],
];

describe('per-minute rollup of market_data', () => {
  it.each(CASES)('spans per file read from the rollup equal the scan: %s', (_n, rows) => {
    const t = ticks(rows);
    const want = t.db.prepare(SCAN).all();
    expect(t.db.prepare(`SELECT * FROM ${blockSpansSql(t.db)} ORDER BY file_id`).all()).toEqual(want);
    buildMarketMinutes(t.db);
    expect(t.db.prepare(`SELECT * FROM ${blockSpansSql(t.db)} ORDER BY file_id`).all()).toEqual(want);
  });

  it.each(CASES)('counts every timed tick once, by file, minute and block mark: %s', (_n, rows) => {
    const t = ticks(rows);
    buildMarketMinutes(t.db);
    const want = t.db
      .prepare('SELECT file_id, substr(ts, 1, 16) AS minute, in_block, COUNT(*) AS n, MIN(ts) AS first_ts, MAX(ts) AS last_ts FROM market_data WHERE ts IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3')
      .all();
    expect(t.db.prepare('SELECT file_id, minute, in_block, n, first_ts, last_ts FROM market_minutes ORDER BY 1, 2, 3').all()).toEqual(want);
  });

  it.each(CASES)('answers for the minute edges only when every time is canonical: %s', (_n, rows, usable) => {
    const t = ticks(rows);
    expect(marketMinutesUsable(t.db)).toBe(false);
    buildMarketMinutes(t.db);
    expect(marketMinutesUsable(t.db)).toBe(usable);
  });

  /** Ticks as the build inserts them (file, time, source), and the block the build then marks. */
  const GATHERED: [string, [number | null, string | number | null, string][], [string, string]][] = [
    [
      'minutes cut by both block edges, in three files, inserted out of time order',
      [
        [1, '2025-11-27T09:59:30.000Z', 'log'], [1, '2025-11-27T10:00:10.000Z', 'log'], [1, '2025-11-27T09:59:59.999Z', 'log'], [2, '2025-11-27T10:00:00.000Z', 'redis'],
        [1, '2025-11-27T10:00:00.000Z', 'log'], [3, '2025-11-27T11:30:00.000Z', 'jsonl'], [3, '2025-11-27T11:30:20.000Z', 'db'], [2, '2025-11-27T12:00:00.000Z', 'redis'], [2, '2025-11-27T12:00:00.001Z', 'log'],
        [2, '2025-11-27T12:00:59.999Z', 'redis'], [1, null, 'log'], [3, '2025-11-27T12:01:00.000Z', 'jsonl'], [null, '2025-11-27T11:00:00.000Z', 'log'],
      ],
      ['2025-11-27T10:00:00.000Z', '2025-11-27T12:00:00.000Z'],
    ],
    [
      'a block inside one minute, and minutes wholly before and after it',
      [[1, '2025-11-27T10:00:01.000Z', 'log'], [1, '2025-11-27T10:00:05.000Z', 'log'], [1, '2025-11-27T10:00:09.000Z', 'log'], [1, '2025-11-27T09:00:00.000Z', 'log'], [1, '2025-11-27T11:00:00.000Z', 'log']],
      ['2025-11-27T10:00:02.000Z', '2025-11-27T10:00:08.000Z'],
    ],
    [
      'a time in another format: every tick grouped in SQL',
      [[1, '2025-11-27T10:00:01.000Z', 'log'], [1, '2025-11-27 10:00:05', 'log'], [2, '2025-11-27T10:00:09Z', 'redis']],
      ['2025-11-27T10:00:00.000Z', '2025-11-27T12:00:00.000Z'],
    ],
    ['a numeric time: every tick grouped in SQL', [[1, 1764237600, 'redis'], [1, '2025-11-27T10:00:05.000Z', 'redis']], ['2025-11-27T10:00:00.000Z', '2025-11-27T12:00:00.000Z']],
    ['no ticks', [], ['2025-11-27T10:00:00.000Z', '2025-11-27T12:00:00.000Z']],
  ];
  const ROWS = 'SELECT file_id, minute, in_block, n, first_ts, last_ts, odd, source FROM market_minutes ORDER BY file_id, minute, in_block';

  it.each(GATHERED)('gathered while the ticks are inserted, it equals the rollup grouped in SQL: %s', (_n, rows, [from, to]) => {
    const t = new TestDb();
    const minutes = new MinuteRollup();
    rows.forEach(([file_id, ts, source], i) => {
      t.insert('market_data', { file_id, line_no: i + 1, ts, symbol: 'BTCUSDT', price: 1, source, in_block: 1 });
      minutes.add(file_id, ts, source);
    });
    // The build's block marks (markInBlock).
    t.db.prepare('UPDATE market_data SET in_block = CASE WHEN ts IS NULL THEN NULL WHEN ts >= ? AND ts <= ? THEN 1 ELSE 0 END').run(from, to);
    minutes.write(t.db, from, to);
    const got = t.db.prepare(ROWS).all();
    buildMarketMinutes(t.db);
    expect(got).toEqual(t.db.prepare(ROWS).all());
  });
});
