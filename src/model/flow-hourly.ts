/**
 * The hourly flow: per UTC hour and pipeline stage, how many events each source shows, and
 * whether any source of the stage covered that hour at all. Built with the canonical model, from
 * the canonical tables (one best source per entity) and from the classified log rollup
 * (log_hourly), never by rescanning log records.
 *
 * Hours span the evidence, clipped to the block ± 1 day; rows outside that window (a clock in
 * 1970 or 2099) are counted once per stage and source with hour `outside`.
 */
import { CATALOG } from '../catalog/index.js';
import type { DB } from '../db/open.js';
import { marketMinutesUsable } from './market-minutes.js';

export const FLOW_HOURLY_SQL = `
DROP TABLE IF EXISTS flow_hourly;
CREATE TABLE flow_hourly (
  hour TEXT NOT NULL,      -- YYYY-MM-DDTHH (UTC), or 'outside'
  stage TEXT NOT NULL,     -- market_data | signals | risk_approved | risk_rejected | orders | fills | persisted | errors | restarts
  class TEXT NOT NULL,     -- catalog class, reason code, table/writer, or '' for the stage as a whole
  n INTEGER NOT NULL,
  source TEXT NOT NULL,    -- where the count comes from (db, redis, jsonl, log:<services>, ...)
  in_block INTEGER NOT NULL,
  observed INTEGER NOT NULL -- 1 when a source of the stage covered this hour
);
CREATE INDEX ix_flow_hourly ON flow_hourly(stage, hour);
`;

/** Stages in pipeline order; the first five carry the flow, the rest explain it. */
export const FLOW_STAGES = ['market_data', 'signals', 'risk_approved', 'risk_rejected', 'orders', 'fills', 'persisted', 'errors', 'restarts'] as const;
export type FlowStage = (typeof FLOW_STAGES)[number];

/** Startup banners and "cannot start" lines: each is one (re)start of its process, even one that dies before its banner. */
export const RESTART_CLASSES = [
  'risk.started', 'signal.started', 'exec.starting', 'writer.starting', 'runner.initialized', 'redis.starting', 'feed.mode', 'feed.fetching_symbols',
  'pipeline.service_started', 'reports.service_started', 'service.config_error', 'risk.auth_failed_cannot_start', 'exec.init_failed',
];
const ERROR_CLASSES = CATALOG.filter((e) => e.severity === 'error').map((e) => e.id);

const HOUR_MS = 3_600_000;

function hourOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

interface Span {
  from: number;
  to: number;
}

/** Every hour from the block start − 1 day to the block end + 1 day that some evidence covers. */
function hoursBetween(from: number, to: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(from / HOUR_MS) * HOUR_MS; t <= to; t += HOUR_MS) out.push(hourOf(t));
  return out;
}

