/**
 * No stage's count is below what a later stage proves. Each fill is of an order, each order the
 * risk service published is of an approval (except B's auto-unwind SELLs, which it publishes
 * without one), and each risk decision is of a signal. When one stage's source is incomplete (a
 * `--since` save of the signal log, a capture started late), the later stage bounds the earlier
 * one from below: the count is reported as "at least" that figure, with the source that fell short
 * named, and no KPI or rule grades the stage low from the short source.
 */
import type Database from 'better-sqlite3';
import type { FlowCounts, FlowSources } from './flow.js';

export type FloorStage = 'signals' | 'risk_approved' | 'orders';

export interface StageFloor {
  stage: FloorStage;
  /** What the stage's own source shows in the block. */
  count: number;
  /** What the later stage proves. */
  at_least: number;
  /** The later stage that proves it. */
  implied_by: 'risk_decisions' | 'orders' | 'trades';
  /** The stage's own source (as flow.sources names it). */
  source: string;
  /** "≥ 216, implied by risk decisions (216 approved, 0 rejected); …covers only from …". */
  note: string;
}

const HOUR = 3_600_000;

/** Where the stage's rows in the block come from, and whether they cover the whole block. */
function coverageOf(db: Database.Database, table: string, extra: string, blockFrom: string, blockTo: string): string {
  const rows = db
    .prepare(
      `SELECT m.path, MIN(t.ts) AS f, MAX(t.ts) AS l, COUNT(*) AS n,
         (SELECT service FROM log_events e WHERE e.file_id = t.file_id AND e.service IS NOT NULL LIMIT 1) AS service
       FROM ${table} t JOIN manifest m ON m.id = t.file_id
       WHERE t.in_block = 1 ${extra} GROUP BY t.file_id ORDER BY f, m.path`,
    )
    .all() as { path: string; f: string | null; l: string | null; n: number; service: string | null }[];
  if (!rows.length) return `no ${table} record in the block`;
  const f = rows.map((r) => r.f).filter((x): x is string => !!x).sort()[0] ?? null;
  const l = rows.map((r) => r.l).filter((x): x is string => !!x).sort().pop() ?? null;
  const files = rows.map((r) => (r.service ? `${r.service}'s log ${r.path}` : r.path)).join(', ');
  const gaps: string[] = [];
  if (f && Date.parse(f) - Date.parse(blockFrom) > HOUR) gaps.push(`only from ${f.slice(0, 19)}Z`);
  if (l && Date.parse(blockTo) - Date.parse(l) > HOUR) gaps.push(`only until ${l.slice(0, 19)}Z`);
  return gaps.length ? `${files} covers ${gaps.join(' and ')}` : `${files} covers the block but shows fewer`;
}

export function stageFloors(
  db: Database.Database,
  counts: FlowCounts,
  sources: FlowSources,
  block: { from: string; to: string },
): StageFloor[] {
  const out: StageFloor[] = [];
  const unwinds = (
    db.prepare("SELECT COUNT(*) AS n FROM orders WHERE in_block = 1 AND (client_id LIKE '%unwind%' OR order_id LIKE '%unwind%')").get() as { n: number }
  ).n;
  // From the end of the pipe backwards, so a floor carries on to every earlier stage.
  let orders = counts.orders;
  if (counts.trades > counts.orders) {
    orders = counts.trades;
    out.push({
      stage: 'orders',
      count: counts.orders,
      at_least: orders,
      implied_by: 'trades',
      source: sources.orders,
      note: `≥ ${orders}, implied by ${counts.trades} fills (each fill is of an order); ${coverageOf(db, 'orders', '', block.from, block.to)}`,
    });
  }
  let approved = counts.risk_approved;
  const ordersOfApprovals = Math.max(0, orders - unwinds);
  if (ordersOfApprovals > approved) {
    approved = ordersOfApprovals;
    out.push({
      stage: 'risk_approved',
      count: counts.risk_approved,
      at_least: approved,
      implied_by: orders > counts.orders ? 'trades' : 'orders',
      source: sources.risk_decisions,
      note: `≥ ${approved}, implied by ${orders} orders${unwinds ? ` less ${unwinds} auto-unwind SELLs` : ''} (risk publishes an order only for an approval); ${coverageOf(db, 'risk_decisions', "AND decision = 'approved'", block.from, block.to)}`,
    });
  }
  const decided = approved + counts.risk_rejected;
  if (decided > counts.signals) {
    out.push({
      stage: 'signals',
      count: counts.signals,
      at_least: decided,
      implied_by: approved > counts.risk_approved ? (orders > counts.orders ? 'trades' : 'orders') : 'risk_decisions',
      source: sources.signals,
      note: `≥ ${decided}, implied by risk decisions (${approved} approved, ${counts.risk_rejected} rejected; each decides one signal); ${coverageOf(db, 'signals', '', block.from, block.to)}`,
    });
  }
  return out;
}
