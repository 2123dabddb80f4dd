import type { FileHead, Line } from '../../bundle/types.js';
import { batchedRows, defineParser, type ParseContext, type ParserDef, type Row, type SniffResult } from '../define-parser.js';
import {
  closingParen,
  CsvAssembler,
  identName,
  qualifiedName,
  splitCopyLine,
  splitTopLevel,
  SqlStatementScanner,
  SqlSyntaxError,
  sqlValue,
  tokenizeSql,
  type CsvEvent,
  type SqlToken,
} from '../dumps/pg-text.js';
import { sanitizeTableName } from '../dumps/table-identity.js';

const COPY_FROM_STDIN = /^COPY\s+\S.*\bFROM\s+stdin\b.*;\s*$/i;
const INSERT_INTO = /^INSERT\s+INTO\s+\S/i;
const DUMP_HEADER = /^-- PostgreSQL database (dump|cluster dump)\s*$/;

/** Keywords a statement may start with; anything else outside a statement is not SQL. */
const STATEMENT_START = new Set([
  'abort', 'alter', 'analyze', 'begin', 'checkpoint', 'close', 'cluster', 'comment', 'commit', 'copy', 'create', 'deallocate',
  'declare', 'delete', 'discard', 'do', 'drop', 'end', 'execute', 'explain', 'fetch', 'grant', 'import', 'insert', 'listen',
  'load', 'lock', 'merge', 'move', 'notify', 'prepare', 'reassign', 'refresh', 'reindex', 'release', 'reset', 'revoke',
  'rollback', 'savepoint', 'security', 'select', 'set', 'show', 'start', 'table', 'truncate', 'unlisten', 'update', 'vacuum',
  'values', 'with',
]);
/**
 * A line starting with one of these at column 0 while a statement is still open means that
 * statement lost its `;` (pg_dump indents continuation lines): refuse it instead of swallowing the rest.
 */
const FRESH_START = /^(INSERT\s+INTO|COPY|CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT\s+ON|COMMIT|TRUNCATE|DELETE\s+FROM)\b/i;
const MAX_GROUP_CHARS = 16 * 1024 * 1024;

function sniff(head: FileHead): SniffResult | null {
  const lines = head.lines;
  if (lines.slice(0, 20).some((l) => DUMP_HEADER.test(l))) return { confidence: 100, reason: 'pg_dump header "-- PostgreSQL database dump"' };
  const copies = lines.filter((l) => COPY_FROM_STDIN.test(l)).length;
  if (copies > 0 && lines.some((l) => l === '\\.')) return { confidence: 95, reason: `${copies} COPY ... FROM stdin block(s)` };
  if (copies > 0) return { confidence: 80, reason: 'COPY ... FROM stdin (block end not in the head)' };
  const inserts = lines.filter((l) => INSERT_INTO.test(l)).length;
  if (inserts > 0 && /\bVALUES\b/i.test(head.text)) {
    const sqlish = lines.filter((l) => l.trim() === '' || /^(--|INSERT|SET|SELECT|CREATE|ALTER|BEGIN|COMMIT|\s)/i.test(l) || /^\\/.test(l)).length;
    if (sqlish >= lines.length * 0.5) return { confidence: 85, reason: `${inserts} INSERT INTO ... VALUES statement(s)` };
  }
  if (lines.some((l) => /^CREATE\s+TABLE\s/i.test(l)) && lines.some((l) => /\);\s*$/.test(l))) {
    return { confidence: 35, reason: 'SQL schema (CREATE TABLE), no data statements in the head' };
  }
  return null;
}

/** One consumer of the physical lines of a statement group, in priority order. */
type Item =
  | { kind: 'row'; first: number; last: number; table: string; values: Record<string, string | null> }
  | { kind: 'structural'; first: number; last: number; counter: string }
  | { kind: 'quarantine'; first: number; last: number; reason: string };

