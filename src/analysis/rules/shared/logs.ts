import type { RuleContext } from '../../define-rule.js';
import { CATALOG, classes, classesWithPrefix, fieldsOf } from '../../../catalog/index.js';
import { logWindow, Tally, type Span } from './util.js';
import { memoByText } from './text-memo.js';
import { anyLogOfService, classCountInBlock, classesPassing, classIn, edgeRecord } from '../../../db/log-rollup.js';

/**
 * Which log records belong to a pipeline stage. Compose names come first; the logger name is a
 * fallback for captures whose service could not be named (a bare `docker logs` file), and only
 * loggers that are unique to one service are listed (`__main__` is not).
 */
export interface ServiceGroup {
  name: string;
  services: string[];
  loggers: string[];
}

export const SIGNAL: ServiceGroup = { name: 'signal engine (cdb_core / cdb_signal)', services: ['cdb_core', 'cdb_signal'], loggers: ['signal_engine', 'signal_engine.price_buffer'] };
export const RISK: ServiceGroup = { name: 'risk manager (cdb_risk)', services: ['cdb_risk'], loggers: ['risk_manager'] };
export const EXECUTION: ServiceGroup = { name: 'execution (cdb_execution)', services: ['cdb_execution'], loggers: ['execution_service'] };
export const DB_WRITER: ServiceGroup = { name: 'db_writer (cdb_db_writer)', services: ['cdb_db_writer'], loggers: ['db_writer'] };
export const RUNNER: ServiceGroup = { name: 'paper runner (cdb_paper_runner)', services: ['cdb_paper_runner'], loggers: ['email_alerter'] };
export const WS: ServiceGroup = { name: 'market feed (cdb_ws / cdb_market)', services: ['cdb_ws', 'cdb_market', 'cdb_market_eth'], loggers: ['ws_service', 'market_service'] };
export const REPORTS: ServiceGroup = { name: 'cdb_reports', services: ['cdb_reports'], loggers: [] };

export interface LogRow {
  id: number;
  file_id: number;
  line_no: number;
  ts: string | null;
  service: string | null;
  level: string | null;
  message: string;
  class: string | null;
}

export interface LogQuery {
  /** Services whose records are searched; null = every service. */
  group?: ServiceGroup | ServiceGroup[] | null;
  /** Event classes of the catalog (src/catalog): records are selected by class, never by message text. */
  classes: readonly string[];
  /** A further test of a selected record's message (e.g. a cause inside an error text). */
  re?: RegExp;
  /** Default true: only records inside the block. */
  inBlock?: boolean;
  /** Optional explicit time window (inclusive); replaces the block filter. */
  span?: Span;
}

const servicePresence = new WeakMap<object, Map<string, boolean>>();

function hasService(ctx: RuleContext, services: string[]): boolean {
  // Per context, not per database: a context is one analysis run over a database that no longer changes.
  let m = servicePresence.get(ctx);
  if (!m) servicePresence.set(ctx, (m = new Map()));
  const k = services.join(',');
  if (!m.has(k)) {
    m.set(k, anyLogOfService(ctx.db, services));
  }
  return m.get(k)!;
}

/**
 * The classes (null: unclassified) of every record groupClause selects, from the rollup: a query
 * over a stage's records without a class of its own adds this and reads the (class, ts) index.
 * Empty SQL when the rollup cannot answer.
 */
export function groupClassIn(ctx: RuleContext, groups: ServiceGroup[]): { sql: string; params: string[] } {
  const classes = groupClasses(ctx, groups);
  return classes === null ? { sql: '', params: [] } : classIn(classes);
}

/** groupClassIn's classes as a list; null when the rollup cannot answer. */
function groupClasses(ctx: RuleContext, groups: ServiceGroup[]): (string | null)[] | null {
  const services = groups.flatMap((g) => g.services);
  const loggers = groups.flatMap((g) => g.loggers);
  if (services.length && hasService(ctx, services)) {
    return classesPassing(ctx.db, `service IN (SELECT value FROM json_each(?))${loggers.length ? ' OR service IS NULL' : ''}`, JSON.stringify(services));
  }
  return loggers.length ? classesPassing(ctx.db, '1') : [];
}

/**
 * The first (ASC) or last (DESC) record of a stage inside the block, health polls included, in
 * (ts, file_id, line_no) order: from each of the stage's classes its edge record, through the
 * (class, ts) index.
 */