export function buildFlowHourly(db: DB, blockFrom: string, blockTo: string): void {
  db.exec(FLOW_HOURLY_SQL);
  const bFrom = Date.parse(blockFrom);
  const bTo = Date.parse(blockTo);
  const winFrom = hourOf(bFrom - 24 * HOUR_MS);
  const winTo = hourOf(bTo + 24 * HOUR_MS);
  const ins = db.prepare('INSERT INTO flow_hourly (hour, stage, class, n, source, in_block, observed) VALUES (?, ?, ?, ?, ?, ?, ?)');

  // Where each kind of source has evidence: log services by their records, captures by their clock, dumps everywhere.
  const logSpan = db.prepare("SELECT MIN(first_ts) AS f, MAX(last_ts) AS t FROM log_hourly WHERE hour IS NOT NULL AND service IN (SELECT value FROM json_each(?))");
  const spanOfServices = (services: string[]): Span | null => {
    const r = logSpan.get(JSON.stringify(services)) as { f: string | null; t: string | null };
    return r.f && r.t ? { from: Date.parse(r.f), to: Date.parse(r.t) } : null;
  };
  const redisSpan = (channels: string[]): Span | null => {
    const r = db
      .prepare(`SELECT MIN(COALESCE(ts, payload_ts)) AS f, MAX(COALESCE(ts, payload_ts)) AS t FROM redis_messages WHERE channel IN (SELECT value FROM json_each(?))`)
      .get(JSON.stringify(channels)) as { f: string | null; t: string | null };
    return r.f && r.t ? { from: Date.parse(r.f), to: Date.parse(r.t) } : null;
  };

  // The hours the evidence covers at all, clipped to the block ± 1 day.
  const all = db.prepare("SELECT MIN(first_ts) AS f, MAX(last_ts) AS t FROM log_hourly WHERE hour IS NOT NULL").get() as { f: string | null; t: string | null };
  let from = bFrom;
  let to = bTo;
  if (all.f && all.t) {
    from = Math.min(from, Math.max(Date.parse(all.f), bFrom - 24 * HOUR_MS));
    to = Math.max(to, Math.min(Date.parse(all.t), bTo + 24 * HOUR_MS));
  }
  const hours = hoursBetween(from, to);
  const inBlock = (h: string) => (Date.parse(`${h}:00:00.000Z`) + HOUR_MS > bFrom && Date.parse(`${h}:00:00.000Z`) <= bTo ? 1 : 0);
  const covered = (span: Span | null | 'all', h: string): number => {
    if (span === 'all') return 1;
    if (!span) return 0;
    const s = Date.parse(`${h}:00:00.000Z`);
    return s + HOUR_MS > span.from && s <= span.to ? 1 : 0;
  };

  /** One stage from counted rows: every covered hour gets a row (0 where nothing happened), plus `outside`. */
  const emit = (stage: FlowStage, source: string, rows: { h: string | null; c: string; n: number }[], span: Span | null | 'all') => {
    const byHour = new Map<string, Map<string, number>>();
    let outside = 0;
    for (const r of rows) {
      if (r.h === null) continue;
      if (r.h < winFrom || r.h > winTo) {
        outside += r.n;
        continue;
      }
      let m = byHour.get(r.h);
      if (!m) byHour.set(r.h, (m = new Map()));
      m.set(r.c, (m.get(r.c) ?? 0) + r.n);
    }
    for (const h of hours) {
      const m = byHour.get(h);
      const obs = covered(span, h) || (m ? 1 : 0);
      if (!m || m.size === 0) ins.run(h, stage, '', 0, source, inBlock(h), obs);
      else for (const [c, n] of [...m.entries()].sort()) ins.run(h, stage, c, n, source, inBlock(h), obs);
    }
    if (outside) ins.run('outside', stage, '', outside, source, 0, 1);
  };

  const source = (key: string) => ((db.prepare('SELECT value FROM block WHERE key = ?').get(key) as { value: string | null } | undefined)?.value ?? 'none');
  const byHour = (sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as { h: string | null; c: string; n: number }[];
  const H = "CASE WHEN length(ts) >= 13 AND substr(ts, 11, 1) = 'T' THEN substr(ts, 1, 13) END";

  // Canonical stages: their source is the model's best source of that entity. With none, the
  // stage's own services' logs still cover their hours: a signal engine that logs all block and
  // never prints a signal observed zero signals, which is not the same as no evidence.
  const spanOf = (src: string, services: string[], channels: string[]): Span | null | 'all' =>
    src === 'none' ? spanOfServices(services) : src.startsWith('db') ? 'all' : src === 'log' ? spanOfServices(services) : redisSpan(channels);
  const mdSrc = source('source.market_data');
  // Ticks per hour from the per-minute rollup where every timed tick's time is ISO text (then a
  // minute's hour is its ticks' hour; untimed ticks have no hour either way), not from every tick.
  const ticks = marketMinutesUsable(db)
    ? `SELECT substr(minute, 1, 13) AS h, '' AS c, SUM(n) AS n FROM market_minutes GROUP BY 1 ORDER BY 1`
    : `SELECT ${H} AS h, '' AS c, COUNT(*) AS n FROM market_data GROUP BY 1 ORDER BY 1`;
  emit('market_data', mdSrc, byHour(ticks), spanOf(mdSrc, ['cdb_ws', 'cdb_market', 'cdb_market_eth'], ['market_data']));
  const sigSrc = source('source.signals');
  emit('signals', sigSrc, byHour(`SELECT ${H} AS h, '' AS c, COUNT(*) AS n FROM signals GROUP BY 1 ORDER BY 1`), spanOf(sigSrc, ['cdb_core', 'cdb_signal'], ['signals', 'trading_signals', 'stream.signals']));
  const riskSrc = source('source.risk_decisions');
  const riskSpan = spanOf(riskSrc, ['cdb_risk'], ['alerts', 'orders', 'risk_approved_trades']);
  emit('risk_approved', riskSrc, byHour(`SELECT ${H} AS h, '' AS c, COUNT(*) AS n FROM risk_decisions WHERE decision = 'approved' GROUP BY 1 ORDER BY 1`), riskSpan);
  emit('risk_rejected', riskSrc, byHour(`SELECT ${H} AS h, COALESCE(reason_code, 'unknown') AS c, COUNT(*) AS n FROM risk_decisions WHERE decision = 'rejected' GROUP BY 1, 2 ORDER BY 1, 2`), riskSpan);
  const ordSrc = source('source.orders');
  emit('orders', ordSrc, byHour(`SELECT ${H} AS h, '' AS c, COUNT(*) AS n FROM orders GROUP BY 1 ORDER BY 1`), spanOf(ordSrc, ['cdb_execution'], ['orders', 'risk_approved_trades', 'stream.orders']));
  const trSrc = source('source.trades');
  emit('fills', trSrc, byHour(`SELECT ${H} AS h, '' AS c, COUNT(*) AS n FROM trades GROUP BY 1 ORDER BY 1`), spanOf(trSrc, ['cdb_execution'], ['order_results', 'stream.fills']));

  // Rows persisted: DB rows per table and writer where dumped, else the writers' own log lines.
  const dumped = db
    .prepare(
      `SELECT h, c, SUM(n) AS n FROM (
         SELECT ${H} AS h, 'signals' AS c, COUNT(*) AS n FROM signals WHERE source = 'db' GROUP BY 1
         UNION ALL SELECT ${H}, 'orders:' || COALESCE(writer, 'unknown'), COUNT(*) FROM orders WHERE source = 'db' GROUP BY 1, 2
         UNION ALL SELECT ${H}, 'trades:' || COALESCE(writer, 'unknown'), COUNT(*) FROM trades WHERE source = 'db' GROUP BY 1, 2
       ) GROUP BY h, c ORDER BY h, c`,
    )
    .all() as { h: string | null; c: string; n: number }[];
  const persistClasses = CATALOG.filter((e) => e.stage === 'persist' && e.severity === 'info').map((e) => e.id);
  if (dumped.length) emit('persisted', 'db', dumped, 'all');
  else {
    const rows = byHour(`SELECT hour AS h, class AS c, SUM(n) AS n FROM log_hourly WHERE class IN (SELECT value FROM json_each(?)) GROUP BY 1, 2 ORDER BY 1, 2`, JSON.stringify(persistClasses));
    emit('persisted', 'log:cdb_db_writer+cdb_execution', rows, spanOfServices(['cdb_db_writer', 'cdb_execution']));
  }

  // Errors per catalog class and restarts from every sign in the logs.
  const logServices = (db.prepare('SELECT DISTINCT service FROM log_hourly WHERE service IS NOT NULL ORDER BY 1').all() as { service: string }[]).map((r) => r.service);
  const anyLog = spanOfServices(logServices);
  emit('errors', 'log', byHour(`SELECT hour AS h, class AS c, SUM(n) AS n FROM log_hourly WHERE class IN (SELECT value FROM json_each(?)) GROUP BY 1, 2 ORDER BY 1, 2`, JSON.stringify(ERROR_CLASSES)), anyLog);
  emit(
    'restarts',
    'log',
    byHour(`SELECT hour AS h, COALESCE(service, '?') || ':' || class AS c, SUM(n) AS n FROM log_hourly WHERE class IN (SELECT value FROM json_each(?)) GROUP BY 1, 2 ORDER BY 1, 2`, JSON.stringify(RESTART_CLASSES)),
    anyLog,
  );
}
