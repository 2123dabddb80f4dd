import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import parser, { decodeEncodedWords, parseMailDate } from './report-mail.js';

const REPORT = `
Paper Trading Daily Report

Date: 2025-12-22
Uptime: 0 days, 5 hours
Days Remaining: 13

Portfolio:
  Total Equity:     $100,000.00
  Daily P&L:        $0.00
  Realized P&L:     $0.00
  Open Positions:   0
  Total Exposure:   0.00%

Trading Activity:
  Signals Today:    0
  Trades Today:     0
  Events Logged:    66025

System Health:
  Redis:            ✅ Connected
  PostgreSQL:       ✅ Connected
  Last Health Check: 23:57:55
`;

/** The body email_alerter.py builds around the report. */
function alertBody(subject: string, message: string, time = '2025-12-22 00:00:00'): string {
  return `
Claire de Binare Paper Trading Alert

Severity: INFO
Time: ${time}
Subject: ${subject}

${message}

---
Dashboard: http://localhost:3000/d/claire-paper-trading
Logs: docker compose logs cdb_paper_runner --tail=100

This is an automated alert from Claire de Binare Paper Trading System.
`;
}

function wrap76(s: string): string {
  return s.match(/.{1,76}/g)!.join('\n');
}

function toQuotedPrintable(s: string): string {
  const out: string[] = [];
  for (const line of s.split('\n')) {
    let enc = '';
    for (const b of Buffer.from(line, 'utf8')) {
      enc += b === 0x3d || b > 0x7e ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
    }
    // Soft-wrap at 30 characters so values are split across physical lines.
    while (enc.length > 30) {
      let cut = 29;
      if (enc[cut - 1] === '=') cut -= 1;
      else if (enc[cut - 2] === '=') cut -= 2;
      out.push(`${enc.slice(0, cut)}=`);
      enc = enc.slice(cut);
    }
    out.push(enc);
  }
  return out.join('\n');
}

function eml(encoding: 'base64' | 'quoted-printable', body: string, subject = '[INFO] Claire de Binare: Daily Report'): string {
  const encoded = encoding === 'base64' ? wrap76(Buffer.from(body, 'utf8').toString('base64')) : toQuotedPrintable(body);
  return [
    'Content-Type: multipart/mixed; boundary="===============4242424242424242424=="',
    'MIME-Version: 1.0',
    'From: bot@example.com',
    'To: ops@example.com',
    `Subject: ${subject}`,
    'Date: Mon, 22 Dec 2025 01:00:02 +0100',
    'Message-ID: <abc@example.com>',
    '',
    '--===============4242424242424242424==',
    'Content-Type: text/plain; charset="utf-8"',
    'MIME-Version: 1.0',
    `Content-Transfer-Encoding: ${encoding}`,
    '',
    encoded,
    '',
    '--===============4242424242424242424==--',
    '',
  ].join('\n');
}

function valuesOf(rows: { values: Record<string, unknown> }[]): Record<string, unknown> {
  return Object.fromEntries(rows.map((r) => [r.values.key, r.values.value_text]));
}

