import type Database from 'better-sqlite3';
import { marketMinutesUsable } from '../../../model/market-minutes.js';

/**
 * Gaps between consecutive market-data rows without a window function over every tick (a B feed
 * ticks every 100 ms). Rows in time-text order whose times share their minute (`YYYY-MM-DDTHH:MM`)
 * are less than a minute apart, so a gap of minutes can only lie between the last row of a
 * minute and the first of the next minute that has rows: SQLite groups the rows by minute, and
 * only those pairs are tested, with the same expression the window query used. Where a time is
 * not `YYYY-MM-DDTHH:MM:SS.sssZ` its minute says nothing, and the window query answers.
 */

/** Any time that is not `YYYY-MM-DDTHH:MM:SS.sssZ` (then a shared minute prefix proves nothing). */
const NOT_CANONICAL = "SUM(NOT (typeof(ts) = 'text' AND length(ts) = 24 AND substr(ts, 11, 1) = 'T' AND substr(ts, 24, 1) = 'Z'))";

interface Pair {
  file_id: number;
  prev: string;
  ts: string;
}

/** Adjacent minutes of one file (rows ordered by file_id, minute) → the boundary pairs. */
function pairsOf(minutes: { file_id: number; f: string; l: string }[]): Pair[] {
  const out: Pair[] = [];
  for (let i = 0; i + 1 < minutes.length; i++) {
    const next = minutes[i + 1];
    if (next.file_id === minutes[i].file_id) out.push({ file_id: next.file_id, prev: minutes[i].l, ts: next.f });
  }
  return out;
}

/** A bound the per-minute rollup can cut at: ASCII, at least a minute's prefix long. */
const CUTTABLE = /^[\x20-\x7e]{16,}$/;

/**
 * The minute boundaries of the ticks in [from, to), read from the per-minute rollup: the minutes
 * strictly between the bounds' own minutes lie wholly inside (every time with that prefix sorts
 * between the bounds), and the (at most two) minutes a bound cuts are read from market_data
 * through its time index. Null when the rollup cannot answer.
 */
function rollupRangeBoundaries(db: Database.Database, from: string, to: string): Pair[] | null {
  if (!CUTTABLE.test(from) || !CUTTABLE.test(to) || !marketMinutesUsable(db)) return null;
  const F = from.slice(0, 16);
  const T = to.slice(0, 16);
  // Every time with the prefix m sorts in [m, m with its last character raised by one).
  const edge = (m: string): [string, string] => {
    const end = m.slice(0, 15) + String.fromCharCode(m.charCodeAt(15) + 1);
    return [from > m ? from : m, to < end ? to : end];
  };
  const edges = F === T ? [edge(F)] : [edge(F), edge(T)];
  const edgeSql = edges.map(() => 'SELECT file_id, substr(ts, 1, 16) AS m, MIN(ts) AS f, MAX(ts) AS l FROM market_data WHERE ts >= ? AND ts < ? GROUP BY file_id');
  const minutes = db
    .prepare(
      `SELECT file_id, m, f, l FROM (
         SELECT file_id, minute AS m, MIN(first_ts) AS f, MAX(last_ts) AS l FROM market_minutes WHERE minute > ? AND minute < ? GROUP BY file_id, minute
         ${edgeSql.map((q) => `UNION ALL ${q}`).join('\n')}
       ) ORDER BY file_id, m`,
    )
    .all(F, T, ...edges.flat()) as { file_id: number; f: string; l: string }[];
  return pairsOf(minutes);
}

/** The pairs (last time of a minute, first time of the file's next minute with rows), or null. */
function minuteBoundaries(db: Database.Database, where: string, params: (string | number)[]): Pair[] | null {
  const minutes = db
    .prepare(`SELECT file_id, substr(ts, 1, 16) AS m, MIN(ts) AS f, MAX(ts) AS l, ${NOT_CANONICAL} AS odd FROM market_data WHERE ${where} GROUP BY file_id, m ORDER BY file_id, m`)
    .all(...params) as { file_id: number; f: string; l: string; odd: number }[];
  if (minutes.some((m) => m.odd)) return null;
  return pairsOf(minutes);
}

/** The boundary pairs of a file's ticks inside the block, from the rollup; null when it cannot answer. */
function rollupFileBoundaries(db: Database.Database, fileId: number): Pair[] | null {
  if (!marketMinutesUsable(db)) return null;
  const minutes = db
    .prepare('SELECT file_id, minute, MIN(first_ts) AS f, MAX(last_ts) AS l FROM market_minutes WHERE in_block = 1 AND file_id = ? GROUP BY file_id, minute ORDER BY minute')
    .all(fileId) as { file_id: number; f: string; l: string }[];
  return pairsOf(minutes);
}

