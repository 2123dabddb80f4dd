import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headFromText, runParser, type ParserRun } from '../testing.js';
import parser from './compose-logs.js';

const DOCKER = '/work/shared/fixtures/real-tools/docker/';
const REAL = '/work/shared/fixtures/real-tools/';
const read = (f: string) => readFileSync(f, 'utf8');

function ok(r: ParserRun) {
  expect(r.unaccounted).toBe(0);
}

/** Independent oracle: plain string work over the file, no parser code. */
function perService(text: string) {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    if (!line) continue;
    const bar = line.indexOf(' | ') >= 0 ? line.indexOf(' | ') : line.indexOf(' |');
    const name = line.slice(0, bar).trim();
    let content = line.slice(bar + 2).replace(/^ /, '');
    content = content.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z ?/, ''); // --timestamps stamp
    (out[name] ??= []).push(content);
  }
  return out;
}

const startsWithDate = (s: string) => /^\d{4}-\d\d-\d\d /.test(s);

describe.each(['compose_logs.txt', 'compose_logs_timestamps.txt'])('real fixture %s', (file) => {
  const text = read(DOCKER + file);
  const oracle = perService(text);

  it('parses with zero quarantine, accounting identity, one record per header', async () => {
    const r = await runParser(parser, text, file);
    ok(r);
    expect(r.quarantined).toEqual([]);
    expect(r.lines).toBe(text.split('\n').filter((l, i, a) => i < a.length - 1 || l !== '').length);
    const rowsBy: Record<string, number> = {};
    for (const row of r.rows) rowsBy[String(row.values.service)] = (rowsBy[String(row.values.service)] ?? 0) + 1;

    for (const svc of ['cdb_paper_runner', 'cdb_core', 'cdb_risk', 'cdb_execution', 'cdb_postgres']) {
      expect(rowsBy[svc], svc).toBe(oracle[svc].filter(startsWithDate).length);
    }
    // Era-A cdb_ws: a record per Top movers banner and per bare werkzeug poll; the tables join their banner.
    const ws = oracle.cdb_ws;
    expect(rowsBy.cdb_ws).toBe(ws.filter((c) => c.startsWith('[')).length + ws.filter((c) => c.includes('GET /health')).length);
    expect(r.structural.blank_line).toBe(ws.filter((c) => c.trim() === '').length);
    expect(rowsBy.cdb_grafana).toBe(1);

    const polls = text.split('\n').filter((l) => l.includes('GET /health')).length;
    expect(r.rows.filter((x) => x.values.kind === 'health_poll').length).toBe(polls);
    // /metrics scrapes are requests, not health polls.
    const metrics = text.split('\n').filter((l) => l.includes('GET /metrics')).length;
    expect(r.rows.filter((x) => x.values.logger === 'werkzeug' && x.values.kind === 'app').length).toBe(metrics);
  });

  it('joins the daily report block into one record spanning every report line', async () => {
    const r = await runParser(parser, text, file);
    const pr = oracle.cdb_paper_runner;
    const body = pr.indexOf('Paper Trading Daily Report');
    let end = body;
    while (end < pr.length && !startsWithDate(pr[end])) end++;
    const span = end - body + 1; // + the `__main__: ` header before the body
    const reports = r.rows.filter((x) => String(x.values.message).includes('Signals Today:'));
    expect(reports).toHaveLength(1);
    const rep = reports[0];
    expect(rep.lines).toBe(span);
    expect(rep.values).toMatchObject({ service: 'cdb_paper_runner', logger: '__main__', level: 'INFO', kind: 'report', format: 'bracket' });
    expect(rep.values.message).toContain('  Events Logged:    66025');
    expect(rep.values.ts).toBe('2025-12-22T00:00:00.029Z');
    const firstLine = text.split('\n')[rep.line - 1];
    expect(firstLine).toMatch(/__main__: $/);
  });

  it('reads the grafana logfmt line and the postgres lines with their own clocks', async () => {
    const r = await runParser(parser, text, file);
    const g = r.rows.find((x) => x.values.service === 'cdb_grafana')!;
    expect(g.values).toMatchObject({ format: 'logfmt', level: 'INFO', logger: 'cleanup', ts: '2025-12-21T23:54:05.571Z', message: 'Completed cleanup jobs duration=8.843286ms' });
    const pg = r.rows.filter((x) => x.values.service === 'cdb_postgres');
    expect(pg.every((x) => x.values.ts_zone === 'UTC' && x.values.level === 'LOG' && x.values.kind === 'postgres')).toBe(true);
    expect(pg[0].values.ts).toBe('2025-12-21T23:52:11.435Z');
  });
});

