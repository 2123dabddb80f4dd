import { describe, expect, it } from 'vitest';
import type { Block } from '../../define-rule.js';
import { TestDb } from '../../testing.js';
import { addDump, addLogs, addRows, times } from '../shared/testing.js';
import rule, { tolerance, uptimeHours } from './report-reconciliation.js';

const BLOCK: Partial<Block> = { from: '2025-11-26T00:00:00.000Z', to: '2025-11-28T23:59:59.999Z', days: ['2025-11-26', '2025-11-27', '2025-11-28'] };

function signalsOn(t: TestDb, day: string, n: number, startHour = 1) {
  addRows(
    t,
    'signals',
    times(`${day}T${String(startHour).padStart(2, '0')}:00:00.000Z`, n, 60_000).map((ts) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', source: 'db', in_block: 1 })),
  );
}

function report(t: TestDb, kind: string, date: string, gen: string | null, values: Record<string, number | string>, zone: string | null = 'UTC') {
  addRows(
    t,
    'daily_report_values',
    Object.entries(values).map(([key, v]) => ({
      report_kind: kind,
      report_date: date,
      generated_at: gen,
      zone,
      key,
      value_text: String(v),
      value_num: typeof v === 'number' ? v : null,
    })),
    `reports/${kind}.log`,
  );
}

function base(): TestDb {
  const t = new TestDb();
  addDump(t, 'signals', ['id', 'timestamp']);
  addDump(t, 'trades', ['id', 'timestamp']);
  addDump(t, 'orders', ['id', 'created_at']);
  return t;
}

describe('report-reconciliation', () => {
  it('the runbook symptom: Signals Today 0 counts the seconds of the new day', () => {
    const t = base();
    signalsOn(t, '2025-11-26', 30, 22);
    report(t, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.029Z', { 'Signals Today': 0, 'Trades Today': 0, Uptime: '0 days, 5 hours' });
    const r = rule.check(t.context(BLOCK));
    expect(r.status).toBe('warn');
    expect(r.metrics?.['paper_runner.2025-11-27.signals_today']).toBe('match:a');
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.report_counts_new_day')?.likelihood).toBe('likely');
    expect(r.findings?.find((f) => f.subject === 'paper_runner:Signals Today')?.message).toMatch(/previous day had 30/);
  });

  it('frozen CURRENT_DATE: later reports repeat the start day', () => {
    const t = base();
    signalsOn(t, '2025-11-25', 40);
    signalsOn(t, '2025-11-26', 50);
    signalsOn(t, '2025-11-27', 60);
    addLogs(t, 'cdb_paper_runner', [['2025-11-25T10:00:00.000Z', '  Start Time:  2025-11-25T10:00:00.123456']], { inBlock: 0 });
    report(t, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.400Z', { 'Signals Today': 40 });
    report(t, 'paper_runner', '2025-11-28', '2025-11-28T00:00:00.400Z', { 'Signals Today': 40 });
    const r = rule.check(t.context(BLOCK));
    expect(r.status).toBe('warn');
    expect(r.metrics).toMatchObject({ 'paper_runner.2025-11-27.signals_today': 'explained:c', 'paper_runner.2025-11-28.signals_today': 'explained:c' });
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.frozen_current_date')?.likelihood).toBe('very_likely');
  });

  it('the frozen-date cause weakens with one report and disappears without a start time', () => {
    const one = base();
    signalsOn(one, '2025-11-25', 40);
    signalsOn(one, '2025-11-26', 50);
    report(one, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.400Z', { 'Signals Today': 40, Uptime: '1 days, 14 hours' });
    const r1 = rule.check(one.context(BLOCK));
    expect(r1.hypotheses?.find((h) => h.cause === 'reporting.frozen_current_date')?.likelihood).toBe('likely');

    const none = base();
    signalsOn(none, '2025-11-25', 40);
    signalsOn(none, '2025-11-26', 50);
    report(none, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.400Z', { 'Signals Today': 40 });
    const r2 = rule.check(none.context(BLOCK));
    expect(r2.hypotheses?.some((h) => h.cause === 'reporting.frozen_current_date')).toBe(false);
    expect(r2.metrics?.['paper_runner.2025-11-27.signals_today']).toBe('mismatch');
  });

  it.each<[string, number, string, string]>([
    ['raw rows of both writers', 20, 'explained:b', 'ok'],
    ['deduplicated trades', 10, 'explained:b', 'ok'],
    ['a number no window explains', 999, 'mismatch', 'warn'],
  ])('Trades Today = %s', (_n, value, verdict, status) => {
    const t = base();
    addRows(t, 'trades', times('2025-11-26T05:00:00.000Z', 10, 60_000).map((ts, i) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', source: 'db', twin_file_id: 9, twin_line_no: i, in_block: 1 })));
    report(t, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.400Z', { 'Trades Today': value });
    const r = rule.check(t.context(BLOCK));
    expect(r.metrics?.['paper_runner.2025-11-27.trades_today']).toBe(verdict);
    expect(r.status).toBe(status);
    if (verdict === 'mismatch') expect(r.hypotheses?.[0].cause).toBe('reporting.unexplained_mismatch');
    expect(r.status).not.toBe('fail');
  });

  it('Events Logged: a drop after a restart is explained; 0 while market data flows is flagged', () => {
    const t = base();
    addRows(t, 'market_data', times('2025-11-27T02:00:00.000Z', 50, 60_000).map((ts) => ({ ts, symbol: 'BTCUSDT', price: 1, source: 'redis', in_block: 1 })));
    addLogs(t, 'cdb_paper_runner', [['2025-11-27T01:00:00.000Z', 'PAPER TRADING RUNNER INITIALIZED']]);
    report(t, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.400Z', { 'Events Logged': 18340 });
    report(t, 'paper_runner', '2025-11-28', '2025-11-28T00:00:00.400Z', { 'Events Logged': 0, Uptime: '0 days, 23 hours' });
    const r = rule.check(t.context(BLOCK));
    expect(r.findings?.find((f) => f.subject === 'events-logged-reset')?.severity).toBe('info');
    expect(r.findings?.find((f) => f.subject === 'events-logged-zero')?.severity).toBe('medium');
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.runner_not_logging_events')?.likelihood).toBe('possible');
  });

  it('cdb_reports: Total Orders over the rolling 24 h is about twice the executions', () => {
    const t = base();
    addRows(
      t,
      'orders',
      times('2025-11-26T10:00:00.000Z', 12, 600_000).map((ts, i) => ({ ts, symbol: 'BTCUSDT', status: 'filled', writer: 'execution', twin_file_id: 9, twin_line_no: i, source: 'db', in_block: 1 })),
    );
    addRows(t, 'orders', [{ ts: '2025-11-25T07:00:00.000Z', status: 'filled', source: 'db', in_block: 0 }]);
    report(t, 'cdb_reports', '2025-11-27', null, { 'Total Orders': 24, Filled: 12 });
    const r = rule.check(t.context(BLOCK));
    expect(r.metrics).toMatchObject({ 'cdb_reports.2025-11-27.total_orders': 'match:rolling_24h', 'cdb_reports.2025-11-27.filled': 'match:rolling_24h' });
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.two_writer_duplicates')?.likelihood).toBe('likely');
    expect(r.status).toBe('ok');
  });

  it.each<[string, number, string]>([
    ["the DB's UTC day", 30, 'match:utc_today'],
    ['the host-local header date', 40, 'explained:local_day'],
  ])('daily_check counts %s', (_n, value, verdict) => {
    const t = base();
    signalsOn(t, '2025-11-26', 30, 20);
    signalsOn(t, '2025-11-27', 40, 3);
    // 00:30 CET on the 27th is 23:30 UTC on the 26th; the parser leaves generated_at empty without a printed zone.
    addRows(t, 'daily_report_values', [
      { report_kind: 'daily_check', report_date: '2025-11-27', generated_at: null, generated_text: '2025-11-27 00:30:00', zone: 'host local (CET/CEST, assumed)', key: 'Signals Today', value_text: String(value), value_num: value },
    ]);
    const r = rule.check(t.context(BLOCK));
    expect(r.metrics?.['daily_check.2025-11-27.signals_today']).toBe(verdict);
    expect(r.hypotheses?.some((h) => h.cause === 'reporting.local_vs_utc_date')).toBe(verdict.startsWith('explained'));
  });

  it.each<[string, (t: TestDb) => void, string]>([
    ['no report', () => {}, 'not_evaluable'],
    [
      'a report but no DB to count',
      (t) => report(t, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.400Z', { 'Signals Today': 3 }),
      'not_evaluable',
    ],
  ])('MUST NOT fire: %s', (_n, setup, status) => {
    const t = new TestDb();
    setup(t);
    expect(rule.check(t.context(BLOCK)).status).toBe(status);
  });

  it.each<[string | null, number | null]>([
    ['1 days, 9 hours', 33],
    ['0 days, 5 hours', 5],
    ['12 hours', 12],
    [null, null],
  ])('uptimeHours(%j) = %j', (text, h) => {
    expect(uptimeHours(text)).toBe(h);
  });

  it.each([
    [0, 0],
    [49, 0],
    [100, 2],
  ])('tolerance(%i) = %i', (v, tol) => {
    expect(tolerance(v)).toBe(tol);
  });
});
