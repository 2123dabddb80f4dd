import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderRaw, renderTty, type Reply } from '../redis/resp-text.js';
import { headFromText, runParser, type ParserRun } from '../testing.js';
import parser from './redis-kv.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real-tools/redis');
const XINFO = readFileSync(resolve(FIX, 'xlen_xinfo_stream.signals.txt'), 'utf8');
const NUMSUB = readFileSync(resolve(FIX, 'pubsub_numsub.txt'), 'utf8');

const kv = (run: ParserRun) => run.rows.map((r) => [r.values.kind, r.values.key, r.values.field, r.values.value]);

/** The XINFO part of the fixture as a reply (the nested entries rebuilt), to render its TTY form. */
function xinfoReply(text: string): { xlen: number; xinfo: Reply } {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  const xlen = Number(l[0]);
  const top: Reply[] = [];
  let i = 1;
  while (i < l.length) {
    const k = l[i];
    top.push(k);
    if (k === 'first-entry' || k === 'last-entry') {
      const id = l[i + 1];
      const fields: string[] = [];
      i += 2;
      while (i < l.length && l[i] !== 'last-entry') fields.push(l[i++]);
      top.push([id, fields]);
    } else {
      top.push(/^\d+$/.test(l[i + 1]) ? Number(l[i + 1]) : l[i + 1]);
      i += 2;
    }
  }
  return { xlen, xinfo: top };
}

