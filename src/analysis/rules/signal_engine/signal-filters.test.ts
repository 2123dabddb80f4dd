import { describe, expect, it } from 'vitest';
import type { Block } from '../../define-rule.js';
import { spoken, TestDb } from '../../testing.js';
import type { Lang } from '../../../i18n/lang.js';
import { addLogs, addRows, addSettings, times } from '../shared/testing.js';
import rule, { pctValues } from './signal-filters.js';

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
  /** DEBUG lines of the engine: `Volume zu niedrig` drops and price-buffer changes. */
  volumeDrops?: number;
  bufferLines?: number;
}

function run(s: S, lang: Lang = 'en') {
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
  if (s.volumeDrops) {
    addLogs(t, 'cdb_signal', times('2025-11-26T00:00:30.000Z', s.volumeDrops, 120_000).map((ts) => [ts, 'BTCUSDT: Volume zu niedrig (0.0)', 'DEBUG']));
  }
  if (s.bufferLines) {
    addLogs(
      t,
      'cdb_signal',
      times('2025-11-26T00:00:20.000Z', s.bufferLines, 60_000).map((ts) => [ts, 'BTCUSDT: pct_change calculated from price buffer (@ $96800.00 → +0.0120%)', 'DEBUG']),
      { path: 'logs/cdb_signal_debug.log' },
    );
  }
  const block: Partial<Block> = { era: s.era ?? 'A' };
  return spoken(rule.check(t.context(block)), lang);
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

  // DEBUG lines of a filter dropping input are direct evidence (issue 11 item 5); without them the
  // setting against the data is a weaker inference that DEBUG logging would confirm.
  const bTicks = { ticks: 200, volume: null, pct: null, price: (i: number) => 96800 + (i % 9) * 7, era: 'B' } as const;
  it.each<[string, S, string | undefined, string, RegExp | null]>([
    ['B: DEBUG drops, banner default 100000', { ...bTicks, settings: [volSetting('100000.0', 'startup'), thrSetting('0.005%', 'startup')], volumeDrops: 90 }, 'very_likely', 'fail', /Volume zu niedrig/],
    ['B: DEBUG drops, no setting captured at all', { ...bTicks, settings: [], volumeDrops: 90 }, 'very_likely', 'fail', /Volume zu niedrig/],
    ['B: same block, no DEBUG lines: only the setting against the data', { ...bTicks, settings: [volSetting('100000.0', 'startup'), thrSetting('0.005%', 'startup')] }, 'possible', 'warn', /DEBUG logging would confirm it/],
    ['B: DEBUG on (price buffer) and not one drop: not the volume filter', { ...bTicks, settings: [volSetting('100000.0', 'startup'), thrSetting('0.005%', 'startup')], bufferLines: 200 }, 'unlikely', 'warn', /printed no `Volume zu niedrig`/],
    ['A: payload changes pass the threshold, no DEBUG possible', { settings: [volSetting('100000'), thrSetting('0.1')], ticks: 200 }, 'very_likely', 'warn', /DEBUG lines would confirm it/],
  ])('volume filter, %s', (_n, s, likelihood, status, text) => {
    const r = run(s);
    const h = r.hypotheses?.find((x) => x.cause === 'signal.filter_volume_zero');
    expect(h?.likelihood).toBe(likelihood);
    expect(r.status).toBe(status);
    if (text) expect(`${h?.title} ${h?.why ?? ''}`).toMatch(text);
    if (s.volumeDrops) {
      expect(h?.evidence.filter((e) => e.text.includes('Volume zu niedrig')).length).toBeGreaterThanOrEqual(2);
      // Each drop line follows a passed threshold check: no threshold hypothesis beside it.
      expect(r.hypotheses?.find((x) => x.cause === 'signal.threshold_too_high')).toBeUndefined();
    }
    // The to-do names the variable the real engine reads (services/signal/config.py), never a runbook name.
    if (likelihood !== 'unlikely') expect(r.todos?.find((t) => t.cause === 'signal.filter_volume_zero')?.where).toMatch(/^(\.env )?SIGNAL_MIN_VOLUME/);
    else expect(r.todos?.find((t) => t.cause === 'signal.filter_volume_zero')).toBeUndefined();
  });

  it.each([
    [
      'en',
      '90 DEBUG lines `BTCUSDT: Volume zu niedrig (0.0)` from 2025-11-26 00:00:30 UTC to 2025-11-26 02:58:30 UTC: the volume filter dropped every tick that passed the momentum threshold, and no signal was generated; SIGNAL_MIN_VOLUME = 100,000 (startup).',
      'The volume filter drops every tick that passes the threshold (90 × `Volume zu niedrig` at DEBUG; SIGNAL_MIN_VOLUME = 100,000)',
      'Set SIGNAL_MIN_VOLUME to 0 for the signal engine (the dropped ticks carry volume 0.0)',
    ],
    [
      'de',
      '90 DEBUG-Zeilen `BTCUSDT: Volume zu niedrig (0.0)` von 26.11.2025 00:00:30 UTC bis 26.11.2025 02:58:30 UTC: der Volumenfilter hat jeden Tick verworfen, der die Momentum-Schwelle passiert hatte, und es wurde kein Signal erzeugt; SIGNAL_MIN_VOLUME = 100.000 (Quelle: startup).',
      'Der Volumenfilter verwirft jeden Tick, der die Schwelle passiert (90 × `Volume zu niedrig` auf DEBUG; SIGNAL_MIN_VOLUME = 100.000)',
      'SIGNAL_MIN_VOLUME für die Signal Engine auf 0 setzen (die verworfenen Ticks tragen Volumen 0.0)',
    ],
  ] as const)('DEBUG drops in %s: the quoted line, its span, the setting and the volume as logged', (lang, finding, title, todo) => {
    const r = run({ ...bTicks, settings: [volSetting('100000.0', 'startup'), thrSetting('0.005%', 'startup')], volumeDrops: 90 }, lang);
    expect(r.findings!.find((f) => f.subject === 'volume-filter-drops')!.message).toBe(finding);
    expect(r.hypotheses!.find((h) => h.cause === 'signal.filter_volume_zero')!.title).toBe(title);
    expect(r.todos!.find((t) => t.cause === 'signal.filter_volume_zero')!.title).toBe(todo);
  });

  it.each([
    [
      'en',
      'SIGNAL_MIN_VOLUME = 100,000 (code default, not set) but every one of 200 ticks has volume below it (max 0): the volume filter drops every tick.',
      'SIGNAL_THRESHOLD_PCT = 3 % (env); none of 200 tick pct_change values reaches it (max 0.49 %, p99 0.49 %).',
    ],
    [
      'de',
      'SIGNAL_MIN_VOLUME = 100.000 (Quelle: Code-Default, nicht gesetzt), aber jeder der 200 Ticks hat ein Volumen darunter (max. 0): der Volumenfilter verwirft jeden Tick.',
      'SIGNAL_THRESHOLD_PCT = 3 % (Quelle: env); keiner von 200 Werten (pct_change der Ticks) erreicht sie (max. 0,49 %, p99 0,49 %).',
    ],
  ] as const)('settings against the data in %s: the code default named as such, the distribution in the language', (lang, volume, threshold) => {
    const r = run({ settings: [thrSetting('3.0')], ticks: 200, pct: (i) => (i % 50) / 100 }, lang);
    expect(r.findings!.find((f) => f.subject === 'volume-minimum')!.message).toBe(volume);
    expect(r.findings!.find((f) => f.subject === 'threshold')!.message).toBe(threshold);
  });

  // Threshold settings of a few thousandths of a percent are real (0.005 % in era B): two decimals would show 0.01.
  it.each([
    ['en', '177 of 199 ticks (88.945 %) reach SIGNAL_THRESHOLD_PCT = 0.005 %.'],
    ['de', '177 von 199 Ticks (88,945 %) erreichen SIGNAL_THRESHOLD_PCT = 0,005 %.'],
  ] as const)('a small threshold keeps its decimals in %s', (lang, want) => {
    const r = run({ ...bTicks, settings: [volSetting('100000.0', 'startup'), thrSetting('0.005%', 'startup')], volumeDrops: 90 }, lang);
    expect(r.findings!.find((f) => f.subject === 'threshold')!.message).toBe(want);
  });

  it.each([
    ['en', '20 signals rejected with MISSING_STRATEGY_ID and SIGNAL_STRATEGY_ID is empty.'],
    ['de', '20 Signale mit MISSING_STRATEGY_ID abgelehnt, und SIGNAL_STRATEGY_ID ist leer.'],
  ] as const)('strategy id in %s: the count and the empty setting in one sentence', (lang, want) => {
    const r = run({ settings: [{ key: 'SIGNAL_STRATEGY_ID', value: '' }], missingAlerts: 20, era: 'B' }, lang);
    expect(r.findings!.find((f) => f.subject === 'strategy-id')!.message).toBe(want);
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

/** pctValues before it read prices symbol by symbol: one row object per tick, in (symbol, ts, id) order. */
function pctValuesByRow(t: TestDb): { values: number[]; derived: boolean } {
  const given = (t.db.prepare('SELECT pct_change AS p FROM market_data WHERE in_block = 1 AND pct_change IS NOT NULL ORDER BY ts, id').all() as { p: number }[]).map((r) => r.p);
  if (given.length) return { values: given, derived: false };
  const values: number[] = [];
  let prev: { symbol: string | null; price: number } | null = null;
  for (const r of t.db.prepare('SELECT symbol, price FROM market_data WHERE in_block = 1 AND price IS NOT NULL AND price > 0 ORDER BY symbol, ts, id').all() as { symbol: string | null; price: number }[]) {
    if (prev && r.symbol === prev.symbol) values.push(((r.price - prev.price) / prev.price) * 100);
    prev = r;
  }
  return { values, derived: true };
}

describe('pctValues reads what a row-by-row read gave', () => {
  type Tick = [symbol: string | null, ts: string, price: number | null, pct?: number | null, inBlock?: 0 | 1];
  const T = (m: number) => new Date(Date.parse('2025-11-27T10:00:00.000Z') + m * 60_000).toISOString();
  it.each<[string, Tick[]]>([
    ['payload pct_change (era A)', [['BTC_USDT', T(1), 100, 0.5], ['ETH_USDT', T(0), 10, -1.25], ['BTC_USDT', T(2), 101, null]]],
    ['derived per symbol, symbols interleaved', [['ETHUSDT', T(0), 10], ['BTCUSDT', T(0), 100], ['ETHUSDT', T(1), 10.5], ['BTCUSDT', T(1), 99.9], ['BTCUSDT', T(2), 100.3], ['ETHUSDT', T(3), 10.4]]],
    ['ticks at one time, in id order', [['BTCUSDT', T(1), 100], ['BTCUSDT', T(1), 101], ['BTCUSDT', T(0), 99], ['BTCUSDT', T(1), 100.5]]],
    ['ticks without a symbol pair with each other', [[null, T(0), 5], ['BTCUSDT', T(0), 100], [null, T(1), 6], ['BTCUSDT', T(2), 102], [null, T(3), 5.5]]],
    ['no price, a zero price and ticks outside the block', [['BTCUSDT', T(0), 100], ['BTCUSDT', T(1), null], ['BTCUSDT', T(2), 0], ['BTCUSDT', T(3), 104, null, 0], ['BTCUSDT', T(4), 103]]],
    ['no ticks', []],
  ])('%s', (_name, ticks) => {
    const t = new TestDb();
    for (const [symbol, ts, price, pct, inBlock] of ticks) t.insert('market_data', { ts, symbol, price, pct_change: pct ?? null, source: 'log', in_block: inBlock ?? 1 });
    const got = pctValues(t.context());
    expect(got).toEqual(pctValuesByRow(t));
    if (ticks.length > 1) expect(got.values.length).toBeGreaterThan(0);
  });
});
