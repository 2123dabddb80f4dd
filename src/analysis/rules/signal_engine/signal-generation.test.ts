import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addDump, addLogs, addRows, times } from '../shared/testing.js';
import rule from './signal-generation.js';

const HOUR = 3_600_000;

interface Scenario {
  /** market_data rows: [start, count, step ms] */
  md?: [string, number, number];
  /** signal engine alive from .. to (two health polls + a startup line) */
  signalLogs?: [string, string];
  signalDump?: boolean;
  signals?: number;
  mdErrors?: number;
}

function build(s: Scenario): TestDb {
  const t = new TestDb();
  if (s.md) {
    addRows(
      t,
      'market_data',
      times(s.md[0], s.md[1], s.md[2]).map((ts) => ({ ts, symbol: 'BTCUSDT', price: 91000, volume: 0, pct_change: 0.4, source: 'redis', in_block: 1 })),
      'redis/market_data.txt',
    );
  }
  if (s.signalLogs) {
    addLogs(t, 'cdb_core', [[s.signalLogs[0], '🚀 Signal-Engine gestartet']]);
    addLogs(t, 'cdb_core', [[s.signalLogs[1], '127.0.0.1 - - "GET /health HTTP/1.1" 200 -']], { kind: 'health_poll', logger: 'werkzeug' });
  }
  if (s.signalDump) addDump(t, 'signals', ['id', 'symbol', 'signal_type', 'price', 'timestamp']);
  if (s.signals) {
    addRows(
      t,
      'signals',
      times('2025-11-26T01:00:00.000Z', s.signals, Math.floor((70 * HOUR) / s.signals)).map((ts) => ({
        ts,
        symbol: 'BTCUSDT',
        side: 'BUY',
        price: 91000,
        source: 'db',
        in_block: 1,
      })),
      'dump/signals.sql',
    );
  }
  if (s.mdErrors) {
    addLogs(
      t,
      'cdb_core',
      times('2025-11-26T00:10:00.000Z', s.mdErrors, 60_000).map((ts) => [ts, "Fehler bei Market-Data-Verarbeitung: 'pct_change'", 'ERROR']),
    );
  }
  return t;
}

const BLOCK_MD: [string, number, number] = ['2025-11-26T00:00:00.000Z', 300, 14 * 60_000];