describe('with and without --timestamps', () => {
  it('gives the same records (services, levels, loggers, kinds, messages, app times)', async () => {
    const plain = await runParser(parser, read(DOCKER + 'compose_logs.txt'));
    const stamped = await runParser(parser, read(DOCKER + 'compose_logs_timestamps.txt'));
    ok(plain);
    ok(stamped);
    const key = (r: ParserRun) =>
      r.rows
        .map((x) => [x.values.service, x.values.level, x.values.logger, x.values.kind, x.values.format, x.values.ts_text, x.lines, x.values.message].join('\u0001'))
        .sort();
    expect(key(stamped)).toEqual(key(plain));
    expect(plain.rows.every((x) => x.values.docker_ts === null)).toBe(true);
    expect(stamped.rows.every((x) => typeof x.values.docker_ts === 'string')).toBe(true);
    // The first bare werkzeug line of cdb_ws: its docker stamp, truncated to ms, is read from the file.
    const first = read(DOCKER + 'compose_logs_timestamps.txt').split('\n').find((l) => l.startsWith('cdb_ws') && l.includes('GET /health'))!;
    const stamp = /\| (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\d*Z/.exec(first)![1] + 'Z';
    const poll = (r: ParserRun) => r.rows.find((x) => x.values.format === 'werkzeug')!;
    expect(poll(stamped).values.docker_ts).toBe(stamp);
    expect(poll(stamped).values.ts).toBe('2025-12-21T23:52:24.000Z');
    expect(poll(plain).values.docker_ts).toBeNull();
  });

  it('parses paper_runner_daily_report.txt with zero quarantine', async () => {
    const text = read(DOCKER + 'paper_runner_daily_report.txt');
    const r = await runParser(parser, text, 'paper_runner_daily_report.txt');
    ok(r);
    expect(r.quarantined).toEqual([]);
    const oracle = perService(text).cdb_paper_runner;
    expect(r.rows).toHaveLength(oracle.filter(startsWithDate).length);
    const rep = r.rows.find((x) => x.values.kind === 'report')!;
    expect(rep.values.message).toMatch(/\n  Signals Today:    0\n  Trades Today:     0\n/);
    const body = oracle.indexOf('Paper Trading Daily Report');
    let end = body;
    while (!startsWithDate(oracle[end])) end++;
    expect(rep.lines).toBe(end - body + 1);
  });
});

describe('prefix variants', () => {
  it.each([
    ['no padding', 'cdb_risk| 2025-11-30 14:02:11,907 [INFO] risk_manager: x', 'cdb_risk'],
    ['wide padding', 'cdb_risk                         | 2025-11-30 14:02:11,907 [INFO] risk_manager: x', 'cdb_risk'],
    ['service-1', 'cdb_risk-1  | 2025-11-30 14:02:11,907 [INFO] risk_manager: x', 'cdb_risk'],
    ['compose v1', 'claire_de_binare_cdb_risk_1  | 2025-11-30 14:02:11,907 [INFO] risk_manager: x', 'cdb_risk'],
    ['tab padding', 'cdb_risk\t| 2025-11-30 14:02:11,907 [INFO] risk_manager: x', 'cdb_risk'],
  ])('%s', async (_n, line, service) => {
    const r = await runParser(parser, line + '\n');
    ok(r);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].values).toMatchObject({ service, logger: 'risk_manager', message: 'x', ts: '2025-11-30T14:02:11.907Z' });
  });

  // Validated prefixes are remembered (up to 16): every line must still read as a fresh parser
  // reads it alone, whatever prefixes came before — names that extend one another, other
  // padding, more containers than are remembered, and lines that only look prefixed.
  const many = Array.from({ length: 20 }, (_, i) => `svc${i}-1`);
  it.each([
    ['names that extend one another', ['cdb_ws', 'cdb_ws_2', 'cdb_ws-1', 'cdb_w', 'cdb_ws', 'cdb_ws_2']],
    ['the same name with other padding', ['cdb_risk   ', 'cdb_risk', 'cdb_risk\t', 'cdb_risk   ', 'cdb_risk ']],
    ['more containers than are remembered, round and round', [...many, ...many, ...many.slice().reverse()]],
    ['a name that is no container name', ['cdb_ws', 'cdb ws', 'cdb_ws', '-bad', 'cdb_ws']],
  ])('%s', async (_n, names) => {
    const lines = names.map((n, i) => `${n}| 2025-11-30 14:02:${String(10 + (i % 50)).padStart(2, '0')},${String(i).padStart(3, '0')} [INFO] risk_manager: m${i}`);
    const together = await runParser(parser, lines.join('\n') + '\n');
    const alone = await Promise.all(lines.map((l) => runParser(parser, l + '\n')));
    // Each line is a record of its own; a container's record is produced when its next one starts.
    const byLine = [...together.rows].sort((a, b) => a.line - b.line);
    expect(byLine.map((r) => [r.line, r.values])).toEqual(alone.flatMap((a, i) => a.rows.map((r) => [i + 1, r.values])));
    expect(together.quarantined.map((q) => [q.lineNo, q.reason])).toEqual(alone.flatMap((a, i) => a.quarantined.map((q) => [i + 1, q.reason])));
    expect(together.rows.length + together.quarantined.length).toBe(lines.length);
  });

  it('keeps replicas apart but maps both to the service', async () => {
    const r = await runParser(
      parser,
      [
        'cdb_risk-1  | 2025-11-30 14:02:11,907 [ERROR] risk_manager: a',
        'cdb_risk-2  | 2025-11-30 14:02:11,908 [ERROR] risk_manager: b',
        'cdb_risk-1  | Traceback (most recent call last):',
        'cdb_risk-2  |   in b',
        'cdb_risk-1  |   in a',
      ].join('\n'),
    );
    ok(r);
    expect(r.rows.map((x) => [x.values.service, x.values.message, x.lines])).toEqual([
      ['cdb_risk', 'a\nTraceback (most recent call last):\n  in a', 3],
      ['cdb_risk', 'b\n  in b', 2],
    ]);
  });

  it('joins a traceback and psycopg2 DETAIL per container while others interleave', async () => {
    const text = [
      'cdb_db_writer  | 2026-01-05 09:14:03,511 [ERROR] db_writer: Failed to persist signal: null value in column "signal_type" of relation "signals" violates not-null constraint',
      'cdb_execution  | 2026-01-05 09:14:03,512 - execution_service - ERROR - Error in message loop: boom',
      'cdb_db_writer  | DETAIL:  Failing row contains (4711, BTCUSDT, null, 95639.26000000, 0.5000, 2026-01-05 09:14:03+00, signal_engine, {}).',
      'cdb_execution  | Traceback (most recent call last):',
      'cdb_db_writer  | ',
      'cdb_execution  |   File "/app/service.py", line 99, in loop',
      'cdb_execution  | ValueError: boom',
      'cdb_db_writer  | 2026-01-05 09:14:04,000 [INFO] db_writer: ✅ Signal persisted: ID=4712, BTCUSDT buy',
    ].join('\n');
    const r = await runParser(parser, text);
    ok(r);
    const byLine = Object.fromEntries(r.rows.map((x) => [x.line, x]));
    expect(byLine[1].lines).toBe(3);
    expect(byLine[1].values.message).toMatch(/constraint\nDETAIL:  Failing row contains \(4711.*\)\.\n$/);
    expect(byLine[2].lines).toBe(4);
    expect(byLine[2].values.message).toBe('Error in message loop: boom\nTraceback (most recent call last):\n  File "/app/service.py", line 99, in loop\nValueError: boom');
    expect(byLine[8].values.message).toBe('✅ Signal persisted: ID=4712, BTCUSDT buy');
  });
});

