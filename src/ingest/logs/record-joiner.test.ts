import { describe, expect, it } from 'vitest';
import type { Row } from '../define-parser.js';
import { rfc3339ToIso } from './app-line.js';
import { RecordJoiner, type JoinerOptions } from './record-joiner.js';

/** [container key, service, text, docker stamp?] */
type In = [string, string | null, string, string?];

function join(input: In[], opts?: JoinerOptions) {
  const structural: Record<string, number> = {};
  const ctx = {
    structural(c: string, n = 1) {
      structural[c] = (structural[c] ?? 0) + n;
    },
    quarantine() {
      throw new Error('the joiner never quarantines');
    },
    note() {},
  };
  const j = new RecordJoiner(ctx, opts);
  const rows: Row[] = [];
  input.forEach(([key, service, text, stamp], i) => j.push(key, service, i + 1, 1, text, stamp ? rfc3339ToIso(stamp) : null, null, rows));
  j.flush(rows);
  const recordLines = rows.reduce((a, r) => a + r.lines, 0);
  const structuralLines = Object.values(structural).reduce((a, b) => a + b, 0);
  // Accounting identity: every pushed line is in exactly one record or counted as structure.
  expect(recordLines + structuralLines).toBe(input.length);
  rows.sort((a, b) => a.line - b.line);
  return { rows, structural, v: rows.map((r) => r.values) };
}

const EX = 'cdb_execution';
const RISK = 'cdb_risk';

