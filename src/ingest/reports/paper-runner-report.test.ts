import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePaperRunnerReport, parseReportNumber, parseUptimeHours, reportDateOf } from './paper-runner-report.js';

const FIXTURE = new URL('../../../../shared/fixtures/real-tools/docker/paper_runner_daily_report.txt', import.meta.url);

/** Strip the `cdb_paper_runner  | <rfc3339> ` wrapper the way the log ingest will before calling us. */
function fixtureLines(): { text: string; lineNo: number }[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l, i, a) => !(i === a.length - 1 && l === ''))
    .map((l, i) => ({ text: l.replace(/^[A-Za-z0-9_.-]+\s*\| ?\S+Z ?/, ''), lineNo: i + 1 }));
}

describe('parsePaperRunnerReport on the real capture', () => {
  const values = parsePaperRunnerReport(fixtureLines());
  const byKey = new Map(values.map((v) => [v.key, v]));

  it.each([
    ['Date', '2025-12-22', null, 'Report', 9],
    ['Uptime', '0 days, 5 hours', 5, 'Report', 10],
    ['Days Remaining', '13', 13, 'Report', 11],
    ['Total Equity', '$100,000.00', 100000, 'Portfolio', 14],
    ['Daily P&L', '$0.00', 0, 'Portfolio', 15],
    ['Realized P&L', '$0.00', 0, 'Portfolio', 16],
    ['Open Positions', '0', 0, 'Portfolio', 17],
    ['Total Exposure', '0.00%', 0, 'Portfolio', 18],
    ['Signals Today', '0', 0, 'Trading Activity', 21],
    ['Trades Today', '0', 0, 'Trading Activity', 22],
    ['Events Logged', '66025', 66025, 'Trading Activity', 23],
    ['Redis', '✅ Connected', null, 'System Health', 26],
    ['PostgreSQL', '✅ Connected', null, 'System Health', 27],
    ['Last Health Check', '23:57:55', null, 'System Health', 28],
  ])('%s = %s', (key, text, num, section, lineNo) => {
    const v = byKey.get(key);
    expect(v).toBeDefined();
    expect(v!.value_text).toBe(text);
    expect(v!.value_num).toBe(num);
    expect(v!.section).toBe(section);
    expect(v!.lineNo).toBe(lineNo);
  });

  it('reads exactly the 14 values of the block and nothing from the surrounding log lines', () => {
    expect(values).toHaveLength(14);
    expect(reportDateOf(values)).toBe('2025-12-22');
  });
});

describe('failure forms', () => {
  it.each([
    ["Report generation failed: 'NoneType' object is not subscriptable", "'NoneType' object is not subscriptable"],
    ['Report generation failed: connection already closed', 'connection already closed'],
    ['Daily report failed: [Errno 28] No space left on device', '[Errno 28] No space left on device'],
  ])('%s', (line, err) => {
    const v = parsePaperRunnerReport([{ text: line, lineNo: 7 }]);
    expect(v).toEqual([{ key: 'failure', value_text: err, value_num: null, section: 'Report', lineNo: 7 }]);
  });

  it('ignores unrelated and hostile lines', () => {
    const v = parsePaperRunnerReport([
      { text: '', lineNo: 1 },
      { text: 'Date:', lineNo: 2 },
      { text: 'Signals Today 5', lineNo: 3 },
      { text: '   Events Logged:    ', lineNo: 4 },
      { text: 'x'.repeat(10000), lineNo: 5 },
      { text: '📊 Events logged: 66000', lineNo: 6 },
      { text: 'Email alert NOT sent (disabled): [INFO] Daily Report', lineNo: 7 },
    ]);
    expect(v).toEqual([]);
  });
});

describe('number parsing', () => {
  it.each([
    ['$100,000.00', 100000],
    ['$-12.50', -12.5],
    ['-$1,234.56', -1234.56],
    ['12.34%', 12.34],
    ['66025', 66025],
    ['**$99,000.00**', 99000],
    ['✅ Connected', null],
    ['23:57:55', null],
    ['1,23', null],
    ['', null],
  ])('%s → %s', (text, n) => {
    expect(parseReportNumber(text)).toBe(n);
  });

  it.each([
    ['0 days, 5 hours', 5],
    ['1 days, 9 hours', 33],
    ['1 day, 0 hours', 24],
    ['5 hours', null],
  ])('uptime %s → %s h', (text, h) => {
    expect(parseUptimeHours(text)).toBe(h);
  });
});
