import { describe, expect, it } from 'vitest';
import {
  classifyNoise,
  parseTtyLine,
  quoteRedis,
  readQuoted,
  REDACTED,
  redactCommand,
  renderTty,
  splitQuotedArgs,
  TtyNesting,
  type TtyLine,
} from './resp-text.js';

describe('readQuoted (redis-cli C escapes → bytes → UTF-8)', () => {
  it.each([
    ['"plain"', 'plain'],
    ['"gro\\xc3\\x9f"', 'groß'],
    ['"\\xe2\\x82\\xac 5"', '€ 5'],
    ['"{\\"a\\": \\"b\\"}"', '{"a": "b"}'],
    ['"back\\\\slash"', 'back\\slash'],
    ['"l1\\nl2\\r\\t\\a\\b"', 'l1\nl2\r\t\x07\x08'],
    ['"\\x00nul"', '\u0000nul'],
    ['""', ''],
    ['"unknown \\q escape"', 'unknown q escape'],
    ['"already utf8 groß"', 'already utf8 groß'],
  ])('%s → %j', (q, want) => {
    const r = readQuoted(q, 0);
    expect(r.ok && r.value).toBe(want);
    expect(r.ok && r.end).toBe(q.length);
  });

  it.each([
    ['"unterminated', 'unterminated quoted string'],
    ['"bad utf8 \\xc3"', 'escaped bytes are not valid UTF-8'],
    ['no quote', 'expected a quoted string'],
  ])('%s is refused', (q, err) => {
    const r = readQuoted(q, 0);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toBe(err);
  });

  it.each(['groß "quoted" \\ back', 'tab\tnl\n', '€ and \u0001', '{"k": "v"}'])('quoteRedis round-trips %j', (s) => {
    const q = quoteRedis(s);
    expect(q).toMatch(/^"[\x20-\x7e]*"$/);
    const r = readQuoted(q, 0);
    expect(r.ok && r.value).toBe(s);
  });

  it('quoteRedis escapes UTF-8 bytes like redis-cli', () => {
    expect(quoteRedis('groß')).toBe('"gro\\xc3\\x9f"');
  });
});

describe('splitQuotedArgs', () => {
  it.each([
    ['"PING"', ['PING']],
    ['"PUBLISH" "signals" "{\\"x\\": 1}"', ['PUBLISH', 'signals', '{"x": 1}']],
    ['"SET" "" "v"', ['SET', '', 'v']],
  ])('%s', (t, want) => {
    const r = splitQuotedArgs(t);
    expect(r.ok && r.args).toEqual(want);
  });
  it.each(['"PING" PONG', '"A""B"', '"open'])('%s is refused', (t) => {
    expect(splitQuotedArgs(t).ok).toBe(false);
  });
});

describe('parseTtyLine', () => {
  it.each<[string, Partial<TtyLine> | null]>([
    ['1) "message"', { kind: 'string', value: 'message', markers: [{ index: 1, end: 3 }] }],
    ['3) (integer) 1', { kind: 'integer', value: '1' }],
    ['(integer) 10004', { kind: 'integer', value: '10004', markers: [] }],
    ['1) 1) "1768557618604-0"', { kind: 'string', value: '1768557618604-0', markers: [{ index: 1, end: 3 }, { index: 1, end: 6 }] }],
    ['   2)  1) "type"', { kind: 'string', value: 'type', markers: [{ index: 2, end: 6 }, { index: 1, end: 10 }] }],
    ['      10) "x"', { kind: 'string', value: 'x', markers: [{ index: 10, end: 10 }] }],
    ['(empty array)', { kind: 'empty', value: null }],
    ['(empty list or set)', { kind: 'empty', value: null }],
    ['18) (nil)', { kind: 'nil', value: null }],
    ['(error) NOAUTH Authentication required.', { kind: 'error', value: 'NOAUTH Authentication required.' }],
    ['2) OK', { kind: 'status', value: 'OK' }],
    ['message', null],
    ['{"type": "signal"}', null],
    ['1767621731408-0', null],
    ['OK', null],
  ])('%s', (t, want) => {
    const r = parseTtyLine(t);
    if (want === null) expect(r).toBeNull();
    else expect(r).toMatchObject(want);
  });
  it('a TTY-looking line with a broken quote is an error, not raw', () => {
    expect(parseTtyLine('3) "{\\"open')).toEqual({ error: 'unterminated quoted string' });
  });
});

