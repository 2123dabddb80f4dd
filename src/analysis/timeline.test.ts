import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../report/model.js';
import { TestDb } from './testing.js';
import { buildTimeline, headerClock } from './timeline.js';
import { render, text } from '../i18n/translate.js';
import { localize } from '../i18n/localize.js';

const NO_BREAK = { break_at: null, break_stage: null, break_reason: null, break_evidence: [] };

function log(t: TestDb, file: number, ts: string, service: string, message: string, extra: Record<string, unknown> = {}): void {
  t.insert('log_events', { file_id: file, ts, ts_text: ts.slice(0, 19).replace('T', ' '), docker_ts: ts, service, message, level: 'INFO', kind: 'app', ...extra });
}

function build(setup: (t: TestDb) => void, flow: Partial<typeof NO_BREAK> = {}, recon: ReportModel['reconciliation'] = []) {
  const t = new TestDb();
  setup(t);
  return buildTimeline(t.db, t.context(), { ...NO_BREAK, ...flow }, recon);
}

const brief = (e: ReturnType<typeof buildTimeline>[number]) => `${e.at} ${e.kind} ${e.service ?? '-'} ${e.title}`;

describe('buildTimeline', () => {
  it('one start per service and minute; a crash loop shows its first starts and its last, with the count', () => {
    const tl = build((t) => {
      const f = t.file('logs/compose.txt');
      for (const ts of ['2025-11-26T00:00:06.000Z', '2025-11-26T00:00:30.000Z', '2025-11-26T01:00:00.000Z', '2025-11-26T02:00:00.000Z', '2025-11-26T03:00:00.000Z', '2025-11-26T04:00:00.000Z', '2025-11-26T05:00:00.000Z']) {
        log(t, f, ts, 'cdb_risk', '🚀 Risk-Manager gestartet');
      }
      log(t, f, '2025-11-26T00:00:07.000Z', 'cdb_signal', '🚀 Signal-Engine gestartet');
    });
    expect(tl.map(brief)).toEqual([
      '2025-11-26T00:00:06Z restart cdb_risk cdb_risk started (start 1 of 6)',
      '2025-11-26T00:00:07Z restart cdb_signal cdb_signal started',
      '2025-11-26T01:00:00Z restart cdb_risk cdb_risk started (start 2 of 6)',
      '2025-11-26T02:00:00Z restart cdb_risk cdb_risk started (start 3 of 6)',
      '2025-11-26T05:00:00Z restart cdb_risk cdb_risk started — the last of 6 starts in the block (2 between not listed)',
    ]);
    expect(tl[4].count).toBe(3);
    expect(tl[0].evidence[0]).toMatchObject({ file: 'logs/compose.txt', line: 1 });
  });

  it('first and last error of each class per service, with the docker stamp offset where the clocks disagree', () => {
    const tl = build((t) => {
      const f = t.file('logs/compose.txt');
      const msg = 'Failed to persist trade: column "quantity" of relation "trades" does not exist';
      log(t, f, '2025-11-26T02:05:24.000Z', 'cdb_db_writer', msg, { level: 'ERROR', docker_ts: '2025-11-26T01:05:24.000Z' });
      log(t, f, '2025-11-26T03:00:00.000Z', 'cdb_db_writer', msg, { level: 'ERROR' });
      log(t, f, '2025-11-26T04:00:00.000Z', 'cdb_db_writer', msg, { level: 'ERROR', docker_ts: '2025-11-26T04:00:02.000Z' });
    });
    expect(tl.map(brief)).toEqual([
      '2025-11-26T02:05:24Z error_first cdb_db_writer cdb_db_writer: first writer.persist_failed error (3 in the block)',
      '2025-11-26T04:00:00Z error_last cdb_db_writer cdb_db_writer: last writer.persist_failed error',
    ]);
    expect(tl[0].clock).toEqual({ label: 'application clock vs docker --timestamps stamp', offset_s: 3600 });
    expect(localize({ timeline: tl }, 'de').timeline[0]).toMatchObject({
      title: 'cdb_db_writer: erster Fehler writer.persist_failed (3 im Block)',
      clock: { label: 'Anwendungsuhr gegenüber dem Stempel von docker --timestamps', offset_s: 3600 },
    });
    // Two seconds between the clocks is buffering, not a second clock.
    expect(tl[1].clock).toBeNull();
    expect(tl[1].evidence[0].text).toContain('Failed to persist trade');
  });

  it('the feed stops and resumes while its log kept recording; a capture that simply ends is no stop', () => {
    const tl = build((t) => {
      const f = t.file('logs/compose.txt');
      const cap = t.file('redis/subscribe.txt');
      const md = (file: number, ts: string) => t.insert('market_data', { file_id: file, ts, symbol: 'BTCUSDT', price: 1, source: 'log' });
      for (let m = 0; m <= 30; m += 5) md(f, `2025-11-26T00:${String(m).padStart(2, '0')}:00.000Z`);
      log(t, f, '2025-11-26T01:00:00.000Z', 'cdb_ws', '[ws] reconnecting in 5s...');
      md(f, '2025-11-26T01:30:00.000Z');
      md(f, '2025-11-26T01:35:00.000Z');
      log(t, f, '2025-11-26T03:00:00.000Z', 'cdb_ws', '[ws] reconnecting in 5s...');
      md(cap, '2025-11-26T00:00:00.000Z');
      md(cap, '2025-11-26T05:00:00.000Z');
    });
    const feed = tl.filter((e) => e.kind.startsWith('feed'));
    expect(feed.map(brief)).toEqual([
      '2025-11-26T00:30:00Z feed_stop - market data stopped (1 h without a tick while the same log kept recording)',
      '2025-11-26T01:30:00Z feed_resume - market data resumed after 1 h',
      '2025-11-26T01:35:00Z feed_stop - market data stopped and did not resume in the bundle (the same log kept recording 1 h 25 min longer)',
    ]);
    expect(feed.every((e) => e.evidence[0].file === 'logs/compose.txt')).toBe(true);
    expect(feed.map((e) => render('de', e.texts!.title))).toEqual([
      'Market Data stand still (1 Std. ohne Tick, während dasselbe Log weiter schrieb)',
      'Market Data lief nach 1 Std. wieder',
      'Market Data stand still und lief im Bundle nicht wieder an (dasselbe Log schrieb noch 1 Std. 25 Min. weiter)',
    ]);
  });

  it('first and last rejection per reason, with the dump row’s reason as its text', () => {
    const tl = build((t) => {
      const f = t.file('db/risk_events.csv');
      const rej = (ts: string, code: string, text: string) => t.insert('risk_decisions', { file_id: f, ts, decision: 'rejected', reason_code: code, reason_text: text, source: 'db' });
      rej('2025-11-26T00:49:33.000Z', 'drawdown', 'Daily Drawdown exceeded (5.2% > 5.0%)');
      rej('2025-11-26T10:00:00.000Z', 'exposure', 'Max exposure reached');
      rej('2025-11-27T23:00:00.000Z', 'drawdown', 'Daily Drawdown exceeded (5.3% > 5.0%)');
      t.insert('risk_decisions', { file_id: f, ts: '2025-11-26T05:00:00.000Z', decision: 'approved', source: 'db' });
    });
    expect(tl.map(brief)).toEqual([
      '2025-11-26T00:49:33Z rejection_first cdb_risk first rejection for drawdown (2 in the block)',
      '2025-11-26T10:00:00Z rejection_first cdb_risk rejection for exposure (the only one)',
      '2025-11-27T23:00:00Z rejection_last cdb_risk last rejection for drawdown',
    ]);
    expect(tl[0].evidence[0]).toEqual({ file: 'db/risk_events.csv', line: 1, text: 'rejected: Daily Drawdown exceeded (5.2% > 5.0%)' });
  });

  it('one entry per report generated, flagged when its header is host-local time; the break right after its last normal event', () => {
    const row = (generated_at: string, zone: string, metric: 'signals' | 'trades'): ReportModel['reconciliation'][number] => ({
      date: '2025-11-27', metric, report_kind: 'daily_check', report_value: 1, db_value: 1, matches: true, explanation: null, interpretation: 'local_day',
      interpretations_matching: [], complete: true, close: true, counting: 'dedup', generated_at, zone, note: null, candidates: [], evidence: [{ file: 'reports/r.md', line: 3 }],
    });
    const tl = build(
      (t) => {
        const f = t.file('logs/compose.txt');
        log(t, f, '2025-11-27T07:59:00.000Z', 'cdb_risk', '🚀 Risk-Manager gestartet');
      },
      {
        break_at: '2025-11-27T07:59:00Z',
        break_stage: 'signals',
        break_reason: 'signals ran below 10 % …',
        break_evidence: [],
        texts: { break_reason: text('break.stopped', { stage: text('break.stage.signals'), pct: 10, median: 12.5, hours: 3, from: '2025-11-27T08:00:00Z', upstream: '', recovery: text('break.never_recovered') }) },
      },
      [row('2025-11-27T08:01:27.000Z', 'host local (CET/CEST, assumed)', 'signals'), row('2025-11-27T08:01:27.000Z', 'host local (CET/CEST, assumed)', 'trades')],
    );
    expect(tl.map(brief)).toEqual([
      '2025-11-27T07:59:00Z restart cdb_risk cdb_risk started',
      '2025-11-27T07:59:00Z break - the flow broke: signals stopped after this event — signals ran below 10 % of its median 12.5/h for 3 h from 2025-11-27 08:00 UTC; never recovered in the block',
      '2025-11-27T08:01:27Z report - daily check report generated for 2025-11-27',
    ]);
    // 08:01 UTC in November is 09:01 CET: the header's clock runs 3,600 s ahead of UTC.
    expect(tl[2].clock).toEqual({ label: 'report header in host local (CET/CEST, assumed), shown in UTC', offset_s: 3600 });
    expect(tl[2].evidence[0]).toMatchObject({ file: 'reports/r.md', line: 3 });
    const de = localize({ timeline: tl }, 'de').timeline;
    expect(de.map((e) => e.title)).toEqual([
      'cdb_risk gestartet',
      'der Fluss brach ab: Stufe Signale stand nach diesem Ereignis still — Stufe Signale lief ab 27.11.2025 08:00 UTC 3 Std. lang unter 10 % ihres Medians von 12,5/h; lief im Block nicht wieder an',
      'Report daily check erzeugt für 27.11.2025',
    ]);
    expect(de[2].clock!.label).toBe('Report-Kopf in host local (CET/CEST, assumed), in UTC gezeigt');
  });

  it('a record without a service is named in the report\'s language', () => {
    const tl = build((t) => {
      const f = t.file('logs/compose.txt');
      t.insert('log_events', { file_id: f, ts: '2025-11-26T02:00:00.000Z', service: null, message: 'Failed to persist trade: column "quantity" of relation "trades" does not exist', level: 'ERROR', kind: 'app', class: 'writer.persist_failed' });
    });
    expect(tl.map(brief)).toEqual(['2025-11-26T02:00:00Z error_first (unknown service) (unknown service): writer.persist_failed error (the only one)']);
    expect(localize({ timeline: tl }, 'de').timeline[0]).toMatchObject({ service: '(unbekannter Service)', title: '(unbekannter Service): Fehler writer.persist_failed (der einzige)' });
  });

  it('leaves out what happened outside the block', () => {
    const tl = build((t) => {
      const f = t.file('logs/compose.txt');
      log(t, f, '2025-11-25T23:59:00.000Z', 'cdb_risk', '🚀 Risk-Manager gestartet');
      log(t, f, '2025-11-29T00:00:01.000Z', 'cdb_risk', '🚀 Risk-Manager gestartet');
    });
    expect(tl).toEqual([]);
  });

  it.each<[string | null, string, number | null | undefined]>([
    ['host local (CET/CEST, assumed)', '2026-07-01T12:00:00.000Z', 7200],
    ['host local (CET/CEST, assumed)', '2026-01-01T12:00:00.000Z', 3600],
    ['host local (America/New_York)', '2026-01-01T12:00:00.000Z', -18000],
    ['host local (unknown)', '2026-01-01T12:00:00.000Z', null],
    ['UTC (container clock)', '2026-01-01T12:00:00.000Z', undefined],
    [null, '2026-01-01T12:00:00.000Z', undefined],
  ])('headerClock(%j, %s) offset %j', (zone, at, offset) => {
    const c = headerClock(zone, at);
    if (offset === undefined) expect(c).toBeNull();
    else expect(c?.offset_s).toBe(offset);
  });

  it.each<[number, string, string]>([
    [12.4, '12 min', '12 Min.'],
    [60, '1 h', '1 Std.'],
    [95, '1 h 35 min', '1 Std. 35 Min.'],
    [2336, '1 d 14 h', '1 T 14 Std.'],
  ])('a feed gap of %d min reads %s / %s', (m, en, de) => {
    const tl = build((t) => {
      const f = t.file('logs/compose.txt');
      const start = Date.parse('2025-11-26T00:00:00.000Z');
      t.insert('market_data', { file_id: f, ts: new Date(start).toISOString(), symbol: 'BTCUSDT', price: 1, source: 'log' });
      log(t, f, new Date(start + 60_000).toISOString(), 'cdb_ws', '[ws] reconnecting in 5s...');
      t.insert('market_data', { file_id: f, ts: new Date(start + m * 60_000).toISOString(), symbol: 'BTCUSDT', price: 1, source: 'log' });
    });
    const resume = tl.find((e) => e.kind === 'feed_resume')!;
    expect(resume.title).toBe(`market data resumed after ${en}`);
    expect(render('de', resume.texts!.title)).toBe(`Market Data lief nach ${de} wieder`);
  });
});