describe('joined mode (Python services)', () => {
  it('joins a chained traceback to its header even when another container interleaves', () => {
    const { rows } = join([
      [EX, EX, '2025-11-30 14:02:11,913 - execution_service - ERROR - Failed to initialize services: Error 111'],
      [RISK, RISK, '2025-11-30 14:02:11,914 [INFO] risk_manager: 📨 Signal empfangen: BTC_USDT BUY'],
      [EX, EX, 'Traceback (most recent call last):'],
      [RISK, RISK, '2025-11-30 14:02:11,915 [INFO] werkzeug: 127.0.0.1 - - [30/Nov/2025 14:02:11] "GET /health HTTP/1.1" 200 -'],
      [EX, EX, '  File "/app/service.py", line 10, in init'],
      [EX, EX, '    self.redis.ping()'],
      [RISK, RISK, '2025-11-30 14:02:11,916 [INFO] risk_manager: ✅ Order freigegeben: BTC_USDT BUY qty=350.0000'],
      [EX, EX, 'redis.exceptions.ConnectionError: Error 111 connecting to cdb_redis:6379. Connection refused.'],
      [EX, EX, ''],
      [EX, EX, 'During handling of the above exception, another exception occurred:'],
      [EX, EX, ''],
      [EX, EX, 'Traceback (most recent call last):'],
      [EX, EX, '  File "/app/service.py", line 12, in init'],
      [EX, EX, 'RuntimeError: giving up'],
      [EX, EX, '2025-11-30 14:02:12,000 - execution_service - ERROR - Failed to initialize services, exiting'],
    ]);
    expect(rows.map((r) => [r.values.service, r.line, r.lines])).toEqual([
      [EX, 1, 11],
      [RISK, 2, 1],
      [RISK, 4, 1],
      [RISK, 7, 1],
      [EX, 15, 1],
    ]);
    const tb = rows[0].values;
    expect(tb.level).toBe('ERROR');
    expect(tb.logger).toBe('execution_service');
    expect(tb.message).toBe(
      [
        'Failed to initialize services: Error 111',
        'Traceback (most recent call last):',
        '  File "/app/service.py", line 10, in init',
        '    self.redis.ping()',
        'redis.exceptions.ConnectionError: Error 111 connecting to cdb_redis:6379. Connection refused.',
        '',
        'During handling of the above exception, another exception occurred:',
        '',
        'Traceback (most recent call last):',
        '  File "/app/service.py", line 12, in init',
        'RuntimeError: giving up',
      ].join('\n'),
    );
    expect(rows[2].values.kind).toBe('health_poll');
  });

  it('joins psycopg2 DETAIL lines, tab hints and the trailing empty line', () => {
    const W = 'cdb_db_writer';
    const { rows } = join([
      [W, W, '2026-01-05 09:14:03,511 [ERROR] db_writer: Failed to persist signal: null value in column "signal_type" of relation "signals" violates not-null constraint'],
      [W, W, 'DETAIL:  Failing row contains (4711, BTCUSDT, null, 95639.26000000, 0.5000, 2026-01-05 09:14:03+00, signal_engine, {}).'],
      [W, W, ''],
      [W, W, '2026-01-05 09:14:04,001 [ERROR] db_writer: Failed to connect to PostgreSQL: connection to server at "cdb_postgres" (172.18.0.16), port 5432 failed: Connection refused'],
      [W, W, '\tIs the server running on that host and accepting TCP/IP connections?'],
      [W, W, '2026-01-05 09:14:05,001 [INFO] db_writer: Listening for events...'],
    ]);
    expect(rows.map((r) => [r.line, r.lines])).toEqual([[1, 3], [4, 2], [6, 1]]);
    expect(rows[0].values.message).toMatch(/violates not-null constraint\nDETAIL:  Failing row contains \(4711,.*\{\}\)\.\n$/);
    expect(rows[1].values.message).toMatch(/Connection refused\n\tIs the server running/);
  });

  it('joins the paper-runner DAILY REPORT block (doc §6.1) and marks it as the report', () => {
    const P = 'cdb_paper_runner';
    const block = [
      '2025-12-02 00:00:00,412 [INFO] __main__: ',
      '============================================================',
      '2025-12-02 00:00:00,412 [INFO] __main__: DAILY REPORT',
      '2025-12-02 00:00:00,412 [INFO] __main__: ============================================================',
      '2025-12-02 00:00:00,431 [INFO] __main__: ',
      'Paper Trading Daily Report',
      '',
      'Date: 2025-12-02',
      'Uptime: 1 days, 9 hours',
      'Days Remaining: 12',
      '',
      'Trading Activity:',
      '  Signals Today:    0',
      '  Trades Today:     0',
      '  Events Logged:    18340',
      '',
      '2025-12-02 00:00:00,431 [INFO] __main__: ============================================================',
    ];
    const { rows } = join(block.map((t) => [P, P, t] as In));
    expect(rows.map((r) => [r.line, r.lines, r.values.kind])).toEqual([
      [1, 2, 'app'],
      [3, 1, 'app'],
      [4, 1, 'app'],
      [5, 12, 'report'],
      [17, 1, 'app'],
    ]);
    expect(rows[0].values.message).toBe('\n============================================================');
    expect(rows[3].values.message).toContain('\n  Signals Today:    0\n');
    expect(rows[3].values.ts).toBe('2025-12-02T00:00:00.431Z');
  });

  it('joins the werkzeug startup block', () => {
    const C = 'cdb_core';
    const { rows } = join([
      [C, C, '2025-11-20 18:59:17,100 [INFO] werkzeug: WARNING: This is a development server. Do not use it in a production deployment. Use a production WSGI server instead.'],
      [C, C, ' * Running on all addresses (0.0.0.0)'],
      [C, C, ' * Running on http://127.0.0.1:8001'],
      [C, C, ' * Running on http://172.18.0.5:8001'],
      [C, C, 'Press CTRL+C to quit'],
      [C, C, '2025-11-20 18:59:40,363 [INFO] werkzeug: 127.0.0.1 - - [20/Nov/2025 18:59:40] "GET /health HTTP/1.1" 200 -'],
    ]);
    expect(rows.map((r) => [r.line, r.lines, r.values.kind, r.values.level])).toEqual([
      [1, 5, 'app', 'INFO'],
      [6, 1, 'health_poll', 'INFO'],
    ]);
    expect(rows[0].values.message).toMatch(/instead\.\n \* Running on all addresses \(0\.0\.0\.0\)\n.*\nPress CTRL\+C to quit$/s);
  });

  it('gives a line whose record began before the capture its own continuation record and counts leading blanks as structure', () => {
    const { rows, structural } = join([
      [EX, EX, ''],
      [EX, EX, '  File "/app/service.py", line 10, in init'],
      [EX, EX, 'KeyError: x'],
      [EX, EX, '2025-11-30 14:02:12,000 - execution_service - INFO - Message loop started'],
    ]);
    expect(structural).toEqual({ blank_line: 1 });
    expect(rows.map((r) => [r.line, r.lines, r.values.kind, r.values.format, r.values.ts])).toEqual([
      [2, 2, 'continuation', 'unformatted', null],
      [4, 1, 'app', 'dash', '2025-11-30T14:02:12.000Z'],
    ]);
  });
});

