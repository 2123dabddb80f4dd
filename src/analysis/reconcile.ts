/**
 * DB-vs-report reconciliation (runbook layer 6, evidence-formats §6): every value every ingested
 * report printed, the DB's count under every window the producer might really have counted, and a
 * verdict decided over the whole block. The reporting rules turn the rows into findings,
 * hypotheses and to-dos; report.json carries them as `reconciliation`.
 *
 * Counts are integers, so a candidate reproduces a value only exactly (raw rows, or the two
 * writers' twins counted once, §5.5). A report can never have counted rows written after it was
 * generated, so every window ends at the generation time at the latest.
 */
import type { RuleContext } from './define-rule.js';
import { findLogs, K, RUNNER, runnerStartTime } from './rules/shared/logs.js';
import { generatedMs, localToUtc } from './rules/shared/time-zones.js';
import { listSrcTables, type SrcKind } from '../model/src-tables.js';
import { render, text, type AnyText } from '../i18n/translate.js';

export const INTERPRETATIONS = [
  'named_day_utc',
  'previous_utc_day',
  'local_day',
  'day_elapsed',
  'rolling_24h',
  'runner_start_day',
  'since_process_start',
  'all_rows',
  'unfiltered',
  'wrong_table',
] as const;
export type Interpretation = (typeof INTERPRETATIONS)[number];

export const EXPLANATIONS = ['window', 'timezone', 'restart_reset', 'duplicate_rows', 'query_bug', 'report_failed', 'unexplained'] as const;
export type Explanation = (typeof EXPLANATIONS)[number];

export const METRICS = ['signals', 'trades', 'orders', 'orders_filled', 'orders_rejected', 'orders_cancelled', 'events_logged', 'db_tables'] as const;
export type Metric = (typeof METRICS)[number];

export type ReportKind = 'paper_runner' | 'daily_check' | 'cdb_reports' | 'systemcheck';

export interface Candidate {
  interpretation: Interpretation;
  from: string | null;
  to: string;
  raw: number;
  dedup: number;
  /** The window in English words; `texts.label` keeps the keyed text for other languages. */
  label: string;
  texts?: { label: AnyText };
}

export interface ReconRow {
  /** The day the value counts (null: a total, or a counter since process start). */
  date: string | null;
  metric: Metric;
  report_kind: ReportKind;
  report_value: number | null;
  /** The DB count the verdict rests on (under `interpretation`, else the declared window); null when the DB cannot say. */
  db_value: number | null;
  matches: boolean;
  explanation: Explanation | null;
  interpretation: Interpretation | null;
  interpretations_matching: Interpretation[];
  /** false when the value was written before the day it counts had ended. */
  complete: boolean;
  /** Unexplained, but one candidate comes within 5 % of the value. */
  close: boolean;
  /** Which rows reproduce the value: every row, or the two writers' twins once. */
  counting: 'raw' | 'dedup' | null;
  generated_at: string | null;
  zone: string | null;
  /** In English (or the report's failure line as it printed it); `texts.note` keeps the keyed text. */
  note: string | null;
  candidates: Candidate[];
  evidence: { file: string; line: number }[];
  texts?: { note: AnyText };
}

/**
 * A row's note: keyed text is rendered in English (the language the model is built in) and kept
 * in `texts` for `localize`; a plain string is quoted evidence (the report's own failure line).
 */
function setNote(row: ReconRow, note: AnyText | string | null): void {
  delete row.texts;
  if (note === null || typeof note === 'string') {
    row.note = note;
    return;
  }
  row.note = render('en', note);
  row.texts = { note };
}

// ------------------------------------------------------------------ reports

interface ValueRow {
  report_kind: string;
  report_date: string | null;
  generated_at: string | null;
  generated_text: string | null;
  zone: string | null;
  section: string | null;
  key: string;
  value_text: string | null;
  value_num: number | null;
  file_id: number;
  line_no: number;
}

