import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../util/seeded-random.js';
import { spoken, TestDb } from '../../testing.js';
import { addDump, addRows, times } from '../shared/testing.js';
import rule, { looksMock, mockFillPrice } from './trade-stats.js';

function run(trades: { symbol: string; side: string; price: number }[], opts: { dump?: boolean; signalPrice?: number } = {}) {
  const t = new TestDb();
  const ts = times('2025-11-26T02:00:00.000Z', trades.length, 600_000);
  addRows(t, 'trades', trades.map((x, i) => ({ ts: ts[i], ...x, source: 'db', in_block: 1 })));
  if (opts.dump) addDump(t, 'trades', ['id', 'symbol']);
  if (opts.signalPrice) addRows(t, 'signals', [{ ts: ts[0], symbol: 'BTCUSDT', side: 'BUY', price: opts.signalPrice, source: 'db', in_block: 1 }]);
  return spoken(rule.check(t.context()));
}

const mockBtc = (n: number, side = 'BUY') => Array.from({ length: n }, (_, i) => ({ symbol: 'BTCUSDT', side, price: 50_000 + (i % 5) * 20 }));

describe('trade-stats', () => {
  it.each<[string, { symbol: string; side: string; price: number }[], string, string]>([
    ['mock fills far from the signal price', mockBtc(12), 'mock-prices', 'info'],
    ['fewer trades than the target', mockBtc(3), 'below-target', 'medium'],
    ['fills that are not mock prices', Array.from({ length: 12 }, () => ({ symbol: 'BTCUSDT', side: 'BUY', price: 95_000 })), 'non-mock-prices', 'low'],
  ])('MUST fire: %s', (_n, trades, subject, severity) => {
    const r = run(trades, { signalPrice: 95_000 });
    expect(r.findings?.find((f) => f.subject === subject)?.severity).toBe(severity);
    expect(r.status).not.toBe('fail');
  });

  it('never calls a mock price a mismatch', () => {
    const r = run(mockBtc(12), { signalPrice: 95_639.26 });
    expect(r.status).toBe('ok');
    const f = r.findings!.find((x) => x.subject === 'mock-prices')!;
    expect(f.message).toMatch(/expected in paper mode, not a bug/);
    expect(f.message).toMatch(/average 95,639\.26/);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it.each<[string, { symbol: string; side: string; price: number }[], boolean, string]>([
    ['healthy trades', mockBtc(12), false, 'ok'],
    ['no trades and no dump', [], false, 'not_evaluable'],
    ['no trades but an (empty) trades dump', [], true, 'warn'],
  ])('MUST NOT fire a failure: %s', (_n, trades, dump, status) => {
    const r = run(trades, { dump });
    expect(r.status).toBe(status);
  });

  it('counts like the runbook query', () => {
    const r = run([...mockBtc(8), ...mockBtc(4, 'SELL'), { symbol: 'ETHUSDT', side: 'BUY', price: 3001 }]);
    expect(r.metrics).toMatchObject({ trades_total: 13, buys: 9, sells: 4, buy_sell_ratio: 2.25, mock_price_share_pct: 100 });
    expect(r.verification?.[0].check).toBe('SELECT COUNT(*) FROM trades WHERE in_block = 1');
  });

  it.each<[string, number, number, boolean]>([
    ['BTC_USDT', 50_000, 50_033.56, true],
    ['ETHUSDT', 3_000, 2_998.1, true],
    ['NUMI_USDT', 100, 100.05, true],
    ['BTCUSDT', 50_000, 95_639.26, false],
  ])('mock price of %s', (sym, mock, price, isMock) => {
    expect(mockFillPrice(sym)).toBe(mock);
    expect(looksMock(sym, price)).toBe(isMock);
  });
});

/** What the rule computed when it held every trade as a list (before it read them in one pass). */
function listed(rows: { symbol: string | null; side: string; price: number | null; source: string }[]) {
  const priced = rows.filter((r) => r.price != null && r.price > 0);
  const avg = priced.length ? priced.reduce((s, r) => s + r.price!, 0) / priced.length : null;
  const mock = priced.filter((r) => looksMock(r.symbol, r.price)).length;
  const by = new Map<string, number[]>();
  for (const r of priced) by.set(r.symbol ?? '?', [...(by.get(r.symbol ?? '?') ?? []), r.price!]);
  const symbols = [...by.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const buys = rows.filter((r) => r.side === 'BUY').length;
  const sells = rows.filter((r) => r.side === 'SELL').length;
  const m: Record<string, number | null> = {
    trades_total: rows.length, trades_persisted: rows.filter((r) => r.source === 'db').length, buys, sells,
    buy_sell_ratio: sells ? Math.round((buys / sells) * 100) / 100 : null, avg_price: avg == null ? null : Math.round(avg * 100) / 100,
    mock_price_share_pct: priced.length ? Math.round((mock / priced.length) * 100 * 100) / 100 : null, symbols: symbols.length,
  };
  for (const [s, p] of symbols.slice(0, 3)) m[`avg_price_${s}`] = Math.round((p.reduce((a, b) => a + b, 0) / p.length) * 100) / 100;
  return m;
}

describe('trade-stats reads the trades in one pass', () => {
  it.each([1, 2, 3, 7, 40, 400].flatMap((n) => [1, 2].map((seed) => ({ n, seed }))))('$n trades (seed $seed): the metrics of the whole list', ({ n, seed }) => {
    const rnd = seededRandom(seed * 1000 + n);
    const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const rows = Array.from({ length: n }, () => ({
      symbol: pick(['BTCUSDT', 'ETH_USDT', 'NUMIUSDT', null]),
      side: pick(['BUY', 'SELL', 'buy', '']),
      price: pick([null, 0, -1, 50_000 + rnd() * 100, 3_000.123456789 * (0.99 + rnd() / 50), rnd() * 1e5]),
      source: pick(['db', 'log', 'redis']),
    }));
    const t = new TestDb();
    const ts = times('2025-11-26T02:00:00.000Z', n, 60_000);
    addRows(t, 'trades', rows.map((r, i) => ({ ts: ts[i], ...r, in_block: 1 })));
    const got = spoken(rule.check(t.context()));
    // The stored side is upper-cased by the query, as before.
    expect(got.metrics).toEqual(listed(rows.map((r) => ({ ...r, side: r.side.toUpperCase() }))));
    const ev = got.findings!.find((f) => f.subject === 'trades')!.evidence.map((e) => e.line);
    expect(ev).toEqual([...new Set([1, 2, n].filter((l) => l <= n))]);
  });
});
