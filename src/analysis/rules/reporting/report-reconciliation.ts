import { defineRule, type Evidence, type Finding, type Hypothesis, type RuleContext, type Said, type Severity, type Status, type Todo } from '../../define-rule.js';
import { newDayZero, reconcileOnce, type ReconRow } from '../../reconcile.js';
import { findLogs, K, RUNNER } from '../shared/logs.js';
import { groupBy } from '../shared/util.js';
import { render, text } from '../../../i18n/translate.js';

/**
 * Findings, hypotheses and to-dos from the reconciliation rows (src/analysis/reconcile.ts): a report
 * that counts another window, zone or table than it names is a `warn` with a cause and a fix,
 * never `fail` (the flow did not break, the report misdescribes it); matches and restart resets
 * are `info`; host-side reports that could not reach the DB are a to-do for the report job.
 */

/** The value's name as the report prints it (quoted, never translated). */
const LABEL: Record<string, string> = {
  signals: 'Signals',
  trades: 'Trades',
  orders: 'Total Orders',
  orders_filled: 'Filled',
  orders_rejected: 'Rejected',
  orders_cancelled: 'Cancelled',
  events_logged: 'Events Logged',
  db_tables: 'Tables found',
};

const KIND: Record<string, Said> = {
  paper_runner: text('report-reconciliation.kind.paper_runner'),
  daily_check: 'daily_check.py',
  cdb_reports: text('report-reconciliation.kind.cdb_reports'),
  systemcheck: 'systemcheck.py',
};

/** Sentences or reasons in a row, as one text (`first rest` / `first; rest`), so each stays keyed. */
function joined(parts: Said[], how: 'space' | 'semicolon'): Said {
  if (parts.length === 0) return '';
  return parts.slice(0, -1).reduceRight<Said>((rest, first) => text(`report-reconciliation.join.${how}`, { first, rest }), parts[parts.length - 1]);
}

function runnerWhere(era: string | null): string {
  return era === 'A' || era == null ? 'services/cdb_paper_runner/service.py (daily report query)' : 'tools/paper_trading/service.py (daily report query)';
}

function hostWhere(kind: string): string {
  return kind === 'systemcheck' ? 'infrastructure/scripts/systemcheck.py (run on the host)' : 'infrastructure/scripts/daily_check.py (run on the host)';
}

function ev(r: ReconRow): Evidence[] {
  const label = LABEL[r.metric] ?? r.metric;
  if (r.report_value !== null) return r.evidence.map((e) => ({ ...e, text: `${label}: ${r.report_value}` }));
  // "not printed" is the tool's word about the report, not the report's own text.
  const keyed = text('report-reconciliation.evidence.not_printed', { label });
  return r.evidence.map((e) => ({ ...e, text: render('en', keyed), texts: { text: keyed } }));
}

/** The window the row's value was counted over, keyed when reconcile gave it keyed. */
function label(r: ReconRow): Said {
  const c = r.candidates.find((x) => x.interpretation === r.interpretation);
  return c ? (c.texts?.label ?? c.label) : (r.interpretation ?? '');
}

/** The row's note: keyed text from reconcile, or the report's own failure line as it printed it. */
function note(r: ReconRow): Said | null {
  return r.texts?.note ?? r.note;
}

export function describe(r: ReconRow): Said {
  const day =
    r.date !== null
      ? text('report-reconciliation.day', { day: r.date })
      : r.metric === 'events_logged' || r.metric === 'db_tables'
        ? text('report-reconciliation.row.report_of', { day: r.generated_at?.slice(0, 10) ?? '?' })
        : text('report-reconciliation.row.total');
  const head = { day, metric: LABEL[r.metric] ?? r.metric, value: r.report_value ?? '—' };
  const n = note(r);
  if (r.explanation === 'report_failed') return text('report-reconciliation.row.failed', { ...head, note: n ?? text('report-reconciliation.row.no_value') });
  if (r.metric === 'events_logged') {
    const said = { ...head, note: n ? text('report-reconciliation.row.note', { note: n }) : '' };
    if (r.explanation === 'restart_reset') return text('report-reconciliation.row.events_reset', said);
    return text(r.matches ? 'report-reconciliation.row.events_consistent' : 'report-reconciliation.row.events_unexplained', said);
  }
  if (r.db_value === null && !r.candidates.length) return text('report-reconciliation.row.not_evaluable', { ...head, note: n ?? text('report-reconciliation.row.no_rows') });
  const counts = r.candidates
    .filter((c) => !['unfiltered', 'wrong_table'].includes(c.interpretation) || c.interpretation === r.interpretation)
    .map((c) =>
      c.raw === c.dedup
        ? text('report-reconciliation.row.count', { interp: c.interpretation, n: c.raw })
        : text('report-reconciliation.row.count_twins', { interp: c.interpretation, raw: c.raw, dedup: c.dedup }),
    );
  const twins = r.counting === 'raw' ? text('report-reconciliation.row.twins') : '';
  if (r.matches) {
    const dup = r.explanation === 'duplicate_rows' ? text('report-reconciliation.row.dup') : '';
    return text('report-reconciliation.row.matches', { ...head, label: label(r), twins, dup, counts });
  }
  if (r.explanation === 'unexplained') return text('report-reconciliation.row.unexplained', { ...head, close: r.close ? text('report-reconciliation.row.close') : '', counts });
  // The explanation is the id report.json carries (`window`, `query_bug`…): quoted, not translated.
  return text('report-reconciliation.row.equals', { ...head, explanation: r.explanation ?? '', label: label(r), twins, counts });
}