describe('print mode (era-A cdb_ws, cdb_reports)', () => {
  const WS = 'cdb_ws';
  it('keeps every print its own record, joins the Top movers table and a printed traceback, counts blank lines as structure', () => {
    const { rows, structural } = join([
      [WS, WS, 'Hole Symbolliste...'],
      [WS, WS, '✓ Redis verbunden - market_data Events werden publiziert'],
      [WS, WS, '[WS] Connecting chunk (attempt 1)...'],
      [WS, WS, '[WS ERROR] scheme https is invalid'],
      [WS, WS, '[WS CLOSE] Code=None, Msg=None'],
      [WS, WS, ''],
      [WS, WS, '[2025-11-29 20:52:31 UTC] Top movers (15m):'],
      [WS, WS, 'TOP 5 Gewinner:'],
      [WS, WS, '   symbol  pct_change'],
      [WS, WS, 'DOGE_USDT       0.377'],
      [WS, WS, 'TOP 5 Verlierer:'],
      [WS, WS, '   symbol  pct_change'],
      [WS, WS, ' LTC_USDT      -0.285'],
      [WS, WS, '127.0.0.1 - - [29/Nov/2025 20:52:46] "GET /health HTTP/1.1" 200 -'],
      [WS, WS, ''],
      [WS, WS, '[2025-11-29 20:52:46 UTC] Top movers (15m):'],
      [WS, WS, 'Noch keine Daten – warte auf Klines...'],
      [WS, WS, 'Exception in thread Thread-2 (run):'],
      [WS, WS, 'Traceback (most recent call last):'],
      [WS, WS, '  File "mexc_top5_ws.py", line 80, in run'],
      [WS, WS, 'ValueError: bad'],
      [WS, WS, 'Redis publish fehler: Connection reset by peer'],
    ]);
    expect(structural).toEqual({ blank_line: 2 });
    expect(rows.map((r) => [r.line, r.lines, r.values.kind, r.values.format, r.values.level])).toEqual([
      [1, 1, 'print', 'print', null],
      [2, 1, 'print', 'print', null],
      [3, 1, 'print', 'print', null],
      [4, 1, 'print', 'print', 'ERROR'],
      [5, 1, 'print', 'print', null],
      [7, 7, 'print', 'print', null],
      [14, 1, 'health_poll', 'werkzeug', 'INFO'],
      [16, 2, 'print', 'print', null],
      [18, 4, 'print', 'print', null],
      [22, 1, 'print', 'print', null],
    ]);
    expect(rows[5].values.ts).toBe('2025-11-29T20:52:31.000Z');
    expect(rows[5].values.ts_zone).toBe('UTC');
    expect(rows[5].values.message).toMatch(/^\[2025-11-29 20:52:31 UTC\] Top movers \(15m\):\nTOP 5 Gewinner:\n.*LTC_USDT      -0\.285$/s);
    // A print has no clock of its own: the banner's time is not carried over.
    expect(rows[9].values.ts).toBeNull();
  });

  it('switches cdb_ws to joined mode once it logs through Python logging (era B)', () => {
    const { rows } = join([
      [WS, WS, '2026-02-09 08:00:56 [ERROR] ws_service: [ws] message loop error: boom'],
      [WS, WS, 'Traceback (most recent call last):'],
      [WS, WS, '  File "/app/ws.py", line 3, in loop'],
      [WS, WS, 'KeyError: x'],
    ]);
    expect(rows.map((r) => [r.line, r.lines, r.values.format])).toEqual([[1, 4, 'ws-nomillis']]);
  });

  it('keeps every cdb_reports line its own record', () => {
    const R = 'cdb_reports';
    const { rows } = join([
      [R, R, '[INFO] CDB Daily Orders Summary Service started', '2026-01-17T07:59:00.1Z'],
      [R, R, '[INFO] Next run scheduled for 2026-01-18 08:00 UTC (in 14.2h)', '2026-01-17T07:59:00.2Z'],
      [R, R, 'unexpected plain print', '2026-01-17T07:59:00.3Z'],
      [R, R, '[ERROR] SMTP authentication failed', '2026-01-17T08:00:01.5Z'],
    ]);
    expect(rows.map((r) => [r.line, r.lines, r.values.format, r.values.level, r.values.ts, r.values.ts_zone])).toEqual([
      [1, 1, 'reports-print', 'INFO', '2026-01-17T07:59:00.100Z', 'UTC'],
      [2, 1, 'reports-print', 'INFO', '2026-01-17T07:59:00.200Z', 'UTC'],
      [3, 1, 'print', null, '2026-01-17T07:59:00.300Z', 'UTC'],
      [4, 1, 'reports-print', 'ERROR', '2026-01-17T08:00:01.500Z', 'UTC'],
    ]);
    expect(rows[0].values.ts_text).toBeNull();
  });
});

