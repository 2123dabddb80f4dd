import { defineRule, type Evidence, type Finding, type Hypothesis, type RuleContext, type Severity, type Status, type Todo } from '../../define-rule.js';
import { findLogs, K, fieldOf, RUNNER } from '../shared/logs.js';
import { dumpedTable, ORDER_TABLES, SIGNAL_TABLES, TRADE_TABLES } from '../shared/sources.js';
import { generatedMs } from '../shared/time-zones.js';
import { addDays, dayEnd, dayOf, dayStart, groupBy, iso } from '../shared/util.js';

/**
 * Daily report values vs the DB, per report, over the windows the producers really count (§6):
 * the paper runner's `CURRENT_DATE` (the day just begun, the previous day, or the runner's start
 * day frozen by a never-committed transaction), daily_check's UTC `CURRENT_DATE` under a
 * host-local header, and cdb_reports' rolling 24 h ending 08:00 UTC.
 */

export interface Window {
  id: string;
  label: string;
  from: string;
  to: string;
}

export type Verdict = 'match' | 'explained' | 'mismatch' | 'not_evaluable';

export interface Reconciled {
  kind: string;
  date: string;
  key: string;
  value: number;
  verdict: Verdict;
  window: Window | null;
  counts: Record<string, number>;
  /** Reported 0 for the day just begun while the previous day had data. */
  newDayZero: boolean;
  evidence: Evidence;
  note?: string;
}

interface ReportRow {
  report_kind: string;
  report_date: string | null;
  generated_at: string | null;
  generated_text: string | null;
  zone: string | null;
  key: string;
  value_text: string | null;
  value_num: number | null;
  file_id: number;
  line_no: number;
}

interface Report {
  kind: string;
  date: string;
  genMs: number;
  values: Map<string, ReportRow>;
}

export function tolerance(v: number): number {
  return v >= 50 ? Math.round(v * 0.02) : 0;
}

/** `Uptime: 1 days, 9 hours` in hours (null when absent). */
export function uptimeHours(text: string | null | undefined): number | null {
  if (!text) return null;
  const d = /(\d+)\s*days?/.exec(text);
  const h = /(\d+)\s*hours?/.exec(text);
  if (!d && !h) return null;
  return Number(d?.[1] ?? 0) * 24 + Number(h?.[1] ?? 0);
}

function loadReports(ctx: RuleContext): Report[] {
  const first = ctx.block.days[0];
  const afterLast = addDays(ctx.block.days[ctx.block.days.length - 1], 1);
  const rows = ctx.db
    .prepare(
      `SELECT report_kind, report_date, generated_at, generated_text, zone, key, value_text, value_num, file_id, line_no FROM daily_report_values
       WHERE report_date >= ? AND report_date <= ? ORDER BY report_kind, report_date, generated_at, file_id, line_no`,
    )
    .all(first, afterLast) as ReportRow[];
  const reports = new Map<string, Report>();
  for (const r of rows) {
    if (!r.report_date) continue;
    const fallback = r.report_kind === 'cdb_reports' ? `${r.report_date}T08:00:00.000Z` : dayStart(r.report_date);
    // generated_at is only set when the zone was printed; daily_check's header time is host-local text.
    const genMs = generatedMs(r.generated_at, 'UTC') ?? generatedMs(r.generated_text, r.zone) ?? Date.parse(fallback);
    // The same report can be in the log and in a mail: one report per kind, date and generation minute.
    const k = `${r.report_kind}|${r.report_date}|${Math.floor(genMs / 60_000)}`;
    let rep = reports.get(k);
    if (!rep) reports.set(k, (rep = { kind: r.report_kind, date: r.report_date, genMs, values: new Map() }));
    if (!rep.values.has(r.key)) rep.values.set(r.key, r);
  }
  return [...reports.values()].sort((a, b) => a.genMs - b.genMs || a.kind.localeCompare(b.kind));
}

