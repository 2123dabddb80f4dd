import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import parser from './event-jsonl.js';

const line = (ts: string, channel: string, event: string) => `{"timestamp": "${ts}", "channel": "${channel}", "event": ${event}}`;

const GOOD = [
  line('2025-11-30T14:02:11.907311', 'market_data', '{"type": "market_data", "symbol": "BTC_USDT", "timestamp": 1764511320, "price": 91234.5, "volume": 0.0, "pct_change": 0.412, "interval": "1m"}'),
  line('2025-11-30T14:02:12.001000', 'signals', '{"type": "signal", "symbol": "BTC_USDT", "side": "BUY", "signal_type": "buy", "confidence": 0.35, "timestamp": 1764511331}'),
  line('2025-11-30T14:02:12.100000', 'alerts', '{"type": "alert", "level": "WARNING", "code": "RISK_LIMIT", "message": "Max Exposure erreicht: 5120.40 >= 5000.00", "context": {"signal": "BTC_USDT"}, "timestamp": 1764511331}'),
  line('2025-11-30T14:02:13.5', 'order_results', '{"type": "order_result", "order_id": "MOCK_1a2b3c4d", "status": "REJECTED", "symbol": "BTC_USDT", "error_message": "Mock rejection: Insufficient liquidity", "timestamp": 1764511332}'),
];

describe('event-jsonl', () => {
  it('one row per event: naive timestamp read as UTC, channel, event text as written, decoded columns', async () => {
    const run = await runParser(parser, GOOD.join('\n') + '\n', 'events_20251130.jsonl');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => [r.line, r.values.ts, r.values.channel, r.values.msg_type])).toEqual([
      [1, '2025-11-30T14:02:11.907Z', 'market_data', 'market_data'],
      [2, '2025-11-30T14:02:12.001Z', 'signals', 'signal'],
      [3, '2025-11-30T14:02:12.100Z', 'alerts', 'alert'],
      [4, '2025-11-30T14:02:13.500Z', 'order_results', 'order_result'],
    ]);
    expect(run.rows[0].values.payload).toBe(
      '{"type": "market_data", "symbol": "BTC_USDT", "timestamp": 1764511320, "price": 91234.5, "volume": 0.0, "pct_change": 0.412, "interval": "1m"}',
    );
    expect(run.rows[2].values).toMatchObject({ source: 'jsonl', level: 'WARNING', code: 'RISK_LIMIT', payload_ts: '2025-11-30T14:02:11.000Z' });
    expect(run.rows[3].values).toMatchObject({ status: 'REJECTED', reason: 'Mock rejection: Insufficient liquidity' });
    expect(run.notes).toEqual(['events per channel: market_data=1, signals=1, alerts=1, order_results=1']);
  });

  it('runbook dialect events: ISO Z timestamps, signal_type BUY, approved false', async () => {
    const text = [
      line('2025-11-29T12:35:00Z', 'trading_signals', '{"signal_id": "sig_123", "symbol": "BTCUSDT", "signal_type": "BUY", "confidence": 0.75, "timestamp": "2025-11-29T12:35:00Z"}'),
      line('2025-11-29T12:35:10Z', 'risk_events', '{"signal_id": "sig_123", "approved": false, "reason": "Daily Drawdown exceeded (5.2% > 5.0%)", "timestamp": "2025-11-29T12:35:10Z"}'),
    ].join('\n');
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.rows[0].values).toMatchObject({ ts: '2025-11-29T12:35:00.000Z', signal_type: 'BUY', signal_id: 'sig_123', confidence: 0.75 });
    expect(run.rows[1].values).toMatchObject({ approved: 0, reason: 'Daily Drawdown exceeded (5.2% > 5.0%)', payload_ts: '2025-11-29T12:35:10.000Z' });
  });

  it('an event stored as a JSON string is decoded', async () => {
    const run = await runParser(parser, `{"timestamp": "2026-01-16T10:00:18.5", "channel": "market_data", "event": "{\\"symbol\\": \\"BTCUSDT\\", \\"ts_ms\\": 1768557618500, \\"price\\": \\"95639.26\\"}"}`);
    expect(run.unaccounted).toBe(0);
    expect(run.rows[0].values).toMatchObject({ symbol: 'BTCUSDT', price: 95639.26, payload_ts: '2026-01-16T10:00:18.500Z', payload: '{"symbol": "BTCUSDT", "ts_ms": 1768557618500, "price": "95639.26"}' });
  });

  it.each([
    ['not JSON', '{"timestamp": "2025-11-30T14:02:11", "channel": "signals", "event": {"a": 1}', /^not JSON: /],
    ['missing event', '{"timestamp": "2025-11-30T14:02:11", "channel": "signals"}', /^event line without event$/],
    ['bad timestamp', '{"timestamp": "yesterday", "channel": "signals", "event": {}}', /^event timestamp "yesterday" is not a time$/],
    ['event is a number', '{"timestamp": "2025-11-30T14:02:11", "channel": "signals", "event": 5}', /^event on signals is not a JSON object$/],
    ['event is a non-JSON string', '{"timestamp": "2025-11-30T14:02:11", "channel": "signals", "event": "hi"}', /^event on signals is not JSON: /],
    ['array line', '[1, 2]', /^a JSON line that is not an object$/],
  ])('%s is quarantined with a reason; the next line still parses', async (_n, bad, re) => {
    const run = await runParser(parser, `${bad}\n\n${GOOD[1]}\n`);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toHaveLength(1);
    expect(run.quarantined[0].lineNo).toBe(1);
    expect(run.quarantined[0].reason).toMatch(re);
    expect(run.structural).toEqual({ blank: 1 });
    expect(run.rows.map((r) => r.line)).toEqual([3]);
  });
});

describe('event-jsonl sniff', () => {
  it.each([
    ['event log', GOOD.join('\n'), 95],
    ['docker json-file log', '{"log":"2025-12-22 00:00:01,123 [INFO] x\\n","stream":"stderr","time":"2025-12-22T00:00:01.123456789Z"}\n', null],
    ['compose ps json', '{"Name":"cdb_risk","Service":"cdb_risk","State":"running"}\n', null],
    ['plain text', 'hello\n', null],
  ])('%s', (_n, text, want) => {
    expect(parser.claims.sniff(headFromText(text))?.confidence ?? null).toBe(want);
  });
});