interface Report {
  kind: ReportKind;
  date: string | null;
  genMs: number | null;
  zone: string | null;
  /** IANA zone of the report's own clock when it is not UTC (host-side reports). */
  localZone: string | null;
  rows: ValueRow[];
}

const HOST_ZONE = 'Europe/Berlin';
const KINDS: ReportKind[] = ['paper_runner', 'daily_check', 'cdb_reports', 'systemcheck'];

function isHostZone(zone: string | null): boolean {
  return !!zone && /host|CET|CEST|local/i.test(zone) && !/UTC \(container/i.test(zone);
}

/** Every report in the bundle, whatever its date; the same report in a mail and a log block is one. */
export function loadReports(ctx: RuleContext): Report[] {
  const rows = ctx.db
    .prepare(
      `SELECT report_kind, report_date, generated_at, generated_text, zone, section, key, value_text, value_num, file_id, line_no
       FROM daily_report_values ORDER BY report_kind, report_date, file_id, line_no`,
    )
    .all() as ValueRow[];
  const byFile = new Map<string, ValueRow[]>();
  for (const r of rows) {
    if (!KINDS.includes(r.report_kind as ReportKind)) continue;
    // One file holds one report per kind, except a log with many report blocks: split those by date and time.
    const k = `${r.report_kind}|${r.file_id}|${r.report_date ?? ''}|${r.generated_at ?? r.generated_text ?? ''}`;
    let list = byFile.get(k);
    if (!list) byFile.set(k, (list = []));
    list.push(r);
  }
  const reports: Report[] = [];
  for (const list of byFile.values()) {
    const first = list[0];
    const host = isHostZone(first.zone);
    // Without a printed time: the producers' schedules (the runner at UTC midnight, cdb_reports at 08:00 UTC).
    const scheduled =
      first.report_date && first.report_kind === 'paper_runner' ? dayMs(first.report_date) : first.report_date && first.report_kind === 'cdb_reports' ? dayMs(first.report_date) + 8 * 3_600_000 : null;
    const genMs = generatedMs(first.generated_at, 'UTC') ?? generatedMs(first.generated_text, host ? null : first.zone) ?? scheduled;
    const kind = first.report_kind as ReportKind;
    const same = reports.find(
      (r) => r.kind === kind && r.date === first.report_date && r.genMs !== null && genMs !== null && Math.abs(r.genMs - genMs) < 120_000,
    );
    if (same) {
      // The same report seen twice (log block and mail): one report, both sources cited.
      same.rows.push(...list);
      continue;
    }
    reports.push({ kind, date: first.report_date, genMs, zone: first.zone, localZone: host ? HOST_ZONE : null, rows: [...list] });
  }
  return reports.sort((a, b) => (a.genMs ?? 0) - (b.genMs ?? 0) || a.kind.localeCompare(b.kind) || (a.date ?? '').localeCompare(b.date ?? ''));
}

// ------------------------------------------------------------------ DB counts

type Entity = 'signals' | 'trades' | 'orders' | 'orders_filled' | 'orders_rejected' | 'orders_cancelled';

const ENTITY_SQL: Record<Entity, { table: string; where: string; twins: boolean; src: SrcKind }> = {
  signals: { table: 'signals', where: '', twins: false, src: 'signals' },
  trades: { table: 'trades', where: '', twins: true, src: 'trades' },
  orders: { table: 'orders', where: '', twins: true, src: 'orders' },
  orders_filled: { table: 'orders', where: "AND LOWER(status) = 'filled'", twins: false, src: 'orders' },
  orders_rejected: { table: 'orders', where: "AND LOWER(status) = 'rejected'", twins: false, src: 'orders' },
  orders_cancelled: { table: 'orders', where: "AND LOWER(status) = 'cancelled'", twins: false, src: 'orders' },
};

const EPOCH_MS = Date.parse('1970-01-01T00:00:00.000Z');

class Counter {
  private readonly stmts = new Map<Entity, { raw: import('better-sqlite3').Statement; dedup: import('better-sqlite3').Statement }>();
  private readonly available = new Map<Entity, boolean>();
  private readonly firstId = new Map<Entity, number | null>();
  constructor(private readonly ctx: RuleContext) {}

  has(e: Entity): boolean {
    if (!this.available.has(e)) {
      const d = ENTITY_SQL[e];
      const src = listSrcTables(this.ctx.db).some((t) => t.kind === d.src);
      this.available.set(e, src || !!this.ctx.db.prepare(`SELECT 1 FROM ${d.table} WHERE source = 'db' LIMIT 1`).get());
    }
    return this.available.get(e)!;
  }

  /** Rows in [from, to] (ISO, inclusive), raw and with twins once. */
  count(e: Entity, fromMs: number, toMs: number): { raw: number; dedup: number } {
    let s = this.stmts.get(e);
    if (!s) {
      const d = ENTITY_SQL[e];
      const base = `FROM ${d.table} WHERE source = 'db' ${d.where} AND ts >= ? AND ts <= ?`;
      s = {
        raw: this.ctx.db.prepare(`SELECT COUNT(*) ${d.twins ? '+ COUNT(twin_file_id)' : ''} AS n ${base}`),
        dedup: this.ctx.db.prepare(`SELECT COUNT(*) AS n ${base}`),
      };
      this.stmts.set(e, s);
    }
    const f = new Date(fromMs).toISOString();
    const t = new Date(toMs).toISOString();
    return { raw: (s.raw.get(f, t) as { n: number }).n, dedup: (s.dedup.get(f, t) as { n: number }).n };
  }

  /**
   * The lowest id of the exported table when it is above 1: the export holds only the later rows,
   * and a total counts the earlier ones by their ids (a table that is only ever appended to).
   */
  idsBefore(e: Entity): number {
    if (!this.firstId.has(e)) {
      let min: number | null = null;
      for (const t of listSrcTables(this.ctx.db).filter((x) => x.kind === ENTITY_SQL[e].src && x.columns.includes('id'))) {
        const r = this.ctx.db.prepare(`SELECT MIN(CAST(id AS INTEGER)) AS m FROM "${t.name}" WHERE id IS NOT NULL AND id <> ''`).get() as { m: number | null };
        if (r.m != null && (min === null || r.m < min)) min = r.m;
      }
      this.firstId.set(e, min);
    }
    const m = this.firstId.get(e);
    return m != null && m > 1 ? m - 1 : 0;
  }
}

// ------------------------------------------------------------------ windows

const DAY = 86_400_000;
const dayMs = (d: string) => Date.parse(`${d}T00:00:00.000Z`);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDay = (d: string, n: number) => isoDay(dayMs(d) + n * DAY);

function localDayStart(d: string, zone: string): number {
  return localToUtc(`${d} 00:00:00`, zone) ?? dayMs(d);
}

/** The runner's start before a report: its `Start Time:` banner, else the report's Date minus Uptime. */
function runnerStartMs(ctx: RuleContext, rep: Report): { ms: number; how: AnyText } | null {
  if (rep.genMs === null) return null;
  const banners = findLogs(ctx, { group: RUNNER, span: { from: '1970-01-01T00:00:00.000Z', to: new Date(rep.genMs).toISOString() }, classes: K.runnerStartTime }).filter((r) => runnerStartTime(r) !== null);
  const last = banners[banners.length - 1];
  if (last) {
    const t = runnerStartTime(last)!.replace(' ', 'T');
    const ms = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(t) ? t : `${t.slice(0, 23)}Z`);
    if (Number.isFinite(ms)) return { ms, how: text('reconcile.start.banner') };
  }
  const up = uptimeOf(rep);
  if (up != null) return { ms: rep.genMs - (up + 0.5) * 3_600_000, how: text('reconcile.start.uptime') };
  return null;
}