describe('report-mail: paper runner', () => {
  it.each(['base64', 'quoted-printable'] as const)('%s .eml: values, generation time and accounting', async (enc) => {
    const text = eml(enc, alertBody('Daily Report', REPORT));
    const run = await runParser(parser, text, 'mail.bin');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const vals = run.rows.filter((r) => r.values.key !== 'Mail Date');
    expect(vals).toHaveLength(14);
    expect(valuesOf(vals)).toMatchObject({ 'Signals Today': '0', 'Trades Today': '0', 'Events Logged': '66025', Date: '2025-12-22', Redis: '✅ Connected' });
    expect(vals.find((r) => r.values.key === 'Events Logged')!.values.value_num).toBe(66025);
    for (const r of run.rows) {
      expect(r.values).toMatchObject({
        report_kind: 'paper_runner',
        report_date: '2025-12-22',
        generated_at: '2025-12-22T00:00:00.000Z',
        generated_text: '2025-12-22 00:00:00',
        zone: 'UTC (container, not printed)',
      });
    }
    const mailDate = run.rows.find((r) => r.values.key === 'Mail Date')!;
    expect(mailDate).toMatchObject({ line: 6, lines: 0, values: { value_text: '2025-12-22T00:00:02.000Z', section: 'mail' } });
    expect(run.structural.mail_header).toBe(8);
    expect(run.structural.mime_boundary).toBe(2);
  });

  it('base64: each value points at the encoded line where its decoded line begins', async () => {
    const body = alertBody('Daily Report', REPORT);
    const text = eml('base64', body);
    const lines = text.split('\n');
    const bodyStart = lines.indexOf('Content-Transfer-Encoding: base64') + 3; // 1-based first encoded line
    const decodedThrough = (lineNo: number): number => Buffer.from(lines.slice(bodyStart - 1, lineNo).join(''), 'base64').length;
    const run = await runParser(parser, text, 'mail.eml');
    expect(run.unaccounted).toBe(0);
    const bodyLines = body.split('\n');
    const values = run.rows.filter((x) => x.values.key !== 'Mail Date');
    expect(values).toHaveLength(14);
    for (const r of values) {
      const idx = bodyLines.findIndex((l) => l.trimStart().startsWith(`${r.values.key as string}:`));
      const byteStart = Buffer.byteLength(bodyLines.slice(0, idx).join('\n')) + (idx > 0 ? 1 : 0);
      expect(decodedThrough(r.line - 1)).toBeLessThanOrEqual(byteStart);
      expect(decodedThrough(r.line)).toBeGreaterThan(byteStart);
    }
    // 57 decoded bytes per encoded line hold several report lines, so some values share a line.
    expect(values.some((r) => r.lines === 0)).toBe(true);
  });

  it('quoted-printable: a value split by soft line breaks spans its physical lines', async () => {
    const text = eml('quoted-printable', alertBody('Daily Report', REPORT));
    const lines = text.split('\n');
    const run = await runParser(parser, text, 'mail.eml');
    expect(run.unaccounted).toBe(0);
    const redis = run.rows.find((r) => r.values.key === 'Redis')!;
    expect(redis.lines).toBeGreaterThanOrEqual(2);
    expect(lines[redis.line - 1]).toContain('Redis:');
    expect(lines[redis.line + redis.lines - 2]).not.toMatch(/=$/);
  });

  it('nested multipart with an alternative and an attachment', async () => {
    const body = alertBody('Daily Report', REPORT);
    const text = [
      'Content-Type: multipart/mixed; boundary="outer"',
      'Subject: [INFO] Claire de Binare: Daily Report',
      '',
      'This is a multi-part message in MIME format.',
      '--outer',
      'Content-Type: multipart/alternative;',
      ' boundary="inner"',
      '',
      '--inner',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      toQuotedPrintable(body),
      '--inner',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<pre>Paper Trading Daily Report</pre>',
      '--inner--',
      '--outer',
      'Content-Type: application/pdf',
      'Content-Disposition: attachment; filename="x.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0xLjQK',
      '--outer--',
      'epilogue',
    ].join('\n');
    const run = await runParser(parser, text, 'nested.eml');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.filter((r) => r.values.key === 'Signals Today')).toHaveLength(1);
    expect(run.rows.find((r) => r.values.key === 'Events Logged')!.values.value_num).toBe(66025);
    expect(run.structural).toMatchObject({ mime_preamble: 1, mime_epilogue: 1, mime_attachment: 1, mime_boundary: 6 });
    expect(run.notes.some((n) => n.includes('application/pdf'))).toBe(true);
  });

  it('the one-line failure form', async () => {
    const text = eml('base64', alertBody('Daily Report', "Report generation failed: 'NoneType' object is not subscriptable"));
    const run = await runParser(parser, text, 'mail.eml');
    expect(run.unaccounted).toBe(0);
    const f = run.rows.find((r) => r.values.key === 'failure')!;
    expect(f.values).toMatchObject({ value_text: "'NoneType' object is not subscriptable", report_date: null, generated_at: '2025-12-22T00:00:00.000Z' });
  });

  it('a .txt copy of the mail body', async () => {
    const body = alertBody('Daily Report', REPORT);
    const run = await runParser(parser, body, 'copy.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toHaveLength(14);
    const ev = run.rows.find((r) => r.values.key === 'Events Logged')!;
    expect(body.split('\n')[ev.line - 1]).toContain('Events Logged:    66025');
    expect(ev.lines).toBe(1);
    expect(run.structural.mail_body).toBe(body.split('\n').length - 1 - 14);
  });

  it('a non-report alert mail is claimed but yields no values', async () => {
    const text = eml('base64', alertBody('Redis Connection Failed', 'Error 111 connecting to cdb_redis:6379. Connection refused.'), '[CRITICAL] Claire de Binare: Redis Connection Failed');
    const run = await runParser(parser, text, 'mail.eml');
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toEqual([]);
    expect(run.notes.join('\n')).toContain('not a daily report');
  });

  it('a corrupt base64 line is quarantined, the rest decodes', async () => {
    const text = eml('base64', alertBody('Daily Report', REPORT)).replace(/\n(--=+4242424242424242424==--)/, '\n!!not base64!!\n$1');
    const run = await runParser(parser, text, 'mail.eml');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => q.text)).toEqual(['!!not base64!!']);
    expect(run.rows.find((r) => r.values.key === 'Events Logged')).toBeDefined();
  });
});

