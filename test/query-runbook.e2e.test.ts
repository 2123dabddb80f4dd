/**
 * Every ```sql block of the runbook, pasted unchanged into `cdb-forensics query`, on two samples
 * whose blocks span midnights. The expected rows were computed from the sample files, not from
 * the tool:
 *   drawdown-runbook (NOW() = 2025-11-28T23:59:59.999Z, block end):
 *     awk -F, 'NR>1{print substr($NF,1,10)}' db/trading_signals.csv | sort | uniq -c      → 45 52 30
 *     awk -F, 'NR>1{print substr($NF,1,10), $2}' db/risk_events.csv | sort | uniq -c     → all false
 *     awk -F, 'NR>1 && $2=="false"{print $3}' db/risk_events.csv | sort | uniq -c        → 74 / 30 / 23
 *     awk -F, 'NR>1{d=substr($NF,1,10); n[d]++; s[d]+=$4} END{…s[d]/n[d]}' trading_signals.csv → avg confidence
 *     Europe/Berlin days (UTC+1): hour ≥ 23 moves to the next day → 43 52 30 2;
 *     awk -F, 'NR>1 && $NF>="2025-11-27T00:00"' → 82; >= "2025-11-26T23:00" → 84
 *   healthy-era-a.tgz (NOW() = 2025-12-17T23:59:59.999Z; pg_dump, trades of the execution writer
 *   = rows with an exchange_trade_id, so twins count once):
 *     awk -F'\t' '/^COPY public.trades/{f=1;next} /^\\\./{f=0} f && $13!="\\N"{print substr($11,1,10)}' → 14 34 39 31 10
 *     awk -F'\t' '/^COPY public.signals/{f=1;next} /^\\\./{f=0} f{print substr($6,1,10)}'             → 15 36 41 33 10
 *   NOW() - INTERVAL '3 days' = 2025-12-14T23:59:59.999Z excludes 12-14; the query has no upper
 *   bound, so the export's morning after (12-18) is counted, as PostgreSQL would; the output says
 *   so: 10 signals + 10 risk decisions (grep -c "2025-12-18.*Order freigegeben" compose_logs.txt)
 *   + 10 orders (20 dump rows on 12-18: pending/filled twins) + 10 trades = 40 rows past NOW().
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RAW_TABLES } from '../src/db/raw-tables.js';
import { cli, ROOT, SAMPLES, tmp } from './helpers.js';

const RUNBOOK = resolve(ROOT, '..', 'shared', 'docs', 'runbook.md');

function sqlBlocks(md: string): string[] {
  const out: string[] = [];
  const re = /^[ \t]*```sql[ \t]*\n([\s\S]*?)^[ \t]*```/gm;
  for (let m = re.exec(md); m; m = re.exec(md)) out.push(m[1]);
  return out;
}

const dir = tmp('cdbf-query-');
const dbs: Record<string, string> = {};

beforeAll(() => {
  for (const [name, path] of [
    ['drawdown', join(SAMPLES, 'drawdown-runbook')],
    ['healthy', join(SAMPLES, 'healthy-era-a.tgz')],
  ]) {
    dbs[name] = join(dir, `${name}.db`);
    const r = cli(['ingest', path, '--db', dbs[name], '--quiet']);
    expect(r.status, r.stderr).toBe(0);
  }
}, 120_000);

type Rows = Record<string, unknown>[];

function query(db: string, sql: string, extra: string[] = []): { status: number; stdout: string; stderr: string; rows: Rows | { label: string | null; rows: Rows }[] } {
  const file = join(dir, `q${Math.random().toString(36).slice(2)}.sql`);
  writeFileSync(file, sql);
  const r = cli(['query', '--db', db, '--file', file, '--format', 'json', ...extra]);
  return { ...r, rows: r.status === 0 ? JSON.parse(r.stdout) : [] };
}

const blocks = sqlBlocks(readFileSync(RUNBOOK, 'utf8'));
const round = (rows: Rows) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e4) / 1e4 : v])));

// [block index, sample, expected rows per statement]
const EXPECT: [number, string, Rows[]][] = [
  [0, 'drawdown', [[{ total: 127, approved: 0, rejected: 127 }]]],
  [0, 'healthy', [[{ total: 120, approved: 120, rejected: 0 }]]],
  [1, 'drawdown', [[{ total_trades: 0, buys: null, sells: null, avg_price: null }]]],
  [1, 'healthy', [[{ total_trades: 114, buys: 114, sells: 0, avg_price: 5093.1182 }]]],
  [
    2,
    'drawdown',
    [
      [{ date: '2025-11-26', count: 45 }, { date: '2025-11-27', count: 52 }, { date: '2025-11-28', count: 30 }],
      [{ date: '2025-11-26', approved: 0, total: 45 }, { date: '2025-11-27', approved: 0, total: 52 }, { date: '2025-11-28', approved: 0, total: 30 }],
      [],
    ],
  ],
  [
    2,
    'healthy',
    [
      [{ date: '2025-12-15', count: 36 }, { date: '2025-12-16', count: 41 }, { date: '2025-12-17', count: 33 }, { date: '2025-12-18', count: 10 }],
      [{ date: '2025-12-15', approved: 36, total: 36 }, { date: '2025-12-16', approved: 41, total: 41 }, { date: '2025-12-17', approved: 33, total: 33 }, { date: '2025-12-18', approved: 10, total: 10 }],
      [{ date: '2025-12-15', count: 34 }, { date: '2025-12-16', count: 39 }, { date: '2025-12-17', count: 31 }, { date: '2025-12-18', count: 10 }],
    ],
  ],
  [
    3,
    'drawdown',
    [
      [
        { date: '2025-11-28', signal_count: 30, avg_confidence: 0.7783 },
        { date: '2025-11-27', signal_count: 52, avg_confidence: 0.7554 },
        { date: '2025-11-26', signal_count: 45, avg_confidence: 0.7611 },
      ],
      [
        { date: '2025-11-28', total: 30, approved: 0, approval_rate: 0 },
        { date: '2025-11-27', total: 52, approved: 0, approval_rate: 0 },
        { date: '2025-11-26', total: 45, approved: 0, approval_rate: 0 },
      ],
      [
        { reason: 'Daily Drawdown exceeded (5.2% > 5.0%)', count: 74 },
        { reason: 'Daily Drawdown exceeded (5.1% > 5.0%)', count: 30 },
        { reason: 'Daily Drawdown exceeded (5.3% > 5.0%)', count: 23 },
      ],
      [],
    ],
  ],
  [
    3,
    'healthy',
    [
      [
        { date: '2025-12-18', signal_count: 10 },
        { date: '2025-12-17', signal_count: 33 },
        { date: '2025-12-16', signal_count: 41 },
        { date: '2025-12-15', signal_count: 36 },
        { date: '2025-12-14', signal_count: 15 },
      ],
      [
        { date: '2025-12-18', total: 10, approved: 10, approval_rate: 100 },
        { date: '2025-12-17', total: 33, approved: 33, approval_rate: 100 },
        { date: '2025-12-16', total: 41, approved: 41, approval_rate: 100 },
        { date: '2025-12-15', total: 36, approved: 36, approval_rate: 100 },
      ],
      [],
      [
        { date: '2025-12-18', trade_count: 10, buys: 10, sells: 0 },
        { date: '2025-12-17', trade_count: 31, buys: 31, sells: 0 },
        { date: '2025-12-16', trade_count: 39, buys: 39, sells: 0 },
        { date: '2025-12-15', trade_count: 34, buys: 34, sells: 0 },
        { date: '2025-12-14', trade_count: 14, buys: 14, sells: 0 },
      ],
    ],
  ],
];

describe('the runbook SQL runs verbatim through query', () => {
  it('the runbook has the four sql blocks these expectations were computed for', () => {
    expect(blocks.map((b) => b.split(';').filter((s) => s.replace(/--.*$/gm, '').trim()).length)).toEqual([1, 1, 3, 4]);
  });

  it.each(EXPECT)('block %i on %s', (i, sample, expected) => {
    const r = query(dbs[sample], blocks[i]);
    expect(r.status, r.stderr).toBe(0);
    const got = expected.length === 1 ? [r.rows as Rows] : (r.rows as { rows: Rows }[]).map((s) => s.rows);
    expect(got.length).toBe(expected.length);
    got.forEach((rows, k) => {
      // avg_confidence of the healthy sample is not asserted (its DB confidences are many-digit); every other column is
      const want = expected[k];
      const cols = want[0] ? Object.keys(want[0]) : [];
      expect(round(rows).map((row) => Object.fromEntries(cols.map((c) => [c, row[c]])))).toEqual(want);
    });
    expect(r.stderr).toContain(`NOW() = ${sample === 'drawdown' ? '2025-11-28T23:59:59.999Z' : '2025-12-17T23:59:59.999Z'} (the block end)`);
    // the healthy export runs into the morning after (12-18); the drawdown sample ends before NOW()
    if (sample === 'healthy') expect(r.stderr).toContain('the evidence runs on past NOW() (40 model row(s) up to 2025-12-18T07:16:34.383Z)');
    else expect(r.stderr).not.toContain('past NOW()');
  });

  it.each([
    // the verification plan's inline checks (section 6)
    ["SELECT COUNT(*) AS n FROM risk_events WHERE approved = true AND timestamp >= NOW() - INTERVAL '3 days';", [{ n: 0 }]],
    ["SELECT (SUM(CASE WHEN approved THEN 1 ELSE 0 END)::float / COUNT(*)) * 100 AS r FROM risk_events WHERE timestamp >= NOW() - INTERVAL '3 days';", [{ r: 0 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE timestamp >= NOW() - INTERVAL '3 days';", [{ n: 127 }]],
    // the other constructs the issue names
    ["SELECT COUNT(*) FILTER (WHERE approved = false) AS rej, COUNT(*) FILTER (WHERE approved) AS ok FROM risk_events", [{ rej: 127, ok: 0 }]],
    ["SELECT COUNT(*) AS n FROM risk_events WHERE reason ILIKE '%daily drawdown%'", [{ n: 127 }]],
    ["SELECT COUNT(*) AS n FROM risk_events WHERE reason LIKE '%daily drawdown%'", [{ n: 0 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE timestamp >= '2025-11-27 00:00'", [{ n: 82 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE timestamp BETWEEN '2025-11-27' AND '2025-11-28'", [{ n: 52 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE DATE(timestamp) = CURRENT_DATE", [{ n: 30 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE timestamp IN ('2025-11-26T00:49:33Z', '2025-11-26 01:04:37')", [{ n: 2 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE timestamp::date = CURRENT_DATE - 1", [{ n: 52 }]],
    ["SELECT EXTRACT(HOUR FROM timestamp) AS h, COUNT(*) AS n FROM trading_signals GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1", [{ h: 14, n: 10 }]],
    ["SELECT DATE_TRUNC('day', timestamp) AS d, COUNT(*)::numeric AS n FROM trading_signals GROUP BY 1 ORDER BY 1 LIMIT 1", [{ d: '2025-11-26T00:00:00.000Z', n: 45 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE timestamp > CURRENT_TIMESTAMP - INTERVAL '1 day' AND 'NOW() - x' <> ''", [{ n: 30 }]],
  ])('drawdown: %s', (sql, want) => {
    const r = query(dbs.drawdown, sql);
    expect(r.status, r.stderr).toBe(0);
    expect(round(r.rows as Rows)).toEqual(want);
  });

  it.each([
    ["SELECT DATE(timestamp) AS date, COUNT(*) AS n FROM trading_signals WHERE timestamp >= NOW() - INTERVAL '3 days' GROUP BY DATE(timestamp) ORDER BY date", [
      { date: '2025-11-26', n: 43 }, { date: '2025-11-27', n: 52 }, { date: '2025-11-28', n: 30 }, { date: '2025-11-29', n: 2 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE timestamp >= '2025-11-27 00:00'", [{ n: 84 }]],
    ["SELECT COUNT(*) AS n FROM trading_signals WHERE timestamp >= '2025-11-27T00:00:00Z'", [{ n: 82 }]],
  ])('drawdown with --tz Europe/Berlin: %s', (sql, want) => {
    const r = query(dbs.drawdown, sql, ['--tz', 'Europe/Berlin']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.rows).toEqual(want);
    expect(r.stderr).toContain('session time zone Europe/Berlin');
  });

  it('--explain-dialect prints the SQLite and runs nothing', () => {
    const r = cli(['query', '--db', dbs.drawdown, '--explain-dialect', blocks[0]]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("pg_ts(timestamp) >= '2025-11-25T23:59:59.999Z'");
    expect(r.stdout).toContain('NOW() = 2025-11-28T23:59:59.999Z (the block end)');
    expect(r.stdout).not.toContain('(1 row)');
  });

  it.each([
    ["SELECT reason FROM risk_events WHERE reason ~ 'Draw'", 'regular-expression operator ~', 'LIKE'],
    ["SELECT DISTINCT ON (reason) reason FROM risk_events", 'DISTINCT ON', 'GROUP BY'],
    ["SELECT timestamp AT TIME ZONE 'Europe/Berlin' FROM risk_events", 'AT TIME ZONE', '--tz'],
    ["SELECT TO_CHAR(timestamp, 'HH24') FROM risk_events", 'TO_CHAR()', 'strftime'],
    ["SELECT payload::jsonb FROM redis_messages", 'the cast ::jsonb', 'json_extract'],
    ["SELECT a - b + INTERVAL '1 day' FROM x", 'INTERVAL arithmetic inside a longer expression', 'parentheses'],
  ])('refuses %s naming the construct and the SQLite way', (sql, construct, way) => {
    const r = cli(['query', '--db', dbs.drawdown, sql]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(construct);
    expect(r.stderr).toContain(way);
    expect(r.stdout).toBe('');
  });

  it('--dialect sqlite runs the text verbatim (SQLite LIKE ignores case there)', () => {
    const r = cli(['query', '--db', dbs.drawdown, '--dialect', 'sqlite', '--format', 'json', "SELECT COUNT(*) AS n FROM risk_events WHERE reason LIKE '%daily drawdown%'"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: 127 }]);
  });
});

describe('log_events as an analyst queries it (five columns stored packed, read through generated columns)', () => {
  it('the hint of a query that does not compile lists the columns, the generated ones included, in their documented order', () => {
    const bad = cli(['query', '--db', dbs.drawdown, 'SELECT no_such_column FROM log_events']);
    expect(bad.status).toBe(2);
    const hint = /a table's columns with: (SELECT name FROM pragma_table_xinfo\('log_events'\))/.exec(bad.stderr);
    expect(hint, bad.stderr).not.toBeNull();
    const r = query(dbs.drawdown, hint![1]);
    expect(r.status, r.stderr).toBe(0);
    const names = (r.rows as Rows).map((x) => x.name);
    expect(names.filter((n) => !String(n).startsWith('packed'))).toEqual(['id', 'file_id', 'line_no', 'line_count', ...Object.keys(RAW_TABLES.log_events.columns), 'in_block']);
  });

  it.each([
    ['kind', 'SELECT kind AS k, SUM(n) AS n FROM log_hourly GROUP BY 1 ORDER BY 1', 'SELECT kind AS k, COUNT(*) AS n FROM log_events GROUP BY 1 ORDER BY 1'],
    ["kind <> 'health_poll' per service", "SELECT service AS k, SUM(n) AS n FROM log_hourly WHERE kind <> 'health_poll' GROUP BY 1 ORDER BY 1", "SELECT service AS k, COUNT(*) AS n FROM log_events WHERE kind <> 'health_poll' GROUP BY 1 ORDER BY 1"],
    ['records with a docker stamp and an application time', 'SELECT service AS k, SUM(skew_n) AS n FROM log_hourly WHERE skew_n > 0 GROUP BY 1 ORDER BY 1', 'SELECT service AS k, COUNT(*) AS n FROM log_events WHERE docker_ts IS NOT NULL AND ts_text IS NOT NULL AND ts IS NOT NULL GROUP BY 1 ORDER BY 1'],
  ])('%s: the stored records count what the writer counted from the parsed values (log_hourly)', (_name, counted, scanned) => {
    for (const db of [dbs.drawdown, dbs.healthy]) {
      const a = query(db, counted, ['--dialect', 'sqlite']);
      const b = query(db, scanned, ['--dialect', 'sqlite']);
      expect(a.status, a.stderr).toBe(0);
      expect(b.rows).toEqual(a.rows);
      // drawdown's log was saved with --timestamps; healthy's was not.
      if (db === dbs.drawdown) expect((b.rows as Rows).length).toBeGreaterThan(0);
    }
  });
});
