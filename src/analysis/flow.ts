/**
 * The funnel market data → signals → decisions → orders → trades → persisted rows, for the block
 * and per block day, and the break layer: where the flow stops.
 *
 * Counts come from the canonical model, which already holds one best source per entity (DB rows
 * where dumped, else one capture kind, else logs) and one row per real order/trade.
 */
import type Database from 'better-sqlite3';
import { dayStartIn } from '../util/zones.js';
import { LAYERS, type Block, type LayerId, type Status } from './define-rule.js';
import { blockTicksPerDay } from './rules/shared/ticks.js';

export interface FlowCounts {
  market_data_events: number;
  signals: number;
  risk_approved: number;
  risk_rejected: number;
  orders: number;
  trades: number;
  persisted_trades: number;
}

export interface FlowDay extends FlowCounts {
  date: string;
}

export type FlowSources = Record<'market_data' | 'signals' | 'risk_decisions' | 'orders' | 'trades', string>;

export interface FunnelStage {
  stage: keyof FlowCounts;
  layer: LayerId;
  count: number;
  /** Share of the previous stage that reached this one, in percent (null when the previous stage is 0). */
  from_previous_pct: number | null;
}

export interface Flow {
  counts: FlowCounts;
  per_day: FlowDay[];
  sources: FlowSources;
  funnel: FunnelStage[];
}

const ZERO: FlowCounts = { market_data_events: 0, signals: 0, risk_approved: 0, risk_rejected: 0, orders: 0, trades: 0, persisted_trades: 0 };

/** [stage, table, extra condition] — each count is `in_block = 1`. */
const COUNTS: [keyof FlowCounts, string, string][] = [
  ['market_data_events', 'market_data', ''],
  ['signals', 'signals', ''],
  ['risk_approved', 'risk_decisions', "AND decision = 'approved'"],
  ['risk_rejected', 'risk_decisions', "AND decision = 'rejected'"],
  ['orders', 'orders', ''],
  ['trades', 'trades', ''],
  ['persisted_trades', 'trades', "AND source = 'db'"],
];

const FUNNEL: [keyof FlowCounts, LayerId][] = [
  ['market_data_events', 'market_data'],
  ['signals', 'signal_engine'],
  ['risk_approved', 'risk'],
  ['orders', 'execution'],
  ['trades', 'execution'],
  ['persisted_trades', 'reporting'],
];

function sourcesOf(db: Database.Database): FlowSources {
  const fromBlock = new Map(
    (db.prepare("SELECT key, value FROM block WHERE key LIKE 'source.%' ORDER BY key").all() as { key: string; value: string | null }[]).map((r) => [
      r.key.slice('source.'.length),
      r.value ?? 'none',
    ]),
  );
  const derived = (table: string): string => {
    const rows = db.prepare(`SELECT DISTINCT source FROM ${table} WHERE source IS NOT NULL ORDER BY source`).all() as { source: string }[];
    return rows.length ? rows.map((r) => r.source).join('+') : 'none';
  };
  return {
    market_data: fromBlock.get('market_data') ?? derived('market_data'),
    signals: fromBlock.get('signals') ?? derived('signals'),
    risk_decisions: fromBlock.get('risk_decisions') ?? derived('risk_decisions'),
    orders: fromBlock.get('orders') ?? derived('orders'),
    trades: fromBlock.get('trades') ?? derived('trades'),
  };
}

export function computeFlow(db: Database.Database, block: Block): Flow {
  const counts: FlowCounts = { ...ZERO };
  const perDay = new Map<string, FlowDay>(block.days.map((d) => [d, { date: d, ...ZERO }]));
  const zone = block.zone ?? 'UTC';
  for (const [key, table, extra] of COUNTS) {
    const rows =
      zone === 'UTC' && table === 'market_data' && extra === ''
        ? // Millions of ticks in a DEBUG feed log: from the model's per-minute rollup.
          blockTicksPerDay(db)
        : zone === 'UTC'
        ? (db
            .prepare(`SELECT substr(ts, 1, 10) AS d, COUNT(*) AS n FROM ${table} WHERE in_block = 1 ${extra} GROUP BY substr(ts, 1, 10) ORDER BY d`)
            .all() as { d: string | null; n: number }[])
        : localDayCounts(db, table, extra, block.days, zone);
    for (const r of rows) {
      counts[key] += r.n;
      if (r.d) {
        // A row in the block lies on a block day; keep it even if the block row says otherwise.
        let day = perDay.get(r.d);
        if (!day) {
          day = { date: r.d, ...ZERO };
          perDay.set(r.d, day);
        }
        day[key] += r.n;
      }
    }
  }
  const funnel: FunnelStage[] = [];
  let prev: number | null = null;
  for (const [stage, layer] of FUNNEL) {
    const c = counts[stage];
    funnel.push({ stage, layer, count: c, from_previous_pct: prev === null || prev === 0 ? null : Math.round((c / prev) * 1000) / 10 });
    prev = c;
  }
  return {
    counts,
    per_day: [...perDay.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
    sources: sourcesOf(db),
    funnel,
  };
}

/** Counts per calendar day of a zone (the block's local days): one range count per day on the ts index. */
function localDayCounts(db: Database.Database, table: string, extra: string, days: string[], zone: string): { d: string | null; n: number }[] {
  const st = db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE in_block = 1 ${extra} AND ts >= ? AND ts < ?`);
  const out: { d: string | null; n: number }[] = [];
  for (const d of days) {
    const next = new Date(Date.parse(`${d}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
    const n = (st.get(new Date(dayStartIn(d, zone)).toISOString(), new Date(dayStartIn(next, zone)).toISOString()) as { n: number }).n;
    if (n) out.push({ d, n });
  }
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE in_block = 1 ${extra}`).get() as { n: number }).n;
  const inDays = out.reduce((a, r) => a + r.n, 0);
  // Rows in the block without a day of their own (no time) still count in the total.
  if (total > inDays) out.push({ d: null, n: total - inDays });
  return out;
}

/**
 * The first layer (in LAYERS order) whose status is `fail`; rules reserve `fail` for problems
 * that stop the flow. Only where a layer could not be evaluated at all do the counts speak for it:
 * the flow was there one stage before and is zero at that stage although its evidence exists.
 * All ok/warn gives null.
 */
export function breakLayer(
  layers: { id: LayerId; status: Status }[],
  counts: FlowCounts,
  sources?: Partial<FlowSources>,
): LayerId | null {
  const status = new Map(layers.map((l) => [l.id, l.status]));
  const has = (k: keyof FlowSources) => !sources || (sources[k] ?? 'none') !== 'none';
  const fallback: Partial<Record<LayerId, boolean>> = {
    signal_engine: counts.market_data_events > 0 && counts.signals === 0 && has('signals'),
    risk: counts.signals > 0 && counts.risk_rejected > 0 && counts.risk_approved === 0 && counts.orders === 0,
    execution: (counts.risk_approved > 0 || counts.orders > 0) && counts.trades === 0 && has('trades'),
    reporting: counts.trades > 0 && counts.persisted_trades === 0 && !!sources?.trades && sources.trades.startsWith('db'),
  };
  for (const l of LAYERS) {
    const s = status.get(l);
    if (s === 'fail') return l;
    if (s === 'not_evaluable' && fallback[l]) return l;
  }
  return null;
}
