import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { TestDb } from './testing.js';
import { fileId } from './rule-testing.js';
import { classifyTraceId, trace } from './trace.js';

const SIG_S = 1764449525; // 2025-11-29T20:52:05Z
const iso = (s: number) => new Date(s * 1000).toISOString();

interface Era {
  signal?: boolean;
  decision?: 'approved' | 'rejected' | null;
  order?: boolean;
  result?: 'FILLED' | 'REJECTED' | null;
  trade?: 'both' | 'execution' | 'log' | null;
  report?: boolean | 'zero';
  otherDbTrade?: boolean;
}

/** One era-A signal through the whole pipeline; parts can be left out. */
function eraA(t: TestDb, o: Era = {}): void {
  const dbSig = fileId(t, 'postgres/signals.csv');
  const risk = fileId(t, 'logs/cdb_risk.log');
  const ord = fileId(t, 'postgres/orders.csv');
  const sub = fileId(t, 'redis/subscribe.txt');
  const trd = fileId(t, 'postgres/trades.csv');
  const rep = fileId(t, 'logs/cdb_paper_runner.log');
  if (o.signal !== false) t.insert('signals', { ts: iso(SIG_S), symbol: 'BTCUSDT', symbol_raw: 'BTC_USDT', side: 'BUY', signal_key: '17', source: 'db', file_id: dbSig, line_no: 18 });
  if (o.decision !== null) {
    t.insert('risk_decisions', { ts: iso(SIG_S + 0.3), symbol: 'BTCUSDT', side: 'BUY', decision: o.decision ?? 'approved', reason_text: o.decision === 'rejected' ? 'Max Exposure erreicht: 5120.40 >= 5000.00' : null, source: 'log', file_id: risk, line_no: 40 });
  }
  if (o.order !== false) {
    t.insert('orders', { ts: iso(SIG_S + 1), symbol: 'BTCUSDT', side: 'BUY', status: o.result ?? 'FILLED', order_id: 'MOCK_1a2b3c4d', client_id: 'BTC_USDT-1764449525', writer: 'execution', twin_file_id: ord, twin_line_no: 3, source: 'db', file_id: ord, line_no: 4 });
  }
  // The orders table is in the bundle, just without this signal's order.
  if (o.order === false) t.insert('orders', { ts: iso(SIG_S - 9000), symbol: 'ETHUSDT', side: 'BUY', status: 'FILLED', order_id: 'MOCK_00000001', writer: 'execution', source: 'db', file_id: ord, line_no: 2 });
  if (o.result !== null) {
    const status = o.result ?? 'FILLED';
    t.insert('redis_messages', {
      file_id: sub, line_no: 12, source: 'subscribe', channel: 'order_results', order_id: 'MOCK_1a2b3c4d', client_id: 'BTC_USDT-1764449525', status, payload_ts: iso(SIG_S + 1),
      payload: `{"type": "order_result", "order_id": "MOCK_1a2b3c4d", "status": "${status}", "client_id": "BTC_USDT-1764449525"}`,
    });
  }
  if (o.trade !== null) {
    const tr = o.trade ?? 'both';
    t.insert('trades', {
      ts: iso(SIG_S + 1), timestamp: iso(SIG_S + 1), symbol: 'BTCUSDT', side: 'BUY', order_id: 'MOCK_1a2b3c4d', writer: 'execution', source: tr === 'log' ? 'log' : 'db',
      twin_file_id: tr === 'both' ? trd : null, twin_line_no: tr === 'both' ? 7 : null, file_id: trd, line_no: 8,
    });
  }
  if (o.otherDbTrade) t.insert('trades', { ts: iso(SIG_S - 5000), symbol: 'ETHUSDT', side: 'BUY', writer: 'execution', source: 'db', file_id: trd, line_no: 2 });
  if (o.report !== false) {
    const zero = o.report === 'zero';
    t.insert('daily_report_values', { file_id: rep, line_no: 299, report_kind: 'paper_runner', report_date: '2025-11-30', key: 'Signals Today', value_text: zero ? '0' : '1', value_num: zero ? 0 : 1 });
    t.insert('daily_report_values', { file_id: rep, line_no: 300, report_kind: 'paper_runner', report_date: '2025-11-30', key: 'Trades Today', value_text: zero ? '0' : '1', value_num: zero ? 0 : 1 });
  }
}

describe('classifyTraceId', () => {
  it.each([
    ['sig-0f3a9c2b5d6e4f708192a3b4c5d6e7f8', 'signal_id'],
    ['sig_123', 'signal_id'],
    ['BTC_USDT-1764449525', 'client_id'],
    ['MOCK_72265633', 'order_id'],
    ['1764449525', 'timestamp'],
    ['42', 'row_id'],
  ])('%s is a %s', (id, kind) => expect(classifyTraceId(id).kind).toBe(kind));

  it('refuses an id it cannot place', () => {
    expect(() => classifyTraceId('hello world')).toThrow(UserError);
  });
});

