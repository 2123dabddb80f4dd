/**
 * The report's story, computed from the model: the summary that opens it (what broke, when, how
 * it recovered, the cause chain, the impact in numbers), downtime per stage from the hourly flow,
 * the verdict metrics per layer, findings grouped by incident, the incident timeline's wording
 * and the collection-quality advice. Pure functions of the model, so every line is testable and
 * both formats say the same thing; the templates only place and escape it.
 */
import { median } from '../util/stats.js';
import type { ReportModel } from './model.js';

type Hourly = ReportModel['flow']['hourly'];
type Layer = ReportModel['layers'][number];
type Finding = Layer['findings'][number];
type Todo = ReportModel['todos'][number];

/** The stages of the hourly flow that carry events, in pipeline order, with the words a reader uses. */
export const FLOW_STAGE_LABELS: [string, string][] = [
  ['market_data', 'market data'],
  ['signals', 'signals'],
  ['risk_approved', 'risk approvals'],
  ['risk_rejected', 'risk rejections'],
  ['orders', 'orders'],
  ['fills', 'fills'],
  ['persisted', 'persisted rows'],
];
const LABEL = new Map(FLOW_STAGE_LABELS);

/** Same thresholds as the break detection (analysis/break-in-time.ts): below 10 % of the median, long enough to expect 10 events. */
const STOP_FRACTION = 0.1;
const MIN_HOURS = 2;
const MIN_EXPECTED = 10;

export interface StageDowntime {
  stage: string;
  label: string;
  /** In-block hours a source of the stage covered. */
  observed_hours: number;
  /** In-block hours no source covered: nothing can be said of them. */
  unobserved_hours: number;
  /** Observed hours the stage was down (runs below 10 % of its running median, long enough to mean it). */
  down_hours: number;
  /** First hour of the first down run (`YYYY-MM-DDTHH`), or null. */
  down_from: string | null;
  /** The first observed hour the stage ran again after its last down run; null when it never did in the block. */
  recovered_at: string | null;
  events: number;
  source: string;
}


/** Persisted counts trades rows only, as the break detection does; other stages sum every class. */
function counts(stage: string, cls: string): boolean {
  if (stage !== 'persisted') return true;
  return cls === '' || cls.startsWith('trades') || cls === 'writer.trade_persisted' || cls === 'exec.saved_trade';
}