export function groupEdgeRecord(ctx: RuleContext, group: ServiceGroup, dir: 'ASC' | 'DESC'): { file_id: number; line_no: number } | undefined {
  const params: (string | number)[] = [];
  const clause = groupClause(ctx, [group], params);
  const w = logWindow(ctx);
  const classes = groupClasses(ctx, [group]);
  if (classes !== null) return edgeRecord(ctx.db, classes, `${clause} AND ${w.sql}`, [...params, ...w.params], dir);
  return ctx.db
    .prepare(`SELECT file_id, line_no FROM log_events WHERE ${clause} AND ${w.sql} ORDER BY ts ${dir}, file_id ${dir}, line_no ${dir} LIMIT 1`)
    .get(...params, ...w.params) as { file_id: number; line_no: number } | undefined;
}

/**
 * Records of a stage: by compose service name, plus records without a service whose logger is
 * unique to the stage. When no record carries the service name at all, the logger alone decides.
 * `serviceCol` is the column as written in the clause (`+service` keeps the planner off any index
 * on service, should one come back, where the class index is the short way).
 */
export function groupClause(ctx: RuleContext, groups: ServiceGroup[], params: (string | number)[], serviceCol = 'service'): string {
  const services = groups.flatMap((g) => g.services);
  const loggers = groups.flatMap((g) => g.loggers);
  const loggerIn = `logger IN (${loggers.map(() => '?').join(',')})`;
  if (services.length && hasService(ctx, services)) {
    params.push(...services);
    if (!loggers.length) return `${serviceCol} IN (${services.map(() => '?').join(',')})`;
    params.push(...loggers);
    return `(${serviceCol} IN (${services.map(() => '?').join(',')}) OR (${serviceCol} IS NULL AND ${loggerIn}))`;
  }
  if (!loggers.length) return '0';
  params.push(...loggers);
  return loggerIn;
}

/** Log records of the given classes, in time order. Health polls never count as activity and are left out. */
export function findLogs(ctx: RuleContext, q: LogQuery): LogRow[] {
  const out: LogRow[] = [];
  scanLogs(ctx, q, (r) => out.push(r));
  return out;
}

/** The WHERE clause of a query (without its `re`), or null when it asks for no class. */
function logWhere(ctx: RuleContext, q: LogQuery): { sql: string; params: (string | number)[] } | null {
  const params: (string | number)[] = [];
  const where: string[] = [];
  if (q.group) {
    const groups = Array.isArray(q.group) ? q.group : [q.group];
    // Records are selected by class: the (class, ts) index reads only them, where a read by
    // service would take every record of a chatty service (a DEBUG engine logs every tick).
    where.push(groupClause(ctx, groups, params, '+service'));
  }
  if (q.span) {
    const w = logWindow(ctx, q.span, false);
    where.push(w.sql);
    params.push(...w.params);
  } else if (q.inBlock !== false) {
    const w = logWindow(ctx);
    where.push(w.sql);
    params.push(...w.params);
  }
  where.push("(kind IS NULL OR kind != 'health_poll')");
  if (q.classes.length === 0) return null;
  where.push(`class IN (${q.classes.map(() => '?').join(',')})`);
  params.push(...q.classes);
  return { sql: where.join(' AND '), params };
}

const LOG_COLS = 'id, file_id, line_no, ts, service, level, message, class';

/** findLogs without keeping the rows: each match is handed to `visit` as it is read. */
export function scanLogs(ctx: RuleContext, q: LogQuery, visit: (r: LogRow) => void): void {
  const w = logWhere(ctx, q);
  if (!w) return;
  const sql = `SELECT ${LOG_COLS} FROM log_events WHERE ${w.sql} ORDER BY ts, file_id, line_no`;
  for (const r of ctx.db.prepare(sql).iterate(...w.params) as Iterable<LogRow>) {
    if (r.message == null) continue;
    if (q.re && !q.re.test(r.message)) continue;
    visit(r);
  }
}

/** How many records match, and the first `first` and last `last` of them (scanLogs' order). */
export interface LogEdges {
  n: number;
  head: LogRow[];
  /** The last records after the head, in order: never one of the head's. */
  tail: LogRow[];
}

/** Classes the classifier gives by a record's kind, whatever its text: such a record may have none. */
const KIND_CLASSES = new Set(CATALOG.filter((e) => e.kind).map((e) => e.id));

/**
 * How many records a query without a stage or a window of its own matches, from the hourly rollup
 * (classCountInBlock): a class a message pattern gives always has a text, so scanLogs skips none of
 * its records. Null when the rollup cannot say.
 */
