/**
 * The report's story, computed from the model: the summary that opens it (what broke, when, how
 * it recovered, the cause chain, the impact in numbers), downtime per stage from the hourly flow,
 * the verdict metrics per layer, findings grouped by incident, the incident timeline's wording
 * and the collection-quality advice. Pure functions of the model, so every line is testable and
 * both formats say the same thing; the templates only place and escape it. Every sentence comes
 * from the catalog in the report's language: functions of the whole model take it from the
 * model's `lang`, the others from `activeLang()` (set while a template renders).
 */
import { formatDate, formatDateTime, formatNumber } from '../i18n/format.js';
import type { Lang } from '../i18n/lang.js';
import { isText, render, text, word, type AnyText, type MessageKey } from '../i18n/translate.js';
import { median } from '../util/stats.js';
import { activeLang, langOf } from './active-lang.js';
import { hourId } from './charts/hourly.js';
import type { ReportModel } from './model.js';

type Hourly = ReportModel['flow']['hourly'];
type Layer = ReportModel['layers'][number];
type Finding = Layer['findings'][number];
type Todo = ReportModel['todos'][number];

/** The stages of the hourly flow that carry events, in pipeline order; their words are `story.stage.<id>`. */
export const FLOW_STAGES = ['market_data', 'signals', 'risk_approved', 'risk_rejected', 'orders', 'fills', 'persisted'] as const;
type FlowStage = (typeof FLOW_STAGES)[number];

function isFlowStage(s: string): s is FlowStage {
  return (FLOW_STAGES as readonly string[]).includes(s);
}

/** The words a reader uses for a flow stage ("risk approvals" / "Risk-Genehmigungen"); an unknown id as it is. */
export function flowStageLabel(stage: string, lang: Lang = activeLang()): string {
  return isFlowStage(stage) ? word(lang, `story.stage.${stage}`) : stage;
}

