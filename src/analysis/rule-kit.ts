/**
 * Small, shared query helpers for rules: log look-ups (health polls excluded), coverage of a
 * source in the block, settings, likelihood from evidence strength. Rules stay declarative;
 * everything here is deterministic (ORDER BY on every query, no wall clock).
 */
import type { Evidence, Likelihood, RuleContext } from './define-rule.js';
import { text, type Text } from '../i18n/translate.js';
import { servicesInBlock } from '../db/log-rollup.js';

/** Containers whose failure stops the trading flow (formats doc §1); monitoring ones do not. */
export const PIPELINE_SERVICES: readonly string[] = [
  'cdb_redis', 'cdb_postgres', 'cdb_ws', 'cdb_market', 'cdb_market_eth', 'cdb_core', 'cdb_signal', 'cdb_candles', 'cdb_regime',
  'cdb_allocation', 'cdb_risk', 'cdb_execution', 'cdb_db_writer',
];

/** The paper runner only logs and reports; it is not on the signal → trade path. */
export const REPORTING_SERVICES: readonly string[] = ['cdb_paper_runner', 'cdb_reports'];

/**
 * Variables no service reads (formats doc §7): a to-do that edits them changes nothing.
 * MAX_TOTAL_EXPOSURE_PCT is read from era B on only; era A reads MAX_EXPOSURE_PCT.
 */
export const UNREAD_SETTINGS: readonly string[] = [
  'CIRCUIT_BREAKER_THRESHOLD_PCT', 'MAX_SLIPPAGE_PCT', 'DATA_STALE_TIMEOUT_SEC', 'ACCOUNT_EQUITY', 'MIN_CONFIDENCE', 'MIN_VOLUME_24H', 'REDIS_MAXMEMORY',
];

export function isUnreadSetting(key: string, era: string | null): boolean {
  const k = key.toUpperCase();
  return UNREAD_SETTINGS.includes(k) || (k === 'MAX_TOTAL_EXPOSURE_PCT' && era === 'A');
}

/** The .env variable a to-do's `where` tells the user to edit, if any (`.env MAX_EXPOSURE_PCT`, `.env Zeile 23`). */
export function envKeyOf(where: string): string | null {
  const m = /^\.env\b[^A-Z]*([A-Z][A-Z0-9_]{2,})/.exec(where.trim());
  return m ? m[1] : null;
}

export function isPipeline(service: string | null | undefined): boolean {
  return !!service && PIPELINE_SERVICES.includes(service);
}

export interface LogRow {
  id: number;
  file_id: number;
  line_no: number;
  service: string | null;
  ts: string | null;
  docker_ts: string | null;
  level: string | null;
  logger: string | null;
  message: string;
  kind: string | null;
  class: string | null;
}

export interface LogQuery {
  /** Event classes of the catalog (src/catalog) to read; records are selected by class, never by text. */
  classes: readonly string[];
  /** A further test of a selected record's message (a cause inside an error text). */
  re?: RegExp;
  /** Only records of these services; null stands for records that name none. */
  services?: readonly (string | null)[];
  /** Kinds to skip; health polls are always skipped (they are never activity). */
  excludeKinds?: readonly string[];
  /** Also take rows outside the block (default: rows in the block and rows of unknown time). */
  anyTime?: boolean;
  /** Only records of these kinds. */
  kinds?: readonly string[];
  /** Only records with one of these texts: SQLite skips the others without handing them to JS. */
  messages?: readonly string[];
}

const LOG_COLS = 'id, file_id, line_no, service, ts, docker_ts, level, logger, message, kind, class';

/** Log records matching a pattern, in time order (untimed last), health polls excluded. */
export function findLogs(ctx: RuleContext, q: LogQuery): LogRow[] {
  const out: LogRow[] = [];
  eachLog(ctx, q, (r) => out.push(r));
  return out;
}

/**
 * findLogs one record at a time, for a consumer that keeps a summary rather than the records: a
 * class that can repeat on every tick (a feed that drops every trade while Redis is away) must not
 * cost memory per record. A record failing `re` is never kept. `visit` must not use the connection.
 */
export function eachLog(ctx: RuleContext, q: LogQuery, visit: (r: LogRow) => void): void {
  const w = kitWhere(q);
  if (!w) return;
  const re = q.re;
  const rows = ctx.db
    .prepare(`SELECT ${LOG_COLS} FROM log_events WHERE ${w.sql} ORDER BY ts IS NULL, ts, file_id, line_no, id`)
    .iterate(...w.args) as IterableIterator<LogRow>;
  for (const r of rows) {
    if (re) {
      re.lastIndex = 0;
      if (!re.test(r.message)) continue;
    }
    visit(r);
  }
}

/** Above this many texts eachLogOfTexts reads the texts themselves (one CASE branch per text). */
const MAX_CASE_TEXTS = 64;

