import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headFromText, runParser, type ParserRun } from '../testing.js';
import compose from './compose-logs.js';
import parser from './docker-logs.js';

const DOCKER = '/work/shared/fixtures/real-tools/docker/';
const REAL = '/work/shared/fixtures/real-tools/';
const read = (f: string) => readFileSync(f, 'utf8');

function ok(r: ParserRun) {
  expect(r.unaccounted).toBe(0);
}

type V = Record<string, string | number | null | undefined>;

// evidence-formats.md §2.3 / §2.5, one line each, read as a single container's `docker logs`.
const FORMATS: [string, string, V][] = [
  ['signal A (bracket)', `2025-11-20 18:59:17,273 [ERROR] signal_engine: Fehler bei Market-Data-Verarbeitung: 'pct_change'`,
    { service: 'cdb_core', level: 'ERROR', logger: 'signal_engine', ts: '2025-11-20T18:59:17.273Z', kind: 'app', format: 'bracket' }],
  ['signal B (bracket)', '2026-01-16 10:00:18,500 [INFO] signal_engine: ✨ Signal generiert: BTCUSDT BUY @ $70467.52 (+0.01%)',
    { service: 'cdb_signal', level: 'INFO', logger: 'signal_engine', ts: '2026-01-16T10:00:18.500Z', kind: 'app' }],
  ['risk', '2026-01-15 17:15:16,703 [INFO] risk_manager: ✅ Order freigegeben: BTCUSDT BUY qty=0.0002',
    { service: 'cdb_risk', level: 'INFO', logger: 'risk_manager', ts: '2026-01-15T17:15:16.703Z', kind: 'app', format: 'bracket' }],
  ['execution (dash)', '2025-11-23 22:10:18,256 - execution_service - INFO - Starting execution_service v0.1.0',
    { service: 'cdb_execution', level: 'INFO', logger: 'execution_service', ts: '2025-11-23T22:10:18.256Z', kind: 'app', format: 'dash' }],
  ['db_writer', '2026-01-16 10:00:18,611 [INFO] db_writer: ✅ Trade persisted: ID=812, BTCUSDT SELL @ 49987.14',
    { service: 'cdb_db_writer', level: 'INFO', logger: 'db_writer', ts: '2026-01-16T10:00:18.611Z', kind: 'app' }],
  ['paper runner', '2025-12-13 22:02:04,223 [ERROR] __main__: ❌ Redis connection failed: Authentication required.',
    { service: 'cdb_paper_runner', level: 'ERROR', logger: '__main__', ts: '2025-12-13T22:02:04.223Z', kind: 'app' }],
  ['email_alerter', '2025-12-22 00:00:00,029 [WARNING] email_alerter: Email alert NOT sent (disabled): [INFO] Daily Report',
    { service: 'cdb_paper_runner', level: 'WARNING', logger: 'email_alerter', kind: 'app' }],
  ['candles', '2026-01-15 17:26:00,004 [INFO] candle_service: Candle emittiert: BTCUSDT @ 1768497960 (O:1 H:2 L:0.5 C:1.5 V:3)',
    { service: 'cdb_candles', level: 'INFO', logger: 'candle_service', kind: 'app' }],
  ['regime', '2026-01-15 17:26:00,004 [INFO] regime_service: Regime-Service gestartet',
    { service: 'cdb_regime', logger: 'regime_service' }],
  ['allocation', '2026-01-15 17:26:00,004 [WARNING] allocation_service: Allocation-Service gestartet',
    { service: 'cdb_allocation', level: 'WARNING', logger: 'allocation_service' }],
  ['market (C)', '2026-02-01 10:00:00,001 [INFO] market_service: started',
    { service: 'cdb_market', logger: 'market_service' }],
  ['ws B/C (no millis)', '2026-02-09 08:00:56 [DEBUG] ws_service: [redis] published market_data: BTCUSDT @ 70476.81',
    { service: 'cdb_ws', level: 'DEBUG', logger: 'ws_service', ts: '2026-02-09T08:00:56.000Z', ts_text: '2026-02-09 08:00:56', kind: 'app', format: 'ws-nomillis' }],
  ['plain-name format', '2025-11-30 14:02:11,907 risk_manager WARNING ⚠️ Max Exposure erreicht: 5120.40 >= 5000.00',
    { service: 'cdb_risk', level: 'WARNING', logger: 'risk_manager', format: 'plain-name' }],
  ['ws A print', '[WS ERROR] scheme https is invalid',
    { service: 'cdb_ws', level: 'ERROR', logger: null, ts: null, kind: 'print', format: 'print' }],
  ['ws A print (DE)', 'Hole Symbolliste...',
    { service: 'cdb_ws', level: null, ts: null, kind: 'print', format: 'print' }],
  ['ws A Top movers banner', '[2025-11-29 20:52:31 UTC] Top movers (15m):',
    { service: 'cdb_ws', ts: '2025-11-29T20:52:31.000Z', ts_zone: 'UTC', kind: 'print' }],
  ['ws A bare werkzeug', '127.0.0.1 - - [29/Nov/2025 20:52:46] "GET /health HTTP/1.1" 200 -',
    { service: 'cdb_ws', level: 'INFO', logger: 'werkzeug', ts: '2025-11-29T20:52:46.000Z', kind: 'health_poll', format: 'werkzeug' }],
  ['reports', '[INFO] Next run scheduled for 2026-01-18 08:00 UTC (in 14.2h)',
    { service: 'cdb_reports', level: 'INFO', logger: null, ts: null, kind: 'print', format: 'reports-print' }],
  ['werkzeug poll (bracket)', '2025-11-20 18:59:40,363 [INFO] werkzeug: 127.0.0.1 - - [20/Nov/2025 18:59:40] "GET /health HTTP/1.1" 200 -',
    { service: null, level: 'INFO', logger: 'werkzeug', ts: '2025-11-20T18:59:40.363Z', kind: 'health_poll', format: 'bracket' }],
  ['redis', '1:M 29 Nov 2025 20:50:01.123 * Ready to accept connections tcp',
    { service: 'cdb_redis', level: 'NOTICE', logger: '1:M', ts: '2025-11-29T20:50:01.123Z', kind: 'redis', format: 'redis' }],
  ['postgres', '2025-11-30 02:41:07.512 UTC [1] LOG:  database system is ready to accept connections',
    { service: 'cdb_postgres', level: 'LOG', logger: '[1]', ts: '2025-11-30T02:41:07.512Z', ts_zone: 'UTC', kind: 'postgres', format: 'postgres' }],
];

