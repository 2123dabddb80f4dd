import { describe, expect, it } from 'vitest';
import { TestDb } from '../../testing.js';
import { buildMarketMinutes } from '../../../model/market-minutes.js';
import { feedGaps, fileGaps } from './market-gaps.js';

const T0 = Date.parse('2025-11-27T10:00:00.000Z');
const at = (min: number, ms = 0) => new Date(T0 + min * 60_000 + ms).toISOString();

/** The window queries the minute grouping replaces: the reference. */
const FILE_GAPS_SQL = `SELECT prev, ts FROM (SELECT ts, LAG(ts) OVER (ORDER BY ts) AS prev FROM market_data WHERE in_block = 1 AND file_id = ? AND ts IS NOT NULL)
  WHERE prev IS NOT NULL AND (julianday(ts) - julianday(prev)) * 86400000.0 >= ? ORDER BY ts`;
const FEED_GAPS_SQL = `WITH m AS (
    SELECT ts, file_id, line_no, LAG(ts) OVER w AS prev_ts, LAG(line_no) OVER w AS prev_line
    FROM market_data WHERE ts >= ? AND ts < ? WINDOW w AS (PARTITION BY file_id ORDER BY ts, line_no))
  SELECT ts, file_id, line_no, prev_ts, prev_line, (julianday(ts) - julianday(prev_ts)) * 1440 AS minutes FROM m
  WHERE prev_ts IS NOT NULL AND (julianday(ts) - julianday(prev_ts)) * 1440 >= ?
    AND EXISTS (SELECT 1 FROM log_events e WHERE e.file_id = m.file_id AND e.ts > m.prev_ts AND e.ts < m.ts)
  ORDER BY minutes DESC, ts LIMIT ?`;

type Tick = [file: number, ts: string | null, line?: number, inBlock?: 0 | 1];

/**
 * Two feed files with log lines of their own, ticks a second apart with silences around 10 min:
 * one a millisecond short, one exact, one a millisecond over, one inside a single minute's
 * neighbours, several ticks at a gap's edge time (ties broken by line), untimed ticks, ticks
 * marked outside the block, and (for the fallback) a time in another format.
 */
function feed(ticks: Tick[], logs: [file: number, ts: string][]): TestDb {
  const t = new TestDb();
  t.file('logs/ws-a.log');
  t.file('logs/ws-b.log');
  const line = new Map<number, number>();
  const next = (f: number) => {
    const n = (line.get(f) ?? 0) + 1;
    line.set(f, n);
    return n;
  };
  for (const [f, ts, l, inBlock] of ticks) t.insert('market_data', { file_id: f, line_no: l ?? next(f) + 1000, ts, symbol: 'BTCUSDT', price: 1, source: 'log', in_block: inBlock ?? (ts === null ? null : 1) });
  for (const [f, ts] of logs) t.insert('log_events', { file_id: f, line_no: next(f) + 5000, service: 'cdb_ws', ts, message: 'x', kind: 'app' });
  return t;
}

const steady = (f: number, fromMin: number, toMin: number): Tick[] => {
  const out: Tick[] = [];
  for (let s = fromMin * 60; s <= toMin * 60; s += 20) out.push([f, at(0, s * 1000)]);
  return out;
};