/**
 * eachLog of the records whose text is one of `texts`, in eachLog's order. SQLite sorts and hands
 * over each record's index into `texts` instead of its text, and every record of a text shares
 * one string: a text repeated on every tick is not copied, sorted and decoded a million times.
 */
export function eachLogOfTexts(ctx: RuleContext, q: Omit<LogQuery, 're' | 'messages'>, texts: readonly string[], visit: (r: LogRow) => void): void {
  if (texts.length > MAX_CASE_TEXTS) {
    eachLog(ctx, { ...q, messages: texts }, visit);
    return;
  }
  const w = kitWhere({ ...q, messages: texts });
  if (!w) return;
  const which = `CASE message ${texts.map(() => 'WHEN ? THEN ?').join(' ')} END`;
  const rows = ctx.db
    .prepare(`SELECT id, file_id, line_no, service, ts, docker_ts, level, logger, ${which}, kind, class FROM log_events WHERE ${w.sql} ORDER BY ts IS NULL, ts, file_id, line_no, id`)
    .raw()
    .iterate(...texts.flatMap((t, i) => [t, i]), ...w.args) as IterableIterator<[number, number, number, string | null, string | null, string | null, string | null, string | null, number, string | null, string | null]>;
  for (const [id, file_id, line_no, service, ts, docker_ts, level, logger, t, kind, klass] of rows) {
    visit({ id, file_id, line_no, service, ts, docker_ts, level, logger, message: texts[t], kind, class: klass });
  }
}

/**
 * How many texts the first 1,024 log records matching `where` hold: a cheap look that tells a log
 * whose texts repeat (a failure logged on every tick) from one whose texts carry a payload, before
 * SQLite is asked to group all of them by text.
 */
export function textsAmongFirst(db: RuleContext['db'], where: string, args: readonly unknown[]): number {
  return (db.prepare(`SELECT COUNT(DISTINCT message) AS n FROM (SELECT message FROM log_events WHERE ${where} LIMIT 1024)`).get(...args) as { n: number }).n;
}

/** One service's records of one text among eachLog(q)'s: how many, how many have a time, the first and last time. */
export interface LogTextGroup {
  service: string | null;
  message: string;
  n: number;
  timed: number;
  firstTs: string | null;
  lastTs: string | null;
}

/**
 * eachLog(q)'s records (before its `re`) counted per service and text by SQLite, in no particular
 * order; null when they hold more than `max` such groups (texts that carry a payload): the caller
 * reads the records instead. A look at 1,024 records first spares such a log the count.
 */
export function logTextGroups(ctx: RuleContext, q: Omit<LogQuery, 're'>, max: number): LogTextGroup[] | null {
  const w = kitWhere(q);
  if (!w) return [];
  if (textsAmongFirst(ctx.db, w.sql, w.args) > max) return null;
  const out: LogTextGroup[] = [];
  const rows = ctx.db
    .prepare(`SELECT service, message, COUNT(*) AS n, COUNT(ts) AS timed, MIN(ts) AS firstTs, MAX(ts) AS lastTs FROM log_events WHERE ${w.sql} GROUP BY service, message`)
    .iterate(...w.args) as IterableIterator<LogTextGroup>;
  for (const g of rows) {
    // Leaving the loop closes the statement.
    if (out.length === max) return null;
    out.push(g);
  }
  return out;
}

/** One class's, kind's, service's and text's records among eachLog(q)'s (eachLogClassTextGroup). */
export interface LogClassTextGroup extends LogTextGroup {
  class: string;
  kind: string | null;
}

/**
 * eachLog(q)'s records (before its `re`) counted per class, kind, service and text by SQLite, in
 * no particular order, every group handed over: the caller keeps those it wants. The kind lets one
 * pass serve queries that differ only in the kinds they take.
 */
export function eachLogClassTextGroup(ctx: RuleContext, q: Omit<LogQuery, 're'>, visit: (g: LogClassTextGroup) => void): void {
  const w = kitWhere(q);
  if (!w) return;
  const rows = ctx.db
    .prepare(`SELECT class, kind, service, message, COUNT(*) AS n, COUNT(ts) AS timed, MIN(ts) AS firstTs, MAX(ts) AS lastTs FROM log_events WHERE ${w.sql} GROUP BY class, kind, service, message`)
    .iterate(...w.args) as IterableIterator<LogClassTextGroup>;
  for (const g of rows) visit(g);
}

/**
 * The k-th (from 0) of eachLog(q)'s records, of which the caller knows that `timed` have a time:
 * the middle record spreadEvidence cites, without reading the records before it. When every timed
 * record of q's classes is one of q's (a failure class logged by one service), the k-th time is
 * found on the (class, ts) index alone and only the records of that time are read.
 */
