/**
 * The runbook's key KPIs of a block against targets (runbook defaults, or the config file).
 * A KPI whose evidence is absent altogether is not_evaluable: 0 market data events without any
 * capture is "unknown", not "fail".
 */
import type { KpiTargets } from './define-rule.js';
import type { FlowCounts, FlowSources } from './flow.js';
import type { StageFloor } from './stage-floor.js';
import type { Texts } from './engine.js';
import { render, text, type Said, type Text } from '../i18n/translate.js';

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
  /** Keyed label and note (English above). */
  texts: Texts;
}

/** The note in English, and its keyed text when it has one (a plain string is quoted as it is). */
function withNote(k: Kpi, note: Said | null): Kpi {
  const { note: _old, ...texts } = k.texts;
  if (note === null || typeof note === 'string') return { ...k, note, texts };
  return { ...k, note: render('en', note), texts: { ...texts, note } };
}

function kpi(metric: keyof KpiTargets, value: number | null, target: number, note: Said | null = null): Kpi {
  const label = text(`kpi.label.${metric}`);
  const k: Kpi = {
    metric,
    label: render('en', label),
    value,
    target,
    comparison: '>',
    status: value === null ? 'not_evaluable' : value > target ? 'ok' : 'fail',
    note: null,
    texts: { label },
  };
  return withNote(k, note);
}

/**
 * A stage a later stage proves larger than its own source shows: the value is that lower bound. It
 * passes when the bound already beats the target; below the target it is not evaluable (the true
 * count is unknown, only that it is at least this), never a fail from a source proven short.
 */
function floored(k: Kpi, floor: StageFloor | undefined, value: number | null = floor?.at_least ?? null): Kpi {
  if (!floor || value === null) return k;
  const status = value > k.target ? 'ok' : 'not_evaluable';
  const note: Said = floor.texts.note;
  return withNote({ ...k, value, status }, k.metric === 'signals_per_day' ? text('kpi.note.per_day_floor', { value, note }) : note);
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
  marketDataSample?: Said | null,
): Kpi[] {
  const none = (k: keyof FlowSources) => !!sources && (sources[k] ?? 'none') === 'none';
  const floorOf = (s: StageFloor['stage']) => floors.find((f) => f.stage === s);
  const signals = none('signals') ? null : counts.signals;
  const perDay = signals === null ? null : Math.round((signals / Math.max(1, days)) * 10) / 10;
  let approved: number | null = counts.risk_approved;
  let approvedNote: Text | null = null;
  if (none('risk_decisions')) {
    // Without risk logs or decision tables, every order the risk service published is an approval.
    if (!none('orders')) {
      approved = counts.orders;
      approvedNote = text('kpi.note.approved_from_orders');
    } else approved = null;
  }
  const trades = none('trades') ? null : counts.trades;
  const md = none('market_data') ? null : counts.market_data_events;
  const sf = floorOf('signals');
  const af = none('risk_decisions') ? undefined : floorOf('risk_approved');
  return [
    floored(kpi('signals_total', signals, targets.signals_total), sf),
    floored(kpi('signals_per_day', perDay, targets.signals_per_day, signals === null ? null : text('kpi.note.over_days', { signals, days })), sf, sf ? Math.round((sf.at_least / Math.max(1, days)) * 10) / 10 : null),
    floored(kpi('risk_approved', approved, targets.risk_approved, approvedNote), af),
    kpi('trades', trades, targets.trades),
    marketDataSample && md !== null
      ? { ...kpi('market_data_events', md, targets.market_data_events, text('kpi.note.sample', { note: marketDataSample })), status: 'not_evaluable' as const }
      : kpi('market_data_events', md, targets.market_data_events, md === null ? text('kpi.note.no_market_data') : null),
  ];
}