function severityOf(rs: ReconRow[], blockZone: string | null): Severity {
  if (rs.some((r) => r.explanation === 'unexplained' && !r.close)) return 'medium';
  if (rs.some((r) => (r.explanation === 'timezone' && !sameZone(r, blockZone)) || ['window', 'query_bug', 'report_failed', 'unexplained'].includes(r.explanation ?? ''))) return 'low';
  return 'info';
}

/** A report that counts the block's own (local) day counts the day the team works in. */
function sameZone(r: ReconRow, blockZone: string | null): boolean {
  return r.interpretation === 'local_day' && !!blockZone && blockZone !== 'UTC';
}

export default defineRule({
  id: 'report-reconciliation',
  layer: 'reporting',
  title: 'Daily report values vs DB counts over the windows the reports really count',
  needs: ['daily reports (paper runner log / mail, daily_check.py, systemcheck.py, cdb_reports)', 'DB dump of signals / trades / orders'],
  keyMetrics: ['matches', 'unexplained', 'report_failed'],
  check(ctx) {
    const rows = reconcileOnce(ctx);
    if (!rows.length) return { status: 'not_evaluable', missing: text('report-reconciliation.missing.no_report') };
    const blockZone = ctx.block.zone ?? null;
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const metrics: Record<string, number | string | null> = { report_values: rows.length };
    const by = (f: (r: ReconRow) => boolean) => rows.filter(f);
    metrics.matches = by((r) => r.matches).length;
    for (const x of ['window', 'timezone', 'restart_reset', 'duplicate_rows', 'query_bug', 'report_failed', 'unexplained']) metrics[x] = by((r) => r.explanation === x).length;
    metrics.not_evaluable = by((r) => !r.matches && r.explanation === null && r.metric !== 'db_tables').length;

    const groups = groupBy(rows, (r) => `${r.report_kind}:${r.metric}${r.date === null && r.metric !== 'events_logged' && r.metric !== 'db_tables' ? '-total' : ''}`);
    for (const [subject, rs] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      findings.push({
        subject,
        severity: severityOf(rs, blockZone),
        message: text('report-reconciliation.finding', { kind: KIND[rs[0].report_kind] ?? rs[0].report_kind, rows: joined(rs.map(describe), 'space') }),
        evidence: rs.slice(0, 3).flatMap(ev),
      });
    }

    const era = ctx.block.era;
    const runner = (f: (r: ReconRow) => boolean) => by((r) => r.report_kind === 'paper_runner' && f(r));
    const why = (rs: ReconRow[]) =>
      joined(
        rs.slice(0, 4).map((r) => text('report-reconciliation.why.equals', { metric: LABEL[r.metric], value: r.report_value ?? '—', day: r.date ?? '?', label: label(r) })),
        'semicolon',
      );

    const frozen = runner((r) => r.interpretation === 'runner_start_day' && !r.matches);
    if (frozen.length) {
      const repeated = new Set(frozen.map((r) => r.date)).size >= 2;
      hypotheses.push({
        cause: 'reporting.frozen_current_date',
        title: text('report-reconciliation.h.frozen_current_date'),
        likelihood: repeated ? 'very_likely' : 'likely',
        evidence: frozen.slice(0, 3).flatMap(ev),
        why: why(frozen),
      });
      todos.push({ category: 'CODE', title: text('report-reconciliation.todo.frozen_current_date'), priority: 'medium', effort: 'quick_win', where: runnerWhere(era), cause: 'reporting.frozen_current_date' });
    }
    const prevDay = runner((r) => r.interpretation === 'previous_utc_day' && !r.matches);
    if (prevDay.length) {
      hypotheses.push({
        cause: 'reporting.report_counts_previous_day',
        title: text('report-reconciliation.h.previous_day'),
        likelihood: prevDay.length >= 2 ? 'very_likely' : 'likely',
        evidence: prevDay.slice(0, 3).flatMap(ev),
        why: why(prevDay),
      });
      todos.push({ category: 'CODE', title: text('report-reconciliation.todo.previous_day'), priority: 'low', effort: 'quick_win', where: runnerWhere(era), cause: 'reporting.report_counts_previous_day' });
    }
    const newDay = by((r) => newDayZero(r) || (r.interpretation === 'day_elapsed' && r.explanation === 'window'));
    if (newDay.length) {
      hypotheses.push({
        cause: 'reporting.report_counts_new_day',
        title: text('report-reconciliation.h.new_day'),
        likelihood: newDay.length >= 2 ? 'very_likely' : 'likely',
        evidence: newDay.slice(0, 3).flatMap(ev),
        why: joined(
          newDay.slice(0, 4).map((r) =>
            text('report-reconciliation.why.new_day', {
              metric: LABEL[r.metric],
              value: r.report_value ?? '—',
              day: r.date ?? '?',
              n: r.candidates.find((c) => c.interpretation === 'previous_utc_day')?.dedup ?? '?',
            }),
          ),
          'semicolon',
        ),
      });
      todos.push({ category: 'CODE', title: text('report-reconciliation.todo.new_day'), priority: 'medium', effort: 'quick_win', where: runnerWhere(era), cause: 'reporting.report_counts_new_day' });
    }
    const otherWindow = by((r) => r.explanation === 'window' && ['rolling_24h', 'all_rows', 'named_day_utc'].includes(r.interpretation ?? '') || (r.explanation === 'window' && r.report_kind !== 'paper_runner'));
    if (otherWindow.length) {
      hypotheses.push({
        cause: 'reporting.report_window',
        title: text('report-reconciliation.h.window'),
        likelihood: 'likely',
        evidence: otherWindow.slice(0, 3).flatMap(ev),
        why: why(otherWindow),
      });
      todos.push({ category: 'CODE', title: text('report-reconciliation.todo.window'), priority: 'low', effort: 'quick_win', where: otherWindow[0].report_kind === 'paper_runner' ? runnerWhere(era) : hostWhere(otherWindow[0].report_kind), cause: 'reporting.report_window' });
    }
    const tz = by((r) => r.explanation === 'timezone');
    const tzWrong = tz.filter((r) => !sameZone(r, blockZone));
    if (tz.length) {
      hypotheses.push({
        cause: 'reporting.local_vs_utc_date',
        title: tzWrong.length ? text('report-reconciliation.h.local_vs_utc') : text('report-reconciliation.h.local_days'),
        likelihood: tzWrong.length ? 'likely' : 'possible',
        evidence: tz.slice(0, 3).flatMap(ev),
        why: why(tz),
      });
      if (tzWrong.length) {
        todos.push({ category: 'CODE', title: text('report-reconciliation.todo.local_vs_utc'), priority: 'low', effort: 'quick_win', where: hostWhere(tzWrong[0].report_kind), cause: 'reporting.local_vs_utc_date' });
      }
    }
    const dup = by((r) => r.explanation === 'duplicate_rows' || (r.counting === 'raw' && !!r.explanation && r.explanation !== 'unexplained'));
    if (dup.length) {
      hypotheses.push({
        cause: 'reporting.two_writer_duplicates',
        title: text('report-reconciliation.h.two_writer_duplicates'),
        likelihood: 'likely',
        evidence: dup.slice(0, 3).flatMap(ev),
        why: joined(
          dup.slice(0, 3).map((r) =>
            text('report-reconciliation.why.twins', {
              metric: LABEL[r.metric],
              value: r.report_value ?? '—',
              n: r.candidates.find((c) => c.interpretation === r.interpretation)?.dedup ?? '?',
            }),
          ),
          'semicolon',
        ),
      });
      todos.push({ category: 'CODE', title: text('report-reconciliation.todo.two_writer_duplicates'), priority: 'low', effort: 'quick_win', where: dup[0].report_kind === 'cdb_reports' ? 'services/reports/daily_orders_summary.py' : dup[0].report_kind === 'paper_runner' ? runnerWhere(era) : hostWhere(dup[0].report_kind), cause: 'reporting.two_writer_duplicates' });
    }
    const bug = by((r) => r.explanation === 'query_bug');
    if (bug.length) {
      hypotheses.push({
        cause: 'reporting.report_query_bug',
        title: text('report-reconciliation.h.query_bug'),
        likelihood: bug.length >= 2 ? 'likely' : 'possible',
        evidence: bug.slice(0, 3).flatMap(ev),
        why: why(bug),
      });
      todos.push({ category: 'CODE', title: text('report-reconciliation.todo.query_bug'), priority: 'medium', effort: 'quick_win', where: bug[0].report_kind === 'paper_runner' ? runnerWhere(era) : hostWhere(bug[0].report_kind), cause: 'reporting.report_query_bug' });
    }
    const hostFailed = by((r) => r.explanation === 'report_failed' && (r.report_kind === 'daily_check' || r.report_kind === 'systemcheck'));
    if (hostFailed.length) {
      hypotheses.push({
        cause: 'reporting.host_check_without_db_credentials',
        title: text('report-reconciliation.h.host_without_credentials'),
        likelihood: hostFailed.some((r) => /password|auth|MISSING/i.test(r.note ?? '')) ? 'likely' : 'possible',
        evidence: hostFailed.slice(0, 3).flatMap(ev),
        why: joined(hostFailed.slice(0, 2).map((r) => text('report-reconciliation.why.host', { kind: KIND[r.report_kind], note: note(r) ?? '' })), 'semicolon'),
      });
      todos.push({ category: 'CONFIG', title: text('report-reconciliation.todo.host_without_credentials'), priority: 'low', effort: 'quick_win', where: hostWhere(hostFailed[0].report_kind), cause: 'reporting.host_check_without_db_credentials' });
    }
    const unexplained = by((r) => r.explanation === 'unexplained' && r.metric !== 'events_logged');
    if (unexplained.length) {
      hypotheses.push({
        cause: 'reporting.unexplained_mismatch',
        title: text('report-reconciliation.h.unexplained'),
        likelihood: 'possible',
        evidence: unexplained.slice(0, 3).flatMap(ev),
        why: text('report-reconciliation.why.unexplained'),
      });
    }
    eventsLoggedZero(ctx, rows, findings, hypotheses);

    const warn = rows.some(
      (r) => ['window', 'query_bug', 'report_failed', 'unexplained'].includes(r.explanation ?? '') || (r.explanation === 'timezone' && !sameZone(r, blockZone)),
    );
    const evaluated = rows.some((r) => r.matches || r.explanation !== null);
    const status: Status = warn || findings.some((f) => f.severity === 'medium') ? 'warn' : evaluated ? 'ok' : 'not_evaluable';
    if (status === 'not_evaluable') return { status, missing: text('report-reconciliation.missing.no_db'), metrics, findings };
    return { status, metrics, findings, hypotheses, todos };
  },
});