const CDB_HTML = `
    <!DOCTYPE html>
    <html>
    <head>
        <style>
            body { font-family: Arial, sans-serif; margin: 20px; }
            .metric-value { font-size: 32px; font-weight: bold; color: #1f77b4; }
        </style>
    </head>
    <body>
        <div class="header">
            <h1>CDB Daily Orders Summary</h1>
            <p><strong>Period:</strong> 2026-01-17 08:00 UTC - 2026-01-18 08:00 UTC</p>
        </div>

        <div class="summary">
            <div class="metric">
                <div class="metric-value">120</div>
                <div class="metric-label">Total Orders</div>
            </div>
            <div class="metric">
                <div class="metric-value">57</div>
                <div class="metric-label">Filled</div>
            </div>
            <div class="metric">
                <div class="metric-value">3</div>
                <div class="metric-label">Rejected</div>
            </div>
            <div class="metric">
                <div class="metric-value">0</div>
                <div class="metric-label">Cancelled</div>
            </div>
            <div class="metric">
                <div class="metric-value">47.5%</div>
                <div class="metric-label">Fill Rate</div>
            </div>
        </div>

        <h3>Top Rejection Reasons</h3>
        <table>
            <tr>
                <th>Reason</th>
                <th style="text-align: right;">Count</th>
            </tr>
            <tr><td colspan="2" style="text-align: center; color: #999;">No rejections</td></tr>
        </table>

        <h3>Trade Execution</h3>
        <ul>
            <li><strong>Total Trades:</strong> 57</li>
            <li><strong>Total Notional:</strong> $1,234,567.89</li>
            <li><strong>Total Fees:</strong> $0.0000</li>
        </ul>

        <div class="footer">
            <p>Generated by CDB Reports Service | 2026-01-18 08:00:00 UTC</p>
            <p><a href="http://localhost:3000">Grafana Dashboard</a></p>
        </div>
    </body>
    </html>
`;

