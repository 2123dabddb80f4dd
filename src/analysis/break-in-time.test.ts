import { describe, expect, it } from 'vitest';
import { FLOW_HOURLY_SQL } from '../model/flow-hourly.js';
import { breakInTime } from './break-in-time.js';
import { TestDb } from './testing.js';
import { render } from '../i18n/translate.js';

const evidenceOf = (fileId: number, line: number) => ({ file: `file ${fileId}`, line, text: '' });
const hour = (h: number) => new Date(Date.parse('2025-11-26T00:00:00Z') + h * 3_600_000).toISOString().slice(0, 13);

/** An hourly flow of 24 observed block hours: market data at 100/h, signals as `signals(h)`. */
function flow(signals: (h: number) => number): TestDb {
  const t = new TestDb();
  t.db.exec(FLOW_HOURLY_SQL);
  const put = t.db.prepare("INSERT INTO flow_hourly VALUES (?, ?, '', ?, 'log', 1, 1)");
  for (let h = 0; h < 24; h++) {
    put.run(hour(h), 'market_data', 100);
    put.run(hour(h), 'signals', signals(h));
  }
  return t;
}

describe('the break reason is keyed text: the same numbers in English and German', () => {
  it.each<[string, (h: number) => number, string, string]>([
    ['a stage that never ran while its upstream flowed', () => 0,
      'no signals in any of the 24 observed block hours while its upstream flowed (2,400 events)',
      'Stufe Signale ohne ein einziges Ereignis in den 24 beobachteten Blockstunden, während der Upstream floss (2.400 Events)'],
    ['a stop that recovered', (h) => (h >= 10 && h < 15 ? 0 : 10),
      'signals ran below 10 % of its median 10/h for 5 h from 2025-11-26 10:00 UTC while its upstream kept flowing; back at 2025-11-26 15:00 UTC',
      'Stufe Signale lief ab 26.11.2025 10:00 UTC 5 Std. lang unter 10 % ihres Medians von 10/h, während der Upstream weiter floss; wieder normal ab 26.11.2025 15:00 UTC'],
    ['a stop that never recovered', (h) => (h >= 20 ? 0 : 10),
      'signals ran below 10 % of its median 10/h for 4 h from 2025-11-26 20:00 UTC while its upstream kept flowing; never recovered in the block',
      'Stufe Signale lief ab 26.11.2025 20:00 UTC 4 Std. lang unter 10 % ihres Medians von 10/h, während der Upstream weiter floss; lief im Block nicht wieder an'],
  ])('%s', (_n, signals, en, de) => {
    const b = breakInTime(flow(signals).db, evidenceOf)!;
    expect(b.stage).toBe('signals');
    expect(b.reason).toBe(en);
    expect(render('en', b.reasonText)).toBe(en);
    expect(render('de', b.reasonText)).toBe(de);
  });
});