describe('signal-generation', () => {
  it.each<[string, Scenario, string, string | null]>([
    ['md flows, signal logs cover the block, 0 signals', { md: BLOCK_MD, signalLogs: ['2025-11-26T00:00:05.000Z', '2025-11-28T23:50:00.000Z'] }, 'fail', 'no-signals'],
    ['md flows, empty signals dump, 0 signals', { md: BLOCK_MD, signalDump: true }, 'fail', 'no-signals'],
    ['per-tick errors prove consumption, 0 signals', { mdErrors: 600, signalLogs: ['2025-11-26T00:00:05.000Z', '2025-11-28T23:50:00.000Z'] }, 'fail', 'no-signals'],
    ['md only for 30 minutes', { md: ['2025-11-27T10:00:00.000Z', 30, 60_000], signalLogs: ['2025-11-26T00:00:05.000Z', '2025-11-28T23:50:00.000Z'] }, 'warn', 'no-signals'],
    ['no market data at all', { signalLogs: ['2025-11-26T00:00:05.000Z', '2025-11-28T23:50:00.000Z'] }, 'warn', 'no-input'],
    ['signals below target', { md: BLOCK_MD, signalDump: true, signals: 12 }, 'warn', 'below-target'],
  ])('MUST fire: %s', (_name, s, status, subject) => {
    const r = rule.check(build(s).context());
    expect(r.status).toBe(status);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
  });

  it.each<[string, Scenario, string]>([
    ['healthy block', { md: BLOCK_MD, signalDump: true, signals: 150 }, 'ok'],
    ['no signal evidence at all', { md: BLOCK_MD }, 'not_evaluable'],
  ])('MUST NOT fire: %s', (_name, s, status) => {
    const r = rule.check(build(s).context());
    expect(r.status).toBe(status);
    expect(r.findings?.some((f) => f.severity === 'critical') ?? false).toBe(false);
  });

  it.each<[string, number, string, string, number | null]>([
    ['more risk decisions than signals: the signal source is short, nothing graded low', 150, 'ok', 'signals-bounded', 150],
    ['fewer risk decisions than signals: the low count stands', 5, 'warn', 'below-target', null],
  ])('stage floor: %s', (_name, decisions, status, subject, atLeast) => {
    const t = build({ md: BLOCK_MD, signalDump: true, signals: 12 });
    addRows(t, 'risk_decisions', times('2025-11-26T01:00:00.000Z', decisions, 20 * 60_000).map((ts) => ({ ts, decision: 'approved', source: 'log', in_block: 1 })), 'logs/risk.txt');
    const r = spoken(rule.check(t.context()));
    expect(r.status).toBe(status);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
    expect(r.metrics?.signals_at_least ?? null).toBe(atLeast);
    if (atLeast) expect(r.findings!.find((f) => f.subject === subject)!.message).toMatch(/^12 signals in the signal source, but risk decided 150 in the block: at least 150 signals/);
  });

  it('metrics count signals and ticks', () => {
    const r = rule.check(build({ md: BLOCK_MD, signalDump: true, signals: 150 }).context());
    expect(r.metrics).toMatchObject({ market_data_events: 300, signals_total: 150, signals_per_day: 50 });
  });

  // The conversion rate divides signals by ticks over the window the market data covers, never a
  // whole block's signals by a short capture's ticks (which read 198 % on a one-minute capture).
  it.each<[string, [string, number, number], number, RegExp]>([
    ['market data over 70 h: the 148 signals inside it', BLOCK_MD, 49.3333, /^148 signals per 300 market-data events over the window/],
    ['a one-minute capture: only its minute, marked as a sample', ['2025-11-26T01:00:00.000Z', 60, 1000], 1.6667, /^sample: 1 signal per 60 market-data events over the 1 min the market data covers$/],
  ])('conversion rate: %s', (_n, md, pct, note) => {
    const r = spoken(rule.check(build({ md, signalDump: true, signals: 150 }).context()));
    expect(r.metrics?.conversion_rate_pct).toBe(pct);
    expect(r.metricNotes?.conversion_rate_pct).toMatch(note);
    expect(r.metricNotes?.market_data_events).toMatch(/^source: market_data/);
  });

  it.each([
    [
      'en',
      'Market data flows (300 ticks) but no signal was generated in 69.8 h where both are covered.',
      '12 signals (4 per day, 0.17 per hour) are below the targets (100 per block, 30 per day).',
      'sample: 1 signal per 60 market-data events over the 1 min the market data covers',
    ],
    [
      'de',
      'Marktdaten fließen (300 Ticks), aber in 69,8 Std., in denen beides abgedeckt ist, wurde kein Signal erzeugt.',
      '12 Signale (4 pro Tag, 0,17 pro Stunde) liegen unter den Zielen (100 pro Block, 30 pro Tag).',
      'Stichprobe: 1 Signal pro 60 Market-Data-Events über die 1 Min., die die Marktdaten abdecken',
    ],
  ] as const)('in %s: a stopped flow, a low count and a sampled conversion rate', (lang, stopped, low, note) => {
    expect(spoken(rule.check(build({ md: BLOCK_MD, signalDump: true }).context()), lang).findings!.find((f) => f.subject === 'no-signals')!.message).toBe(stopped);
    expect(spoken(rule.check(build({ md: BLOCK_MD, signalDump: true, signals: 12 }).context()), lang).findings!.find((f) => f.subject === 'below-target')!.message).toBe(low);
    const sampled = spoken(rule.check(build({ md: ['2025-11-26T01:00:00.000Z', 60, 1000], signalDump: true, signals: 150 }).context()), lang);
    expect(sampled.metricNotes!.conversion_rate_pct).toBe(note);
  });

  it('the filter hypothesis needs a stopped flow without processing errors', () => {
    const silent = rule.check(build({ md: BLOCK_MD, signalDump: true }).context());
    expect(silent.hypotheses?.map((h) => h.cause)).toEqual(['signal.filter_drops_all']);
    // with per-tick errors the cause is the exception (signal-errors), not a filter
    const errors = rule.check(build({ md: BLOCK_MD, signalDump: true, mdErrors: 50 }).context());
    expect(errors.status).toBe('fail');
    expect(errors.hypotheses ?? []).toHaveLength(0);
    // without the evidence that signals were covered, nothing is claimed
    const uncovered = rule.check(build({ md: BLOCK_MD }).context());
    expect(uncovered.hypotheses ?? []).toHaveLength(0);
  });

  it('points at the market data and at the live signal engine', () => {
    const r = rule.check(build({ md: BLOCK_MD, signalLogs: ['2025-11-26T00:00:05.000Z', '2025-11-28T23:50:00.000Z'] }).context());
    const files = r.findings![0].evidence.map((e) => e.file);
    expect(files).toContain('redis/market_data.txt');
    expect(files).toContain('logs/cdb_core.log');
  });
});
