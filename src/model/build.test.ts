import { describe, expect, it } from 'vitest';
import { TestDb } from '../analysis/testing.js';
import { addLogs, fileFor } from '../analysis/rules/shared/testing.js';
import { seededRandom } from '../util/seeded-random.js';
import { toIsoUtc } from '../util/time.js';
import { buildModel, orderWriter } from './build.js';
import { PAIR_WINDOW_MS } from './pair-twins.js';
import { normSymbol, upper } from './symbols.js';

/**
 * The dumped orders/trades of the model, against the rule as first written (every row an object,
 * twins paired by a scan of every row, fills matched by a scan of the list), on generated dumps:
 * many symbols in several spellings, coarse times (ties, equal times), repeated ids, rows with no
 * time, and fills in an execution log. The dump's rows are stored in file and line order (read by
 * rowid) or shuffled (read sorted), and written in time order (paired as read, or, with rows late
 * enough to reach back past a 2 s gap, sorted after all) or at random times (sorted).
 */

type Row = Record<string, string | null>;
interface Case {
  seed: number;
  rows: number;
  fills: number;
  grainMs: number;
  shuffled: boolean;
  /** The dump written in time order, each row up to this many ms late (none: times at random). */
  lateMs?: number;
}

const SYMBOLS = ['BTC_USDT', 'BTCUSDT', 'btc-usdt', 'ETH_USDT', 'ETH/USDT', 'SOL_USDT', 'XRP_USDT', 'DOGE_USDT', '', null];
const SIDES = ['buy', 'BUY', 'sell', 'SELL', ' Sell ', '', null];

function generate(c: Case): { rows: Row[]; fills: { ms: number; symbol: string; side: string; orderId: string }[] } {
  const r = seededRandom(c.seed);
  const pickOf = <T>(list: T[]): T => list[Math.floor(r() * list.length)];
  const t0 = Date.parse('2025-12-20T00:00:00.000Z');
  const spread = c.rows * 400;
  const at = (): number => t0 + Math.floor((r() * spread) / c.grainMs) * c.grainMs;
  const pg = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '+00');
  const rows: Row[] = [];
  for (let i = 0; i < c.rows; i++) {
    const kind = r();
    const ms = c.lateMs === undefined ? at() : t0 + Math.floor((i * 400 + r() * c.lateMs) / c.grainMs) * c.grainMs;
    const id = r() < 0.05 && i > 0 ? String(1 + Math.floor(r() * i)) : String(i + 1);
    const symbol = r() < 0.9 ? pickOf(SYMBOLS.slice(0, 4)) : pickOf(SYMBOLS);
    const side = r() < 0.9 ? pickOf(SIDES.slice(0, 4)) : pickOf(SIDES);
    const timestamp = r() < 0.03 ? null : r() < 0.02 ? 'not a time' : pg(ms);
    const base: Row = { id, symbol, side, price: (100 + r()).toFixed(4), size: '1.5', status: 'filled', execution_price: '100.5', timestamp };
    if (kind < 0.45) rows.push({ ...base, exchange_trade_id: `MOCK_${i.toString(16)}`, metadata: null });
    else if (kind < 0.55) rows.push({ ...base, exchange_trade_id: null, metadata: `{"order_id": "ORD_${i}", "service": "execution_service"}` });
    else if (kind < 0.92) rows.push({ ...base, exchange_trade_id: null, metadata: r() < 0.5 ? '{}' : ' {} ' });
    else rows.push({ ...base, exchange_trade_id: 'EXT_1', metadata: '{"x": 1}' });
  }
  const fills: { ms: number; symbol: string; side: string; orderId: string }[] = [];
  for (let i = 0; i < c.fills; i++) {
    const known = r() < 0.3 ? rows[Math.floor(r() * rows.length)]?.exchange_trade_id : null;
    fills.push({ ms: at(), symbol: pickOf(SYMBOLS.slice(0, 4)) as string, side: pickOf(['BUY', 'SELL']), orderId: known ?? `MOCK_F${i}` });
  }
  // The execution log is in time order (the model reads it so).
  fills.sort((a, b) => a.ms - b.ms);
  return { rows, fills };
}

