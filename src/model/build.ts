import Database from 'better-sqlite3';
import type { DB } from '../db/open.js';
import { INDEX_SQL } from '../db/schema.js';
import { FirstNearRows } from './first-near.js';
import { firstAbove, GroupIds, NOT_PAIRED, PAIR_WINDOW_MS, PRIMARY, TWIN } from './pair-twins.js';
import { type OnPair, TwinSegments } from './twin-segments.js';
import { TwinStore } from './twin-store.js';
import { defaultJobs } from '../ingest/parallel.js';
import { markModelBuilt } from '../db/state.js';
import { faultPoint } from '../util/fault.js';
import { UserError } from '../errors.js';
import { normalizeRiskReason } from '../catalog/risk-reasons.js';
import { parsePaperRunnerReport } from '../ingest/reports/paper-runner-report.js';
import { extractStartupLimits } from '../ingest/reports/startup-limits.js';
import { toIsoUtc } from '../util/time.js';
import { dayStartIn, daysBetweenIn, isZone } from '../util/zones.js';
import { inferBlock, inferZone } from './block.js';
import { fieldReader } from './field-reader.js';
import { buildFlowHourly } from './flow-hourly.js';
import { markInBlock, priorMarks } from './in-block.js';
import { classesWithPrefix, fieldsOf } from '../catalog/index.js';
import { MinuteRollup } from './market-minutes.js';
import { insertFeedTicks, TICK_CHANGE, TickChanges } from './feed-ticks.js';
import { MARKET_TS_INDEX_SQL, MODEL_INDEX_SQL, MODEL_SQL } from './schema.js';
import { listSrcTables, pick, rowsOfKind, type SrcKind, type SrcTable } from './src-tables.js';
import { bool, normSymbol, num, upper } from './symbols.js';

export interface BuildOptions {
  from?: string;
  to?: string;
  /** IANA zone of the block's calendar days (default: inferred, else UTC). */
  tz?: string;
  /** Called as each step begins (for progress): its 1-based number, the number of steps, its name. */
  onStep?: (n: number, total: number, name: string) => void;
  /** Threads the build may use (`--jobs`); default: the ingest's default. */
  jobs?: number;
}

/** The steps `onStep` names, in order. */
export const MODEL_STEPS = ['indexes', 'events from logs', 'signals', 'risk decisions', 'orders', 'trades', 'market data', 'block and zone', 'hourly flow'] as const;

type Ins = (row: Record<string, unknown>) => void;

/**
 * Large scans (millions of log records) are read through a second, read-only connection as an
 * iterator, so memory stays flat while the main connection writes the model (better-sqlite3
 * forbids other statements on a connection while one of its iterators is open).
 */
let reader: DB | null = null;
function stream<T>(db: DB, sql: string, ...params: unknown[]): Iterable<T> {
  if (reader) return reader.prepare(sql).iterate(...params) as Iterable<T>;
  return db.prepare(sql).all(...params) as T[];
}
/** stream() with each row as an array of its columns (no object per row). */
function streamRaw<T extends unknown[]>(db: DB, sql: string, ...params: unknown[]): Iterable<T> {
  if (reader) return reader.prepare(sql).raw().iterate(...params) as Iterable<T>;
  return db.prepare(sql).raw().all(...params) as T[];
}
/** The rows of the dumped tables of one kind (rowsOfKind), streamed from the reader. */
function srcOfKind(db: DB, src: SrcTable[], kind: SrcKind): Iterable<Record<string, string | null>> {
  return rowsOfKind(src, kind, (t) => stream<Record<string, string | null>>(db, `SELECT * FROM "${t.name}" ORDER BY file_id, line_no`));
}
type LogRow = { file_id: number; line_no: number; ts: string | null; message: string; class: string | null };

/** `class IN (...)` for a list of catalog classes (ids are catalog-declared: no quoting issue). */
function inClasses(ids: readonly string[]): string {
  return `class IN (${ids.map((c) => `'${c}'`).join(',')})`;
}
/** Risk outcome lines, one per decision (the counting rule of §3.4: `Alert:` wrappers are a class of their own). */
const RISK_REJECTED = classesWithPrefix('risk.rejected.');