/**
 * `SELECT prev, ts FROM (SELECT ts, LAG(ts) OVER (ORDER BY ts) AS prev FROM market_data WHERE
 * in_block = 1 AND file_id = ? AND ts IS NOT NULL) WHERE prev IS NOT NULL AND (julianday(ts) -
 * julianday(prev)) * 86400000.0 >= ? ORDER BY ts`, for a `minMs` of a minute or more.
 */
export function fileGaps(db: Database.Database, fileId: number, minMs: number): { prev: string; ts: string }[] {
  const pairs = minMs >= 60_000 ? (rollupFileBoundaries(db, fileId) ?? minuteBoundaries(db, 'in_block = 1 AND file_id = ? AND ts IS NOT NULL', [fileId])) : null;
  if (pairs === null) {
    return db
      .prepare(
        `SELECT prev, ts FROM (SELECT ts, LAG(ts) OVER (ORDER BY ts) AS prev FROM market_data WHERE in_block = 1 AND file_id = ? AND ts IS NOT NULL)
         WHERE prev IS NOT NULL AND (julianday(ts) - julianday(prev)) * 86400000.0 >= ? ORDER BY ts`,
      )
      .all(fileId, minMs) as { prev: string; ts: string }[];
  }
  return db
    .prepare(
      `SELECT prev, ts FROM (SELECT json_extract(value, '$.prev') AS prev, json_extract(value, '$.ts') AS ts FROM json_each(?))
       WHERE (julianday(ts) - julianday(prev)) * 86400000.0 >= ? ORDER BY ts`,
    )
    .all(JSON.stringify(pairs), minMs) as { prev: string; ts: string }[];
}

export interface FeedGap {
  ts: string;
  file_id: number;
  line_no: number;
  prev_ts: string;
  prev_line: number;
  minutes: number;
}

/**
 * The longest `limit` gaps of at least `minMinutes` (one or more) between consecutive rows of a
 * file in [from, to), in (ts, line_no) order per file, during which the file's log went on (a
 * record strictly between them): what the window query of the timeline returned.
 */
export function feedGaps(db: Database.Database, from: string, to: string, minMinutes: number, limit: number): FeedGap[] {
  const pairs = minMinutes >= 1 ? (rollupRangeBoundaries(db, from, to) ?? minuteBoundaries(db, 'ts >= ? AND ts < ?', [from, to])) : null;
  if (pairs === null) {
    return db
      .prepare(
        `WITH m AS (
           SELECT ts, file_id, line_no, LAG(ts) OVER w AS prev_ts, LAG(line_no) OVER w AS prev_line
           FROM market_data WHERE ts >= ? AND ts < ? WINDOW w AS (PARTITION BY file_id ORDER BY ts, line_no))
         SELECT ts, file_id, line_no, prev_ts, prev_line, (julianday(ts) - julianday(prev_ts)) * 1440 AS minutes FROM m
         WHERE prev_ts IS NOT NULL AND (julianday(ts) - julianday(prev_ts)) * 1440 >= ?
           AND EXISTS (SELECT 1 FROM log_events e WHERE e.file_id = m.file_id AND e.ts > m.prev_ts AND e.ts < m.ts)
         ORDER BY minutes DESC, ts LIMIT ?`,
      )
      .all(from, to, minMinutes, limit) as FeedGap[];
  }
  const gaps = db
    .prepare(
      `WITH m AS (SELECT json_extract(value, '$.ts') AS ts, json_extract(value, '$.file_id') AS file_id, json_extract(value, '$.prev') AS prev_ts FROM json_each(?))
       SELECT ts, file_id, prev_ts, (julianday(ts) - julianday(prev_ts)) * 1440 AS minutes FROM m
       WHERE (julianday(ts) - julianday(prev_ts)) * 1440 >= ?
         AND EXISTS (SELECT 1 FROM log_events e WHERE e.file_id = m.file_id AND e.ts > m.prev_ts AND e.ts < m.ts)
       ORDER BY minutes DESC, ts LIMIT ?`,
    )
    .all(JSON.stringify(pairs), minMinutes, limit) as Omit<FeedGap, 'line_no' | 'prev_line'>[];
  // In (ts, line_no) order the row before a gap is the last at its time, the row after it the first at its time.
  const line = db.prepare('SELECT MIN(line_no) AS first, MAX(line_no) AS last FROM market_data WHERE file_id = ? AND ts = ?');
  return gaps.map((g) => ({
    ...g,
    line_no: (line.get(g.file_id, g.ts) as { first: number }).first,
    prev_line: (line.get(g.file_id, g.prev_ts) as { last: number }).last,
  }));
}
