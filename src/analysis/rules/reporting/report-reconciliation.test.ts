import { describe, expect, it } from 'vitest';
import type { Block } from '../../define-rule.js';
import { reconcile, type ReconRow } from '../../reconcile.js';
import { spoken, TestDb } from '../../testing.js';
import { addDump, addLogs, addRows, times } from '../shared/testing.js';
import rule from './report-reconciliation.js';
import { localize } from '../../../i18n/localize.js';
import { ReconciliationSchema } from '../../../report/model.js';

const BLOCK: Partial<Block> = { from: '2025-11-26T00:00:00.000Z', to: '2025-11-28T23:59:59.999Z', days: ['2025-11-26', '2025-11-27', '2025-11-28'] };

function signalsOn(t: TestDb, day: string, n: number, startHour = 1) {
  addRows(
    t,
    'signals',
    times(`${day}T${String(startHour).padStart(2, '0')}:00:00.000Z`, n, 60_000).map((ts) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', source: 'db', in_block: 1 })),
  );
}

/** `n` trades on a day, each with its db_writer twin (raw = 2n, deduplicated = n). */
function tradesOn(t: TestDb, day: string, n: number, startHour = 5) {
  addRows(
    t,
    'trades',
    times(`${day}T${String(startHour).padStart(2, '0')}:00:00.000Z`, n, 60_000).map((ts, i) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', source: 'db', twin_file_id: 9, twin_line_no: i, in_block: 1 })),
  );
}

function report(
  t: TestDb,
  kind: string,
  date: string,
  gen: string | null,
  values: Record<string, number | string>,
  opts: { zone?: string; text?: string; path?: string; section?: string } = {},
) {
  addRows(
    t,
    'daily_report_values',
    Object.entries(values).map(([key, v]) => ({
      report_kind: kind,
      report_date: date,
      generated_at: gen,
      generated_text: opts.text ?? null,
      zone: opts.zone ?? 'UTC',
      section: opts.section ?? null,
      key,
      value_text: String(v),
      value_num: typeof v === 'number' ? v : null,
    })),
    opts.path ?? `reports/${kind}.log`,
  );
}

const SIGNAL_COLUMNS = ['id', 'symbol', 'signal_type', 'price', 'confidence', 'timestamp'];

function base(): TestDb {
  const t = new TestDb();
  addDump(t, 'signals', SIGNAL_COLUMNS);
  addDump(t, 'trades', ['id', 'symbol', 'side', 'price', 'execution_price', 'timestamp']);
  addDump(t, 'orders', ['id', 'symbol', 'side', 'order_type', 'size', 'created_at']);
  return t;
}

type Verdict = Pick<ReconRow, 'date' | 'metric' | 'report_value' | 'db_value' | 'matches' | 'explanation' | 'interpretation'>;
const verdicts = (rows: ReconRow[]): Verdict[] =>
  rows.map(({ date, metric, report_value, db_value, matches, explanation, interpretation }) => ({ date, metric, report_value, db_value, matches, explanation, interpretation }));
const gen = (day: string) => `${day}T00:00:00.400Z`;

describe('reconcile: paper runner windows, decided over the block', () => {
  it('counts the previous UTC day in every report: window, previous_utc_day, a warn with cause and fix', () => {
    const t = base();
    signalsOn(t, '2025-11-26', 45);
    signalsOn(t, '2025-11-27', 52);
    signalsOn(t, '2025-11-28', 30);
    for (const [d, v] of [['2025-11-27', 45], ['2025-11-28', 52], ['2025-11-29', 30]] as const) report(t, 'paper_runner', d, gen(d), { 'Signals Today': v });
    const ctx = t.context(BLOCK);
    expect(verdicts(reconcile(ctx))).toEqual([
      { date: '2025-11-27', metric: 'signals', report_value: 45, db_value: 45, matches: false, explanation: 'window', interpretation: 'previous_utc_day' },
      { date: '2025-11-28', metric: 'signals', report_value: 52, db_value: 52, matches: false, explanation: 'window', interpretation: 'previous_utc_day' },
      { date: '2025-11-29', metric: 'signals', report_value: 30, db_value: 30, matches: false, explanation: 'window', interpretation: 'previous_utc_day' },
    ]);
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.status).toBe('warn');
    expect(r.findings?.find((f) => f.subject === 'paper_runner:signals')?.severity).toBe('low');
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.report_counts_previous_day')?.likelihood).toBe('very_likely');
    expect(r.todos?.some((x) => x.cause === 'reporting.report_counts_previous_day')).toBe(true);
  });

  it("frozen CURRENT_DATE: one window reproduces every report, so it is the verdict even where another also fits", () => {
    const t = base();
    signalsOn(t, '2025-11-25', 40);
    signalsOn(t, '2025-11-26', 40);
    signalsOn(t, '2025-11-27', 60);
    addLogs(t, 'cdb_paper_runner', [['2025-11-25T10:00:00.000Z', '  Start Time:  2025-11-25T10:00:00.123456']], { inBlock: 0 });
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { 'Signals Today': 40 });
    report(t, 'paper_runner', '2025-11-28', gen('2025-11-28'), { 'Signals Today': 40 });
    const rows = reconcile(t.context(BLOCK));
    expect(rows.map((r) => [r.date, r.interpretation, r.explanation, r.interpretations_matching])).toEqual([
      ['2025-11-27', 'runner_start_day', 'window', ['previous_utc_day', 'rolling_24h', 'runner_start_day']],
      ['2025-11-28', 'runner_start_day', 'window', ['runner_start_day']],
    ]);
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.frozen_current_date')?.likelihood).toBe('very_likely');
    expect(r.status).not.toBe('fail');
  });

  it('Signals Today 0 over the seconds of the new day agrees with the DB, but says the report counts the day just begun', () => {
    const t = base();
    signalsOn(t, '2025-11-26', 30, 22);
    report(t, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.029Z', { 'Signals Today': 0 });
    const [row] = reconcile(t.context(BLOCK));
    expect(verdicts([row])).toEqual([{ date: '2025-11-27', metric: 'signals', report_value: 0, db_value: 0, matches: true, explanation: null, interpretation: 'named_day_utc' }]);
    expect(row.complete).toBe(false);
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.status).toBe('ok');
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.report_counts_new_day')?.why).toMatch(/previous UTC day holds 30/);
    expect(r.todos?.find((x) => x.cause === 'reporting.report_counts_new_day')?.title).toMatch(/count the previous UTC day/);
  });

  it.each<[string, number, Partial<ReconRow>, string]>([
    ['the deduplicated trades', 10, { matches: true, explanation: null, counting: 'dedup' }, 'ok'],
    ['both writers’ rows', 20, { matches: true, explanation: 'duplicate_rows', counting: 'raw' }, 'ok'],
    ['a number no window explains', 999, { matches: false, explanation: 'unexplained', close: false }, 'warn'],
    ['a number within 5 % of one window', 21, { matches: false, explanation: 'unexplained', close: true }, 'warn'],
  ])('Trades on the named (complete) day = %s', (_n, value, want, status) => {
    const t = base();
    tradesOn(t, '2025-11-26', 10);
    report(t, 'daily_check', '2025-11-27', null, { 'Trades Yesterday (2025-11-26)': value }, { text: '2025-11-27 09:00:00', zone: 'host local (CET/CEST, assumed)' });
    const [row] = reconcile(t.context(BLOCK));
    expect(row).toMatchObject({ date: '2025-11-26', metric: 'trades', complete: true, ...want });
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.status).toBe(status);
    if (want.explanation === 'duplicate_rows') expect(r.hypotheses?.[0].cause).toBe('reporting.two_writer_duplicates');
    if (want.explanation === 'unexplained') expect(r.hypotheses?.some((h) => h.cause === 'reporting.unexplained_mismatch')).toBe(true);
  });

  it('a value only the unfiltered count reproduces is a query bug; a 0 never is', () => {
    const t = base();
    signalsOn(t, '2025-11-25', 20);
    signalsOn(t, '2025-11-26', 50);
    report(t, 'daily_check', '2025-11-27', null, { 'Signals Yesterday (2025-11-26)': 70, 'Trades Yesterday (2025-11-26)': 0 }, { text: '2025-11-27 09:00:00', zone: 'host local (CET/CEST, assumed)' });
    const rows = reconcile(t.context(BLOCK));
    expect(rows.map((r) => [r.metric, r.explanation, r.interpretation])).toEqual([
      ['signals', 'query_bug', 'unfiltered'],
      ['trades', null, 'named_day_utc'],
    ]);
    expect(spoken(rule.check(t.context(BLOCK))).hypotheses?.some((h) => h.cause === 'reporting.report_query_bug')).toBe(true);
  });
});