describe('lines without a prefix', () => {
  it('counts PowerShell wrapper noise and compose status as structure, keeps compose messages as wrapper rows', async () => {
    const text = [
      'docker : time="2025-11-30T14:00:00Z" level=warning msg="The \\"REDIS_PASSWORD\\" variable is not set. Defaulting to a blank string."',
      'At line:1 char:1',
      '+ docker compose logs > logs.txt 2>&1',
      '+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
      '    + CategoryInfo          : NotSpecified: (time="2025-11-...blank string.":String) [], RemoteException',
      '    + FullyQualifiedErrorId : NativeCommandError',
      ' ',
      'Attaching to cdb_risk, cdb_core',
      'cdb_risk  | 2025-11-30 14:02:11,907 [INFO] risk_manager: 🚀 Risk-Manager gestartet',
      'cdb_risk exited with code 137',
      'WARN[0000] The "MEXC_API_KEY" variable is not set. Defaulting to a blank string.',
      '',
      'Gracefully stopping... (press Ctrl+C again to force)',
      'this line lost its prefix in a terminal wrap',
    ].join('\n');
    const r = await runParser(parser, text);
    ok(r);
    expect(r.structural).toEqual({ powershell_wrapper: 6, compose_status: 2, blank_line: 1 });
    expect(r.quarantined.map((q) => q.lineNo)).toEqual([14]);
    expect(r.quarantined[0].reason).toMatch(/no `<container> \| ` prefix/);
    const rows = [...r.rows].sort((a, b) => a.line - b.line);
    expect(rows.map((x) => [x.line, x.values.service, x.values.kind, x.values.level])).toEqual([
      [1, null, 'wrapper', 'WARNING'],
      [9, 'cdb_risk', 'app', 'INFO'],
      [10, 'cdb_risk', 'wrapper', null],
      [11, null, 'wrapper', 'WARNING'],
    ]);
    expect(rows[0].values.message).toBe('The "REDIS_PASSWORD" variable is not set. Defaulting to a blank string.');
  });

  it('unwraps a `docker : ` line that carries container output', async () => {
    const r = await runParser(parser, 'docker : cdb_execution  | 2025-11-30 14:02:11,913 - execution_service - INFO - Starting execution_service v0.1.0\n');
    ok(r);
    expect(r.rows[0].values).toMatchObject({ service: 'cdb_execution', message: 'Starting execution_service v0.1.0' });
  });
});