describe('every application format (§2.3, §2.5)', () => {
  it.each(FORMATS)('%s', async (_n, line, want) => {
    const r = await runParser(parser, line + '\n', 'evidence.txt');
    ok(r);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].values).toMatchObject(want);
  });

  it('reads the same line identically after a docker -t stamp, keeping the stamp', async () => {
    for (const [, line, want] of FORMATS) {
      const r = await runParser(parser, `2025-12-01T10:00:00.123456789Z ${line}\n`, 'evidence.txt');
      ok(r);
      const expected = { ...want, docker_ts: '2025-12-01T10:00:00.123Z' } as V;
      // An untimed print takes the stamp as its time.
      if (want.ts === null) Object.assign(expected, { ts: '2025-12-01T10:00:00.123Z', ts_zone: 'UTC' });
      expect(r.rows[0].values).toMatchObject(expected);
    }
  });
});

describe('the paper runner file and the fixture without its prefix', () => {
  it('parses logs/paper_trading_YYYYMMDD.log style content', async () => {
    // The fixture's lines without the compose prefix and stamp are what the runner writes to its own file.
    const text = read(DOCKER + 'paper_runner_daily_report.txt')
      .split('\n')
      .map((l) => l.replace(/^cdb_paper_runner\s*\| \S+Z ?/, ''))
      .join('\n');
    const r = await runParser(parser, text, 'paper_trading_20251221.log');
    ok(r);
    expect(r.quarantined).toEqual([]);
    const fromCompose = await runParser(compose, read(DOCKER + 'paper_runner_daily_report.txt'));
    const key = (x: ParserRun) => x.rows.map((y) => [y.line, y.lines, y.values.service, y.values.level, y.values.kind, y.values.message].join('|'));
    expect(key(r)).toEqual(key(fromCompose));
    expect(r.notes.join('\n')).toMatch(/cdb_paper_runner taken from content \(logger __main__\)/);
  });

  it('gives docker logs -t output the same records as compose --timestamps', async () => {
    const compText = read(DOCKER + 'paper_runner_daily_report.txt');
    const text = compText.split('\n').map((l) => l.replace(/^cdb_paper_runner\s*\| /, '')).join('\n');
    const r = await runParser(parser, text);
    const c = await runParser(compose, compText);
    ok(r);
    expect(r.rows.map((x) => x.values)).toEqual(c.rows.map((x) => x.values));
  });
});

