import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES, tmp } from './helpers.js';

/**
 * The real-tool fixtures, ingested whole. Expected numbers come from the fixtures' README (made
 * with psql/pg_dump/redis-cli) or are counted here from the raw text, never from the tool.
 */
let db: Database.Database;

beforeAll(() => {
  const dbPath = join(tmp(), 'fx.db');
  const r = cli(['ingest', FIXTURES, '--db', dbPath]);
  expect(r.status, r.stderr).toBe(0);
  db = new Database(dbPath, { readonly: true });
});

const one = (sql: string, ...p: unknown[]) => Object.values(db.prepare(sql).get(...p) as Record<string, unknown>)[0];
const raw = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8');

describe('canonical model from the real-tool fixtures', () => {
  it.each([
    // README: "signals 30, orders 60 (two writers ...), trades 60 (two writers), portfolio_snapshots 1 (seed row)"
    ['signals (same rows in CSV, COPY and INSERT dumps, counted once)', 'SELECT COUNT(*) FROM signals', 30],
    ['real orders (60 rows from two writers)', 'SELECT COUNT(*) FROM orders', 30],
    ['order twins linked', 'SELECT COUNT(*) FROM orders WHERE twin_line_no IS NOT NULL', 30],
    ['real trades (60 rows from two writers)', 'SELECT COUNT(*) FROM trades', 30],
    ['trade twins linked', 'SELECT COUNT(*) FROM trades WHERE twin_line_no IS NOT NULL', 30],
    ['raw portfolio snapshot rows (seed row, in 3 dumps)', 'SELECT COUNT(DISTINCT id) FROM src_portfolio_snapshots', 1],
    ['raw orders rows per dump', 'SELECT COUNT(*) FROM src_orders WHERE file_id = (SELECT id FROM manifest WHERE path = \'postgres/orders.csv\')', 60],
  ])('%s', (_name, sql, want) => {
    expect(one(sql)).toBe(want);
  });

  it('runbook per-day query equals the per-day counts of signals.csv', () => {
    const lines = raw('postgres/signals.csv').trim().split('\n').slice(1);
    const want: Record<string, number> = {};
    for (const l of lines) {
      const day = l.split(',')[5].slice(0, 10);
      want[day] = (want[day] ?? 0) + 1;
    }
    const got = Object.fromEntries(
      (db.prepare('SELECT DATE(timestamp) AS d, COUNT(*) AS n FROM trading_signals GROUP BY 1 ORDER BY 1').all() as { d: string; n: number }[]).map((r) => [r.d, r.n]),
    );
    expect(got).toEqual(want);
  });

  it('pub/sub messages per channel equal the capture counted by hand', () => {
    const text = raw('redis/subscribe_market_data_signals_orders_order_results.txt').split('\n');
    const want: Record<string, number> = {};
    for (let i = 0; i < text.length; i++) if (text[i] === 'message') want[text[i + 1]] = (want[text[i + 1]] ?? 0) + 1;
    const got = Object.fromEntries(
      (db.prepare("SELECT channel, COUNT(*) AS n FROM redis_messages WHERE source = 'subscribe' GROUP BY 1 ORDER BY 1").all() as { channel: string; n: number }[]).map((r) => [r.channel, r.n]),
    );
    expect(got).toEqual(want);
    const publishes = raw('redis/monitor.txt').split('\n').filter((l) => l.includes('"PUBLISH"')).length;
    expect(one("SELECT COUNT(*) FROM redis_messages WHERE source = 'monitor' AND command = 'PUBLISH'")).toBe(publishes);
  });

  it('the daily report block in the logs becomes report values (README: Signals Today 0, Trades Today 0, Events Logged 66025)', () => {
    const rows = db
      .prepare("SELECT DISTINCT key, value_num, report_date FROM daily_report_values WHERE report_kind = 'paper_runner' AND key IN ('Signals Today','Trades Today','Events Logged') ORDER BY key")
      .all();
    expect(rows).toEqual([
      { key: 'Events Logged', value_num: 66025, report_date: '2025-12-22' },
      { key: 'Signals Today', value_num: 0, report_date: '2025-12-22' },
      { key: 'Trades Today', value_num: 0, report_date: '2025-12-22' },
    ]);
  });

  it('era and dialect are detected with the evidence that decided them', () => {
    const block = Object.fromEntries((db.prepare('SELECT key, value, evidence FROM block').all() as { key: string; value: string; evidence: string }[]).map((r) => [r.key, r]));
    expect(block.era.value).toBe('A');
    expect(block.era.evidence).toMatch(/cdb_core/);
    expect(block.dialect.value).toBe('real');
  });

  it('containers from compose ps (README: 10 containers, paper runner unhealthy)', () => {
    expect(one("SELECT COUNT(DISTINCT name) FROM containers WHERE source = 'compose_ps_table'")).toBe(10);
    expect(one("SELECT health FROM containers WHERE name = 'cdb_paper_runner' AND source = 'compose_ps_table'")).toBe('unhealthy');
  });
});