export function logNth(ctx: RuleContext, q: Omit<LogQuery, 're'>, k: number, timed: number): LogRow | null {
  const w = kitWhere(q);
  if (!w || k < 0) return null;
  const get = (cond: string, order: string, offset: number, ...more: string[]) =>
    (ctx.db.prepare(`SELECT ${LOG_COLS} FROM log_events WHERE ${w.sql} AND ${cond} ORDER BY ${order} LIMIT 1 OFFSET ?`).get(...w.args, ...more, offset) as LogRow | undefined) ?? null;
  if (k >= timed) return get('ts IS NULL', 'file_id, line_no, id', k - timed);
  const cls = `class IN (${q.classes.map(() => '?').join(',')}) AND ts IS NOT NULL`;
  const all = ctx.db.prepare(`SELECT COUNT(*) AS n FROM log_events WHERE ${cls}`).get(...q.classes) as { n: number };
  if (all.n !== timed) return get('ts IS NOT NULL', 'ts, file_id, line_no, id', k);
  const at = ctx.db.prepare(`SELECT ts FROM log_events WHERE ${cls} ORDER BY ts LIMIT 1 OFFSET ?`).get(...q.classes, k) as { ts: string } | undefined;
  if (!at) return null;
  const before = ctx.db.prepare(`SELECT COUNT(*) AS n FROM log_events WHERE ${cls} AND ts < ?`).get(...q.classes, at.ts) as { n: number };
  return get('ts = ?', 'file_id, line_no, id', k - before.n, at.ts);
}

/**
 * Of eachLog(q)'s records with time `ts` (null: those without one) the first or the last in
 * eachLog's order: an index probe where the caller knows the time of an edge (logTextGroups).
 */
export function logAt(ctx: RuleContext, q: Omit<LogQuery, 're'>, ts: string | null, end: 'first' | 'last'): LogRow | null {
  const w = kitWhere(q);
  if (!w) return null;
  const dir = end === 'first' ? '' : ' DESC';
  const sql = `SELECT ${LOG_COLS} FROM log_events WHERE ${w.sql} AND ts ${ts === null ? 'IS NULL' : '= ?'} ORDER BY file_id${dir}, line_no${dir}, id${dir} LIMIT 1`;
  const row = ctx.db.prepare(sql).get(...w.args, ...(ts === null ? [] : [ts])) as LogRow | undefined;
  return row ?? null;
}

function kitWhere(q: Omit<LogQuery, 're'>): { sql: string; args: (string | number)[] } | null {
  if (q.classes.length === 0 || (q.messages && q.messages.length === 0) || (q.kinds && q.kinds.length === 0)) return null;
  const where: string[] = [`class IN (${q.classes.map(() => '?').join(',')})`, "COALESCE(kind, '') <> 'health_poll'"];
  const args: (string | number)[] = [...q.classes];
  if (!q.anyTime) where.push('COALESCE(in_block, 1) = 1');
  if (q.services && q.services.length) {
    // `service IN (NULL)` matches nothing: records without a service are asked for apart.
    const named = q.services.filter((s): s is string => s !== null);
    const parts = named.length ? [`service IN (${named.map(() => '?').join(',')})`] : [];
    if (named.length < q.services.length) parts.push('service IS NULL');
    where.push(parts.length > 1 ? `(${parts.join(' OR ')})` : parts[0]);
    args.push(...named);
  }
  if (q.excludeKinds && q.excludeKinds.length) {
    where.push(`COALESCE(kind, '') NOT IN (${q.excludeKinds.map(() => '?').join(',')})`);
    args.push(...q.excludeKinds);
  }
  if (q.kinds) {
    where.push(`kind IN (${q.kinds.map(() => '?').join(',')})`);
    args.push(...q.kinds);
  }
  if (q.messages) {
    where.push('message IN (SELECT value FROM json_each(?))');
    args.push(JSON.stringify(q.messages));
  }
  return { sql: where.join(' AND '), args };
}

/** The rows spreadEvidence cites of a list of n: the first, the last and evenly between (sorted). */
export function spreadPicks(n: number, max = 3): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const picks = new Set<number>([0, n - 1]);
  for (let i = 1; picks.size < max && i < max; i++) picks.add(Math.floor((n - 1) * (i / (max - 1))));
  return [...picks].sort((a, b) => a - b);
}

/** Evidence for a log row (the context resolves the path and renders the stored, redacted text). */
export function logEvidence(ctx: RuleContext, r: { file_id: number; line_no: number }): Evidence {
  return ctx.evidence(r.file_id, r.line_no);
}

/** First, a middle and last rows as evidence: enough to show a pattern recurs, never the whole list. */
export function spreadEvidence(ctx: RuleContext, rows: { file_id: number; line_no: number }[], max = 3): Evidence[] {
  return spreadPicks(rows.length, max).map((i) => logEvidence(ctx, rows[i]));
}