describe('service', () => {
  const poll = '2025-12-21 22:20:04,941 [INFO] werkzeug: 127.0.0.1 - - [21/Dec/2025 22:20:04] "GET /health HTTP/1.1" 200 -';
  it.each<[string, string, string[], string | null, RegExp]>([
    ['content', 'whatever.txt', ['2025-11-30 14:02:11,907 [INFO] risk_manager: x'], 'cdb_risk', /content/],
    ['file name when content says nothing', 'docker_logs_cdb_execution_2025-12-01.txt', [poll], 'cdb_execution', /file name/],
    ['short file name', 'risk.txt', [poll], 'cdb_risk', /file name/],
    ['signal_engine with cdb_signal in the name', 'cdb_signal.log', ['2025-12-29 10:00:00,000 [INFO] signal_engine: Config validiert ✓'], 'cdb_signal', /file name names cdb_signal/],
    ['signal_engine without tells: ambiguity noted', 'evidence.txt', ['2025-12-01 10:00:00,000 [INFO] signal_engine: Config validiert ✓'], 'cdb_core', /ambiguous \(cdb_core\|cdb_signal\)/],
  ])('%s', async (_n, name, lines, service, note) => {
    const r = await runParser(parser, lines.join('\n'), name);
    ok(r);
    expect(r.rows.every((x) => x.values.service === service)).toBe(true);
    expect(r.notes.join('\n')).toMatch(note);
  });

  it('decides late when the head holds no evidence, and says which records carry none', async () => {
    const lines: string[] = [];
    // > 64 KiB of health polls so the head cannot see the risk line.
    for (let i = 0; i < 700; i++) lines.push(poll);
    lines.push('2025-12-21 23:00:00,000 [INFO] risk_manager: 📨 Signal empfangen: BTC_USDT BUY');
    // A continuation line (a traceback after INFO would be another writer's block, a record of its own).
    lines.push('  detail of the record above');
    const r = await runParser(parser, lines.join('\n'), 'evidence.txt');
    ok(r);
    expect(r.rows).toHaveLength(701);
    // Rows already handed on cannot be relabelled; the one still open when the evidence came is.
    expect(r.rows.slice(0, 699).every((x) => x.values.service === null)).toBe(true);
    expect(r.rows[699].values.service).toBe('cdb_risk');
    expect(r.rows[700]).toMatchObject({ line: 701, lines: 2 });
    expect(r.rows[700].values.service).toBe('cdb_risk');
    expect(r.notes.join('\n')).toMatch(/decided at line 701/);
  });

  it('treats era-A cdb_ws output as prints (each line its own record)', async () => {
    const text = ['Hole Symbolliste...', '[WS] Connecting chunk (attempt 1)...', '', '[2025-11-29 20:52:31 UTC] Top movers (15m):', 'Noch keine Daten – warte auf Klines...', '[WS] Disconnected (attempt 1)'].join('\n');
    const r = await runParser(parser, text);
    ok(r);
    expect(r.structural).toEqual({ blank_line: 1 });
    expect(r.rows.map((x) => [x.line, x.lines, x.values.service])).toEqual([
      [1, 1, 'cdb_ws'],
      [2, 1, 'cdb_ws'],
      [4, 2, 'cdb_ws'],
      [6, 1, 'cdb_ws'],
    ]);
  });
});

describe('PowerShell 5.1 capture', () => {
  it('unwraps `docker : ` and counts the error-record block as powershell_wrapper', async () => {
    const text = [
      'docker : 2025-11-30 14:02:11,913 - execution_service - INFO - Starting execution_service v0.1.0',
      'At line:1 char:1',
      '+ docker logs cdb_execution 2>&1 > exec.txt',
      '+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
      '    + CategoryInfo          : NotSpecified: (2025-11-30 14:0...on v0.1.0:String) [], RemoteException',
      '    + FullyQualifiedErrorId : NativeCommandError',
      ' ',
      '2025-11-30 14:02:11,914 - execution_service - INFO - Port: 8003',
      '2025-11-30 14:02:11,915 - execution_service - INFO - Mode: MOCK',
    ].join('\n');
    const r = await runParser(parser, text);
    ok(r);
    expect(r.structural).toEqual({ powershell_wrapper: 6 });
    expect(r.rows.map((x) => [x.line, x.lines, x.values.message])).toEqual([
      [1, 1, 'Starting execution_service v0.1.0'],
      [8, 1, 'Port: 8003'],
      [9, 1, 'Mode: MOCK'],
    ]);
    expect(r.rows[0].values.service).toBe('cdb_execution');
  });
});

