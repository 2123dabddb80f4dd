import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderRaw, renderTty, type Reply } from '../redis/resp-text.js';
import { headFromText, runParser, type ParserRun } from '../testing.js';
import parser from './redis-xrange.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real-tools/redis');
const REAL = readFileSync(resolve(FIX, 'xrange_stream.signals.txt'), 'utf8');

/** The fixture's entries, read independently: an id line, then an even number of field/value lines. */
function entries(text: string): [string, string[]][] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: [string, string[]][] = [];
  for (const l of lines) {
    if (/^\d{13}-\d+$/.test(l) && (out.length === 0 || out[out.length - 1][1].length % 2 === 0)) out.push([l, []]);
    else out[out.length - 1][1].push(l);
  }
  return out;
}

const values = (run: ParserRun) => run.rows.map((r) => ({ ...r.values, lines: r.lines }));

describe('redis-xrange on the real redis-cli 7.0.15 XRANGE capture', () => {
  it('one row per entry, every line accounted for, no quarantine', async () => {
    const run = await runParser(parser, REAL, 'xrange_stream.signals.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const want = entries(REAL);
    expect(run.rows.map((r) => r.values.stream_id)).toEqual(want.map((e) => e[0]));
    expect(run.rows.map((r) => r.lines)).toEqual(want.map((e) => 1 + e[1].length));
  });

  it('decodes the first entry: stream id clock, string fields, channel from the fields', async () => {
    const run = await runParser(parser, REAL, 'capture-1.txt');
    expect(run.rows[0].values).toMatchObject({
      source: 'xrange',
      channel: 'stream.signals',
      stream_id: '1767621731408-0',
      ts: '2026-01-05T14:02:11.408Z',
      msg_type: 'signal',
      signal_id: 'sig-13ffa71b89f732ee13b5790c254da1b8',
      strategy_id: 'paper',
      symbol: 'BTCUSDT',
      side: 'BUY',
      price: 93852.23,
      pct_change: 0.014672041368574739,
      reason: 'Momentum: +0.0147% > 0.005%',
      payload_ts: '2026-01-05T14:02:11.000Z',
    });
    expect(JSON.parse(String(run.rows[0].values.payload))).toMatchObject({ type: 'signal', strength: '0.0', timestamp: '1767621731' });
    expect(run.notes).toContain('stream key stream.signals inferred from the entries (entries have type=signal)');
  });

  it('the TTY form gives the same rows', async () => {
    const raw = await runParser(parser, REAL);
    const reply: Reply = entries(REAL).map(([id, f]) => [id, f]);
    const t = await runParser(parser, renderTty(reply));
    expect(t.unaccounted).toBe(0);
    expect(t.quarantined).toEqual([]);
    expect(values(t)).toEqual(values(raw));
  });
});

describe('redis-xrange on hand-made output', () => {
  const orderResult = (id: string, extra: string[] = []): Reply => [id, ['type', 'order_result', 'order_id', 'MOCK_58182303', 'status', 'FILLED', ...extra]];

  it.each([
    ['command echo names the stream', '127.0.0.1:6379> XREVRANGE stream.fills + -\n', 'f.txt', 'stream.fills', 'command_echo'],
    ['shell echo with a password', '$ redis-cli -a s3cret XRANGE stream.order_results - +\n', 'f.txt', 'stream.order_results', 'command_echo'],
    ['file name when the fields are ambiguous', '', 'xrange_stream.fills.txt', 'stream.fills', null],
    ['nothing tells', '', 'dump-3.txt', null, null],
  ])('%s', async (_n, prefix, name, key, counter) => {
    const run = await runParser(parser, prefix + renderRaw([orderResult('1768557618604-0'), orderResult('1768557618700-1')]), name);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.values.channel)).toEqual([key, key]);
    if (counter) expect(run.structural[counter]).toBe(1);
    expect(JSON.stringify(run)).not.toContain('s3cret');
    if (name === 'xrange_stream.fills.txt') expect(run.notes).toContain('stream key stream.fills taken from the file name (the output does not name its stream)');
  });

  it('a value that looks like an id is a value, not a new entry', async () => {
    const text = renderRaw([['1768557618604-0', ['last_id', '1768557618000-0', 'type', 'x']], ['1768557618605-0', ['a', 'b']]]);
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => r.values.stream_id)).toEqual(['1768557618604-0', '1768557618605-0']);
    expect(JSON.parse(String(run.rows[0].values.payload))).toEqual({ last_id: '1768557618000-0', type: 'x' });
  });

  it('an empty value (strategy_id "") is a line of its own in the raw form', async () => {
    const text = renderRaw([['1768557618604-0', ['type', 'signal', 'strategy_id', '', 'symbol', 'BTCUSDT']]]);
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.rows[0]).toMatchObject({ lines: 7, values: { strategy_id: '', symbol: 'BTCUSDT' } });
  });

  it('an entry ending in a field without a value is quarantined; the next entry parses', async () => {
    const text = '1768557618604-0\ntype\nsignal\nsymbol\n1768557618605-0\ntype\nsignal\n';
    // `symbol` takes 1768557618605-0 as its value, so the second id is eaten: the remaining pair is left over.
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toHaveLength(1);
    expect(run.rows[0].values.symbol).toBe('1768557618605-0');
    const cut = await runParser(parser, '1768557618604-0\ntype\nsignal\nsymbol\n');
    expect(cut.unaccounted).toBe(0);
    expect(cut.rows).toEqual([]);
    expect(cut.quarantined.map((q) => q.reason)).toEqual(Array(4).fill('stream entry 1768557618604-0 ends with a field without a value'));
  });

  it('TTY: a stray top-level element inside an entry is caught by its path', async () => {
    const text = ['1) 1) "1768557618604-0"', '   2) 1) "type"', '      2) "signal"', '2) "oops"', '3) 1) "1768557618605-0"', '   2) 1) "a"', '      2) "b"'].join('\n');
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => r.values.stream_id)).toEqual(['1768557618605-0']);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([1, 2, 3, 4]);
  });

  it('an empty range and errors are structure with notes', async () => {
    const run = await runParser(parser, '127.0.0.1:6379> XRANGE stream.signals - +\n(empty array)\n(error) NOAUTH Authentication required.\n');
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toEqual([]);
    expect(run.structural).toEqual({ command_echo: 1, empty_reply: 1, redis_error: 1 });
    expect(run.notes).toContain('line 2: the range is empty');
  });

  it('garbage before the first id is quarantined', async () => {
    const run = await runParser(parser, 'hello\n' + renderRaw([orderResult('1768557618604-0')]));
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => [q.lineNo, q.reason])).toEqual([[1, 'expected a stream entry id (`<epoch ms>-<seq>`)']]);
    expect(run.rows).toHaveLength(1);
  });
});

describe('redis-xrange sniff', () => {
  const xinfo = readFileSync(resolve(FIX, 'xlen_xinfo_stream.signals.txt'), 'utf8');
  it.each([
    ['real raw capture', REAL, 92],
    ['TTY capture', renderTty(entries(REAL)), 92],
    ['empty answer with echo', '127.0.0.1:6379> XRANGE stream.signals - +\n(empty array)\n', 80],
    ['XLEN+XINFO', xinfo, null],
    ['NUMSUB', 'market_data\n2\nsignals\n3\n', null],
    ['SUBSCRIBE', 'subscribe\nsignals\n1\n', null],
    ['an id-like first line followed by a log', '1767621731408-0\n2025-12-22 00:00:01 [INFO] x\n', null],
  ])('%s', (_n, text, want) => {
    expect(parser.claims.sniff(headFromText(text))?.confidence ?? null).toBe(want);
  });
});