function rollupCount(ctx: RuleContext, q: Omit<LogQuery, 're'>): number | null {
  if (q.group || q.span || q.inBlock === false || q.classes.some((c) => KIND_CLASSES.has(c))) return null;
  return classCountInBlock(ctx.db, q.classes, ctx.block.from, ctx.block.to);
}

/**
 * What tallyLogs(q, first, last) keeps, without handing every record to JS: the rollup or SQLite
 * counts, and SQLite reads the head in scanLogs' order and the tail in the reverse order through
 * the class index. Only for a query without `re` (a message test needs every record's text).
 */
export function logEdges(ctx: RuleContext, q: Omit<LogQuery, 're'>, first: number, last: number): LogEdges {
  const w = logWhere(ctx, q);
  if (!w) return { n: 0, head: [], tail: [] };
  // scanLogs skips a record without text.
  const where = `${w.sql} AND message IS NOT NULL`;
  const n = rollupCount(ctx, q) ?? (ctx.db.prepare(`SELECT COUNT(*) AS n FROM log_events WHERE ${where}`).get(...w.params) as { n: number }).n;
  if (n === 0) return { n, head: [], tail: [] };
  const head = ctx.db.prepare(`SELECT ${LOG_COLS} FROM log_events WHERE ${where} ORDER BY ts, file_id, line_no LIMIT ?`).all(...w.params, first) as LogRow[];
  const k = Math.min(last, n - head.length);
  const tail = k > 0 ? (ctx.db.prepare(`SELECT ${LOG_COLS} FROM log_events WHERE ${where} ORDER BY ts DESC, file_id DESC, line_no DESC LIMIT ?`).all(...w.params, k) as LogRow[]).reverse() : [];
  return { n, head, tail };
}

/** Whether any record matches (scanLogs would visit one), reading at most one. */
export function anyLog(ctx: RuleContext, q: Omit<LogQuery, 're'>): boolean {
  const w = logWhere(ctx, q);
  if (!w) return false;
  return !!ctx.db.prepare(`SELECT 1 FROM log_events WHERE ${w.sql} AND message IS NOT NULL LIMIT 1`).get(...w.params);
}

/**
 * The distinct (class, message) pairs of the matching records, in no particular order, read
 * until `enough` says so: SQLite reads the records, JS sees each text once.
 */
export function distinctLogTexts(ctx: RuleContext, q: Omit<LogQuery, 're'>, visit: (r: { class: string | null; message: string }) => boolean | void): void {
  const w = logWhere(ctx, q);
  if (!w) return;
  for (const r of ctx.db.prepare(`SELECT DISTINCT class, message FROM log_events WHERE ${w.sql} AND message IS NOT NULL`).iterate(...w.params) as Iterable<{ class: string | null; message: string }>) {
    if (visit(r) === false) break;
  }
}

export function countLogs(ctx: RuleContext, q: LogQuery): number {
  let n = 0;
  scanLogs(ctx, q, () => n++);
  return n;
}

/** How many records match and the first and last few of them (for sampleEvidence), in constant memory. */
export function tallyLogs(ctx: RuleContext, q: LogQuery, keep = 2): Tally<LogRow> {
  const t = new Tally<LogRow>(keep, keep);
  scanLogs(ctx, q, (r) => t.add(r));
  return t;
}

export interface Coverage extends Span {
  records: number;
  fraction: number;
}

/**
 * The time a stage's logs cover inside the block: the best of its compose names (via
 * ctx.logCoverage), else the records found by logger name. Health polls count here: they prove
 * the process was alive and its log was captured for that time.
 */
export function groupCoverage(ctx: RuleContext, group: ServiceGroup): Coverage | null {
  let best: Coverage | null = null;
  for (const s of group.services) {
    const c = ctx.logCoverage(s);
    if (c && (!best || c.records > best.records)) best = c;
  }
  if (best || group.loggers.length === 0) return best;
  const params: (string | number)[] = [];
  const clause = groupClause(ctx, [group], params);
  const w = logWindow(ctx);
  const only = groupClassIn(ctx, [group]);
  const r = ctx.db
    .prepare(`SELECT MIN(ts) AS f, MAX(ts) AS t, COUNT(*) AS n FROM log_events WHERE ${clause} AND ${w.sql}${only.sql}`)
    .get(...params, ...w.params, ...only.params) as { f: string | null; t: string | null; n: number };
  if (!r.n || !r.f || !r.t) return null;
  const blockMs = Math.max(1, Date.parse(ctx.block.to) - Date.parse(ctx.block.from));
  return { from: r.f, to: r.t, records: r.n, fraction: Math.min(1, (Date.parse(r.t) - Date.parse(r.f)) / blockMs) };
}