describe('sniff', () => {
  it.each(['compose_logs.txt', 'compose_logs_timestamps.txt', 'paper_runner_daily_report.txt'])('claims %s', (f) => {
    const s = parser.claims.sniff(headFromText(read(DOCKER + f), 'renamed.bin'));
    expect(s?.confidence).toBeGreaterThanOrEqual(90);
  });

  it('claims generic `name-1 | ` prefixes when the content is log lines', () => {
    const text = ['web-1  | 2025-11-30 14:02:11,907 [INFO] app: a', 'web-1  | 2025-11-30 14:02:12,907 [INFO] app: b'].join('\n');
    expect(parser.claims.sniff(headFromText(text))?.confidence).toBeGreaterThanOrEqual(80);
  });

  const NOT_MINE: [string, string][] = [
    ['json-file log', read(DOCKER + '247ddfa3f7dd52f75157a8ae9242ec41afc2238220d0f9da3add217295fea98f-json.log')],
    ['compose ps table', read(DOCKER + 'compose_ps.txt')],
    ['compose ps json', read(DOCKER + 'compose_ps.json')],
    ['CSV dump', read(REAL + 'postgres/orders.csv')],
    ['pg_dump', read(REAL + 'postgres/pg_dump_data_only.sql')],
    ['pg_dump --column-inserts', read(REAL + 'postgres/pg_dump_column_inserts.sql')],
    ['redis INFO', read(REAL + 'redis/info_memory.txt')],
    ['redis MONITOR', read(REAL + 'redis/monitor.txt')],
    ['redis SUBSCRIBE', read(REAL + 'redis/subscribe_market_data_signals_orders_order_results.txt')],
    ['redis XRANGE', read(REAL + 'redis/xrange_stream.signals.txt')],
    ['docker logs (no prefix)', '2025-11-30 14:02:11,907 [INFO] risk_manager: a\n2025-11-30 14:02:12,907 [INFO] risk_manager: b\n'],
    ['.env', 'REDIS_HOST=cdb_redis\nREDIS_PASSWORD=secret\n# comment\nMAX_EXPOSURE_PCT=0.50\n'],
    ['Markdown report', '# Daily Report - 2025-12-14\nGenerated: 2025-12-14 21:23:38\n## 2. Portfolio Summary\n| Metric | Value |\n|---|---|\n| **Total Equity** | $100,000.00 |\n'],
    ['Markdown table without outer pipes', 'Metric | Value\n--- | ---\nSignals | 0\nTrades | 8264\nNotes here\nmore prose\n'],
    ['psql aligned', '  id | symbol   | signal_type\n----+----------+-------------\n  1 | BTC_USDT | buy\n(1 row)\n'],
    ['container status note', 'cdb_risk | healthy\ncdb_core | healthy\ncdb_ws | unhealthy (no data)\n'],
    ['mail', 'From: bot@example.com\nSubject: [INFO] Claire de Binare: Daily Report\nContent-Type: text/plain; charset="utf-8"\n\nClaire de Binare Paper Trading Alert\nSeverity: INFO\n'],
  ];
  it.each(NOT_MINE)('does not claim %s', (_n, text) => {
    expect(parser.claims.sniff(headFromText(text))).toBeNull();
  });
});

