/**
 * `trace <id>`: follow one signal through the keys the formats doc lists (§4.2 correlation):
 * signal (time / id) → risk decision → order (client_id `<SYM>-<signal ts>`) → order result
 * (order_id `MOCK_...`) → trade rows of both writers → the daily report of that day. The keys are
 * resolved in both directions, so an order id or a client id finds its signal too. The result
 * names the first hop where the signal vanished; a rejection is an ending, not a vanishing.
 */
import type Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { lastLogTs } from '../db/log-rollup.js';
import { normSymbol } from '../model/symbols.js';
import { Redactor } from '../redact/secrets.js';
import type { Evidence } from './define-rule.js';

export const HOPS = ['signal', 'risk_decision', 'order', 'order_result', 'trade_rows', 'report_day'] as const;
export type HopId = (typeof HOPS)[number];
export type TraceKind = 'signal_id' | 'client_id' | 'order_id' | 'timestamp' | 'row_id';

export interface TraceHop {
  hop: HopId;
  /** true found, false looked and not found, null not evaluable (the bundle holds no source for this hop). */
  found: boolean | null;
  summary: string;
  evidence: Evidence[];
}

export interface TraceResult {
  query: string;
  kind: TraceKind;
  keys: { symbol: string | null; signal_ts: string | null; signal_id: string | null; client_id: string | null; order_id: string | null };
  hops: TraceHop[];
  /** The first hop where the signal should have appeared and did not. */
  vanished_at: HopId | null;
  /** A legitimate end: rejected by risk or by the (mock) exchange. */
  ended: { at: HopId; reason: string } | null;
}

const SIGNAL_WINDOW_MS = 2_000;
const DECISION_WINDOW_MS = 10_000;
const ORDER_WINDOW_MS = 15_000;
const PAIR_MS = 2_000;

interface Keys {
  symbol: string | null;
  signalMs: number | null;
  signalId: string | null;
  clientId: string | null;
  orderId: string | null;
  rowId: number | null;
}