/** `Uptime: 1 days, 9 hours` in hours (the parser stores it as a number; older rows only as text). */
function uptimeOf(rep: Report): number | null {
  const r = rep.rows.find((x) => x.key === 'Uptime');
  if (!r) return null;
  if (r.value_num != null) return r.value_num;
  const m = /^(\d+)\s+days?,\s*(\d+)\s+hours?$/.exec((r.value_text ?? '').trim());
  return m ? Number(m[1]) * 24 + Number(m[2]) : null;
}

interface Win {
  interpretation: Interpretation;
  from: number;
  to: number;
  label: AnyText;
  entity?: Entity;
}

function clip(w: Win, genMs: number): Win | null {
  const to = Math.min(w.to, genMs);
  return to < w.from ? null : { ...w, to };
}

function windowsFor(ctx: RuleContext, rep: Report, date: string | null, entity: Entity): Win[] {
  const gen = rep.genMs!;
  const ws: Win[] = [];
  if (date) {
    ws.push({ interpretation: 'named_day_utc', from: dayMs(date), to: dayMs(date) + DAY - 1, label: text('reconcile.window.named_day_utc', { day: date }) });
    ws.push({ interpretation: 'previous_utc_day', from: dayMs(addDay(date, -1)), to: dayMs(date) - 1, label: text('reconcile.window.previous_utc_day', { day: addDay(date, -1) }) });
    if (rep.localZone) {
      ws.push({ interpretation: 'local_day', from: localDayStart(date, rep.localZone), to: localDayStart(addDay(date, 1), rep.localZone) - 1, label: text('reconcile.window.local_day', { day: date, zone: rep.localZone }) });
    }
    const today = isoDay(gen);
    ws.push({ interpretation: 'day_elapsed', from: dayMs(today), to: gen, label: text('reconcile.window.day_elapsed', { day: today }) });
    ws.push({ interpretation: 'rolling_24h', from: gen - DAY, to: gen, label: text('reconcile.window.rolling_24h') });
    if (rep.kind === 'paper_runner') {
      const start = runnerStartMs(ctx, rep);
      if (start) {
        // The first statement (the 5-minute health check) opens the transaction that freezes CURRENT_DATE.
        const frozen = isoDay(start.ms + 5 * 60_000);
        ws.push({ interpretation: 'runner_start_day', from: dayMs(frozen), to: dayMs(frozen) + DAY - 1, label: text('reconcile.window.runner_start_day', { day: frozen, how: start.how }) });
      }
    }
    const other: Entity = entity === 'signals' ? 'trades' : 'signals';
    ws.push({ interpretation: 'unfiltered', from: EPOCH_MS, to: gen, label: text('reconcile.window.unfiltered') });
    ws.push({ interpretation: 'wrong_table', from: dayMs(date), to: dayMs(date) + DAY - 1, label: text('reconcile.window.wrong_table', { table: other, day: date }), entity: other });
  } else {
    ws.push({ interpretation: 'all_rows', from: EPOCH_MS, to: gen, label: text('reconcile.window.all_rows') });
  }
  return ws.map((w) => clip(w, gen)).filter((w): w is Win => !!w);
}