interface CopyState {
  table: string;
  columns: string[];
  csv: CsvAssembler | null;
  delimiter: string;
  nullMarker: string;
  headerPending: boolean;
  headerLine: number;
  /** Set when the COPY statement itself could not be read: every data line is refused with this reason. */
  refuse?: string;
  /** `src:<table>`, made once per block. */
  srcTable?: string;
}

interface InsertResult {
  table: string;
  tuples: ({ open: SqlToken; close: SqlToken; values: Record<string, string | null> } | { open: SqlToken; close: SqlToken; error: string })[];
}

class DumpReader {
  private readonly scanner = new SqlStatementScanner();
  private group: Line[] = [];
  private groupChars = 0;
  private copy: CopyState | null = null;
  private scs = true;
  private atomic = false;
  /** The head of the last `INSERT INTO t (...) VALUES`, to skip re-reading it on the next row. */
  private insertHead: { text: string; table: string; columns: string[] | null } | null = null;
  private readonly databases: string[] = [];
  /** Columns from CREATE TABLE / ALTER TABLE ADD COLUMN, for INSERTs and COPYs without a column list. */
  private readonly tableColumns = new Map<string, string[]>();
  private readonly positional = new Set<string>();
  private readonly ignored = new Map<string, number>();
  private readonly expressionColumns = new Set<string>();

  constructor(private readonly ctx: ParseContext) {}