describe('infra mode (postgres, redis)', () => {
  const PG = 'cdb_postgres';
  it('joins DETAIL/STATEMENT of the same backend and keeps entrypoint lines apart', () => {
    const { rows, structural } = join([
      [PG, PG, ''],
      [PG, PG, 'PostgreSQL Database directory appears to contain a database; Skipping initialization'],
      [PG, PG, ''],
      [PG, PG, '2025-11-30 02:41:07.512 UTC [1] LOG:  database system is ready to accept connections'],
      [PG, PG, '2025-11-30 02:45:00.001 UTC [88] ERROR:  null value in column "signal_type" of relation "signals" violates not-null constraint'],
      [PG, PG, '2025-11-30 02:45:00.001 UTC [88] DETAIL:  Failing row contains (1, BTCUSDT, null).'],
      [PG, PG, '2025-11-30 02:45:00.002 UTC [89] LOG:  other backend'],
      [PG, PG, '2025-11-30 02:45:00.003 UTC [89] STATEMENT:  INSERT INTO signals (symbol, signal_type)'],
      [PG, PG, '\tVALUES ($1, $2)'],
      [PG, PG, 'running /docker-entrypoint-initdb.d/01-schema.sql'],
    ]);
    expect(structural).toEqual({ blank_line: 2 });
    expect(rows.map((r) => [r.line, r.lines, r.values.kind, r.values.format, r.values.level])).toEqual([
      [2, 1, 'postgres', 'unformatted', null],
      [4, 1, 'postgres', 'postgres', 'LOG'],
      [5, 2, 'postgres', 'postgres', 'ERROR'],
      [7, 3, 'postgres', 'postgres', 'LOG'],
      [10, 1, 'postgres', 'unformatted', null],
    ]);
    expect(rows[2].values.message).toBe('null value in column "signal_type" of relation "signals" violates not-null constraint\nDETAIL:  Failing row contains (1, BTCUSDT, null).');
    expect(rows[2].values.logger).toBe('[88]');
  });

  it('keeps unprefixed redis lines as their own records', () => {
    const R = 'cdb_redis';
    const { rows } = join([
      [R, R, '1:C 29 Nov 2025 20:50:00.001 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo'],
      [R, R, 'Bad file format reading the append only file appendonly.aof'],
      [R, R, '1:M 29 Nov 2025 20:50:01.123 * Ready to accept connections tcp'],
    ]);
    expect(rows.map((r) => [r.line, r.lines, r.values.kind, r.values.format, r.values.level])).toEqual([
      [1, 1, 'redis', 'redis', 'WARNING'],
      [2, 1, 'redis', 'unformatted', null],
      [3, 1, 'redis', 'redis', 'NOTICE'],
    ]);
  });
});