function inserter(db: DB, table: string): Ins {
  const cols = (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'id');
  const stmt = db.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map(() => '?').join(',')})`);
  return (row) => {
    stmt.run(...cols.map((c) => {
      const v = row[c];
      return v === undefined ? null : (v as string | number | null);
    }));
  };
}

/**
 * The inserter for tables of one row per tick (market data: every record of a DEBUG feed): rows
 * go in multi-row INSERTs of 64, in the order given (the same ids as one by one); `add` takes the
 * values in the order of `cols`, and the columns not named stay NULL. Call flush() after the last row.
 */
function batchInserter(db: DB, table: string, cols: readonly string[]): { add: (...values: (string | number | null | undefined)[]) => void; flush: () => void } {
  const per = 64;
  const width = cols.length;
  const tuple = `(${cols.map(() => '?').join(',')})`;
  const head = `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES `;
  const one = db.prepare(head + tuple);
  const many = db.prepare(head + Array(per).fill(tuple).join(','));
  const pending: (string | number | null)[] = new Array(width * per);
  let n = 0;
  return {
    add(...values) {
      for (let i = 0; i < width; i++) pending[n++] = values[i] ?? null;
      if (n === pending.length) {
        many.run(pending);
        n = 0;
      }
    },
    flush() {
      for (let r = 0; r < n; r += width) one.run(pending.slice(r, r + width));
      n = 0;
    },
  };
}

function msOf(iso: string | null): number {
  return iso ? Date.parse(iso) : NaN;
}

function isExecutionRow(r: Record<string, string | null>): boolean {
  const id = pick(r, 'order_id', 'exchange_trade_id') ?? '';
  const meta = r.metadata ?? '';
  return /^MOCK_/i.test(id) || /execution_service|"order_id"/.test(meta);
}

/**
 * Which service wrote an orders row (§5.5): the db_writer twin is a bare 'pending' row from the
 * orders channel; the execution row carries the mock order id, its metadata, or a final status
 * with submit/fill times (era-A schemas have no order_id column at all).
 */
export function orderWriter(r: Record<string, string | null>): 'execution' | 'db_writer' | 'unknown' {
  if (isExecutionRow(r)) return 'execution';
  const status = (r.status ?? '').toLowerCase();
  if (['filled', 'rejected', 'partial', 'cancelled', 'submitted'].includes(status) && (pick(r, 'submitted_at', 'filled_at') || 'metadata' in r)) return 'execution';
  if (status === 'pending' && !pick(r, 'order_id', 'submitted_at', 'filled_at')) return 'db_writer';
  return 'unknown';
}

function buildSignals(db: DB, src: SrcTable[]): string {
  const ins = inserter(db, 'signals');
  if (src.some((t) => t.kind === 'signals')) {
    {
      for (const r of srcOfKind(db, src, 'signals')) {
        const st = upper(pick(r, 'signal_type', 'side'));
        ins({
          ts: toIsoUtc(pick(r, 'timestamp', 'created_at', 'ts', 'timestamp_ms')),
          symbol: normSymbol(r.symbol), symbol_raw: r.symbol,
          side: upper(pick(r, 'side', 'signal_type')), signal_type: st,
          confidence: num(r.confidence), price: num(r.price),
          signal_key: pick(r, 'signal_id', 'id'), strategy_id: pick(r, 'strategy_id'), reason: pick(r, 'reason'),
          source: 'db', file_id: r.file_id, line_no: r.line_no,
        });
      }
    }
    return 'db';
  }
  const redisSource = bestRedisSource(db, ['signals', 'trading_signals', 'stream.signals']);
  if (redisSource) {
    const rows = db
      .prepare(`SELECT * FROM redis_messages WHERE channel IN ('signals','trading_signals','stream.signals') AND source = ? ORDER BY file_id, line_no`)
      .all(redisSource) as Record<string, string | number | null>[];
    for (const r of rows) {
      ins({
        ts: r.payload_ts ?? r.ts, symbol: normSymbol(r.symbol as string), symbol_raw: r.symbol,
        side: upper((r.side ?? r.signal_type) as string), signal_type: upper((r.signal_type ?? r.side) as string),
        confidence: r.confidence, price: r.price, signal_key: r.signal_id ?? (r.payload_ts as string | null), strategy_id: r.strategy_id,
        reason: r.reason, source: redisSource === 'xrange' ? 'stream' : redisSource === 'jsonl' ? 'jsonl' : 'redis', file_id: r.file_id, line_no: r.line_no,
      });
    }
    return redisSource;
  }
  let n = 0;
  for (const l of stream<LogRow>(db, `SELECT file_id, line_no, ts, message FROM log_events WHERE class = 'signal.generated' ORDER BY ts, file_id, line_no`)) {
    const m = fieldsOf('signal.generated', l.message);
    if (!m) continue;
    n++;
    ins({
      ts: l.ts, symbol: normSymbol(m.symbol), symbol_raw: m.symbol, side: upper(m.side), signal_type: upper(m.side),
      confidence: m.confidence ? Number(m.confidence) : null, price: num(m.price), signal_key: null, source: 'log', file_id: l.file_id, line_no: l.line_no,
    });
  }
  return n ? 'log' : 'none';
}

/** The capture kind with the most messages on these channels (captures of one time overlap; never add them up). */
function bestRedisSource(db: DB, channels: string[]): string | null {
  const r = db
    .prepare(
      `SELECT source, COUNT(*) AS n FROM redis_messages WHERE channel IN (${channels.map(() => '?').join(',')}) AND payload IS NOT NULL
       GROUP BY source ORDER BY n DESC, CASE source WHEN 'jsonl' THEN 0 WHEN 'xrange' THEN 1 WHEN 'subscribe' THEN 2 ELSE 3 END, source LIMIT 1`,
    )
    .get(...channels) as { source: string; n: number } | undefined;
  return r ? r.source : null;
}

function buildRiskDecisions(db: DB, src: SrcTable[]): string {
  const ins = inserter(db, 'risk_decisions');
  const fork = src.filter((t) => t.kind === 'risk_events_fork');
  const runbook = src.filter((t) => t.kind === 'risk_events_runbook');
  if (runbook.length > 0 || fork.length > 0) {
    {
      for (const r of srcOfKind(db, src, 'risk_events_runbook')) {
        const approved = bool(r.approved);
        const reason = pick(r, 'reason');
        ins({
          ts: toIsoUtc(pick(r, 'timestamp', 'created_at', 'ts')), symbol: normSymbol(r.symbol), side: upper(r.side),
          decision: approved === 1 ? 'approved' : 'rejected', reason_text: reason,
          reason_code: approved === 1 ? null : normalizeRiskReason(reason ?? '').code,
          signal_key: pick(r, 'signal_id'), source: 'db', file_id: r.file_id, line_no: r.line_no,
        });
      }
    }
    {
      for (const r of srcOfKind(db, src, 'risk_events_fork')) {
        const allow = String(r.decision ?? '').toUpperCase() === 'ALLOW';
        const code = pick(r, 'reason_code');
        ins({
          ts: toIsoUtc(pick(r, 'timestamp_ms', 'timestamp', 'created_at')), symbol: normSymbol(r.symbol), side: null,
          decision: allow ? 'approved' : 'rejected', reason_text: code,
          reason_code: allow ? null : normalizeRiskReason(code ?? '').code,
          signal_key: pick(r, 'signal_id', 'decision_pk'), source: 'db', file_id: r.file_id, line_no: r.line_no,
        });
      }
    }
    return 'db';
  }
  // The risk service's own log: one outcome per received signal (§3.4).
  let last: { symbol: string; side: string } | null = null;
  let n = 0;
  for (const l of stream<LogRow>(
    db,
    `SELECT file_id, line_no, ts, message, class FROM log_events
     WHERE ${inClasses(['risk.signal_received', 'risk.approved', ...RISK_REJECTED])} ORDER BY ts, file_id, line_no`,
  )) {
    const msg = l.message.split('\n')[0];
    if (l.class === 'risk.signal_received') {
      const rec = fieldsOf('risk.signal_received', l.message)!;
      last = { symbol: rec.symbol, side: rec.side.toUpperCase() };
      continue;
    }
    if (l.class === 'risk.approved') {
      const ok = fieldsOf('risk.approved', l.message)!;
      ins({ ts: l.ts, symbol: normSymbol(ok.symbol), side: upper(ok.side), decision: 'approved', reason_text: null, reason_code: null, source: 'log', file_id: l.file_id, line_no: l.line_no });
      n++;
      last = null;
      continue;
    }
    {
      const text = msg.replace(/^[^\p{L}\p{N}]+/u, '');
      ins({
        ts: l.ts, symbol: last ? normSymbol(last.symbol) : null, side: last?.side ?? null, decision: 'rejected',
        reason_text: text, reason_code: normalizeRiskReason(text).code, source: 'log', file_id: l.file_id, line_no: l.line_no,
      });
      n++;
      last = null;
    }
  }
  if (n > 0) return 'log';
  // Without risk logs: alerts on the paper runner's JSONL (rejections) and the orders channel (approvals).
  const alerts = db
    .prepare(
      `SELECT * FROM redis_messages WHERE channel = 'alerts' AND code IN ('RISK_LIMIT','CIRCUIT_BREAKER','MISSING_STRATEGY_ID','KILL_SWITCH_ACTIVE','EXPOSURE_LIMIT_PROJECTED')
       ORDER BY ts, file_id, line_no`,
    )
    .all() as Record<string, string | number | null>[];
  const approvals = bestRedisSource(db, ['orders', 'risk_approved_trades']);
  const orders = approvals
    ? (db.prepare(`SELECT * FROM redis_messages WHERE channel IN ('orders','risk_approved_trades') AND source = ? ORDER BY ts, file_id, line_no`).all(approvals) as Record<string, string | number | null>[])
    : [];
  for (const a of alerts) {
    const text = String(a.reason ?? a.code ?? '');
    ins({ ts: a.payload_ts ?? a.ts, symbol: normSymbol(a.symbol as string), decision: 'rejected', reason_text: text, reason_code: normalizeRiskReason(`${a.code ?? ''} ${text}`).code, source: 'redis', file_id: a.file_id, line_no: a.line_no });
  }
  for (const o of orders) {
    if (String(o.side ?? '').toUpperCase() === 'SELL' && /unwind/i.test(String(o.reason ?? ''))) continue;
    ins({ ts: o.payload_ts ?? o.ts, symbol: normSymbol(o.symbol as string), side: upper(o.side as string), decision: 'approved', source: 'redis', signal_key: o.signal_id, file_id: o.file_id, line_no: o.line_no });
  }
  if (alerts.length + orders.length > 0) return 'redis';
  return 'none';
}

interface WriterRow {
  r: Record<string, string | null>;
  ts: string | null;
  ms: number;
  symbol: string | null;
  side: string | null;
  /** The group of (symbol, side), GroupIds. */
  group: number;
  writer: 'execution' | 'db_writer' | 'unknown';
}

/** A table read by rowid whose rows turned out not to be in file and line order. */
class OutOfLineOrder extends Error {
  constructor(readonly table: string) {
    super(`${table}: rows not stored in file and line order`);
  }
}

/**
 * The rows of a table read by rowid, checked to come in file and line order (ingest appends each
 * file's rows in line order): then rowid order is the order of `ORDER BY file_id, line_no`, without
 * sorting the whole table (a dump of millions of rows: a sort of hundreds of MB). Throws
 * OutOfLineOrder at the first row that breaks it.
 */
function* inLineOrder(table: string, rows: Iterable<Record<string, string | null>>): Generator<Record<string, string | null>> {
  let file = -Infinity;
  let line = -Infinity;
  for (const r of rows) {
    const f = r.file_id as unknown as number;
    const l = r.line_no as unknown as number;
    if (f < file || (f === file && l <= line)) throw new OutOfLineOrder(table);
    file = f;
    line = l;
    yield r;
  }
}

/**
 * One row per real order/trade: each db_writer twin paired with its execution row is dropped,
 * and the execution row remembers where the twin stands. Unpaired rows of either writer stay;
 * `each` gets the rows kept, in order, with their index in the dump's rows. Two passes over the
 * dump's rows: the first reads only the columns of `cols.pair` and pairs the rows a segment at a
 * time (TwinSegments), writing each pair to a temporary database (TwinStore); the second reads
 * `cols.row`, takes the pairs back in row order and gives the rows out. Memory does not grow with
 * the dump: neither the rows nor anything per row is held.
 */
function linkTwins(
  db: DB,
  src: SrcTable[],
  kind: SrcKind,
  cols: { pair: readonly string[]; row: readonly string[] },
  timeCols: string[],
  writerOf: (r: Record<string, string | null>) => WriterRow['writer'],
  groups: GroupIds,
  each: (row: WriterRow, twin: { file_id: number; line_no: number } | undefined, k: number) => void,
): void {
  // Tables read sorted: found out of file and line order when read by rowid (inLineOrder).
  const sortedTables = new Set<string>();
  const rows = (want: readonly string[]): Iterable<Record<string, string | null>> =>
    rowsOfKind(src, kind, (t) => {
      const names = ['file_id', 'line_no', ...t.columns.filter((c) => want.includes(c))];
      const sorted = sortedTables.has(t.name);
      const read = stream<Record<string, string | null>>(db, `SELECT ${names.map((c) => `"${c}"`).join(', ')} FROM "${t.name}" ORDER BY ${sorted ? 'file_id, line_no' : '_id'}`);
      return sorted ? read : inLineOrder(t.name, read);
    });
  // Rows of one time share their time text: each new text is read once. timeOf(r) sets both.
  let lastText: string | null = null;
  let iso: string | null = null;
  let ms = NaN;
  const timeOf = (r: Record<string, string | null>): void => {
    const text = pick(r, ...timeCols);
    if (text !== lastText) {
      lastText = text;
      iso = toIsoUtc(text);
      ms = msOf(iso);
    }
  };
  const roleOf = (r: Record<string, string | null>): number => {
    const w = writerOf(r);
    return w === 'execution' ? PRIMARY : w === 'db_writer' ? TWIN : NOT_PAIRED;
  };
  const store = new TwinStore();
  try {
    const onPair: OnPair = (twinK, twinFile, twinLine, primaryK, primaryFile, primaryLine) => {
      store.pair(twinK, primaryFile, primaryLine);
      store.pair(primaryK, twinFile, twinLine);
    };
    // The first pass again from the start whenever a table read by rowid turns out not to be in
    // line order (the first pass meets it before the second: the second never does).
    for (;;) {
      try {
        pairAll();
        break;
      } catch (e) {
        if (!(e instanceof OutOfLineOrder) || sortedTables.has(e.table)) throw e;
        sortedTables.add(e.table);
      }
    }

    /** Every pair, written to the store. */
    function pairAll(): void {
      store.clear();
      // A dump written in time order pairs as it is read; otherwise (a row comes within reach of
      // a segment already paired) its timed rows are paired sorted by group and time.
      let segments = new TwinSegments(onPair);
      let k = 0;
      let inTimeOrder = true;
      for (const r of rows(cols.pair)) {
        const at = k++;
        timeOf(r);
        if (!segments.add(groups.of(normSymbol(r.symbol), upper(r.side)), ms, roleOf(r), at, r.file_id as unknown as number, r.line_no as unknown as number)) {
          inTimeOrder = false;
          break;
        }
      }
      if (!inTimeOrder) {
        // The pairs of the segments paired before the row that came too late go: all are paired again.
        store.clear();
        const sorted = store.rows();
        k = 0;
        for (const r of rows(cols.pair)) {
          const at = k++;
          const role = roleOf(r);
          timeOf(r);
          if (role !== NOT_PAIRED && !Number.isNaN(ms)) sorted.put(groups.of(normSymbol(r.symbol), upper(r.side)), ms, role, at, r.file_id as unknown as number, r.line_no as unknown as number);
        }
        segments = new TwinSegments(onPair);
        for (const [g, t, role, rk, file, line] of sorted.sorted()) {
          if (!segments.add(g, t, role, rk, file, line)) throw new Error(`twin pairing: row ${rk} out of time order after sorting`);
        }
      }
      segments.finish();
    }

    const mateOf = store.mates();
    let k = 0;
    for (const r of rows(cols.row)) {
      const at = k++;
      const role = roleOf(r);
      const mate = role === NOT_PAIRED ? undefined : mateOf(at);
      if (role === TWIN && mate) continue;
      timeOf(r);
      const symbol = normSymbol(r.symbol);
      const side = upper(r.side);
      const writer = role === PRIMARY ? 'execution' : role === TWIN ? 'db_writer' : 'unknown';
      each({ r, ts: iso, ms, symbol, side, group: groups.of(symbol, side), writer }, mate, at);
    }
  } finally {
    store.close();
  }
}

/** Columns linkTwins reads to pair a dump's rows: the id, time, group and writer of each. */
const PAIR_COLS = ['id', 'symbol', 'side', 'timestamp', 'created_at', 'ts', 'executed_at', 'submitted_at', 'filled_at', 'order_id', 'exchange_trade_id', 'metadata', 'status'];
const TRADE_TIME_COLS = ['timestamp', 'created_at', 'ts', 'executed_at'];
const TRADE_ROW_COLS = ['price', 'size', 'quantity', 'execution_price', 'realized_pnl'];
const TRADE_COLS = ['timestamp', 'ts', 'symbol', 'symbol_raw', 'side', 'price', 'size', 'execution_price', 'status', 'order_id', 'realized_pnl', 'writer', 'twin_file_id', 'twin_line_no', 'source', 'file_id', 'line_no'];
const ORDER_TIME_COLS = ['created_at', 'timestamp', 'submitted_at'];
const ORDER_ROW_COLS = ['order_type', 'avg_fill_price', 'price', 'size', 'quantity', 'approved', 'client_id'];
const ORDER_COLS = ['ts', 'symbol', 'symbol_raw', 'side', 'order_type', 'price', 'size', 'approved', 'status', 'order_id', 'client_id', 'writer', 'twin_file_id', 'twin_line_no', 'source', 'file_id', 'line_no'];

function tradeWriter(r: Record<string, string | null>): WriterRow['writer'] {
  if (isExecutionRow(r)) return 'execution';
  return (r.metadata ?? '{}').trim() === '{}' && !pick(r, 'exchange_trade_id') && 'metadata' in r ? 'db_writer' : 'unknown';
}

function buildOrders(db: DB, src: SrcTable[]): string {
  if (src.some((t) => t.kind === 'orders')) {
    const ins = batchInserter(db, 'orders', ORDER_COLS);
    linkTwins(db, src, 'orders', { pair: PAIR_COLS, row: [...PAIR_COLS, ...ORDER_ROW_COLS] }, ORDER_TIME_COLS, orderWriter, new GroupIds(), (m, twin) => {
      const r = m.r;
      ins.add(
        m.ts, m.symbol, r.symbol, m.side, r.order_type, num(pick(r, 'avg_fill_price', 'price')),
        num(pick(r, 'size', 'quantity')), bool(r.approved), upper(r.status), pick(r, 'order_id'),
        pick(r, 'client_id'), m.writer, twin?.file_id ?? null, twin?.line_no ?? null,
        'db', r.file_id, r.line_no,
      );
    });
    ins.flush();
    return 'db';
  }
  const ins = inserter(db, 'orders');
  let logged = 0;
  for (const l of stream<LogRow>(db, `SELECT file_id, line_no, ts, message FROM log_events WHERE class = 'exec.processing' ORDER BY ts, file_id, line_no`)) {
    const m = fieldsOf('exec.processing', l.message);
    if (!m) continue;
    logged++;
    ins({ ts: l.ts, symbol: normSymbol(m.symbol), symbol_raw: m.symbol, side: upper(m.side), size: num(m.qty), status: null, writer: 'execution', source: 'log', file_id: l.file_id, line_no: l.line_no });
  }
  if (logged) return 'log';
  const rs = bestRedisSource(db, ['orders', 'risk_approved_trades', 'stream.orders']);
  if (!rs) return 'none';
  const rows = db.prepare(`SELECT * FROM redis_messages WHERE channel IN ('orders','risk_approved_trades','stream.orders') AND source = ? ORDER BY ts, file_id, line_no`).all(rs) as Record<string, string | number | null>[];
  for (const r of rows) {
    ins({ ts: r.payload_ts ?? r.ts, symbol: normSymbol(r.symbol as string), symbol_raw: r.symbol, side: upper(r.side as string), size: r.quantity, price: r.price, client_id: r.client_id, writer: 'unknown', source: rs === 'xrange' ? 'stream' : 'redis', file_id: r.file_id, line_no: r.line_no });
  }
  return rs;
}

interface Fill {
  ts: string | null;
  symbol: string | null;
  side: string | null;
  order_id: string | null;
  price: number | null;
  size: number | null;
  source: string;
  file_id: number;
  line_no: number;
}

/** Fills seen outside the DB: the execution log, else one Redis capture kind. */
function observedFills(db: DB): Fill[] {
  const out: Fill[] = [];
  let last: { symbol: string; side: string; qty: number | null } | null = null;
  for (const l of stream<LogRow>(db, `SELECT file_id, line_no, ts, message, class FROM log_events WHERE class IN ('exec.processing', 'exec.filled') ORDER BY file_id, ts, line_no`)) {
    if (l.class === 'exec.processing') {
      const p = fieldsOf('exec.processing', l.message)!;
      last = { symbol: p.symbol, side: p.side.toUpperCase(), qty: num(p.qty) };
      continue;
    }
    const f = fieldsOf('exec.filled', l.message);
    if (f) {
      out.push({ ts: l.ts, symbol: last ? normSymbol(last.symbol) : null, side: last?.side ?? null, order_id: f.order_id, price: num(f.price), size: last?.qty ?? null, source: 'log', file_id: l.file_id, line_no: l.line_no });
      last = null;
    }
  }
  if (out.length) return out;
  const rs = bestRedisSource(db, ['order_results', 'stream.fills', 'stream.order_results']);
  if (!rs) return out;
  const rows = db
    .prepare(`SELECT * FROM redis_messages WHERE channel IN ('order_results','stream.fills','stream.order_results') AND source = ? AND UPPER(COALESCE(status,'')) = 'FILLED' ORDER BY ts, file_id, line_no`)
    .all(rs) as Record<string, string | number | null>[];
  const seen = new Set<string>();
  for (const r of rows) {
    // stream.fills and stream.order_results carry the same result twice.
    const key = String(r.order_id ?? `${r.file_id}:${r.line_no}`);
    if (r.order_id && seen.has(key)) continue;
    seen.add(key);
    out.push({ ts: (r.payload_ts ?? r.ts) as string | null, symbol: normSymbol(r.symbol as string), side: upper(r.side as string), order_id: r.order_id as string | null, price: r.price as number | null, size: r.quantity as number | null, source: rs === 'xrange' ? 'stream' : 'redis', file_id: r.file_id as number, line_no: r.line_no as number });
  }
  return out;
}

function buildTrades(db: DB, src: SrcTable[]): string {
  const hasTrades = src.some((t) => t.kind === 'trades');
  // Fills the DB does not hold are still trades that happened (and a persistence gap). Read
  // first, so that the dump's trades are matched against the few fills rather than kept whole.
  const fills = observedFills(db);
  const ins = batchInserter(db, 'trades', TRADE_COLS);
  const groups = new GroupIds();
  const fillGroup = new Int32Array(fills.length);
  const fillMs = new Float64Array(fills.length);
  const fillOrders = new Set<string>();
  fills.forEach((f, i) => {
    fillGroup[i] = groups.of(f.symbol, f.side);
    fillMs[i] = msOf(f.ts);
    if (f.order_id) fillOrders.add(f.order_id);
  });
  // The fills' order ids that a dumped trade holds.
  const persisted = new Set<string>();
  const near = new NearFills(fillGroup, fillMs);
  if (hasTrades) {
    let kept = 0;
    linkTwins(db, src, 'trades', { pair: PAIR_COLS, row: [...PAIR_COLS, ...TRADE_ROW_COLS] }, TRADE_TIME_COLS, tradeWriter, groups, (m, twin) => {
      const r = m.r;
      const orderId = /^MOCK_/i.test(r.exchange_trade_id ?? '') ? r.exchange_trade_id : (r.metadata ?? '').match(/"order_id":\s*"([^"]+)"/)?.[1] ?? null;
      if (orderId && fillOrders.has(orderId)) persisted.add(orderId);
      near.offer(kept++, m.group, m.ms);
      ins.add(
        m.ts, m.ts, m.symbol, r.symbol, m.side, num(r.price), num(pick(r, 'size', 'quantity')),
        num(r.execution_price), upper(r.status), orderId, num(r.realized_pnl),
        m.writer, twin?.file_id ?? null, twin?.line_no ?? null, 'db', r.file_id, r.line_no,
      );
    });
  }
  let added = 0;
  if (fills.length) {
    const taken = hasTrades ? near.rows() : null;
    fills.forEach((f, i) => {
      if (f.order_id && persisted.has(f.order_id)) return;
      if (taken && taken.take(fillGroup[i], fillMs[i]) >= 0) return;
      ins.add(f.ts, f.ts, f.symbol, f.symbol, f.side, f.price, f.size, f.price, 'FILLED', f.order_id, null, 'execution', null, null, f.source, f.file_id, f.line_no);
      added++;
    });
  }
  ins.flush();
  if (hasTrades) return added ? 'db+' + (fills[0]?.source ?? '') : 'db';
  return fills.length ? fills[0].source : 'none';
}

/**
 * The dumped trades a fill may be matched with (FirstNearRows over the trades kept, in their
 * order): only those within PAIR_WINDOW_MS of some fill of their symbol and side, since no other
 * can ever be taken. A dump of millions of trades beside a log of a few fills keeps a few rows.
 */
class NearFills {
  /** Per group, the fills' times, ascending. */
  private readonly byGroup = new Map<number, number[]>();
  private readonly at: number[] = [];
  private readonly atMs: number[] = [];
  private readonly atGroup: number[] = [];

  constructor(fillGroup: Int32Array, fillMs: Float64Array) {
    fillGroup.forEach((g, i) => {
      if (Number.isNaN(fillMs[i])) return;
      let list = this.byGroup.get(g);
      if (!list) this.byGroup.set(g, (list = []));
      list.push(fillMs[i]);
    });
    for (const list of this.byGroup.values()) list.sort((a, b) => a - b);
  }

  /** The `kept`-th trade kept (ascending), of group `group` at time `ms`: held if a fill is near. */
  offer(kept: number, group: number, ms: number): void {
    const list = this.byGroup.get(group);
    if (!list || Number.isNaN(ms)) return;
    const j = firstAbove(list, ms - PAIR_WINDOW_MS);
    if (j < list.length && list[j] <= ms + PAIR_WINDOW_MS) {
      this.at.push(kept);
      this.atMs.push(ms);
      this.atGroup.push(group);
    }
  }

  rows(): FirstNearRows {
    return new FirstNearRows(Int32Array.from(this.at), Float64Array.from(this.atMs), Int32Array.from(this.atGroup));
  }
}

/**
 * market_data from the feed's Redis capture, else from its DEBUG log (`feed.published`, with the
 * tick changes of TICK_CHANGE fed to `changes`): in (ts, file_id, line_no) order, each tick fed to
 * the minute rollup.
 */
function buildMarketData(db: DB, minutes: MinuteRollup, changes: TickChanges): string {
  const ins = inserter(db, 'market_data');
  const rs = bestRedisSource(db, ['market_data']);
  if (rs) {
    const rows = db.prepare(`SELECT * FROM redis_messages WHERE channel = 'market_data' AND source = ? AND payload IS NOT NULL ORDER BY ts, file_id, line_no`).all(rs) as Record<string, string | number | null>[];
    for (const r of rows) {
      const source = rs === 'jsonl' ? 'jsonl' : 'redis';
      ins({ ts: r.ts ?? r.payload_ts, symbol: normSymbol(r.symbol as string), symbol_raw: r.symbol, price: r.price, volume: r.volume, pct_change: r.pct_change, source, file_id: r.file_id, line_no: r.line_no });
      minutes.add(r.file_id as number | null, r.ts ?? r.payload_ts, source);
    }
    return rs;
  }
  db.exec(`ALTER TABLE market_data ADD COLUMN ${TICK_CHANGE} REAL;` + MARKET_TS_INDEX_SQL);
  const fast = insertFeedTicks(db, minutes, changes);
  if (fast !== null) return fast ? 'log' : 'none';
  minutes.clear();
  changes.clear();
  let published = 0;
  const batch = batchInserter(db, 'market_data', ['ts', 'symbol', 'symbol_raw', 'price', 'source', 'file_id', 'line_no', 'in_block', TICK_CHANGE]);
  const read = fieldReader('feed.published', ['symbol', 'price']);
  // A feed publishes a handful of symbols: normalise each once.
  const symbols = new Map<string, string | null>();
  type Tick = [file_id: number, line_no: number, ts: string | null, message: string];
  for (const [fileId, lineNo, ts, message] of streamRaw<Tick>(db, `SELECT file_id, line_no, ts, message FROM log_events WHERE class = 'feed.published' ORDER BY ts, file_id, line_no`)) {
    const f = read(message);
    if (!f) continue;
    published++;
    const [raw, price] = f;
    let symbol = raw === undefined ? null : symbols.get(raw);
    if (symbol === undefined) symbols.set(raw!, (symbol = normSymbol(raw)));
    const p = num(price);
    batch.add(ts, symbol, raw, p, 'log', fileId, lineNo, ts === null ? null : 1, changes.next(symbol, p, ts));
    minutes.add(fileId, ts, 'log');
  }
  batch.flush();
  return published ? 'log' : 'none';
}

/** Report blocks and startup limits live inside log records; extract them as derived rows. */
function deriveFromLogs(db: DB): void {
  db.prepare('DELETE FROM daily_report_values WHERE derived = 1').run();
  db.prepare('DELETE FROM settings WHERE derived = 1').run();
  const insReport = inserter(db, 'daily_report_values');
  const insSetting = inserter(db, 'settings');
  const reports = db
    .prepare(`SELECT file_id, line_no, ts, ts_text, message FROM log_events WHERE class IN ('report.daily', 'report.generation_failed') ORDER BY file_id, line_no`)
    .all() as { file_id: number; line_no: number; ts: string | null; ts_text: string | null; message: string }[];
  for (const r of reports) {
    const lines = r.message.split('\n').map((text, i) => ({ text, lineNo: r.line_no + i }));
    const values = parsePaperRunnerReport(lines);
    // A failed report prints no Date; the runner's Date is the UTC day it generates on.
    const date = values.find((v) => v.key === 'Date')?.value_text ?? (values.some((v) => v.key === 'failure') ? (r.ts?.slice(0, 10) ?? null) : null);
    for (const v of values) {
      insReport({
        file_id: r.file_id, line_no: v.lineNo, line_count: 0, report_kind: 'paper_runner', report_date: date, generated_at: r.ts,
        generated_text: r.ts_text, zone: 'UTC (container clock)', section: v.section ?? null, key: v.key, value_text: v.value_text, value_num: v.value_num ?? null, derived: 1,
      });
    }
  }
  const startup = db
    .prepare(
      `SELECT file_id, line_no, service, message FROM log_events
       WHERE class IN ('risk.limit_echo', 'signal.limit_echo', 'feed.mode', 'exec.config_echo')
       ORDER BY file_id, line_no`,
    )
    .all() as { file_id: number; line_no: number; service: string | null; message: string }[];
  const seen = new Set<string>();
  for (const s of startup) {
    for (const lim of extractStartupLimits(s.service ?? '', s.message)) {
      const key = `${s.file_id}:${s.line_no}:${lim.key}`;
      if (seen.has(key)) continue;
      seen.add(key);
      insSetting({ file_id: s.file_id, line_no: s.line_no, line_count: 0, source: 'startup', service: s.service, key: lim.key, value: String(lim.value), is_secret: 0, derived: 1 });
    }
  }
}

function parseBound(v: string, end: boolean, flag: string, zone = 'UTC'): string {
  const dateOnly = /^\d{4}-\d\d-\d\d$/.test(v.trim());
  if (dateOnly && zone !== 'UTC') {
    // A date is a whole day in the block's zone.
    const start = dayStartIn(v.trim(), zone);
    if (Number.isFinite(start)) {
      const next = new Date(Date.parse(`${v.trim()}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
      return new Date(end ? dayStartIn(next, zone) - 1 : start).toISOString();
    }
  }
  const iso = toIsoUtc(dateOnly ? `${v.trim()}T${end ? '23:59:59.999' : '00:00:00'}Z` : v);
  if (!iso) throw new UserError('BAD_WINDOW', `${flag} is not a date or time: "${v}"`, flag, 'use an ISO date (2025-11-26) or time (2025-11-26T06:00:00Z), read as UTC');
  return iso;
}

