import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { quoteRedis } from '../redis/resp-text.js';
import { headFromText, runParser, type ParserRun } from '../testing.js';
import parser from './redis-subscribe.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real-tools/redis');
const REAL = readFileSync(resolve(FIX, 'subscribe_market_data_signals_orders_order_results.txt'), 'utf8');

function ok(run: ParserRun): void {
  expect(run.unaccounted).toBe(0);
}

/** redis-cli's TTY rendering of a stream of flat replies (what `docker exec -it ... SUBSCRIBE` shows). */
function tty(replies: (string | number)[][], banner = 'Reading messages... (press Ctrl-C to quit)'): string {
  const out = banner ? [banner] : [];
  for (const r of replies) {
    const w = String(r.length).length;
    r.forEach((e, i) => out.push(`${String(i + 1).padStart(w)}) ${typeof e === 'number' ? `(integer) ${e}` : quoteRedis(e)}`));
  }
  return out.join('\n') + '\n';
}

/** Cut the raw capture into its replies, the way a reader of the raw form must. */
function rawReplies(text: string): (string | number)[][] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: (string | number)[][] = [];
  for (let i = 0; i < lines.length; ) {
    const kw = lines[i];
    if (kw === 'subscribe') {
      out.push([kw, lines[i + 1], Number(lines[i + 2])]);
      i += 3;
    } else if (kw === 'message') {
      out.push([kw, lines[i + 1], lines[i + 2]]);
      i += 3;
    } else throw new Error(`fixture has an unexpected line ${i + 1}: ${kw}`);
  }
  return out;
}

const values = (run: ParserRun) => run.rows.map((r) => ({ ...r.values, lines: r.lines }));

describe('redis-subscribe on the real redis-cli 7.0.15 capture', () => {
  it('parses every line, with message counts per channel computed from the raw text', async () => {
    const run = await runParser(parser, REAL, 'subscribe_market_data_signals_orders_order_results.txt');
    ok(run);
    expect(run.quarantined).toEqual([]);
    const lines = REAL.split('\n');
    const want = new Map<string, number>();
    for (let i = 0; i < lines.length; i++) if (lines[i] === 'message') want.set(lines[i + 1], (want.get(lines[i + 1]) ?? 0) + 1);
    const got = new Map<string, number>();
    for (const r of run.rows) got.set(String(r.values.channel), (got.get(String(r.values.channel)) ?? 0) + 1);
    expect(got).toEqual(want);
    expect(run.rows.length).toBe([...want.values()].reduce((a, b) => a + b, 0));
    expect(run.structural.subscribe_confirmation).toBe(12);
    expect(run.rows.every((r) => r.lines === 3 && r.table === 'redis_messages' && r.values.source === 'subscribe')).toBe(true);
    expect(run.notes).toContain('subscribed to: market_data, signals, orders, order_results');
  });

  it('decodes the first message into columns', async () => {
    const run = await runParser(parser, REAL);
    expect(run.rows[0].line).toBe(13);
    expect(run.rows[0].values).toMatchObject({
      channel: 'market_data',
      pattern: null,
      msg_type: 'market_data',
      symbol: 'WIF_USDT',
      price: 0.42679,
      volume: 962297,
      pct_change: 0.171,
      payload_ts: '2025-12-22T00:36:00.000Z',
      ts: null,
    });
    expect(run.rows[0].values.payload).toBe(REAL.split('\n')[14]);
  });

  it('the TTY form of the same capture gives the same rows', async () => {
    const raw = await runParser(parser, REAL);
    const t = await runParser(parser, tty(rawReplies(REAL)));
    ok(t);
    expect(t.quarantined).toEqual([]);
    expect(t.structural.reading_header).toBe(1);
    expect(values(t)).toEqual(values(raw));
  });

  it('the redis-cli 7.2 banner ending in a bare CR shares its line with the first reply', async () => {
    const text = tty([['subscribe', 'signals', 1], ['message', 'signals', '{"type": "signal", "symbol": "X"}']], '')
      .replace(/^/, 'Reading messages... (press Ctrl-C to quit or any key to type command)\r');
    const run = await runParser(parser, text);
    ok(run);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => [r.line, r.values.symbol])).toEqual([[4, 'X']]);
  });
});

