import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addLogs, addRows, times, type LogSpec } from '../shared/testing.js';
import rule, { missingField } from './signal-errors.js';

const START = '2025-11-26T06:00:00.000Z';

function build(opts: { errors?: number; stepMs?: number; detail?: string; signals?: number; extra?: LogSpec[]; ticks?: number; riskJson?: boolean }): TestDb {
  const t = new TestDb();
  addLogs(t, 'cdb_core', [['2025-11-26T00:00:01.000Z', 'Config validiert ✓']]);
  if (opts.errors) {
    addLogs(
      t,
      'cdb_core',
      times(START, opts.errors, opts.stepMs ?? 60_000).map((ts) => [ts, `Fehler bei Market-Data-Verarbeitung: ${opts.detail ?? "'pct_change'"}`, 'ERROR']),
    );
  }
  if (opts.signals) {
    addLogs(
      t,
      'cdb_core',
      times('2025-11-26T07:00:00.000Z', opts.signals, 600_000).map((ts) => [ts, '✨ Signal generiert: BTC_USDT BUY @ $50000.00 (+3.45%, Confidence: 0.35)']),
    );
  }
  if (opts.ticks) {
    addRows(
      t,
      'market_data',
      times(START, opts.ticks, opts.stepMs ?? 60_000).map((ts) => ({ ts, symbol: 'BTCUSDT', price: 95000, pct_change: null, source: 'redis', in_block: 1 })),
    );
  }
  if (opts.extra) addLogs(t, 'cdb_core', opts.extra);
  if (opts.riskJson) addLogs(t, 'cdb_risk', [[START, 'Ungültiges JSON im order_results Topic: Expecting value', 'ERROR']]);
  return t;
}