  *feed(line: Line): Generator<Row> {
    if (this.copy) {
      yield* this.copyLine(line);
      return;
    }
    const text = line.text;
    if (this.group.length > 0) {
      if (this.scanner.atTopLevel && FRESH_START.test(text)) {
        this.refuseGroup('statement not terminated by ";" before the next statement');
      } else {
        yield* this.addToGroup(line);
        return;
      }
    }
    const trimmed = text.trim();
    if (trimmed === '') {
      this.ctx.structural('blank', 1);
      return;
    }
    if (trimmed.startsWith('--')) {
      this.ctx.structural('comment', 1);
      return;
    }
    if (text.startsWith('\\')) {
      // psql meta-commands outside data: \restrict / \unrestrict (pg_dump 15.14+), \connect, \set ...
      const db = /^\\(?:connect|c)\s+(?:-reuse-previous=\S+\s+)?("[^"]*"|\S+)/.exec(text);
      if (db) this.databases.push(db[1].replace(/"/g, ''));
      // psql's own `\copy t FROM stdin` in a script: the data follows inline, as after COPY.
      if (/^\\copy\s/i.test(text) && /\bfrom\s+stdin\b/i.test(text)) {
        try {
          const c = this.copyHeader(tokenizeSql(text.slice(1), { standardConformingStrings: this.scs }));
          if (!('error' in c) && c.state) {
            c.state.headerLine = line.lineNo;
            this.copy = c.state;
            this.ctx.declareTable?.(c.state.table, c.state.columns);
            this.ctx.structural('copy-header', 1);
            return;
          }
        } catch (e) {
          if (!(e instanceof SqlSyntaxError)) throw e;
        }
      }
      this.ctx.structural('psql-meta', 1);
      return;
    }
    const word = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toLowerCase();
    if (trimmed.startsWith('/*') || (word !== undefined && STATEMENT_START.has(word))) {
      yield* this.addToGroup(line);
      return;
    }
    this.ctx.quarantine(line.lineNo, 'not an SQL statement, comment or psql meta-command (outside any COPY block)', text);
  }

  *end(): Generator<Row> {
    if (this.copy) {
      if (this.copy.csv) for (const ev of this.copy.csv.end()) yield* this.copyCsvEvent(ev);
      this.ctx.note(`COPY block for ${this.copy.table} (line ${this.copy.headerLine}) has no "\\." end line: the dump is truncated`);
      this.copy = null;
    }
    if (this.group.length > 0) this.refuseGroup('statement not terminated by ";" at the end of the file (truncated dump?)');
    if (this.databases.length > 1) {
      this.ctx.note(`the dump connects to ${this.databases.length} databases (${this.databases.join(', ')}): tables of the same name are kept together`);
    }
    for (const t of [...this.positional].sort()) {
      this.ctx.note(`table ${t}: data without a column list and no CREATE TABLE in the file; columns named c1..cN`);
    }
    for (const [k, n] of [...this.ignored.entries()].sort()) this.ctx.note(`${n} ${k} statement(s) not applied: only the data as dumped is kept`);
    for (const c of [...this.expressionColumns].sort()) this.ctx.note(`${c}: value is an SQL expression, kept as its source text`);
  }

  private *addToGroup(line: Line): Generator<Row> {
    this.group.push(line);
    this.groupChars += line.text.length + 1;
    const r = this.scanner.feed(line.text);
    // SQL-standard function bodies (`BEGIN ATOMIC ... END;`) hold `;` of their own.
    if (this.scanner.atTopLevel && /\bBEGIN\s+ATOMIC\s*$/i.test(line.text)) this.atomic = true;
    if (r.endsStatement && this.atomic && !/^\s*END\s*;\s*$/i.test(line.text)) return;
    if (r.endsStatement) {
      this.atomic = false;
      yield* this.processGroup();
      return;
    }
    if (this.groupChars > MAX_GROUP_CHARS) this.refuseGroup(`statement runs over ${MAX_GROUP_CHARS >> 20} MiB without ending in ";"`);
  }

  private refuseGroup(reason: string): void {
    this.atomic = false;
    for (const l of this.group) this.ctx.quarantine(l.lineNo, reason, l.text);
    this.group = [];
    this.groupChars = 0;
    this.scanner.reset();
  }

  // ---- COPY data --------------------------------------------------------------------------

  private emptyCopy(table: string): CopyState {
    return { table, columns: [], csv: null, delimiter: '\t', nullMarker: '\\N', headerPending: false, headerLine: 0 };
  }

  /**
   * The usual COPY text data line, made into its row without the generators of feed(): a block
   * with columns, not CSV, not refused, a line that splits cleanly into as many fields as columns.
   * Null for any other line, which feed() then reads (this one changed nothing).
   */
  copyDataRow(line: Line): Row[] | null {
    const cp = this.copy;
    if (cp === null || cp.refuse !== undefined || cp.csv !== null || line.text === '\\.') return null;
    const cols = cp.columns;
    if (cols.length === 0) return null;
    const r = splitCopyLine(line.text, cp.delimiter, cp.nullMarker);
    if (!r.ok || r.fields.length !== cols.length) return null;
    const values: Record<string, string | null> = {};
    for (let i = 0; i < cols.length; i++) values[cols[i]] = r.fields[i];
    if (cp.srcTable === undefined) cp.srcTable = `src:${cp.table}`;
    return [{ table: cp.srcTable, line: line.lineNo, lines: 1, values }];
  }

  private *copyLine(line: Line): Generator<Row> {
    const cp = this.copy!;
    if (cp.refuse !== undefined) {
      if (line.text === '\\.') this.endCopy();
      else this.ctx.quarantine(line.lineNo, cp.refuse, line.text);
      return;
    }
    if (cp.csv) {
      if (cp.csv.idle && line.text === '\\.') {
        this.endCopy();
        return;
      }
      for (const ev of cp.csv.push(line)) yield* this.copyCsvEvent(ev);
      return;
    }
    if (line.text === '\\.') {
      this.endCopy();
      return;
    }
    const r = splitCopyLine(line.text, cp.delimiter, cp.nullMarker);
    if (!r.ok) {
      this.ctx.quarantine(line.lineNo, `COPY data for ${cp.table}: ${r.reason}`, line.text);
      return;
    }
    yield* this.copyRecord(r.fields, line.lineNo, 1, line.text);
  }

  private *copyCsvEvent(ev: CsvEvent): Generator<Row> {
    const cp = this.copy!;
    if (ev.kind === 'unbalanced') {
      this.ctx.quarantine(ev.line.lineNo, `COPY CSV data for ${cp.table}: ${ev.reason}`, ev.line.text);
      return;
    }
    const { fields, lines } = ev.record;
    if (cp.headerPending) {
      cp.headerPending = false;
      this.ctx.structural('copy-csv-header', lines.length);
      return;
    }
    const values = fields.map((f) => (!f.quoted && f.text === cp.nullMarker ? null : f.text));
    const rows = [...this.copyRecord(values, lines[0].lineNo, lines.length, lines.map((l) => l.text).join('\n'))];
    if (rows.length === 0) for (const l of lines.slice(1)) this.ctx.quarantine(l.lineNo, `part of the refused record starting at line ${lines[0].lineNo}`, l.text);
    yield* rows;
  }

  private *copyRecord(fields: (string | null)[], lineNo: number, span: number, text: string): Generator<Row> {
    const cp = this.copy!;
    let cols = cp.columns;
    if (cols.length === 0) {
      cols = fields.map((_, i) => `c${i + 1}`);
      this.positional.add(cp.table);
    }
    if (fields.length !== cols.length) {
      this.ctx.quarantine(
        lineNo,
        `COPY data for ${cp.table} has ${fields.length} field(s), expected ${cols.length} (${cols.slice(0, 6).join(', ')}${cols.length > 6 ? ', ...' : ''})`,
        text,
      );
      return;
    }
    const values: Record<string, string | null> = {};
    cols.forEach((c, i) => (values[c] = fields[i]));
    yield { table: `src:${cp.table}`, line: lineNo, lines: span, values };
  }

  private endCopy(): void {
    this.ctx.structural('copy-end', 1);
    this.copy = null;
  }

  // ---- statements -------------------------------------------------------------------------

  private *processGroup(): Generator<Row> {
    const lines = this.group;
    this.group = [];
    this.groupChars = 0;
    this.scanner.reset();
    const text = lines.map((l) => l.text).join('\n');
    const starts: number[] = [];
    let off = 0;
    for (const l of lines) {
      starts.push(off);
      off += l.text.length + 1;
    }
    const lineAt = (offset: number): number => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    // pg_dump --column-inserts repeats one `INSERT INTO t (...) VALUES` head per row: read it once.
    const head = this.insertHead;
    let fast = head !== null && text.startsWith(head.text) && /[\s(]/.test(text[head.text.length] ?? '');
    let toks: SqlToken[];
    try {
      toks = tokenizeSql(text, { standardConformingStrings: this.scs }, fast ? head!.text.length : 0);
      if (fast && toks[0]?.type === 'punct' && toks[0].value === ';') {
        // No tuple after the head: read the whole statement so it is refused as itself.
        fast = false;
        toks = tokenizeSql(text, { standardConformingStrings: this.scs });
      }
    } catch (e) {
      if (!(e instanceof SqlSyntaxError)) throw e;
      for (const l of lines) this.ctx.quarantine(l.lineNo, `SQL statement cannot be read: ${e.message}`, l.text);
      return;
    }
    const statements: SqlToken[][] = [];
    let cur: SqlToken[] = [];
    let atomic = false;
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k];
      if (t.type === 'ident' && t.value === 'atomic' && toks[k - 1]?.type === 'ident' && toks[k - 1].value === 'begin') atomic = true;
      else if (atomic && t.type === 'ident' && t.value === 'end' && toks[k + 1]?.value === ';') atomic = false;
      if (t.type === 'punct' && t.value === ';' && !atomic) {
        if (cur.length > 0) statements.push(cur);
        cur = [];
      } else cur.push(t);
    }
    if (cur.length > 0) statements.push(cur);

    const rows: Item[] = [];
    const rest: Item[] = [];
    const span = (a: SqlToken, b: SqlToken): { first: number; last: number } => ({ first: lineAt(a.start), last: lineAt(Math.max(a.start, b.end - 1)) });
    let startCopy: CopyState | null = null;
    statements.forEach((st, index) => {
      const whole = span(st[0], st[st.length - 1]);
      const kw = st[0].type === 'ident' ? st[0].value : '';
      const headless = fast && index === 0;
      if (headless) whole.first = 0;
      if (kw === 'insert' || headless) {
        const r = headless ? this.tuples(st, 0, head!.table, head!.columns, text) : this.insert(st, text);
        if ('error' in r) {
          rest.push({ kind: 'quarantine', ...whole, reason: r.error });
          return;
        }
        for (const t of r.tuples) {
          const s = span(t.open, t.close);
          if ('error' in t) rows.push({ kind: 'quarantine', ...s, reason: t.error });
          else rows.push({ kind: 'row', ...s, table: r.table, values: t.values });
        }
        rest.push({ kind: 'structural', ...whole, counter: 'insert-syntax' });
        return;
      }
      if (kw === 'copy') {
        const c = this.copyHeader(st);
        if ('error' in c) {
          rest.push({ kind: 'quarantine', ...whole, reason: c.error });
          if (st.some((t) => t.type === 'ident' && t.value === 'stdin')) {
            // Its data block still follows: refuse it line by line up to `\.` rather than read it as SQL.
            startCopy = { ...this.emptyCopy('unreadable'), refuse: `data of a COPY statement that cannot be read (line ${lines[whole.first].lineNo}): ${c.error}` };
          }
        } else if (c.state) {
          c.state.headerLine = lines[whole.first].lineNo;
          startCopy = c.state;
          rest.push({ kind: 'structural', ...whole, counter: 'copy-header' });
        } else {
          rest.push({ kind: 'structural', ...whole, counter: 'statement' });
          this.count('COPY (to or from a file)');
        }
        return;
      }
      rest.push({ kind: 'structural', ...whole, counter: this.statement(st, kw) });
    });
    if (statements.length === 0) rest.push({ kind: 'structural', first: 0, last: lines.length - 1, counter: 'comment' });
    yield* this.assign(lines, [...rows, ...rest]);
    // Assigned inside the callback above, which TypeScript's narrowing cannot see.
    const sc = startCopy as CopyState | null;
    if (sc) {
      this.copy = sc;
      if (!(sc as { refuse?: string }).refuse) this.ctx.declareTable?.(sc.table, sc.columns);
    }
  }

  /** Give each physical line to the first item that covers it: rows first, so a row owns its lines. */
  private *assign(lines: Line[], items: Item[]): Generator<Row> {
    const owner: (Item | undefined)[] = new Array(lines.length);
    for (const it of items) for (let k = it.first; k <= it.last; k++) if (!owner[k]) owner[k] = it;
    const owned = new Map<Item, number>();
    for (let k = 0; k < lines.length; k++) {
      const it = owner[k];
      if (!it) {
        this.ctx.structural('statement', 1);
        continue;
      }
      owned.set(it, (owned.get(it) ?? 0) + 1);
      if (it.kind === 'structural') this.ctx.structural(it.counter, 1);
      else if (it.kind === 'quarantine') this.ctx.quarantine(lines[k].lineNo, it.reason, lines[k].text);
    }
    for (const it of items) {
      if (it.kind === 'row') {
        yield { table: `src:${it.table}`, line: lines[it.first].lineNo, lines: owned.get(it) ?? 0, values: it.values };
      } else if (it.kind === 'quarantine' && !owned.has(it)) {
        // Its lines went to rows of the same statement: say so rather than lose it.
        this.ctx.note(`line ${lines[it.first].lineNo}: ${it.reason}`);
      }
    }
  }

  private count(kind: string): void {
    this.ignored.set(kind, (this.ignored.get(kind) ?? 0) + 1);
  }

  /** Non-data statements: remember what helps reading data, name the structural counter. */
  private statement(st: SqlToken[], kw: string): string {
    const w = (k: number): string => (st[k]?.type === 'ident' ? st[k].value : '');
    switch (kw) {
      case 'set':
        if (w(1) === 'standard_conforming_strings') {
          const v = st.slice(2).find((t) => t.type === 'ident' || t.type === 'string');
          if (v) this.scs = this.scanner.standardConformingStrings = !['off', 'false', '0'].includes(v.value.toLowerCase());
        }
        return 'set';
      case 'select':
        if (w(1) === 'pg_catalog' && st[2]?.value === '.' && w(3) === 'setval') return 'setval';
        if (w(1) === 'pg_catalog' && st[2]?.value === '.' && w(3) === 'set_config') return 'set';
        return 'select';
      case 'begin':
      case 'commit':
      case 'start':
      case 'end':
      case 'rollback':
      case 'abort':
      case 'savepoint':
      case 'release':
        return 'transaction';
      case 'create':
        this.createTable(st);
        return 'ddl';
      case 'alter':
        this.alterTable(st);
        return 'ddl';
      case 'update':
      case 'delete':
      case 'truncate':
      case 'merge':
        this.count(kw.toUpperCase());
        return 'statement';
      default:
        return 'ddl';
    }
  }

  private createTable(st: SqlToken[]): void {
    let k = 1;
    while (['global', 'local', 'temp', 'temporary', 'unlogged'].includes(st[k]?.value) && st[k].type === 'ident') k++;
    if (!(st[k]?.type === 'ident' && st[k].value === 'table')) return;
    k++;
    if (st[k]?.value === 'if' && st[k + 1]?.value === 'not' && st[k + 2]?.value === 'exists') k += 3;
    const q = qualifiedName(st, k);
    if (!q || !(st[q.next]?.type === 'punct' && st[q.next].value === '(')) return;
    const close = closingParen(st, q.next);
    if (close < 0) return;
    const cols: string[] = [];
    for (const el of splitTopLevel(st.slice(q.next + 1, close))) {
      const head = el[0];
      if (!head) continue;
      if (head.type === 'ident' && ['constraint', 'primary', 'unique', 'check', 'foreign', 'exclude', 'like'].includes(head.value)) continue;
      const name = identName(head);
      if (name !== null) cols.push(name);
    }
    if (cols.length > 0) this.tableColumns.set(sanitizeTableName(q.name), cols);
  }

  private alterTable(st: SqlToken[]): void {
    if (st[1]?.value !== 'table') return;
    let k = 2;
    if (st[k]?.value === 'if' && st[k + 1]?.value === 'exists') k += 2;
    if (st[k]?.value === 'only') k++;
    const q = qualifiedName(st, k);
    if (!q) return;
    const table = sanitizeTableName(q.name);
    const cols = this.tableColumns.get(table);
    if (!cols) return;
    for (const action of splitTopLevel(st.slice(q.next))) {
      let a = 0;
      if (action[a]?.value !== 'add') continue;
      a++;
      if (action[a]?.value === 'column') a++;
      else if (['constraint', 'primary', 'unique', 'check', 'foreign', 'exclude'].includes(action[a]?.value)) continue;
      if (action[a]?.value === 'if' && action[a + 1]?.value === 'not' && action[a + 2]?.value === 'exists') a += 3;
      const name = identName(action[a]);
      if (name !== null && !cols.includes(name)) cols.push(name);
    }
  }

  /** `(a, "b", c)` at toks[i] → names and the index after `)`. */
  private columnList(st: SqlToken[], i: number): { cols: string[]; next: number } | null {
    if (!(st[i]?.type === 'punct' && st[i].value === '(')) return null;
    const close = closingParen(st, i);
    if (close < 0) return null;
    const cols: string[] = [];
    for (const el of splitTopLevel(st.slice(i + 1, close))) {
      const n = el.length === 1 ? identName(el[0]) : null;
      if (n === null) return null;
      cols.push(n);
    }
    return { cols, next: close + 1 };
  }

  private copyHeader(st: SqlToken[]): { state: CopyState | null } | { error: string } {
    let k = 1;
    if (st[k]?.value === 'only' && st[k].type === 'ident') k++;
    if (st[k]?.type === 'punct' && st[k].value === '(') return { state: null }; // COPY (query) TO ...
    const q = qualifiedName(st, k);
    if (!q) return { error: 'COPY statement without a table name' };
    k = q.next;
    let columns: string[] = [];
    const list = this.columnList(st, k);
    if (list) {
      columns = list.cols;
      k = list.next;
    } else if (st[k]?.type === 'punct' && st[k].value === '(') {
      return { error: 'COPY column list cannot be read' };
    }
    if (st[k]?.value !== 'from') return { state: null };
    if (!(st[k + 1]?.type === 'ident' && st[k + 1].value === 'stdin')) return { state: null };
    const table = sanitizeTableName(q.name);
    if (columns.length === 0) columns = [...(this.tableColumns.get(table) ?? [])];
    const opts = this.copyOptions(st.slice(k + 2));
    if ('error' in opts) return opts;
    return {
      state: {
        table,
        columns,
        csv: opts.csv ? new CsvAssembler({ delimiter: opts.delimiter ?? ',', quote: opts.quote ?? '"' }) : null,
        delimiter: opts.delimiter ?? '\t',
        nullMarker: opts.nullMarker ?? (opts.csv ? '' : '\\N'),
        headerPending: opts.csv && opts.header,
        headerLine: 0,
      },
    };
  }

  /** COPY options, new (`WITH (FORMAT csv, HEADER)`) and old (`WITH CSV HEADER DELIMITER ','`) syntax. */
  private copyOptions(
    toks: SqlToken[],
  ): { csv: boolean; header: boolean; delimiter?: string; nullMarker?: string; quote?: string } | { error: string } {
    const o: { csv: boolean; header: boolean; delimiter?: string; nullMarker?: string; quote?: string } = { csv: false, header: false };
    let list = toks;
    if (list[0]?.value === 'with') list = list.slice(1);
    if (list[0]?.type === 'punct' && list[0].value === '(') {
      const close = closingParen(list, 0);
      list = close > 0 ? splitTopLevel(list.slice(1, close)).flatMap((p) => p) : [];
    }
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      if (t.type !== 'ident') continue;
      const next = list[i + 1]?.value === 'as' ? list[i + 2] : list[i + 1];
      const arg = next && (next.type === 'string' || next.type === 'ident') ? next.value : undefined;
      switch (t.value) {
        case 'format':
          if (arg === 'binary') return { error: 'COPY in binary format cannot be read as text' };
          o.csv = arg === 'csv';
          i++;
          break;
        case 'csv':
          o.csv = true;
          break;
        case 'binary':
          return { error: 'COPY in binary format cannot be read as text' };
        case 'header':
          o.header = !(arg === 'false' || arg === 'off' || arg === '0');
          if (arg !== undefined && ['true', 'false', 'on', 'off', 'match'].includes(arg)) i++;
          break;
        case 'delimiter':
          if (arg !== undefined) o.delimiter = arg;
          i += list[i + 1]?.value === 'as' ? 2 : 1;
          break;
        case 'null':
          if (arg !== undefined) o.nullMarker = arg;
          i += list[i + 1]?.value === 'as' ? 2 : 1;
          break;
        case 'quote':
          if (arg !== undefined) o.quote = arg;
          i += list[i + 1]?.value === 'as' ? 2 : 1;
          break;
        default:
          break;
      }
    }
    return o;
  }