export interface ModelSummary {
  from: string;
  to: string;
  days: string[];
  zone: string;
  era: string | null;
  dialect: string | null;
  sources: Record<string, string>;
}

/**
 * Page cache of the model build. Each raw-table index sorts every key of its table; past the
 * cache, the sorter writes sorted runs to temp files and merges them. Runs of 32 MB sort faster
 * than runs of 64 MB (less CPU per key, measured on 128 MB and 1 GB of DEBUG log) and hold half
 * the memory. The whole build keeps the smaller cache: growing it back between the index sorts
 * and the model's own (market_data's time index) would add the freed sort memory to its peak.
 */
const MODEL_CACHE_KIB = 32_000;

/** (Re)build the canonical model from the raw tables. Deterministic: same raw rows, same model. */
export function buildModel(db: DB, opts: BuildOptions = {}): ModelSummary {
  let summary!: ModelSummary;
  let stepNo = 0;
  const step = (name: (typeof MODEL_STEPS)[number]): void => opts.onStep?.(++stepNo, MODEL_STEPS.length, name);
  // Raw-table indexes are built here, once, after bulk loading: cheaper than row by row.
  step('indexes');
  const cache = db.pragma('cache_size', { simple: true }) as number;
  // Negative: KiB. A smaller cache (a connection left at SQLite's default) is kept as it is.
  if (cache < -MODEL_CACHE_KIB) db.pragma(`cache_size = -${MODEL_CACHE_KIB}`);
  // Helper threads of SQLite's sorter: the index sorts merge their runs in parallel (1 GB of DEBUG
  // log: 22 s → 20 s with one helper; each holds its own sort run, ~30 MB at this cache).
  const threads = db.pragma('threads', { simple: true }) as number;
  db.pragma(`threads = ${Math.max(0, Math.min(2, (opts.jobs ?? defaultJobs()) - 1))}`);
  try {
    db.exec(INDEX_SQL);
    // The model's own sorts (its time indexes, the block's and the flow's) go without helpers: on
    // a dump of 2,000,000 trades each helper's run added 30 MB to the build's peak (294 → 248 MB).
    db.pragma(`threads = ${threads}`);
    buildCanonical();
  } finally {
    db.pragma(`cache_size = ${cache}`);
    db.pragma(`threads = ${threads}`);
  }
  faultPoint('model-built');
  return summary;

  /** The canonical model, in one transaction. */
  function buildCanonical(): void {
    const file = db.name;
    reader = file && file !== ':memory:' && !db.memory ? new Database(file, { readonly: true }) : null;
    try {
      db.transaction(() => {
        // What the log records' marks hold now: read before MODEL_SQL drops the block of the build before.
        const prior = priorMarks(db);
        db.exec(MODEL_SQL);
        step('events from logs');
        deriveFromLogs(db);
        const src = listSrcTables(db);
        step('signals');
        const signals = buildSignals(db, src);
        step('risk decisions');
        const risk_decisions = buildRiskDecisions(db, src);
        step('orders');
        const orders = buildOrders(db, src);
        step('trades');
        const trades = buildTrades(db, src);
        step('market data');
        const minutes = new MinuteRollup();
        const changes = new TickChanges();
        const sources = { signals, risk_decisions, orders, trades, market_data: buildMarketData(db, minutes, changes) };
        faultPoint('model');
        if (opts.tz && !isZone(opts.tz)) {
          throw new UserError('BAD_ZONE', `--tz is not a time zone: "${opts.tz}"`, '--tz', 'use an IANA zone name, e.g. --tz Europe/Berlin or --tz UTC');
        }
        step('block and zone');
        const guessed = opts.tz ? null : inferZone(db);
        const zone = opts.tz ?? guessed?.zone ?? 'UTC';
        const inferred = inferBlock(db, src, zone);
        const from = opts.from ? parseBound(opts.from, false, '--from', zone) : inferred.from;
        const to = opts.to ? parseBound(opts.to, true, '--to', zone) : inferred.to;
        if (from > to) throw new UserError('BAD_WINDOW', `the block starts (${from}) after it ends (${to})`, '--from/--to', 'swap the two values');
        markInBlock(db, from, to, prior);
        const put = db.prepare('INSERT OR REPLACE INTO block (key, value, evidence) VALUES (?, ?, ?)');
        put.run('from', from, opts.from ? 'set with --from' : inferred.fromEvidence);
        put.run('to', to, opts.to ? 'set with --to' : inferred.toEvidence);
        put.run('era', inferred.era, inferred.eraEvidence);
        put.run('dialect', inferred.dialect, inferred.dialectEvidence);
        put.run('zone', zone, opts.tz ? 'set with --tz' : (guessed?.evidence ?? 'UTC days: no two independent signs of a local zone'));
        for (const [k, v] of Object.entries(sources)) put.run(`source.${k}`, v, null);
        db.exec(MODEL_INDEX_SQL);
        changes.clearBlockStarts(db, from, to);
        minutes.write(db, from, to);
        step('hourly flow');
        buildFlowHourly(db, from, to);
        // Built for exactly these files: analyze refuses a model older than the evidence.
        markModelBuilt(db);
        summary = { from, to, days: daysBetweenIn(from, to, zone), zone, era: inferred.era, dialect: inferred.dialect, sources };
      })();
    } finally {
      reader?.close();
      reader = null;
    }
  }
}