describe('signal-errors', () => {
  it.each<[string, Parameters<typeof build>[0], string, string]>([
    ["'pct_change' at one per minute for 10 h, no signals", { errors: 600 }, 'fail', 'market-data-processing:pct_change'],
    ['one error per tick (ticks known), no signals', { errors: 200, ticks: 200, stepMs: 30_000 }, 'fail', 'market-data-processing:pct_change'],
    ['errors at tick rate but signals still come', { errors: 600, signals: 5 }, 'warn', 'market-data-processing:pct_change'],
    ['a handful of errors', { errors: 3 }, 'warn', 'market-data-processing:pct_change'],
    ['a non-KeyError exception', { errors: 600, detail: "could not convert string to float: 'abc'" }, 'fail', 'market-data-processing'],
    ['publishing errors', { extra: [[START, 'Fehler beim Signal-Publishing: Error 111 connecting to cdb_redis:6379. Connection refused.', 'ERROR']] }, 'warn', 'signal-publishing'],
    ['mojibake invalid JSON', { extra: [[START, 'UngÃ¼ltiges JSON: Expecting value: line 1 column 1 (char 0)', 'ERROR']] }, 'warn', 'invalid-json'],
  ])('MUST fire: %s', (_n, opts, status, subject) => {
    const r = rule.check(build(opts).context());
    expect(r.status).toBe(status);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
  });

  it.each<[string, Parameters<typeof build>[0]]>([
    ['clean signal-engine log', { signals: 3 }],
    ["the risk manager's own JSON error is not a signal-engine error", { riskJson: true }],
  ])('MUST NOT fire: %s', (_n, opts) => {
    const r = rule.check(build(opts).context());
    expect(r.status).toBe('ok');
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('is not evaluable without signal-engine logs', () => {
    const t = new TestDb();
    addLogs(t, 'cdb_risk', [[START, '📨 Signal empfangen: BTC_USDT BUY']]);
    const r = spoken(rule.check(t.context()));
    expect(r.status).toBe('not_evaluable');
    expect(r.missing).toMatch(/signal-engine logs/);
  });

  it('names the missing field and the cause', () => {
    const r = rule.check(build({ errors: 600 }).context());
    expect(r.metrics?.market_data_error_missing_field).toBe('pct_change');
    const h = r.hypotheses!.find((x) => x.cause === 'signal.payload_missing_field')!;
    expect(h.likelihood).toBe('very_likely');
    expect(h.evidence[0].text).toContain("Fehler bei Market-Data-Verarbeitung: 'pct_change'");
    expect(r.todos?.some((t) => t.cause === 'signal.payload_missing_field')).toBe(true);
    expect(r.verification?.[0]).toMatchObject({ kind: 'log', check: 'Fehler bei Market-Data-Verarbeitung', expect: { op: '==', value: 0 } });
  });

  it.each([
    [
      'en',
      "Every market-data message fails with a missing field 'pct_change': 200 × `Fehler bei Market-Data-Verarbeitung: 'pct_change'` over 1.7 h (121/h), 0 signals meanwhile.",
      "The engine raises a KeyError for 'pct_change' once per message, so no tick reaches the signal logic. Era-B/C ticks carry no pct_change (the price buffer computes it); an era-A consumer fed B-style ticks fails like this. 200 of 200 captured ticks in the span have no pct_change.",
    ],
    [
      'de',
      "Jede Market-Data-Nachricht scheitert an einem fehlenden Feld 'pct_change': 200 × `Fehler bei Market-Data-Verarbeitung: 'pct_change'` über 1,7 Std. (121/Std.), währenddessen 0 Signale.",
      "Die Engine wirft pro Nachricht einen KeyError für 'pct_change', daher erreicht kein Tick die Signal-Logik. Ticks der Ära B/C tragen kein pct_change (der Preispuffer berechnet es); ein Consumer der Ära A, der Ticks im B-Format bekommt, scheitert genau so. 200 von 200 mitgeschnittenen Ticks in der Spanne haben kein pct_change.",
    ],
  ] as const)('in %s the finding quotes the engine line untranslated, and the why counts the captured ticks without the field', (lang, finding, why) => {
    const r = spoken(rule.check(build({ errors: 200, ticks: 200, stepMs: 30_000 }).context()), lang);
    expect(r.findings!.find((f) => f.subject === 'market-data-processing:pct_change')!.message).toBe(finding);
    expect(r.hypotheses!.find((h) => h.cause === 'signal.payload_missing_field')!.why).toBe(why);
  });

  it.each([
    ['en', "600 × `Fehler bei Market-Data-Verarbeitung: could not convert string to float: 'abc'` over 10 h (60/h), 0 signals meanwhile.", "Most frequent error text: could not convert string to float: 'abc'."],
    ['de', "600 × `Fehler bei Market-Data-Verarbeitung: could not convert string to float: 'abc'` über 10 Std. (60/Std.), währenddessen 0 Signale.", "Häufigster Fehlertext: could not convert string to float: 'abc'."],
  ] as const)('in %s an exception that names no field is quoted as logged', (lang, finding, why) => {
    const r = spoken(rule.check(build({ errors: 600, detail: "could not convert string to float: 'abc'" }).context()), lang);
    expect(r.findings!.find((f) => f.subject === 'market-data-processing')!.message).toBe(finding);
    expect(r.hypotheses!.find((h) => h.cause === 'signal.processing_exception')!.why).toBe(why);
  });

  it.each<[number, number, string]>([
    [600, 60_000, 'very_likely'],
    [20, 60_000, 'likely'],
    [3, 60_000, 'possible'],
  ])('likelihood follows the evidence: %i errors', (n, step, likelihood) => {
    const r = rule.check(build({ errors: n, stepMs: step }).context());
    expect(r.hypotheses!.find((x) => x.cause === 'signal.payload_missing_field')!.likelihood).toBe(likelihood);
  });

  it.each([
    ["'pct_change'", 'pct_change'],
    ["KeyError: 'volume'", 'volume'],
    ['Expecting value', null],
    ["'NoneType' object is not subscriptable", null],
  ])('missingField(%j) = %j', (detail, field) => {
    expect(missingField(detail)).toBe(field);
  });
});