const CASES: [string, Tick[], [number, string][]][] = [
  [
    'silences just under, at and over ten minutes, across and within minutes',
    [...steady(1, 0, 5), [1, at(15, -1)], ...steady(1, 15, 20), [1, at(30)], [1, at(40, 1)], ...steady(1, 41, 45), [1, at(55, 30_000)], [1, at(65, 29_999)]],
    [[1, at(10)], [1, at(35)], [1, at(50)], [1, at(60)]],
  ],
  [
    'ties at the edge times, broken by line; a log line only in some silences',
    [[1, at(0), 7], [1, at(0), 3], [1, at(0), 5], [1, at(20), 9], [1, at(20), 2], [1, at(45), 4], [2, at(1), 1], [2, at(31), 2], [2, at(31), 3]],
    [[1, at(10)], [2, at(20)]],
  ],
  [
    'untimed ticks and ticks marked outside the block',
    [[1, null], ...steady(1, 0, 2), [1, at(5), undefined, 0], [1, at(30)], [1, null], [2, at(3)], [2, at(40), undefined, 0], [2, at(50)]],
    [[1, at(4)], [1, at(20)], [2, at(10)], [2, at(45)]],
  ],
  [
    'two files with silences of the same length',
    [[1, at(0)], [1, at(12)], [2, at(0)], [2, at(12)], [2, at(24)]],
    [[1, at(6)], [2, at(6)], [2, at(18)]],
  ],
  ['a time in another format (the window query answers)', [[1, at(0)], [1, '2025-11-27 10:30:00'], [1, at(45)]], [[1, at(20)], [1, at(40)]]],
  ['a time without milliseconds', [[1, at(0)], [1, '2025-11-27T10:30:00Z'], [1, at(45)]], [[1, at(20)], [1, at(40)]]],
  ['no ticks', [], [[1, at(1)]]],
  [
    'two files ticking in the same minutes, silences cut by the range bounds, ticks at a bound',
    [[1, at(0, 500)], [2, at(0, 700)], [1, at(1)], [1, at(12, 59_999)], [2, at(13)], [2, at(30, 1)], [1, at(44, 59_999)], [1, at(45)], [2, at(45, 10)], [2, at(58)], [1, null], [2, null]],
    [[1, at(5)], [1, at(40)], [2, at(20)], [2, at(40)], [2, at(50)]],
  ],
  [
    'ticks only inside one minute, and inside and outside the block in the same minute',
    [[1, at(44, 1)], [1, at(44, 30_000), undefined, 0], [1, at(44, 59_000)], [2, at(1, 1)], [2, at(1, 2), undefined, 0]],
    [[1, at(44, 10)], [2, at(1, 1)]],
  ],
];

/** With and without the per-minute rollup of the model build: both must answer as the window queries. */
const VARIANTS = CASES.flatMap(([n, ticks, logs]) => [
  [`${n} (scan)`, ticks, logs, false] as const,
  [`${n} (rollup)`, ticks, logs, true] as const,
]);

/** Ranges whose bounds fall inside minutes, on a minute, inside one minute, and one the rollup cannot cut. */
const RANGES: [string, string][] = [
  [at(-60), at(120)],
  [at(0), at(45)],
  [at(1), at(44, 59_999)],
  [at(0, 600), at(45, 5)],
  [at(0, 600), at(45, 20)],
  [at(44), at(44, 40_000)],
  [at(1, 1), at(1, 2)],
  ['2025-11-27T10', at(45)],
];

describe('gaps in market data by minute, as the window queries find them', () => {
  it.each(VARIANTS)('fileGaps: %s', (_n, ticks, logs, rollup) => {
    const t = feed(ticks, logs);
    if (rollup) buildMarketMinutes(t.db);
    for (const file of [1, 2]) {
      for (const minMs of [599_999.5, 600_000, 60_000, 1_200_000]) {
        expect(fileGaps(t.db, file, minMs)).toEqual(t.db.prepare(FILE_GAPS_SQL).all(file, minMs));
      }
    }
  });

  it.each(VARIANTS)('feedGaps: %s', (_n, ticks, logs, rollup) => {
    const t = feed(ticks, logs);
    if (rollup) buildMarketMinutes(t.db);
    for (const [from, to] of RANGES) {
      for (const [min, limit] of [
        [10, 10],
        [1, 10],
        [10, 1],
        [25, 10],
      ]) {
        expect(feedGaps(t.db, from, to, min, limit)).toEqual(t.db.prepare(FEED_GAPS_SQL).all(from, to, min, limit));
      }
    }
  });

  it('finds the silences the cases are built around: ten minutes and more, not a millisecond less', () => {
    const t = feed(CASES[0][1], CASES[0][2]);
    expect(fileGaps(t.db, 1, 599_999.5).map((g) => [g.prev, g.ts])).toEqual([
      [at(20), at(30)],
      [at(30), at(40, 1)],
      [at(45), at(55, 30_000)],
    ]);
  });
});