describe('trace', () => {
  it.each(['BTC_USDT-1764449525', 'MOCK_1a2b3c4d', '1764449525', '1'])('follows %s through every hop', (id) => {
    const t = new TestDb();
    eraA(t);
    const r = trace(t.db, id);
    expect(r.hops.map((h) => [h.hop, h.found])).toEqual([
      ['signal', true],
      ['risk_decision', true],
      ['order', true],
      ['order_result', true],
      ['trade_rows', true],
      ['report_day', true],
    ]);
    expect(r.vanished_at).toBeNull();
    expect(r.ended).toBeNull();
    expect(r.keys).toMatchObject({ symbol: 'BTCUSDT', client_id: 'BTC_USDT-1764449525', order_id: 'MOCK_1a2b3c4d', signal_ts: '2025-11-29T20:52:05.000Z' });
    expect(r.hops.find((h) => h.hop === 'trade_rows')!.summary).toMatch(/both writers/);
    expect(r.hops.find((h) => h.hop === 'trade_rows')!.evidence.map((e) => e.line)).toEqual([8, 7]);
  });

  const breaks: [string, Era, string | null, string | null][] = [
    ['the order never came', { order: false, result: null, trade: null }, 'order', null],
    ['the fill was never persisted', { trade: null, otherDbTrade: true }, 'trade_rows', null],
    ['the fill is only in the execution log', { trade: 'log', otherDbTrade: true }, 'trade_rows', null],
    ['no report for the day', { report: false, otherDbTrade: true }, null, null],
    ['the report of the day counts 0 trades', { report: 'zero' }, 'report_day', null],
    ['rejected by risk: an ending, not a vanishing', { decision: 'rejected', order: false, result: null, trade: null }, null, 'risk_decision'],
    ['rejected by the mock exchange', { result: 'REJECTED', trade: null }, null, 'order_result'],
  ];
  it.each(breaks)('%s', (_n, era, vanished, ended) => {
    const t = new TestDb();
    eraA(t, era);
    if (era.report === false) t.insert('daily_report_values', { file_id: fileId(t, 'r.md'), report_kind: 'daily_check', report_date: '2025-11-20', key: 'Trades', value_text: '1' });
    const r = trace(t.db, 'BTC_USDT-1764449525');
    expect(r.vanished_at).toBe(vanished ?? (era.report === false ? 'report_day' : null));
    expect(r.ended?.at ?? null).toBe(ended);
  });

  it.each([
    ['ends before the report was due: not evaluable', '2025-11-29T23:10:00.000Z', null],
    ['runs past the report time without it: vanished at report_day', '2025-11-30T06:00:00.000Z', false],
  ])('a bundle whose evidence %s', (_n, lastTs, found) => {
    const t = new TestDb();
    eraA(t, { report: false });
    t.insert('daily_report_values', { file_id: fileId(t, 'r.md'), report_kind: 'daily_check', report_date: '2025-11-20', key: 'Trades', value_text: '1' });
    t.insert('log_events', { file_id: fileId(t, 'logs/x.log'), line_no: 1, service: 'cdb_risk', ts: lastTs, message: 'x', kind: 'app' });
    const r = trace(t.db, 'BTC_USDT-1764449525');
    expect(r.hops.find((h) => h.hop === 'report_day')!.found).toBe(found);
    expect(r.vanished_at).toBe(found === false ? 'report_day' : null);
  });

  it('era B: a sig-… id is linked to the DB row through the capture (the DB keeps no signal_id)', () => {
    const t = new TestDb();
    const s = fileId(t, 'redis/xrange_stream.signals.txt');
    const sigId = 'sig-0f3a9c2b5d6e4f708192a3b4c5d6e7f8';
    t.insert('redis_messages', { file_id: s, source: 'xrange', channel: 'stream.signals', signal_id: sigId, symbol: 'BTCUSDT', ts: '2026-01-16T10:00:18.604Z', payload_ts: '2026-01-16T10:00:18.000Z', payload: '{}' });
    t.insert('signals', { ts: '2026-01-16T10:00:18.000Z', symbol: 'BTCUSDT', symbol_raw: 'BTCUSDT', side: 'BUY', signal_key: '4711', source: 'db', file_id: fileId(t, 'postgres/signals.csv'), line_no: 4711 });
    t.insert('orders', { ts: '2026-01-16T10:00:18.700Z', symbol: 'BTCUSDT', side: 'BUY', status: 'FILLED', order_id: 'MOCK_72265633', client_id: 'BTCUSDT-1768557618', writer: 'execution', source: 'db', file_id: fileId(t, 'postgres/orders.csv'), line_no: 2 });
    const r = trace(t.db, sigId);
    expect(r.hops[0]).toMatchObject({ hop: 'signal', found: true });
    expect(r.keys.order_id).toBe('MOCK_72265633');
    expect(r.hops.find((h) => h.hop === 'order')!.found).toBe(true);
    // no risk decisions, fills or reports in this bundle: not evaluable, not vanished
    expect(r.hops.find((h) => h.hop === 'risk_decision')!.found).toBeNull();
    expect(r.vanished_at).toBeNull();
  });

  it('is deterministic', () => {
    const t = new TestDb();
    eraA(t);
    expect(JSON.stringify(trace(t.db, 'MOCK_1a2b3c4d'))).toBe(JSON.stringify(trace(t.db, 'MOCK_1a2b3c4d')));
  });
});
