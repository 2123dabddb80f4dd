import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headFromText, runParser, type ParserRun } from '../testing.js';
import parser, { redactMonitorLine } from './redis-monitor.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real-tools/redis');
const REAL = readFileSync(resolve(FIX, 'monitor.txt'), 'utf8');

function everyStoredText(run: ParserRun): string {
  return JSON.stringify([run.rows, run.quarantined, run.notes]);
}

describe('redis-monitor on the real redis-cli 7.0.15 MONITOR capture', () => {
  it('parses every line; PUBLISH counts per channel match the raw text', async () => {
    const run = await runParser(parser, REAL, 'monitor.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.structural).toEqual({ ok: 1 });
    const lines = REAL.split('\n').filter((l) => l !== '');
    expect(run.rows.length).toBe(lines.length - 1);
    const want = new Map<string, number>();
    for (const l of lines) {
      const m = /"PUBLISH" "([^"]+)"/.exec(l);
      if (m) want.set(m[1], (want.get(m[1]) ?? 0) + 1);
    }
    const got = new Map<string, number>();
    for (const r of run.rows) if (r.values.command === 'PUBLISH') got.set(String(r.values.channel), (got.get(String(r.values.channel)) ?? 0) + 1);
    expect(got).toEqual(want);
    expect(run.rows.filter((r) => r.values.command === 'AUTH')).toHaveLength(lines.filter((l) => l.includes('"AUTH"')).length);
  });

  it('decodes the first PUBLISH with the MONITOR clock as ts', async () => {
    const run = await runParser(parser, REAL);
    expect(run.rows[0]).toMatchObject({ line: 2, lines: 1 });
    expect(run.rows[0].values).toMatchObject({
      source: 'monitor',
      command: 'PUBLISH',
      channel: 'market_data',
      ts: '2025-12-22T00:36:35.202Z',
      symbol: 'AVAX_USDT',
      price: 14.34,
      payload_ts: '2025-12-22T00:36:00.000Z',
    });
    expect(run.rows[0].values.payload).toBe(
      '{"type": "market_data", "symbol": "AVAX_USDT", "timestamp": 1766363760, "price": 14.34, "volume": 1276717.0, "pct_change": 0.078, "interval": "1m"}',
    );
  });

  it('noise commands are rows with the command only', async () => {
    const run = await runParser(parser, REAL);
    const ping = run.rows.find((r) => r.values.command === 'PING');
    expect(ping?.values).toMatchObject({ channel: null, payload: null, symbol: null });
    const auth = run.rows.find((r) => r.values.command === 'AUTH');
    expect(auth?.values.payload).toBeNull();
  });
});

