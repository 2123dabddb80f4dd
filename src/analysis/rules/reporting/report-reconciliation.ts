import { defineRule, type Evidence, type Finding, type Hypothesis, type RuleContext, type Severity, type Status, type Todo } from '../../define-rule.js';
import { newDayZero, reconcileOnce, type ReconRow } from '../../reconcile.js';
import { findLogs, K, RUNNER } from '../shared/logs.js';
import { groupBy } from '../shared/util.js';

/**
 * Findings, hypotheses and to-dos from the reconciliation rows (src/analysis/reconcile.ts): a report
 * that counts another window, zone or table than it names is a `warn` with a cause and a fix,
 * never `fail` (the flow did not break, the report misdescribes it); matches and restart resets
 * are `info`; host-side reports that could not reach the DB are a to-do for the report job.
 */

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

const KIND: Record<string, string> = {
  paper_runner: 'paper runner',
  daily_check: 'daily_check.py',
  cdb_reports: 'cdb_reports summary',
  systemcheck: 'systemcheck.py',
};

function runnerWhere(era: string | null): string {
  return era === 'A' || era == null ? 'services/cdb_paper_runner/service.py (daily report query)' : 'tools/paper_trading/service.py (daily report query)';
}

function hostWhere(kind: string): string {
  return kind === 'systemcheck' ? 'infrastructure/scripts/systemcheck.py (run on the host)' : 'infrastructure/scripts/daily_check.py (run on the host)';
}

function ev(r: ReconRow): Evidence[] {
  return r.evidence.map((e) => ({ ...e, text: `${LABEL[r.metric] ?? r.metric}: ${r.report_value ?? 'not printed'}` }));
}

function label(r: ReconRow): string {
  return r.candidates.find((c) => c.interpretation === r.interpretation)?.label ?? r.interpretation ?? '';
}