/** A moment as the story prints it: English keeps the model's ISO text, German `26.11.2025 00:49:33 UTC`. */
function when(lang: Lang, iso: string): string {
  return lang === 'en' ? iso : formatDateTime(lang, iso);
}

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
export function stageDowntime(hourly: Hourly | undefined, lang: Lang = activeLang()): StageDowntime[] {
  const rows = (hourly ?? []).filter((r) => r.in_block && r.hour !== 'outside');
  return FLOW_STAGES.map((stage) => {
    const label = flowStageLabel(stage, lang);
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

export interface SummaryLine {
  label: string;
  text: string;
  /** file:line pointers that back the line. */
  refs: string[];
}

function loc(e: { file: string; line: number }): string {
  return e.line > 0 ? `${e.file}:${e.line}` : e.file;
}

function hourText(lang: Lang, h: string): string {
  return lang === 'en' ? `${h.replace('T', ' ')}:00 UTC` : formatDateTime(lang, `${h}:00`);
}

/** How the broken stage came back: the restart or resume closest before its recovery hour, when the timeline has one. */
function recoveryHow(model: ReportModel, recoveredAt: string, lang: Lang): AnyText {
  const end = Date.parse(`${recoveredAt}:59:59Z`);
  const near = (model.timeline ?? []).filter((t) => (t.kind === 'restart' || t.kind === 'feed_resume') && Date.parse(t.at) <= end && Date.parse(t.at) >= end - 2 * 3_600_000);
  const t = near[near.length - 1];
  if (!t) return text('story.no_restart');
  return t.kind === 'restart' ? text('story.after_restart', { service: t.service ?? text('story.a_service'), at: when(lang, t.at) }) : text('story.feed_resumed', { at: when(lang, t.at) });
}

/** Flow counts with the source each comes from; two counts of different sources are never divided. */
function flowLine(model: ReportModel): AnyText {
  const c = model.flow.counts;
  const s = model.flow.sources;
  const src = (v: string) => (v === 'none' ? text('story.no_evidence') : v);
  return text('story.flow', {
    signals: text('story.flow.signals', { n: c.signals, source: src(s.signals) }),
    decisions: text('story.flow.decisions', { approved: c.risk_approved, rejected: c.risk_rejected, source: src(s.risk_decisions) }),
    orders: text('story.flow.orders', { n: c.orders, source: src(s.orders) }),
    trades: text('story.flow.trades', { n: c.trades, source: src(s.trades) }),
    persisted: dbTrades(s.trades) ? text('story.flow.persisted', { n: c.persisted_trades }) : text('story.flow.persisted_unknown'),
  });
}

/** The trades count includes the database's trades table (`db`, `db+log`). */
function dbTrades(source: string): boolean {
  return source.split('+').includes('db');
}

/** What did not get through, stage by stage, where both counts come from the same kind of source. */
function lostLine(model: ReportModel, lang: Lang): string | null {
  const c = model.flow.counts;
  const s = model.flow.sources;
  const parts: AnyText[] = [];
  const decided = c.risk_approved + c.risk_rejected;
  if (s.signals !== 'none' && s.risk_decisions !== 'none' && c.signals > decided) parts.push(text('story.lost.signals', { n: c.signals - decided }));
  if (s.orders !== 'none' && s.risk_decisions !== 'none' && c.risk_approved > c.orders) parts.push(text('story.lost.approvals', { n: c.risk_approved - c.orders }));
  // Persisted rows are counted in the trades table: without it, "not persisted" would compare a log count with nothing.
  if (dbTrades(s.trades) && c.trades > c.persisted_trades) parts.push(text('story.lost.trades', { n: c.trades - c.persisted_trades, of: c.trades }));
  // Independent clauses, one per stage: a "; " between them reads the same in both languages.
  return parts.length ? parts.map((p) => render(lang, p)).join('; ') : null;
}

/**
 * The block summary: at most 10 lines, what broke first, then when and how it ended, the cause
 * chain, the impact in numbers, and what the evidence was.
 */
export function summaryLines(model: ReportModel): SummaryLine[] {
  const lang = langOf(model.lang);
  const say = (t: AnyText) => render(lang, t);
  const label = (k: `story.label.${'what_broke' | 'when' | 'cause' | 'down' | 'flow' | 'not_processed' | 'not_observed' | 'do_next'}`) => word(lang, k);
  const f = model.flow;
  const lines: SummaryLine[] = [];
  const down = stageDowntime(f.hourly, lang);
  const brokenStage = f.break_stage ? down.find((d) => d.stage === f.break_stage) : undefined;
  const top = model.hypotheses[0] as (ReportModel['hypotheses'][number] & { chain?: string; started_at?: string | null }) | undefined;
  if (!f.break_layer) {
    lines.push({ label: label('story.label.what_broke'), text: say(text(model.summary.status === 'ok' ? 'story.nothing_broke' : 'story.nothing_stopped')), refs: [] });
  } else {
    const layer = text(`story.layer.${f.break_layer}`);
    lines.push({
      label: label('story.label.what_broke'),
      text: say(f.break_stage ? text('story.stage_stopped', { stage: flowStageLabel(f.break_stage, lang), layer }) : text('story.layer_failed', { layer })),
      refs: f.break_evidence.slice(0, 2).map(loc),
    });
    const started = f.break_at ?? top?.started_at ?? (brokenStage?.down_from ? `${brokenStage.down_from}:00Z` : null);
    const start = started ? text('story.from', { at: when(lang, started) }) : text('story.start_unknown');
    let whenText: AnyText = start;
    if (brokenStage && brokenStage.down_hours > 0) {
      whenText = brokenStage.recovered_at
        ? text('story.recovered', { start, at: hourText(lang, brokenStage.recovered_at), h: brokenStage.down_hours, how: recoveryHow(model, brokenStage.recovered_at, lang) })
        : text('story.never_recovered_down', { start, h: brokenStage.down_hours });
    } else if (f.break_reason) {
      // The recovery clause is the break reason's own keyed part, so it reads in the report's language;
      // a report.json from before keyed texts has only the English sentence to quote it from.
      const recovery = (f.texts?.break_reason?.params as Record<string, unknown> | undefined)?.recovery;
      if (isText(recovery)) {
        if (recovery.key === 'break.never_recovered') whenText = text('story.never_recovered', { start });
        else if (recovery.key === 'break.back_at') whenText = text('story.back', { start, back: recovery });
      } else if (/never recovered/.test(f.break_reason)) whenText = text('story.never_recovered', { start });
      else if (/back at/.test(f.break_reason)) whenText = text('story.back', { start, back: f.break_reason.replace(/^.*; (back at [^;]*)$/, '$1') });
    }
    lines.push({ label: label('story.label.when'), text: say(whenText), refs: [] });
  }
  if (top) {
    lines.push({ label: label('story.label.cause'), text: say(text('story.cause', { cause: top.chain || top.title, likelihood: text(`likelihood.${top.likelihood}`) })), refs: top.evidence.slice(0, 2).map(loc) });
  } else {
    lines.push({ label: label('story.label.cause'), text: say(text(f.break_layer ? 'story.no_cause' : 'story.none_needed')), refs: [] });
  }
  const downParts = down.filter((d) => d.down_hours > 0 && d.stage !== 'risk_rejected').map((d) => text('story.stage_hours', { stage: d.label, h: d.down_hours }));
  if (downParts.length) lines.push({ label: label('story.label.down'), text: say(text('story.down', { stages: downParts, n: Math.max(...down.map((d) => d.observed_hours)) })), refs: [] });
  else if (f.hourly.length) lines.push({ label: label('story.label.down'), text: say(text('story.nothing_down')), refs: [] });
  lines.push({ label: label('story.label.flow'), text: say(flowLine(model)), refs: [] });
  const lost = lostLine(model, lang);
  if (lost) lines.push({ label: label('story.label.not_processed'), text: lost, refs: [] });
  const gaps = down.filter((d) => d.unobserved_hours > 0);
  if (gaps.length) lines.push({ label: label('story.label.not_observed'), text: say(text('story.not_observed', { stages: gaps.map((d) => text('story.stage_hours', { stage: d.label, h: d.unobserved_hours })) })), refs: [] });
  // The fix of the top cause first; else the most urgent to-do.
  const firstTodo = (top && model.todos.find((t) => t.cause === top.cause)) || sortTodos(model.todos, 'priority')[0];
  if (firstTodo) lines.push({ label: label('story.label.do_next'), text: say(text('story.do_next', { title: firstTodo.title, where: firstTodo.where })), refs: [] });
  return lines.slice(0, 9);
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
  const sample = note !== null && isSampleNote(note);
  return { name: k, value: layer.metrics[k], note, target: kpi && !sample ? `${kpi.comparison} ${formatNumber(activeLang(), kpi.target)}` : null };
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

type Kind = ReportModel['timeline'][number]['kind'];
const KIND_ICON: Record<Kind, string> = {
  restart: '↻',
  error_first: '⚠',
  error_last: '⚠',
  feed_stop: '⏹',
  feed_resume: '▶',
  rejection_first: '✋',
  rejection_last: '✋',
  report: '📄',
  break: '⛔',
};

export function timelineKind(kind: unknown): string {
  return typeof kind === 'string' && kind in KIND_ICON ? `${KIND_ICON[kind as Kind]} ${word(activeLang(), `story.kind.${kind as Kind}`)}` : String(kind);
}

/** "docker --timestamps stamp differs by +3,600 s" — or the label alone when the offset could not be measured. */
export function clockNote(clock: ReportModel['timeline'][number]['clock'] | undefined): string {
  if (!clock) return '';
  if (clock.offset_s === null) return `⏱ ${clock.label}`;
  const sign = clock.offset_s > 0 ? '+' : '';
  return `⏱ ${clock.label}: ${sign}${formatNumber(activeLang(), clock.offset_s, 3)} s`;
}

export interface CollectionAdvice {
  what: string;
  why: string;
}

export interface UnobservedStage {
  stage: string;
  label: string;
  hours: number;
  /** `2025-11-26T00–01, 2025-11-27T05` */
  ranges: string;
}

/** `2026-01-01T03–05` (German `01.01.2026 03–05h`); a run over midnight names both days. */
function range(a: string, b: string, lang: Lang): string {
  if (lang !== 'en') {
    if (a === b) return hourId(a, lang);
    return a.slice(0, 10) === b.slice(0, 10) ? `${formatDate(lang, a.slice(0, 10))} ${a.slice(11)}–${b.slice(11)}h` : `${hourId(a, lang)} – ${hourId(b, lang)}`;
  }
  if (a === b) return a;
  return a.slice(0, 10) === b.slice(0, 10) ? `${a}–${b.slice(11)}` : `${a} – ${b}`;
}

/** Runs of hours as compact ranges: consecutive hours fold into `first–last`. */
export function hourRanges(hours: string[], lang: Lang = activeLang()): string {
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
    out.push(range(start, prev, lang));
    start = prev = h;
  }
  if (start) out.push(range(start, prev, lang));
  return out.join(', ');
}

/** Per stage, the block hours no source observed. */
export function unobservedStages(hourly: Hourly | undefined, lang: Lang = activeLang()): UnobservedStage[] {
  const out: UnobservedStage[] = [];
  for (const stage of FLOW_STAGES) {
    const label = flowStageLabel(stage, lang);
    const seen = new Map<string, boolean>();
    for (const r of hourly ?? []) if (r.stage === stage && r.in_block && r.hour !== 'outside') seen.set(r.hour, (seen.get(r.hour) ?? false) || r.observed);
    const hours = [...seen.entries()].filter(([, o]) => !o).map(([h]) => h);
    if (hours.length) out.push({ stage, label, hours: hours.length, ranges: hourRanges(hours, lang) });
  }
  return out;
}

/**
 * What to collect next time, driven by what this bundle lacked: each item names the gap it closes
 * — the known collection mistakes first, then what every rule that could not run was missing.
 */
export function collectionAdvice(model: ReportModel): CollectionAdvice[] {
  const lang = langOf(model.lang);
  const say = (t: AnyText) => render(lang, t);
  const out: CollectionAdvice[] = [];
  const files = model.manifest.files;
  const parsers = new Set(files.map((f) => f.parser).filter((p): p is string => !!p));
  const rules = model.layers.flatMap((l) => l.rules);
  const notEval = rules.filter((r) => r.status === 'not_evaluable');
  const covered = new Set<string>();
  const hasLogs = [...parsers].some((p) => /log/.test(p));
  if (hasLogs && notEval.some((r) => r.id === 'clock-skew')) {
    out.push({ what: say(text('story.advice.timestamps')), why: say(text('story.advice.timestamps_why')) });
    covered.add('clock-skew');
  }
  const tracebacks = model.layers.find((l) => l.id === 'system')?.metrics.tracebacks_total;
  if (parsers.has('docker-logs') && !tracebacks) {
    out.push({ what: say(text('story.advice.stderr')), why: say(text('story.advice.stderr_why')) });
  }
  const md = model.layers.find((l) => l.id === 'market_data');
  const sample = md ? Object.entries(md.metric_notes ?? {}).find(([, n]) => isSampleNote(n)) : undefined;
  const unobserved = unobservedStages(model.flow.hourly, lang);
  const mdGap = unobserved.find((u) => u.stage === 'market_data');
  const gapWhy = (u: UnobservedStage) => say(text('story.advice.gap_why', { stage: u.label, h: u.hours, ranges: u.ranges }));
  if (sample || mdGap) {
    out.push({ what: say(text('story.advice.market_data')), why: sample ? say(text('story.advice.sampled_why', { note: sample[1] })) : gapWhy(mdGap!) });
  }
  for (const u of unobserved) {
    if (u === mdGap) continue;
    out.push({ what: say(text('story.advice.logs', { stage: u.label })), why: gapWhy(u) });
  }
  const seen = new Set<string>();
  for (const r of notEval) {
    if (covered.has(r.id)) continue;
    // "nothing reached execution": the input was empty because the flow stopped upstream — not a gap in the collection.
    // Read from the English text the rule keeps beside the rendered one when it has one.
    if (/\bnothing (reached|to)\b/i.test(englishMissing(r))) continue;
    const what = r.needs.join('; ');
    if (!what || seen.has(what)) continue;
    seen.add(what);
    out.push({ what, why: say(text('story.advice.rule_why', { rule: r.id, missing: r.missing ?? text('story.not_evaluable') })) });
  }
  return out;
}

/** A rule's `missing` in English: rendered from its keyed text when it has one, else as the model holds it. */
function englishMissing(r: { missing: string | null; texts?: Record<string, { key: string; params: Record<string, unknown> }> }): string {
  const t = r.texts?.missing;
  if (t) {
    try {
      return render('en', t);
    } catch {
      // A key this version does not know (a report.json from elsewhere): the rendered text is all there is.
    }
  }
  return r.missing ?? '';
}

/** A metric note that says the value was measured on a sample (`sample: …`, German `Stichprobe: …`). */
function isSampleNote(note: string): boolean {
  return new RegExp(`^(sample|${word('de', 'story.sample')})`).test(note);
}

/** " (sample)" after a value whose note says it was measured on a sample. */
export function sampleMark(note: unknown): string {
  return typeof note === 'string' && isSampleNote(note) ? ` (${word(activeLang(), 'story.sample')})` : '';
}

/** Our own advice text marks commands with backticks for Markdown; HTML shows them without. */
export function plainTicks(text: unknown): string {
  return String(text ?? '').replace(/`/g, '');
}
