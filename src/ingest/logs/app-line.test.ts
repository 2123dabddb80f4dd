import { describe, expect, it } from 'vitest';
import {
  PowerShellWrapper,
  dockerStampEnd,
  dockerStampEndAt,
  isTopMoversTableLine,
  isoFromZoned,
  isoUtc,
  normalizeLevel,
  parseAppLine,
  parsePrintLine,
  rfc3339ToIso,
  rfc3339ToIsoAt,
  type AppLine,
} from './app-line.js';

type Want = Partial<Pick<AppLine, 'format' | 'kind' | 'ts' | 'tsText' | 'zone' | 'level' | 'logger' | 'message' | 'pid'>>;

// Every header shape of evidence-formats.md §2.3 / §2.5 (plus the infra shapes seen in real captures).
const HEADERS: [string, string, Want][] = [
  ['bracket (signal, A)', `2025-11-20 18:59:17,273 [ERROR] signal_engine: Fehler bei Market-Data-Verarbeitung: 'pct_change'`,
    { format: 'bracket', kind: 'app', level: 'ERROR', logger: 'signal_engine', ts: '2025-11-20T18:59:17.273Z', tsText: '2025-11-20 18:59:17,273', zone: 'UTC (assumed)', message: `Fehler bei Market-Data-Verarbeitung: 'pct_change'` }],
  ['bracket (risk)', '2026-01-15 17:15:16,703 [INFO] risk_manager: ✅ Order freigegeben: BTCUSDT BUY qty=0.0002',
    { format: 'bracket', kind: 'app', level: 'INFO', logger: 'risk_manager', ts: '2026-01-15T17:15:16.703Z', message: '✅ Order freigegeben: BTCUSDT BUY qty=0.0002' }],
  ['dash (execution)', '2025-11-23 22:10:18,256 - execution_service - INFO - Starting execution_service v0.1.0',
    { format: 'dash', kind: 'app', level: 'INFO', logger: 'execution_service', ts: '2025-11-23T22:10:18.256Z', message: 'Starting execution_service v0.1.0' }],
  ['bracket (db_writer)', '2026-01-16 10:00:18,611 [INFO] db_writer: ✅ Trade persisted: ID=812, BTCUSDT SELL @ 49987.14',
    { format: 'bracket', level: 'INFO', logger: 'db_writer', ts: '2026-01-16T10:00:18.611Z' }],
  ['bracket (paper runner)', '2025-12-13 22:02:04,223 [ERROR] __main__: ❌ Redis connection failed: Authentication required.',
    { format: 'bracket', level: 'ERROR', logger: '__main__', message: '❌ Redis connection failed: Authentication required.' }],
  ['bracket, empty message (DAILY REPORT header)', '2025-12-02 00:00:00,412 [INFO] __main__: ',
    { format: 'bracket', level: 'INFO', logger: '__main__', message: '' }],
  ['bracket (email_alerter)', '2025-12-22 00:00:00,029 [WARNING] email_alerter: Email alert NOT sent (disabled): [INFO] Daily Report',
    { format: 'bracket', level: 'WARNING', logger: 'email_alerter', message: 'Email alert NOT sent (disabled): [INFO] Daily Report' }],
  ['bracket (candles)', '2026-01-15 17:26:00,004 [INFO] candle_service: Candle emittiert: BTCUSDT @ 1768497960 (O:1 H:2 L:0.5 C:1.5 V:3)',
    { format: 'bracket', logger: 'candle_service', level: 'INFO' }],
  ['ws B/C without millis', '2026-02-09 08:00:56 [DEBUG] ws_service: [redis] published market_data: BTCUSDT @ 70476.81',
    { format: 'ws-nomillis', kind: 'app', level: 'DEBUG', logger: 'ws_service', ts: '2026-02-09T08:00:56.000Z', tsText: '2026-02-09 08:00:56', message: '[redis] published market_data: BTCUSDT @ 70476.81' }],
  ['plain-name (logging_config.json)', '2025-11-30 14:02:11,907 risk_manager INFO 📨 Signal empfangen: BTC_USDT BUY',
    { format: 'plain-name', kind: 'app', level: 'INFO', logger: 'risk_manager', ts: '2025-11-30T14:02:11.907Z', message: '📨 Signal empfangen: BTC_USDT BUY' }],
  ['WARN normalised', '2025-11-30 14:02:11,907 [WARN] risk_manager: x',
    { level: 'WARNING' }],
  ['alert logged at WARNING', '2025-11-30 14:02:11,907 [WARNING] risk_manager: Alert: [CRITICAL] CIRCUIT_BREAKER: Circuit Breaker! Daily Loss: -600.00 <= -500.00',
    { level: 'WARNING', logger: 'risk_manager', message: 'Alert: [CRITICAL] CIRCUIT_BREAKER: Circuit Breaker! Daily Loss: -600.00 <= -500.00' }],
  ['werkzeug health poll (bracket)', '2025-11-20 18:59:40,363 [INFO] werkzeug: 127.0.0.1 - - [20/Nov/2025 18:59:40] "GET /health HTTP/1.1" 200 -',
    { format: 'bracket', kind: 'health_poll', logger: 'werkzeug', level: 'INFO', ts: '2025-11-20T18:59:40.363Z' }],
  ['werkzeug /status poll (dash)', '2025-11-20 18:59:40,363 - werkzeug - INFO - 127.0.0.1 - - [20/Nov/2025 18:59:40] "GET /status HTTP/1.1" 200 -',
    { format: 'dash', kind: 'health_poll', logger: 'werkzeug' }],
  ['werkzeug /metrics scrape is not a health poll', '2025-12-21 23:52:06,111 - werkzeug - INFO - 172.18.0.4 - - [21/Dec/2025 23:52:06] "GET /metrics HTTP/1.1" 200 -',
    { format: 'dash', kind: 'app', logger: 'werkzeug' }],
  ['werkzeug other request', '2025-11-20 18:59:40,363 [INFO] werkzeug: 10.0.0.5 - - [20/Nov/2025 18:59:40] "POST /orders HTTP/1.1" 405 -',
    { kind: 'app', logger: 'werkzeug' }],
  ['werkzeug startup header', '2025-11-20 18:59:17,100 [INFO] werkzeug: WARNING: This is a development server. Do not use it in a production deployment.',
    { kind: 'app', logger: 'werkzeug', level: 'INFO', message: 'WARNING: This is a development server. Do not use it in a production deployment.' }],
  ['bare werkzeug (era-A ws)', '127.0.0.1 - - [29/Nov/2025 20:52:46] "GET /health HTTP/1.1" 200 -',
    { format: 'werkzeug', kind: 'health_poll', logger: 'werkzeug', level: 'INFO', ts: '2025-11-29T20:52:46.000Z', tsText: '29/Nov/2025 20:52:46', zone: 'UTC (assumed)' }],
  ['bare werkzeug, not a poll', '172.18.0.4 - - [29/Nov/2025 20:52:46] "GET /metrics HTTP/1.1" 200 -',
    { format: 'werkzeug', kind: 'app' }],
  ['redis notice', '1:M 29 Nov 2025 20:50:01.123 * Ready to accept connections tcp',
    { format: 'redis', kind: 'redis', level: 'NOTICE', logger: '1:M', ts: '2025-11-29T20:50:01.123Z', tsText: '29 Nov 2025 20:50:01.123', message: 'Ready to accept connections tcp' }],
  ['redis warning', '1:C 29 Nov 2025 20:50:00.001 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo',
    { format: 'redis', level: 'WARNING', logger: '1:C', message: 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo' }],
  ['redis debug/verbose', '7:M 1 Dec 2025 01:02:03.004 - Accepted 172.18.0.5:40000',
    { format: 'redis', level: 'VERBOSE', ts: '2025-12-01T01:02:03.004Z' }],
  ['postgres LOG', '2025-11-30 02:41:07.512 UTC [1] LOG:  database system is ready to accept connections',
    { format: 'postgres', kind: 'postgres', level: 'LOG', logger: '[1]', pid: '1', ts: '2025-11-30T02:41:07.512Z', zone: 'UTC', tsText: '2025-11-30 02:41:07.512 UTC', message: 'database system is ready to accept connections' }],
  ['postgres FATAL', '2025-11-30 02:41:09.001 UTC [77] FATAL:  password authentication failed for user "claire_user"',
    { format: 'postgres', level: 'FATAL', pid: '77', message: 'password authentication failed for user "claire_user"' }],
  ['postgres in another zone', '2025-11-30 03:41:07.512 CET [1] LOG:  x',
    { format: 'postgres', zone: 'CET', ts: '2025-11-30T02:41:07.512Z' }],
  ['grafana logfmt', 'logger=cleanup t=2025-12-21T23:54:05.571+00:00 level=info msg="Completed cleanup jobs" duration=8.843286ms',
    { format: 'logfmt', kind: 'app', level: 'INFO', logger: 'cleanup', ts: '2025-12-21T23:54:05.571Z', zone: 'UTC', message: 'Completed cleanup jobs duration=8.843286ms' }],
  ['prometheus logfmt', 'ts=2025-12-21T23:54:05.571Z caller=main.go:1 level=warn msg="x y"',
    { format: 'logfmt', level: 'WARNING', logger: 'main.go:1', ts: '2025-12-21T23:54:05.571Z', message: 'x y' }],
  ['cadvisor glog', 'W1221 23:54:05.571123       1 manager.go:123] Cannot detect current cgroup',
    { format: 'glog', level: 'WARNING', logger: 'manager.go:123', ts: null, tsText: '1221 23:54:05.571123' }],
];

describe('parseAppLine: headers', () => {
  it.each(HEADERS)('%s', (_name, line, want) => {
    const h = parseAppLine(line);
    expect(h).not.toBeNull();
    expect(h).toMatchObject(want);
  });
});

// Lines that must NOT start a record: they continue the previous record of their container.
const CONTINUATIONS = [
  'Traceback (most recent call last):',
  '  File "/app/service.py", line 212, in process',
  'psycopg2.errors.NotNullViolation: null value in column "signal_type" violates not-null constraint',
  'DETAIL:  Failing row contains (4711, BTCUSDT, null, 95639.26000000, 0.5000, 2026-01-05 09:14:03+00, signal_engine, {}).',
  '\tIs the server running on that host and accepting TCP/IP connections?',
  '============================================================',
  'Paper Trading Daily Report',
  '  Signals Today:    0',
  'Date: 2025-12-22',
  ' * Running on http://127.0.0.1:8001',
  'Press CTRL+C to quit',
  '',
  'TOP 5 Gewinner:',
  '[WS] Connecting chunk (attempt 3)...',
  '[INFO] Next run scheduled for 2026-01-18 08:00 UTC (in 14.2h)',
  '2025-11-30 14:02:11,907 [NOTALEVEL] x: y',
  '2025-13-45 14:02:11,907',
  'log_level=debug',
  'level_of_detail=high',
];

describe('parseAppLine: continuation candidates', () => {
  it.each(CONTINUATIONS.map((l) => [l]))('%j is not a header', (line) => {
    expect(parseAppLine(line)).toBeNull();
  });

  it('keeps an impossible date as text but gives no time', () => {
    const h = parseAppLine('2025-13-45 14:02:11,907 [INFO] risk_manager: x');
    expect(h).toMatchObject({ format: 'bracket', tsText: '2025-13-45 14:02:11,907', ts: null });
  });
});

// §2.5 prints: every line is its own record in era-A cdb_ws and cdb_reports.
const PRINTS: [string, Want & { wsPrint?: boolean; topMovers?: boolean }][] = [
  ['[WS] Connecting chunk (attempt 3)...', { format: 'print', kind: 'print', level: null, wsPrint: true, message: '[WS] Connecting chunk (attempt 3)...' }],
  ['[WS] Disconnected (attempt 4)', { format: 'print', level: null, wsPrint: true }],
  ['[WS ERROR] scheme https is invalid', { format: 'print', level: 'ERROR', wsPrint: true }],
  ['[WS ERROR] Chunk reconnect #3: timed out', { level: 'ERROR', wsPrint: true }],
  ['[WS CLOSE] Code=None, Msg=None', { level: null, wsPrint: true }],
  ['[WS CONFIG] Using WS_URL=wss://wbs.mexc.com/ws', { wsPrint: true }],
  ['Hole Symbolliste...', { format: 'print', wsPrint: true }],
  ['✓ Redis verbunden - market_data Events werden publiziert', { wsPrint: true, level: null }],
  ['⚠ Redis nicht verfügbar: Error 111 - Events werden nicht publiziert', { wsPrint: true, level: 'WARNING' }],
  ['Redis publish fehler: Connection reset', { wsPrint: true }],
  ['on_message fehler: KeyError', { wsPrint: true }],
  ['Invalid WS URL scheme: https://x (must start with ws:// or wss://). Check MEXC_WS_URL/WS_URL and proxy settings (unset HTTPS_PROXY for WS).', { wsPrint: true }],
  ['[2025-11-29 20:52:31 UTC] Top movers (15m):', { format: 'print', topMovers: true, ts: '2025-11-29T20:52:31.000Z', zone: 'UTC', tsText: '2025-11-29 20:52:31 UTC' }],
  ['[INFO] Next run scheduled for 2026-01-18 08:00 UTC (in 14.2h)', { format: 'reports-print', kind: 'print', level: 'INFO', message: 'Next run scheduled for 2026-01-18 08:00 UTC (in 14.2h)', ts: null }],
  ['[ERROR] SMTP failed', { format: 'reports-print', level: 'ERROR', message: 'SMTP failed' }],
  [' * Serving Flask app \'mexc_top5_ws\'', { format: 'print', level: null, message: " * Serving Flask app 'mexc_top5_ws'" }],
];

describe('parsePrintLine', () => {
  it.each(PRINTS)('%s', (line, want) => {
    expect(parsePrintLine(line)).toMatchObject(want);
  });
});

describe('Top movers table lines', () => {
  it.each([
    ['TOP 5 Gewinner:', true],
    ['TOP 5 Verlierer:', true],
    ['   symbol  pct_change', true],
    ['DOGE_USDT       0.377', true],
    [' LTC_USDT      -0.285', true],
    ['Noch keine Daten – warte auf Klines...', true],
    ['Empty DataFrame', true],
    ['[WS] Disconnected (attempt 2)', false],
    ['127.0.0.1 - - [29/Nov/2025 20:52:46] "GET /health HTTP/1.1" 200 -', false],
  ])('%j → %s', (line, want) => {
    expect(isTopMoversTableLine(line)).toBe(want);
  });
});

const STAMPS: [string, number, string | null][] = [
    ['2025-11-30T14:02:11.908213457Z 2025-11-30 14:02:11,907 [INFO] x: y', 30, '2025-11-30T14:02:11.908Z'],
    ['2025-12-21T22:20:34.99068325Z', 29, '2025-12-21T22:20:34.990Z'],
    ['2025-12-21T22:20:34Z x', 20, '2025-12-21T22:20:34.000Z'],
    ['2025-12-21T23:20:34.5+01:00 x', 27, '2025-12-21T22:20:34.500Z'],
    ['2025-11-30 14:02:11,907 [INFO] x: y', -1, null],
    ['2025-11-30T14:02:11.9Zx', -1, null],
    // the stamp's own fields, checked as isoUtc checks them; fractions of one to nine digits
    ['2025-12-21T22:20:34.9Z', 22, '2025-12-21T22:20:34.900Z'],
    ['2025-12-21T22:20:34.99Z', 23, '2025-12-21T22:20:34.990Z'],
    ['2025-12-21T22:20:34.123Z', 24, '2025-12-21T22:20:34.123Z'],
    ['2025-12-21T22:20:60.123456Z', 27, '2025-12-21T22:20:60.123Z'],
    ['2025-13-21T22:20:34.123456Z', 27, null],
    ['2025-12-00T22:20:34Z', 20, null],
    ['2025-12-32T22:20:34.1Z', 22, null],
    ['2025-12-21T24:20:34.123Z', 24, null],
    ['2025-12-21T22:60:34Z', 20, null],
    ['2025-12-21T22:20:61.5Z', 22, null],
    ['short', -1, null],
    ['2025-12-21T22:20:34.1234567890123Z', 34, '2025-12-21T22:20:34.123Z'],
    ['2025-12-21T22:20:34.12a4Z', -1, null],
    ['2025-12-21T22:20:34-00:30', 25, '2025-12-21T22:50:34.000Z'],
    ['2025-12-21T22:20:34.+01:00', 26, null],
];

/** What rfc3339ToIso gave before its fast path: the pattern and the two converters. */
function rfc3339ByPattern(stamp: string): string | null {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  if (!m) return null;
  return m[4] === 'Z' ? isoUtc(m[1], m[2], m[3]) : isoFromZoned(m[1], m[2], m[3], m[4]);
}

describe('docker stamps and zones', () => {
  it.each(STAMPS)('%j', (text, end, iso) => {
    expect(dockerStampEnd(text)).toBe(end);
    if (end > 0) expect(rfc3339ToIso(text.slice(0, end))).toBe(iso);
  });

  // compose-logs reads the stamp where it stands in the line, behind the container prefix.
  it.each(STAMPS)('%j read in place after a prefix gives what the cut stamp gives', (text, end, iso) => {
    const prefix = 'cdb_signal    | ';
    const line = prefix + text;
    expect(dockerStampEndAt(line, prefix.length)).toBe(end > 0 ? end + prefix.length : -1);
    if (end > 0) {
      expect(rfc3339ToIsoAt(line, prefix.length, end + prefix.length)).toBe(iso);
      expect(rfc3339ToIsoAt(line, prefix.length, end + prefix.length)).toBe(rfc3339ByPattern(text.slice(0, end)));
    }
  });

  it('reads every fraction length, field range and zone as the pattern does', () => {
    const seen = new Set<string | null>();
    for (const date of ['2025-12-21', '2025-00-21', '2025-12-32', '2025-1a-21'])
      for (const time of ['22:20:34', '24:00:00', '23:60:00', '23:59:60', '23:59:61', '2x:20:34'])
        for (const frac of ['', '.', '.1', '.12', '.123', '.1234', '.123456789', '.12x'])
          for (const zone of ['Z', '+01:00', '-05:30', '+0100', '']) {
            const stamp = `${date}T${time}${frac}${zone}`;
            const want = rfc3339ByPattern(stamp);
            seen.add(want);
            expect(rfc3339ToIso(stamp), stamp).toBe(want);
            expect(rfc3339ToIsoAt(`x | ${stamp} y`, 4, 4 + stamp.length), stamp).toBe(want);
          }
    // The grid reaches readable and unreadable stamps alike.
    expect(seen.has(null)).toBe(true);
    expect(seen.size).toBeGreaterThan(10);
  });

  it.each([
    ['UTC', '2025-11-30T02:41:07.512Z'],
    ['+01', '2025-11-30T01:41:07.512Z'],
    ['-0530', '2025-11-30T08:11:07.512Z'],
    ['CEST', '2025-11-30T00:41:07.512Z'],
    ['XYZ', null],
  ])('zone %s', (zone, want) => {
    expect(isoFromZoned('2025-11-30', '02:41:07', '512', zone)).toBe(want);
  });
});

describe('PowerShellWrapper', () => {
  it('marks the PowerShell 5.1 2>&1 block as noise and unwraps `docker : `', () => {
    const lines = [
      'docker : 2025-11-30 14:02:11,913 - execution_service - INFO - Starting execution_service v0.1.0',
      'At line:1 char:1',
      '+ docker logs cdb_execution 2>&1 > exec.txt',
      '+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
      '    + CategoryInfo          : NotSpecified: (2025-11-30 14:0...on v0.1.0:String) [], RemoteException',
      '    + FullyQualifiedErrorId : NativeCommandError',
      ' ',
      '2025-11-30 14:02:11,914 - execution_service - INFO - Port: 8003',
      '+ not noise outside the block',
    ];
    const ps = new PowerShellWrapper();
    expect(lines.map((l) => ps.isNoise(l))).toEqual([false, true, true, true, true, true, true, false, false]);
    expect(PowerShellWrapper.unwrap(lines[0])).toBe('2025-11-30 14:02:11,913 - execution_service - INFO - Starting execution_service v0.1.0');
    expect(PowerShellWrapper.unwrap(lines[7])).toBe(lines[7]);
  });
});

describe('normalizeLevel', () => {
  /** The table lookup the compared-in-place levels replace. */
  const TABLE: Record<string, string> = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARNING', WARN: 'WARNING', ERROR: 'ERROR', CRITICAL: 'CRITICAL', FATAL: 'CRITICAL' };
  it.each(['DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'FATAL', 'NOTICE', 'VERBOSE', 'info', 'INFOS', 'WARNS', 'ERRORS', 'CRITICALS', 'WARNINGS', 'DEBUGX', ''])('%j', (level) => {
    // A cut string, as the header patterns give it, not the literal.
    const cut = `[${level}]`.slice(1, -1);
    expect(normalizeLevel(cut)).toBe(TABLE[level] ?? level);
  });
});

describe('parseAppLine with the docker stamp', () => {
  it.each(HEADERS)('parseAppLine of %s reads the same with any docker stamp', (_name, line) => {
    const alone = parseAppLine(line);
    for (const stamp of [alone?.ts ?? null, '2025-11-30T14:02:11.907Z', '2026-01-15T17:15:16.703Z', null]) expect(parseAppLine(line, stamp)).toEqual(alone);
  });
});

describe('PowerShellWrapper.isNoise: the first-character shortcut', () => {
  // Each line after the same history, with the shortcut and through the patterns alone.
  const lines = ['cdb_ws | x', 'At line:1 char:1', '+ docker compose logs', '    + CategoryInfo          : NotSpecified: (x:String) [], RemoteException', '    + FullyQualifiedErrorId : NativeCommandError', '', ' ', '\u00a0+ CategoryInfo : x', '+ ~~~~~', 'B', '\t+ CategoryInfo : x', 'Attaching to cdb_ws'];
  it.each(lines.map((l) => [l]))('%j', (line) => {
    for (const before of [[], ['At line:1 char:1'], ['+ CategoryInfo : x'], ['    + FullyQualifiedErrorId : NativeCommandError']]) {
      const ps = new PowerShellWrapper();
      for (const b of before) ps.isNoise(b);
      const got = ps.isNoise(line);
      expect(got, `${JSON.stringify(before)} ${JSON.stringify(line)}`).toBe(noiseByPatterns(before, line));
    }
  });
});

/** isNoise as it was before its shortcut: every pattern tried on every line. */
function noiseByPatterns(before: string[], line: string): boolean {
  let inBlock = false;
  let afterFqid = false;
  const step = (text: string): boolean => {
    if (afterFqid) {
      afterFqid = false;
      if (text.trim() === '') return true;
    }
    if (/^\s*\+ (?:CategoryInfo|FullyQualifiedErrorId)\s*:/.test(text)) {
      inBlock = !text.includes('FullyQualifiedErrorId');
      if (!inBlock) afterFqid = true;
      return true;
    }
    if (/^At (?:line:\d+ char:\d+|[^\n]*:\d+ char:\d+)$/.test(text)) {
      inBlock = true;
      return true;
    }
    if (inBlock) {
      if (/^\s*\+ /.test(text) || /^\s*\+\s*~+\s*$/.test(text)) return true;
      inBlock = false;
    }
    return false;
  };
  for (const b of before) step(b);
  return step(line);
}