/** Per flow stage: observed and unobserved block hours, and how long it was down (from the hourly flow). */
export function stageDowntime(hourly: Hourly | undefined): StageDowntime[] {
  const rows = (hourly ?? []).filter((r) => r.in_block && r.hour !== 'outside');
  return FLOW_STAGE_LABELS.map(([stage, label]) => {
    const by = new Map<string, { n: number; observed: boolean }>();
    const sources = new Set<string>();
    for (const r of rows) {
      if (r.stage !== stage || !counts(stage, r.class)) continue;
      const h = by.get(r.hour) ?? { n: 0, observed: false };
      h.n += r.n;
      h.observed ||= r.observed;
      by.set(r.hour, h);
      if (r.observed) sources.add(r.source);
    }
    const hours = [...by.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const observed = hours.filter(([, h]) => h.observed);
    const events = observed.reduce((a, [, h]) => a + h.n, 0);
    const base = { stage, label, observed_hours: observed.length, unobserved_hours: hours.length - observed.length, events, source: [...sources].sort().join('+') || 'none' };
    if (!observed.length) return { ...base, down_hours: 0, down_from: null, recovered_at: null };
    if (events === 0) return { ...base, down_hours: observed.length, down_from: observed[0][0], recovered_at: null };
    const first = observed.findIndex(([, h]) => h.n > 0);
    let last = observed.length - 1;
    while (observed[last][1].n === 0) last--;
    const med = median(observed.slice(first, last + 1).map(([, h]) => h.n));
    const need = Math.max(MIN_HOURS, Math.ceil(MIN_EXPECTED / med));
    let down = 0;
    let from: string | null = null;
    let recovered: string | null = null;
    let run: string[] = [];
    const close = (next: string | null) => {
      if (run.length >= need) {
        down += run.length;
        from ??= run[0];
        recovered = next;
      }
      run = [];
    };
    for (const [hour, h] of hours) {
      if (!h.observed) {
        // An hour nobody saw ends a run: it may have flowed then.
        close(null);
        continue;
      }
      if (h.n < STOP_FRACTION * med) run.push(hour);
      else close(hour);
    }
    close(null);
    return { ...base, down_hours: down, down_from: from, recovered_at: down > 0 ? recovered : null };
  });
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

export interface SummaryLine {
  label: string;
  text: string;
  /** file:line pointers that back the line. */
  refs: string[];
}

function loc(e: { file: string; line: number }): string {
  return e.line > 0 ? `${e.file}:${e.line}` : e.file;
}

function hourText(h: string): string {
  return `${h.replace('T', ' ')}:00 UTC`;
}

/** How the broken stage came back: the restart or resume closest before its recovery hour, when the timeline has one. */
function recoveryHow(model: ReportModel, recoveredAt: string): string {
  const end = Date.parse(`${recoveredAt}:59:59Z`);
  const near = (model.timeline ?? []).filter((t) => (t.kind === 'restart' || t.kind === 'feed_resume') && Date.parse(t.at) <= end && Date.parse(t.at) >= end - 2 * 3_600_000);
  const t = near[near.length - 1];
  if (!t) return 'no restart or resume in the bundle explains it';
  return t.kind === 'restart' ? `after ${t.service ?? 'a service'} restarted at ${t.at}` : `the feed resumed at ${t.at}`;
}

/** Flow counts with the source each comes from; two counts of different sources are never divided. */
function flowLine(model: ReportModel): string {
  const c = model.flow.counts;
  const s = model.flow.sources;
  const src = (v: string) => (v === 'none' ? 'no evidence' : v);
  return [
    `${plural(c.signals, 'signal')} (${src(s.signals)})`,
    `${c.risk_approved.toLocaleString('en-US')} approved / ${c.risk_rejected.toLocaleString('en-US')} rejected (${src(s.risk_decisions)})`,
    `${plural(c.orders, 'order')} (${src(s.orders)})`,
    `${plural(c.trades, 'trade')} (${src(s.trades)})`,
    dbTrades(s.trades) ? `${c.persisted_trades.toLocaleString('en-US')} persisted (db)` : 'persisted: unknown (no trades table in the bundle)',
  ].join(' → ');
}

/** The trades count includes the database's trades table (`db`, `db+log`). */
function dbTrades(source: string): boolean {
  return source.split('+').includes('db');
}

/** What did not get through, stage by stage, where both counts come from the same kind of source. */
function lostLine(model: ReportModel): string | null {
  const c = model.flow.counts;
  const s = model.flow.sources;
  const parts: string[] = [];
  const decided = c.risk_approved + c.risk_rejected;
  if (s.signals !== 'none' && s.risk_decisions !== 'none' && c.signals > decided) parts.push(`${plural(c.signals - decided, 'signal')} without a risk decision`);
  if (s.orders !== 'none' && s.risk_decisions !== 'none' && c.risk_approved > c.orders) parts.push(`${plural(c.risk_approved - c.orders, 'approval')} without an order`);
  // Persisted rows are counted in the trades table: without it, "not persisted" would compare a log count with nothing.
  if (dbTrades(s.trades) && c.trades > c.persisted_trades) parts.push(`${c.trades - c.persisted_trades} of ${plural(c.trades, 'trade')} not persisted`);
  return parts.length ? parts.join('; ') : null;
}

/**
 * The block summary: at most 10 lines, what broke first, then when and how it ended, the cause
 * chain, the impact in numbers, and what the evidence was.
 */
export function summaryLines(model: ReportModel): SummaryLine[] {
  const f = model.flow;
  const lines: SummaryLine[] = [];
  const down = stageDowntime(f.hourly);
  const brokenStage = f.break_stage ? down.find((d) => d.stage === f.break_stage) : undefined;
  const top = model.hypotheses[0] as (ReportModel['hypotheses'][number] & { chain?: string; started_at?: string | null }) | undefined;
  if (!f.break_layer) {
    lines.push({ label: 'What broke', text: model.summary.status === 'ok' ? 'nothing — every stage flowed through the block and every rule passed' : 'nothing stopped the event flow; the findings below are problems inside layers that kept flowing', refs: [] });
  } else {
    const stage = f.break_stage ? (LABEL.get(f.break_stage) ?? f.break_stage) : null;
    lines.push({
      label: 'What broke',
      text: stage ? `${stage} stopped — the break is in the ${layerName(f.break_layer)} layer` : `the ${layerName(f.break_layer)} layer (its rules failed; the hourly flow shows no stop in time)`,
      refs: f.break_evidence.slice(0, 2).map(loc),
    });
    const started = f.break_at ?? top?.started_at ?? (brokenStage?.down_from ? `${brokenStage.down_from}:00Z` : null);
    let when = started ? `from ${started}` : 'the start is not in the bundle';
    if (brokenStage && brokenStage.down_hours > 0) {
      when += brokenStage.recovered_at
        ? `; recovered at ${hourText(brokenStage.recovered_at)} (${plural(brokenStage.down_hours, 'hour')} down), ${recoveryHow(model, brokenStage.recovered_at)}`
        : `; never recovered in the block (${plural(brokenStage.down_hours, 'hour')} down to its end)`;
    } else if (f.break_reason) {
      when += /never recovered/.test(f.break_reason) ? '; never recovered in the block' : /back at/.test(f.break_reason) ? `; ${f.break_reason.replace(/^.*; (back at [^;]*)$/, '$1')}` : '';
    }
    lines.push({ label: 'When', text: when, refs: [] });
  }
  if (top) {
    lines.push({ label: 'Cause', text: `${top.chain || top.title} (${top.likelihood.replace('_', ' ')}, hypothesis #1)`, refs: top.evidence.slice(0, 2).map(loc) });
  } else {
    lines.push({ label: 'Cause', text: f.break_layer ? 'no rule named a cause: read the timeline and the break layer below' : 'none needed', refs: [] });
  }
  const downParts = down.filter((d) => d.down_hours > 0 && d.stage !== 'risk_rejected').map((d) => `${d.label} ${d.down_hours} h`);
  if (downParts.length) lines.push({ label: 'Down', text: `${downParts.join(', ')} (of ${Math.max(...down.map((d) => d.observed_hours))} observed block hours)`, refs: [] });
  else if (f.hourly.length) lines.push({ label: 'Down', text: 'no stage was down in any observed hour', refs: [] });
  lines.push({ label: 'Flow', text: flowLine(model), refs: [] });
  const lost = lostLine(model);
  if (lost) lines.push({ label: 'Not processed', text: lost, refs: [] });
  const gaps = down.filter((d) => d.unobserved_hours > 0);
  if (gaps.length) lines.push({ label: 'Not observed', text: `${gaps.map((d) => `${d.label} ${d.unobserved_hours} h`).join(', ')} of the block no source covered — see Collection quality`, refs: [] });
  // The fix of the top cause first; else the most urgent to-do.
  const firstTodo = (top && model.todos.find((t) => t.cause === top.cause)) || sortTodos(model.todos, 'priority')[0];
  if (firstTodo) lines.push({ label: 'Do next', text: `${firstTodo.title} (${firstTodo.where})`, refs: [] });
  return lines.slice(0, 9);
}

const LAYER_NAMES: Record<string, string> = {
  system: 'system & connectivity',
  market_data: 'market data',
  signal_engine: 'signal engine',
  risk: 'risk',
  execution: 'execution',
  reporting: 'database & reporting',
};

function layerName(id: string): string {
  return LAYER_NAMES[id] ?? id;
}

export interface MetricRow {
  name: string;
  value: number | string | null;
  /** `sample: …` or `source: …`, when the rule said what the value stands for. */
  note: string | null;
  /** `> 100` when a KPI target grades this metric over the whole block; null otherwise. */
  target: string | null;
}

const KPI_METRICS = new Set(['signals_total', 'signals_per_day', 'risk_approved', 'trades', 'market_data_events']);

/** The metrics a layer's verdict rests on, with their KPI target — never a target for a value measured on a sample. */
export function keyMetrics(layer: Layer | undefined, kpis: ReportModel['kpis'] | undefined): MetricRow[] {
  if (!layer) return [];
  return (layer.key_metrics ?? []).filter((k) => k in layer.metrics).map((k) => row(layer, k, kpis));
}

/** Every metric of the layer (the appendix). */
export function allMetrics(layer: Layer | undefined): MetricRow[] {
  if (!layer) return [];
  return Object.keys(layer.metrics).map((k) => row(layer, k, undefined));
}

function row(layer: Layer, k: string, kpis: ReportModel['kpis'] | undefined): MetricRow {
  const note = layer.metric_notes?.[k] ?? null;
  const kpi = KPI_METRICS.has(k) ? (kpis ?? []).find((x) => x.metric === k) : undefined;
  const sample = note !== null && /^sample/.test(note);
  return { name: k, value: layer.metrics[k], note, target: kpi && !sample ? `${kpi.comparison} ${kpi.target.toLocaleString('en-US')}` : null };
}

export interface FindingGroup {
  rule: string;
  /** Set when several findings of one rule are one incident seen per service/subject. */
  grouped: boolean;
  severity: Finding['severity'];
  subjects: string;
  findings: Finding[];
}

const SEV = ['info', 'low', 'medium', 'high', 'critical'];

/**
 * Findings of one rule about several services, of the same weight, are one incident seen per
 * service: grouped under the rule, worst first. Findings about anything else stay one by one.
 */
export function groupFindings(findings: Finding[] | undefined, services?: { service: string }[]): FindingGroup[] {
  const known = new Set((services ?? []).map((s) => s.service));
  const out: FindingGroup[] = [];
  const byRule = new Map<string, Finding[]>();
  for (const f of findings ?? []) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const single = (x: Finding): FindingGroup => ({ rule: x.rule, grouped: false, severity: x.severity, subjects: x.subject, findings: [x] });
  for (const [rule, list] of byRule) {
    const top = list.filter((x) => x.severity === list[0].severity && known.has(x.subject));
    if (top.length >= 2 && list[0].severity !== 'info') {
      out.push({ rule, grouped: true, severity: list[0].severity, subjects: top.map((x) => x.subject).join(', '), findings: top });
      out.push(...list.filter((y) => !top.includes(y)).map(single));
    } else out.push(...list.map(single));
  }
  // Stable: worst first, then the order the engine gave.
  return out.map((g, i) => ({ g, i })).sort((a, b) => SEV.indexOf(b.g.severity) - SEV.indexOf(a.g.severity) || a.i - b.i).map(({ g }) => g);
}

export type TodoOrder = 'priority' | 'category';
const PRIORITY_RANK: Record<Todo['priority'], number> = { high: 0, medium: 1, low: 2 };
const CATEGORIES: Todo['category'][] = ['CONFIG', 'CODE', 'MONITORING', 'RISK'];

/** To-dos by priority across categories (high first, then category, then as ranked), or in the runbook's category order. */
export function sortTodos(todos: Todo[] | undefined, order: unknown): Todo[] {
  const list = [...(todos ?? [])];
  if (order !== 'priority') return CATEGORIES.flatMap((c) => list.filter((t) => t.category === c));
  return list
    .map((t, i) => ({ t, i }))
    .sort((a, b) => PRIORITY_RANK[a.t.priority] - PRIORITY_RANK[b.t.priority] || CATEGORIES.indexOf(a.t.category) - CATEGORIES.indexOf(b.t.category) || a.i - b.i)
    .map(({ t }) => t);
}

const KIND_LABEL: Record<ReportModel['timeline'][number]['kind'], string> = {
  restart: '↻ restart',
  error_first: '⚠ first error',
  error_last: '⚠ last error',
  feed_stop: '⏹ feed stopped',
  feed_resume: '▶ feed resumed',
  rejection_first: '✋ first rejection',
  rejection_last: '✋ last rejection',
  report: '📄 report',
  break: '⛔ break',
};

export function timelineKind(kind: unknown): string {
  return KIND_LABEL[kind as keyof typeof KIND_LABEL] ?? String(kind);
}

/** "docker --timestamps stamp differs by +3,600 s" — or the label alone when the offset could not be measured. */
export function clockNote(clock: ReportModel['timeline'][number]['clock'] | undefined): string {
  if (!clock) return '';
  if (clock.offset_s === null) return `⏱ ${clock.label}`;
  const sign = clock.offset_s > 0 ? '+' : '';
  return `⏱ ${clock.label}: ${sign}${clock.offset_s.toLocaleString('en-US')} s`;
}

export interface CollectionAdvice {
  what: string;
  why: string;
}

export interface UnobservedStage {
  label: string;
  hours: number;
  /** `2025-11-26T00–01, 2025-11-27T05` */
  ranges: string;
}

/** `2026-01-01T03–05`; a run over midnight names both days. */
function range(a: string, b: string): string {
  if (a === b) return a;
  return a.slice(0, 10) === b.slice(0, 10) ? `${a}–${b.slice(11)}` : `${a} – ${b}`;
}

/** Runs of hours as compact ranges: consecutive hours fold into `first–last`. */
export function hourRanges(hours: string[]): string {
  const sorted = [...hours].sort();
  const out: string[] = [];
  let start = sorted[0];
  let prev = sorted[0];
  const step = (h: string) => new Date(Date.parse(`${h}:00:00Z`) + 3_600_000).toISOString().slice(0, 13);
  for (const h of sorted.slice(1)) {
    if (h === step(prev)) {
      prev = h;
      continue;
    }
    out.push(range(start, prev));
    start = prev = h;
  }
  if (start) out.push(range(start, prev));
  return out.join(', ');
}

/** Per stage, the block hours no source observed. */
export function unobservedStages(hourly: Hourly | undefined): UnobservedStage[] {
  const out: UnobservedStage[] = [];
  for (const [stage, label] of FLOW_STAGE_LABELS) {
    const seen = new Map<string, boolean>();
    for (const r of hourly ?? []) if (r.stage === stage && r.in_block && r.hour !== 'outside') seen.set(r.hour, (seen.get(r.hour) ?? false) || r.observed);
    const hours = [...seen.entries()].filter(([, o]) => !o).map(([h]) => h);
    if (hours.length) out.push({ label, hours: hours.length, ranges: hourRanges(hours) });
  }
  return out;
}

/**
 * What to collect next time, driven by what this bundle lacked: each item names the gap it closes
 * — the known collection mistakes first, then what every rule that could not run was missing.
 */
export function collectionAdvice(model: ReportModel): CollectionAdvice[] {
  const out: CollectionAdvice[] = [];
  const files = model.manifest.files;
  const parsers = new Set(files.map((f) => f.parser).filter((p): p is string => !!p));
  const rules = model.layers.flatMap((l) => l.rules);
  const notEval = rules.filter((r) => r.status === 'not_evaluable');
  const covered = new Set<string>();
  const hasLogs = [...parsers].some((p) => /log/.test(p));
  if (hasLogs && notEval.some((r) => r.id === 'clock-skew')) {
    out.push({ what: 'container logs with `--timestamps` (`docker compose logs --timestamps`)', why: 'no log line carries docker’s receive stamp beside the application time, so clock skew and a container’s time zone cannot be measured' });
    covered.add('clock-skew');
  }
  const tracebacks = model.layers.find((l) => l.id === 'system')?.metrics.tracebacks_total;
  if (parsers.has('docker-logs') && !tracebacks) {
    out.push({ what: '`docker logs <container> 2>&1` (stderr with stdout)', why: 'no traceback in the `docker logs` captures: Python logging and crashes write to stderr, which `docker logs … > file` leaves on the terminal' });
  }
  const md = model.layers.find((l) => l.id === 'market_data');
  const sample = md ? Object.entries(md.metric_notes ?? {}).find(([, n]) => /^sample/.test(n)) : undefined;
  const unobserved = unobservedStages(model.flow.hourly);
  const mdGap = unobserved.find((u) => u.label === 'market data');
  if (sample || mdGap) {
    out.push({
      what: 'a market-data capture over the whole block (`redis-cli XRANGE` of the stream, or `SUBSCRIBE market_data` started before the block), or the feed’s DEBUG log',
      why: sample ? `market data was only sampled (${sample[1]}), so its volume over the block is unknown` : `market data: ${mdGap!.hours} block hour(s) no source covered (${mdGap!.ranges})`,
    });
  }
  for (const u of unobserved) {
    if (u === mdGap) continue;
    out.push({ what: `logs that cover ${u.label} for the whole block (no \`--tail\`/\`--since\` cut; save them before a container is recreated)`, why: `${u.label}: ${u.hours} block hour(s) no source covered (${u.ranges})` });
  }
  const seen = new Set<string>();
  for (const r of notEval) {
    if (covered.has(r.id)) continue;
    // "nothing reached execution": the input was empty because the flow stopped upstream — not a gap in the collection.
    if (/\bnothing (reached|to)\b/i.test(r.missing ?? '')) continue;
    const what = r.needs.join('; ');
    if (!what || seen.has(what)) continue;
    seen.add(what);
    out.push({ what, why: `${r.id}: ${r.missing ?? 'not evaluable'}` });
  }
  return out;
}

/** " (sample)" after a value whose note says it was measured on a sample. */
export function sampleMark(note: unknown): string {
  return typeof note === 'string' && /^sample/.test(note) ? ' (sample)' : '';
}

/** Our own advice text marks commands with backticks for Markdown; HTML shows them without. */
export function plainTicks(text: unknown): string {
  return String(text ?? '').replace(/`/g, '');
}