describe('redis-kv on the real captures', () => {
  it('XLEN then XINFO STREAM in one file (xlen_xinfo_stream.signals.txt)', async () => {
    const run = await runParser(parser, XINFO, 'capture.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const rows = kv(run);
    expect(rows[0]).toEqual(['xlen', 'stream.signals', 'length', '6']);
    expect(rows.slice(1, 9)).toEqual([
      ['xinfo', 'stream.signals', 'length', '6'],
      ['xinfo', 'stream.signals', 'radix-tree-keys', '1'],
      ['xinfo', 'stream.signals', 'radix-tree-nodes', '2'],
      ['xinfo', 'stream.signals', 'last-generated-id', '1767621778922-0'],
      ['xinfo', 'stream.signals', 'max-deleted-entry-id', '0-0'],
      ['xinfo', 'stream.signals', 'entries-added', '6'],
      ['xinfo', 'stream.signals', 'recorded-first-entry-id', '1767621731408-0'],
      ['xinfo', 'stream.signals', 'groups', '0'],
    ]);
    const byField = new Map(run.rows.map((r) => [r.values.field, r.values.value]));
    expect(byField.get('first-entry.id')).toBe('1767621731408-0');
    expect(byField.get('first-entry.signal_id')).toBe('sig-13ffa71b89f732ee13b5790c254da1b8');
    expect(byField.get('last-entry.id')).toBe('1767621778922-0');
    expect(byField.get('last-entry.reason')).toBe('Momentum: +0.0110% > 0.005%');
    // 1 (XLEN) + 8 scalar pairs + 2 × (id + 11 fields)
    expect(run.rows).toHaveLength(1 + 8 + 2 * 12);
    expect(run.rows[0].lines + run.rows.slice(1).reduce((a, r) => a + r.lines, 0)).toBe(XINFO.split('\n').filter((_, i, a) => i < a.length - 1).length);
    expect(run.notes).toContain('stream key stream.signals inferred from the first/last entry (entries have type=signal)');
  });

  it('the TTY form of the same answers gives the same rows', async () => {
    const raw = await runParser(parser, XINFO);
    const { xlen, xinfo } = xinfoReply(XINFO);
    const t = await runParser(parser, renderTty(xlen) + renderTty(xinfo));
    expect(t.unaccounted).toBe(0);
    expect(t.quarantined).toEqual([]);
    expect(kv(t)).toEqual(kv(raw));
    expect(t.rows.map((r) => r.lines)).toEqual(raw.rows.map((r) => r.lines));
  });

  it('PUBSUB NUMSUB: name/count pairs; counts computed from the raw text', async () => {
    const run = await runParser(parser, NUMSUB, 'pubsub_numsub.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const l = NUMSUB.split('\n');
    const want: unknown[] = [];
    for (let i = 0; i + 1 < l.length; i += 2) want.push(['numsub', l[i], 'subscribers', l[i + 1]]);
    expect(kv(run)).toEqual(want);
    expect(kv(run)).toContainEqual(['numsub', 'signals', 'subscribers', '3']);
    expect(run.rows.every((r) => r.lines === 2)).toBe(true);
    const tty = await runParser(parser, renderTty(['market_data', 2, 'signals', 3, 'orders', 3, 'order_results', 3, 'alerts', 1]));
    expect(kv(tty)).toEqual(kv(run));
  });
});

describe('redis-kv on hand-made answers', () => {
  it.each<[string, string, string, unknown[][]]>([
    ['CHANNELS raw', 'market_data\nsignals\n', 'c.txt', [['channels', 'market_data', null, null], ['channels', 'signals', null, null]]],
    ['CHANNELS TTY', renderTty(['signals', 'orders']), 'c.txt', [['channels', 'signals', null, null], ['channels', 'orders', null, null]]],
    ['NUMPAT with echo', '127.0.0.1:6379> PUBSUB NUMPAT\n(integer) 0\n', 'c.txt', [['numpat', null, 'patterns', '0']]],
    ['XLEN with shell echo', '$ redis-cli -a pw XLEN stream.orders\n10004\n', 'c.txt', [['xlen', 'stream.orders', 'length', '10004']]],
    ['lone integer, file name says xlen', '(integer) 7\n', 'xlen_stream.fills.txt', [['xlen', 'stream.fills', 'length', '7']]],
    ['lone integer, nothing says', '(integer) 7\n', 'a.txt', [['integer', null, null, '7']]],
    ['NUMSUB echo with zero counts', 'redis-cli PUBSUB NUMSUB trading_signals risk_approved_trades\ntrading_signals\n0\nrisk_approved_trades\n0\n', 'a.txt',
      [['numsub', 'trading_signals', 'subscribers', '0'], ['numsub', 'risk_approved_trades', 'subscribers', '0']]],
    ['several commands in one session', '127.0.0.1:6379> XLEN stream.signals\n(integer) 6\n127.0.0.1:6379> PUBSUB CHANNELS\n1) "signals"\n', 'a.txt',
      [['xlen', 'stream.signals', 'length', '6'], ['channels', 'signals', null, null]]],
  ])('%s', async (_n, text, name, want) => {
    const run = await runParser(parser, text, name);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(kv(run)).toEqual(want);
    expect(JSON.stringify(run)).not.toMatch(/"pw"|-a pw/);
  });

  it('XINFO of an empty stream: nil first/last entry (raw: empty lines)', async () => {
    const reply: Reply = ['length', 0, 'radix-tree-keys', 0, 'groups', 0, 'first-entry', null, 'last-entry', null];
    for (const text of [renderRaw(reply), renderTty(reply)]) {
      const run = await runParser(parser, '127.0.0.1:6379> XINFO STREAM stream.orders\n' + text);
      expect(run.unaccounted).toBe(0);
      expect(run.quarantined).toEqual([]);
      expect(kv(run).slice(-2)).toEqual([
        ['xinfo', 'stream.orders', 'first-entry', null],
        ['xinfo', 'stream.orders', 'last-entry', null],
      ]);
    }
  });

  it.each([
    ['(empty list or set)', 'NOAUTH Authentication required.'],
    ['(empty array)', 'AUTH failed: WRONGPASS invalid username-password pair or user is disabled.'],
  ])('older clients: %s; raw error %s', async (empty, err) => {
    const run = await runParser(parser, `${err}\n${empty}\n`);
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toEqual([]);
    expect(run.structural).toEqual({ redis_error: 1, empty_reply: 1 });
    expect(run.notes[0]).toBe(`redis-cli reported an error at line 1: ${err}`);
  });

  it('an empty list and an error are structure with notes', async () => {
    const run = await runParser(parser, '127.0.0.1:6379> PUBSUB CHANNELS\n(empty array)\n(error) NOAUTH Authentication required.\n');
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toEqual([]);
    expect(run.structural).toEqual({ command_echo: 1, empty_reply: 1, redis_error: 1 });
    expect(run.notes).toEqual(['line 2: empty answer to PUBSUB CHANNELS', 'redis-cli reported an error at line 3: NOAUTH Authentication required.']);
    expect(run.lines).toBe(3);
  });

  it('an answer to a command it does not read, and a shape it cannot tell, are quarantined', async () => {
    const a = await runParser(parser, '127.0.0.1:6379> GET foo\n"bar"\n');
    expect(a.unaccounted).toBe(0);
    expect(a.quarantined.map((q) => q.reason)).toEqual(['answer to GET foo, which this parser does not read']);
    const b = await runParser(parser, 'market_data\n{"x": 1}\n');
    expect(b.unaccounted).toBe(0);
    expect(b.quarantined).toHaveLength(2);
  });
});

describe('redis-kv sniff', () => {
  it.each([
    ['real XLEN+XINFO', XINFO, 95],
    ['real NUMSUB (raw, known channels)', NUMSUB, 70],
    ['NUMSUB TTY', renderTty(['a', 1, 'b', 2]), 85],
    ['CHANNELS raw, all known', 'signals\norders\n', 60],
    ['echo-driven', '127.0.0.1:6379> XLEN stream.signals\n(integer) 6\n', 90],
    ['a two-column-ish file', 'apples\n3\npears\n5\n', null],
    ['a word list', 'alpha\nbeta\ngamma\n', null],
    ['a lone raw integer (pid file)', '12345\n', null],
    ['a log', '2025-12-22 00:00:01,123 [INFO] cdb_risk: Signal\n', null],
    ['SUBSCRIBE capture', 'subscribe\ntrading_signals\n1\n', null],
    ['XRANGE raw', '1767621731408-0\ntype\nsignal\n', null],
    ['INFO', '# Memory\nused_memory:1\n', null],
    ['MONITOR', 'OK\n1766363795.202263 [0 127.0.0.1:54864] "PING"\n', null],
    ['TTY KEYS output', renderTty(['stream.signals', 'risk_state:persistence']), null],
  ])('%s', (_n, text, want) => {
    expect(parser.claims.sniff(headFromText(text))?.confidence ?? null).toBe(want);
  });
});