  private insert(st: SqlToken[], text: string): InsertResult | { error: string } {
    if (st[1]?.value !== 'into') return { error: 'INSERT without INTO' };
    let k = 2;
    if (st[k]?.value === 'only' && st[k].type === 'ident') k++;
    const q = qualifiedName(st, k);
    if (!q) return { error: 'INSERT INTO without a table name' };
    const table = sanitizeTableName(q.name);
    k = q.next;
    if (st[k]?.value === 'as' && st[k].type === 'ident') k += 2;
    let columns: string[] | null = null;
    const list = this.columnList(st, k);
    if (list) {
      columns = list.cols;
      k = list.next;
    }
    if (st[k]?.value === 'overriding') k += 3; // OVERRIDING SYSTEM|USER VALUE (pg_dump --inserts on identity columns)
    if (st[k]?.value !== 'values' || st[k].type !== 'ident') {
      const what = st[k]?.value === 'default' ? 'DEFAULT VALUES' : st[k]?.value === 'select' ? 'INSERT ... SELECT' : `"${st[k]?.value ?? ''}"`;
      return { error: `INSERT into ${table} has no VALUES list (${what}): no data to read` };
    }
    if (st[0].start === 0) this.insertHead = { text: text.slice(0, st[k].end), table, columns };
    return this.tuples(st, k + 1, table, columns, text);
  }