// ------------------------------------------------------------------ values of a report

interface Item {
  rep: Report;
  metric: Metric;
  date: string | null;
  complete: boolean;
  value: number | null;
  declared: Interpretation;
  entity: Entity | null;
  rows: ValueRow[];
  failure: ValueRow | null;
}

const PAPER: [RegExp, Metric][] = [
  [/^Signals Today$/i, 'signals'],
  [/^Trades Today$/i, 'trades'],
  [/^Events Logged$/i, 'events_logged'],
];
const SUMMARY: [RegExp, Metric][] = [
  [/^Total Orders$/i, 'orders'],
  [/^Filled$/i, 'orders_filled'],
  [/^Rejected$/i, 'orders_rejected'],
  [/^Cancelled$/i, 'orders_cancelled'],
  [/^Total Trades$/i, 'trades'],
];

function entityOf(m: Metric): Entity | null {
  return m === 'events_logged' || m === 'db_tables' ? null : m;
}

function completeAt(date: string | null, genMs: number | null, zone: string | null): boolean {
  if (!date || genMs === null) return true;
  const end = zone ? localDayStart(addDay(date, 1), zone) : dayMs(date) + DAY;
  return genMs >= end;
}

function itemsOf(rep: Report): Item[] {
  const out: Item[] = [];
  const withKey = (re: RegExp) => rep.rows.filter((r) => re.test(r.key));
  const failure = rep.rows.find((r) => r.key === 'failure') ?? null;
  const push = (metric: Metric, date: string | null, declared: Interpretation, rows: ValueRow[], fail: ValueRow | null, zone: string | null = rep.localZone) => {
    const value = rows.find((r) => r.value_num != null)?.value_num ?? null;
    out.push({ rep, metric, date, complete: completeAt(date, rep.genMs, zone), value: fail ? null : value, declared, entity: entityOf(metric), rows, failure: fail });
  };
  if (rep.kind === 'paper_runner') {
    for (const [re, metric] of PAPER) {
      const rows = withKey(re);
      if (!rows.length && !failure) continue;
      push(metric, metric === 'events_logged' ? null : rep.date, metric === 'events_logged' ? 'since_process_start' : 'named_day_utc', rows, rows.length ? null : failure, null);
    }
  } else if (rep.kind === 'cdb_reports') {
    for (const [re, metric] of SUMMARY) {
      const rows = withKey(re);
      if (rows.length) push(metric, rep.date, 'rolling_24h', rows, null, null);
    }
  } else if (rep.kind === 'daily_check') {
    const stats = rep.rows.filter((r) => /^(Signals|Trades) (Today|Total|Yesterday \(\d{4}-\d\d-\d\d\))$/.test(r.key));
    const statsFailure = rep.rows.find((r) => r.key === 'failure' && /Trading Statistics|Portfolio/i.test(r.section ?? '')) ?? null;
    if (stats.length) {
      for (const r of stats) {
        const m = /^(Signals|Trades) (Today|Total|Yesterday \((\d{4}-\d\d-\d\d)\))$/.exec(r.key)!;
        const metric: Metric = m[1] === 'Signals' ? 'signals' : 'trades';
        if (m[2] === 'Total') push(metric, null, 'all_rows', [r], null);
        else if (m[3]) push(metric, m[3], 'named_day_utc', [r], null);
        else push(metric, rep.date, 'named_day_utc', [r], null);
      }
    } else if (statsFailure) {
      // The section printed an error instead of its table: the rows it would have printed.
      for (const metric of ['signals', 'trades'] as Metric[]) {
        push(metric, rep.date, 'named_day_utc', [], statsFailure);
        push(metric, null, 'all_rows', [], statsFailure);
      }
    }
  } else if (rep.kind === 'systemcheck') {
    const tables = withKey(/^Tables Found$/i);
    const pgFail = rep.rows.find((r) => r.key === 'failure' && /POSTGRES/i.test(r.section ?? '')) ?? null;
    if (tables.length || pgFail) push('db_tables', null, 'all_rows', tables, tables.length ? null : pgFail);
  }
  return out;
}

