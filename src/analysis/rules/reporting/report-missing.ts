import { defineRule, type Evidence, type Finding, type Hypothesis, type RuleContext, type Status, type Todo } from '../../define-rule.js';
import { anyLogOfService } from '../../../db/log-rollup.js';
import { findLogs, groupClassIn, groupClause, K, fieldOf, REPORTS, RUNNER, type LogRow } from '../shared/logs.js';
import { whereVarText } from '../shared/settings.js';
import { count, iso, ms, sampleEvidence } from '../shared/util.js';
import { text } from '../../../i18n/translate.js';

const MIN = 60_000;
const EPOCH = '1970-01-01T00:00:00.000Z';

export type DayResult = 'present' | 'failed' | 'restart' | 'duration_completed' | 'missing' | 'runner_not_seen';

interface Day {
  day: string;
  result: DayResult;
  evidence: Evidence[];
  detail?: string;
}

/** Any runner record (health polls included) in a window: the process was alive and captured. */
function runnerAlive(ctx: RuleContext, from: number, to: number): boolean {
  const params: (string | number)[] = [];
  const clause = groupClause(ctx, [RUNNER], params);
  const only = groupClassIn(ctx, [RUNNER]);
  return !!ctx.db.prepare(`SELECT 1 FROM log_events WHERE ${clause} AND ts >= ? AND ts <= ?${only.sql} LIMIT 1`).get(...params, iso(from), iso(to), ...only.params);
}

function inWindow(rows: LogRow[], from: number, to: number): LogRow[] {
  return rows.filter((r) => r.ts != null && ms(r.ts) >= from && ms(r.ts) <= to);
}

