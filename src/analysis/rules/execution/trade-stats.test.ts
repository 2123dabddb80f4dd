import { describe, expect, it } from 'vitest';
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
