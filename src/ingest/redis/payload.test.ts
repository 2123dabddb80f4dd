import { describe, expect, it } from 'vitest';
import { decodeObject, decodePayload, epochToIso, isoToUtc, rawMember, streamIdToIso, streamKeyFromFields, streamKeyFromName } from './payload.js';

describe('decodePayload: the payload shapes of §4.2', () => {
  it.each([
    [
      'era A market_data',
      '{"type": "market_data", "symbol": "BTC_USDT", "timestamp": 1764449520, "price": 91234.5, "volume": 0.0, "pct_change": 0.412, "interval": "1m"}',
      { msg_type: 'market_data', symbol: 'BTC_USDT', price: 91234.5, volume: 0, pct_change: 0.412, payload_ts: '2025-11-29T20:52:00.000Z' },
    ],
    [
      'era A signal',
      '{"type": "signal", "symbol": "BTC_USDT", "side": "BUY", "signal_type": "buy", "confidence": 0.35, "reason": "Momentum: +3.45% (Schwelle: 3.0%)", "timestamp": 1764449525, "price": 91234.5, "pct_change": 3.45}',
      { msg_type: 'signal', side: 'BUY', signal_type: 'buy', confidence: 0.35, reason: 'Momentum: +3.45% (Schwelle: 3.0%)', payload_ts: '2025-11-29T20:52:05.000Z' },
    ],
    [
      'era A order (numeric signal_id)',
      '{"type": "order", "symbol": "BTC_USDT", "side": "BUY", "quantity": 350.0, "signal_id": 1764449525, "timestamp": 1764449525, "client_id": "BTC_USDT-1764449525"}',
      { msg_type: 'order', quantity: 350, signal_id: '1764449525', client_id: 'BTC_USDT-1764449525' },
    ],
    [
      'rejected order_result (error_message → reason, filled_quantity is second choice)',
      '{"type": "order_result", "order_id": "MOCK_1a2b3c4d", "status": "REJECTED", "symbol": "BTC_USDT", "filled_quantity": 0.0, "error_message": "Mock rejection: Insufficient liquidity", "timestamp": 1764449526}',
      { order_id: 'MOCK_1a2b3c4d', status: 'REJECTED', reason: 'Mock rejection: Insufficient liquidity', quantity: 0, price: null },
    ],
    [
      'alert',
      '{"type": "alert", "level": "WARNING", "code": "RISK_LIMIT", "message": "Max Exposure erreicht", "context": {"signal": "BTC_USDT"}, "timestamp": 1764449525}',
      { msg_type: 'alert', level: 'WARNING', code: 'RISK_LIMIT', symbol: null },
    ],
    [
      'era B market_data: string price, trade_qty, ts_ms',
      '{"schema_version": "v1.0", "source": "mexc", "symbol": "BTCUSDT", "ts_ms": 1768557618500, "price": "95639.26", "trade_qty": "0.0031", "side": "buy"}',
      { msg_type: null, symbol: 'BTCUSDT', price: 95639.26, volume: 0.0031, side: 'buy', payload_ts: '2026-01-16T10:00:18.500Z' },
    ],
    [
      'era B signal: empty strategy_id kept',
      '{"type": "signal", "signal_id": "sig-0123456789abcdef0123456789abcdef", "strategy_id": "", "symbol": "BTCUSDT", "timestamp": 1768557618, "side": "BUY"}',
      { signal_id: 'sig-0123456789abcdef0123456789abcdef', strategy_id: '', confidence: null, payload_ts: '2026-01-16T10:00:18.000Z' },
    ],
    [
      'runbook market_data: volume_24h, ISO Z',
      '{"symbol": "BTCUSDT", "price": 50000.0, "volume_24h": 1234567890, "timestamp": "2025-11-29T12:34:56Z"}',
      { volume: 1234567890, payload_ts: '2025-11-29T12:34:56.000Z' },
    ],
    [
      'runbook signal: signal_type BUY',
      '{"signal_id": "sig_123", "symbol": "BTCUSDT", "signal_type": "BUY", "confidence": 0.75, "price": 50000.0, "timestamp": "2025-11-29T12:35:00Z"}',
      { signal_id: 'sig_123', signal_type: 'BUY', confidence: 0.75, payload_ts: '2025-11-29T12:35:00.000Z' },
    ],
    [
      'runbook risk event: approved false',
      '{"signal_id": "sig_123", "approved": false, "reason": "Daily Drawdown exceeded (5.2% > 5.0%)", "timestamp": "2025-11-29T12:35:10Z"}',
      { approved: 0, reason: 'Daily Drawdown exceeded (5.2% > 5.0%)' },
    ],
    ['approved "t"', '{"approved": "t"}', { approved: 1 }],
    ['approved true', '{"approved": true}', { approved: 1 }],
    ['approved "maybe" is not a boolean', '{"approved": "maybe"}', { approved: null }],
    ['epoch ms in timestamp', '{"timestamp": 1768557618604}', { payload_ts: '2026-01-16T10:00:18.604Z' }],
    ['numeric string timestamp (stream entry)', '{"timestamp": "1767621731"}', { payload_ts: '2026-01-05T14:02:11.000Z' }],
    ['naive ISO with microseconds is UTC, truncated', '{"timestamp": "2025-11-30T14:02:11.907911"}', { payload_ts: '2025-11-30T14:02:11.907Z' }],
    ['ISO with offset', '{"timestamp": "2025-11-30T15:02:11+01:00"}', { payload_ts: '2025-11-30T14:02:11.000Z' }],
    ['ts when no timestamp/ts_ms', '{"ts": "1767621731000"}', { payload_ts: '2026-01-05T14:02:11.000Z' }],
    ['size as quantity', '{"size": "0.5"}', { quantity: 0.5 }],
    ['non-numeric price', '{"price": "n/a"}', { price: null }],
    ['nonsense timestamp', '{"timestamp": "yesterday"}', { payload_ts: null }],
    ['implausible epoch', '{"timestamp": 12}', { payload_ts: null }],
  ])('%s', (_name, text, want) => {
    const r = decodePayload(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.columns).toMatchObject(want);
  });

  it.each([
    ['hello', /not valid JSON|Unexpected token/],
    ['', /empty payload/],
    ['[1, 2]', /a JSON array, not an object/],
    ['42', /a JSON number, not an object/],
    ['"text"', /a JSON string, not an object/],
    ['null', /a JSON null, not an object/],
    ['{"type": "signal", ', /JSON|Unexpected|Expected/],
  ])('%j is refused with a reason', (text, re) => {
    const r = decodePayload(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(re);
  });
});

describe('times', () => {
  it.each([
    [1766363760, '2025-12-22T00:36:00.000Z'],
    [1766363795.2029, '2025-12-22T00:36:35.202Z'],
    [1768557618604, '2026-01-16T10:00:18.604Z'],
  ])('epochToIso(%d)', (v, want) => expect(epochToIso(v)).toBe(want));
  it.each([
    ['2025-11-30T14:02:11.907311', '2025-11-30T14:02:11.907Z'],
    ['2025-11-30 14:02:11', '2025-11-30T14:02:11.000Z'],
    ['2025-11-30T14:02:11.9Z', '2025-11-30T14:02:11.900Z'],
    ['2025-11-30T14:02:11-05:00', '2025-11-30T19:02:11.000Z'],
    ['2025-02-30T00:00:00', null],
    ['2025-11-30', null],
    ['30.11.2025 14:02', null],
  ])('isoToUtc(%s)', (s, want) => expect(isoToUtc(s)).toBe(want));
  it('stream id clock', () => {
    expect(streamIdToIso('1768557618604-0')).toBe('2026-01-16T10:00:18.604Z');
    expect(streamIdToIso('not-an-id')).toBeNull();
  });
});

describe('stream key inference', () => {
  it.each([
    [{ type: 'signal' }, 'stream.signals'],
    [{ type: 'order' }, 'stream.orders'],
    [{ type: 'order_result', filled_size: '1' }, null],
    [{ ts: '1', symbol: 'BTCUSDT', timeframe: '60s', open: '1', close: '1' }, 'stream.candles_1m'],
    [{ ts: '1', regime: 'TREND', adx: '20' }, 'stream.regime_signals'],
    [{ ts: '1', strategy_id: 'paper', allocation_pct: '0.02' }, 'stream.allocation_decisions'],
  ])('%j → %s', (fields, key) => {
    expect(streamKeyFromFields(fields)?.key ?? null).toBe(key);
  });
  it.each([
    ['xrange_stream.signals.txt', 'stream.signals'],
    ['xlen_xinfo_stream.order_results.txt', 'stream.order_results'],
    ['capture-7.txt', null],
  ])('name %s → %s', (n, key) => expect(streamKeyFromName(n)).toBe(key));
});

describe('rawMember keeps the event text as written', () => {
  it.each([
    ['{"timestamp": "t", "channel": "c", "event": {"volume": 0.0, "p": 5.028e-06, "s": "a}b\\"c"}}', 'event', '{"volume": 0.0, "p": 5.028e-06, "s": "a}b\\"c"}'],
    ['{"event": [1, {"a": 2}] , "x": 1}', 'event', '[1, {"a": 2}]'],
    ['{"a": 1, "b": "two"}', 'b', '"two"'],
    ['{"a": 1}', 'missing', null],
  ])('%s', (text, key, want) => {
    expect(rawMember(text, key)).toBe(want);
  });
  it('decodeObject ignores unknown fields', () => {
    expect(decodeObject({ foo: 1 }).symbol).toBeNull();
  });
});