describe('report-mail: cdb_reports', () => {
  const text = [
    'Content-Type: multipart/alternative; boundary="===============1111=="',
    'MIME-Version: 1.0',
    'Subject: CDB Daily Orders Summary - 2026-01-18',
    'From: CDB Reports <reports@example.com>',
    'To: ops@example.com',
    '',
    '--===============1111==',
    'Content-Type: text/html; charset="us-ascii"',
    'MIME-Version: 1.0',
    'Content-Transfer-Encoding: 7bit',
    '',
    CDB_HTML,
    '--===============1111==',
    'Content-Type: text/plain; charset="us-ascii"',
    '',
    'CDB Daily Orders Summary',
    'Total Orders: 120',
    '--===============1111==--',
  ].join('\n');

  it('reads the tiles, the trade list, the period and the footer time', async () => {
    const run = await runParser(parser, text, 'summary.eml');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const v = Object.fromEntries(run.rows.map((r) => [r.values.key, [r.values.value_text, r.values.value_num]]));
    expect(v).toEqual({
      Period: ['2026-01-17 08:00 UTC - 2026-01-18 08:00 UTC', null],
      'Total Orders': ['120', 120],
      Filled: ['57', 57],
      Rejected: ['3', 3],
      Cancelled: ['0', 0],
      'Fill Rate': ['47.5%', 47.5],
      'Top Rejection Reasons': ['No rejections', 0],
      'Total Trades': ['57', 57],
      'Total Notional': ['$1,234,567.89', 1234567.89],
      'Total Fees': ['$0.0000', 0],
    });
    for (const r of run.rows) {
      expect(r.values).toMatchObject({ report_kind: 'cdb_reports', report_date: '2026-01-18', generated_at: '2026-01-18T08:00:00.000Z', generated_text: '2026-01-18 08:00:00 UTC', zone: 'UTC' });
    }
    const lines = text.split('\n');
    const total = run.rows.find((r) => r.values.key === 'Total Orders')!;
    expect(lines[total.line - 1]).toContain('>120<');
    // The plain-text alternative repeats the report and is not counted twice.
    expect(run.structural.mime_alternative_duplicate).toBe(2);
  });
});

describe('helpers', () => {
  it.each([
    ['Mon, 22 Dec 2025 01:00:02 +0100', '2025-12-22T00:00:02.000Z', '+0100'],
    ['22 Dec 2025 00:00:02 GMT', '2025-12-22T00:00:02.000Z', 'GMT'],
    ['Sun, 21 Dec 2025 19:00:02 -0500 (EST)', '2025-12-22T00:00:02.000Z', '-0500'],
    ['yesterday', null, null],
  ])('mail date %s', (s, iso, zone) => {
    const r = parseMailDate(s);
    expect(r?.iso ?? null).toBe(iso);
    expect(r?.zone ?? null).toBe(zone);
  });

  it.each([
    ['=?utf-8?b?W0lORk9dIENsYWlyZSBkZSBCaW5hcmU6IERhaWx5IFJlcG9ydA==?=', '[INFO] Claire de Binare: Daily Report'],
    ['=?utf-8?q?Daily_Report_=E2=9C=85?=', 'Daily Report ✅'],
    ['plain', 'plain'],
  ])('encoded words %s', (s, out) => {
    expect(decodeEncodedWords(s)).toBe(out);
  });

  it.each([
    ['base64 eml', eml('base64', alertBody('Daily Report', REPORT)), 95],
    ['txt copy', alertBody('Daily Report', REPORT), 90],
    ['report without prefixes', REPORT, 70],
    ['encoded subject', 'Subject: =?utf-8?b?W0lORk9dIENsYWlyZSBkZSBCaW5hcmU6IERhaWx5IFJlcG9ydA==?=\n\nbody', 95],
    ['unrelated mail', 'From: a@b.c\nSubject: lunch?\n\nhi', null],
    ['compose log with the report', REPORT.split('\n').map((l) => `cdb_paper_runner  | ${l}`).join('\n'), null],
  ])('sniff %s', (_n, text, conf) => {
    expect(parser.claims.sniff(headFromText(text))?.confidence ?? null).toBe(conf);
  });
});
