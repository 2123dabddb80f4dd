import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addLogs, addRows, times, type LogSpec } from '../shared/testing.js';
import rule from './report-missing.js';

const DAYS = ['2025-11-26', '2025-11-27', '2025-11-28'];

/** Runner alive all block long (a progress line every 30 min), plus extra lines. */
function run(opts: { alive?: boolean; reportDays?: string[]; extra?: LogSpec[]; values?: string[] }) {
  const t = new TestDb();
  if (opts.alive !== false) {
    addLogs(t, 'cdb_paper_runner', times('2025-11-25T22:00:00.000Z', 3 * 48 + 4, 1_800_000).map((ts, i) => [ts, `📊 Events logged: ${(i + 1) * 100}`]));
  }
  for (const d of opts.reportDays ?? []) addLogs(t, 'cdb_paper_runner', [[`${d}T00:00:00.029Z`, 'DAILY REPORT']]);
  for (const d of opts.values ?? []) addRows(t, 'daily_report_values', [{ report_kind: 'paper_runner', report_date: d, key: 'Signals Today', value_text: '0', value_num: 0 }], 'mail/report.eml');
  if (opts.extra) addLogs(t, 'cdb_paper_runner', opts.extra);
  const r = rule.check(t.context());
  spoken(r, 'de'); // every case renders in German too (a missing parameter throws)
  return spoken(r);
}

function runBoth(opts: Parameters<typeof run>[0]) {
  const t = new TestDb();
  addLogs(t, 'cdb_paper_runner', times('2025-11-25T22:00:00.000Z', 3 * 48 + 4, 1_800_000).map((ts, i) => [ts, `📊 Events logged: ${(i + 1) * 100}`]));
  for (const d of opts.reportDays ?? []) addLogs(t, 'cdb_paper_runner', [[`${d}T00:00:00.029Z`, 'DAILY REPORT']]);
  if (opts.extra) addLogs(t, 'cdb_paper_runner', opts.extra);
  const r = rule.check(t.context());
  return { en: spoken(r), de: spoken(r, 'de') };
}

