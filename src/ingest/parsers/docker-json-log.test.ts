import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headFromText, runParser, type ParserRun } from '../testing.js';
import parser from './docker-json-log.js';

const DOCKER = '/work/shared/fixtures/real-tools/docker/';
const REAL = '/work/shared/fixtures/real-tools/';
const JSON_LOG = '247ddfa3f7dd52f75157a8ae9242ec41afc2238220d0f9da3add217295fea98f-json.log';
const read = (f: string) => readFileSync(f, 'utf8');

function ok(r: ParserRun) {
  expect(r.unaccounted).toBe(0);
}

const entry = (log: string, time = '2025-12-21T22:20:04.941584293Z', stream = 'stdout') => JSON.stringify({ log, stream, time });

describe('real json-file fixture', () => {
  const text = read(DOCKER + JSON_LOG);
  const lines = text.split('\n').filter((l) => l !== '');

  it('parses every object into one record with zero quarantine', async () => {
    const r = await runParser(parser, text, JSON_LOG);
    ok(r);
    expect(r.quarantined).toEqual([]);
    expect(r.rows).toHaveLength(lines.length);
    expect(r.rows.filter((x) => x.values.kind === 'health_poll')).toHaveLength(lines.filter((l) => l.includes('GET /health')).length);
    expect(r.rows.filter((x) => String(x.values.message).startsWith('📨 Signal empfangen'))).toHaveLength(lines.filter((l) => l.includes('risk_manager: 📨 Signal empfangen')).length);
    expect(r.rows.every((x) => x.values.service === 'cdb_risk' && x.values.stream === 'stdout')).toBe(true);
    expect(r.notes.join('\n')).toMatch(/cdb_risk taken from content \(logger risk_manager\)/);
  });

  it('keeps the json-file time as docker_ts and the asctime as ts', async () => {
    const r = await runParser(parser, text, JSON_LOG);
    // {"log":"2025-12-21 22:20:34,990 ...","time":"2025-12-21T22:20:34.99068325Z"}: variable digits.
    const row = r.rows.find((x) => x.values.ts_text === '2025-12-21 22:20:34,990')!;
    expect(row.values).toMatchObject({ ts: '2025-12-21T22:20:34.990Z', docker_ts: '2025-12-21T22:20:34.990Z', ts_zone: 'UTC (assumed)' });
    expect(String(row.values.message).endsWith('\n')).toBe(false);
  });

  it('sniffs it with high confidence under any name', () => {
    expect(parser.claims.sniff(headFromText(text, 'x.txt'))?.confidence).toBeGreaterThanOrEqual(95);
  });
});

describe('split messages (> 16 KiB)', () => {
  it('rejoins pieces until a log ending in \\n, per stream, spanning all physical lines', async () => {
    const long = 'A'.repeat(16384);
    const text = [
      entry(`2026-01-05 09:14:03,511 [ERROR] db_writer: Failed to persist signal: ${long.slice(0, 16000)}`, '2026-01-05T09:14:03.5Z'),
      entry('2026-01-05 09:14:03,600 [INFO] db_writer: stderr line\n', '2026-01-05T09:14:03.6Z', 'stderr'),
      entry(long, '2026-01-05T09:14:03.51Z'),
      entry('END\n', '2026-01-05T09:14:03.52Z'),
      entry('2026-01-05 09:14:04,000 [INFO] db_writer: next\n', '2026-01-05T09:14:04Z'),
    ].join('\n');
    const r = await runParser(parser, text, 'cdb_db_writer-json.log');
    ok(r);
    const rows = [...r.rows].sort((a, b) => a.line - b.line);
    expect(rows.map((x) => [x.line, x.lines, x.values.stream])).toEqual([
      [1, 3, 'stdout'],
      [2, 1, 'stderr'],
      [5, 1, 'stdout'],
    ]);
    expect(rows[0].values.message).toBe(`Failed to persist signal: ${long.slice(0, 16000)}${long}END`);
    expect(rows[0].values.docker_ts).toBe('2026-01-05T09:14:03.500Z');
    expect(r.notes.join('\n')).toMatch(/1 message\(s\) over 16 KiB were split/);
  });

  it('keeps a split message the file ends inside', async () => {
    const text = [entry('2026-01-05 09:14:03,511 [ERROR] db_writer: part one '), entry('part two')].join('\n');
    const r = await runParser(parser, text);
    ok(r);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ line: 1, lines: 2 });
    expect(r.rows[0].values.message).toBe('part one part two');
    expect(r.notes.join('\n')).toMatch(/ends inside a split message/);
  });
});