describe('TtyNesting (paths from indentation)', () => {
  it('follows an XRANGE-like nested reply with right-aligned indices', () => {
    const lines = [
      '1) 1) "1-0"',
      '   2)  1) "f1"',
      '       2) "v1"',
      '       3) "f2"',
      '      10) "v5"',
      '2) 1) "2-0"',
      '   2) 1) "f"',
      '      2) "v"',
      '1) "message"',
    ];
    const n = new TtyNesting();
    const paths = lines.map((l) => {
      const p = parseTtyLine(l) as TtyLine;
      return n.place(p.markers).path;
    });
    expect(paths).toEqual([[1, 1], [1, 2, 1], [1, 2, 2], [1, 2, 3], [1, 2, 10], [2, 1], [2, 2, 1], [2, 2, 2], [1]]);
  });
  it('an XINFO reply with a nested entry returns to the top level', () => {
    const lines = [' 1) "length"', ' 2) (integer) 6', '18) 1) "6-0"', '    2) 1) "type"', '       2) "signal"', '19) "last-entry"'];
    const n = new TtyNesting();
    const paths = lines.map((l) => n.place((parseTtyLine(l) as TtyLine).markers).path);
    expect(paths).toEqual([[1], [2], [18, 1], [18, 2, 1], [18, 2, 2], [19]]);
  });
});

describe('classifyNoise', () => {
  it.each([
    ['', 'blank', undefined],
    ["Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.", 'auth_warning', undefined],
    ['Reading messages... (press Ctrl-C to quit)', 'reading_header', undefined],
    ['Reading messages... (press Ctrl-C to quit or any key to type command)\r', 'reading_header', undefined],
    ['(error) NOAUTH Authentication required.', 'redis_error', undefined],
    ['NOAUTH Authentication required.', 'redis_error', undefined],
    ['AUTH failed: WRONGPASS invalid username-password pair or user is disabled.', 'redis_error', undefined],
    ['Could not connect to Redis at 127.0.0.1:6379: Connection refused', 'redis_error', undefined],
    ['127.0.0.1:6379> XRANGE stream.signals - +', 'command_echo', ['XRANGE', 'stream.signals', '-', '+']],
    ['cdb_redis:6379[1]> SUBSCRIBE trading_signals', 'command_echo', ['SUBSCRIBE', 'trading_signals']],
    ['$ redis-cli -a s3cret --no-auth-warning XLEN stream.signals', 'command_echo', ['XLEN', 'stream.signals']],
    ['docker exec -it cdb_redis redis-cli -h localhost PUBSUB NUMSUB signals', 'command_echo', ['PUBSUB', 'NUMSUB', 'signals']],
    ['root@abc:/data# redis-cli --pass "p w" INFO memory', 'command_echo', ['INFO', 'memory']],
    ['127.0.0.1:6379> AUTH default hunter2', 'command_echo', ['AUTH', REDACTED, REDACTED]],
    ['^C', 'interrupt', undefined],
  ])('%j → %s', (t, kind, command) => {
    const n = classifyNoise(t);
    expect(n?.kind).toBe(kind);
    if (command) expect(n?.command).toEqual(command);
    expect(JSON.stringify(n)).not.toMatch(/s3cret|hunter2|p w/);
  });
  it.each(['message', 'market_data', '{"type": "x"}', '1767621731408-0', 'used_memory:1', '# Memory', '2', 'signals'])('%j is not noise', (t) => {
    expect(classifyNoise(t)).toBeNull();
  });
});

describe('redactCommand', () => {
  it.each([
    [['AUTH', 'pw'], ['AUTH', REDACTED]],
    [['auth', 'user', 'pw'], ['auth', REDACTED, REDACTED]],
    [['HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'x'], ['HELLO', '3', 'AUTH', REDACTED, REDACTED, 'SETNAME', 'x']],
    [['MIGRATE', 'h', '6379', '', '0', '5000', 'AUTH', 'pw', 'KEYS', 'k'], ['MIGRATE', 'h', '6379', '', '0', '5000', 'AUTH', REDACTED, 'KEYS', 'k']],
    [['CONFIG', 'SET', 'requirepass', 'pw'], ['CONFIG', 'SET', 'requirepass', REDACTED]],
    [['ACL', 'SETUSER', 'bob', 'on', '>pw'], ['ACL', 'SETUSER', 'bob', 'on', REDACTED]],
    [['PUBLISH', 'signals', 'AUTH'], ['PUBLISH', 'signals', 'AUTH']],
  ])('%j', (words, want) => {
    expect(redactCommand(words)).toEqual(want);
  });
});

describe('renderTty (port of cliFormatReplyTTY) matches §4.4', () => {
  it('nested XRANGE layout with right-aligned indices', () => {
    const fields = Array.from({ length: 10 }, (_, i) => `f${i + 1}`);
    const out = renderTty([['1768557618604-0', fields]]);
    expect(out.split('\n').slice(0, 4)).toEqual(['1) 1) "1768557618604-0"', '   2)  1) "f1"', '       2) "f2"', '       3) "f3"']);
    expect(out.split('\n')[10]).toBe('      10) "f10"');
  });
  it('scalars', () => {
    expect(renderTty(3)).toBe('(integer) 3\n');
    expect(renderTty([])).toBe('(empty array)\n');
    expect(renderTty(null)).toBe('(nil)\n');
  });
});
