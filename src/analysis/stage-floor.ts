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
import { render, text, type Param, type Text } from '../i18n/translate.js';

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
  /** "≥ 216, implied by risk decisions (216 approved, 0 rejected); …covers only from …" (English; `texts.note` keyed). */
  note: string;
  texts: { note: Text };
}

function noted(t: Text): Pick<StageFloor, 'note' | 'texts'> {
  return { note: render('en', t), texts: { note: t } };
}

const HOUR = 3_600_000;

/** Where the stage's rows in the block come from, and whether they cover the whole block. */
function coverageOf(db: Database.Database, table: string, extra: string, blockFrom: string, blockTo: string): Text {
  const rows = db
    .prepare(
      `SELECT m.path, MIN(t.ts) AS f, MAX(t.ts) AS l, COUNT(*) AS n,
         (SELECT service FROM log_events e WHERE e.file_id = t.file_id AND e.service IS NOT NULL LIMIT 1) AS service
       FROM ${table} t JOIN manifest m ON m.id = t.file_id
       WHERE t.in_block = 1 ${extra} GROUP BY t.file_id ORDER BY f, m.path`,
    )
    .all() as { path: string; f: string | null; l: string | null; n: number; service: string | null }[];
  if (!rows.length) return text('floor.no_records', { table });
  const f = rows.map((r) => r.f).filter((x): x is string => !!x).sort()[0] ?? null;
  const l = rows.map((r) => r.l).filter((x): x is string => !!x).sort().pop() ?? null;
  const files: Param[] = rows.map((r) => (r.service ? text('floor.service_log', { service: r.service, path: r.path }) : r.path));
  const late = f && Date.parse(f) - Date.parse(blockFrom) > HOUR ? `${f.slice(0, 19)}Z` : null;
  const early = l && Date.parse(blockTo) - Date.parse(l) > HOUR ? `${l.slice(0, 19)}Z` : null;
  const span = late && early ? text('floor.only_between', { from: late, to: early }) : late ? text('floor.only_from', { at: late }) : early ? text('floor.only_until', { at: early }) : null;
  return span ? text('floor.covers', { files, span }) : text('floor.covers_block', { files });
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
      ...noted(text('floor.orders', { at_least: orders, fills: counts.trades, coverage: coverageOf(db, 'orders', '', block.from, block.to) })),
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
      ...noted(
        text('floor.risk_approved', {
          at_least: approved,
          orders,
          unwinds: unwinds ? text('floor.less_unwinds', { n: unwinds }) : '',
          coverage: coverageOf(db, 'risk_decisions', "AND decision = 'approved'", block.from, block.to),
        }),
      ),
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
      ...noted(
        text('floor.signals', { at_least: decided, approved, rejected: counts.risk_rejected, coverage: coverageOf(db, 'signals', '', block.from, block.to) }),
      ),
    });
  }
  return out;
}