describe('multi-line records', () => {
  it('joins a traceback on stderr while stdout lines interleave', async () => {
    const text = [
      entry('2025-11-30 14:02:11,913 - execution_service - ERROR - Failed to initialize services: boom\n', '2025-11-30T14:02:11.9Z', 'stderr'),
      entry('[WS] not a header\n', '2025-11-30T14:02:11.91Z', 'stdout'),
      entry('Traceback (most recent call last):\n', '2025-11-30T14:02:11.92Z', 'stderr'),
      entry('  File "/app/service.py", line 1, in <module>\n', '2025-11-30T14:02:11.93Z', 'stderr'),
      entry('RuntimeError: boom\n', '2025-11-30T14:02:11.94Z', 'stderr'),
    ].join('\n');
    const r = await runParser(parser, text, 'x-json.log');
    ok(r);
    const err = r.rows.find((x) => x.values.stream === 'stderr')!;
    expect(err).toMatchObject({ line: 1, lines: 4 });
    expect(err.values.message).toBe('Failed to initialize services: boom\nTraceback (most recent call last):\n  File "/app/service.py", line 1, in <module>\nRuntimeError: boom');
    expect(err.values.service).toBe('cdb_execution');
  });

  it('strips ANSI colours that were escaped inside the JSON', async () => {
    const r = await runParser(parser, entry('\u001b[32m2025-11-30 14:02:11,907 [INFO] risk_manager: green\u001b[0m\n'));
    ok(r);
    expect(r.rows[0].values).toMatchObject({ logger: 'risk_manager', message: 'green' });
  });
});

describe('garbage', () => {
  it.each<[string, string, RegExp]>([
    ['truncated JSON', '{"log":"2025-11-30 14:02:11,907 [INFO] risk_manager: x\\n","stream":"std', /malformed JSON/],
    ['not JSON at all', 'Killed', /not a JSON object/],
    ['JSON without log', '{"time":"2025-11-30T14:02:11Z","msg":"x"}', /without a string "log"/],
    ['JSON without time', '{"log":"x\\n","stream":"stdout"}', /without a string "time"/],
    ['JSON array', '[1,2]', /not a JSON object/],
    ['JSON scalar-ish object start', '{"log": 5, "time": "x"}', /without a string "log"/],
  ])('quarantines %s with a reason', async (_n, bad, reason) => {
    const text = [entry('2025-11-30 14:02:11,907 [INFO] risk_manager: before\n'), bad, '', entry('2025-11-30 14:02:12,907 [INFO] risk_manager: after\n')].join('\n');
    const r = await runParser(parser, text);
    ok(r);
    expect(r.quarantined).toHaveLength(1);
    expect(r.quarantined[0].lineNo).toBe(2);
    expect(r.quarantined[0].reason).toMatch(reason);
    expect(r.structural).toEqual({ blank_line: 1 });
    expect(r.rows.map((x) => x.values.message)).toEqual(['before', 'after']);
  });
});

describe('service', () => {
  it('falls back to the file name when the content names no service', async () => {
    const r = await runParser(parser, entry('2025-12-21 22:20:04,941 [INFO] werkzeug: 127.0.0.1 - - [21/Dec/2025 22:20:04] "GET /health HTTP/1.1" 200 -\n'), 'cdb_core-json.log');
    ok(r);
    expect(r.rows[0].values.service).toBe('cdb_core');
    expect(r.notes.join('\n')).toMatch(/from the file name/);
  });
});

describe('sniff', () => {
  const NOT_MINE: [string, string][] = [
    ['compose ps json', read(DOCKER + 'compose_ps.json')],
    ['compose logs', read(DOCKER + 'compose_logs.txt')],
    ['redis XRANGE', read(REAL + 'redis/xrange_stream.signals.txt')],
    ['paper-runner JSONL', '{"timestamp": "2025-11-30T14:02:11.907311", "channel": "signals", "event": {"symbol": "BTC_USDT"}}\n'],
    ['CSV', read(REAL + 'postgres/signals.csv')],
    ['.env', 'A=1\nB=2\n'],
  ];
  it.each(NOT_MINE)('does not claim %s', (_n, text) => {
    expect(parser.claims.sniff(headFromText(text))).toBeNull();
  });
});
