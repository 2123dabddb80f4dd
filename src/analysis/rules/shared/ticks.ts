import type Database from 'better-sqlite3';
import type { RuleContext } from '../../define-rule.js';

/**
 * Questions about the market-data ticks (`market_data`, millions of rows in a DEBUG feed log)
 * answered from the model's per-minute rollup (`market_minutes`, src/model/market-minutes.ts) and
 * the time index, where a rule would otherwise read every tick. Each answer is the one the scan
 * named beside it gives; a database without the rollup (a test filling market_data by hand) is
 * answered by that scan.
 *
 * The rollup counts every timed tick once, in a row per (file, minute, in_block) that holds its
 * count and its least and greatest time: sums and extremes over rows of one `in_block` value are
 * those of the ticks, whatever the times look like. Untimed ticks are not in it; they are counted
 * through the time index (`ts IS NULL` is one range of it).
 */

const minutes = new WeakMap<Database.Database, boolean>();

function hasMinutes(db: Database.Database): boolean {
  let v = minutes.get(db);
  if (v === undefined) {
    v = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'market_minutes'").get();
    minutes.set(db, v);
  }
  return v;
}

export interface TickSpan {
  /** Ticks inside the block. */
  n: number;
  /** Of them, those with a time. */
  timed: number;
  f: string | null;
  t: string | null;
}

/** `SELECT COUNT(*) AS n, COUNT(ts) AS timed, MIN(ts) AS f, MAX(ts) AS t FROM market_data WHERE in_block = 1`. */
export function blockTickSpan(db: Database.Database): TickSpan {
  if (!hasMinutes(db)) return db.prepare('SELECT COUNT(*) AS n, COUNT(ts) AS timed, MIN(ts) AS f, MAX(ts) AS t FROM market_data WHERE in_block = 1').get() as TickSpan;
  const m = db.prepare('SELECT TOTAL(n) AS n, MIN(first_ts) AS f, MAX(last_ts) AS t FROM market_minutes WHERE in_block = 1').get() as { n: number; f: string | null; t: string | null };
  const untimed = db.prepare('SELECT COUNT(*) FROM market_data WHERE ts IS NULL AND in_block = 1').pluck().get() as number;
  return { n: m.n + untimed, timed: m.n, f: m.f, t: m.t };
}

/** Per context (one analysis run over a database that no longer changes): several rules ask. */
const spans = new WeakMap<RuleContext, TickSpan>();

/** blockTickSpan, read once per analysis. */
export function tickSpan(ctx: RuleContext): TickSpan {
  let s = spans.get(ctx);
  if (!s) spans.set(ctx, (s = blockTickSpan(ctx.db)));
  return s;
}

/**
 * `SELECT substr(ts, 1, 10) AS d, COUNT(*) AS n FROM market_data WHERE in_block = 1 GROUP BY
 * substr(ts, 1, 10) ORDER BY d` (ticks per UTC day; NULL: untimed). A minute is `substr(ts, 1, 16)`,
 * so its first ten characters are its ticks'.
 */
export function blockTicksPerDay(db: Database.Database): { d: string | null; n: number }[] {
  if (!hasMinutes(db)) {
    return db.prepare('SELECT substr(ts, 1, 10) AS d, COUNT(*) AS n FROM market_data WHERE in_block = 1 GROUP BY substr(ts, 1, 10) ORDER BY d').all() as { d: string | null; n: number }[];
  }
  return db
    .prepare(
      `SELECT d, SUM(n) AS n FROM (
         SELECT substr(minute, 1, 10) AS d, n FROM market_minutes WHERE in_block = 1
         UNION ALL SELECT NULL, COUNT(*) FROM market_data WHERE ts IS NULL AND in_block = 1
       ) GROUP BY d HAVING SUM(n) > 0 ORDER BY d`,
    )
    .all() as { d: string | null; n: number }[];
}

/**
 * `SELECT file_id, MAX(ts) AS last_ts FROM market_data WHERE ts >= ? AND ts < ? GROUP BY file_id
 * ORDER BY file_id`: a minute wholly inside the window gives its last time; the ticks of a minute
 * the window's edge cuts are read through the time index, over that minute's times only.
 */