/** `Events Logged: 0` means no message reached the runner's event log since its start (§6.1). */
function eventsLoggedZero(ctx: RuleContext, rows: ReconRow[], findings: Finding[], hypotheses: Hypothesis[]): void {
  const zeros = rows.filter((r) => r.metric === 'events_logged' && r.report_value === 0 && r.generated_at);
  if (!zeros.length) return;
  const first = zeros[0];
  const to = zeros[zeros.length - 1].generated_at!;
  const from = new Date(Date.parse(first.generated_at!) - 86_400_000).toISOString();
  const md = (ctx.db.prepare('SELECT COUNT(*) AS n FROM market_data WHERE ts >= ? AND ts <= ?').get(from, to) as { n: number }).n;
  const logFail = findLogs(ctx, { group: RUNNER, span: { from, to }, classes: K.runnerLogFailed });
  const evidence = [...zeros.slice(0, 3).flatMap(ev), ...logFail.slice(0, 1).map((r) => ctx.evidence(r.file_id, r.line_no))];
  findings.push({
    subject: 'events-logged-zero',
    severity: md > 0 ? 'medium' : 'low',
    message: text('report-reconciliation.events_zero', {
      days: zeros.map((r) => text('report-reconciliation.day', { day: r.generated_at!.slice(0, 10) })),
      tail: md > 0 ? text('report-reconciliation.events_zero.flowing', { n: md }) : text('report-reconciliation.events_zero.dead'),
    }),
    evidence,
  });
  if (md > 0) {
    hypotheses.push({
      cause: 'reporting.runner_not_logging_events',
      title: text('report-reconciliation.h.runner_not_logging'),
      likelihood: logFail.length ? 'likely' : 'possible',
      evidence,
    });
  }
}
