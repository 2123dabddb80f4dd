import type Database from 'better-sqlite3';

/**
 * Per-minute rollup of `market_data`: one row per (file, minute, in_block) with the count, the
 * first and last time and the least source name. A B feed ticks every 100 ms (1 GB of DEBUG log:
 * millions of ticks); the readers of gaps between ticks (market-gaps) need only the edges of each
 * minute, and the readers of each file's span in the block (market-data-silence, -flow) only the
 * least and greatest of them: they read them here rather than grouping every tick on every call.
 *
 * `minute` is `substr(ts, 1, 16)` (`YYYY-MM-DDTHH:MM`); untimed ticks are not counted. `odd` counts
 * the times that are not `YYYY-MM-DDTHH:MM:SS.sssZ`: where a minute holds one, its prefix proves
 * nothing about order, and the readers answer from `market_data` itself.
 *
 * The table is made by the model build only (MODEL_SQL drops it): a database whose build did not
 * make it, or a test that fills `market_data` by hand, has none, and the readers scan as before.
 */
const CREATE_SQL = `
CREATE TABLE market_minutes (
  file_id INTEGER, minute NOT NULL, in_block INTEGER,
  n INTEGER NOT NULL, first_ts NOT NULL, last_ts NOT NULL, odd INTEGER NOT NULL, -- no type: times kept exactly as market_data holds them
  source TEXT                      -- the least source name (MIN(source)): the least of these is the file's
);
`;

const INSERT_SQL = `
INSERT INTO market_minutes
  SELECT file_id, substr(ts, 1, 16), in_block, COUNT(*), MIN(ts), MAX(ts),
         SUM(NOT (typeof(ts) = 'text' AND length(ts) = 24 AND substr(ts, 11, 1) = 'T' AND substr(ts, 24, 1) = 'Z')), MIN(source)
  FROM market_data WHERE ts IS NOT NULL GROUP BY 1, 2, 3;
`;

/** Build the rollup from `market_data` as it stands (after the block marks are set): one pass over every tick. */
export function buildMarketMinutes(db: Database.Database): void {
  db.exec('DROP TABLE IF EXISTS market_minutes;' + CREATE_SQL + INSERT_SQL);
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` in ASCII digits: JS compares and slices such a time as SQLite does. */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Minute {
  fileId: number | null;
  minute: string;
  n: number;
  first: string;
  last: string;
  source: string | null;
}

/**
 * The rollup gathered while the model build inserts the ticks, so that no second pass reads them
 * (1 GB of DEBUG log: 1.8 M ticks, a GROUP BY of 1.7 s CPU). The block is not known yet then: a
 * minute is stored as inside or outside when all its ticks lie on one side of the block's edges,
 * and the (at most two per file) minutes an edge cuts are counted from market_data through its
 * time index. A time JS cannot compare as SQLite does (not canonical) makes the build group every
 * tick in SQL instead, as `buildMarketMinutes`.
 */
export class MinuteRollup {
  private readonly minutes = new Map<string, Minute>();
  private clean = true;
  private recent: Minute | undefined;

  /** Forget every tick added (the build reads them again another way). */
  clear(): void {
    this.minutes.clear();
    this.clean = true;
    this.recent = undefined;
  }

  add(fileId: number | null, ts: unknown, source: string | null): void {
    if (ts === null || ts === undefined || !this.clean) return;
    if (typeof ts !== 'string' || !CANONICAL.test(ts)) {
      this.clean = false;
      this.minutes.clear();
      this.recent = undefined;
      return;
    }
    // Ticks come mostly in time order: the minute of the tick before is the likely one (no key to build).
    let m = this.recent;
    if (m === undefined || m.fileId !== fileId || !ts.startsWith(m.minute)) {
      const minute = ts.slice(0, 16);
      const key = `${fileId}|${minute}`;
      m = this.minutes.get(key);
      if (m === undefined) {
        this.minutes.set(key, (this.recent = { fileId, minute, n: 1, first: ts, last: ts, source }));
        return;
      }
      this.recent = m;
    }
    m.n++;
    if (ts < m.first) m.first = ts;
    if (ts > m.last) m.last = ts;
    if (source !== null && (m.source === null || source < m.source)) m.source = source;
  }

  /** Write the rollup once market_data's block marks (`ts` in [from, to]) and time index exist. */
  write(db: Database.Database, from: string, to: string): void {
    if (!this.clean) return buildMarketMinutes(db);
    db.exec('DROP TABLE IF EXISTS market_minutes;' + CREATE_SQL);
    const ins = db.prepare('INSERT INTO market_minutes (file_id, minute, in_block, n, first_ts, last_ts, odd, source) VALUES (?, ?, ?, ?, ?, ?, 0, ?)');
    // Every time between two of one minute shares the minute's prefix.
    const cut = db.prepare('SELECT in_block, COUNT(*) AS n, MIN(ts) AS f, MAX(ts) AS l, MIN(source) AS source FROM market_data WHERE ts >= ? AND ts <= ? AND file_id IS ? GROUP BY in_block');
    for (const m of this.minutes.values()) {
      if (m.first >= from && m.last <= to) ins.run(m.fileId, m.minute, 1, m.n, m.first, m.last, m.source);
      else if (m.last < from || m.first > to) ins.run(m.fileId, m.minute, 0, m.n, m.first, m.last, m.source);
      else {
        for (const r of cut.all(m.first, m.last, m.fileId) as { in_block: number | null; n: number; f: string; l: string; source: string | null }[]) {
          ins.run(m.fileId, m.minute, r.in_block, r.n, r.f, r.l, r.source);
        }
      }
    }
  }
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