export function blockMs(ctx: RuleContext): number {
  return Math.max(1, Date.parse(ctx.block.to) - Date.parse(ctx.block.from));
}

/** Below this share of the block a log cannot show that something did NOT happen. */
export const MIN_COVERAGE = 0.5;

/** "cdb_ws logs cover 12 min of the 3 d block" — for not_evaluable explanations. */
export function coverageText(ctx: RuleContext, service: string): Text {
  const c = ctx.logCoverage(service);
  if (!c) return text('shared.coverage.none', { service });
  return text('shared.coverage', { service, span: (Date.parse(c.to) - Date.parse(c.from)) / 1000, block: blockMs(ctx) / 1000 });
}

/** True when the service's logs span enough of the block to let absence mean something. */
export function covers(ctx: RuleContext, service: string, min = MIN_COVERAGE): boolean {
  const c = ctx.logCoverage(service);
  return !!c && c.fraction >= min;
}

/** Services with any log record in the block (health polls included: they prove the log covers the time). */
export function loggedServices(ctx: RuleContext): string[] {
  let services = servicesOf.get(ctx);
  if (!services) {
    // The services the hourly rollup names, each with one probe of the (class, ts) index for a
    // record in the block: no scan of every record.
    services = servicesInBlock(ctx.db, ctx.block.from, ctx.block.to);
    servicesOf.set(ctx, services);
  }
  return [...services];
}

/** Per context (one analysis run over a database that no longer changes): several rules ask. */
const servicesOf = new WeakMap<RuleContext, string[]>();

export function count(ctx: RuleContext, sql: string, ...args: (string | number | null)[]): number {
  const r = ctx.db.prepare(sql).get(...args) as Record<string, number | null> | undefined;
  if (!r) return 0;
  const v = Object.values(r)[0];
  return typeof v === 'number' ? v : Number(v ?? 0) || 0;
}

export function tableExists(ctx: RuleContext, name: string): boolean {
  return !!ctx.db.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?").get(name);
}

export interface SettingRow {
  file_id: number;
  line_no: number;
  source: string | null;
  service: string | null;
  key: string;
  value: string | null;
}

/** Every captured value of a configuration key (.env, inspect Env, startup echo), stable order. */
export function settings(ctx: RuleContext, key: string): SettingRow[] {
  return ctx.db
    .prepare('SELECT file_id, line_no, source, service, key, value FROM settings WHERE UPPER(key) = UPPER(?) ORDER BY source, service, file_id, line_no')
    .all(key) as SettingRow[];
}

const SOURCE_RANK: Record<string, number> = { startup: 0, inspect_env: 1, env: 2 };

/**
 * The value a service actually ran with: what it printed at startup beats `docker inspect` Env,
 * which beats the `.env` file (a .env line may never reach the container).
 */
export function effectiveSetting(ctx: RuleContext, key: string, services?: readonly string[]): SettingRow | null {
  const rows = settings(ctx, key).filter((r) => !services || r.service === null || services.includes(r.service));
  rows.sort((a, b) => (SOURCE_RANK[a.source ?? ''] ?? 3) - (SOURCE_RANK[b.source ?? ''] ?? 3) || a.file_id - b.file_id || a.line_no - b.line_no);
  return rows[0] ?? null;
}

/**
 * Likelihood from summed evidence strength: each independent piece of supporting evidence adds
 * points, so removing one lowers the likelihood (the property the hypothesis tests check).
 */
export function likelihoodFromScore(score: number): Likelihood | null {
  if (score >= 4) return 'very_likely';
  if (score >= 3) return 'likely';
  if (score >= 2) return 'possible';
  if (score >= 1) return 'unlikely';
  return null;
}

/** Where a service's code lives in the era's repository layout (formats doc: A `backoffice/services/<x>/`, B `services/<x>/`). */
export function codePath(era: string | null, service: string, file = ''): string {
  // Era A keeps the container name as directory (`services/cdb_paper_runner/service.py`); B drops the prefix (`services/reports/`).
  return era === 'A' ? `backoffice/services/${service}/${file}` : `services/${service.replace(/^cdb_/, '')}/${file}`;
}

/** The compose file that defines a service's environment and command in the era. */
export function composeFile(era: string | null): string {
  if (era === 'C') return 'infrastructure/compose/compose.blue.yml';
  if (era === 'B') return 'infrastructure/compose/base.yml';
  return 'docker-compose.yml';
}

/** Escape text for use inside a RegExp source (verification log checks). */
export function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Milliseconds of an ISO time, NaN when absent. */
export function msOf(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : NaN;
}

export function pct(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

/** Stable text comparison (no locale). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