describe('redis-monitor on hand-made lines', () => {
  it.each([
    ['AUTH', '1766363797.562209 [0 127.0.0.1:54882] "AUTH" "hunter2pw"'],
    ['AUTH user pw', '1766363797.562209 [0 127.0.0.1:54882] "auth" "default" "hunter2pw"'],
    ['HELLO 3 AUTH', '1766363797.562209 [0 127.0.0.1:54882] "HELLO" "3" "AUTH" "default" "hunter2pw"'],
    ['CONFIG SET requirepass', '1766363797.562209 [0 127.0.0.1:54882] "CONFIG" "SET" "requirepass" "hunter2pw"'],
    ['unparseable AUTH line', '1766363797.562209 [0 127.0.0.1:54882] "AUTH" "hunter2pw'],
  ])('%s leaves no password in any row, quarantine excerpt or note', async (_n, line) => {
    const run = await runParser(parser, `OK\n${line}\n`);
    expect(run.unaccounted).toBe(0);
    expect(everyStoredText(run)).not.toContain('hunter2pw');
    expect(run.rows.length + run.quarantined.length).toBe(1);
  });

  it('redactMonitorLine keeps the line shape', () => {
    expect(redactMonitorLine('1.000001 [0 lua] "HELLO" "3" "AUTH" "u" "p\\x41"')).toBe('1.000001 [0 lua] "HELLO" "3" "AUTH" "‹redacted›" "‹redacted›"');
    expect(redactMonitorLine('1.000001 [0 lua] "PING"')).toBe('1.000001 [0 lua] "PING"');
  });

  it('XADD: key, explicit id, fields as a JSON payload, decoded columns', async () => {
    const text = [
      '1768557618.604112 [0 172.18.0.9:40112] "XADD" "stream.fills" "MAXLEN" "~" "10000" "1768557618604-0" "type" "order_result" "order_id" "MOCK_58182303" "status" "FILLED" "price" "95639.26" "filled_quantity" "0.001" "timestamp" "1768557618"',
      '1768557619.000001 [0 172.18.0.9:40112] "XADD" "stream.signals" "*" "type" "signal" "symbol" "BTCUSDT"',
    ].join('\n');
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.rows[0].values).toMatchObject({
      command: 'XADD', channel: 'stream.fills', stream_id: '1768557618604-0', order_id: 'MOCK_58182303', status: 'FILLED', price: 95639.26, quantity: 0.001,
      ts: '2026-01-16T10:00:18.604Z', payload_ts: '2026-01-16T10:00:18.000Z',
    });
    expect(JSON.parse(String(run.rows[0].values.payload))).toEqual({
      type: 'order_result', order_id: 'MOCK_58182303', status: 'FILLED', price: '95639.26', filled_quantity: '0.001', timestamp: '1768557618',
    });
    expect(run.rows[1].values).toMatchObject({ channel: 'stream.signals', stream_id: null, msg_type: 'signal' });
  });

  it.each([
    ['lua client', '1764449525.412345 [0 lua] "PUBLISH" "alerts" "{\\"type\\": \\"alert\\", \\"code\\": \\"RISK_LIMIT\\"}"', { channel: 'alerts', code: 'RISK_LIMIT' }],
    ['unix socket, db 3', '1764449525.412345 [3 unix:/tmp/redis.sock] "PUBLISH" "orders" "{\\"reason\\": \\"gro\\xc3\\x9f\\"}"', { channel: 'orders', reason: 'groß' }],
    ['XREAD noise', '1768557618.604112 [0 172.18.0.9:40112] "XREAD" "BLOCK" "1000" "STREAMS" "stream.signals" "$"', { command: 'XREAD', channel: null }],
  ])('%s', async (_n, line, want) => {
    const run = await runParser(parser, line);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows[0].values).toMatchObject(want);
  });

  it('a PUBLISH whose payload is not JSON is quarantined; the next line still parses', async () => {
    const text = [
      '1764449525.000001 [0 172.18.0.7:51234] "PUBLISH" "signals" "test"',
      '1764449525.000002 [0 172.18.0.7:51234] "PUBLISH" "signals" "{\\"symbol\\": \\"OK\\"}"',
      'garbage',
      '1764449525.000003 [0 172.18.0.7:51234] "XADD" "stream.x" "*" "lonely"',
    ].join('\n');
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => r.values.symbol)).toEqual(['OK']);
    expect(run.quarantined.map((q) => [q.lineNo, q.reason.replace(/: .*/, '')])).toEqual([
      [1, 'payload on signals is not JSON'],
      [3, 'not a MONITOR line (expected `<epoch>.<micro> [<db> <addr>] "CMD" ...`)'],
      [4, 'XADD to stream.x has a field without a value'],
    ]);
  });
});

describe('redis-monitor sniff', () => {
  it.each([
    ['real capture', REAL, 95],
    ['SUBSCRIBE capture', 'subscribe\nsignals\n1\n', null],
    ['INFO', '# Memory\nused_memory:1\n', null],
    ['a log with an epoch', '1766363795.202263 something happened\n', null],
    ['only OK', 'OK\n', null],
  ])('%s', (_n, text, want) => {
    expect(parser.claims.sniff(headFromText(text))?.confidence ?? null).toBe(want);
  });
});