/** The trades the model should hold, computed as first written. */
function expected(c: Case, rows: Row[], fills: { ms: number; symbol: string; side: string; orderId: string }[]): unknown[][] {
  const seen = new Set<string>();
  const list = rows
    .map((r, i) => ({ r, line: i + 1 }))
    .filter(({ r }) => {
      if (r.id == null || r.id === '') return true;
      if (seen.has(r.id)) return false;
      seen.add(r.id);
      return true;
    })
    .map(({ r, line }) => {
      const ts = toIsoUtc(r.timestamp);
      const meta = r.metadata ?? '';
      const exec = /^MOCK_/i.test(r.exchange_trade_id ?? '') || /execution_service|"order_id"/.test(meta);
      const writer = exec ? 'execution' : meta.trim() === '{}' && !r.exchange_trade_id ? 'db_writer' : 'unknown';
      const orderId = /^MOCK_/i.test(r.exchange_trade_id ?? '') ? r.exchange_trade_id : (meta.match(/"order_id":\s*"([^"]+)"/)?.[1] ?? null);
      return { r, line, ts, ms: ts ? Date.parse(ts) : NaN, symbol: normSymbol(r.symbol), side: upper(r.side), writer, orderId };
    });
  // Twins by a scan of every execution row in time order (pair-twins' oracle).
  const prim = list.filter((x) => x.writer === 'execution' && !Number.isNaN(x.ms)).sort((a, b) => a.ms - b.ms);
  const used = new Set<(typeof list)[number]>();
  const twinOf = new Map<(typeof list)[number], number>();
  const dropped = new Set<(typeof list)[number]>();
  for (const t of list) {
    if (t.writer !== 'db_writer' || Number.isNaN(t.ms)) continue;
    let best: (typeof list)[number] | null = null;
    let bestD = Infinity;
    for (const p of prim) {
      if (used.has(p) || p.symbol !== t.symbol || p.side !== t.side) continue;
      const d = Math.abs(p.ms - t.ms);
      if (d <= PAIR_WINDOW_MS && d < bestD) [best, bestD] = [p, d];
    }
    if (best) {
      used.add(best);
      twinOf.set(best, t.line);
      dropped.add(t);
    }
  }
  const kept = list.filter((x) => !dropped.has(x));
  const out: unknown[][] = kept.map((x) => [x.ts, x.symbol, x.r.symbol, x.side, x.writer, x.orderId, twinOf.get(x) ?? null, 'db', x.line]);
  const byOrder = new Set(kept.map((x) => x.orderId).filter((x) => x));
  const taken = new Set<number>();
  fills.forEach((f, i) => {
    if (byOrder.has(f.orderId)) return;
    const k = kept.findIndex((t, j) => !taken.has(j) && t.symbol === normSymbol(f.symbol) && t.side === f.side && Math.abs(t.ms - f.ms) <= PAIR_WINDOW_MS);
    if (k >= 0) return void taken.add(k);
    out.push([new Date(f.ms).toISOString(), normSymbol(f.symbol), normSymbol(f.symbol), f.side, 'execution', f.orderId, null, 'log', 2 * i + 2]);
  });
  return out;
}

