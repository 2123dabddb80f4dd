import type { DB } from '../db/open.js';

export type SrcKind =
  | 'signals'
  | 'orders'
  | 'trades'
  | 'risk_events_fork'
  | 'risk_events_runbook'
  | 'blocked_decisions'
  | 'portfolio_snapshots'
  | 'other';

export interface SrcTable {
  name: string;
  original: string;
  columns: string[];
  kind: SrcKind;
}

/**
 * What a dumped table holds is decided by its columns, not its name (the runbook's
 * `trading_signals` and the real `signals` are the same entity; a CSV may be named anything).
 */
export function classifyColumns(columns: string[], original = ''): SrcKind {
  const c = new Set(columns.map((x) => x.toLowerCase()));
  // A query result (an aggregate, a join) beside a table is never that table's rows.
  if (original.startsWith('query_')) return 'other';
  const has = (...names: string[]) => names.every((n) => c.has(n));
  const any = (...names: string[]) => names.some((n) => c.has(n));
  // The fork's blocked_decisions has the same decision columns as its risk_events; only the name tells them apart.
  if ((has('decision', 'reason_code') || has('decision_pk', 'reason_code')) && original.includes('blocked')) return 'blocked_decisions';
  if (has('decision', 'reason_code')) return 'risk_events_fork';
  if (has('approved', 'reason') && !any('order_type', 'size', 'quantity', 'filled_size')) return 'risk_events_runbook';
  if (c.has('total_equity')) return 'portfolio_snapshots';
  if (any('execution_price', 'exchange_trade_id', 'realized_pnl') && c.has('symbol')) return 'trades';
  if (any('order_type', 'filled_size', 'avg_fill_price') || (has('approved') && any('size', 'quantity'))) return 'orders';
  if (c.has('signal_type') && any('confidence', 'price')) return 'signals';
  if (has('symbol', 'side', 'price') && original.includes('trade')) return 'trades';
  if (has('symbol', 'side') && original.includes('order')) return 'orders';
  if (c.has('symbol') && any('signal_id') && original.includes('signal')) return 'signals';
  return 'other';
}

export function listSrcTables(db: DB): SrcTable[] {
  const rows = db.prepare('SELECT name, original, columns FROM src_tables ORDER BY name').all() as { name: string; original: string; columns: string }[];
  return rows.map((r) => {
    const columns = JSON.parse(r.columns) as string[];
    return { name: r.name, original: r.original, columns, kind: classifyColumns(columns, r.original) };
  });
}

/** First non-empty value among several possible column names. */
export function pick(row: Record<string, unknown>, ...names: string[]): string | null {
  for (const n of names) {
    const v = row[n];
    if (v !== null && v !== undefined && String(v) !== '') return String(v);
  }
  return null;
}

/**
 * All rows of every dumped table of one kind, each real row once: the same table exported as
 * CSV and as pg_dump (or dumped twice) repeats its primary keys, which are dropped here. Rows come
 * from `rowsOf` (a table's rows in file and line order), one at a time: a dump may hold millions.
 */
export function* rowsOfKind(
  tables: SrcTable[],
  kind: SrcKind,
  rowsOf: (t: SrcTable) => Iterable<Record<string, string | null>>,
): Generator<Record<string, string | null>> {
  const seen = new SeenIds();
  for (const t of tables.filter((x) => x.kind === kind)) {
    for (const r of rowsOf(t)) {
      const id = r.id;
      if (id != null && id !== '' && !seen.first(id)) continue;
      yield r;
    }
  }
}

/** Ids up to this are kept as bits (at most 8 MB); others in a Set. */
const BIT_LIMIT = 1 << 26;

/**
 * The ids seen so far, each given once to `first`: an integer id (its canonical text) is kept as
 * one bit of a bitmap, so a dump of millions of rows numbered 1..n costs n/8 bytes, not a Set
 * entry each; any other id (a text, a huge or negative number) as a Set entry.
 */
export class SeenIds {
  private bits = new Uint8Array(0);
  private readonly other = new Set<string | number>();

  /** True the first time an id is given, false after. */
  first(id: string): boolean {
    const n = Number(id);
    if (Number.isSafeInteger(n) && String(n) === id) {
      if (n >= 0 && n < BIT_LIMIT) {
        const byte = n >>> 3;
        if (byte >= this.bits.length) {
          const grown = new Uint8Array(Math.min(BIT_LIMIT >>> 3, Math.max(byte + 1, this.bits.length * 2, 1024)));
          grown.set(this.bits);
          this.bits = grown;
        }
        const mask = 1 << (n & 7);
        if (this.bits[byte] & mask) return false;
        this.bits[byte] |= mask;
        return true;
      }
      if (this.other.has(n)) return false;
      this.other.add(n);
      return true;
    }
    const key = `id:${id}`;
    if (this.other.has(key)) return false;
    this.other.add(key);
    return true;
  }
}
