import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import parser from './daily-check-md.js';

const PS = readFileSync(new URL('../../../../shared/fixtures/real-tools/docker/compose_ps.txt', import.meta.url), 'utf8');

/** What daily_check.py writes when the host env has no POSTGRES_PASSWORD (psycopg2 error with newlines). */
const FAILED = `# Daily Report - 2025-12-14

Generated: 2025-12-14 21:23:38

---

# 📊 Claire de Binare - Daily Check

**Date**: 2025-12-14 21:23:38

---

## 1. Docker Container Status

\`\`\`
${PS}
\`\`\`

✅ **All containers checked**

## 2. Portfolio Summary

❌ **Portfolio check failed**: connection to server at "localhost" (::1), port 5432 failed: fe_sendauth: no password supplied


## 3. Trading Statistics

❌ **Trading stats failed**: connection to server at "localhost" (::1), port 5432 failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?
connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?


## 4. Risk Limits

| Parameter | Configured | Status |
|-----------|------------|--------|
| MAX_POSITION_PCT | 10.00% | ✅ |
| MAX_DAILY_DRAWDOWN_PCT | Not set | ❌ |
| MAX_TOTAL_EXPOSURE_PCT | 50.00% | ⚠️ |

## 5. Disk Space

- **Total**: 475 GB
- **Used**: 93.8%
- **Free**: 29 GB

⚠️  **Low disk space** (29 GB < 30 GB)

## 6. Backup Status (Last 24h)

⚠️  **No backups in last 24h**
   Run: \`powershell .\\backoffice\\scripts\\backup_postgres.ps1\`

---

**Report generated**: 2025-12-14 21:23:38
`;

const OK = `---
title: Daily Report 2025-12-15
tags: [report]
---
# Daily Report - 2025-12-15

Generated: 2025-12-15 08:00:01 CET

## 2. Portfolio Summary

| Metric | Value |
|--------|-------|
| Timestamp | 2025-11-30 00:00:00+00:00 |
| **Total Equity** | **$100,000.00** |
| Available Balance | $100,000.00 |
| Daily P&L | $0.00 |
| Open Positions | 0 |
| Total Exposure | 0.00% |

âœ… **Daily P&L: Positive**

## 3. Trading Statistics

| Metric | Today | Total |
|--------|-------|-------|
| Signals | 0 | 4646 |
| Trades | 0 | 8264 |

## 6. Backup Status (Last 24h)

✅ **2 backup(s) in last 24h**

Recent backups:
  - claire_20251215_0300.zip (12.34 MB) - 2025-12-15 03:00
  - claire_20251214_0300.zip (12.30 MB) - 2025-12-14 03:00
something unexpected here
`;

function get(run: Awaited<ReturnType<typeof runParser>>, key: string): Record<string, unknown> {
  const r = run.rows.find((x) => x.values.key === key);
  expect(r, key).toBeDefined();
  return { ...r!.values, line: r!.line, lines: r!.lines };
}

