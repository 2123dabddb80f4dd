import { entry } from '../catalog/index.js';
import type { DB } from '../db/open.js';
import type { MinuteRollup } from './market-minutes.js';
import { normSymbol } from './symbols.js';

/**
 * market_data's column of the tick-to-tick change, added by the build when the ticks come from the
 * feed's DEBUG log (`feed.published`): the change of the tick's price from the previous tick of the
 * same symbol with a positive price (in id order, which is time order there), in percent —
 * `((price - prev) / prev) * 100`. NULL for a tick without a positive price, for a symbol's first
 * such tick, and for its first such tick inside the block, so that the values of the ticks inside
 * the block are exactly the changes between consecutive ticks of a symbol inside the block.
 * The column exists only when this build computed it for every row (other sources carry their own
 * `pct_change`, or none).
 */
export const TICK_CHANGE = 'tick_change_pct';

interface Last {
  price: number;
  first: string | null;
  last: string | null;
}

/** The tick-to-tick change per symbol, fed the ticks in market_data's id order. */
export class TickChanges {
  private readonly bySymbol = new Map<string | null, Last>();

  /** The change of a tick from the last tick of its symbol with a positive price; null when there is none (or this one has none). */
  next(symbol: string | null, price: number | null, ts: string | null): number | null {
    if (price === null || !(price > 0)) return null;
    const l = this.bySymbol.get(symbol);
    if (l === undefined) {
      this.bySymbol.set(symbol, { price, first: ts, last: ts });
      return null;
    }
    const prev = l.price;
    l.price = price;
    l.last = ts;
    return ((price - prev) / prev) * 100;
  }

  /** Forget every tick fed (the build reads them again another way). */
  clear(): void {
    this.bySymbol.clear();
  }

  /**
   * Clear the change on each symbol's first tick with a positive price inside the block: its
   * previous tick lies outside. Needs market_data's marks and its time index (the block's ticks
   * are a time range: the walk stops at the symbol's first one).
   */
  clearBlockStarts(db: DB, from: string, to: string): void {
    // Fed nothing: market_data came from elsewhere (and has no such column).
    if (this.bySymbol.size === 0) return;
    const clear = db.prepare(
      `UPDATE market_data SET ${TICK_CHANGE} = NULL WHERE id = (SELECT id FROM market_data WHERE ts >= ? AND ts <= ? AND in_block = 1 AND symbol IS ? AND price > 0 ORDER BY ts, id LIMIT 1)`,
    );
    for (const [symbol, l] of this.bySymbol) {
      // A symbol whose priced ticks all lie before or after the block has none in it: no walk over the block for it.
      if (l.last !== null && l.first !== null && (textBefore(l.last, from) || textBefore(to, l.first))) continue;
      clear.run(from, to, symbol);
    }
  }
}

/** `a < b` as SQLite's BINARY collation orders text (UTF-8 bytes); JS compares UTF-16 units, which agree below U+D800. */
export function textBefore(a: string, b: string): boolean {
  if (!WIDE.test(a) && !WIDE.test(b)) return a < b;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) < 0;
}
const WIDE = /[\ud800-\uffff]/;

/** The values of TICK_CHANGE inside the block, or null when this build did not compute the column. */
export function tickChangesInBlock(db: DB): number[] | null {
  const has = (db.prepare(`SELECT 1 FROM pragma_table_info('market_data') WHERE name = ?`).get(TICK_CHANGE));
  if (!has) return null;
  return db.prepare(`SELECT ${TICK_CHANGE} FROM market_data WHERE in_block = 1 AND ${TICK_CHANGE} IS NOT NULL`).pluck().all() as number[];
}

/** The pattern the SQL reading below stands for; another pattern in the catalog turns it off. */
const FEED_PATTERN = String.raw`^\[redis\] published market_data: (?<symbol>\S+) @ (?<price>[\d.]+)`;
const PREFIX = '[redis] published market_data: ';

/**
 * `feed.published` cut by SQLite: after the prefix, the symbol up to the first ` @ ` and the
 * price after it (to the end), in (ts, file_id, line_no) order. The pattern takes exactly these
 * when the symbol is printable ASCII without a space (\S+ stops at the space before ` @ `) and the
 * price is only digits and points ([\d.]+ takes it whole); then normSymbol is removing `_ - /` and
 * upper-casing ASCII, as SQL's replace and upper do. The function `cdb_feed_tick` checks that for
 * every row, and that SQLite's double of the price is the one `num` gives.
 */
