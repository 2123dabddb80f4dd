/**
 * Which database table a dump without a table name (psql CSV, psql aligned output) holds.
 *
 * The columns decide (formats doc §5.3: "choose the mapping from the columns present, not from the
 * table name"); the file name only breaks ties between tables with the same columns and names
 * tables whose columns we do not know. Files get renamed, columns do not.
 */

/** Tables the formats doc and the runbook know, longest first so `trading_signals` beats `signals`. */
export const KNOWN_TABLES = [
  'portfolio_snapshots',
  'correlation_ledger',
  'blocked_decisions',
  'trading_signals',
  'schema_version',
  'risk_events',
  'candles_1m',
  'positions',
  'signals',
  'orders',
  'trades',
] as const;

export type KnownTable = (typeof KNOWN_TABLES)[number];

export interface ColumnMatch {
  table: KnownTable;
  /** Which columns decided, for notes and `detect`. */
  because: string;
}

interface Signature {
  table: KnownTable;
  because: string;
  test(c: Set<string>): boolean;
}

const any = (c: Set<string>, ...names: string[]): boolean => names.some((n) => c.has(n));
const all = (c: Set<string>, ...names: string[]): boolean => names.every((n) => c.has(n));

// Order matters: more specific signatures first (trades before orders, both carry status + size).
const SIGNATURES: Signature[] = [
  { table: 'risk_events', because: 'decision + reason_code (fork risk_events)', test: (c) => all(c, 'decision', 'reason_code') },
  {
    table: 'blocked_decisions',
    because: 'reason_code + decision_id/decision_pk without decision (fork blocked_decisions)',
    test: (c) => c.has('reason_code') && any(c, 'decision_id', 'decision_pk') && !c.has('decision'),
  },
  {
    table: 'correlation_ledger',
    because: 'correlation_id + event_type/event_pk (fork correlation_ledger)',
    test: (c) => c.has('correlation_id') && any(c, 'event_type', 'event_pk'),
  },
  { table: 'candles_1m', because: 'open + high + low + close (candles)', test: (c) => all(c, 'open', 'high', 'low', 'close') },
  {
    table: 'risk_events',
    because: 'approved + reason (runbook risk_events)',
    test: (c) => all(c, 'approved', 'reason') && !any(c, 'size', 'quantity', 'order_type'),
  },
  {
    table: 'trades',
    because: 'execution_price / exchange_trade_id (trades)',
    test: (c) => any(c, 'execution_price', 'exchange_trade_id') || (any(c, 'pnl', 'realized_pnl') && c.has('side') && !c.has('entry_price')),
  },
  {
    table: 'orders',
    because: 'order_type/approved/status + size (orders)',
    test: (c) =>
      any(c, 'size', 'quantity') && any(c, 'order_type', 'approved', 'status', 'rejection_reason', 'filled_size') && !c.has('total_equity'),
  },
  {
    table: 'trades',
    because: 'side + price + size/quantity + timestamp without order columns (runbook trades)',
    test: (c) =>
      all(c, 'side', 'price', 'timestamp') &&
      any(c, 'size', 'quantity') &&
      !any(c, 'order_type', 'approved', 'status', 'rejection_reason', 'filled_size', 'entry_price', 'total_equity'),
  },
  { table: 'portfolio_snapshots', because: 'total_equity (portfolio_snapshots)', test: (c) => c.has('total_equity') },
  {
    table: 'positions',
    because: 'entry_price + current_price/unrealized_pnl (positions)',
    test: (c) => c.has('entry_price') && any(c, 'current_price', 'unrealized_pnl'),
  },
  { table: 'schema_version', because: 'version + applied_at (schema_version)', test: (c) => all(c, 'version', 'applied_at') },
];

function columnSet(columns: string[]): Set<string> {
  return new Set(columns.map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase()));
}

/**
 * The table a column set belongs to, or null. Signals come in two shapes with nearly the same
 * columns: the real `signals` (source, metadata) and the runbook's `trading_signals` (signal_id);
 * when neither tell is present, `nameHint` decides, else the price column points at `signals`.
 */
export function tableFromColumns(columns: string[], nameHint?: string | null): ColumnMatch | null {
  const c = columnSet(columns);
  if (c.has('signal_type') && c.has('confidence') && any(c, 'price', 'timestamp')) {
    if (c.has('signal_id')) return { table: 'trading_signals', because: 'signal_type + confidence + signal_id (runbook trading_signals)' };
    if (any(c, 'source', 'metadata')) return { table: 'signals', because: 'signal_type + confidence + source/metadata (signals)' };
    if (nameHint === 'trading_signals' || nameHint === 'signals') {
      return { table: nameHint, because: `signal_type + confidence (signals or trading_signals; the name says ${nameHint})` };
    }
    return c.has('price')
      ? { table: 'signals', because: 'signal_type + confidence + price (signals)' }
      : { table: 'trading_signals', because: 'signal_type + confidence + timestamp (runbook trading_signals)' };
  }
  for (const s of SIGNATURES) if (s.test(c)) return { table: s.table, because: s.because };
  return null;
}

