import { CATALOG_VERSION, classify } from '../catalog/index.js';
import type { Row } from '../ingest/define-parser.js';
import type { Redactor } from '../redact/secrets.js';
import type { DB } from './open.js';
import { CONSTRUCTED_COLUMNS, RAW_TABLES } from './raw-tables.js';
import { hasOther, LOG_STORED_COLUMNS, packedOther, packLog } from './log-shape.js';
import { SKEW_S, skewSeconds } from './clock-skew-sums.js';
import { addExact, exactValue, mergeExact, type ExactSum } from '../util/exact-sum.js';

type Value = string | number | null;

const BATCH = 64;
const RESERVED = new Set(['_id', 'file_id', 'line_no', 'line_count']);

interface TableSink {
  columns: string[];
  /** Which time decides the provisional `in_block` this sink writes (see PROVISIONAL_IN_BLOCK), if any. */
  inBlockBy: readonly string[] | null;
  /** Per column: false when its values are built by the parser and need no redaction. */
  redact: boolean[];
  /**
   * Rows waiting for the next multi-row INSERT, flattened: `width` values per row, written in
   * ascending order. A new array per batch: one kept in the old generation and filled with new
   * strings costs the collector more than it saves.
   */
  pending: Value[];
  /** Values of `pending` in use: `rows * width`. */
  fill: number;
  rows: number;
  width: number;
  single: import('better-sqlite3').Statement;
  multi: import('better-sqlite3').Statement;
}

interface HourlyCount {
  n: number;
  first: string | null;
  last: string | null;
  /** Clock-skew sums (see clock-skew-sums.ts); `skewKnown` false once a time could not be read as SQLite reads it. */
  skewKnown: boolean;
  skewN: number;
  skewOver: number;
  /** Exact, so a file read in pieces stores the same bits as one read whole. */
  skewSum: ExactSum;
  skewLo: number | null;
  skewHi: number | null;
}

/** One log_hourly group of a file, as a piece's parse hands it to the merge (src/ingest/split.ts). */
export type HourlyGroup = [hour: string | null, service: string | null, kind: string | null, level: string | null, klass: string | null, h: HourlyCount];

/** How a dumped table's row maps onto its sink, cached while the parser keeps yielding the same keys. */
interface SrcShape {
  sink: TableSink;
  /** The sink's name in the writer's map: a sink is replaced when a column is added. */
  sinkKey: string;
  keys: string[];
  /** Sink column index of each key. */
  index: number[];
}

/** SQLite column names ignore case: a dump's `Price` and another dump's `price` are one column. */
function columnIndex(columns: string[], name: string): number {
  const i = columns.indexOf(name);
  if (i >= 0) return i;
  const lower = name.toLowerCase();
  return columns.findIndex((c) => c.toLowerCase() === lower);
}