describe('reconcile: Events Logged counts since the process started', () => {
  it.each<[string, (t: TestDb) => void, Partial<ReconRow>]>([
    ['rises between reports of one process', () => {}, { matches: true, explanation: null }],
    [
      'drops at a restart of the runner',
      (t) => addLogs(t, 'cdb_paper_runner', [['2025-11-27T09:00:00.000Z', 'PAPER TRADING RUNNER INITIALIZED']]),
      { matches: false, explanation: 'restart_reset' },
    ],
  ])('%s', (_n, setup, want) => {
    const t = base();
    setup(t);
    const dropped = (want.explanation ?? null) === 'restart_reset';
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { 'Events Logged': 18340, Uptime: '2 days, 0 hours' });
    report(t, 'paper_runner', '2025-11-28', gen('2025-11-28'), { 'Events Logged': dropped ? 900 : 36000, Uptime: '3 days, 0 hours' });
    const rows = reconcile(t.context(BLOCK));
    expect(rows[1]).toMatchObject({ metric: 'events_logged', date: null, report_value: dropped ? 900 : 36000, interpretation: 'since_process_start', ...want });
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.findings?.find((f) => f.subject === 'paper_runner:events_logged')?.severity).toBe('info');
  });

  it('a drop with no restart in the evidence and an Uptime longer than the gap stays unexplained', () => {
    const t = base();
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { 'Events Logged': 18340, Uptime: '2 days, 0 hours' });
    report(t, 'paper_runner', '2025-11-28', gen('2025-11-28'), { 'Events Logged': 10, Uptime: '3 days, 0 hours' });
    expect(reconcile(t.context(BLOCK))[1]).toMatchObject({ matches: false, explanation: 'unexplained' });
  });

  it('an Uptime shorter than the time since the last report is a restart too', () => {
    const t = base();
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { 'Events Logged': 18340, Uptime: '2 days, 0 hours' });
    report(t, 'paper_runner', '2025-11-28', gen('2025-11-28'), { 'Events Logged': 10, Uptime: '0 days, 3 hours' });
    expect(reconcile(t.context(BLOCK))[1]).toMatchObject({ matches: false, explanation: 'restart_reset' });
  });

  it('Events Logged 0 while market data flows is a medium finding', () => {
    const t = base();
    addRows(t, 'market_data', times('2025-11-27T02:00:00.000Z', 50, 60_000).map((ts) => ({ ts, symbol: 'BTCUSDT', price: 1, source: 'redis', in_block: 1 })));
    report(t, 'paper_runner', '2025-11-28', gen('2025-11-28'), { 'Events Logged': 0 });
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.findings?.find((f) => f.subject === 'events-logged-zero')?.severity).toBe('medium');
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.runner_not_logging_events')?.likelihood).toBe('possible');
  });
});