export function describe(r: ReconRow): string {
  const day = r.date ?? (r.metric === 'events_logged' || r.metric === 'db_tables' ? `report of ${r.generated_at?.slice(0, 10) ?? '?'}` : 'total');
  const head = `${day}: ${LABEL[r.metric] ?? r.metric} ${r.report_value ?? '—'}`;
  if (r.explanation === 'report_failed') return `${head} → the report failed (${r.note ?? 'no value'}).`;
  if (r.metric === 'events_logged') {
    return `${head} → ${r.explanation === 'restart_reset' ? 'reset by a restart' : r.matches ? 'consistent (counts since process start)' : 'unexplained'}${r.note ? `: ${r.note}` : ''}.`;
  }
  if (r.db_value === null && !r.candidates.length) return `${head} → not evaluable (${r.note ?? 'no DB rows to count'}).`;
  const counts = r.candidates
    .filter((c) => !['unfiltered', 'wrong_table'].includes(c.interpretation) || c.interpretation === r.interpretation)
    .map((c) => `${c.interpretation}=${c.raw === c.dedup ? c.raw : `${c.raw}/${c.dedup}`}`)
    .join(', ');
  const twins = r.counting === 'raw' ? ', counting both writers’ rows' : '';
  if (r.matches) return `${head} → matches ${label(r)}${twins}${r.explanation === 'duplicate_rows' ? ' (the DB holds both writers’ twins)' : ''} (${counts}).`;
  if (r.explanation === 'unexplained') return `${head} → unexplained${r.close ? ' (one window within 5 %)' : ''} (${counts}).`;
  return `${head} → ${r.explanation}: it equals ${label(r)}${twins} (${counts}).`;
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
    if (!rows.length) return { status: 'not_evaluable', missing: 'no daily report in the bundle' };
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
        message: `${KIND[rs[0].report_kind] ?? rs[0].report_kind}: ${rs.map(describe).join(' ')}`,
        evidence: rs.slice(0, 3).flatMap(ev),
      });
    }

    const era = ctx.block.era;
    const runner = (f: (r: ReconRow) => boolean) => by((r) => r.report_kind === 'paper_runner' && f(r));
    const why = (rs: ReconRow[]) => rs.slice(0, 4).map((r) => `${LABEL[r.metric]} ${r.report_value} on ${r.date} equals ${label(r)}`).join('; ');

    const frozen = runner((r) => r.interpretation === 'runner_start_day' && !r.matches);
    if (frozen.length) {
      const repeated = new Set(frozen.map((r) => r.date)).size >= 2;
      hypotheses.push({
        cause: 'reporting.frozen_current_date',
        title: "The runner's CURRENT_DATE is frozen at its start day (the connection never commits)",
        likelihood: repeated ? 'very_likely' : 'likely',
        evidence: frozen.slice(0, 3).flatMap(ev),
        why: why(frozen),
      });
      todos.push({ category: 'CODE', title: 'Commit (or use autocommit) on the report connection so CURRENT_DATE advances', priority: 'medium', effort: 'quick_win', where: runnerWhere(era), cause: 'reporting.frozen_current_date' });
    }
    const prevDay = runner((r) => r.interpretation === 'previous_utc_day' && !r.matches);
    if (prevDay.length) {
      hypotheses.push({
        cause: 'reporting.report_counts_previous_day',
        title: 'The daily report prints the day that has just begun but counts the UTC day before it',
        likelihood: prevDay.length >= 2 ? 'very_likely' : 'likely',
        evidence: prevDay.slice(0, 3).flatMap(ev),
        why: why(prevDay),
      });
      todos.push({ category: 'CODE', title: 'Print the day the counts cover (Date minus one day) next to “Signals Today” / “Trades Today”', priority: 'low', effort: 'quick_win', where: runnerWhere(era), cause: 'reporting.report_counts_previous_day' });
    }
    const newDay = by((r) => newDayZero(r) || (r.interpretation === 'day_elapsed' && r.explanation === 'window'));
    if (newDay.length) {
      hypotheses.push({
        cause: 'reporting.report_counts_new_day',
        title: 'The daily report counts the UTC day that has just begun, so it reads about 0',
        likelihood: newDay.length >= 2 ? 'very_likely' : 'likely',
        evidence: newDay.slice(0, 3).flatMap(ev),
        why: newDay
          .slice(0, 4)
          .map((r) => `${LABEL[r.metric]} ${r.report_value} on ${r.date}: the previous UTC day holds ${r.candidates.find((c) => c.interpretation === 'previous_utc_day')?.dedup ?? '?'}`)
          .join('; '),
      });
      todos.push({ category: 'CODE', title: 'The report counts the day that has just begun: count the previous UTC day (DATE(timestamp) = CURRENT_DATE - 1) on a fresh transaction', priority: 'medium', effort: 'quick_win', where: runnerWhere(era), cause: 'reporting.report_counts_new_day' });
    }
    const otherWindow = by((r) => r.explanation === 'window' && ['rolling_24h', 'all_rows', 'named_day_utc'].includes(r.interpretation ?? '') || (r.explanation === 'window' && r.report_kind !== 'paper_runner'));
    if (otherWindow.length) {
      hypotheses.push({
        cause: 'reporting.report_window',
        title: 'A report counts another time window than the day it names',
        likelihood: 'likely',
        evidence: otherWindow.slice(0, 3).flatMap(ev),
        why: why(otherWindow),
      });
      todos.push({ category: 'CODE', title: 'Count the day the report names, with explicit UTC bounds, and print the window', priority: 'low', effort: 'quick_win', where: otherWindow[0].report_kind === 'paper_runner' ? runnerWhere(era) : hostWhere(otherWindow[0].report_kind), cause: 'reporting.report_window' });
    }
    const tz = by((r) => r.explanation === 'timezone');
    const tzWrong = tz.filter((r) => !sameZone(r, blockZone));
    if (tz.length) {
      hypotheses.push({
        cause: 'reporting.local_vs_utc_date',
        title: tzWrong.length ? 'A host report counts a different calendar day (host-local vs UTC) than the DB' : 'The host report counts local days, as the block does',
        likelihood: tzWrong.length ? 'likely' : 'possible',
        evidence: tz.slice(0, 3).flatMap(ev),
        why: why(tz),
      });
      if (tzWrong.length) {
        todos.push({ category: 'CODE', title: 'Count and print days in one clock (UTC bounds on timestamp, UTC date in the header)', priority: 'low', effort: 'quick_win', where: hostWhere(tzWrong[0].report_kind), cause: 'reporting.local_vs_utc_date' });
      }
    }
    const dup = by((r) => r.explanation === 'duplicate_rows' || (r.counting === 'raw' && !!r.explanation && r.explanation !== 'unexplained'));
    if (dup.length) {
      hypotheses.push({
        cause: 'reporting.two_writer_duplicates',
        title: 'Report totals count both writers’ rows (about 2× the real orders or trades)',
        likelihood: 'likely',
        evidence: dup.slice(0, 3).flatMap(ev),
        why: dup.slice(0, 3).map((r) => `${LABEL[r.metric]} ${r.report_value}: ${r.candidates.find((c) => c.interpretation === r.interpretation)?.dedup ?? '?'} with twins counted once`).join('; '),
      });
      todos.push({ category: 'CODE', title: 'Count execution rows only (or deduplicate the db_writer twins) in report counts', priority: 'low', effort: 'quick_win', where: dup[0].report_kind === 'cdb_reports' ? 'services/reports/daily_orders_summary.py' : dup[0].report_kind === 'paper_runner' ? runnerWhere(era) : hostWhere(dup[0].report_kind), cause: 'reporting.two_writer_duplicates' });
    }
    const bug = by((r) => r.explanation === 'query_bug');
    if (bug.length) {
      hypotheses.push({
        cause: 'reporting.report_query_bug',
        title: 'A report query counts the wrong table or has no date filter',
        likelihood: bug.length >= 2 ? 'likely' : 'possible',
        evidence: bug.slice(0, 3).flatMap(ev),
        why: why(bug),
      });
      todos.push({ category: 'CODE', title: 'Fix the report query (table and DATE filter) and test it against a known day', priority: 'medium', effort: 'quick_win', where: bug[0].report_kind === 'paper_runner' ? runnerWhere(era) : hostWhere(bug[0].report_kind), cause: 'reporting.report_query_bug' });
    }
    const hostFailed = by((r) => r.explanation === 'report_failed' && (r.report_kind === 'daily_check' || r.report_kind === 'systemcheck'));
    if (hostFailed.length) {
      hypotheses.push({
        cause: 'reporting.host_check_without_db_credentials',
        title: 'The host-side check ran without the stack’s DB credentials (a host shell problem, not a trading-stack fault)',
        likelihood: hostFailed.some((r) => /password|auth|MISSING/i.test(r.note ?? '')) ? 'likely' : 'possible',
        evidence: hostFailed.slice(0, 3).flatMap(ev),
        why: hostFailed.slice(0, 2).map((r) => `${KIND[r.report_kind]}: ${r.note}`).join('; '),
      });
      todos.push({ category: 'CONFIG', title: 'Run daily_check.py / systemcheck.py with the stack’s .env loaded (POSTGRES_PASSWORD, REDIS_PASSWORD) so they can count', priority: 'low', effort: 'quick_win', where: hostWhere(hostFailed[0].report_kind), cause: 'reporting.host_check_without_db_credentials' });
    }
    const unexplained = by((r) => r.explanation === 'unexplained' && r.metric !== 'events_logged');
    if (unexplained.length) {
      hypotheses.push({
        cause: 'reporting.unexplained_mismatch',
        title: 'Report counts differ from the DB in every documented window',
        likelihood: 'possible',
        evidence: unexplained.slice(0, 3).flatMap(ev),
        why: 'Left: a DB dump taken before the window closed, rows deleted or trimmed, or a session TimeZone other than UTC.',
      });
    }
    eventsLoggedZero(ctx, rows, findings, hypotheses);

    const warn = rows.some(
      (r) => ['window', 'query_bug', 'report_failed', 'unexplained'].includes(r.explanation ?? '') || (r.explanation === 'timezone' && !sameZone(r, blockZone)),
    );
    const evaluated = rows.some((r) => r.matches || r.explanation !== null);
    const status: Status = warn || findings.some((f) => f.severity === 'medium') ? 'warn' : evaluated ? 'ok' : 'not_evaluable';
    if (status === 'not_evaluable') return { status, missing: 'no DB dump of signals / trades / orders to reconcile the reports against', metrics, findings };
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
    message:
      `Events Logged 0 in the reports of ${zeros.map((r) => r.generated_at!.slice(0, 10)).join(', ')}: no message reached the runner's event log since its start` +
      (md > 0 ? `, although ${md} market-data events were captured in that time.` : ' (dead feed, stub ws, Redis auth failure or a fresh restart).'),
    evidence,
  });
  if (md > 0) {
    hypotheses.push({
      cause: 'reporting.runner_not_logging_events',
      title: 'The paper runner receives or logs no events although market data flows',
      likelihood: logFail.length ? 'likely' : 'possible',
      evidence,
    });
  }
}