describe('bounded memory', () => {
  it('caps a record at maxLines; the rest starts a continuation record', () => {
    const lines: In[] = [[EX, EX, '2025-11-30 14:02:11,913 - execution_service - ERROR - boom']];
    for (let i = 0; i < 7; i++) lines.push([EX, EX, `  frame ${i}`]);
    const { rows } = join(lines, { maxLines: 3 });
    expect(rows.map((r) => [r.line, r.lines, r.values.kind, r.values.level])).toEqual([
      [1, 3, 'app', 'ERROR'],
      [4, 3, 'continuation', null],
      [7, 2, 'continuation', null],
    ]);
    expect(rows[1].values.message).toBe('  frame 2\n  frame 3\n  frame 4');
  });

  it('caps a record at maxBytes', () => {
    const big = 'x'.repeat(100);
    const lines: In[] = [[EX, EX, '2025-11-30 14:02:11,913 - execution_service - ERROR - boom']];
    for (let i = 0; i < 5; i++) lines.push([EX, EX, big]);
    const { rows } = join(lines, { maxBytes: 250 });
    expect(rows.map((r) => r.lines)).toEqual([3, 2, 1]);
    expect(rows.every((r) => String(r.values.message).length <= 250)).toBe(true);
  });

  it('evicts the least recently used container beyond maxOpen without losing lines', () => {
    const { rows } = join(
      [
        ['a', 'cdb_a', '2025-11-30 14:02:11,913 [INFO] x: a1'],
        ['b', 'cdb_b', '2025-11-30 14:02:11,913 [INFO] x: b1'],
        ['a', 'cdb_a', '  a-cont'],
        ['c', 'cdb_c', '2025-11-30 14:02:11,913 [INFO] x: c1'],
        ['a', 'cdb_a', '  a-cont2'],
      ],
      { maxOpen: 2 },
    );
    expect(rows.map((r) => [r.values.service, r.line, r.lines])).toEqual([
      ['cdb_a', 1, 3],
      ['cdb_b', 2, 1],
      ['cdb_c', 4, 1],
    ]);
  });
});

describe('times', () => {
  it('prefers the application time, falls back to the docker stamp, never invents one', () => {
    const { v } = join([
      [EX, EX, '2025-11-30 14:02:11,913 - execution_service - INFO - a', '2025-11-30T14:02:11.999999999Z'],
      ['ws', 'cdb_ws', '[WS] Disconnected (attempt 2)', '2025-11-30T14:02:12.5Z'],
      ['ws', 'cdb_ws', '[WS] Disconnected (attempt 3)'],
    ]);
    expect(v.map((x) => [x.ts, x.ts_text, x.ts_zone, x.docker_ts])).toEqual([
      ['2025-11-30T14:02:11.913Z', '2025-11-30 14:02:11,913', 'UTC (assumed)', '2025-11-30T14:02:11.999Z'],
      ['2025-11-30T14:02:12.500Z', null, 'UTC', '2025-11-30T14:02:12.500Z'],
      [null, null, null, null],
    ]);
  });
});