describe('reconcile: other report kinds', () => {
  it('cdb_reports counts the rolling 24 h it prints; Total Orders with both writers matches, noted as duplicate rows', () => {
    const t = base();
    addRows(
      t,
      'orders',
      times('2025-11-26T10:00:00.000Z', 12, 600_000).map((ts, i) => ({ ts, symbol: 'BTCUSDT', status: 'filled', writer: 'execution', twin_file_id: 9, twin_line_no: i, source: 'db', in_block: 1 })),
    );
    addRows(t, 'orders', [{ ts: '2025-11-25T07:00:00.000Z', status: 'filled', source: 'db', in_block: 0 }]);
    report(t, 'cdb_reports', '2025-11-27', null, { 'Total Orders': 24, Filled: 12 });
    expect(verdicts(reconcile(t.context(BLOCK)))).toEqual([
      { date: '2025-11-27', metric: 'orders', report_value: 24, db_value: 24, matches: true, explanation: 'duplicate_rows', interpretation: 'rolling_24h' },
      { date: '2025-11-27', metric: 'orders_filled', report_value: 12, db_value: 12, matches: true, explanation: null, interpretation: 'rolling_24h' },
    ]);
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.status).toBe('ok');
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.two_writer_duplicates')?.likelihood).toBe('likely');
  });

  it.each<[string, number, Partial<ReconRow>]>([
    ["the DB's UTC day (the script's CURRENT_DATE) in the hour after local midnight", 30, { matches: false, explanation: 'timezone', interpretation: 'previous_utc_day' }],
    ['a number no window up to generation holds', 40, { matches: false, explanation: 'unexplained' }],
  ])('daily_check Today = %s', (_n, value, want) => {
    const t = base();
    signalsOn(t, '2025-11-26', 30, 20);
    signalsOn(t, '2025-11-27', 40, 3);
    // 00:30 CET on the 27th is 23:30 UTC on the 26th; the parser leaves generated_at empty without a printed zone.
    report(t, 'daily_check', '2025-11-27', null, { 'Signals Today': value }, { text: '2025-11-27 00:30:00', zone: 'host local (CET/CEST, assumed)' });
    const [row] = reconcile(t.context(BLOCK));
    expect(row).toMatchObject({ date: '2025-11-27', complete: false, generated_at: '2025-11-26T23:30:00.000Z', ...want });
  });

  it('a Yesterday column that counts the local day is a time-zone difference', () => {
    const t = base();
    // 2025-11-26 local (CET) = 2025-11-25T23:00Z .. 2025-11-26T23:00Z
    signalsOn(t, '2025-11-25', 5, 23);
    signalsOn(t, '2025-11-26', 20, 10);
    signalsOn(t, '2025-11-26', 7, 23);
    report(t, 'daily_check', '2025-11-27', null, { 'Signals Yesterday (2025-11-26)': 25 }, { text: '2025-11-27 09:00:00', zone: 'host local (CET/CEST, assumed)' });
    const [row] = reconcile(t.context(BLOCK));
    expect(row).toMatchObject({ matches: false, explanation: 'timezone', interpretation: 'local_day', db_value: 25 });
    expect(row.candidates.find((c) => c.interpretation === 'named_day_utc')?.raw).toBe(27);
    expect(spoken(rule.check(t.context(BLOCK))).hypotheses?.find((h) => h.cause === 'reporting.local_vs_utc_date')?.likelihood).toBe('likely');
  });

  it('a Total over an export that starts at a later id counts the earlier rows by their ids', () => {
    const t = new TestDb();
    addDump(t, 'signals', SIGNAL_COLUMNS, [{ id: '2101', timestamp: '2025-11-26 01:00:00+00' }]);
    signalsOn(t, '2025-11-26', 50);
    report(t, 'daily_check', '2025-11-27', null, { 'Signals Total': 2150 }, { text: '2025-11-27 09:00:00', zone: 'host local (CET/CEST, assumed)' });
    const [row] = reconcile(t.context(BLOCK));
    expect(row).toMatchObject({ date: null, matches: true, interpretation: 'all_rows', db_value: 2150 });
    expect(row.note).toMatch(/starts at id 2101/);
  });
});

