import { defineRule, type Finding, type Status } from '../../define-rule.js';
import { dumpedTable, TRADE_TABLES } from '../shared/sources.js';
import { groupBy, round, sampleEvidence } from '../shared/util.js';
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
    const rows = ctx.db
      .prepare('SELECT symbol, UPPER(COALESCE(side, \'\')) AS side, COALESCE(execution_price, price) AS price, source, file_id, line_no, ts FROM trades WHERE in_block = 1 ORDER BY ts, id')
      .all() as { symbol: string | null; side: string; price: number | null; source: string | null; file_id: number | null; line_no: number | null; ts: string | null }[];
    const dump = dumpedTable(ctx, TRADE_TABLES);
    if (!rows.length && !dump) return { status: 'not_evaluable', missing: text('trade-stats.missing') };

    const buys = rows.filter((r) => r.side === 'BUY').length;
    const sells = rows.filter((r) => r.side === 'SELL').length;
    const priced = rows.filter((r) => r.price != null && r.price > 0);
    const avg = priced.length ? priced.reduce((s, r) => s + r.price!, 0) / priced.length : null;
    const mock = priced.filter((r) => looksMock(r.symbol, r.price)).length;
    const bySymbol = new Map([...groupBy(priced, (r) => r.symbol ?? '?')].map(([k, rs]) => [k, rs.map((r) => r.price!)] as const));
    const symbols = [...bySymbol.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));

    const metrics: Record<string, number | string | null> = {
      trades_total: rows.length,
      trades_persisted: rows.filter((r) => r.source === 'db').length,
      buys,
      sells,
      buy_sell_ratio: sells ? round(buys / sells) : null,
      avg_price: round(avg),
      mock_price_share_pct: priced.length ? round((mock / priced.length) * 100) : null,
      symbols: symbols.length,
    };
    for (const [sym, prices] of symbols.slice(0, 3)) metrics[`avg_price_${sym}`] = round(prices.reduce((a, b) => a + b, 0) / prices.length);

    const findings: Finding[] = [];
    let status: Status = 'ok';
    const ev = sampleEvidence(
      ctx,
      rows.map((r) => ({ file_id: r.file_id, line_no: r.line_no, text: r.source === 'log' ? undefined : `trade ${r.symbol} ${r.side} @ ${r.price ?? '?'} (${r.ts}, ${r.source})` })),
    );
    findings.push({
      subject: 'trades',
      severity: 'info',
      message: text('trade-stats.summary', {
        n: rows.length,
        buys,
        sells,
        avg,
        by_symbol: symbols.length ? text('trade-stats.by_symbol', { symbols: symbols.slice(0, 3).map(([s, p]) => `${s} ${p.length}`) }) : '',
      }),
      evidence: ev,
    });
    if (rows.length < ctx.targets.trades) {
      status = 'warn';
      findings.push({
        subject: 'below-target',
        severity: 'medium',
        message: text('trade-stats.below_target', { n: rows.length, target: ctx.targets.trades }),
        evidence: [],
      });
    }
    if (priced.length && mock / priced.length >= 0.8) {
      const sig = ctx.db.prepare('SELECT AVG(price) AS p FROM signals WHERE in_block = 1 AND price > 0 AND symbol = ?').get(symbols[0][0]) as { p: number | null };
      findings.push({
        subject: 'mock-prices',
        severity: 'info',
        message: text('trade-stats.mock_prices', {
          mock,
          priced: priced.length,
          signal_avg: sig.p ? text('trade-stats.signal_avg', { symbol: symbols[0][0], avg: sig.p }) : '',
        }),
        evidence: ev.slice(0, 1),
      });
    } else if (priced.length >= 10 && mock / priced.length < 0.2) {
      findings.push({
        subject: 'non-mock-prices',
        severity: 'low',
        message: text('trade-stats.non_mock_prices', { mock, priced: priced.length }),
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
