import { it } from 'vitest';
import { runParser } from './ingest/testing.js';
import pgDump from './ingest/parsers/pg-dump.js';
import psqlCsv from './ingest/parsers/psql-csv.js';
import psqlAligned from './ingest/parsers/psql-aligned.js';
it('perf', async () => {
  const N = 300000;
  const copy = ['COPY public.trades (id, order_id, symbol, side, price, size, status, execution_price, slippage_bps, fees, "timestamp", exchange, exchange_trade_id, metadata) FROM stdin;'];
  const ins: string[] = [];
  const csv = ['id,order_id,symbol,side,price,size,status,execution_price,slippage_bps,fees,timestamp,exchange,exchange_trade_id,metadata'];
  const al = [' id | symbol | price', '----+--------+------'];
  for (let i = 0; i < N; i++) {
    copy.push(`${i}\t\\N\tLTC_USDT\tbuy\t82.92935429\t2893.00000000\tfilled\t82.92935429\t\\N\t0.00000000\t2025-12-22 00:36:27.204717+00\tMEXC\tMOCK_95890685\t{"order_id": "MOCK_95890685"}`);
    ins.push(`INSERT INTO public.trades (id, order_id, symbol, side, price, size, status, execution_price, slippage_bps, fees, "timestamp", exchange, exchange_trade_id, metadata) VALUES (${i}, NULL, 'LTC_USDT', 'buy', 82.92935429, 2893.00000000, 'filled', 82.92935429, NULL, 0.00000000, '2025-12-22 00:36:27.204717+00', 'MEXC', 'MOCK_95890685', '{"order_id": "MOCK_95890685"}');`);
    csv.push(`${i},,LTC_USDT,buy,82.92935429,2893.00000000,filled,82.92935429,,0.00000000,2025-12-22 00:36:27.204717+00,MEXC,MOCK_95890685,"{""order_id"": ""MOCK_95890685""}"`);
    al.push(` ${i} | LTC    | 82.9`);
  }
  copy.push('\\.');
  for (const [name, p, text] of [['copy', pgDump, copy.join('\n')], ['insert', pgDump, ins.join('\n')], ['csv', psqlCsv, csv.join('\n')], ['aligned', psqlAligned, al.join('\n')]] as const) {
    const t0 = Date.now();
    const r = await runParser(p, text, 'x.txt');
    console.log(name, r.rows.length, r.unaccounted, r.quarantined.length, Date.now() - t0, 'ms');
  }
}, 300000);