describe('reconcile: reports that could not count', () => {
  it('a failed paper-runner report gets one row per metric it would have printed', () => {
    const t = base();
    signalsOn(t, '2025-11-26', 5);
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { failure: "'NoneType' object is not subscriptable" });
    const rows = reconcile(t.context(BLOCK));
    expect(rows.map((r) => [r.metric, r.date, r.report_value, r.matches, r.explanation])).toEqual([
      ['signals', '2025-11-27', null, false, 'report_failed'],
      ['trades', '2025-11-27', null, false, 'report_failed'],
      ['events_logged', null, null, false, 'report_failed'],
    ]);
    expect(rows[0].evidence).toEqual([{ file: 'reports/paper_runner.log', line: 1 }]);
  });

  it('a daily_check without DB credentials: report_failed rows and a to-do for the host job, never a pipeline fault', () => {
    const t = base();
    report(
      t,
      'daily_check',
      '2025-11-27',
      null,
      { failure: 'Portfolio check failed: connection to server at "localhost" (::1), port 5432 failed: fe_sendauth: no password supplied' },
      { text: '2025-11-27 21:00:00', zone: 'host local (CET/CEST, assumed)', section: 'Trading Statistics' },
    );
    const rows = reconcile(t.context(BLOCK));
    expect(rows.map((r) => [r.metric, r.date, r.explanation])).toEqual([
      ['signals', '2025-11-27', 'report_failed'],
      ['signals', null, 'report_failed'],
      ['trades', '2025-11-27', 'report_failed'],
      ['trades', null, 'report_failed'],
    ]);
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.status).toBe('warn');
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.host_check_without_db_credentials')?.likelihood).toBe('likely');
    expect(r.todos?.find((x) => x.cause === 'reporting.host_check_without_db_credentials')?.where).toMatch(/daily_check\.py/);
  });

  it('a systemcheck log of MISSING variables and a failed PostgreSQL check: one report_failed row, the error line as evidence', () => {
    const t = base();
    const host = { text: '2025-11-27 21:23:22', zone: 'host local (CET/CEST, assumed)', path: 'logs/systemcheck_20251127_212322.log' };
    report(t, 'systemcheck', '2025-11-27', null, { REDIS_HOST: 'MISSING', POSTGRES_PASSWORD: 'MISSING' }, { ...host, section: 'ENV-VARIABLEN CHECK' });
    report(t, 'systemcheck', '2025-11-27', null, { failure: 'PostgreSQL Error: fe_sendauth: no password supplied' }, { ...host, section: 'POSTGRESQL CONNECTION & SCHEMA' });
    const rows = reconcile(t.context(BLOCK));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ metric: 'db_tables', report_kind: 'systemcheck', report_value: null, matches: false, explanation: 'report_failed', evidence: [{ file: host.path, line: 3 }] });
    expect(rows[0].note).toMatch(/fe_sendauth.*2 variable\(s\) MISSING/);
    expect(spoken(rule.check(t.context(BLOCK))).todos?.find((x) => x.cause === 'reporting.host_check_without_db_credentials')?.where).toMatch(/systemcheck\.py/);
  });
});