describe('sniff', () => {
  it.each([
    ['python logs', '2025-11-30 14:02:11,907 [INFO] risk_manager: a\n2025-11-30 14:02:12,907 [INFO] risk_manager: b\nTraceback (most recent call last):\n'],
    ['docker logs -t', '2025-11-30T14:02:11.908213457Z 2025-11-30 14:02:11,907 [INFO] risk_manager: a\n'],
    ['era-A ws prints', '\n[2025-11-29 20:52:31 UTC] Top movers (15m):\nTOP 5 Gewinner:\n   symbol  pct_change\nDOGE_USDT       0.377\n[WS] Disconnected (attempt 2)\n'],
    ['redis container', '1:C 29 Nov 2025 20:50:00.001 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n1:M 29 Nov 2025 20:50:01.123 * Ready to accept connections tcp\n'],
    ['postgres container', '2025-11-30 02:41:07.512 UTC [1] LOG:  database system is ready to accept connections\n'],
  ])('claims %s', (_n, text) => {
    expect(parser.claims.sniff(headFromText(text))?.confidence).toBeGreaterThanOrEqual(50);
  });

  it('loses to compose-logs on compose output (lower specificity, no claim)', () => {
    const head = headFromText(read(DOCKER + 'compose_logs.txt'));
    expect(parser.claims.sniff(head)).toBeNull();
    expect(parser.specificity).toBeLessThan(compose.specificity);
  });

  const NOT_MINE: [string, string][] = [
    ['json-file log', read(DOCKER + '247ddfa3f7dd52f75157a8ae9242ec41afc2238220d0f9da3add217295fea98f-json.log')],
    ['compose ps table', read(DOCKER + 'compose_ps.txt')],
    ['compose ps json', read(DOCKER + 'compose_ps.json')],
    ['orders.csv', read(REAL + 'postgres/orders.csv')],
    ['signals.csv', read(REAL + 'postgres/signals.csv')],
    ['pg_dump', read(REAL + 'postgres/pg_dump_data_only.sql')],
    ['pg_dump --column-inserts', read(REAL + 'postgres/pg_dump_column_inserts.sql')],
    ['redis INFO', read(REAL + 'redis/info_stats.txt')],
    ['redis MONITOR', read(REAL + 'redis/monitor.txt')],
    ['redis SUBSCRIBE', read(REAL + 'redis/subscribe_market_data_signals_orders_order_results.txt')],
    ['redis XINFO', read(REAL + 'redis/xlen_xinfo_stream.signals.txt')],
    ['redis NUMSUB', read(REAL + 'redis/pubsub_numsub.txt')],
    ['.env', 'REDIS_HOST=cdb_redis\nlog_level=debug\nREDIS_PASSWORD=secret\n# comment\n'],
    ['daily_check Markdown', '# Daily Report - 2025-12-14\nGenerated: 2025-12-14 21:23:38\n# 📊 Claire de Binare - Daily Check\n**Date**: 2025-12-14 21:23:38\n## 3. Trading Statistics\n| Signals | 0 | 4646 |\n'],
    ['mail', 'From: bot@example.com\nDate: Mon, 22 Dec 2025 00:00:01 +0000\nSubject: [INFO] Claire de Binare: Daily Report\n\nClaire de Binare Paper Trading Alert\nSeverity: INFO\nTime: 2025-12-22 00:00:00\n\nPaper Trading Daily Report\n  Signals Today:    0\n'],
    ['analysis notes quoting log lines', '# Incident notes\n\nRisk rejected everything:\n\n```\n2025-11-30 14:02:11,907 [WARNING] risk_manager: ⚠️ Max Exposure erreicht: 5120.40 >= 5000.00\n2025-11-30 14:02:12,907 [WARNING] risk_manager: ⚠️ Max Exposure erreicht: 5120.40 >= 5000.00\n```\n\n## Next steps\n- check .env\n'],
    ['paper-runner JSONL', '{"timestamp": "2025-11-30T14:02:11.907311", "channel": "signals", "event": {}}\n'],
  ];
  it.each(NOT_MINE)('does not claim %s', (_n, text) => {
    expect(parser.claims.sniff(headFromText(text))).toBeNull();
  });
});
