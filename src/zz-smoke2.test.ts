import { it } from 'vitest';
import { splitCopyLine, CsvAssembler } from './ingest/dumps/pg-text.js';
it('perf2', async () => {
  const line = `1\t\\N\tLTC_USDT\tbuy\t82.92935429\t2893.00000000\tfilled\t82.92935429\t\\N\t0.00000000\t2025-12-22 00:36:27.204717+00\tMEXC\tMOCK_95890685\t{"order_id": "MOCK_95890685"}`;
  let t0 = Date.now();
  for (let i = 0; i < 300000; i++) splitCopyLine(line);
  console.log('split', Date.now() - t0);
  const a = new CsvAssembler();
  const cl = `1,,LTC_USDT,buy,82.92935429,2893.00000000,filled,82.92935429,,0.00000000,2025-12-22 00:36:27.204717+00,MEXC,MOCK_95890685,"{""order_id"": ""MOCK_95890685""}"`;
  t0 = Date.now();
  for (let i = 0; i < 300000; i++) for (const e of a.push({ text: cl, lineNo: i })) void e;
  console.log('csv', Date.now() - t0);
  async function* gen() { for (let i = 0; i < 300000; i++) yield { text: line, lineNo: i }; }
  t0 = Date.now();
  let n = 0;
  for await (const l of gen()) n += l.lineNo;
  console.log('async iter', Date.now() - t0);
}, 300000);