/**
 * The event classes rules read, by what they mean to the pipeline. The catalog (src/catalog) is
 * the one place that knows the message texts; `classes()` refuses an id it does not declare.
 */
export const K = {
  signalGenerated: classes('signal.generated'),
  mdError: classes('signal.error.market_data'),
  publishError: classes('signal.error.publish'),
  invalidJson: classes('signal.error.invalid_json'),
  mainLoopError: classes('signal.error.main_loop'),
  confidenceBelow: classes('signal.filter.confidence_runbook'),
  volumeTooLow: classes('signal.filter.volume'),
  riskReceived: classes('risk.signal_received'),
  riskApproved: classes('risk.approved'),
  riskRejected: classesWithPrefix('risk.rejected.'),
  riskStateLoaded: classes('risk.state.loaded'),
  riskStateFresh: classes('risk.state.fresh'),
  riskStateLoadFailed: classes('risk.state.load_failed'),
  riskStateReset: classes('risk.state.reset'),
  exposureReached: classes('risk.rejected.max_exposure'),
  circuitBreaker: classes('risk.rejected.circuit_breaker'),
  runbookDrawdown: classes('risk.rejected.daily_drawdown_runbook'),
  alert: classes('risk.alert', 'risk.rejected.missing_strategy_id'),
  missingStrategy: classes('risk.rejected.missing_strategy_id'),
  orderPublishError: classes('risk.error.order_publish'),
  execProcessing: classes('exec.processing'),
  execFilled: classes('exec.filled'),
  execRejected: classes('exec.rejected'),
  execBotShutdown: classes('exec.bot_shutdown_active'),
  execInitFailure: classes('exec.init_failed', 'exec.redis_init_failed'),
  execSubscribed: classes('exec.subscribed'),
  execStartup: classes('exec.starting'),
  execLoopStarted: classes('exec.loop_started'),
  persistOk: classes('writer.trade_persisted', 'exec.saved_trade'),
  pgSchemaError: classes('pg.schema_error'),
  pgReady: classes('pg.ready'),
  persistFailure: classes('writer.persist_failed', 'exec.save_failed', 'exec.database_error', 'audit.risk_event_persist_failed'),
  runnerStarted: classes('runner.initialized', 'runner.started'),
  runnerStartTime: classes('runner.initialized', 'runner.banner_field'),
  runnerDurationDone: classes('runner.duration_completed'),
  runnerReport: classes('report.daily_header', 'report.daily'),
  runnerReportFailed: classes('report.generation_failed', 'runner.daily_report_failed'),
  runnerEventsLogged: classes('runner.events_logged'),
  runnerLogFailed: classes('runner.log_event_failed'),
  mailDisabled: classes('runner.mail_disabled', 'report.mail_not_sent_disabled'),
  reportsGenerating: classes('reports.generating'),
} as const;

/** The `Start Time:` a paper-runner banner prints (in the banner record or on a line of its own), or null. */
export function runnerStartTime(r: { class: string | null; message: string }): string | null {
  if (r.class === 'runner.initialized') return fieldOf(r, 'start');
  if (r.class === 'runner.banner_field' && fieldOf(r, 'key') === 'Start Time') return fieldOf(r, 'value')?.trim() ?? null;
  return null;
}

/** A field the catalog entry of a record's class extracts (`error`, `symbol`, ...), or null. */
export function fieldOf(r: { class: string | null; message: string }, name: string): string | null {
  if (!r.class) return null;
  return fieldsOf(r.class, r.message)?.[name] ?? null;
}

/**
 * fieldOf(r, name) remembered per class and text (memoByText): for a rule that reads a field of
 * every record of a class that can repeat on every tick.
 */
export function fieldMemo(name: string): (r: { class: string | null; message: string }) => string | null {
  const perClass = new Map<string, (message: string) => string | null>();
  return (r) => {
    if (!r.class) return null;
    let f = perClass.get(r.class);
    if (!f) {
      const klass = r.class;
      perClass.set(klass, (f = memoByText((message) => fieldOf({ class: klass, message }, name))));
    }
    return f(r.message);
  };
}