// ------------------------------------------------------------------ verdicts

const PREFERENCE: Interpretation[] = ['named_day_utc', 'previous_utc_day', 'runner_start_day', 'local_day', 'day_elapsed', 'rolling_24h', 'all_rows'];
const QUERY_BUGS: Interpretation[] = ['unfiltered', 'wrong_table'];

interface Evaluated {
  item: Item;
  row: ReconRow;
  cands: Candidate[];
  /** Interpretations that reproduce the value, with the counting that does. */
  hits: Map<Interpretation, 'raw' | 'dedup'>;
}

function hitOf(c: Candidate, v: number): 'raw' | 'dedup' | null {
  if (c.dedup === v) return 'dedup';
  if (c.raw === v) return 'raw';
  return null;
}

function explanationOf(e: Evaluated, interp: Interpretation): Explanation {
  if (QUERY_BUGS.includes(interp)) return 'query_bug';
  if (interp === 'local_day') return 'timezone';
  const rep = e.item.rep;
  // A host report's header date is local; when it matches the DB's UTC day instead, the clocks differ.
  if (rep.localZone && e.item.date && (interp === 'previous_utc_day' || interp === 'day_elapsed') && rep.genMs !== null && isoDay(rep.genMs) !== e.item.date) {
    return 'timezone';
  }
  return 'window';
}