function load(c: Case, rows: Row[], fills: { ms: number; symbol: string; side: string; orderId: string }[]): TestDb {
  const t = new TestDb();
  const columns = ['id', 'symbol', 'side', 'price', 'size', 'status', 'execution_price', 'timestamp', 'exchange_trade_id', 'metadata'];
  t.db.exec(`CREATE TABLE src_trades (_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL, ${columns.map((x) => `"${x}" TEXT`).join(', ')})`);
  t.db.prepare('INSERT INTO src_tables (name, original, columns) VALUES (?, ?, ?)').run('src_trades', 'trades', JSON.stringify(columns));
  const f = fileFor(t, 'dump/trades.csv');
  const order = rows.map((_, i) => i);
  if (c.shuffled) {
    const r = seededRandom(c.seed + 1000);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  const ins = t.db.prepare(`INSERT INTO src_trades (file_id, line_no, line_count, ${columns.map((x) => `"${x}"`).join(', ')}) VALUES (?, ?, 1, ${columns.map(() => '?').join(', ')})`);
  for (const i of order) ins.run(f.id, i + 1, ...columns.map((x) => rows[i][x] ?? null));
  addLogs(
    t,
    'cdb_execution',
    fills.flatMap((x): [string, string][] => {
      const ts = new Date(x.ms).toISOString();
      return [
        [ts, `Processing order: ${x.symbol} ${x.side} qty=1.5`],
        [ts, `Order filled: ${x.orderId} at 100.5`],
      ];
    }),
    { path: 'logs/cdb_execution.log' },
  );
  return t;
}

describe('buildModel: dumped trades, their twins and the fills of the log', () => {
  it.each<Case>([
    { seed: 1, rows: 60, fills: 0, grainMs: 1, shuffled: false },
    { seed: 2, rows: 300, fills: 40, grainMs: 1000, shuffled: false },
    { seed: 3, rows: 300, fills: 40, grainMs: 1000, shuffled: true },
    { seed: 4, rows: 500, fills: 200, grainMs: 250, shuffled: false },
    { seed: 5, rows: 200, fills: 300, grainMs: 2000, shuffled: true },
    { seed: 6, rows: 400, fills: 10, grainMs: 1, shuffled: true },
    { seed: 7, rows: 0, fills: 20, grainMs: 1, shuffled: false },
    { seed: 8, rows: 2000, fills: 300, grainMs: 1, shuffled: false, lateMs: 0 },
    { seed: 9, rows: 2000, fills: 300, grainMs: 1000, shuffled: true, lateMs: 0 },
    { seed: 10, rows: 2000, fills: 100, grainMs: 1, shuffled: false, lateMs: 300 },
    { seed: 11, rows: 2000, fills: 100, grainMs: 250, shuffled: true, lateMs: 6000 },
  ])('matches the rule as first written (seed $seed, $rows rows, $fills fills, grain $grainMs ms, shuffled $shuffled, late $lateMs ms)', (c) => {
    const { rows, fills } = generate(c);
    const t = load(c, rows, fills);
    buildModel(t.db);
    const got = t.db.prepare('SELECT ts, symbol, symbol_raw, side, writer, order_id, twin_line_no, source, line_no FROM trades ORDER BY id').raw().all();
    const want = expected(c, rows, fills);
    expect(got).toEqual(want);
    // The case exercises what it is about.
    if (c.rows) expect(want.filter((x) => x[6] !== null).length).toBeGreaterThan(0);
    if (c.fills) expect(want.filter((x) => x[7] === 'log').length).toBeGreaterThan(0);
  });
});

describe('buildModel: dumped orders and their twins', () => {
  it.each([
    [11, 300, 1000, false],
    [12, 300, 1000, true],
    [13, 500, 1, true],
  ])('match a scan of every row (seed %i, %i rows, grain %i ms, shuffled %s)', (seed, n, grain, shuffled) => {
    const r = seededRandom(seed);
    const t = new TestDb();
    const columns = ['id', 'symbol', 'side', 'order_type', 'price', 'size', 'status', 'order_id', 'created_at', 'metadata'];
    t.db.exec(`CREATE TABLE src_orders (_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL, ${columns.map((x) => `"${x}" TEXT`).join(', ')})`);
    t.db.prepare('INSERT INTO src_tables (name, original, columns) VALUES (?, ?, ?)').run('src_orders', 'orders', JSON.stringify(columns));
    const f = fileFor(t, 'dump/orders.csv');
    const t0 = Date.parse('2025-12-20T00:00:00.000Z');
    const rows: Row[] = Array.from({ length: n }, (_, i) => {
      const twin = r() < 0.45;
      const ms = t0 + Math.floor((r() * n * 300) / grain) * grain;
      return {
        id: String(i + 1), symbol: ['BTC_USDT', 'ETH_USDT', 'SOL_USDT'][Math.floor(r() * 3)], side: r() < 0.5 ? 'buy' : 'SELL', order_type: 'market',
        price: '1', size: '2', status: twin ? 'pending' : r() < 0.9 ? 'filled' : 'new', order_id: twin ? null : `MOCK_${i}`,
        created_at: r() < 0.03 ? null : new Date(ms).toISOString(), metadata: twin ? '{}' : '{"order_id": "x"}',
      };
    });
    const order = rows.map((_, i) => i);
    if (shuffled) order.sort(() => 0).reverse();
    const ins = t.db.prepare(`INSERT INTO src_orders (file_id, line_no, line_count, ${columns.map((x) => `"${x}"`).join(', ')}) VALUES (?, ?, 1, ${columns.map(() => '?').join(', ')})`);
    for (const i of order) ins.run(f.id, i + 1, ...columns.map((x) => rows[i][x]));
    buildModel(t.db);
    const list = rows.map((row, i) => {
      const ts = toIsoUtc(row.created_at);
      return { row, line: i + 1, ts, ms: ts ? Date.parse(ts) : NaN, symbol: normSymbol(row.symbol), side: upper(row.side), writer: orderWriter(row) };
    });
    const prim = list.filter((x) => x.writer === 'execution' && !Number.isNaN(x.ms)).sort((a, b) => a.ms - b.ms);
    const used = new Set<unknown>();
    const twinOf = new Map<unknown, number>();
    const dropped = new Set<unknown>();
    for (const tw of list) {
      if (tw.writer !== 'db_writer' || Number.isNaN(tw.ms)) continue;
      const best = prim.filter((p) => !used.has(p) && p.symbol === tw.symbol && p.side === tw.side && Math.abs(p.ms - tw.ms) <= PAIR_WINDOW_MS).sort((a, b) => Math.abs(a.ms - tw.ms) - Math.abs(b.ms - tw.ms))[0];
      if (best) {
        used.add(best);
        twinOf.set(best, tw.line);
        dropped.add(tw);
      }
    }
    const want = list.filter((x) => !dropped.has(x)).map((x) => [x.ts, x.symbol, x.side, x.writer, twinOf.get(x) ?? null, x.line]);
    expect(t.db.prepare('SELECT ts, symbol, side, writer, twin_line_no, line_no FROM orders ORDER BY id').raw().all()).toEqual(want);
    expect(twinOf.size).toBeGreaterThan(0);
  });
});