export function feedSql(): string {
  const p = PREFIX.length;
  const at = `instr(substr(message, ${p + 1}), ' @ ')`;
  // Sorted in a subquery that is not flattened into the INSERT (an OFFSET never is): the outer
  // row's function sees the rows in the sorted order (and checks that order itself).
  const sorted = `SELECT ts, file_id, line_no, substr(message, ${p + 1}, ${at} - 1) AS sym, substr(message, ${p + 3} + ${at}) AS price
    FROM log_events WHERE class = 'feed.published' AND substr(message, 1, ${p}) = '${PREFIX}' AND ${at} > 1
    ORDER BY ts, file_id, line_no LIMIT -1 OFFSET 0`;
  // in_block as the raw tables' writer stores it (1 with a time, NULL without): the block marks
  // then rewrite only the ticks outside the block, not every tick.
  return `INSERT INTO market_data (ts, symbol, symbol_raw, price, source, file_id, line_no, in_block, ${TICK_CHANGE})
    SELECT ts, upper(replace(replace(replace(sym, '_', ''), '-', ''), '/', '')), sym, CAST(price AS REAL), 'log', file_id, line_no, CASE WHEN ts IS NULL THEN NULL ELSE 1 END,
      cdb_feed_tick(ts, file_id, line_no, sym, price, CAST(price AS REAL))
    FROM (${sorted})`;
}

/** SQLite did not give the rows as feedSql says, or a row is not one feedSql reads exactly. */
class NotExact extends Error {}

const PLAIN_SYMBOL = /^[!-~]+$/;
const PLAIN_PRICE = /^[0-9.]+$/;

/**
 * Insert the feed's ticks into market_data in (ts, file_id, line_no) order with one statement,
 * feeding the minute rollup and the tick changes in that order: no row object or array per tick,
 * one function call (1 GB of DEBUG log, 1.8 M ticks: 7.2–10.2 → 6.0–8.3 s CPU, measured pairwise
 * on a loaded machine). Returns the number of ticks, or null where a row is not one the statement reads
 * exactly, SQLite did not give each row to the function once in that order, or the catalog's
 * pattern is not the one the SQL reads: nothing is inserted then, and the caller discards the
 * rollup and changes fed so far and reads the ticks itself.
 */
export function insertFeedTicks(db: DB, minutes: MinuteRollup, changes: TickChanges): number | null {
  if (entry('feed.published').pattern.source !== FEED_PATTERN) return null;
  // A feed publishes a handful of symbols: each checked and normalised once.
  const symbols = new Map<string, string | null>();
  let lastTs: unknown = undefined;
  let lastFile = 0;
  let lastLine = 0;
  let calls = 0;
  db.function('cdb_feed_tick', { deterministic: false }, (ts: unknown, fileId: unknown, lineNo: unknown, raw: unknown, priceText: unknown, price: unknown) => {
    if (typeof fileId !== 'number' || typeof lineNo !== 'number' || (ts !== null && typeof ts !== 'string')) throw new NotExact();
    if (lastTs !== undefined) {
      const inOrder =
        ts === lastTs ? fileId > lastFile || (fileId === lastFile && lineNo > lastLine) : lastTs === null || (ts !== null && textBefore(lastTs as string, ts));
      if (!inOrder) throw new NotExact();
    }
    lastTs = ts;
    lastFile = fileId;
    lastLine = lineNo;
    // num() of a text of digits and points: Number, or null where that is not finite.
    if (typeof raw !== 'string' || typeof priceText !== 'string' || !PLAIN_PRICE.test(priceText)) throw new NotExact();
    const n = Number(priceText);
    if ((Number.isFinite(n) ? n : null) !== price) throw new NotExact();
    let symbol = symbols.get(raw);
    if (symbol === undefined) {
      if (!PLAIN_SYMBOL.test(raw)) throw new NotExact();
      symbols.set(raw, (symbol = normSymbol(raw)));
    }
    calls++;
    minutes.add(fileId, ts, 'log');
    return changes.next(symbol, price as number, ts);
  });
  db.exec('SAVEPOINT feed_ticks');
  try {
    const n = db.prepare(feedSql()).run().changes;
    if (n !== calls) throw new NotExact();
    db.exec('RELEASE feed_ticks');
    return n;
  } catch (e) {
    db.exec('ROLLBACK TO feed_ticks; RELEASE feed_ticks');
    if (e instanceof NotExact) return null;
    throw e;
  }
}
