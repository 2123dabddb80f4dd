import type { FileHead, Line } from '../../bundle/types.js';
import { batchedRows, defineParser, type ParseContext, type Row, type SniffResult } from '../define-parser.js';
import { identifyTable, uniqueColumnNames } from '../dumps/table-identity.js';

/*
 * psql's aligned output as pasted into notes (psql 15, checked against the real client):
 *
 *    id | symbol   | note                 +----+----------+        -[ RECORD 1 ]-----
 *   ----+----------+-----------           | id | symbol   |        id     | 42
 *    42 | LTC_USDT | line one +           +----+----------+        symbol | LTC_USDT
 *       |          | line two             | 42 | LTC_USDT |
 *   (1 row)                               +----+----------+
 *   (border 1, the default)               (\pset border 2)         (\x expanded)
 *
 * Columns are cut at the rule's `+` positions counted in display columns (psql pads wide CJK and
 * emoji characters by their width), so a `|` inside a value is data. A `+` in a cell's right
 * margin means the value goes on after a line break; a `.` that it was wrapped (format wrapped).
 * The Unicode line style (`─┼│`, `↵`, `…`) is mapped onto the ASCII one, character for character.
 */

const BOX: Record<string, string> = {
  '─': '-', '━': '-', '═': '-', '┼': '+', '╋': '+', '╪': '+', '│': '|', '┃': '|', '║': '|',
  '┌': '+', '┬': '+', '┐': '+', '└': '+', '┴': '+', '┘': '+', '├': '+', '┤': '+', '╞': '+', '╡': '+',
  '╔': '+', '╦': '+', '╗': '+', '╚': '+', '╩': '+', '╝': '+', '╠': '+', '╣': '+', '╬': '+',
};
const BOX_TEST = /[─━═┼╋╪│┃║┌┬┐└┴┘├┤╞╡╔╦╗╚╩╝╠╣╬]/;
const BOX_RE = new RegExp(BOX_TEST.source, 'g');
/**
 * Unicode line style → ASCII. `↵` and `…` are margin marks only on lines drawn with `│`:
 * elsewhere they are data (a DB value may well contain `…`).
 */
const asciiLines = (s: string): string => {
  if (!BOX_TEST.test(s)) return s;
  const t = s.replace(BOX_RE, (c) => BOX[c] ?? c);
  return /[│┃║]/.test(s) ? t.replace(/↵/g, '+').replace(/…/g, '.') : t;
};

