import { defineRule, type Finding, type Status } from '../../define-rule.js';
import { dumpedTable, TRADE_TABLES } from '../shared/sources.js';
import { round, sampleEvidence } from '../shared/util.js';
import { text } from '../../../i18n/translate.js';

/** The mock executor's hard-coded fill price per symbol (§5.4); ±0.1 % plus slippage around it. */
export function mockFillPrice(symbol: string | null): number {
  const s = (symbol ?? '').toUpperCase();
  if (s.startsWith('BTC')) return 50_000;
  if (s.startsWith('ETH')) return 3_000;
  return 100;
}

/** Within 1 % of the mock price: the ±0.1 % jitter plus slippage stay well inside it. */
export function looksMock(symbol: string | null, price: number | null): boolean {
  if (price == null || !(price > 0)) return false;
  const m = mockFillPrice(symbol);
  return Math.abs(price - m) / m <= 0.01;
}

export default defineRule({
  id: 'trade-stats',
  layer: 'execution',
  title: 'Trades: buys, sells, prices (mock fills)',
  needs: ['trades (DB dump, order_results, execution logs)'],
  keyMetrics: ['trades_total', 'mock_price_share_pct'],
  check(ctx) {
    // One pass, nothing per trade kept: a dump can hold hundreds of thousands of trades. Sums are
    // added in (ts, id) order, as a sum over the list of them would.
    type Trade = [symbol: string | null, side: string, price: number | null, source: string | null, file_id: number | null, line_no: number | null, ts: string | null];
    let total = 0;
    let persisted = 0;
    let buys = 0;
    let sells = 0;
    let pricedN = 0;
    let pricedSum = 0;
    let mock = 0;
    const perSymbol = new Map<string, { n: number; sum: number }>();
    const head: Trade[] = [];
    let tail: Trade | null = null;
    const read = ctx.db.prepare("SELECT symbol, UPPER(COALESCE(side, '')) AS side, COALESCE(execution_price, price) AS price, source, file_id, line_no, ts FROM trades WHERE in_block = 1 ORDER BY ts, id");
    for (const r of read.raw().iterate() as Iterable<Trade>) {
      const [symbol, side, price, source] = r;
      total++;
      if (head.length < 2) head.push(r);
      tail = r;
      if (source === 'db') persisted++;
      if (side === 'BUY') buys++;
      else if (side === 'SELL') sells++;
      if (price == null || !(price > 0)) continue;
      pricedN++;
      pricedSum += price;
      if (looksMock(symbol, price)) mock++;
      const key = symbol ?? '?';
      const g = perSymbol.get(key);
      if (g) {
        g.n++;
        g.sum += price;
      } else perSymbol.set(key, { n: 1, sum: price });
    }
    const dump = dumpedTable(ctx, TRADE_TABLES);
    if (!total && !dump) return { status: 'not_evaluable', missing: text('trade-stats.missing') };

    const avg = pricedN ? pricedSum / pricedN : null;
    const symbols = [...perSymbol.entries()].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]));

    const metrics: Record<string, number | string | null> = {
      trades_total: total,
      trades_persisted: persisted,
      buys,
      sells,
      buy_sell_ratio: sells ? round(buys / sells) : null,
      avg_price: round(avg),
      mock_price_share_pct: pricedN ? round((mock / pricedN) * 100) : null,
      symbols: symbols.length,
    };
    for (const [sym, g] of symbols.slice(0, 3)) metrics[`avg_price_${sym}`] = round(g.sum / g.n);

    const findings: Finding[] = [];
    let status: Status = 'ok';
    // The first two trades and the last, as sampleEvidence picks them from the whole list.
    const ev = sampleEvidence(
      ctx,
      [...head, ...(tail && total > head.length ? [tail] : [])].map(([symbol, side, price, source, file_id, line_no, ts]) => ({
        file_id, line_no, text: source === 'log' ? undefined : `trade ${symbol} ${side} @ ${price ?? '?'} (${ts}, ${source})`,
      })),
    );
    findings.push({
      subject: 'trades',
      severity: 'info',
      message: text('trade-stats.summary', {
        n: total,
        buys,
        sells,
        avg,
        by_symbol: symbols.length ? text('trade-stats.by_symbol', { symbols: symbols.slice(0, 3).map(([s, g]) => `${s} ${g.n}`) }) : '',
      }),
      evidence: ev,
    });
    if (total < ctx.targets.trades) {
      status = 'warn';
      findings.push({
        subject: 'below-target',
        severity: 'medium',
        message: text('trade-stats.below_target', { n: total, target: ctx.targets.trades }),
        evidence: [],
      });
    }
    if (pricedN && mock / pricedN >= 0.8) {
      const sig = ctx.db.prepare('SELECT AVG(price) AS p FROM signals WHERE in_block = 1 AND price > 0 AND symbol = ?').get(symbols[0][0]) as { p: number | null };
      findings.push({
        subject: 'mock-prices',
        severity: 'info',
        message: text('trade-stats.mock_prices', {
          mock,
          priced: pricedN,
          signal_avg: sig.p ? text('trade-stats.signal_avg', { symbol: symbols[0][0], avg: sig.p }) : '',
        }),
        evidence: ev.slice(0, 1),
      });
    } else if (pricedN >= 10 && mock / pricedN < 0.2) {
      findings.push({
        subject: 'non-mock-prices',
        severity: 'low',
        message: text('trade-stats.non_mock_prices', { mock, priced: pricedN }),
        evidence: ev.slice(0, 1),
      });
    }
    if (sells === 0 && buys > 0) {
      findings.push({
        subject: 'buy-only',
        severity: 'info',
        message: text('trade-stats.buy_only'),
        evidence: [],
      });
    }
    return {
      status,
      metrics,
      findings,
      verification: [
        {
          id: 'trades-total',
          title: text('trade-stats.check.trades_total'),
          kind: 'sql',
          check: 'SELECT COUNT(*) FROM trades WHERE in_block = 1',
          expect: { op: '>=', value: ctx.targets.trades },
        },
      ],
    };
  },
});