describe('daily-check-md', () => {
  it('a report whose DB checks failed: failures are values, the compose table is container evidence', async () => {
    const run = await runParser(parser, FAILED, 'report_20251214.md');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const psRows = PS.split('\n').filter((l) => /^cdb_/.test(l));
    const containers = run.rows.filter((r) => r.table === 'containers');
    expect(containers.map((r) => r.values.name)).toEqual(psRows.map((l) => l.split(/\s+/)[0]));
    expect(containers.every((r) => r.values.source === 'daily_check_ps' && r.values.state === 'running')).toBe(true);
    expect(containers[0].line).toBe(FAILED.split('\n').indexOf(psRows[0]) + 1);
    expect(run.structural.embedded_compose_ps).toBe(PS.split('\n').length - psRows.length);
    const failures = run.rows.filter((r) => r.values.key === 'failure');
    const lineOf = (prefix: string): number => FAILED.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;
    expect(failures.map((r) => [r.values.section, r.line, r.lines])).toEqual([
      ['Portfolio Summary', lineOf('❌ **Portfolio check failed**'), 1],
      ['Trading Statistics', lineOf('❌ **Trading stats failed**'), 4],
    ]);
    expect(failures[0].values.value_text).toBe('Portfolio check failed: connection to server at "localhost" (::1), port 5432 failed: fe_sendauth: no password supplied');
    expect(failures[1].values.value_text).toContain('\nIs the server running on that host');
    for (const r of run.rows.filter((x) => x.table === 'daily_report_values')) {
      expect(r.values).toMatchObject({ report_kind: 'daily_check', report_date: '2025-12-14', generated_text: '2025-12-14 21:23:38', generated_at: null, zone: 'host local (CET/CEST, assumed)' });
    }
    expect(get(run, 'MAX_POSITION_PCT')).toMatchObject({ value_text: '10.00%', value_num: 10, section: 'Risk Limits' });
    expect(get(run, 'MAX_DAILY_DRAWDOWN_PCT')).toMatchObject({ value_text: 'Not set', value_num: null });
    expect(get(run, 'MAX_DAILY_DRAWDOWN_PCT status')).toMatchObject({ value_text: '❌', value_num: 0, lines: 0 });
    expect(get(run, 'MAX_POSITION_PCT status')).toMatchObject({ value_text: '✅', value_num: 1 });
    expect(get(run, 'Disk Free')).toMatchObject({ value_text: '29 GB', value_num: 29, section: 'Disk Space' });
    expect(get(run, 'Disk Used')).toMatchObject({ value_num: 93.8 });
    expect(run.rows.filter((r) => r.values.key === 'warning').map((r) => r.values.value_text)).toEqual(['Low disk space (29 GB < 30 GB)', 'No backups in last 24h']);
    expect(get(run, 'ok')).toMatchObject({ value_text: 'All containers checked', section: 'Docker Container Status' });
  });

  it('front matter, a printed zone, Today/Total rows, mojibake marks and an unknown line', async () => {
    const run = await runParser(parser, OK, 'renamed.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.structural.front_matter).toBe(4);
    expect(run.quarantined.map((q) => q.text)).toEqual(['something unexpected here']);
    expect(get(run, 'Total Equity')).toMatchObject({ value_text: '$100,000.00', value_num: 100000, generated_at: '2025-12-15T07:00:01.000Z', zone: 'CET', report_date: '2025-12-15' });
    const signals = run.rows.filter((r) => (r.values.key as string).startsWith('Signals'));
    expect(signals.map((r) => [r.values.key, r.values.value_num, r.lines])).toEqual([
      ['Signals Today', 0, 1],
      ['Signals Total', 4646, 0],
    ]);
    expect(get(run, 'Trades Total')).toMatchObject({ value_num: 8264 });
    expect(get(run, 'ok')).toMatchObject({ value_text: 'Daily P&L: Positive' });
    expect(get(run, 'Backups Last 24h')).toMatchObject({ value_num: 2, lines: 0 });
    expect(run.rows.filter((r) => r.values.key === 'Backup File')).toHaveLength(2);
  });

  it.each<[string, string, [string, string, number, number][]]>([
    [
      'a dated Yesterday column',
      '| Metric | Yesterday (2026-01-24) | Today | Total |\n|---|---|---|---|\n| Signals | 31 | 4 | 4646 |\n| Trades | 12 | 0 | 8264 |',
      [
        ['Signals Yesterday (2026-01-24)', '31', 31, 1],
        ['Signals Today', '4', 4, 0],
        ['Signals Total', '4646', 4646, 0],
        ['Trades Yesterday (2026-01-24)', '12', 12, 1],
        ['Trades Today', '0', 0, 0],
        ['Trades Total', '8264', 8264, 0],
      ],
    ],
    [
      'the columns in another order',
      '| Metric | Total | Today |\n|---|---|---|\n| **Signals** | 4646 | 4 |',
      [
        ['Signals Total', '4646', 4646, 1],
        ['Signals Today', '4', 4, 0],
      ],
    ],
  ])('Trading Statistics read by the header: %s', async (_n, table, want) => {
    const run = await runParser(parser, `# Daily Report - 2026-01-25\n\nGenerated: 2026-01-25 09:00:00\n\n## 3. Trading Statistics\n\n${table}\n`, 'report_20260125.md');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => [r.values.key, r.values.value_text, r.values.value_num, r.lines])).toEqual(want);
  });

  it.each([
    ['failed report', FAILED, true],
    ['ok report', OK, true],
    ['compose ps', PS, false],
    ['paper runner mail copy', 'Claire de Binare Paper Trading Alert\n\nSeverity: INFO\n', false],
    ['random markdown', '# Notes\n\n## 1. Ideas\n', false],
  ])('sniff %s → %s', (_n, text, claimed) => {
    expect(parser.claims.sniff(headFromText(text)) !== null).toBe(claimed);
  });
});