function clean(name: string): string {
  return name
    .trim()
    .replace(/^"|"$/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** `public.Trading Signals` → `public_trading_signals`: only `[a-z0-9_]`, never empty, never starting with a digit. */
export function sanitizeTableName(name: string): string {
  const s = clean(name);
  if (s === '') return 'unnamed';
  return /^[0-9]/.test(s) ? `t_${s}` : s;
}

const EXTENSIONS = /\.(csv|tsv|txt|out|log|sql|psv|dat|tab|text|md)$/i;
// Date/time stamps and counters that exports append or prepend: trades_2025-12-01, 20251201_orders.
const STAMP = /(^|_)(\d{4}_?\d{2}_?\d{2}(_?t?\d{2}_?\d{2}(_?\d{2})?z?)?|\d{8,14}|v?\d{1,3})(?=_|$)/g;

/** The file's base name reduced to the table it probably names: no directory, extension or date stamp. */
export function baseTableName(fileName: string): string {
  let base = fileName.replace(/^.*[/\\!]/, '').replace(/\.gz$/i, '');
  for (let k = 0; k < 3 && EXTENSIONS.test(base); k++) base = base.replace(EXTENSIONS, '');
  const s = clean(base);
  const stripped = s.replace(STAMP, '$1').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  return sanitizeTableName(stripped === '' ? s : stripped);
}

/** A known table named somewhere in the file name (`export_orders.csv`, `trades_2025-12-01.csv`), or null. */
export function knownTableInName(fileName: string): KnownTable | null {
  const s = `_${baseTableName(fileName)}_`;
  for (const t of KNOWN_TABLES) if (s.includes(`_${t}_`)) return t;
  return null;
}

export interface TableIdentity {
  /** Sanitized table name (`signals`); the parser yields rows for `src:<table>`. */
  table: string;
  by: 'columns' | 'name' | 'file';
  reason: string;
  /** Something the analyst should know (name and columns disagree, columns unknown). */
  note: string | null;
}

/**
 * Decide the table of a dump that carries no table name.
 * @param fileName the file's base name (or path)
 * @param columns the header's column names
 * @param queryTable a table named by the content itself (a psql prompt line `SELECT * FROM x`), preferred to the file name
 */
export function identifyTable(fileName: string, columns: string[], queryTable?: string | null): TableIdentity {
  const derivedQuery = !!queryTable && sanitizeTableName(queryTable).startsWith('query_');
  const id = identifyRowsTable(fileName, columns, derivedQuery ? sanitizeTableName(queryTable).slice('query_'.length) : queryTable);
  // A plain query typed above the output is better evidence than the header's shape.
  const agg = queryTable ? null : aggregateShape(columns);
  if (!agg && !derivedQuery) return id;
  const base = id.table.startsWith('query_') ? id.table.slice('query_'.length) : id.table;
  const table = `query_${base}`;
  const why = agg
    ? `an aggregate (${agg}), not rows of ${base}: stored as query result ${table}`
    : `a query result (the query aggregates or joins), not rows of ${base}: stored as ${table}`;
  return { table, by: id.by, reason: `${id.reason}; ${why}`, note: id.note ? `${id.note}; ${why}` : why };
}

const AGGREGATE_COLUMN = /^(?:count|sum|avg|min|max|total|cnt|n|num|rows|count_star|(?:count|sum|avg|min|max)\s*\(.*\))$|^(?:count|sum|avg|cnt|num|n)_\w+$|_(?:count|cnt|sum|total|avg)$/;
// A column that tells one row from another: a key or a time. A grouped result has neither.
const IDENTITY_COLUMN = /^id$|_pk$|^(?:timestamp|ts|time)(?:_ms)?$|_at$/;

/**
 * Why a header is an aggregate's (`day,status,approved,count`: a count/sum column and no row
 * identity), or null. Counting its lines as orders would invent orders.
 */
export function aggregateShape(columns: string[]): string | null {
  const c = [...columnSet(columns)];
  const measures = c.filter((x) => AGGREGATE_COLUMN.test(x));
  if (measures.length === 0 || c.some((x) => IDENTITY_COLUMN.test(x))) return null;
  const keys = c.filter((x) => !AGGREGATE_COLUMN.test(x));
  return `${measures.join(', ')} per ${keys.length ? keys.join(', ') : 'whole table'}; no id or time column`;
}

function identifyRowsTable(fileName: string, columns: string[], queryTable?: string | null): TableIdentity {
  const hintSource = queryTable ? `the query names ${sanitizeTableName(queryTable)}` : `file name ${fileName}`;
  const named: string | null = queryTable ? sanitizeTableName(queryTable) : knownTableInName(fileName);
  const byCols = tableFromColumns(columns, named);
  if (byCols) {
    const note =
      named && named !== byCols.table
        ? `${hintSource} suggests table ${named}, but the columns (${byCols.because}) say ${byCols.table}: rows stored as ${byCols.table}`
        : null;
    return { table: byCols.table, by: 'columns', reason: `columns: ${byCols.because}`, note };
  }
  const shown = columns.slice(0, 8).join(', ') + (columns.length > 8 ? ', ...' : '');
  if (named) {
    return {
      table: named,
      by: 'name',
      reason: `${hintSource}; the columns match no known table`,
      note: `columns (${shown}) match no known table; table ${named} taken from ${queryTable ? 'the query' : 'the file name'}`,
    };
  }
  const t = baseTableName(fileName);
  return {
    table: t,
    by: 'file',
    reason: `unknown columns; table named after the file`,
    note: `columns (${shown}) match no known table; rows kept as table ${t} (from the file name)`,
  };
}

/**
 * Column names usable as row keys: an empty name gets its position, a repeat gets a suffix.
 * Repeats are found case-insensitively because SQLite column names fold case.
 */
export function uniqueColumnNames(names: string[]): { keys: string[]; renamed: string[] } {
  const seen = new Set<string>();
  const renamed: string[] = [];
  const keys = names.map((name, i) => {
    let k = name === '' ? `column_${i + 1}` : name;
    if (seen.has(k.toLowerCase())) {
      let n = 2;
      while (seen.has(`${k}_${n}`.toLowerCase())) n++;
      renamed.push(`${k} → ${k}_${n}`);
      k = `${k}_${n}`;
    }
    seen.add(k.toLowerCase());
    return k;
  });
  return { keys, renamed };
}
