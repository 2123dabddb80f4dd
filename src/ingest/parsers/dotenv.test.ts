import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import parser from './dotenv.js';

const ENV = [
  '# Claire de Binare - .env',
  '',
  'POSTGRES_USER=claire_user',
  'POSTGRES_PASSWORD="s3cr#t pw"',
  "REDIS_PASSWORD='a#b'  # inline comment after quotes",
  'export MAX_EXPOSURE_PCT=0.50 # A reads this one',
  'MAX_TOTAL_EXPOSURE_PCT=0.30',
  'SIGNAL_THRESHOLD_PCT=3.0',
  'SYMBOL_WHITELIST=',
  'URL_WITH_HASH=http://x/#frag',
  'DATABASE_URL=postgresql://claire_user:pw@cdb_postgres:5432/claire_de_binare',
  'CACHE_URL=redis://:hunter2@cdb_redis:6379/0',
  'MEXC_API_KEY=abc',
  'ALLOCATION_RULES_JSON="{\\"HIGH_VOL_CHAOTIC\\": 0.02,',
  '  \\"TREND\\": 0.1}"',
  'this line is broken',
  'LOG_LEVEL: DEBUG',
  'BROKEN="never closed',
  '  # indented comment',
  'MAX_POSITION_PCT=0.10',
  'MAX_POSITION_PCT=0.20',
].join('\n');

describe('dotenv', () => {
  it('parses values, quotes, comments, secrets and quarantines malformed lines', async () => {
    const run = await runParser(parser, ENV, 'renamed.cfg');
    expect(run.unaccounted).toBe(0);
    const kv = run.rows.map((r) => [r.values.key, r.values.value, r.values.is_secret, r.line, r.lines]);
    expect(kv).toEqual([
      ['POSTGRES_USER', 'claire_user', 0, 3, 1],
      ['POSTGRES_PASSWORD', 's3cr#t pw', 1, 4, 1],
      ['REDIS_PASSWORD', 'a#b', 1, 5, 1],
      ['MAX_EXPOSURE_PCT', '0.50', 0, 6, 1],
      ['MAX_TOTAL_EXPOSURE_PCT', '0.30', 0, 7, 1],
      ['SIGNAL_THRESHOLD_PCT', '3.0', 0, 8, 1],
      ['SYMBOL_WHITELIST', '', 0, 9, 1],
      ['URL_WITH_HASH', 'http://x/#frag', 0, 10, 1],
      ['DATABASE_URL', 'postgresql://claire_user:pw@cdb_postgres:5432/claire_de_binare', 1, 11, 1],
      ['CACHE_URL', 'redis://:hunter2@cdb_redis:6379/0', 1, 12, 1],
      ['MEXC_API_KEY', 'abc', 1, 13, 1],
      ['ALLOCATION_RULES_JSON', '{"HIGH_VOL_CHAOTIC": 0.02,\n  "TREND": 0.1}', 0, 14, 2],
      ['MAX_POSITION_PCT', '0.10', 0, 20, 1],
      ['MAX_POSITION_PCT', '0.20', 0, 21, 1],
    ]);
    expect(run.rows.every((r) => r.values.source === 'env' && r.values.service === null)).toBe(true);
    expect(run.structural).toEqual({ comment: 2, blank: 1 });
    expect(run.quarantined.map((q) => [q.lineNo, q.reason])).toEqual([
      [16, 'not a KEY=VALUE assignment'],
      [17, 'YAML-style KEY: VALUE is not a .env assignment; write KEY=VALUE'],
      [18, 'BROKEN: opening " quote is never closed'],
    ]);
    expect(run.notes).toEqual(['MAX_POSITION_PCT is set twice (lines 20 and 21); the later one wins']);
  });

  it.each([
    ['KEY="a" trailing', 'KEY: text after the closing " quote: trailing'],
    ["KEY='unterminated", "KEY: opening ' quote is never closed"],
  ])('quarantines %s', async (line, reason) => {
    const run = await runParser(parser, `A=1\n${line}\nB=2\n`, 'x.env');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => r.values.key)).toEqual(['A', 'B']);
    expect(run.quarantined).toEqual([{ lineNo: 2, reason, text: line }]);
  });

  it('a bare KEY (taken from the host environment by compose) has a null value', async () => {
    const run = await runParser(parser, 'A=1\nSMTP_PASSWORD\nexport B\n', 'x.env');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.values.key, r.values.value, r.values.is_secret])).toEqual([
      ['A', '1', 0],
      ['SMTP_PASSWORD', null, 1],
      ['B', null, 0],
    ]);
  });

  it('handles a BOM and CRLF', async () => {
    const run = await runParser(parser, '\uFEFFA=1\r\nB="x y"\r\n', 'x.env');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.values.key, r.values.value])).toEqual([
      ['A', '1'],
      ['B', 'x y'],
    ]);
  });

  it.each([
    ['.env', ENV, true],
    ['compose logs', 'cdb_risk  | 2025-11-30 14:02:11,907 [INFO] risk_manager: MAX=1\ncdb_risk  | A=1', false],
    ['csv', 'id,symbol,side\n1,BTC_USDT,BUY\n', false],
    ['redis info', '# Memory\r\nused_memory:1234\r\nmaxmemory:0\r\n', false],
    ['sql', "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n", false],
    ['prose', 'Hello there\nA=1\nthis is text\nmore text\n', false],
  ])('sniff %s → %s', (_n, text, claimed) => {
    expect(parser.claims.sniff(headFromText(text)) !== null).toBe(claimed);
  });
});

describe('dotenv at size', () => {
  it.each([
    { keys: 1_000, times: 200 },
    { keys: 100_000, times: 2 },
  ])('200,000 lines, $keys keys each set $times times: every line a setting, one note per key, read as a stream', async ({ keys, times }) => {
    const total = keys * times;
    let pulled = 0;
    let pulledAtFirstBatch = -1;
    const input = {
      path: 'big.env',
      name: 'big.env',
      head: headFromText('A=1\n', 'big.env'),
      async *lines() {
        for (let n = 0; n < total; n++) {
          pulled++;
          yield { text: `KEY_${n % keys}=value_${n}`, lineNo: n + 1 };
        }
      },
    };
    const notes: string[] = [];
    let rows = 0;
    let lastValue: unknown;
    const ctx = { structural() {}, quarantine() {}, note: (m: string) => notes.push(m) };
    for await (const item of parser.parse(input, ctx)) {
      if (pulledAtFirstBatch < 0) pulledAtFirstBatch = pulled;
      const batch = Array.isArray(item) ? item : [item];
      rows += batch.length;
      if (batch.length) lastValue = batch[batch.length - 1].values.value;
    }
    expect(rows).toBe(total);
    expect(lastValue).toBe(`value_${total - 1}`);
    // Rows leave before the file is read to its end: the parser does not hold the file.
    expect(pulledAtFirstBatch).toBeLessThan(total);
    expect(notes.length).toBe(keys);
    expect(new Set(notes).size).toBe(keys);
    expect(notes[0]).toBe(
      times === 2
        ? `KEY_0 is set twice (lines 1 and ${keys + 1}); the later one wins`
        : `KEY_0 is set ${times} times (first at line 1, last at line ${total - keys + 1}); the last one wins`,
    );
  });

  it('a quote left open is given up after 50 lines and the lines it held are read again', async () => {
    const text = ['A="open', ...Array.from({ length: 60 }, (_, i) => `K${i}=${i}`)].join('\n');
    const run = await runParser(parser, text, 'x.env');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([1]);
    expect(run.rows.map((r) => r.line)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
  });
});