interface Db {
  signals: boolean;
  trades: boolean;
  orders: boolean;
}

function dbAvailable(ctx: RuleContext): Db {
  const has = (table: string, dumps: string[]) =>
    !!dumpedTable(ctx, dumps) || !!ctx.db.prepare(`SELECT 1 FROM ${table} WHERE source = 'db' LIMIT 1`).get();
  return { signals: has('signals', SIGNAL_TABLES), trades: has('trades', TRADE_TABLES), orders: has('orders', ORDER_TABLES) };
}

type Counter = (w: Window) => number;

function counters(ctx: RuleContext): Record<string, Counter> {
  const q = (sql: string): Counter => {
    const st = ctx.db.prepare(sql);
    return (w) => Object.values(st.get(w.from, w.to) as Record<string, number | null>)[0] ?? 0;
  };
  // Windows may reach outside the block (the day before it): no in_block filter here.
  return {
    signals: q("SELECT COUNT(*) FROM signals WHERE source = 'db' AND ts >= ? AND ts <= ?"),
    trades_raw: q("SELECT COUNT(*) + COUNT(twin_file_id) FROM trades WHERE source = 'db' AND ts >= ? AND ts <= ?"),
    trades_real: q("SELECT COUNT(*) FROM trades WHERE source = 'db' AND ts >= ? AND ts <= ?"),
    trades_pnl: q("SELECT COUNT(*) + COUNT(twin_file_id) FROM trades WHERE source = 'db' AND realized_pnl IS NOT NULL AND ts >= ? AND ts <= ?"),
    orders_raw: q("SELECT COUNT(*) + COUNT(twin_file_id) FROM orders WHERE source = 'db' AND ts >= ? AND ts <= ?"),
    orders_real: q("SELECT COUNT(*) FROM orders WHERE source = 'db' AND ts >= ? AND ts <= ?"),
    orders_filled: q("SELECT COUNT(*) FROM orders WHERE source = 'db' AND LOWER(status) = 'filled' AND ts >= ? AND ts <= ?"),
    orders_rejected: q("SELECT COUNT(*) FROM orders WHERE source = 'db' AND LOWER(status) = 'rejected' AND ts >= ? AND ts <= ?"),
  };
}

function evidenceOf(ctx: RuleContext, r: ReportRow): Evidence {
  return ctx.evidence(r.file_id, r.line_no, `${r.key}: ${r.value_text ?? r.value_num ?? ''}`);
}

/** The runner's start before a report: the `Start Time:` banner, else the report's Date minus Uptime. */
function runnerStart(ctx: RuleContext, rep: Report): { ms: number; how: string } | null {
  const banners = findLogs(ctx, { group: RUNNER, span: { from: '1970-01-01T00:00:00.000Z', to: iso(rep.genMs) }, classes: K.runnerStartTime });
  const last = banners[banners.length - 1];
  if (last) {
    const t = (fieldOf(last, 'start') ?? fieldOf(last, 'value') ?? '').replace(' ', 'T');
    const ms = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(t) ? t : `${t.slice(0, 23)}Z`);
    if (Number.isFinite(ms)) return { ms, how: 'Start Time banner' };
  }
  const up = uptimeHours(rep.values.get('Uptime')?.value_text);
  if (up != null) return { ms: rep.genMs - (up + 0.5) * 3_600_000, how: 'Date minus Uptime' };
  return null;
}

function runnerWindows(ctx: RuleContext, rep: Report): Window[] {
  const gen = iso(rep.genMs);
  const prev = addDays(rep.date, -1);
  const ws: Window[] = [
    { id: 'a', label: `the report's Date ${rep.date} up to generation`, from: dayStart(rep.date), to: gen },
    { id: 'b', label: `the previous UTC day ${prev}`, from: dayStart(prev), to: dayEnd(prev) },
  ];
  const start = runnerStart(ctx, rep);
  if (start) {
    // The first statement (the 5-minute health check) opens the transaction that freezes CURRENT_DATE.
    const frozen = dayOf(iso(start.ms + 5 * 60_000));
    const to = frozen === rep.date ? gen : dayEnd(frozen);
    ws.push({ id: 'c', label: `the runner's start day ${frozen} (frozen CURRENT_DATE, ${start.how})`, from: dayStart(frozen), to });
  }
  return ws;
}