describe('redis-subscribe on hand-made captures', () => {
  it('\\xHH escapes are bytes of UTF-8 (gro\\xc3\\x9f → groß)', async () => {
    const text = [
      'Reading messages... (press Ctrl-C to quit)',
      '1) "message"',
      '2) "orders"',
      '3) "{\\"type\\": \\"order\\", \\"symbol\\": \\"BTC_USDT\\", \\"reason\\": \\"gro\\xc3\\x9f \\xe2\\x82\\xac\\"}"',
    ].join('\n');
    const run = await runParser(parser, text);
    ok(run);
    expect(run.rows[0].values.reason).toBe('groß €');
    expect(run.rows[0].values.payload).toBe('{"type": "order", "symbol": "BTC_USDT", "reason": "groß €"}');
  });

  it('a malformed payload is quarantined with its reason and the next message still parses', async () => {
    const text = [
      'message', 'signals', '{"type": "signal", "symbol": "A"',
      'message', 'signals', 'hello world',
      'message', 'signals', '{"type": "signal", "symbol": "B"}',
    ].join('\n');
    const run = await runParser(parser, text);
    ok(run);
    expect(run.rows.map((r) => [r.line, r.values.symbol])).toEqual([[7, 'B']]);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(run.quarantined[0].reason).toMatch(/^payload on signals is not JSON: /);
    expect(run.quarantined[3].reason).toMatch(/^payload on signals is not JSON: /);
  });

  it('runbook dialect: trading_signals with ISO timestamps and signal_type BUY', async () => {
    const text = tty([
      ['subscribe', 'trading_signals', 1],
      ['message', 'trading_signals', '{"signal_id": "sig_123", "symbol": "BTCUSDT", "signal_type": "BUY", "confidence": 0.75, "price": 50000.0, "timestamp": "2025-11-29T12:35:00Z"}'],
      ['subscribe', 'risk_approved_trades', 2],
    ]);
    const run = await runParser(parser, text);
    ok(run);
    expect(run.rows).toHaveLength(1);
    expect(run.rows[0].values).toMatchObject({
      channel: 'trading_signals', signal_id: 'sig_123', signal_type: 'BUY', confidence: 0.75, price: 50000, payload_ts: '2025-11-29T12:35:00.000Z',
    });
    expect(run.notes.some((n) => n.startsWith('risk_approved_trades is a runbook channel name'))).toBe(true);
  });

  it('era B market_data: string price, trade_qty, ts_ms', async () => {
    const text = 'subscribe\nmarket_data\n1\nmessage\nmarket_data\n{"schema_version": "v1.0", "source": "mexc", "symbol": "BTCUSDT", "ts_ms": 1768557618500, "price": "95639.26", "trade_qty": "0.0031", "side": "buy"}\n';
    const run = await runParser(parser, text);
    ok(run);
    expect(run.rows[0].values).toMatchObject({ symbol: 'BTCUSDT', price: 95639.26, volume: 0.0031, side: 'buy', payload_ts: '2026-01-16T10:00:18.500Z', msg_type: null });
  });

  it.each([
    ['raw', 'psubscribe\nsig*\n1\npmessage\nsig*\nsignals\n{"type": "signal", "symbol": "S"}\n'],
    ['tty', tty([['psubscribe', 'sig*', 1], ['pmessage', 'sig*', 'signals', '{"type": "signal", "symbol": "S"}']])],
  ])('PSUBSCRIBE (%s): quadruples with pattern and channel', async (_f, text) => {
    const run = await runParser(parser, text);
    ok(run);
    expect(run.quarantined).toEqual([]);
    expect(run.rows).toHaveLength(1);
    expect(run.rows[0].lines).toBe(4);
    expect(run.rows[0].values).toMatchObject({ source: 'psubscribe', pattern: 'sig*', channel: 'signals', symbol: 'S' });
    expect(run.structural.psubscribe_confirmation).toBe(3);
  });

  it('a pretty-printed payload spanning lines in the raw form is one message', async () => {
    const text = 'message\nsignals\n{\n  "signal_id": "sig_1",\n  "signal_type": "SELL"\n}\nmessage\nsignals\n{"signal_id": "sig_2"}\n';
    const run = await runParser(parser, text);
    ok(run);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => [r.line, r.lines, r.values.signal_id])).toEqual([[1, 6, 'sig_1'], [7, 3, 'sig_2']]);
  });

  it('an unclosed multi-line payload gives up at the next reply and re-reads it', async () => {
    const text = 'message\nsignals\n{\n  "a": 1,\nmessage\nsignals\n{"signal_id": "ok"}\n';
    const run = await runParser(parser, text);
    ok(run);
    expect(run.rows.map((r) => r.values.signal_id)).toEqual(['ok']);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([1, 2, 3, 4]);
  });

  it('a TTY reply cut short is noticed by its numbering', async () => {
    const text = ['1) "message"', '2) "signals"', '1) "message"', '2) "signals"', '3) "{\\"symbol\\": \\"Z\\"}"'].join('\n');
    const run = await runParser(parser, text);
    ok(run);
    expect(run.rows.map((r) => r.values.symbol)).toEqual(['Z']);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([1, 2]);
    expect(run.quarantined[0].reason).toMatch(/incomplete message record/);
  });

  it('a record cut off at the end of the capture is quarantined', async () => {
    const run = await runParser(parser, 'message\nsignals\n{"a": 1}\nmessage\nsignals\n');
    ok(run);
    expect(run.rows).toHaveLength(1);
    expect(run.quarantined.map((q) => [q.lineNo, q.reason])).toEqual([
      [4, 'incomplete message record at the end of the capture (2 of 3 lines)'],
      [5, 'incomplete message record at the end of the capture (2 of 3 lines)'],
    ]);
  });

  it('NOAUTH, the -a warning and a prompt echo are structure, the error a note', async () => {
    const text = [
      "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.",
      '127.0.0.1:6379> SUBSCRIBE signals',
      '(error) NOAUTH Authentication required.',
      '',
    ].join('\n');
    const run = await runParser(parser, text);
    ok(run);
    expect(run.rows).toEqual([]);
    expect(run.structural).toEqual({ auth_warning: 1, command_echo: 1, redis_error: 1 });
    expect(run.notes).toContain('redis-cli reported an error at line 3: NOAUTH Authentication required.');
    expect(run.notes).toContain('the capture holds no messages');
  });

  it('stray lines between replies are quarantined, not dropped', async () => {
    const run = await runParser(parser, 'message\nsignals\n{"a": 1}\nsomething else\n');
    ok(run);
    expect(run.quarantined).toEqual([{ lineNo: 4, reason: 'expected the first line of a pub/sub reply (message, pmessage, subscribe, ...), got "something else"', text: 'something else' }]);
  });
});

describe('redis-subscribe sniff', () => {
  it.each([
    ['real raw capture', REAL, 95],
    ['TTY capture', tty(rawReplies(REAL)), 95],
    ['empty TTY capture (banner only)', 'Reading messages... (press Ctrl-C to quit)\n', 85],
    ['runbook capture with confirmations only', 'subscribe\ntrading_signals\n1\n', 95],
    ['MONITOR output', 'OK\n1766363795.202263 [0 127.0.0.1:54864] "PUBLISH" "signals" "{}"\n', null],
    ['NUMSUB raw', 'market_data\n2\nsignals\n3\n', null],
    ['XRANGE raw', '1767621731408-0\ntype\nsignal\n', null],
    ['a log', '2025-12-22 00:00:01,123 [INFO] cdb_risk: message\nsignals\n', null],
    ['a list of words', 'message\nsignals\norders\nsomething\n', null],
    ['three words that happen to fit', 'message\nsignals\norders\n', null],
  ])('%s', (_n, text, want) => {
    const r = parser.claims.sniff(headFromText(text, 'x.txt'));
    expect(r?.confidence ?? null).toBe(want);
  });
});