/** `values` has exactly `keys`, in this order (what Object.keys would give), without building the list. */
function sameKeys(keys: string[], values: Row['values']): boolean {
  let i = 0;
  for (const k in values) {
    if (k !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

function hasColumn(columns: string[], name: string): boolean {
  return columnIndex(columns, name) >= 0;
}

/**
 * Raw tables whose rows the writer stores with a provisional `in_block`: 1 when the row has a time,
 * NULL when not — what the model build sets for every row inside the block. The model build then
 * rewrites only the rows outside it, instead of every page of the largest tables (and their WAL
 * copies and checkpoint): the final values are the same either way. The times are the ones the
 * model build's in_block decides on (a SUBSCRIBE capture falls back to the payload's time).
 */
const PROVISIONAL_IN_BLOCK: Record<string, readonly string[]> = { log_events: ['ts'], redis_messages: ['ts', 'payload_ts'] };

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

  /**
   * log_hourly counts of the current file: hour → service → kind → level → class → count and
   * span. Nested maps (null is a key of its own) cost no string building per row.
   */
  private readonly hourly = new Map<string | null, Map<string | null, Map<string | null, Map<string | null, Map<string | null, HourlyCount>>>>>();

  /** The hour string of the previous record and each service's last group: most records hit them. */
  private lastHour: string | null = null;
  private readonly lastGroup = new Map<string | null, { hour: string | null; kind: string | null; level: string | null; klass: string | null; h: HourlyCount }>();

  private countLogRow(values: Row['values'], stored: Value, klass: string | null): void {
    const ts = typeof values.ts === 'string' ? values.ts : null;
    let hour: string | null = null;
    if (ts !== null && this.lastHour !== null && ts.startsWith(this.lastHour)) hour = this.lastHour;
    else if (ts !== null && ts.length >= 13 && ts.charCodeAt(10) === 84 /* T */) hour = this.lastHour = ts.slice(0, 13);
    const service = typeof stored === 'string' ? stored : null;
    const kind = typeof values.kind === 'string' ? values.kind : null;
    const level = typeof values.level === 'string' ? values.level : null;
    const h = this.hourlyGroup(hour, service, kind, level, klass);
    h.n++;
    if (hour !== null) {
      // Records come mostly in time order: a time past the group's last cannot precede its first.
      if (h.last === null) h.first = h.last = ts;
      else if (ts! > h.last) h.last = ts;
      else if (ts! < h.first!) h.first = ts;
    }
    const docker = values.docker_ts;
    if (ts !== null && docker !== null && docker !== undefined && values.ts_text !== null && values.ts_text !== undefined && h.skewKnown) {
      const d = typeof docker === 'string' ? skewSeconds(ts, docker) : null;
      if (d === null) h.skewKnown = false;
      else {
        h.skewN++;
        if (Math.abs(d) > SKEW_S) h.skewOver++;
        // Adding an exact zero leaves the exact sum's value, all that is ever read of it, as it was.
        if (d !== 0) addExact(h.skewSum, d);
        if (h.skewLo === null || d < h.skewLo) h.skewLo = d;
        if (h.skewHi === null || d > h.skewHi) h.skewHi = d;
      }
    }
  }

  private hourlyGroup(hour: string | null, service: string | null, kind: string | null, level: string | null, klass: string | null): HourlyCount {
    const last = this.lastGroup.get(service);
    if (last && last.hour === hour && last.kind === kind && last.level === level && last.klass === klass) return last.h;
    let bySvc = this.hourly.get(hour);
    if (!bySvc) this.hourly.set(hour, (bySvc = new Map()));
    let byKind = bySvc.get(service);
    if (!byKind) bySvc.set(service, (byKind = new Map()));
    let byLevel = byKind.get(kind);
    if (!byLevel) byKind.set(kind, (byLevel = new Map()));
    let byClass = byLevel.get(level);
    if (!byClass) byLevel.set(level, (byClass = new Map()));
    let h = byClass.get(klass);
    if (!h) byClass.set(klass, (h = { n: 0, first: null, last: null, skewKnown: true, skewN: 0, skewOver: 0, skewSum: [], skewLo: null, skewHi: null }));
    this.lastGroup.set(service, { hour, kind, level, klass, h });
    return h;
  }

  /** Write the current file's log_hourly rows (the engine calls this before its last commit). */
  finishFile(): void {
    this.flush();
    this.db.prepare('UPDATE manifest SET catalog_version = ? WHERE id = ?').run(CATALOG_VERSION, this.fileId);
    if (this.hourly.size === 0) return;
    const ins = this.db.prepare(
      'INSERT INTO log_hourly (file_id, service, hour, kind, level, class, n, first_ts, last_ts, skew_n, skew_over, skew_sum, skew_lo, skew_hi) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // Sorted (null first) so the table's row order does not depend on the order records came in.
    const sorted = <V>(m: Map<string | null, V>): [string | null, V][] =>
      [...m.entries()].sort((a, b) => (a[0] === b[0] ? 0 : a[0] === null ? -1 : b[0] === null ? 1 : a[0] < b[0] ? -1 : 1));
    for (const [hour, bySvc] of sorted(this.hourly))
      for (const [service, byKind] of sorted(bySvc))
        for (const [kind, byLevel] of sorted(byKind))
          for (const [level, byClass] of sorted(byLevel))
            for (const [klass, h] of sorted(byClass)) {
              const k = h.skewKnown;
              ins.run(this.fileId, service, hour, kind, level, klass, h.n, h.first, h.last, k ? h.skewN : null, k ? h.skewOver : null, k ? exactValue(h.skewSum) : null, k ? h.skewLo : null, k ? h.skewHi : null);
            }
    this.hourly.clear();
    this.lastGroup.clear();
  }

  /** The current file's log_hourly groups so far (a piece's parse hands them to the merge); they are forgotten here. */
  takeHourly(): HourlyGroup[] {
    const out: HourlyGroup[] = [];
    for (const [hour, bySvc] of this.hourly)
      for (const [service, byKind] of bySvc)
        for (const [kind, byLevel] of byKind)
          for (const [level, byClass] of byLevel) for (const [klass, h] of byClass) out.push([hour, service, kind, level, klass, h]);
    this.hourly.clear();
    this.lastGroup.clear();
    return out;
  }

  /** Count another piece's groups into the current file's, as if its records had been written here. */
  addHourly(groups: HourlyGroup[]): void {
    for (const [hour, service, kind, level, klass, g] of groups) {
      const h = this.hourlyGroup(hour, service, kind, level, klass);
      h.n += g.n;
      if (g.first !== null && (h.first === null || g.first < h.first)) h.first = g.first;
      if (g.last !== null && (h.last === null || g.last > h.last)) h.last = g.last;
      h.skewKnown &&= g.skewKnown;
      h.skewN += g.skewN;
      h.skewOver += g.skewOver;
      mergeExact(h.skewSum, g.skewSum);
      if (g.skewLo !== null && (h.skewLo === null || g.skewLo < h.skewLo)) h.skewLo = g.skewLo;
      if (g.skewHi !== null && (h.skewHi === null || g.skewHi > h.skewHi)) h.skewHi = g.skewHi;
    }
  }

  /**
   * Forget rows not yet inserted and the file's counts (a piece-wise read given up for a whole one).
   * The dumped tables' sinks go too: the rollback may have taken back the table or columns they were made for.
   */
  discardFile(): void {
    for (const [key, sink] of [...this.sinks]) {
      sink.pending = [];
      sink.fill = 0;
      sink.rows = 0;
      if (key.startsWith('src_')) this.sinks.delete(key);
    }
    this.shapes.clear();
    this.hourly.clear();
    this.lastGroup.clear();
    this.fileColumns.clear();
  }

  setFile(fileId: number): void {
    this.hourly.clear();
    this.lastGroup.clear();
    this.fileId = fileId;
    this.shapes.clear();
    this.fileColumns.clear();
  }

  /** Columns of each dumped table the current file wrote, in first-seen order (for a parallel merge). */
  private readonly fileColumns = new Map<string, string[]>();

  takeFileColumns(): [string, string[]][] {
    const out = [...this.fileColumns.entries()];
    this.fileColumns.clear();
    return out;
  }

  /** Make sure `src_<table>` exists with these columns, as if a row with them had been written. */
  ensureSrcColumns(original: string, columns: string[]): void {
    this.srcSink(original, columns);
  }

  private rawSink(table: string): TableSink {
    let sink = this.sinks.get(table);
    if (sink) return sink;
    const def = RAW_TABLES[table];
    if (!def) throw new Error(`parser yielded a row for unknown table ${table}`);
    sink =
      table === 'log_events'
        ? this.makeSink(table, [...LOG_STORED_COLUMNS].slice(3), null, true)
        : this.makeSink(table, Object.keys(def.columns), PROVISIONAL_IN_BLOCK[table] ?? null);
    this.sinks.set(table, sink);
    return sink;
  }

  /** `stored`: `columns` are the table's stored columns, written by writeLog (log_events). */
  private makeSink(table: string, columns: string[], inBlockBy: readonly string[] | null = null, stored = false): TableSink {
    const cols = ['file_id', 'line_no', 'line_count', ...columns, ...(inBlockBy && !stored ? ['in_block'] : [])];
    const one = `(${cols.map(() => '?').join(',')})`;
    const head = `INSERT INTO ${quoteIdent(table)} (${cols.map(quoteIdent).join(',')}) VALUES `;
    const constructed = CONSTRUCTED_COLUMNS[table];
    return {
      columns,
      inBlockBy,
      redact: columns.map((c) => !constructed?.has(c)),
      pending: [],
      fill: 0,
      rows: 0,
      width: cols.length,
      single: this.db.prepare(head + one),
      multi: this.db.prepare(head + Array(BATCH).fill(one).join(',')),
    };
  }

  /** Dumped tables keep their own columns, in `src_<name>`; a column seen later is added. */
  private srcSink(original: string, keys: string[]): { sink: TableSink; key: string } {
    const base = sanitizeName(original);
    const name = `src_${base}`;
    const seen = this.fileColumns.get(base) ?? [];
    for (const k of keys) if (!seen.includes(k)) seen.push(k);
    this.fileColumns.set(base, seen);
    let sink = this.sinks.get(name);
    if (!sink) {
      const existing = this.db.prepare('SELECT columns FROM src_tables WHERE name = ?').get(name) as { columns: string } | undefined;
      let cols: string[] = existing ? JSON.parse(existing.columns) : [];
      if (!existing) {
        this.db.exec(
          `CREATE TABLE IF NOT EXISTS ${quoteIdent(name)} (_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL)`,
        );
      }
      const missing = keys.filter((k) => !hasColumn(cols, k));
      for (const k of missing) this.db.exec(`ALTER TABLE ${quoteIdent(name)} ADD COLUMN ${quoteIdent(k)} TEXT`);
      cols = [...cols, ...missing];
      this.db
        .prepare('INSERT INTO src_tables (name, original, columns) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET columns = excluded.columns')
        .run(name, base, JSON.stringify(cols));
      sink = this.makeSink(name, cols);
      this.sinks.set(name, sink);
    } else {
      const missing = keys.filter((k) => !hasColumn(sink!.columns, k));
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

  /**
   * A dumped column may not take the writer's own names (`_id`, `file_id`, `line_no`,
   * `line_count`), and SQLite column names ignore case: such columns get a `src_` prefix, and
   * a name repeated in another case gets a `_` suffix.
   */
  private safeNames(keys: string[]): string[] {
    const seen = new Set<string>();
    return keys.map((k) => {
      let safe = RESERVED.has(k.toLowerCase()) ? `src_${k}` : k;
      while (seen.has(safe.toLowerCase())) safe = `${safe}_`;
      seen.add(safe.toLowerCase());
      return safe;
    });
  }

  /** Create `src_<table>` with its columns although no row may follow (an exported, empty table). */
  declareSrcTable(original: string, columns: string[]): void {
    this.srcSink(original, this.safeNames(columns));
  }

  private readonly shapes = new Map<string, SrcShape>();


  /** The sink of a dumped table's row and where each of its keys goes, re-derived only when the keys change. */
  private srcShape(table: string, values: Row['values']): SrcShape {
    const cached = this.shapes.get(table);
    if (cached && sameKeys(cached.keys, values) && this.sinks.get(cached.sinkKey) === cached.sink) return cached;
    const keys = Object.keys(values);
    const safe = this.safeNames(keys);
    const { sink, key } = this.srcSink(table.slice(4), safe);
    const shape: SrcShape = { sink, sinkKey: key, keys, index: safe.map((k) => columnIndex(sink.columns, k)) };
    this.shapes.set(table, shape);
    return shape;
  }

  write(row: Row): void {
    const values = row.values;
    let sink: TableSink;
    if (row.table === 'log_events') {
      sink = this.rawSink('log_events');
      this.writeLog(sink, row);
    } else if (row.table.startsWith('src:')) {
      const shape = this.srcShape(row.table, values);
      sink = shape.sink;
      const pending = sink.pending;
      const base = sink.fill;
      pending[base] = this.fileId;
      pending[base + 1] = row.line;
      pending[base + 2] = row.lines;
      for (let i = 0; i < sink.columns.length; i++) pending[base + 3 + i] = null;
      for (let i = 0; i < shape.keys.length; i++) {
        let v = values[shape.keys[i]];
        if (v === undefined) v = null;
        else if (typeof v === 'string') v = this.redactor.text(v);
        pending[base + 3 + shape.index[i]] = v;
      }
      sink.fill = base + sink.width;
    } else {
      sink = this.rawSink(row.table);
      const secretField = row.table === 'settings' && values.is_secret === 1;
      const pending = sink.pending;
      const at = sink.fill;
      pending[at] = this.fileId;
      pending[at + 1] = row.line;
      pending[at + 2] = row.lines;
      const cols = sink.columns;
      for (let i = 0; i < cols.length; i++) {
        let v = values[cols[i]];
        if (v === undefined) v = null;
        else if (typeof v === 'string' && sink.redact[i]) {
          v = secretField && cols[i] === 'value' ? this.redactor.secretValue(v) : this.redactor.text(v);
        }
        pending[at + 3 + i] = v;
      }
      if (sink.inBlockBy !== null) {
        let timed = false;
        for (const c of sink.inBlockBy) if (values[c] !== null && values[c] !== undefined) timed = true;
        pending[at + 3 + cols.length] = timed ? 1 : null;
      }
      sink.fill = at + sink.width;
    }
    this.rowsWritten++;
    if (++sink.rows >= BATCH) this.flushSink(sink);
  }

  /**
   * `write` of a log_events row, in its stored shape (src/db/log-shape.ts): each value read by
   * name once, kind/format/stream/ts_zone/docker_ts packed. Classified once, here, on the stored
   * (redacted) text: a later re-classification of the stored rows (a new catalog version) then
   * gives exactly the classes a fresh ingest would.
   */
  private writeLog(sink: TableSink, row: Row): void {
    const v = row.values;
    const p = sink.pending;
    const at = sink.fill;
    p[at] = this.fileId;
    p[at + 1] = row.line;
    p[at + 2] = row.lines;
    const service = this.memoText(v.service, 0);
    const ts = v.ts ?? null;
    p[at + 3] = service;
    p[at + 4] = ts;
    p[at + 5] = v.ts_text ?? null;
    p[at + 6] = v.level ?? null;
    p[at + 7] = this.memoText(v.logger, 1);
    const message = this.logText(v.message);
    p[at + 8] = message;
    const kind = v.kind ?? null;
    const klass = classify(typeof service === 'string' ? service : null, message as string | null, kind as string | null);
    p[at + 9] = klass;
    // in_block is provisional on ts (PROVISIONAL_IN_BLOCK).
    p[at + 10] = ts !== null ? 1 : null;
    const packed = packLog(kind, v.format, v.stream, v.ts_zone, ts, v.docker_ts);
    p[at + 11] = packed;
    p[at + 12] = packed & 1 ? null : v.docker_ts ?? null;
    p[at + 13] = hasOther(packed) ? packedOther(kind, v.format, v.stream, v.ts_zone) : null;
    sink.fill = at + sink.width;
    this.countLogRow(v, service, klass);
  }

  /**
   * Service and logger repeat from record to record: the redacted text of the last one of each
   * (`slot`) is kept while the redactor learned nothing new. Only a text the redactor left without
   * a replacement is kept, so its count of replacements is what calling it again would give.
   */
  private readonly memoIn: (string | null)[] = [null, null];
  private readonly memoOut: string[] = ['', ''];
  private memoLearned = -1;

  private memoText(v: string | number | null | undefined, slot: number): Value {
    if (typeof v !== 'string') return this.logText(v);
    const learned = this.redactor.learnedCount;
    if (v === this.memoIn[slot] && learned === this.memoLearned) return this.memoOut[slot];
    const before = this.redactor.count;
    const out = this.redactor.text(v);
    if (this.redactor.count === before) {
      if (learned !== this.memoLearned) {
        this.memoIn[0] = this.memoIn[1] = null;
        this.memoLearned = learned;
      }
      this.memoIn[slot] = v;
      this.memoOut[slot] = out;
    }
    return out;
  }

  private logText(v: string | number | null | undefined): Value {
    return v === undefined ? null : typeof v === 'string' ? this.redactor.text(v) : v;
  }

  private flushSink(sink: TableSink): void {
    if (sink.rows === 0) return;
    // Values as arguments, not one array: better-sqlite3 reads an array element by element through
    // V8's generic property lookup, its arguments directly (~15% of an INSERT-bound ingest's CPU).
    if (sink.rows === BATCH) {
      sink.multi.run(...sink.pending);
    } else {
      const w = sink.width;
      for (let r = 0; r < sink.rows; r++) sink.single.run(...sink.pending.slice(r * w, r * w + w));
    }
    sink.pending = [];
    sink.fill = 0;
    sink.rows = 0;
  }

  flush(): void {
    for (const sink of this.sinks.values()) this.flushSink(sink);
  }
}