describe('hostile input', () => {
  it.each<[string, string, number]>([
    ['empty file', '', 0],
    ['only blank lines', '\n\n   \n', 0],
    ['only a prefix', 'cdb_risk  |\ncdb_risk  | \n', 0],
  ])('%s', async (_n, text, rows) => {
    const r = await runParser(parser, text);
    ok(r);
    expect(r.rows).toHaveLength(rows);
  });

  it('caps a runaway record at 2000 lines and flags the rest as continuation', async () => {
    const lines = ['cdb_risk  | 2025-11-30 14:02:11,907 [ERROR] risk_manager: runaway'];
    for (let i = 0; i < 2999; i++) lines.push(`cdb_risk  |   frame ${i}`);
    const r = await runParser(parser, lines.join('\n'));
    ok(r);
    expect(r.rows.map((x) => [x.line, x.lines, x.values.kind])).toEqual([
      [1, 2000, 'app'],
      [2001, 1000, 'continuation'],
    ]);
  });

  it('keeps a single 300 KiB line as one record', async () => {
    const big = 'y'.repeat(300 * 1024);
    const r = await runParser(parser, `cdb_risk  | 2025-11-30 14:02:11,907 [ERROR] risk_manager: ${big}\ncdb_risk  | tail`);
    ok(r);
    expect(r.rows.map((x) => [x.line, x.lines, x.values.kind])).toEqual([
      [1, 1, 'app'],
      [2, 1, 'continuation'],
    ]);
    expect(String(r.rows[0].values.message)).toHaveLength(big.length);
  });
});