function evidenceOf(ctx: RuleContext, rows: ValueRow[]): { file: string; line: number }[] {
  const seen = new Set<string>();
  const out: { file: string; line: number }[] = [];
  for (const r of rows) {
    const ev = ctx.evidence(r.file_id, r.line_no, '');
    const k = `${ev.file}:${ev.line}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ file: ev.file, line: ev.line });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function baseRow(ctx: RuleContext, item: Item): ReconRow {
  return {
    date: item.date,
    metric: item.metric,
    report_kind: item.rep.kind,
    report_value: item.value,
    db_value: null,
    matches: false,
    explanation: null,
    interpretation: null,
    interpretations_matching: [],
    complete: item.complete,
    close: false,
    counting: null,
    generated_at: item.rep.genMs === null ? null : new Date(item.rep.genMs).toISOString(),
    zone: item.rep.zone,
    note: null,
    candidates: [],
    evidence: evidenceOf(ctx, item.failure ? [item.failure] : item.rows),
  };
}

/** Pick the block-wide interpretation of a report kind: one that reproduces every value, and explains at least one non-zero. */
function blockVerdict(es: Evaluated[]): Interpretation | null {
  const usable = es.filter((e) => e.item.value !== null && e.cands.length);
  if (!usable.length) return null;
  for (const interp of PREFERENCE) {
    if (interp === 'named_day_utc') continue;
    const all = usable.every((e) => e.hits.has(interp));
    const informative = usable.some((e) => e.hits.has(interp) && e.item.value !== 0 && !e.hits.has(e.item.declared));
    if (all && informative) return interp;
  }
  return null;
}

export function reconcile(ctx: RuleContext): ReconRow[] {
  const counter = new Counter(ctx);
  const reports = loadReports(ctx);
  const out: ReconRow[] = [];
  const evaluated: Evaluated[] = [];

  for (const rep of reports) {
    for (const item of itemsOf(rep)) {
      const row = baseRow(ctx, item);
      if (item.failure) {
        row.explanation = 'report_failed';
        const failure = (item.failure.value_text ?? '').split('\n')[0];
        // Host checks read the host shell's environment: variables it lacks say no .env was loaded there.
        const unset = rep.localZone ? rep.rows.filter((r) => /^(MISSING|Not set)$/.test((r.value_text ?? '').trim())).length : 0;
        // The failure line is quoted as the report printed it, keyed only so every note has a key.
        setNote(row, unset ? text('reconcile.note.host_unset', { failure, n: unset }) : text('reconcile.note.failure', { failure }));
        out.push(row);
        continue;
      }
      if (item.metric === 'events_logged' || item.metric === 'db_tables') {
        out.push(row);
        continue;
      }
      const entity = item.entity!;
      if (!counter.has(entity) || rep.genMs === null) {
        setNote(row, rep.genMs === null ? text('reconcile.note.no_generation_time') : text('reconcile.note.no_export', { table: entity.replace(/_.*/, '') }));
        out.push(row);
        continue;
      }
      const before = item.date === null ? counter.idsBefore(entity) : 0;
      const cands: Candidate[] = [];
      for (const w of windowsFor(ctx, rep, item.date, entity)) {
        const e = w.entity ?? entity;
        if (!counter.has(e)) continue;
        const c = counter.count(e, w.from, w.to);
        const add = w.interpretation === 'all_rows' || w.interpretation === 'unfiltered' ? counter.idsBefore(e) : 0;
        cands.push({
          interpretation: w.interpretation,
          from: w.from === EPOCH_MS ? null : new Date(w.from).toISOString(),
          to: new Date(w.to).toISOString(),
          raw: c.raw + add,
          dedup: c.dedup + add,
          label: render('en', w.label),
          texts: { label: w.label },
        });
      }
      // An id is a name, not a quantity: never grouped (`2101`, not `2,101`).
      if (before) setNote(row, text('reconcile.note.ids_before', { first: String(before + 1), n: before }));
      row.candidates = cands;
      const hits = new Map<Interpretation, 'raw' | 'dedup'>();
      for (const c of cands) {
        const h = hitOf(c, item.value!);
        if (h && !hits.has(c.interpretation)) hits.set(c.interpretation, h);
      }
      row.interpretations_matching = INTERPRETATIONS.filter((i) => hits.has(i));
      evaluated.push({ item, row, cands, hits });
      out.push(row);
    }
  }

  // Decide per report kind and metric over the whole block, then per value.
  const verdicts = new Map<string, Interpretation | null>();
  const key = (e: Evaluated) => `${e.item.rep.kind}|${e.item.date === null ? 'total' : 'day'}`;
  for (const e of evaluated) if (!verdicts.has(key(e))) verdicts.set(key(e), blockVerdict(evaluated.filter((x) => key(x) === key(e))));
  const hitsIn = (k: string, i: Interpretation) => evaluated.filter((x) => key(x) === k && x.hits.has(i)).length;

  for (const e of evaluated) {
    const row = e.row;
    const declared = e.hits.get(e.item.declared);
    const cand = (i: Interpretation) => e.cands.find((c) => c.interpretation === i);
    if (declared) {
      const c = cand(e.item.declared)!;
      row.matches = true;
      row.interpretation = e.item.declared;
      row.counting = declared;
      row.db_value = e.item.value;
      // Faithful to the DB, but the DB holds both writers' rows: the number is above the real activity.
      if (declared === 'raw' && c.dedup !== c.raw) row.explanation = 'duplicate_rows';
      const prev = cand('previous_utc_day');
      if (e.item.value === 0 && c.from && Date.parse(c.to) - Date.parse(c.from) < 3_600_000 && prev && prev.dedup > 0) {
        setNote(row, text('reconcile.note.new_day', { s: Math.round((Date.parse(c.to) - Date.parse(c.from)) / 1000), n: prev.dedup }));
      }
      continue;
    }
    const k = key(e);
    const v = verdicts.get(k) ?? null;
    let interp: Interpretation | null = v && e.hits.has(v) ? v : null;
    if (!interp) {
      const ranked = PREFERENCE.filter((i) => e.hits.has(i)).sort((a, b) => hitsIn(k, b) - hitsIn(k, a) || PREFERENCE.indexOf(a) - PREFERENCE.indexOf(b));
      interp = ranked[0] ?? null;
    }
    // A value of 0 that a window happens to hold is not evidence of a query bug.
    if (!interp && e.item.value !== 0) interp = QUERY_BUGS.find((i) => e.hits.has(i)) ?? null;
    if (interp) {
      row.interpretation = interp;
      row.counting = e.hits.get(interp)!;
      row.db_value = e.item.value;
      row.explanation = explanationOf(e, interp);
      continue;
    }
    const named = cand(e.item.declared);
    row.db_value = named ? named.raw : null;
    row.explanation = 'unexplained';
    const v0 = e.item.value!;
    row.close = v0 > 0 && e.cands.some((c) => !QUERY_BUGS.includes(c.interpretation) && Math.min(Math.abs(c.raw - v0), Math.abs(c.dedup - v0)) <= 0.05 * v0);
  }

  eventsLogged(ctx, reports, out);
  return out.sort(
    (a, b) =>
      KINDS.indexOf(a.report_kind) - KINDS.indexOf(b.report_kind) ||
      (a.generated_at ?? '').localeCompare(b.generated_at ?? '') ||
      METRICS.indexOf(a.metric) - METRICS.indexOf(b.metric) ||
      cmpText(a.date ?? '~', b.date ?? '~'),
  );
}

/**
 * `Events Logged` counts since the runner process started (§6.1): it matches while it rises
 * between the reports of one process and resets when the runner restarts.
 */
function eventsLogged(ctx: RuleContext, reports: Report[], out: ReconRow[]): void {
  let prev: { value: number; genMs: number; date: string | null } | null = null;
  for (const rep of reports.filter((r) => r.kind === 'paper_runner' && r.genMs !== null)) {
    const row = out.find((r) => r.report_kind === 'paper_runner' && r.metric === 'events_logged' && r.generated_at === new Date(rep.genMs!).toISOString());
    if (!row || row.report_value === null) continue;
    const v = row.report_value;
    row.interpretation = 'since_process_start';
    row.interpretations_matching = ['since_process_start'];
    if (!prev || v >= prev.value) {
      row.matches = true;
      setNote(row, prev ? text(v > prev.value ? 'reconcile.note.rose' : 'reconcile.note.unchanged', { prev: prev.value, day: prev.date ?? '?' }) : null);
    } else {
      const restarts = findLogs(ctx, {
        group: RUNNER,
        span: { from: new Date(prev.genMs).toISOString(), to: new Date(rep.genMs!).toISOString() },
        classes: [...K.runnerStarted, 'runner.banner_field'],
      }).filter((r) => r.class !== 'runner.banner_field' || runnerStartTime(r) !== null);
      const up = uptimeOf(rep);
      const younger = up != null && up * 3_600_000 < rep.genMs! - prev.genMs;
      if (restarts.length || younger) {
        row.explanation = 'restart_reset';
        const fell = { prev: prev.value, day: prev.date ?? '?', value: v };
        setNote(row, restarts.length ? text('reconcile.note.fell_restart', fell) : text('reconcile.note.fell_uptime', { ...fell, up: up! }));
        if (restarts[0]) {
          const ev = ctx.evidence(restarts[0].file_id, restarts[0].line_no, '');
          row.evidence.push({ file: ev.file, line: ev.line });
        }
      } else {
        row.explanation = 'unexplained';
        setNote(row, text('reconcile.note.fell_unexplained', { prev: prev.value, day: prev.date ?? '?', value: v }));
      }
    }
    prev = { value: v, genMs: rep.genMs!, date: rep.date };
  }
}

/** A 0 that agrees with the DB only because the report counted the seconds of the day that had just begun. */
export function newDayZero(r: ReconRow): boolean {
  if (!r.matches || r.report_value !== 0 || r.interpretation !== 'named_day_utc') return false;
  const named = r.candidates.find((c) => c.interpretation === 'named_day_utc');
  const prev = r.candidates.find((c) => c.interpretation === 'previous_utc_day');
  return !!named?.from && Date.parse(named.to) - Date.parse(named.from) < 3_600_000 && !!prev && prev.dedup > 0;
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const memo = new WeakMap<object, ReconRow[]>();

/** reconcile() once per analysis context: the rules and the report model read the same rows. */
export function reconcileOnce(ctx: RuleContext): ReconRow[] {
  let rows = memo.get(ctx);
  if (!rows) memo.set(ctx, (rows = reconcile(ctx)));
  return rows;
}