describe('report-missing', () => {
  it.each<[string, Parameters<typeof run>[0], string, string, string | null]>([
    ['runner up across midnight, no report, no reason', { reportDays: ['2025-11-26', '2025-11-28'] }, 'warn', 'missing', 'reporting.report_not_generated'],
    [
      'report generation failed',
      { reportDays: ['2025-11-26', '2025-11-28'], extra: [['2025-11-27T00:00:00.500Z', "Report generation failed: 'NoneType' object is not subscriptable", 'ERROR']] },
      'warn',
      'failed',
      'reporting.report_generation_failed',
    ],
    [
      'runner restarted across midnight',
      { reportDays: ['2025-11-26', '2025-11-28'], extra: [['2025-11-27T00:03:00.000Z', '🚀 Paper Trading Runner started']] },
      'ok',
      'restart',
      'reporting.runner_restart_midnight',
    ],
    [
      'test duration completed',
      { alive: false, reportDays: ['2025-11-26'], extra: [['2025-11-26T12:00:00.000Z', '⏰ Test duration completed - stopping runner']] },
      'warn',
      'duration-completed',
      'reporting.runner_duration_completed',
    ],
  ])('MUST fire: %s', (_n, opts, status, subject, cause) => {
    const r = run(opts);
    expect(r.status).toBe(status);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
    if (cause) expect(r.hypotheses?.map((h) => h.cause)).toContain(cause);
  });

  it.each<[string, Parameters<typeof run>[0], string]>([
    ['a report every day (log)', { reportDays: DAYS }, 'ok'],
    ['a report every day (mail values only)', { values: DAYS }, 'ok'],
    ['SMTP disabled is information only', { reportDays: DAYS, extra: [['2025-11-26T00:00:00.100Z', 'Email alert NOT sent (disabled): [INFO] Daily Report', 'WARNING']] }, 'ok'],
    ['runner not seen around midnight', { alive: false, reportDays: ['2025-11-26'], extra: [['2025-11-27T12:00:00.000Z', '📊 Events logged: 100']] }, 'ok'],
    [
      'the runner first starts at the beginning of the block (no earlier output): not a restart',
      { alive: false, reportDays: ['2025-11-27', '2025-11-28'], extra: [['2025-11-26T00:00:12.000Z', '🚀 Paper Trading Runner started'], ['2025-11-26T06:00:00.000Z', '📊 Events logged: 100']] },
      'ok',
    ],
  ])('MUST NOT fire: %s', (_n, opts, status) => {
    const r = run(opts);
    expect(r.status).toBe(status);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('is not evaluable without runner logs or reports', () => {
    expect(rule.check(new TestDb().context()).status).toBe('not_evaluable');
  });

  it('states the result per day', () => {
    const r = run({ reportDays: ['2025-11-26'], extra: [['2025-11-28T00:02:00.000Z', 'PAPER TRADING RUNNER INITIALIZED']] });
    expect(r.metrics).toMatchObject({ 'report_2025-11-26': 'present', 'report_2025-11-27': 'missing', 'report_2025-11-28': 'restart' });
  });

  it('the failure cause strengthens with repeated failures', () => {
    const one = run({ reportDays: ['2025-11-26', '2025-11-28'], extra: [['2025-11-27T00:00:00.500Z', 'Report generation failed: connection already closed', 'ERROR']] });
    const two = run({
      reportDays: ['2025-11-26'],
      extra: [
        ['2025-11-27T00:00:00.500Z', 'Report generation failed: connection already closed', 'ERROR'],
        ['2025-11-28T00:00:00.500Z', 'Report generation failed: connection already closed', 'ERROR'],
      ],
    });
    expect(one.hypotheses?.[0]).toMatchObject({ cause: 'reporting.report_generation_failed', likelihood: 'likely' });
    expect(two.hypotheses?.[0]).toMatchObject({ cause: 'reporting.report_generation_failed', likelihood: 'very_likely' });
  });

  it.each<[string, string, string, string, string]>([
    [
      'an empty portfolio',
      "Report generation failed: 'NoneType' object is not subscriptable",
      "Report generation failed on 2025-11-27: 'NoneType' object is not subscriptable.",
      'The daily report query fails',
      'An empty portfolio_snapshots table makes the report fail.',
    ],
    [
      'a dead connection',
      'Report generation failed: connection already closed',
      'Report generation failed on 2025-11-27: connection already closed.',
      "The runner's DB connection is dead or stuck in an aborted transaction",
      'connection already closed',
    ],
  ])('a failed report quotes the runner’s error: %s', (_n, line, message, title, why) => {
    const { en, de } = runBoth({ reportDays: ['2025-11-26', '2025-11-28'], extra: [['2025-11-27T00:00:00.500Z', line, 'ERROR']] });
    expect(en.findings?.find((f) => f.subject === 'failed')?.message).toBe(message);
    expect(en.hypotheses?.[0]).toMatchObject({ cause: 'reporting.report_generation_failed', title, why });
    // German: the tool's words and the date change, the quoted error does not.
    const quoted = line.replace('Report generation failed: ', '');
    expect(de.findings?.find((f) => f.subject === 'failed')?.message).toBe(`Report-Erzeugung fehlgeschlagen am 27.11.2025: ${quoted}.`);
  });

  it('lists the days as dates of the report language', () => {
    const { en, de } = runBoth({ reportDays: ['2025-11-26'] });
    expect(en.findings?.find((f) => f.subject === 'missing')?.message).toBe(
      'No report for 2025-11-27, 2025-11-28 although the runner was running before and after midnight, without a failure line.',
    );
    expect(de.findings?.find((f) => f.subject === 'missing')?.message).toBe(
      'Kein Report für 27.11.2025, 28.11.2025, obwohl der Runner vor und nach Mitternacht lief, ohne Fehlerzeile.',
    );
    expect(de.findings?.find((f) => f.subject === 'present')?.message).toBe('Daily-Report vorhanden für 26.11.2025.');
  });
});
