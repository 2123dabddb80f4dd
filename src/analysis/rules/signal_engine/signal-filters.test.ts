import { describe, expect, it } from 'vitest';
import type { Block } from '../../define-rule.js';
import { TestDb } from '../../testing.js';
import { addLogs, addRows, addSettings, times } from '../shared/testing.js';
import rule from './signal-filters.js';

interface S {
  settings?: { key: string; value: string; source?: string }[];
  ticks?: number;
  volume?: number | null;
  pct?: ((i: number) => number | null) | null;
  price?: (i: number) => number;
  signals?: number;
  confidenceLines?: number;
  missingAlerts?: number;
  era?: string;
}

function run(s: S) {
  const t = new TestDb();
  if (s.settings) addSettings(t, s.settings);
  if (s.ticks) {
    addRows(
      t,
      'market_data',
      times('2025-11-26T00:00:00.000Z', s.ticks, 60_000).map((ts, i) => ({
        ts,
        symbol: 'BTCUSDT',
        price: s.price ? s.price(i) : 91000,
        volume: s.volume === undefined ? 0 : s.volume,
        pct_change: s.pct === null ? null : s.pct ? s.pct(i) : 0.2,
        source: 'redis',
        in_block: 1,
      })),
      'redis/market_data.txt',
    );
  }
  if (s.signals) {
    addRows(t, 'signals', times('2025-11-26T05:00:00.000Z', s.signals, 60_000).map((ts) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', source: 'db', in_block: 1 })));
  }
  if (s.confidenceLines) {
    addLogs(t, 'cdb_core', times('2025-11-26T01:00:00.000Z', s.confidenceLines, 60_000).map((ts) => [ts, 'Signal below confidence threshold (0.55 < 0.60)']));
  }
  if (s.missingAlerts) {
    addLogs(
      t,
      'cdb_risk',
      times('2025-11-26T01:00:00.000Z', s.missingAlerts, 60_000).map((ts) => [ts, 'Alert: [CRITICAL] MISSING_STRATEGY_ID: Signal ohne strategy_id abgelehnt', 'WARNING']),
    );
  }
  const block: Partial<Block> = { era: s.era ?? 'A' };
  return rule.check(t.context(block));
}

const volSetting = (v: string, source = 'env') => ({ key: 'SIGNAL_MIN_VOLUME', value: v, source });
const thrSetting = (v: string, source = 'env') => ({ key: 'SIGNAL_THRESHOLD_PCT', value: v, source });

describe('signal-filters', () => {
  it.each<[string, S, string, string, string]>([
    ['volume minimum vs volume always 0', { settings: [volSetting('100000'), thrSetting('0.1')], ticks: 200 }, 'volume-minimum', 'signal.filter_volume_zero', 'very_likely'],
    ['volume minimum from the code default', { settings: [thrSetting('0.1')], ticks: 200 }, 'volume-minimum', 'signal.filter_volume_zero', 'likely'],
    ['volume field absent (B ticks), startup banner', { settings: [volSetting('100000.0', 'startup'), thrSetting('0.005')], ticks: 200, volume: null, era: 'B' }, 'volume-minimum', 'signal.filter_volume_zero', 'very_likely'],
    ['threshold above every pct_change', { settings: [volSetting('0'), thrSetting('3.0')], ticks: 200, pct: (i) => (i % 50) / 100 }, 'threshold', 'signal.threshold_too_high', 'very_likely'],
    ['threshold printed at startup as percent', { settings: [volSetting('0'), thrSetting('3.0%', 'startup')], ticks: 200 }, 'threshold', 'signal.threshold_too_high', 'very_likely'],
    [
      'B ticks: tick-to-tick changes vs a 3 % threshold (approximation)',
      { settings: [volSetting('0'), thrSetting('3.0')], ticks: 200, pct: null, price: (i) => 95000 + (i % 7), era: 'B' },
      'threshold',
      'signal.threshold_too_high',
      'possible',
    ],
    ['runbook confidence lines', { settings: [volSetting('0'), thrSetting('0.1'), { key: 'MIN_CONFIDENCE', value: '0.60' }], confidenceLines: 20 }, 'confidence-threshold', 'signal.confidence_threshold', 'unlikely'],
    [
      'empty SIGNAL_STRATEGY_ID and MISSING_STRATEGY_ID alerts',
      { settings: [{ key: 'SIGNAL_STRATEGY_ID', value: '' }], missingAlerts: 20, era: 'B' },
      'strategy-id',
      'signal.missing_strategy_id',
      'very_likely',
    ],
    ['alerts without the setting captured', { settings: [volSetting('0')], missingAlerts: 20, era: 'B' }, 'strategy-id', 'signal.missing_strategy_id', 'likely'],
  ])('MUST fire: %s', (_n, s, subject, cause, likelihood) => {
    const r = run(s);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
    expect(r.hypotheses?.find((h) => h.cause === cause)?.likelihood).toBe(likelihood);
    expect(r.status).not.toBe('fail');
  });

  it.each<[string, S, string]>([
    ['volume minimum 0', { settings: [volSetting('0'), thrSetting('0.1')], ticks: 200 }, 'ok'],
    ['some ticks reach the threshold', { settings: [volSetting('0'), thrSetting('2.0')], ticks: 200, pct: (i) => (i % 100) / 20 }, 'ok'],
    ['signals exist despite the volume setting (no cause claimed)', { settings: [volSetting('100000'), thrSetting('0.1')], ticks: 200, signals: 5 }, 'ok'],
    ['era B .env without SIGNAL_MIN_VOLUME: no default assumed', { settings: [{ key: 'STACK_NAME', value: 'cdb' }], ticks: 200, volume: null, era: 'B' }, 'ok'],
    ['era A with an empty SIGNAL_STRATEGY_ID (not read in A)', { settings: [{ key: 'SIGNAL_STRATEGY_ID', value: '' }, volSetting('0')] }, 'ok'],
  ])('MUST NOT fire: %s', (_n, s, status) => {
    const r = run(s);
    expect(r.status).toBe(status);
    expect((r.hypotheses ?? []).filter((h) => h.likelihood !== 'unlikely')).toHaveLength(0);
  });

  it('is not evaluable without settings, data or filter lines', () => {
    expect(run({}).status).toBe('not_evaluable');
  });

  it('the volume hypothesis weakens when the setting is less certain and disappears without ticks', () => {
    const strong = run({ settings: [volSetting('100000', 'startup'), thrSetting('0.1')], ticks: 200, era: 'B' });
    const envOnlyB = run({ settings: [volSetting('100000', 'env'), thrSetting('0.1')], ticks: 200, era: 'B' });
    const few = run({ settings: [volSetting('100000'), thrSetting('0.1')], ticks: 5 });
    const none = run({ settings: [volSetting('100000'), thrSetting('0.1')] });
    const l = (r: ReturnType<typeof run>) => r.hypotheses?.find((h) => h.cause === 'signal.filter_volume_zero')?.likelihood;
    expect(l(strong)).toBe('very_likely');
    expect(l(envOnlyB)).toBe('likely');
    expect(l(few)).toBe('possible');
    expect(l(none)).toBeUndefined();
  });

  it('never suggests editing MIN_CONFIDENCE', () => {
    const r = run({ settings: [volSetting('100000'), thrSetting('3.0'), { key: 'MIN_CONFIDENCE', value: '0.60' }], ticks: 200, confidenceLines: 5 });
    for (const todo of r.todos ?? []) expect(`${todo.title} ${todo.where}`).not.toMatch(/MIN_CONFIDENCE/);
    expect(r.findings?.find((f) => f.subject === 'confidence-threshold')?.message).toMatch(/read by no service/);
  });

  it('counts how many ticks would pass the threshold', () => {
    const r = run({ settings: [volSetting('0'), thrSetting('2.0')], ticks: 200, pct: (i) => (i % 100) / 20 });
    expect(r.metrics).toMatchObject({ ticks_with_pct_change: 200, ticks_passing_threshold: 120, signal_threshold_pct: 2 });
  });
});