export function fileTickMaxIn(db: Database.Database, from: string, to: string): { file_id: number | null; last_ts: string }[] {
  if (!hasMinutes(db)) {
    return db.prepare('SELECT file_id, MAX(ts) AS last_ts FROM market_data WHERE ts >= ? AND ts < ? GROUP BY file_id ORDER BY file_id').all(from, to) as {
      file_id: number | null;
      last_ts: string;
    }[];
  }
  const rows = db
    .prepare('SELECT file_id, first_ts AS f, last_ts AS l FROM market_minutes WHERE last_ts >= ? AND first_ts < ?')
    .all(from, to) as { file_id: number | null; f: string; l: string }[];
  const cut = db.prepare('SELECT MAX(ts) FROM market_data WHERE ts >= ? AND ts <= ? AND ts < ? AND file_id IS ?').pluck();
  const best = new Map<number | null, string>();
  const max = db.prepare('SELECT MAX(value) FROM json_each(?)').pluck();
  const found = new Map<number | null, string[]>();
  for (const r of rows) {
    const t = r.f >= from && r.l < to ? r.l : (cut.get(r.f > from ? r.f : from, r.l, to, r.file_id) as string | null);
    if (t === null) continue;
    let list = found.get(r.file_id);
    if (!list) found.set(r.file_id, (list = []));
    list.push(t);
  }
  // SQLite's order of text, as MAX(ts) compares.
  for (const [file, list] of found) best.set(file, max.get(JSON.stringify(list)) as string);
  return [...best.entries()]
    .sort(([a], [b]) => (a === null ? -1 : b === null ? 1 : a - b))
    .map(([file_id, last_ts]) => ({ file_id, last_ts }));
}

/**
 * `SELECT <cols> FROM market_data WHERE in_block = 1 ORDER BY ts IS NULL, ts, file_id, line_no LIMIT 1`:
 * the ticks at the block's least time (`span.f`, from the rollup), through the time index; the
 * untimed ones only when no tick has a time. `id` breaks a tie the scan leaves to its sort.
 */
export function firstBlockTick<T>(db: Database.Database, cols: string, span: TickSpan): T | undefined {
  if (span.f !== null) return db.prepare(`SELECT ${cols} FROM market_data WHERE ts = ? AND in_block = 1 ORDER BY file_id, line_no, id LIMIT 1`).get(span.f) as T | undefined;
  return db.prepare(`SELECT ${cols} FROM market_data WHERE ts IS NULL AND in_block = 1 ORDER BY file_id, line_no, id LIMIT 1`).get() as T | undefined;
}

/** What rules ask of the ticks' fields inside the block (data the rollup does not hold). */
export interface TickFields {
  n: number;
  /** `COUNT(volume)`: ticks that carry a volume. */
  volume: number;
  /** Ticks whose volume is 0 (not NULL). */
  volumeZero: number;
  /** `COUNT(pct_change)`. */
  pct: number;
  maxVolume: number | null;
  /** `COUNT(DISTINCT symbol)`. */
  symbols: number;
}

const fields = new WeakMap<RuleContext, TickFields>();

/**
 * One read of the block's ticks for every field count the rules ask (`COUNT(*) … AND volume IS
 * NULL`, `… COALESCE(volume, 0) = 0`, `… pct_change IS NULL`, `MAX(volume)`, `COUNT(DISTINCT
 * symbol)`), once per analysis, where each was a read of every tick.
 */
export function tickFields(ctx: RuleContext): TickFields {
  let f = fields.get(ctx);
  if (!f) {
    f = ctx.db
      .prepare(
        `SELECT COUNT(*) AS n, COUNT(volume) AS volume, COUNT(CASE WHEN volume = 0 THEN 1 END) AS volumeZero, COUNT(pct_change) AS pct,
                MAX(volume) AS maxVolume, COUNT(DISTINCT symbol) AS symbols
         FROM market_data WHERE in_block = 1`,
      )
      .get() as TickFields;
    fields.set(ctx, f);
  }
  return f;
}