export default defineRule({
  id: 'report-missing',
  layer: 'reporting',
  title: 'Block days without a daily report',
  needs: ['paper-runner logs around midnight', 'daily report values'],
  keyMetrics: ['reports_present', 'reports_missing'],
  check(ctx) {
    const lastDay = ctx.block.days[ctx.block.days.length - 1];
    const span = { from: iso(ms(`${ctx.block.days[0]}T00:00:00.000Z`) - 3 * 60 * MIN), to: iso(ms(`${lastDay}T23:59:59.999Z`)) };
    const all = { from: EPOCH, to: span.to };
    const reportLines = findLogs(ctx, { group: RUNNER, span, classes: K.runnerReport });
    const failed = findLogs(ctx, { group: RUNNER, span, classes: K.runnerReportFailed });
    const starts = findLogs(ctx, { group: RUNNER, span, classes: K.runnerStarted });
    const done = findLogs(ctx, { group: RUNNER, span: all, classes: K.runnerDurationDone });
    const mailOff = findLogs(ctx, { group: RUNNER, span: all, classes: K.mailDisabled });
    const hasRunnerLogs = anyLogOfService(ctx.db, RUNNER.services);
    const reportValues = count(ctx, "SELECT COUNT(*) FROM daily_report_values WHERE report_kind = 'paper_runner'");
    if (!hasRunnerLogs && !reportValues) {
      return { status: 'not_evaluable', missing: text('report-missing.missing') };
    }

    const days: Day[] = [];
    for (const day of ctx.block.days) {
      const m = ms(`${day}T00:00:00.000Z`);
      const value = ctx.db
        .prepare("SELECT file_id, line_no, key, value_text FROM daily_report_values WHERE report_kind = 'paper_runner' AND report_date = ? ORDER BY file_id, line_no LIMIT 1")
        .get(day) as { file_id: number; line_no: number; key: string; value_text: string } | undefined;
      const line = inWindow(reportLines, m - MIN, m + 10 * MIN);
      const fail = inWindow(failed, m - MIN, m + 10 * MIN);
      if (fail.length) {
        // The error as the runner logged it (its first line); fieldOf gives the field's text.
        const detail = (fieldOf(fail[0], 'error') ?? '').split('\n')[0].trim();
        days.push({ day, result: 'failed', evidence: sampleEvidence(ctx, fail, 1, 0), ...(detail ? { detail } : {}) });
        continue;
      }
      if (value || line.length) {
        days.push({
          day,
          result: 'present',
          evidence: value ? [ctx.evidence(value.file_id, value.line_no, `${value.key}: ${value.value_text}`)] : sampleEvidence(ctx, line, 1, 0),
        });
        continue;
      }
      const finished = done.filter((r) => r.ts != null && ms(r.ts) < m);
      if (finished.length) {
        days.push({ day, result: 'duration_completed', evidence: sampleEvidence(ctx, finished, 0, 1) });
        continue;
      }
      const restart = inWindow(starts, m - 30 * MIN, m + 30 * MIN);
      // A start with no earlier runner output is the runner's first start (the block began with
      // it), not a restart: no report was due yet.
      if (restart.length && !runnerAlive(ctx, 0, ms(restart[0].ts!) - MIN)) {
        days.push({ day, result: 'runner_not_seen', evidence: [] });
        continue;
      }
      if (restart.length) {
        days.push({ day, result: 'restart', evidence: sampleEvidence(ctx, restart, 1, 0) });
        continue;
      }
      const ran = runnerAlive(ctx, m - 120 * MIN, m - 1) && runnerAlive(ctx, m + 1, m + 120 * MIN);
      days.push({ day, result: ran ? 'missing' : 'runner_not_seen', evidence: [] });
    }

    const metrics: Record<string, number | string | null> = {};
    for (const d of days) metrics[`report_${d.day}`] = d.result;
    const by = (r: DayResult) => days.filter((d) => d.result === r);
    metrics.reports_present = by('present').length;
    metrics.reports_missing = by('missing').length + by('failed').length + by('restart').length + by('duration_completed').length;

    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    let status: Status = 'ok';
    const dates = (days: string[]) => days.map((day) => text('report-missing.day', { day }));
    const list = (ds: Day[]) => dates(ds.map((d) => d.day));

    if (by('present').length) {
      findings.push({ subject: 'present', severity: 'info', message: text('report-missing.present', { days: list(by('present')) }), evidence: by('present').slice(0, 1).flatMap((d) => d.evidence) });
    }
    if (by('failed').length) {
      status = 'warn';
      const ds = by('failed');
      const ev = ds.flatMap((d) => d.evidence).slice(0, 3);
      findings.push({ subject: 'failed', severity: 'medium', message: text('report-missing.failed', { days: list(ds), detail: ds[0].detail ? text('report-missing.detail', { detail: ds[0].detail }) : '' }), evidence: ev });
      const conn = /connection already closed|transaction is aborted/i.test(ds[0].detail ?? '');
      hypotheses.push({
        cause: 'reporting.report_generation_failed',
        title: conn ? text('report-missing.h.connection_dead') : text('report-missing.h.query_fails'),
        likelihood: ds.length >= 2 ? 'very_likely' : 'likely',
        evidence: ev,
        why: /NoneType/.test(ds[0].detail ?? '') ? text('report-missing.why.empty_snapshots') : ds[0].detail,
      });
      todos.push({
        category: 'CODE',
        title: conn ? text('report-missing.todo.reconnect') : text('report-missing.todo.tolerate'),
        priority: 'medium',
        effort: 'larger',
        where: ctx.block.era === 'A' || ctx.block.era == null ? 'services/cdb_paper_runner/service.py (daily report)' : 'tools/paper_trading/service.py (daily report)',
        cause: 'reporting.report_generation_failed',
      });
    }
    if (by('restart').length) {
      const ds = by('restart');
      findings.push({
        subject: 'restart',
        severity: 'low',
        message: text('report-missing.restart', { days: list(ds) }),
        evidence: ds.flatMap((d) => d.evidence).slice(0, 3),
      });
      hypotheses.push({
        cause: 'reporting.runner_restart_midnight',
        title: text('report-missing.h.restart_midnight'),
        likelihood: 'likely',
        evidence: ds.flatMap((d) => d.evidence).slice(0, 3),
      });
    }
    if (by('duration_completed').length) {
      status = 'warn';
      const ds = by('duration_completed');
      findings.push({
        subject: 'duration-completed',
        severity: 'medium',
        message: text('report-missing.duration_completed', { day: ds[0].day }),
        evidence: ds[0].evidence,
      });
      hypotheses.push({
        cause: 'reporting.runner_duration_completed',
        title: text('report-missing.h.duration_completed'),
        likelihood: 'very_likely',
        evidence: ds[0].evidence,
      });
      todos.push({
        category: 'CONFIG',
        title: text('report-missing.todo.duration'),
        priority: 'medium',
        effort: 'quick_win',
        where: whereVarText(ctx.block.era, 'PAPER_TRADING_DURATION_DAYS', 'cdb_paper_runner'),
        cause: 'reporting.runner_duration_completed',
      });
    }
    if (by('missing').length) {
      status = 'warn';
      const ds = by('missing');
      findings.push({
        subject: 'missing',
        severity: 'medium',
        message: text('report-missing.missing_days', { days: list(ds) }),
        evidence: [],
      });
      hypotheses.push({
        cause: 'reporting.report_not_generated',
        title: text('report-missing.h.not_generated'),
        likelihood: 'possible',
        evidence: [],
        why: text('report-missing.why.not_generated'),
      });
    }
    if (by('runner_not_seen').length) {
      findings.push({
        subject: 'runner-not-seen',
        severity: 'info',
        message: text('report-missing.runner_not_seen', { days: list(by('runner_not_seen')) }),
        evidence: [],
      });
    }
    if (mailOff.length) {
      findings.push({
        subject: 'mail-disabled',
        severity: 'info',
        message: text('report-missing.mail_disabled'),
        evidence: sampleEvidence(ctx, mailOff, 1, 0),
      });
    }
    // cdb_reports (B/C) runs at 08:00 UTC; check only where its log covers that time.
    const summaries = findLogs(ctx, { group: REPORTS, classes: K.reportsGenerating });
    if (summaries.length || count(ctx, "SELECT COUNT(*) FROM daily_report_values WHERE report_kind = 'cdb_reports'")) {
      for (const day of ctx.block.days) {
        const at = ms(`${day}T08:00:00.000Z`);
        const present =
          inWindow(summaries, at - 5 * MIN, at + 60 * MIN).length > 0 ||
          count(ctx, "SELECT COUNT(*) FROM daily_report_values WHERE report_kind = 'cdb_reports' AND report_date = ?", day) > 0;
        const svc = REPORTS.services;
        const only = groupClassIn(ctx, [{ ...REPORTS, loggers: [] }]);
        const alive = !!ctx.db
          .prepare(`SELECT 1 FROM log_events WHERE service IN (${svc.map(() => '?').join(',')}) AND ts >= ? AND ts <= ?${only.sql} LIMIT 1`)
          .get(...svc, iso(at - 12 * 60 * MIN), iso(at + 60 * MIN), ...only.params);
        metrics[`cdb_reports_${day}`] = present ? 'present' : alive ? 'missing' : 'not_seen';
        if (!present && alive) status = 'warn';
      }
      const missingDays = ctx.block.days.filter((d) => metrics[`cdb_reports_${d}`] === 'missing');
      if (missingDays.length) {
        findings.push({ subject: 'cdb-reports-missing', severity: 'medium', message: text('report-missing.cdb_reports_missing', { days: dates(missingDays) }), evidence: [] });
      }
    }
    return { status, metrics, findings, hypotheses, todos };
  },
});