  /** The `(...), (...)` after VALUES, from st[k]. */
  private tuples(st: SqlToken[], k: number, table: string, columns: string[] | null, text: string): InsertResult | { error: string } {
    const known = columns ?? this.tableColumns.get(table) ?? null;
    const tuples: InsertResult['tuples'] = [];
    while (k < st.length) {
      const open = st[k];
      if (!(open.type === 'punct' && open.value === '(')) break;
      const c = closingParen(st, k);
      if (c < 0) return { error: `INSERT into ${table}: a VALUES tuple has no closing parenthesis` };
      const close = st[c];
      const elems = c === k + 1 ? [] : splitTopLevel(st.slice(k + 1, c));
      const cols = known ?? elems.map((_, i) => `c${i + 1}`);
      if (!known) this.positional.add(table);
      if (elems.length !== cols.length) {
        tuples.push({
          open,
          close,
          error: `INSERT into ${table} has ${elems.length} value(s), expected ${cols.length} (${cols.slice(0, 6).join(', ')}${cols.length > 6 ? ', ...' : ''})`,
        });
      } else {
        const values: Record<string, string | null> = {};
        for (let i = 0; i < elems.length; i++) {
          const v = sqlValue(elems[i], text);
          if (v.expression) this.expressionColumns.add(`${table}.${cols[i]}`);
          values[cols[i]] = v.value;
        }
        tuples.push({ open, close, values });
      }
      k = c + 1;
      if (st[k]?.type === 'punct' && st[k].value === ',') k++;
      else break;
    }
    if (tuples.length === 0) return { error: `INSERT into ${table}: VALUES without a tuple` };
    // Anything left must be a tail clause; stray tokens mean the statement was not understood.
    if (k < st.length && !['on', 'returning'].includes(st[k].value)) {
      return { error: `INSERT into ${table}: unexpected "${text.slice(st[k].start, st[k].end)}" after the VALUES list` };
    }
    return { table, tuples };
  }
}

/** `fast`: clean COPY data lines skip feed() (off only to test that it changes nothing). */
function dumpParse(fast: boolean): ParserDef['parse'] {
  return async function* parse(input, ctx) {
    const reader = new DumpReader(ctx);
    const feed = fast ? (line: Line) => reader.copyDataRow(line) ?? reader.feed(line) : (line: Line) => reader.feed(line);
    yield* batchedRows(input.lines(), feed, () => reader.end());
  };
}

const definition: ParserDef = {
  id: 'pg-dump',
  title: 'pg_dump plain SQL (COPY blocks, --inserts, --column-inserts)',
  version: 1,
  kind: 'db-dump',
  tables: ['src:*'],
  specificity: 60,
  // No name pre-filter: dumps arrive as .csv, .txt, .out, .sql or without an extension.
  claims: {
    sniff,
  },
  parse: dumpParse(true),
};

export default defineParser(definition);

/** The same parser with every line through feed(): the reference the fast path is tested against. */
export const feedOnly: ParserDef = { ...definition, parse: dumpParse(false) };
