import type { Row } from '../ingest/define-parser.js';
import type { Redactor } from '../redact/secrets.js';
import type { DB } from './open.js';
import { RAW_TABLES } from './raw-tables.js';

type Value = string | number | null;

const BATCH = 64;
const RESERVED = new Set(['_id', 'file_id', 'line_no', 'line_count']);

interface TableSink {
  columns: string[];
  pending: Value[][];
  single: import('better-sqlite3').Statement;
  multi: import('better-sqlite3').Statement;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `public.Trading Signals` → `trading_signals`: safe as part of a table name. */
export function sanitizeName(name: string): string {
  const s = name.toLowerCase().replace(/^.*\./, '').replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return s === '' ? 'unnamed' : s;
}

/**
 * The only place that writes evidence rows. Rows are redacted here, batched per table into
 * multi-row INSERTs, and committed by the engine's transactions.
 */
export class Writer {
  private readonly sinks = new Map<string, TableSink>();
  private fileId = 0;
  rowsWritten = 0;

  constructor(
    private readonly db: DB,
    private readonly redactor: Redactor,
  ) {}

  setFile(fileId: number): void {
    this.fileId = fileId;
  }

  private rawSink(table: string): TableSink {
    let sink = this.sinks.get(table);
    if (sink) return sink;
    const def = RAW_TABLES[table];
    if (!def) throw new Error(`parser yielded a row for unknown table ${table}`);
    sink = this.makeSink(table, Object.keys(def.columns));
    this.sinks.set(table, sink);
    return sink;
  }

  private makeSink(table: string, columns: string[]): TableSink {
    const cols = ['file_id', 'line_no', 'line_count', ...columns];
    const one = `(${cols.map(() => '?').join(',')})`;
    const head = `INSERT INTO ${quoteIdent(table)} (${cols.map(quoteIdent).join(',')}) VALUES `;
    return {
      columns,
      pending: [],
      single: this.db.prepare(head + one),
      multi: this.db.prepare(head + Array(BATCH).fill(one).join(',')),
    };
  }

  /** Dumped tables keep their own columns, in `src_<name>`; a column seen later is added. */
  private srcSink(original: string, values: Row['values']): { sink: TableSink; key: string } {
    const name = `src_${sanitizeName(original)}`;
    const keys = Object.keys(values);
    let sink = this.sinks.get(name);
    if (!sink) {
      const existing = this.db.prepare('SELECT columns FROM src_tables WHERE name = ?').get(name) as { columns: string } | undefined;
      let cols: string[] = existing ? JSON.parse(existing.columns) : [];
      if (!existing) {
        this.db.exec(
          `CREATE TABLE IF NOT EXISTS ${quoteIdent(name)} (_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL)`,
        );
      }
      const missing = keys.filter((k) => !cols.includes(k));
      for (const k of missing) this.db.exec(`ALTER TABLE ${quoteIdent(name)} ADD COLUMN ${quoteIdent(k)} TEXT`);
      cols = [...cols, ...missing];
      this.db
        .prepare('INSERT INTO src_tables (name, original, columns) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET columns = excluded.columns')
        .run(name, sanitizeName(original), JSON.stringify(cols));
      sink = this.makeSink(name, cols);
      this.sinks.set(name, sink);
    } else {
      const missing = keys.filter((k) => !sink!.columns.includes(k));
      if (missing.length > 0) {
        this.flushSink(sink);
        for (const k of missing) this.db.exec(`ALTER TABLE ${quoteIdent(name)} ADD COLUMN ${quoteIdent(k)} TEXT`);
        const cols = [...sink.columns, ...missing];
        this.db.prepare('UPDATE src_tables SET columns = ? WHERE name = ?').run(JSON.stringify(cols), name);
        sink = this.makeSink(name, cols);
        this.sinks.set(name, sink);
      }
    }
    return { sink, key: name };
  }

  private readonly safeKeys = new Map<string, string>();

  /**
   * A dumped column may not take the writer's own names (`_id`, `file_id`, `line_no`,
   * `line_count`), and SQLite column names ignore case: such columns get a `src_` prefix.
   */
  private safeValues(values: Row['values']): Row['values'] {
    let changed = false;
    const seen = new Set<string>();
    const out: Row['values'] = {};
    for (const [k, v] of Object.entries(values)) {
      let safe = this.safeKeys.get(k);
      if (safe === undefined) {
        safe = RESERVED.has(k.toLowerCase()) ? `src_${k}` : k;
        this.safeKeys.set(k, safe);
      }
      while (seen.has(safe.toLowerCase())) safe = `${safe}_`;
      seen.add(safe.toLowerCase());
      if (safe !== k) changed = true;
      out[safe] = v;
    }
    return changed ? out : values;
  }

  /** Create `src_<table>` with its columns although no row may follow (an exported, empty table). */
  declareSrcTable(original: string, columns: string[]): void {
    const values = this.safeValues(Object.fromEntries(columns.map((c) => [c, null])));
    this.srcSink(original, values);
  }

  write(row: Row): void {
    const isSrc = row.table.startsWith('src:');
    if (isSrc) row = { ...row, values: this.safeValues(row.values) };
    const sink = isSrc ? this.srcSink(row.table.slice(4), row.values).sink : this.rawSink(row.table);
    const secretField = row.table === 'settings' && row.values.is_secret === 1;
    const out: Value[] = [this.fileId, row.line, row.lines];
    for (const c of sink.columns) {
      let v = row.values[c];
      if (v === undefined) v = null;
      if (typeof v === 'string') {
        v = secretField && c === 'value' ? this.redactor.secretValue(v) : this.redactor.text(v);
      }
      out.push(v);
    }
    sink.pending.push(out);
    this.rowsWritten++;
    if (sink.pending.length >= BATCH) this.flushSink(sink);
  }

  private flushSink(sink: TableSink): void {
    const p = sink.pending;
    if (p.length === 0) return;
    if (p.length === BATCH) {
      sink.multi.run(p.flat());
    } else {
      for (const r of p) sink.single.run(r);
    }
    sink.pending = [];
  }

  flush(): void {
    for (const sink of this.sinks.values()) this.flushSink(sink);
  }
}