describe('blocks another writer printed to the same stream', () => {
  const W = 'cdb_db_writer';
  const PERSISTED = '2025-12-16 14:02:11,913 [INFO] db_writer: ✅ Trade persisted: ID=812, LTC_USDT BUY @ 71.42';
  const NEXT = '2025-12-16 14:02:12,001 [INFO] db_writer: ✅ Order persisted: MOCK_1a2b3c4d';
  const SOCKET = [
    '----------------------------------------',
    "Exception occurred during processing of request from ('172.18.0.1', 51234)",
    'Traceback (most recent call last):',
    '  File "/usr/local/lib/python3.11/socketserver.py", line 691, in process_request_thread',
    '    self.finish_request(request, client_address)',
    'ConnectionResetError: [Errno 104] Connection reset by peer',
    '----------------------------------------',
  ];
  const BARE_TB = ['Traceback (most recent call last):', '  File "/app/service.py", line 80, in run', '    loop()', 'KeyError: \'price\''];
  const THREAD = ['Exception in thread Thread-3 (listen):', ...BARE_TB];
  const EXC = '2025-12-16 14:02:11,950 [ERROR] db_writer: Failed to persist trade: boom';
  const WARN = '2025-12-16 14:02:11,950 [WARNING] db_writer: retrying';

  // [case, lines, expected [first line, line count, kind, level] per record]
  it.each<[string, string[], [number, number, string, string | null][]]>([
    ['socketserver block after an INFO record', [PERSISTED, ...SOCKET, NEXT], [[1, 1, 'app', 'INFO'], [2, 7, 'stderr_block', null], [9, 1, 'app', 'INFO']]],
    ['socketserver block without its opening rule', [PERSISTED, ...SOCKET.slice(1), NEXT], [[1, 1, 'app', 'INFO'], [2, 6, 'stderr_block', null], [8, 1, 'app', 'INFO']]],
    ['two socketserver blocks back to back', [PERSISTED, ...SOCKET, ...SOCKET], [[1, 1, 'app', 'INFO'], [2, 7, 'stderr_block', null], [9, 7, 'stderr_block', null]]],
    ['bare traceback after an INFO record', [PERSISTED, ...BARE_TB, NEXT], [[1, 1, 'app', 'INFO'], [2, 4, 'stderr_block', null], [6, 1, 'app', 'INFO']]],
    ['threading excepthook output after an INFO record', [PERSISTED, ...THREAD, NEXT], [[1, 1, 'app', 'INFO'], [2, 5, 'stderr_block', null], [7, 1, 'app', 'INFO']]],
    ['threading excepthook output after an ERROR record', [EXC, ...THREAD], [[1, 1, 'app', 'ERROR'], [2, 5, 'stderr_block', null]]],
    ['logger.exception traceback stays with its ERROR record', [EXC, ...BARE_TB, NEXT], [[1, 5, 'app', 'ERROR'], [6, 1, 'app', 'INFO']]],
    ['exc_info traceback stays with its WARNING record', [WARN, ...BARE_TB], [[1, 5, 'app', 'WARNING']]],
    [
      'a chained uncaught traceback is one block',
      [PERSISTED, ...BARE_TB, '', 'During handling of the above exception, another exception occurred:', '', ...BARE_TB],
      [[1, 1, 'app', 'INFO'], [2, 11, 'stderr_block', null]],
    ],
    [
      'a line after a finished block is not glued to it',
      [PERSISTED, ...BARE_TB, 'stray text', ...SOCKET, 'after the rule'],
      [[1, 1, 'app', 'INFO'], [2, 4, 'stderr_block', null], [6, 1, 'continuation', null], [7, 7, 'stderr_block', null], [14, 1, 'continuation', null]],
    ],
    ['a traceback tail captured without its header stays one record', ['  File "/app/x.py", line 1, in f', ...BARE_TB], [[1, 5, 'continuation', null]]],
  ])('%s', (_case, lines, want) => {
    const { rows } = join(lines.map((t) => [W, W, t] as In));
    expect(rows.map((r) => [r.line, r.lines, r.values.kind, r.values.level])).toEqual(want);
  });

  it('keeps the INFO message free of the traceback and the block text whole', () => {
    const { rows } = join([PERSISTED, ...SOCKET].map((t) => [W, W, t] as In));
    expect(rows[0].values.message).toBe('✅ Trade persisted: ID=812, LTC_USDT BUY @ 71.42');
    expect(rows[1].values).toMatchObject({ format: 'unformatted', logger: null, ts: null, message: SOCKET.join('\n') });
  });

  it('takes the docker stamp of the block\'s first line as its time', () => {
    const { rows } = join([
      [W, W, PERSISTED, '2025-12-16T14:02:11.914Z'],
      [W, W, SOCKET[0], '2025-12-16T14:02:15.100Z'],
      [W, W, SOCKET[1], '2025-12-16T14:02:15.101Z'],
    ]);
    expect(rows[1].values).toMatchObject({ kind: 'stderr_block', ts: '2025-12-16T14:02:15.100Z', ts_zone: 'UTC' });
  });

  it('gives a socketserver block in a print-mode container one record', () => {
    const WS = 'cdb_ws';
    const { rows } = join(['[WS] Connecting chunk (attempt 1)...', ...SOCKET, '[WS] Disconnected (attempt 1)'].map((t) => [WS, WS, t] as In));
    expect(rows.map((r) => [r.line, r.lines, r.values.kind])).toEqual([[1, 1, 'print'], [2, 7, 'stderr_block'], [9, 1, 'print']]);
  });
});
