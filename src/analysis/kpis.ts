/**
 * The runbook's key KPIs of a block against targets (runbook defaults, or the config file).
 * A KPI whose evidence is absent altogether is not_evaluable: 0 market data events without any
 * capture is "unknown", not "fail".
 */
import type { KpiTargets } from './define-rule.js';
import type { FlowCounts, FlowSources } from './flow.js';
import type { StageFloor } from './stage-floor.js';

export type KpiStatus = 'ok' | 'fail' | 'not_evaluable';

export interface Kpi {
  metric: keyof KpiTargets;
  label: string;
  value: number | null;
  target: number;
  /** The value must be strictly greater than the target (the runbook's "> 100"). */
  comparison: '>';
  status: KpiStatus;
  /** Where the value came from, when it is not the obvious count. */
  note: string | null;
}

const LABELS: Record<keyof KpiTargets, string> = {
  signals_total: 'Signals (total)',
  signals_per_day: 'Signals per day (mean)',
  risk_approved: 'Approved by risk',
  trades: 'Paper trades executed',
  market_data_events: 'Market data events',
};

function kpi(metric: keyof KpiTargets, value: number | null, target: number, note: string | null = null): Kpi {
  return {
    metric,
    label: LABELS[metric],
    value,
    target,
    comparison: '>',
    status: value === null ? 'not_evaluable' : value > target ? 'ok' : 'fail',
    note,
  };
}

/**
 * A stage a later stage proves larger than its own source shows: the value is that lower bound. It
 * passes when the bound already beats the target; below the target it is not evaluable (the true
 * count is unknown, only that it is at least this), never a fail from a source proven short.
 */
function floored(k: Kpi, floor: StageFloor | undefined, value: number | null = floor?.at_least ?? null): Kpi {
  if (!floor || value === null) return k;
  const status = value > k.target ? 'ok' : 'not_evaluable';
  return { ...k, value, status, note: k.metric === 'signals_per_day' ? `≥ ${value} per day: ${floor.note}` : floor.note };
}

/**
 * `marketDataSample`: the note of a market-data count taken from a sample (a short capture); such
 * a count is shown, never graded against the whole-block target.
 */
export function computeKpis(
  counts: FlowCounts,
  days: number,
  targets: KpiTargets,
  sources?: Partial<FlowSources>,
  floors: StageFloor[] = [],
  marketDataSample?: string | null,
): Kpi[] {
  const none = (k: keyof FlowSources) => !!sources && (sources[k] ?? 'none') === 'none';
  const floorOf = (s: StageFloor['stage']) => floors.find((f) => f.stage === s);
  const signals = none('signals') ? null : counts.signals;
  const perDay = signals === null ? null : Math.round((signals / Math.max(1, days)) * 10) / 10;
  let approved: number | null = counts.risk_approved;
  let approvedNote: string | null = null;
  if (none('risk_decisions')) {
    // Without risk logs or decision tables, every order the risk service published is an approval.
    if (!none('orders')) {
      approved = counts.orders;
      approvedNote = 'no risk decisions in the evidence; counted the orders the risk service published';
    } else approved = null;
  }
  const trades = none('trades') ? null : counts.trades;
  const md = none('market_data') ? null : counts.market_data_events;
  const sf = floorOf('signals');
  const af = none('risk_decisions') ? undefined : floorOf('risk_approved');
  return [
    floored(kpi('signals_total', signals, targets.signals_total), sf),
    floored(kpi('signals_per_day', perDay, targets.signals_per_day, signals === null ? null : `${signals} over ${days} day(s)`), sf, sf ? Math.round((sf.at_least / Math.max(1, days)) * 10) / 10 : null),
    floored(kpi('risk_approved', approved, targets.risk_approved, approvedNote), af),
    kpi('trades', trades, targets.trades),
    marketDataSample && md !== null
      ? { ...kpi('market_data_events', md, targets.market_data_events, `${marketDataSample} — not graded against a whole-block target`), status: 'not_evaluable' as const }
      : kpi('market_data_events', md, targets.market_data_events, md === null ? 'no market data capture in the bundle' : null),
  ];
}