describe('reconcile: identity and evidence', () => {
  it('the same report in a mail and in the log is one report, cited twice', () => {
    const t = base();
    signalsOn(t, '2025-11-26', 4);
    report(t, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.412Z', { 'Signals Today': 4 }, { path: 'logs/runner.log' });
    report(t, 'paper_runner', '2025-11-27', '2025-11-27T00:00:00.000Z', { 'Signals Today': 4 }, { path: 'mail/report.eml' });
    const rows = reconcile(t.context(BLOCK));
    expect(rows).toHaveLength(1);
    expect(rows[0].evidence).toEqual([
      { file: 'logs/runner.log', line: 1 },
      { file: 'mail/report.eml', line: 1 },
    ]);
  });

  it.each<[string, (t: TestDb) => void, string]>([
    ['no report', () => {}, 'not_evaluable'],
    ['a report but no DB to count', (t) => report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { 'Signals Today': 3 }), 'not_evaluable'],
  ])('MUST NOT fire: %s', (_n, setup, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(rule.check(t.context(BLOCK)));
    expect(r.status).toBe(status);
    expect(r.hypotheses ?? []).toEqual([]);
  });
});

describe('reconcile: notes and window labels are keyed text, rendered again in German by localize', () => {
  /** The rows as report.json carries them, in `lang` (the model is built in English, then localized). */
  const rowsIn = (t: TestDb, lang: 'en' | 'de') => localize({ reconciliation: reconcile(t.context(BLOCK)) }, lang).reconciliation;

  it('a Total over a later-id export: note and every candidate label in both languages, the id never grouped', () => {
    const t = new TestDb();
    addDump(t, 'signals', SIGNAL_COLUMNS, [{ id: '2101', timestamp: '2025-11-26 01:00:00+00' }]);
    signalsOn(t, '2025-11-26', 50);
    report(t, 'daily_check', '2025-11-27', null, { 'Signals Total': 2150 }, { text: '2025-11-27 09:00:00', zone: 'host local (CET/CEST, assumed)' });
    const [raw] = reconcile(t.context(BLOCK));
    expect(raw.note).toBe('the export starts at id 2101: the 2,100 earlier rows are counted by their ids');
    expect(raw.texts?.note).toEqual({ key: 'reconcile.note.ids_before', params: { first: '2101', n: 2100 } });
    expect(raw.candidates.map((c) => c.label)).toEqual(['every row up to generation']);
    const [de] = rowsIn(t, 'de');
    expect(de.note).toBe('der Export beginnt bei id 2101: die 2.100 früheren Zeilen werden über ihre ids gezählt');
    expect(de.candidates.map((c) => c.label)).toEqual(['alle Zeilen bis zur Erzeugung']);
    // The facts stay as they were: only the words change.
    expect({ ...de, note: raw.note, candidates: raw.candidates }).toEqual(raw);
  });

  it.each<[string, (t: TestDb) => void, number, string, string]>([
    [
      'a restart between two reports',
      (t) => addLogs(t, 'cdb_paper_runner', [['2025-11-27T09:00:00.000Z', 'PAPER TRADING RUNNER INITIALIZED']]),
      900,
      'fell from 18,340 (2025-11-27) to 900: the runner restarted in between',
      'gefallen von 18.340 (27.11.2025) auf 900: der Runner wurde dazwischen neu gestartet',
    ],
    [
      'a rise within one process',
      () => {},
      36000,
      'rose from 18,340 in the report of 2025-11-27',
      'gestiegen von 18.340 im Report vom 27.11.2025',
    ],
  ])('Events Logged note, %s', (_n, setup, second, en, de) => {
    const t = base();
    setup(t);
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { 'Events Logged': 18340, Uptime: '2 days, 0 hours' });
    report(t, 'paper_runner', '2025-11-28', gen('2025-11-28'), { 'Events Logged': second, Uptime: '3 days, 0 hours' });
    expect(reconcile(t.context(BLOCK))[1].note).toBe(en);
    expect(rowsIn(t, 'de')[1].note).toBe(de);
    // The rule's finding nests the row's note: the German sentence carries the German note.
    const f = spoken(rule.check(t.context(BLOCK)), 'de').findings!.find((x) => x.subject === 'paper_runner:events_logged')!;
    expect(f.message).toMatch(/^Paper Runner: Report vom 27\.11\.2025: Events Logged 18\.340 → konsistent \(zählt seit Prozessstart\)\. Report vom 28\.11\.2025: /);
    expect(f.message).toContain(`Report vom 28.11.2025: Events Logged ${second.toLocaleString('de-DE')} → `);
    expect(f.message).toContain(de);
  });

  it('a host check that failed: its error line is quoted as printed, only the tool’s own words are German', () => {
    const t = base();
    const host = { text: '2025-11-27 21:23:22', zone: 'host local (CET/CEST, assumed)', path: 'logs/systemcheck_20251127_212322.log' };
    report(t, 'systemcheck', '2025-11-27', null, { REDIS_HOST: 'MISSING', POSTGRES_PASSWORD: 'MISSING' }, { ...host, section: 'ENV-VARIABLEN CHECK' });
    report(t, 'systemcheck', '2025-11-27', null, { failure: 'PostgreSQL Error: fe_sendauth: no password supplied' }, { ...host, section: 'POSTGRESQL CONNECTION & SCHEMA' });
    expect(rowsIn(t, 'de')[0].note).toBe('PostgreSQL Error: fe_sendauth: no password supplied; 2 Variable(n) MISSING oder Not set in der Host-Shell, die ihn ausgeführt hat');
    const r = spoken(rule.check(t.context(BLOCK)), 'de');
    expect(r.hypotheses?.find((h) => h.cause === 'reporting.host_check_without_db_credentials')?.why).toBe(
      'systemcheck.py: PostgreSQL Error: fe_sendauth: no password supplied; 2 Variable(n) MISSING oder Not set in der Host-Shell, die ihn ausgeführt hat',
    );
  });

  it('a failure line alone is quoted as the report printed it, in every language', () => {
    const t = base();
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { failure: "'NoneType' object is not subscriptable" });
    const rows = reconcile(t.context(BLOCK));
    expect(rows[0]).toMatchObject({ note: "'NoneType' object is not subscriptable" });
    expect(rows[0].texts?.note).toEqual({ key: 'reconcile.note.failure', params: { failure: "'NoneType' object is not subscriptable" } });
    expect(rowsIn(t, 'de')[0].note).toBe("'NoneType' object is not subscriptable");
  });

  it('rows with keyed notes and labels are valid report.json rows', () => {
    const t = base();
    signalsOn(t, '2025-11-26', 45);
    signalsOn(t, '2025-11-27', 52);
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { 'Signals Today': 45, 'Events Logged': 100, Uptime: '1 days, 0 hours' });
    report(t, 'paper_runner', '2025-11-28', gen('2025-11-28'), { 'Signals Today': 52, 'Events Logged': 200, Uptime: '2 days, 0 hours' });
    const rows = rowsIn(t, 'de');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(() => ReconciliationSchema.parse(row)).not.toThrow();
    expect(rows.flatMap((r) => r.candidates).every((c) => c.texts?.label !== undefined)).toBe(true);
  });
});