export function classifyTraceId(raw: string): { kind: TraceKind; keys: Keys } {
  const id = raw.trim();
  const keys: Keys = { symbol: null, signalMs: null, signalId: null, clientId: null, orderId: null, rowId: null };
  if (/^sig[-_]\w+$/i.test(id)) return { kind: 'signal_id', keys: { ...keys, signalId: id } };
  if (/^MOCK_\w+$/i.test(id)) return { kind: 'order_id', keys: { ...keys, orderId: id } };
  const client = /^([A-Za-z0-9_/]+?)-(\d{9,13})$/.exec(id);
  if (client) {
    const n = Number(client[2]);
    return { kind: 'client_id', keys: { ...keys, clientId: id, symbol: normSymbol(client[1]), signalMs: n < 1e11 ? n * 1000 : n } };
  }
  if (/^\d{9,10}(\.\d+)?$/.test(id)) return { kind: 'timestamp', keys: { ...keys, signalMs: Math.floor(Number(id)) * 1000 } };
  if (/^\d{12,13}$/.test(id)) return { kind: 'timestamp', keys: { ...keys, signalMs: Number(id) } };
  if (/^\d{1,8}$/.test(id)) return { kind: 'row_id', keys: { ...keys, rowId: Number(id) } };
  throw new UserError(
    'BAD_TRACE_ID',
    `cannot tell what "${raw}" identifies`,
    'trace <id>',
    'give a signal id (sig-…, sig_123), a client id (BTC_USDT-1764449525), an order id (MOCK_…), an epoch-second signal time, or a signals row id',
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

export function trace(db: Database.Database, id: string): TraceResult {
  const { kind, keys } = classifyTraceId(id);
  const red = new Redactor();
  const pathOf = db.prepare('SELECT path FROM manifest WHERE id = ?');
  const ev = (fileId: number | null, line: number | null, text: string): Evidence => ({
    file: fileId == null ? '(derived)' : ((pathOf.get(fileId) as { path: string } | undefined)?.path ?? `(file ${fileId})`),
    line: line ?? 0,
    text: red.text(text.split('\n')[0].slice(0, 240)),
  });
  const n = (sql: string, ...a: (string | number)[]) => (db.prepare(sql).get(...a) as { n: number }).n;
  const symArgs = () => (keys.symbol ? [keys.symbol] : []);
  const symSql = (col = 'symbol') => (keys.symbol ? `AND ${col} = ?` : '');

  // --- resolve keys backwards from an order id
  if (keys.orderId) {
    const o = db.prepare('SELECT symbol, client_id FROM orders WHERE order_id = ? ORDER BY id LIMIT 1').get(keys.orderId) as { symbol: string | null; client_id: string | null } | undefined;
    const r = db
      .prepare("SELECT symbol, client_id FROM redis_messages WHERE order_id = ? ORDER BY (client_id IS NULL), ts, file_id, line_no LIMIT 1")
      .get(keys.orderId) as { symbol: string | null; client_id: string | null } | undefined;
    keys.symbol = normSymbol(o?.symbol ?? r?.symbol ?? null);
    const cid = o?.client_id ?? r?.client_id ?? null;
    if (cid) {
      const c = classifyTraceId(cid);
      if (c.kind === 'client_id') Object.assign(keys, { clientId: cid, symbol: c.keys.symbol, signalMs: c.keys.signalMs });
    }
  }

  const hops: TraceHop[] = [];
  let ended: TraceResult['ended'] = null;

  // --- 1. signal
  {
    type SigRow = { id: number; ts: string | null; symbol: string | null; signal_key: string | null; source: string | null; file_id: number | null; line_no: number | null };
    let sig: SigRow | undefined;
    if (keys.rowId !== null) sig = db.prepare('SELECT id, ts, symbol, signal_key, source, file_id, line_no FROM signals WHERE id = ?').get(keys.rowId) as SigRow | undefined;
    if (!sig && keys.signalId) {
      sig = db.prepare('SELECT id, ts, symbol, signal_key, source, file_id, line_no FROM signals WHERE signal_key = ? ORDER BY id LIMIT 1').get(keys.signalId) as SigRow | undefined;
      if (!sig) {
        // B/C: the DB has no signal_id text; the capture links sig-… to symbol and time.
        const m = db
          .prepare("SELECT symbol, COALESCE(payload_ts, ts) AS ts FROM redis_messages WHERE signal_id = ? ORDER BY ts, file_id, line_no LIMIT 1")
          .get(keys.signalId) as { symbol: string | null; ts: string | null } | undefined;
        if (m?.ts) {
          keys.symbol = normSymbol(m.symbol);
          keys.signalMs = Date.parse(m.ts);
        }
      }
    }
    if (!sig && keys.signalMs !== null) {
      sig = db
        .prepare(
          `SELECT id, ts, symbol, signal_key, source, file_id, line_no FROM signals WHERE ts BETWEEN ? AND ? ${symSql()}
           ORDER BY ABS(julianday(ts) - julianday(?)), id LIMIT 1`,
        )
        .get(iso(keys.signalMs - SIGNAL_WINDOW_MS), iso(keys.signalMs + SIGNAL_WINDOW_MS), ...symArgs(), iso(keys.signalMs)) as SigRow | undefined;
    }
    if (sig) {
      keys.symbol = keys.symbol ?? normSymbol(sig.symbol);
      if (sig.ts) keys.signalMs = keys.signalMs ?? Date.parse(sig.ts);
      if (sig.signal_key && !keys.signalId && sig.source !== 'db') keys.signalId = sig.signal_key;
      hops.push({
        hop: 'signal',
        found: true,
        summary: `signal ${sig.symbol ?? '?'} at ${sig.ts ?? '?'} (${sig.source ?? '?'} row ${sig.id})`,
        evidence: [ev(sig.file_id, sig.line_no, `signals: ${sig.symbol ?? ''} ${sig.ts ?? ''}${sig.signal_key ? ` signal_id=${sig.signal_key}` : ''}`)],
      });
    } else {
      const anySignals = n('SELECT COUNT(*) AS n FROM signals');
      hops.push({
        hop: 'signal',
        found: anySignals ? false : keys.signalMs !== null || keys.signalId !== null ? false : null,
        summary: anySignals ? 'no signal with these keys in the signals evidence' : 'the bundle holds no signals (no table, capture or signal-engine log)',
        evidence: [],
      });
    }
  }

  // --- 2. risk decision
  {
    type Dec = { ts: string | null; decision: string; reason_text: string | null; file_id: number | null; line_no: number | null; source: string | null };
    let dec: Dec | undefined;
    if (keys.signalId) {
      dec = db.prepare('SELECT ts, decision, reason_text, file_id, line_no, source FROM risk_decisions WHERE signal_key = ? ORDER BY ts, id LIMIT 1').get(keys.signalId) as Dec | undefined;
    }
    if (!dec && keys.signalMs !== null) {
      dec = db
        .prepare(
          `SELECT ts, decision, reason_text, file_id, line_no, source FROM risk_decisions WHERE ts BETWEEN ? AND ? ${symSql('COALESCE(symbol, ?)')}
           ORDER BY ABS(julianday(ts) - julianday(?)), id LIMIT 1`,
        )
        .get(iso(keys.signalMs - SIGNAL_WINDOW_MS), iso(keys.signalMs + DECISION_WINDOW_MS), ...(keys.symbol ? [keys.symbol, keys.symbol] : []), iso(keys.signalMs)) as Dec | undefined;
    }
    if (dec) {
      hops.push({
        hop: 'risk_decision',
        found: true,
        summary: `${dec.decision} at ${dec.ts ?? '?'}${dec.reason_text ? `: ${dec.reason_text}` : ''} (${dec.source ?? '?'})`,
        evidence: [ev(dec.file_id, dec.line_no, `risk: ${dec.decision}${dec.reason_text ? ` ${dec.reason_text}` : ''}`)],
      });
      if (dec.decision === 'rejected') ended = { at: 'risk_decision', reason: dec.reason_text ?? 'rejected by the risk manager' };
    } else {
      hops.push({
        hop: 'risk_decision',
        found: n('SELECT COUNT(*) AS n FROM risk_decisions') ? false : null,
        summary: n('SELECT COUNT(*) AS n FROM risk_decisions') ? 'no risk decision for this signal' : 'no risk decisions in the bundle (no risk logs, alerts or decision tables)',
        evidence: [],
      });
    }
  }

  // --- 3. order
  type Ord = { ts: string | null; order_id: string | null; client_id: string | null; status: string | null; writer: string | null; source: string | null; file_id: number | null; line_no: number | null; twin_file_id: number | null; twin_line_no: number | null };
  let order: Ord | undefined;
  if (!ended) {
    const cols = 'ts, order_id, client_id, status, writer, source, file_id, line_no, twin_file_id, twin_line_no';
    if (keys.orderId) order = db.prepare(`SELECT ${cols} FROM orders WHERE order_id = ? ORDER BY id LIMIT 1`).get(keys.orderId) as Ord | undefined;
    if (!order && keys.clientId) order = db.prepare(`SELECT ${cols} FROM orders WHERE client_id = ? ORDER BY (writer = 'execution') DESC, id LIMIT 1`).get(keys.clientId) as Ord | undefined;
    if (!order && keys.signalMs !== null && keys.symbol) {
      order = db
        .prepare(`SELECT ${cols} FROM orders WHERE symbol = ? AND ts BETWEEN ? AND ? ORDER BY (writer = 'execution') DESC, ABS(julianday(ts) - julianday(?)), id LIMIT 1`)
        .get(keys.symbol, iso(keys.signalMs - SIGNAL_WINDOW_MS), iso(keys.signalMs + ORDER_WINDOW_MS), iso(keys.signalMs)) as Ord | undefined;
    }
    let published: { file_id: number; line_no: number; payload: string | null; client_id: string | null } | undefined;
    if (!order && keys.clientId) {
      published = db
        .prepare("SELECT file_id, line_no, payload, client_id FROM redis_messages WHERE channel IN ('orders', 'risk_approved_trades', 'stream.orders') AND client_id = ? ORDER BY ts, file_id, line_no LIMIT 1")
        .get(keys.clientId) as typeof published;
    }
    if (order) {
      keys.orderId = keys.orderId ?? order.order_id;
      keys.clientId = keys.clientId ?? order.client_id;
      const e = [ev(order.file_id, order.line_no, `orders: ${order.order_id ?? '(no order_id)'} status=${order.status ?? '?'} writer=${order.writer ?? '?'} at ${order.ts ?? '?'}`)];
      if (order.twin_file_id !== null) e.push(ev(order.twin_file_id, order.twin_line_no, 'orders: db_writer twin (pending, approved=false)'));
      hops.push({ hop: 'order', found: true, summary: `order ${order.order_id ?? keys.orderId ?? '(no order_id recorded)'} at ${order.ts ?? '?'} (${order.writer ?? 'unknown writer'}, ${order.source ?? '?'})`, evidence: e });
    } else if (published) {
      hops.push({ hop: 'order', found: true, summary: `order published on the orders channel (client_id ${published.client_id})`, evidence: [ev(published.file_id, published.line_no, published.payload ?? '')] });
    } else {
      const any = n('SELECT COUNT(*) AS n FROM orders') + n("SELECT COUNT(*) AS n FROM redis_messages WHERE channel IN ('orders', 'risk_approved_trades', 'stream.orders')");
      hops.push({ hop: 'order', found: any ? false : null, summary: any ? 'no order for this signal' : 'no orders in the bundle (no table, capture or execution log)', evidence: [] });
    }
  }

  // --- 4. order result
  let fillMs: number | null = null;
  if (!ended) {
    const conds: string[] = [];
    const args: string[] = [];
    if (keys.orderId) {
      conds.push('order_id = ?');
      args.push(keys.orderId);
    }
    if (keys.clientId) {
      conds.push('client_id = ?');
      args.push(keys.clientId);
    }
    const res = conds.length
      ? (db
          .prepare(
            `SELECT file_id, line_no, status, order_id, COALESCE(payload_ts, ts) AS ts, payload, reason FROM redis_messages
             WHERE channel IN ('order_results', 'stream.fills', 'stream.order_results') AND (${conds.join(' OR ')}) ORDER BY ts, file_id, line_no LIMIT 1`,
          )
          .get(...args) as { file_id: number; line_no: number; status: string | null; order_id: string | null; ts: string | null; payload: string | null; reason: string | null } | undefined)
      : undefined;
    const log = keys.orderId
      ? (db
          .prepare("SELECT file_id, line_no, ts, message FROM log_events WHERE class IN ('exec.filled', 'exec.rejected') AND (message LIKE ? OR message LIKE ?) ORDER BY ts, file_id, line_no LIMIT 1")
          .get(`Order filled: ${keys.orderId}%`, `Order rejected: ${keys.orderId}%`) as { file_id: number; line_no: number; ts: string | null; message: string } | undefined)
      : undefined;
    const status = (res?.status ?? (log ? (/Order filled/.test(log.message) ? 'FILLED' : 'REJECTED') : order?.writer === 'execution' ? order.status : null))?.toUpperCase() ?? null;
    if (res || log || (order?.writer === 'execution' && status)) {
      keys.orderId = keys.orderId ?? res?.order_id ?? null;
      const e: Evidence[] = [];
      if (res) e.push(ev(res.file_id, res.line_no, res.payload ?? `order_result ${res.status}`));
      if (log) e.push(ev(log.file_id, log.line_no, log.message));
      if (!res && !log && order) e.push(ev(order.file_id, order.line_no, `orders: status=${order.status}`));
      const t = res?.ts ?? log?.ts ?? order?.ts ?? null;
      fillMs = t ? Date.parse(t) : null;
      hops.push({ hop: 'order_result', found: true, summary: `${status ?? 'result'} for ${keys.orderId ?? keys.clientId ?? '?'}${t ? ` at ${t}` : ''}`, evidence: e });
      if (status && status !== 'FILLED') ended = { at: 'order_result', reason: res?.reason ?? log?.message ?? `order ${status.toLowerCase()}` };
    } else {
      const any = n("SELECT COUNT(*) AS n FROM redis_messages WHERE channel IN ('order_results', 'stream.fills', 'stream.order_results')") + n("SELECT COUNT(*) AS n FROM log_events WHERE class IN ('exec.filled', 'exec.rejected')");
      hops.push({ hop: 'order_result', found: any ? false : null, summary: any ? 'no order result for this order' : 'no order results in the bundle (no order_results capture, no stream.fills, no execution log)', evidence: [] });
    }
  }

  // --- 5. trade rows of both writers
  let tradeDay: string | null = null;
  if (!ended) {
    type Tr = { ts: string | null; order_id: string | null; writer: string | null; source: string | null; file_id: number | null; line_no: number | null; twin_file_id: number | null; twin_line_no: number | null };
    const cols = 'ts, order_id, writer, source, file_id, line_no, twin_file_id, twin_line_no';
    let tr = keys.orderId ? (db.prepare(`SELECT ${cols} FROM trades WHERE order_id = ? ORDER BY (source = 'db') DESC, id LIMIT 1`).get(keys.orderId) as Tr | undefined) : undefined;
    const around = fillMs ?? keys.signalMs;
    if (!tr && around !== null && keys.symbol) {
      tr = db
        .prepare(`SELECT ${cols} FROM trades WHERE symbol = ? AND ts BETWEEN ? AND ? ORDER BY (source = 'db') DESC, ABS(julianday(ts) - julianday(?)), id LIMIT 1`)
        .get(keys.symbol, iso(around - PAIR_MS), iso(around + ORDER_WINDOW_MS), iso(around)) as Tr | undefined;
    }
    const dbTrades = n("SELECT COUNT(*) AS n FROM trades WHERE source = 'db'") + n("SELECT COUNT(*) AS n FROM block WHERE key = 'source.trades' AND value LIKE 'db%'");
    if (tr) {
      tradeDay = tr.ts?.slice(0, 10) ?? null;
      const e = [ev(tr.file_id, tr.line_no, `trades: ${tr.writer ?? '?'} row${tr.order_id ? ` order ${tr.order_id}` : ''} at ${tr.ts ?? '?'} (${tr.source ?? '?'})`)];
      const twin = tr.twin_file_id !== null;
      if (twin) e.push(ev(tr.twin_file_id, tr.twin_line_no, 'trades: db_writer twin row'));
      const inDb = tr.source === 'db';
      const writers = inDb ? (twin ? 'both writers (execution + db_writer twin)' : `only the ${tr.writer ?? 'unknown'} writer`) : 'seen only outside the DB';
      hops.push({
        hop: 'trade_rows',
        found: inDb ? true : dbTrades ? false : null,
        summary: inDb ? `persisted by ${writers}` : `trade ${writers} (${tr.source}); ${dbTrades ? 'not persisted in the trades table' : 'no trades table in the bundle'}`,
        evidence: e,
      });
    } else {
      hops.push({ hop: 'trade_rows', found: dbTrades || n('SELECT COUNT(*) AS n FROM trades') ? false : null, summary: 'no trade row for this order', evidence: [] });
    }
  }

  // --- 6. the daily report that should count it
  {
    const day = tradeDay ?? (keys.signalMs !== null ? iso(keys.signalMs).slice(0, 10) : null);
    if (!day) {
      hops.push({ hop: 'report_day', found: null, summary: 'no day to look up', evidence: [] });
    } else {
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const hour = tradeDay ? null : keys.signalMs !== null ? new Date(keys.signalMs).getUTCHours() : null;
      // Which report counts day D (formats doc §6): the paper runner's midnight report dated D+1,
      // daily_check dated D, cdb_reports' 08:00 rolling window dated D or D+1.
      const counted = tradeDay !== null && !ended;
      const wanted = counted ? ['Trades Today', 'Trades', 'Total Trades'] : ['Signals Today', 'Signals'];
      const rows = db
        .prepare(
          `SELECT file_id, line_no, report_kind, report_date, key, value_text, value_num FROM daily_report_values
           WHERE key IN (${wanted.map(() => '?').join(',')})
             AND ((report_kind = 'paper_runner' AND report_date = ?) OR (report_kind = 'daily_check' AND report_date = ?)
                  OR (report_kind = 'cdb_reports' AND report_date = ?) OR (report_kind NOT IN ('paper_runner', 'daily_check', 'cdb_reports') AND report_date IN (?, ?)))
           ORDER BY report_date, report_kind, key, file_id, line_no`,
        )
        .all(...wanted, next, day, hour !== null && hour < 8 ? day : next, day, next) as {
          file_id: number; line_no: number; report_kind: string; report_date: string; key: string; value_text: string; value_num: number | null;
        }[];
      const seen = new Set<string>();
      const uniq = rows.filter((r) => {
        const k = `${r.report_kind}|${r.report_date}|${r.key}|${r.value_text}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      const anyReport = n('SELECT COUNT(*) AS n FROM daily_report_values');
      // A report due after the bundle's last evidence cannot be missing from it.
      const last = lastLogTs(db);
      const dueAfterEvidence = last !== null && last < `${next}T00:05:00.000Z`;
      const zero = uniq.length > 0 && uniq.every((r) => r.value_num === 0);
      const text = uniq.map((r) => `${r.report_kind} dated ${r.report_date}: ${r.key} = ${r.value_text}`).join('; ');
      hops.push({
        hop: 'report_day',
        found: uniq.length ? !zero : anyReport && !dueAfterEvidence ? false : null,
        summary: uniq.length
          ? `${text}${zero ? ` — the report counts nothing for ${day} although the ${counted ? 'trade was persisted' : 'signal exists'}` : ''}`
          : dueAfterEvidence
            ? `the report that counts ${day} (dated ${next}) was due after the bundle's last evidence (${last})`
            : anyReport
            ? `no report that counts ${day} is in the bundle (the paper runner's would be dated ${next})`
            : 'no daily reports in the bundle',
        evidence: uniq.slice(0, 3).map((r) => ev(r.file_id, r.line_no, `${r.key}: ${r.value_text}`)),
      });
    }
  }

  const order_ = new Map(HOPS.map((h, i) => [h, i]));
  hops.sort((a, b) => order_.get(a.hop)! - order_.get(b.hop)!);
  const vanished = hops.find((h) => h.found === false)?.hop ?? null;
  return {
    query: id,
    kind,
    keys: {
      symbol: keys.symbol,
      signal_ts: keys.signalMs !== null ? iso(keys.signalMs) : null,
      signal_id: keys.signalId,
      client_id: keys.clientId,
      order_id: keys.orderId,
    },
    hops,
    vanished_at: vanished,
    ended,
  };
}
