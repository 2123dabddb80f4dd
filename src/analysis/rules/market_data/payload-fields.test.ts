import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addLogs, addMarket, addSetting, addSignal, at } from '../../rule-testing.js';
import rule from './payload-fields.js';

type Setup = (t: TestDb) => void;

const B_TICK = (ts: string) =>
  JSON.stringify({ schema_version: 'v1.0', source: 'mexc', symbol: 'BTCUSDT', ts_ms: Date.parse(ts), price: '95639.26', trade_qty: '0.0031', side: 'buy' });

function bTicks(t: TestDb, n: number): void {
  for (let i = 0; i < n; i++) {
    const ts = at(100 + i);
    addMarket(t, { ts, symbol: 'BTCUSDT', volume: null, pct_change: null, payload: B_TICK(ts) });
  }
}

function aTicks(t: TestDb, n: number, volume: number | null = 1_250_000): void {
  for (let i = 0; i < n; i++) addMarket(t, { ts: at(100 + i), volume });
}

describe('payload-fields', () => {
  const fires: [string, Setup, string, string, string][] = [
    [
      "B ticks into the era-A engine: KeyError 'pct_change' on every tick, no signals",
      (t) => {
        bTicks(t, 50);
        addLogs(t, { service: 'cdb_core', level: 'ERROR', message: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" }, 100, 149, 1);
      },
      'consumer.pct_change',
      'critical',
      'fail',
    ],
    [
      'volume always 0 with SIGNAL_MIN_VOLUME=100000 and no signals',
      (t) => {
        aTicks(t, 50, 0);
        addSetting(t, 'SIGNAL_MIN_VOLUME', '100000');
      },
      'volume',
      'critical',
      'fail',
    ],
    [
      'KeyErrors while some signals still come through',
      (t) => {
        aTicks(t, 50);
        addLogs(t, { service: 'cdb_core', level: 'ERROR', message: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" }, 100, 119, 1);
        addSignal(t, at(200));
      },
      'consumer.pct_change',
      'high',
      'warn',
    ],
    ['volume always 0 while the minimum is 0 (era A before the fix)', (t) => { aTicks(t, 50, 0); addSetting(t, 'SIGNAL_MIN_VOLUME', '0'); }, 'volume', 'info', 'ok'],
  ];
  it('era B ticks carry no volume by design: the engine\'s minimum is the fault, not the feed (signal-filters owns it)', () => {
    const t = new TestDb();
    bTicks(t, 50);
    addSetting(t, 'SIGNAL_MIN_VOLUME', '100000.0', 'cdb_signal', 'startup');
    const r = spoken(rule.check(t.context({ era: 'B' })));
    expect(r.status).not.toBe('fail');
    expect(r.findings!.find((f) => f.subject === 'volume')).toMatchObject({ severity: 'medium' });
    expect(r.findings!.find((f) => f.subject === 'volume')!.message).toMatch(/no volume by design/);
    expect(r.hypotheses ?? []).toEqual([]);
    expect((r.todos ?? []).filter((x) => /SIGNAL_MIN_VOLUME/.test(x.title))).toEqual([]);
  });
  it.each(fires)('fires: %s', (_n, setup, subject, severity, status) => {
    const t = new TestDb();
    setup(t);
    const r = t.run(rule);
    expect(r.findings!.find((f) => f.subject === subject)!.severity).toBe(severity);
    expect(r.status).toBe(status);
  });

  it('the startup echo of the signal engine beats the .env value', () => {
    const t = new TestDb();
    aTicks(t, 50, 0);
    addSetting(t, 'SIGNAL_MIN_VOLUME', '100000');
    addSetting(t, 'SIGNAL_MIN_VOLUME', '0', 'cdb_core', 'startup');
    const r = t.run(rule);
    expect(r.status).toBe('ok');
    expect(r.hypotheses).toEqual([]);
  });

  it('the volume to-do edits SIGNAL_MIN_VOLUME, the variable the signal engine reads', () => {
    const t = new TestDb();
    aTicks(t, 50, 0);
    addSetting(t, 'SIGNAL_MIN_VOLUME', '100000');
    expect(t.run(rule).todos!.map((x) => x.where)).toContain('.env SIGNAL_MIN_VOLUME');
  });

  it('KeyError likelihood drops when the B-style ticks are not in evidence', () => {
    const lk = (withTicks: boolean) => {
      const t = new TestDb();
      if (withTicks) bTicks(t, 50);
      addLogs(t, { service: 'cdb_core', level: 'ERROR', message: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" }, 100, 149, 1);
      return t.run(rule).hypotheses!.find((h) => h.cause === 'market_data.payload_missing_pct_change')!.likelihood;
    };
    const order = ['very_likely', 'likely', 'possible', 'unlikely'];
    expect(lk(true)).toBe('very_likely');
    expect(order.indexOf(lk(false))).toBeGreaterThan(order.indexOf(lk(true)));
  });

  const quiet: [string, Setup][] = [
    ['healthy A ticks with volume and pct_change', (t) => aTicks(t, 50)],
    ['B ticks without pct_change in era B (the engine computes it)', (t) => bTicks(t, 50)],
  ];
  it.each(quiet)('does not fire: %s', (_n, setup) => {
    const t = new TestDb();
    setup(t);
    const r = t.run(rule, { era: 'B' });
    expect(r.status).toBe('ok');
    expect((r.findings ?? []).filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.hypotheses).toEqual([]);
  });

  it.each([
    ['no signals in the block: a medium finding', false, 'medium'],
    ['signals flowed (runbook payloads carry no pct_change): information only', true, 'info'],
  ])('era A, pct_change missing, %s', (_n, withSignals, severity) => {
    const t = new TestDb();
    aTicks(t, 50);
    t.db.prepare('UPDATE market_data SET pct_change = NULL').run();
    if (withSignals) addSignal(t, at(200));
    const r = t.run(rule, { era: 'A' });
    expect(r.findings?.find((f) => f.subject === 'pct_change')?.severity).toBe(severity);
  });

  it.each([
    [
      'en',
      "The signal engine failed 50 times on market data without 'pct_change' (KeyError per message) and generated no signal in the block: every tick is dropped",
      "B-style ticks (no pct_change) reach an A-style signal engine that needs 'pct_change': every message fails",
    ],
    [
      'de',
      "Die Signal Engine ist 50 Mal an Marktdaten ohne 'pct_change' gescheitert (KeyError pro Nachricht) und hat im Block kein Signal erzeugt: jeder Tick wird verworfen",
      "Ticks im B-Format (ohne pct_change) erreichen eine Signal Engine im A-Format, die 'pct_change' braucht: jede Nachricht scheitert",
    ],
  ] as const)('the KeyError finding and its cause in %s name the field and the stopped flow', (lang, finding, title) => {
    const t = new TestDb();
    bTicks(t, 50);
    addLogs(t, { service: 'cdb_core', level: 'ERROR', message: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" }, 100, 149, 1);
    const r = spoken(t.run(rule, { era: 'A' }), lang);
    expect(r.findings!.find((f) => f.subject === 'consumer.pct_change')!.message).toBe(finding);
    expect(r.hypotheses!.find((h) => h.cause === 'market_data.payload_missing_pct_change')!.title).toBe(title);
  });

  // Ticks only in a capture taken after the block: every sentence says it is the state at collection.
  it.each([
    ['en', /^.+: volume is 0 in 100 % of 20 market data events captured after the block, while the signal engine requires a volume of at least 100000 \(SIGNAL_MIN_VOLUME\): its volume filter drops every tick$/],
    ['de', /^.+: volume ist 0 in 100 % von 20 Market-Data-Events, mitgeschnitten nach dem Block, während die Signal Engine ein Volumen von mindestens 100000 verlangt \(SIGNAL_MIN_VOLUME\): ihr Volumenfilter verwirft jeden Tick$/],
  ] as const)('a capture after the block, in %s: the volume finding is marked as captured after it', (lang, want) => {
    const t = new TestDb();
    for (let i = 0; i < 20; i++) addMarket(t, { ts: at(i, '2025-11-29T10:00:00.000Z'), volume: 0 });
    addSetting(t, 'SIGNAL_MIN_VOLUME', '100000');
    const r = spoken(t.run(rule), lang);
    expect(r.metrics!.payload_scope).toBe('at_collection');
    expect(r.findings!.find((f) => f.subject === 'volume')!.message).toMatch(want);
  });

  it('not evaluable without payloads or processing errors', () => expect(new TestDb().run(rule).status).toBe('not_evaluable'));
});