describe('report-reconciliation speaks German where it composes', () => {
  it('the previous-day verdict: dates, window labels and the joined sentences in the report language', () => {
    const t = base();
    signalsOn(t, '2025-11-26', 45);
    signalsOn(t, '2025-11-27', 52);
    for (const [d, v] of [['2025-11-27', 45], ['2025-11-28', 52]] as const) report(t, 'paper_runner', d, gen(d), { 'Signals Today': v });
    const raw = rule.check(t.context(BLOCK));
    const en = spoken(raw).findings!.find((f) => f.subject === 'paper_runner:signals')!.message;
    expect(en).toBe(
      'paper runner: 2025-11-27: Signals 45 → window: it equals the previous UTC day 2025-11-26 (named_day_utc=0, previous_utc_day=45, day_elapsed=0, rolling_24h=45). ' +
        '2025-11-28: Signals 52 → window: it equals the previous UTC day 2025-11-27 (named_day_utc=0, previous_utc_day=52, day_elapsed=0, rolling_24h=52).',
    );
    const de = spoken(raw, 'de');
    expect(de.findings!.find((f) => f.subject === 'paper_runner:signals')!.message).toBe(
      'Paper Runner: 27.11.2025: Signals 45 → window, gezählt über: vorheriger UTC-Tag 26.11.2025 (named_day_utc=0, previous_utc_day=45, day_elapsed=0, rolling_24h=45). ' +
        '28.11.2025: Signals 52 → window, gezählt über: vorheriger UTC-Tag 27.11.2025 (named_day_utc=0, previous_utc_day=52, day_elapsed=0, rolling_24h=52).',
    );
    expect(de.hypotheses?.find((h) => h.cause === 'reporting.report_counts_previous_day')).toMatchObject({
      title: 'Der Daily-Report druckt den gerade begonnenen Tag, zählt aber den UTC-Tag davor',
      why: 'Signals 45 am 27.11.2025 entspricht: vorheriger UTC-Tag 26.11.2025; Signals 52 am 28.11.2025 entspricht: vorheriger UTC-Tag 27.11.2025',
    });
  });

  it('both writers’ twins: optional parts and counts with thousands in each language', () => {
    const t = base();
    tradesOn(t, '2025-11-26', 1200, 0);
    report(t, 'daily_check', '2025-11-27', null, { 'Trades Yesterday (2025-11-26)': 2400 }, { text: '2025-11-27 09:00:00', zone: 'host local (CET/CEST, assumed)' });
    const raw = rule.check(t.context(BLOCK));
    const msg = (lang: 'en' | 'de') => spoken(raw, lang).findings!.find((f) => f.subject === 'daily_check:trades')!.message;
    expect(msg('en')).toMatch(/^daily_check\.py: 2025-11-26: Trades 2,400 → matches the UTC day 2025-11-26, counting both writers’ rows \(the DB holds both writers’ twins\) \(named_day_utc=2,400\/1,200, /);
    expect(msg('de')).toMatch(/^daily_check\.py: 26\.11\.2025: Trades 2\.400 → stimmt überein, gezählt über: UTC-Tag 26\.11\.2025, mit den Zeilen beider Writer \(die DB enthält die Zwillinge beider Writer\) \(named_day_utc=2\.400\/1\.200, /);
    expect(spoken(raw, 'de').hypotheses?.find((h) => h.cause === 'reporting.two_writer_duplicates')?.why).toBe('Trades 2.400: 1.200, wenn Zwillinge einmal gezählt werden');
  });

  it('Events Logged 0: the dates as a list and the optional tail in German', () => {
    const t = base();
    report(t, 'paper_runner', '2025-11-27', gen('2025-11-27'), { 'Events Logged': 0 });
    report(t, 'paper_runner', '2025-11-28', gen('2025-11-28'), { 'Events Logged': 0 });
    const raw = rule.check(t.context(BLOCK));
    expect(spoken(raw).findings!.find((f) => f.subject === 'events-logged-zero')!.message).toBe(
      "Events Logged 0 in the reports of 2025-11-27, 2025-11-28: no message reached the runner's event log since its start (dead feed, stub ws, Redis auth failure or a fresh restart).",
    );
    expect(spoken(raw, 'de').findings!.find((f) => f.subject === 'events-logged-zero')!.message).toBe(
      'Events Logged 0 in den Reports vom 27.11.2025, 28.11.2025: seit seinem Start hat keine Nachricht das Event-Log des Runners erreicht (toter Feed, Stub-WS, Redis-Auth-Fehler oder ein frischer Neustart).',
    );
  });
});
