import type Database from 'better-sqlite3';

/**
 * Per-minute rollup of `market_data`: one row per (file, minute, in_block) with the count and the
 * first and last time. A B feed ticks every 100 ms (1 GB of DEBUG log: millions of ticks); the
 * readers of gaps between ticks (market-gaps) need only the edges of each minute, and read them
 * here rather than grouping every tick on every call.
 *
 * `minute` is `substr(ts, 1, 16)` (`YYYY-MM-DDTHH:MM`); untimed ticks are not counted. `odd` counts
 * the times that are not `YYYY-MM-DDTHH:MM:SS.sssZ`: where a minute holds one, its prefix proves
 * nothing about order, and the readers answer from `market_data` itself.
 *
 * The table is made by the model build only (MODEL_SQL drops it): a database whose build did not
 * make it, or a test that fills `market_data` by hand, has none, and the readers scan as before.
 */
export const MARKET_MINUTES_SQL = `
CREATE TABLE market_minutes (
  file_id INTEGER, minute NOT NULL, in_block INTEGER,
  n INTEGER NOT NULL, first_ts NOT NULL, last_ts NOT NULL, odd INTEGER NOT NULL, -- no type: times kept exactly as market_data holds them
  source TEXT                      -- the least source name (MIN(source)): the least of these is the file's
);
INSERT INTO market_minutes
  SELECT file_id, substr(ts, 1, 16), in_block, COUNT(*), MIN(ts), MAX(ts),
         SUM(NOT (typeof(ts) = 'text' AND length(ts) = 24 AND substr(ts, 11, 1) = 'T' AND substr(ts, 24, 1) = 'Z')), MIN(source)
  FROM market_data WHERE ts IS NOT NULL GROUP BY 1, 2, 3;
`;

/** Build the rollup from `market_data` as it stands (after the block marks are set). */
export function buildMarketMinutes(db: Database.Database): void {
  db.exec('DROP TABLE IF EXISTS market_minutes;' + MARKET_MINUTES_SQL);
}

/**
 * True when the rollup exists and every timed tick has a canonical time: then each minute's
 * first and last time stand for the whole minute. Otherwise the readers scan `market_data`.
 */
export function marketMinutesUsable(db: Database.Database): boolean {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'market_minutes'").get();
  if (!has) return false;
  return !db.prepare('SELECT 1 FROM market_minutes WHERE odd > 0 LIMIT 1').get();
}

/**
 * Per file, the first and last time, the count and the least source name of its timed ticks inside
 * the block, as a table expression: \`SELECT file_id, MIN(ts) AS f, MAX(ts) AS t, COUNT(*) AS n,
 * MIN(source) AS source FROM market_data WHERE in_block = 1 AND ts IS NOT NULL GROUP BY file_id\`. From the rollup when it exists (the least of
 * each minute's least is the least, whatever the times look like), else from every tick.
 */
export function blockSpansSql(db: Database.Database): string {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'market_minutes'").get();
  return has
    ? '(SELECT file_id, MIN(first_ts) AS f, MAX(last_ts) AS t, SUM(n) AS n, MIN(source) AS source FROM market_minutes WHERE in_block = 1 GROUP BY file_id)'
    : '(SELECT file_id, MIN(ts) AS f, MAX(ts) AS t, COUNT(*) AS n, MIN(source) AS source FROM market_data WHERE in_block = 1 AND ts IS NOT NULL GROUP BY file_id)';
}