const RULE1 = /^-+(\+-+)*$/;
const RULE2 = /^\+-+(\+-+)*\+$/;
const FOOTER = /^\((\d+) rows?\)$/;
const RECORD1 = /^-\[ RECORD \d+ \](-*)$/;
const RECORD2 = /^\+-\[ RECORD \d+ \]-*\+$/;
const PROMPT = /^[A-Za-z0-9_.-]+[=\-(*'"]?[#>] ?(.*)$/;
const PSQL_MESSAGE =
  /^(Time: [\d.,]+ ms.*|Timing is (on|off)\.|Expanded display is (on|off|used automatically)\.|Null display is .*|Pager usage is .*|Border style is \d+\.|Output format is \w+\.|Line style is \w+\.|You are (now )?connected to .*|psql \(\d.*\)|Type "help" for help\.|SET|BEGIN|COMMIT|ROLLBACK)$/;
const SQL_ECHO = /^(select|table|with|from|where|order\s+by|group\s+by|limit|\\[a-z]+)\b/i;
const AGGREGATE = /\b(?:group\s+by|count|sum|avg|min|max|distinct|string_agg|array_agg|having)\b\s*[(]?|\bunion\b|\bjoin\b/i;
const FROM_TABLE = /\b(?:from|table)\s+((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))?)/i;

// ---- display columns ------------------------------------------------------------------------

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** Display width as psql counts it (ucs_wcwidth): combining marks 0, East Asian wide and emoji 2. */
function charWidth(cp: number, ch: string): number {
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(ch)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    cp === 0x2329 ||
    cp === 0x232a ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe10 && cp <= 0xfe19) ||
    (cp >= 0xfe30 && cp <= 0xfe6f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** A line as display columns: a string when every character is one column wide, else one slot per column. */
type Cols = string | string[];

function toCols(line: string): Cols {
  if (/^[\x00-\u02ff]*$/.test(line)) return line;
  const slots: string[] = [];
  for (const ch of line) {
    const w = charWidth(ch.codePointAt(0)!, ch);
    if (w === 0 && slots.length > 0) slots[slots.length - 1] += ch;
    else {
      slots.push(ch);
      if (w === 2) slots.push('');
    }
  }
  return slots;
}

const colAt = (c: Cols, i: number): string | undefined => c[i];
const colSlice = (c: Cols, s: number, e?: number): string => (typeof c === 'string' ? c.slice(s, e) : c.slice(s, e).join(''));
/** Width in columns of a slice, so a margin test can tell whether the line reached it. */
const colLen = (c: Cols): number => c.length;

// ---- aligned tables -------------------------------------------------------------------------

interface Layout {
  border: 1 | 2;
  /** [start, end) of each column's area, padding and margin included, in display columns. */
  cells: [number, number][];
  seps: number[];
  width: number;
}

/** Column areas from a rule line; null when the line is no rule. */
function layoutOf(rule: string): Layout | null {
  const border = RULE2.test(rule) ? 2 : RULE1.test(rule) ? 1 : 0;
  if (border === 0) return null;
  const seps: number[] = [];
  for (let i = 0; i < rule.length; i++) if (rule[i] === '+') seps.push(i);
  const cells: [number, number][] = [];
  if (border === 1) {
    let s = 0;
    for (const p of seps) {
      cells.push([s, p]);
      s = p + 1;
    }
    cells.push([s, rule.length]);
    return { border: 1, cells, seps, width: rule.length };
  }
  for (let k = 0; k + 1 < seps.length; k++) cells.push([seps[k] + 1, seps[k + 1]]);
  return { border: 2, cells, seps, width: rule.length };
}

/** Does a header or data line fit the layout (a `|` wherever the rule has a `+`)? */
function fits(cols: Cols, lay: Layout): boolean {
  if (lay.border === 1 && lay.seps.length === 0) return colLen(cols) <= lay.width + 1 && colSlice(cols, 0).trim() !== '';
  return lay.seps.every((p) => colAt(cols, p) === '|');
}

type More = '' | '+' | '.';

interface Cell {
  text: string;
  more: More;
  /** The cell starts with psql's wrap mark (`.` in the left margin). */
  wrapped: boolean;
}

function cellsOf(cols: Cols, lay: Layout): Cell[] {
  return lay.cells.map(([s, e]) => {
    const seg = colSlice(cols, s, e);
    const reached = colLen(cols) >= e;
    const m = reached ? colAt(cols, e - 1) : undefined;
    const more: More = m === '+' || m === '.' ? m : '';
    const body = more ? colSlice(cols, s, e - 1) : seg;
    const wrapped = body.startsWith('.');
    return { text: (wrapped ? body.slice(1) : body).trim(), more, wrapped };
  });
}

function sniff(head: FileHead): SniffResult | null {
  const lines = head.lines.map(asciiLines);
  for (let i = 1; i < lines.length; i++) {
    if ((RECORD1.test(lines[i - 1]) && /^\S.*? \| ?/.test(lines[i])) || (RECORD2.test(lines[i - 1]) && /^\| \S.*? \| .*\|$/.test(lines[i]))) {
      return { confidence: 85, reason: 'psql expanded output (-[ RECORD 1 ]-)' };
    }
    const lay = layoutOf(lines[i]);
    if (!lay || lay.cells.length < 2) continue;
    const header = toCols(lines[i - 1]);
    if (!fits(header, lay) || (lay.border === 1 && !lines[i - 1].startsWith(' '))) continue;
    if (cellsOf(header, lay).some((c) => c.text === '')) continue;
    const footer = lines.slice(i + 1).some((l) => FOOTER.test(l.trim()));
    const rule = lay.border === 2 ? '+---+' : '---+---';
    return footer
      ? { confidence: 92, reason: `psql aligned table: header, ${rule} rule and "(N rows)" footer` }
      : { confidence: 75, reason: `psql aligned table: a header over a ${rule} rule` };
  }
  return null;
}

interface OpenRow {
  first: number;
  lines: number;
  cells: string[];
  more: More[];
}

interface Expanded {
  border: 1 | 2;
  header: string;
  fields: Line[];
  /** Display column of the `|` between name and value, from the record's first field line. */
  sep: number;
  keys: string[] | null;
  table: string;
  records: number;
}

class AlignedReader {
  /** Outside a table: the last lines, held back because a rule may show that the last one was a header. */
  private pending: Line[] = [];
  private lay: Layout | null = null;
  private keys: string[] = [];
  private table = '';
  private rows = 0;
  private row: OpenRow | null = null;
  private x: Expanded | null = null;
  private queryTable: string | null = null;
  private sawEmpty = false;

  constructor(
    private readonly name: string,
    private readonly ctx: ParseContext,
  ) {}

  *feed(raw: Line): Generator<Row> {
    const line: Line = { lineNo: raw.lineNo, text: asciiLines(raw.text) };
    if (this.lay) {
      const consumed = yield* this.inTable(line);
      if (consumed) return;
    }
    if (this.x) {
      const consumed = yield* this.inExpanded(line);
      if (consumed) return;
    }
    const rec = RECORD1.test(line.text) ? 1 : RECORD2.test(line.text) ? 2 : 0;
    if (rec) {
      this.flushPending();
      this.startExpanded(rec, line);
      return;
    }
    const lay = layoutOf(line.text);
    const header = this.pending[this.pending.length - 1];
    if (lay && header) {
      const hc = toCols(header.text);
      const names = cellsOf(hc, lay).map((c) => c.text);
      const multi = lay.cells.length > 1;
      const padded = lay.border === 2 || header.text.startsWith(' ');
      if (padded && fits(hc, lay) && header.text.includes('|') === multi && (lay.border === 1 || names.some((n) => n !== ''))) {
        this.startTable(lay, names);
        return;
      }
    }
    this.pending.push(line);
    while (this.pending.length > 2) this.outside(this.pending.shift()!);
  }

  *end(): Generator<Row> {
    if (this.lay) yield* this.closeTable(null);
    if (this.x) yield* this.closeExpanded(null);
    this.flushPending();
    if (this.sawEmpty) this.ctx.note('psql aligned output prints NULL and an empty string alike: empty cells are kept as NULL');
  }

  private flushPending(): void {
    for (const l of this.pending) this.outside(l);
    this.pending = [];
  }

  private identify(names: string[], at: number): { keys: string[]; table: string } {
    const u = uniqueColumnNames(names);
    if (u.renamed.length > 0) this.ctx.note(`repeated column names renamed: ${u.renamed.join(', ')}`);
    const id = identifyTable(this.name, u.keys, this.queryTable);
    if (id.note) this.ctx.note(`table at line ${at}: ${id.note}`);
    this.queryTable = null;
    return { keys: u.keys, table: id.table };
  }

  private startTable(lay: Layout, names: string[]): void {
    const header = this.pending.pop()!;
    // With border 2 the header sits between two rules; the top one was held back with it.
    const top = this.pending[this.pending.length - 1];
    const topRule = lay.border === 2 && top !== undefined && layoutOf(top.text)?.border === 2;
    if (topRule) this.pending.pop();
    this.flushPending();
    if (topRule) this.ctx.structural('rule', 1);
    const id = this.identify(names, header.lineNo);
    this.lay = lay;
    this.keys = id.keys;
    this.table = id.table;
    this.rows = 0;
    this.ctx.structural('header', 1);
    this.ctx.structural('rule', 1);
  }

  /** True when the line belonged to the table; false when the table ended before it. */
  private *inTable(line: Line): Generator<Row, boolean> {
    const lay = this.lay!;
    const t = line.text.trim();
    const footer = FOOTER.exec(t);
    if (footer) {
      yield* this.closeTable(Number(footer[1]));
      this.ctx.structural('footer', 1);
      return true;
    }
    if (lay.border === 2 && layoutOf(line.text)?.border === 2) {
      yield* this.flushRow();
      this.ctx.structural('rule', 1);
      return true;
    }
    const cols = toCols(line.text);
    if (t === '' || !fits(cols, lay)) {
      yield* this.closeTable(null);
      return false;
    }
    const cells = cellsOf(cols, lay);
    const open = this.row;
    if (open && open.more.some((m) => m !== '')) {
      cells.forEach((c, k) => {
        if (open.more[k] === '+') open.cells[k] += `\n${c.text}`;
        else if (open.more[k] === '.') open.cells[k] += c.text;
        open.more[k] = c.more;
      });
      open.lines++;
    } else {
      yield* this.flushRow();
      this.row = { first: line.lineNo, lines: 1, cells: cells.map((c) => c.text), more: cells.map((c) => c.more) };
    }
    if (this.row!.more.every((m) => m === '')) yield* this.flushRow();
    return true;
  }

  private *flushRow(): Generator<Row> {
    const r = this.row;
    if (!r) return;
    this.row = null;
    yield this.makeRow(this.table, this.keys, r.cells, r.first, r.lines);
    this.rows++;
  }

  private makeRow(table: string, keys: string[], cells: string[], first: number, lines: number): Row {
    const values: Record<string, string | null> = {};
    keys.forEach((k, i) => {
      const v = cells[i] ?? '';
      if (v === '') this.sawEmpty = true;
      values[k] = v === '' ? null : v;
    });
    return { table: `src:${table}`, line: first, lines, values };
  }

  private *closeTable(footerCount: number | null): Generator<Row> {
    yield* this.flushRow();
    if (footerCount !== null && footerCount !== this.rows) {
      this.ctx.note(`table ${this.table}: the footer says ${footerCount} row(s), ${this.rows} were read (output cut when pasted?)`);
    }
    this.lay = null;
  }

  // ---- expanded (\x) -------------------------------------------------------------------------

  private startExpanded(border: 1 | 2, header: Line): void {
    this.ctx.structural('record-header', 1);
    this.x = { border, header: header.text, fields: [], sep: -1, keys: null, table: '', records: 0 };
  }

  private *inExpanded(line: Line): Generator<Row, boolean> {
    const x = this.x!;
    const t = line.text.trim();
    const footer = FOOTER.exec(t);
    if (footer) {
      yield* this.closeExpanded(Number(footer[1]));
      this.ctx.structural('footer', 1);
      return true;
    }
    const rec = RECORD1.test(line.text) ? 1 : RECORD2.test(line.text) ? 2 : 0;
    if (rec === x.border) {
      yield* this.flushRecord();
      x.header = line.text;
      this.ctx.structural('record-header', 1);
      return true;
    }
    if (x.border === 2 && RULE2.test(line.text)) {
      yield* this.flushRecord();
      this.ctx.structural('rule', 1);
      return true;
    }
    const cols = toCols(line.text);
    if (x.sep < 0) {
      const m = x.border === 1 ? /^\S.*? \| ?/.exec(line.text) : /^\| \S.*? \| ?/.exec(line.text);
      if (m) x.sep = toCols(line.text.slice(0, m[0].lastIndexOf('|'))).length;
    }
    const ok = t !== '' && x.sep > 0 && colAt(cols, x.sep) === '|' && (x.border === 1 || colAt(cols, 0) === '|');
    if (!ok) {
      yield* this.closeExpanded(null);
      return false;
    }
    x.fields.push(line);
    return true;
  }

  /** Turn the buffered field lines of one record into a row. */
  private *flushRecord(): Generator<Row> {
    const x = this.x!;
    const lines = x.fields;
    if (lines.length === 0) return;
    x.fields = [];
    const colsOf = lines.map((l) => toCols(l.text));
    // Border 1 pads values only when a margin mark follows, so the mark sits at the record's full
    // width: one past the header's dashes when it has them (psql 15), else the widest field line.
    const full = RECORD1.exec(x.header)?.[1] ? toCols(x.header).length + 1 : Math.max(...colsOf.map((c) => colLen(c)));
    const names: string[] = [];
    const values: string[] = [];
    let more: More = '';
    colsOf.forEach((c) => {
      const name = colSlice(c, x.border === 2 ? 1 : 0, x.sep).trim();
      const end = x.border === 2 ? colLen(c) - 1 : colLen(c);
      let body = colSlice(c, x.sep + 1, end);
      const mark = colAt(c, end - 1);
      const markHere = (mark === '+' || mark === '.') && (x.border === 2 || colLen(c) === full) ? (mark as More) : '';
      if (markHere) body = body.slice(0, -1);
      if (name === '' && names.length > 0 && more !== '') {
        const b = more === '.' && body.startsWith(' .') ? body.slice(2) : body;
        values[values.length - 1] += (more === '+' ? '\n' : '') + b.trim();
      } else {
        names.push(name);
        values.push(body.trim());
      }
      more = markHere;
    });
    if (!x.keys) {
      const id = this.identify(names, lines[0].lineNo);
      x.keys = id.keys;
      x.table = id.table;
    }
    x.records++;
    yield this.makeRow(x.table, x.keys, values, lines[0].lineNo, lines.length);
  }

  private *closeExpanded(footerCount: number | null): Generator<Row> {
    yield* this.flushRecord();
    const x = this.x!;
    if (footerCount !== null && footerCount !== x.records) {
      this.ctx.note(`table ${x.table || '(expanded)'}: the footer says ${footerCount} row(s), ${x.records} were read (output cut when pasted?)`);
    }
    this.x = null;
  }

  /** A line that belongs to no table. */
  private outside(line: Line): void {
    const t = line.text.trim();
    if (t === '') {
      this.ctx.structural('blank', 1);
      return;
    }
    if (FOOTER.test(t)) {
      this.ctx.structural('footer', 1);
      return;
    }
    if (PSQL_MESSAGE.test(t) || /^(```|~~~)/.test(t)) {
      this.ctx.structural('psql-message', 1);
      return;
    }
    if (RULE2.test(t)) {
      this.ctx.structural('rule', 1);
      return;
    }
    // The query typed at the prompt (or echoed by psql -e) names the table of the output below it.
    const p = PROMPT.exec(line.text);
    const query = p ? p[1] : SQL_ECHO.test(t) ? t : null;
    if (query !== null) {
      const from = FROM_TABLE.exec(query);
      const table = from ? from[1].replace(/\s+/g, '').split('.').pop()!.replace(/"/g, '') : null;
      // Only a plain row selection holds rows of that table; an aggregate or grouped result is a
      // query result of its own and must never be counted as orders, trades, ...
      const derived = AGGREGATE.test(query);
      this.queryTable = table ? (derived ? `query_${table}` : table) : null;
      this.ctx.structural(p ? 'psql-prompt' : 'query', 1);
      return;
    }
    this.ctx.quarantine(line.lineNo, 'text outside a psql table (not a header, rule, row, footer or prompt)', line.text);
  }
}

export default defineParser({
  id: 'psql-aligned',
  title: 'psql aligned table output (header, ---+--- rule, (N rows); also \\x expanded)',
  version: 2,
  kind: 'db-dump',
  tables: ['src:*'],
  specificity: 45,
  // No name pre-filter: dumps arrive as .csv, .txt, .out, .sql or with no extension at all.
  // No name pre-filter: dumps arrive as .csv, .txt, .out, .sql or without an extension.
  claims: {
    sniff,
  },
  async *parse(input, ctx) {
    const reader = new AlignedReader(input.name, ctx);
    yield* batchedRows(input.lines(), (line) => reader.feed(line), () => reader.end());
  },
});
