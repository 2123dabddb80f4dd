import { rollupCovers } from '../db/log-rollup.js';
import type { DB } from '../db/open.js';
import { SCHEMA_VERSION } from '../db/schema.js';
import { MODEL_DIGEST_KEY } from '../db/state.js';

/**
 * What the log records' `in_block` marks hold before this build marks them, when that is known
 * without reading them: `provisional` — as the writer stored them (1 with a time, NULL without),
 * on a database of this schema no model was built on yet; a window — also 0 for the records
 * outside the block of the build before (its `block` table, written in the same transaction as
 * its marks; records added since are provisional); null — not known (a database of another
 * schema, one being migrated, one built by hand).
 */
export type PriorMarks = 'provisional' | { from: string; to: string } | null;

/** Read before the model build drops its tables. */
export function priorMarks(db: DB): PriorMarks {
  if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) return null;
  const hasBlock = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'block'").get();
  const w = hasBlock ? (db.prepare("SELECT MAX(CASE WHEN key = 'from' THEN value END) AS f, MAX(CASE WHEN key = 'to' THEN value END) AS t FROM block").get() as { f: string | null; t: string | null }) : null;
  if (w?.f && w.t) return { from: w.f, to: w.t };
  const built = db.prepare('SELECT 1 FROM meta WHERE key = ?').get(MODEL_DIGEST_KEY);
  return built ? null : 'provisional';
}

const TABLES = ['signals', 'risk_decisions', 'orders', 'trades', 'market_data', 'log_events', 'redis_messages'];

/**
 * `in_block` = 1 for rows whose time lies in [from, to], 0 outside, NULL without a time. Only rows
 * whose mark changes are written. The log records (millions) are not all read when their prior
 * marks are known: the only ones that can change then are those outside the block (to 0) and,
 * after an earlier build, those inside this block but outside that one (to 1) — both found through
 * the `(class, ts)` index, one time range per class the rollup counted.
 */
export function markInBlock(db: DB, from: string, to: string, prior: PriorMarks): void {
  for (const t of TABLES) {
    if (t === 'log_events' && prior !== null && rollupCovers(db)) {
      markLogRanges(db, from, to, prior);
      continue;
    }
    // A SUBSCRIBE capture has no clock of its own; the payload's time is the next best.
    const ts = t === 'redis_messages' ? 'COALESCE(ts, payload_ts)' : 'ts';
    const value = `CASE WHEN ${ts} IS NULL THEN NULL WHEN ${ts} >= @from AND ${ts} <= @to THEN 1 ELSE 0 END`;
    // Only rows whose mark changes are written: the writer stored raw rows as if inside the block,
    // so a page of log_events is rewritten only where the block cuts it.
    db.prepare(`UPDATE "${t}" SET in_block = ${value} WHERE in_block IS NOT ${value}`).run({ from, to });
  }
}

function markLogRanges(db: DB, from: string, to: string, prior: Exclude<PriorMarks, null>): void {
  const classes = (db.prepare('SELECT DISTINCT class FROM log_hourly').all() as { class: string | null }[]).map((r) => r.class);
  const before = db.prepare('UPDATE log_events SET in_block = 0 WHERE class IS ? AND ts < ? AND in_block IS NOT 0');
  const after = db.prepare('UPDATE log_events SET in_block = 0 WHERE class IS ? AND ts > ? AND in_block IS NOT 0');
  // Inside this block, outside the one before: [from, prior.from) and (prior.to, to], each cut to this block.
  const ranges: { lo: string; loIn: boolean; hi: string; hiIn: boolean }[] = [];
  if (prior !== 'provisional') {
    if (from < prior.from) ranges.push(prior.from <= to ? { lo: from, loIn: true, hi: prior.from, hiIn: false } : { lo: from, loIn: true, hi: to, hiIn: true });
    if (prior.to < to) ranges.push(prior.to >= from ? { lo: prior.to, loIn: false, hi: to, hiIn: true } : { lo: from, loIn: true, hi: to, hiIn: true });
  }
  const inside = ranges.map((r) =>
    db.prepare(`UPDATE log_events SET in_block = 1 WHERE class IS ? AND ts ${r.loIn ? '>=' : '>'} ? AND ts ${r.hiIn ? '<=' : '<'} ? AND in_block IS NOT 1`),
  );
  for (const c of classes) {
    before.run(c, from);
    after.run(c, to);
    ranges.forEach((r, i) => inside[i].run(c, r.lo, r.hi));
  }
}