function reconcile(value: number, windows: Window[], count: Counter): { verdict: Verdict; window: Window | null; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  let hit: Window | null = null;
  for (const w of windows) {
    counts[w.id] = count(w);
    if (!hit && Math.abs(counts[w.id] - value) <= tolerance(value)) hit = w;
  }
  if (!hit) return { verdict: 'mismatch', window: null, counts };
  return { verdict: hit.id === windows[0].id ? 'match' : 'explained', window: hit, counts };
}

function reportScriptWhere(era: string | null): string {
  return era === 'A' || era == null ? 'services/cdb_paper_runner/service.py (daily report query)' : 'tools/paper_trading/service.py (daily report query)';
}

export default defineRule({
  id: 'report-reconciliation',
  layer: 'reporting',
  title: 'Daily report values vs DB counts over the windows the reports really count',
  needs: ['daily reports (paper runner log / mail, daily_check.py, cdb_reports)', 'DB dump of signals / trades / orders'],
  check(ctx) {
    const reports = loadReports(ctx);
    if (!reports.length) return { status: 'not_evaluable', missing: 'no daily report for the block days in the bundle' };
    const db = dbAvailable(ctx);
    const c = counters(ctx);
    const out: Reconciled[] = [];
    const eventsFindings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const metrics: Record<string, number | string | null> = { reports: reports.length };
    let prevEvents: { value: number; rep: Report; row: ReportRow } | null = null;

    for (const rep of reports) {
      const get = (k: RegExp) => [...rep.values.entries()].find(([key, r]) => k.test(key) && r.value_num != null)?.[1];
      if (rep.kind === 'paper_runner') {
        const ws = runnerWindows(ctx, rep);
        const items: [RegExp, boolean, string, Counter, Counter | null][] = [
          [/^Signals Today$/i, db.signals, 'Signals Today', c.signals, null],
          [/^Trades Today$/i, db.trades, 'Trades Today', c.trades_raw, c.trades_real],
        ];
        for (const [re, available, key, counter, alt] of items) {
          const row = get(re);
          if (!row) continue;
          const value = row.value_num!;
          if (!available) {
            out.push({ kind: rep.kind, date: rep.date, key, value, verdict: 'not_evaluable', window: null, counts: {}, newDayZero: false, evidence: evidenceOf(ctx, row) });
            continue;
          }
          let res = reconcile(value, ws, counter);
          let note: string | undefined;
          if (res.verdict === 'mismatch' && alt) {
            const r2 = reconcile(value, ws, alt);
            if (r2.verdict !== 'mismatch') {
              res = { ...r2, verdict: 'explained' };
              note = 'matches the deduplicated trades, not the raw rows of both writers';
            }
          }
          const c3 = ws.find((w) => w.id === 'c');
          if (res.window?.id === 'b' && c3 && c3.from === res.window.from) {
            note = "the previous day is also the runner's start day, so a frozen CURRENT_DATE cannot be told apart";
          }
          const newDayZero = res.window?.id === 'a' && value <= tolerance(value) && (res.counts.b ?? 0) > 0;
          out.push({ kind: rep.kind, date: rep.date, key, value, verdict: res.verdict, window: res.window, counts: res.counts, newDayZero, evidence: evidenceOf(ctx, row), note });
        }
        const ev = get(/^Events Logged$/i);
        if (ev) {
          const value = ev.value_num!;
          if (prevEvents && value < prevEvents.value) {
            const restarts = findLogs(ctx, { group: RUNNER, span: { from: iso(prevEvents.rep.genMs), to: iso(rep.genMs) }, classes: K.runnerStarted });
            eventsFindings.push({
              subject: 'events-logged-reset',
              severity: 'info',
              message: `Events Logged fell from ${prevEvents.value} (${prevEvents.rep.date}) to ${value} (${rep.date}): it counts since process start and resets on restart${restarts.length ? '; the runner restarted in between' : ''} — explained, not a loss.`,
              evidence: [evidenceOf(ctx, prevEvents.row), evidenceOf(ctx, ev), ...restarts.slice(0, 1).map((r) => ctx.evidence(r.file_id, r.line_no))],
            });
          }
          if (value === 0) {
            const start = runnerStart(ctx, rep);
            const from = start ? iso(start.ms) : dayStart(addDays(rep.date, -1));
            const md = (ctx.db.prepare('SELECT COUNT(*) AS n FROM market_data WHERE ts >= ? AND ts <= ?').get(from, iso(rep.genMs)) as { n: number }).n;
            const logFail = findLogs(ctx, { group: RUNNER, span: { from, to: iso(rep.genMs) }, classes: K.runnerLogFailed });
            eventsFindings.push({
              subject: 'events-logged-zero',
              severity: md > 0 ? 'medium' : 'low',
              message:
                `Events Logged 0 in the report of ${rep.date}: no message reached the runner's event log since its start` +
                (md > 0 ? `, although ${md} market-data events were captured in that time.` : ' (dead feed, stub ws, Redis auth failure or a fresh restart).'),
              evidence: [evidenceOf(ctx, ev), ...logFail.slice(0, 1).map((r) => ctx.evidence(r.file_id, r.line_no))],
            });
            if (md > 0) {
              hypotheses.push({
                cause: 'reporting.runner_not_logging_events',
                title: 'The paper runner receives or logs no events although market data flows',
                likelihood: logFail.length ? 'likely' : 'possible',
                evidence: [evidenceOf(ctx, ev), ...logFail.slice(0, 2).map((r) => ctx.evidence(r.file_id, r.line_no))],
              });
            }
          }
          prevEvents = { value, rep, row: ev };
        }
      } else if (rep.kind === 'daily_check') {
        const gen = iso(rep.genMs);
        const utcDay = dayOf(gen);
        const ws: Window[] = [
          { id: 'utc_today', label: `the DB's UTC CURRENT_DATE ${utcDay} up to generation`, from: dayStart(utcDay), to: gen },
          { id: 'local_day', label: `the header's host-local date ${rep.date} read as a UTC day`, from: dayStart(rep.date), to: dayEnd(rep.date) },
        ];
        for (const [re, available, key, counter] of [
          [/^Signals( Today)?$/i, db.signals, 'Signals Today', c.signals],
          [/^Trades( Today)?$/i, db.trades, 'Trades Today', c.trades_raw],
          [/^Signals Total$/i, db.signals, 'Signals Total', c.signals],
          [/^Trades Total$/i, db.trades, 'Trades Total', c.trades_raw],
        ] as [RegExp, boolean, string, Counter][]) {
          const row = get(re);
          if (!row) continue;
          const value = row.value_num!;
          if (!available) {
            out.push({ kind: rep.kind, date: rep.date, key, value, verdict: 'not_evaluable', window: null, counts: {}, newDayZero: false, evidence: evidenceOf(ctx, row) });
            continue;
          }
          const windows = /Total/.test(key) ? [{ id: 'all', label: 'all rows up to generation', from: '1970-01-01T00:00:00.000Z', to: gen }] : ws;
          const res = reconcile(value, windows, counter);
          out.push({ kind: rep.kind, date: rep.date, key, value, verdict: res.verdict, window: res.window, counts: res.counts, newDayZero: false, evidence: evidenceOf(ctx, row) });
        }
      } else if (rep.kind === 'cdb_reports') {
        const gen = rep.genMs;
        const w: Window = { id: 'rolling_24h', label: `the rolling 24 h ${iso(gen - 86_400_000)} – ${iso(gen)}`, from: iso(gen - 86_400_000), to: iso(gen) };
        for (const [re, available, key, counter, alt, altNote] of [
          [/^Total Orders$/i, db.orders, 'Total Orders', c.orders_raw, c.orders_real, 'matches the deduplicated orders'],
          [/^Filled$/i, db.orders, 'Filled', c.orders_filled, null, ''],
          [/^Rejected$/i, db.orders, 'Rejected', c.orders_rejected, null, ''],
          [/^Total Trades$/i, db.trades, 'Total Trades', c.trades_raw, c.trades_pnl, 'counts only trades with realized_pnl (fork #1533)'],
        ] as [RegExp, boolean, string, Counter, Counter | null, string][]) {
          const row = get(re);
          if (!row) continue;
          const value = row.value_num!;
          if (!available) {
            out.push({ kind: rep.kind, date: rep.date, key, value, verdict: 'not_evaluable', window: null, counts: {}, newDayZero: false, evidence: evidenceOf(ctx, row) });
            continue;
          }
          let res = reconcile(value, [w], counter);
          let note: string | undefined;
          if (res.verdict === 'mismatch' && alt) {
            const r2 = reconcile(value, [w], alt);
            if (r2.verdict !== 'mismatch') {
              res = { ...r2, verdict: 'explained' };
              note = altNote;
            }
          }
          if (key === 'Total Orders' && res.verdict === 'match') {
            const real = c.orders_real(w);
            if (real > 0 && value >= real * 1.8) note = `about 2× the ${real} real orders: both writers insert a row per order (§5.5)`;
          }
          out.push({ kind: rep.kind, date: rep.date, key, value, verdict: res.verdict, window: res.window, counts: res.counts, newDayZero: false, evidence: evidenceOf(ctx, row), note });
        }
      }
    }

    // Metrics per report value, findings per kind and key (stable subjects, dates only in the text).
    for (const r of out) metrics[`${r.kind}.${r.date}.${r.key.toLowerCase().replace(/\s+/g, '_')}`] = r.window ? `${r.verdict}:${r.window.id}` : r.verdict;
    const counts = { match: 0, explained: 0, mismatch: 0, not_evaluable: 0 };
    for (const r of out) counts[r.verdict]++;
    Object.assign(metrics, { matched: counts.match, explained: counts.explained, mismatched: counts.mismatch, not_evaluable: counts.not_evaluable });

    const findings: Finding[] = [];
    const groups = groupBy(out, (r) => `${r.kind}:${r.key}`);
    for (const [subject, rs] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const sev: Severity = rs.some((r) => r.verdict === 'mismatch' || r.newDayZero)
        ? 'medium'
        : rs.some((r) => r.verdict === 'explained')
          ? 'low'
          : 'info';
      findings.push({
        subject,
        severity: sev,
        message: rs.map(describe).join(' '),
        evidence: rs.slice(0, 3).map((r) => r.evidence),
      });
    }
    findings.push(...eventsFindings);

    // Causes, each from the reports it explains.
    const newDay = out.filter((r) => r.newDayZero);
    if (newDay.length) {
      hypotheses.push({
        cause: 'reporting.report_counts_new_day',
        title: 'The daily report counts the UTC day that has just begun, so it reads 0',
        likelihood: newDay.length >= 2 ? 'very_likely' : 'likely',
        evidence: newDay.slice(0, 3).map((r) => r.evidence),
        why: newDay.map((r) => `${r.key} ${r.value} on ${r.date}: the previous UTC day has ${r.counts.b} in the DB`).join('; '),
      });
      todos.push({
        category: 'CODE',
        title: 'Count the previous UTC day explicitly (DATE(timestamp) = CURRENT_DATE - 1) on a fresh transaction',
        priority: 'medium',
        effort: 'quick_win',
        where: reportScriptWhere(ctx.block.era),
        cause: 'reporting.report_counts_new_day',
      });
    }
    const frozen = out.filter((r) => r.window?.id === 'c');
    if (frozen.length) {
      const distinct = frozen.filter((r) => r.counts.c !== r.counts.b && r.counts.c !== r.counts.a);
      const repeated = new Set(frozen.map((r) => `${r.key}=${r.value}`)).size < frozen.length;
      hypotheses.push({
        cause: 'reporting.frozen_current_date',
        title: "The runner's CURRENT_DATE is frozen at its start day (the connection never commits)",
        likelihood: distinct.length && (repeated || frozen.length >= 2) ? 'very_likely' : distinct.length ? 'likely' : 'possible',
        evidence: frozen.slice(0, 3).map((r) => r.evidence),
        why: frozen.map((r) => `${r.key} ${r.value} on ${r.date} equals ${r.window!.label}`).join('; '),
      });
      todos.push({
        category: 'CODE',
        title: 'Commit (or use autocommit) on the report connection so CURRENT_DATE advances',
        priority: 'medium',
        effort: 'quick_win',
        where: reportScriptWhere(ctx.block.era),
        cause: 'reporting.frozen_current_date',
      });
    }
    const local = out.filter((r) => r.window?.id === 'local_day');
    if (local.length) {
      hypotheses.push({
        cause: 'reporting.local_vs_utc_date',
        title: "daily_check's host-local header date and the DB's UTC CURRENT_DATE differ",
        likelihood: 'likely',
        evidence: local.slice(0, 3).map((r) => r.evidence),
      });
    }
    const doubled = out.filter((r) => r.key === 'Total Orders' && r.note?.startsWith('about 2×'));
    if (doubled.length) {
      hypotheses.push({
        cause: 'reporting.two_writer_duplicates',
        title: 'Order totals count both writers’ rows (about 2× executions, fill rate near 50 %)',
        likelihood: 'likely',
        evidence: doubled.slice(0, 3).map((r) => r.evidence),
      });
      todos.push({
        category: 'CODE',
        title: 'Count execution rows only (or deduplicate twins) in the orders summary',
        priority: 'low',
        effort: 'quick_win',
        where: 'services/reports/daily_orders_summary.py',
        cause: 'reporting.two_writer_duplicates',
      });
    }
    const mism = out.filter((r) => r.verdict === 'mismatch');
    if (mism.length) {
      hypotheses.push({
        cause: 'reporting.unexplained_mismatch',
        title: 'Report counts differ from the DB in every documented window',
        likelihood: 'possible',
        evidence: mism.slice(0, 3).map((r) => r.evidence),
        why: 'Left: restarts between reports, a DB dump taken before the window closed, trimmed or missing rows, or a session TimeZone other than UTC.',
      });
    }

    if (!out.some((r) => r.verdict !== 'not_evaluable') && !eventsFindings.length) {
      return { status: 'not_evaluable', missing: 'no DB dump of signals / trades / orders to reconcile the reports against', metrics, findings };
    }
    const status: Status = mism.length || newDay.length || frozen.length || local.length || eventsFindings.some((f) => f.severity === 'medium') ? 'warn' : 'ok';
    return { status, metrics, findings, hypotheses, todos };
  },
});

function describe(r: Reconciled): string {
  const counts = Object.entries(r.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const head = `${r.date}: ${r.key} ${r.value}`;
  if (r.verdict === 'not_evaluable') return `${head} → not evaluable (no DB rows to count).`;
  if (r.verdict === 'mismatch') return `${head} → mismatch, no window explains it (${counts}).`;
  const how = `${r.verdict} by ${r.window!.label}${r.note ? `; ${r.note}` : ''}`;
  return `${head} → ${how} (${counts})${r.newDayZero ? ': it counts the seconds of the new day, the previous day had ' + r.counts.b : ''}.`;
}

