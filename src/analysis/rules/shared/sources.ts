import type { RuleContext } from '../../define-rule.js';
import { hull, redisWindow, type Span } from './util.js';

/**
 * Which evidence sources cover which time: a DB dump (a whole-table copy), Redis captures, logs.
 * A count of zero only means something where a source covered the time.
 */

/** The first of the dumped tables (`src_<name>`) present, or null. */
export function dumpedTable(ctx: RuleContext, names: string[]): string | null {
  for (const n of names) {
    const t = `src_${n}`;
    if (ctx.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t)) return t;
  }
  return null;
}

export const SIGNAL_TABLES = ['signals', 'trading_signals'];
export const TRADE_TABLES = ['trades'];
export const ORDER_TABLES = ['orders'];
export const RISK_TABLES = ['risk_events', 'blocked_decisions'];

/** The paper runner's JSONL logs every message on these five channels (§4.5). */
const RUNNER_CHANNELS = ['market_data', 'signals', 'orders', 'order_results', 'alerts'];

export interface ChannelCoverage {
  spans: Span[];
  hull: Span | null;
  /** Messages on the asked channels inside the block. */
  messages: number;
}

/**
 * The block time in which a Redis capture would have recorded a message on one of `channels`:
 * MONITOR sees every PUBLISH, the runner's JSONL its five channels, SUBSCRIBE only channels that
 * appear in that capture (an idle subscribed channel leaves no trace, so it cannot be credited).
 */
export function channelCoverage(ctx: RuleContext, channels: string[]): ChannelCoverage {
  const ph = channels.map(() => '?').join(',');
  const rw = redisWindow(ctx);
  const rows = ctx.db
    .prepare(
      `SELECT file_id, source, MIN(COALESCE(ts, payload_ts)) AS f, MAX(COALESCE(ts, payload_ts)) AS t, SUM(CASE WHEN channel IN (${ph}) THEN 1 ELSE 0 END) AS hits
       FROM redis_messages WHERE ${rw.sql} AND COALESCE(ts, payload_ts) IS NOT NULL GROUP BY file_id, source ORDER BY file_id, source`,
    )
    .all(...channels, ...rw.params) as { file_id: number; source: string; f: string; t: string; hits: number }[];
  const spans: Span[] = [];
  let messages = 0;
  for (const r of rows) {
    messages += r.hits;
    const covers =
      r.hits > 0 || r.source === 'monitor' || (r.source === 'jsonl' && channels.some((c) => RUNNER_CHANNELS.includes(c)));
    if (covers) spans.push({ from: r.f, to: r.t });
  }
  return { spans, hull: hull(...spans), messages };
}

/** Total hours of a list of spans after merging overlaps. */
export function coveredHours(spans: Span[]): number {
  const s = [...spans].map((x) => [Date.parse(x.from), Date.parse(x.to)] as [number, number]).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur: [number, number] | null = null;
  for (const x of s) {
    if (!cur || x[0] > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [x[0], x[1]];
    } else cur[1] = Math.max(cur[1], x[1]);
  }
  if (cur) total += cur[1] - cur[0];
  return total / 3_600_000;
}
