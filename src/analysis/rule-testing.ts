/**
 * Shorthands for rule tests on a TestDb: log records, redis messages, containers and settings
 * with the few columns a case cares about. Times default into the TestDb's block (2025-11-26..28).
 */
import { buildMarketMinutes } from '../model/market-minutes.js';
import type { RuleDef, RuleResult } from './define-rule.js';
import { TestDb } from './testing.js';

export const BLOCK_FROM = '2025-11-26T00:00:00.000Z';
export const BLOCK_TO = '2025-11-28T23:59:59.999Z';

const files = new WeakMap<TestDb, Map<string, number>>();

/** The manifest id of a path, registering it on first use. */
export function fileId(t: TestDb, path: string): number {
  let m = files.get(t);
  if (!m) files.set(t, (m = new Map()));
  let id = m.get(path);
  if (id === undefined) {
    id = t.file(path);
    m.set(path, id);
  }
  return id;
}

/** `2025-11-26T00:00:00.000Z` + minutes. */
export function at(minutes: number, from = BLOCK_FROM): string {
  return new Date(Date.parse(from) + minutes * 60_000).toISOString();
}

export interface LogSpec {
  service: string | null;
  ts: string | null;
  message: string;
  level?: string | null;
  kind?: string;
  logger?: string | null;
  docker_ts?: string | null;
  ts_text?: string | null;
  file?: string;
  line?: number;
  in_block?: number | null;
}

export function addLog(t: TestDb, s: LogSpec): void {
  const inBlock = s.in_block !== undefined ? s.in_block : s.ts === null ? null : s.ts >= BLOCK_FROM && s.ts <= BLOCK_TO ? 1 : 0;
  t.insert('log_events', {
    file_id: fileId(t, s.file ?? `logs/${s.service}.log`),
    line_no: s.line,
    service: s.service,
    ts: s.ts,
    ts_text: s.ts_text ?? (s.ts ? s.ts.replace('T', ' ').replace('Z', '').replace('.', ',') : null),
    docker_ts: s.docker_ts ?? null,
    level: s.level === undefined ? 'INFO' : s.level,
    logger: s.logger ?? null,
    message: s.message,
    kind: s.kind ?? 'app',
    in_block: inBlock,
  });
}

/** The same message every `everyMin` minutes from `fromMin` to `toMin` (inclusive). */
export function addLogs(t: TestDb, s: Omit<LogSpec, 'ts'>, fromMin: number, toMin: number, everyMin: number): number {
  let n = 0;
  for (let m = fromMin; m <= toMin; m += everyMin) {
    addLog(t, { ...s, ts: at(m) });
    n++;
  }
  return n;
}

/** Werkzeug health polls: they prove the log covers the time, never activity. */
export function addHealthPolls(t: TestDb, service: string, fromMin: number, toMin: number, everyMin = 30): void {
  addLogs(
    t,
    { service, message: '127.0.0.1 - - [26/Nov/2025 00:00:00] "GET /health HTTP/1.1" 200 -', kind: 'health_poll', logger: 'werkzeug' },
    fromMin,
    toMin,
    everyMin,
  );
}

export interface MarketSpec {
  ts: string;
  symbol?: string;
  price?: number;
  volume?: number | null;
  pct_change?: number | null;
  payload?: string;
  file?: string;
  source?: string;
}

/** A market_data message in the raw capture and its canonical row (what the model build makes of it). */
export function addMarket(t: TestDb, s: MarketSpec): void {
  const file = fileId(t, s.file ?? 'redis/monitor.txt');
  const symbol = s.symbol ?? 'BTC_USDT';
  const volume = s.volume === undefined ? 1234.5 : s.volume;
  const pct = s.pct_change === undefined ? 0.41 : s.pct_change;
  const payload =
    s.payload ??
    JSON.stringify({ type: 'market_data', symbol, timestamp: Math.floor(Date.parse(s.ts) / 1000), price: s.price ?? 91234.5, volume, pct_change: pct, interval: '1m' });
  const inBlock = s.ts >= BLOCK_FROM && s.ts <= BLOCK_TO ? 1 : 0;
  t.insert('redis_messages', {
    file_id: file, source: s.source ?? 'monitor', channel: 'market_data', command: 'PUBLISH', ts: s.ts, payload, symbol,
    price: s.price ?? 91234.5, volume, pct_change: pct, in_block: inBlock,
  });
  const line = (t.db.prepare('SELECT MAX(line_no) AS l FROM redis_messages WHERE file_id = ?').get(file) as { l: number }).l;
  t.insert('market_data', {
    ts: s.ts, symbol: symbol.replace(/[_\-/]/g, '').toUpperCase(), symbol_raw: symbol, price: s.price ?? 91234.5, volume, pct_change: pct,
    source: s.source === 'jsonl' ? 'jsonl' : 'redis', file_id: file, line_no: line, in_block: inBlock,
  });
}

export function addContainer(t: TestDb, c: Record<string, unknown>): void {
  t.insert('containers', { file_id: fileId(t, 'docker/compose_ps.txt'), source: 'compose_ps_table', ...c });
}

export function addSetting(t: TestDb, key: string, value: string, service: string | null = null, source = 'env'): void {
  t.insert('settings', { file_id: fileId(t, source === 'env' ? '.env' : 'docker/inspect.json'), source, service, key, value, is_secret: 0 });
}

export function addSignal(t: TestDb, ts: string, symbol = 'BTCUSDT', source = 'db'): void {
  t.insert('signals', { ts, symbol, symbol_raw: symbol, side: 'BUY', signal_type: 'BUY', source, file_id: fileId(t, 'postgres/signals.csv'), in_block: ts >= BLOCK_FROM && ts <= BLOCK_TO ? 1 : 0 });
}

/**
 * A rule run twice on the same fixture: once reading every market-data tick, once with the
 * model's per-minute rollup (`market_minutes`) built, as a model build leaves it. Both results,
 * for a test to compare.
 */
export function ticksAndRollup(rule: RuleDef, setup: (t: TestDb) => void): { ticks: RuleResult; rollup: RuleResult } {
  const scan = new TestDb();
  setup(scan);
  const rolled = new TestDb();
  setup(rolled);
  buildMarketMinutes(rolled.db);
  return { ticks: scan.run(rule), rollup: rolled.run(rule) };
}
