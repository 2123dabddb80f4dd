/**
 * The text forms PostgreSQL writes data in, read back to the text values it printed:
 * COPY text format (pg_dump's data blocks), SQL literals (pg_dump --inserts), and CSV records
 * (psql \copy ... CSV HEADER, COPY ... WITH CSV) that may span several physical lines.
 *
 * Everything here is pure and line-oriented, so the parsers can stream.
 */
import type { Line } from '../../bundle/types.js';

// ---------------------------------------------------------------------------------------------
// COPY text format
// ---------------------------------------------------------------------------------------------

export type CopyLineResult = { ok: true; fields: (string | null)[] } | { ok: false; reason: string };

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Split one COPY text-format data line into fields and unescape them.
 * The NULL marker is compared with the field as written (before unescaping), as the server does,
 * so `\\N` is the two characters `\N`, not NULL.
 */
export function splitCopyLine(line: string, delimiter = '\t', nullMarker = '\\N'): CopyLineResult {
  const raw = copyRawFields(line, delimiter);
  const fields: (string | null)[] = [];
  for (let k = 0; k < raw.length; k++) {
    const r = raw[k];
    if (r === nullMarker) {
      fields.push(null);
      continue;
    }
    const u = unescapeCopyField(r);
    if (u === null) return { ok: false, reason: `field ${k + 1} ends in a lone backslash` };
    fields.push(u);
  }
  return { ok: true, fields };
}

/** cutCopyLine's fields, by a plain split when no backslash stands right before a delimiter (then none is escaped). */
export function copyRawFields(line: string, delimiter: string): string[] {
  return delimiter.length === 1 && delimiter !== '\\' && line.indexOf('\\' + delimiter) < 0 ? line.split(delimiter) : cutCopyLine(line, delimiter);
}

/** The fields of a COPY line as written, cut at every delimiter no backslash escapes. */
export function cutCopyLine(line: string, delimiter: string): string[] {
  const raw: string[] = [];
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      // An escaped delimiter is data, so the character after a backslash never splits.
      i++;
      continue;
    }
    if (c === delimiter) {
      raw.push(line.slice(start, i));
      start = i + 1;
    }
  }
  raw.push(line.slice(start));
  return raw;
}

const isOct = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/**
 * Undo COPY text-format escaping. `\ooo` and `\xHH` give bytes (a run of them may form one
 * UTF-8 character), any other escaped character stands for itself. Returns null when the field
 * ends in a lone backslash, which the server itself would reject.
 */
export function unescapeCopyField(s: string): string | null {
  if (!s.includes('\\')) return s;
  let out = '';
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) {
      out += utf8.decode(Uint8Array.from(bytes));
      bytes = [];
    }
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    if (i + 1 >= s.length) return null;
    const n = s[i + 1];
    if (isOct(n)) {
      let j = i + 1;
      let v = 0;
      while (j < s.length && j < i + 4 && isOct(s[j])) v = v * 8 + (s.charCodeAt(j++) - 48);
      bytes.push(v & 0xff);
      i = j - 1;
      continue;
    }
    if (n === 'x' && isHex(s[i + 2])) {
      let j = i + 2;
      let h = '';
      while (j < s.length && j < i + 4 && isHex(s[j])) h += s[j++];
      bytes.push(parseInt(h, 16));
      i = j - 1;
      continue;
    }
    flushBytes();
    out += SIMPLE_ESCAPES[n] ?? n;
    i++;
  }
  flushBytes();
  return out;
}

// ---------------------------------------------------------------------------------------------
// SQL lexing
// ---------------------------------------------------------------------------------------------

export type SqlTokenType = 'ident' | 'qident' | 'string' | 'number' | 'punct' | 'op' | 'param';

export interface SqlToken {
  type: SqlTokenType;
  /** ident: lower-cased; qident: unquoted, case kept; string: the value; others: the text. */
  value: string;
  start: number;
  end: number;
}

export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

export interface SqlLexOptions {
  /** `SET standard_conforming_strings = off` makes backslashes escapes in plain '' strings too. */
  standardConformingStrings?: boolean;
}

function isIdentStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code >= 0x80;
}
function isIdentPart(code: number): boolean {
  return isIdentStart(code) || (code >= 48 && code <= 57) || code === 36;
}
const identPartAt = (s: string, i: number): boolean => i >= 0 && i < s.length && isIdentPart(s.charCodeAt(i));
// Sticky patterns read at a position without slicing the text.
const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const PARAM = /\$\d+/y;
const NUMBER = /(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const matchAt = (re: RegExp, s: string, i: number): string | null => {
  re.lastIndex = i;
  const m = re.exec(s);
  return m ? m[0] : null;
};
const OP_CHARS = '+-*/<>=~!@#%^&|`?';

function readBackslashString(text: string, from: number): { value: string; end: number } {
  // from points just after the opening quote; handles '' and the C-like escapes of E'' strings.
  let out = '';
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) {
      out += utf8.decode(Uint8Array.from(bytes));
      bytes = [];
    }
  };
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      if (text[i + 1] === "'") {
        flushBytes();
        out += "'";
        i += 2;
        continue;
      }
      flushBytes();
      return { value: out, end: i + 1 };
    }
    if (c === '\\' && i + 1 < text.length) {
      const n = text[i + 1];
      if (isOct(n)) {
        let j = i + 1;
        let v = 0;
        while (j < text.length && j < i + 4 && isOct(text[j])) v = v * 8 + (text.charCodeAt(j++) - 48);
        bytes.push(v & 0xff);
        i = j;
        continue;
      }
      if (n === 'x' && isHex(text[i + 2])) {
        let j = i + 2;
        let h = '';
        while (j < text.length && j < i + 4 && isHex(text[j])) h += text[j++];
        bytes.push(parseInt(h, 16));
        i = j;
        continue;
      }
      if ((n === 'u' || n === 'U') && isHex(text[i + 2])) {
        const len = n === 'u' ? 4 : 8;
        const hex = text.slice(i + 2, i + 2 + len);
        if (hex.length === len && /^[0-9a-fA-F]+$/.test(hex)) {
          flushBytes();
          out += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + len;
          continue;
        }
      }
      flushBytes();
      out += SIMPLE_ESCAPES[n] ?? n;
      i += 2;
      continue;
    }
    flushBytes();
    out += c;
    i++;
  }
  throw new SqlSyntaxError('unterminated string literal', from - 1);
}

/** Tokenise SQL text from offset `from`. Whitespace and comments are skipped. Throws SqlSyntaxError on an open literal. */
export function tokenizeSql(text: string, opts: SqlLexOptions = {}, from = 0): SqlToken[] {
  const scs = opts.standardConformingStrings ?? true;
  const toks: SqlToken[] = [];
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) throw new SqlSyntaxError('unterminated /* comment', i);
      i = j;
      continue;
    }
    const start = i;
    // String literal prefixes: E'..', B'..', X'..', N'..'
    if ((c === 'E' || c === 'e') && text[i + 1] === "'") {
      const r = readBackslashString(text, i + 2);
      toks.push({ type: 'string', value: r.value, start, end: r.end });
      i = r.end;
      continue;
    }
    if ((c === 'B' || c === 'b' || c === 'X' || c === 'x' || c === 'N' || c === 'n') && text[i + 1] === "'") {
      i++;
    }
    if (text[i] === "'") {
      if (!scs) {
        const r = readBackslashString(text, i + 1);
        toks.push({ type: 'string', value: r.value, start, end: r.end });
        i = r.end;
        continue;
      }
      let j = i + 1;
      let out = '';
      for (;;) {
        const q = text.indexOf("'", j);
        if (q < 0) throw new SqlSyntaxError('unterminated string literal', start);
        out += text.slice(j, q);
        if (text[q + 1] === "'") {
          out += "'";
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      toks.push({ type: 'string', value: out, start, end: j });
      i = j;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new SqlSyntaxError('unterminated quoted identifier', start);
        out += text.slice(j, q);
        if (text[q + 1] === '"') {
          out += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      toks.push({ type: 'qident', value: out, start, end: j });
      i = j;
      continue;
    }
    if (c === '$') {
      const tag = matchAt(DOLLAR_TAG, text, i);
      if (tag) {
        const close = text.indexOf(tag, i + tag.length);
        if (close < 0) throw new SqlSyntaxError('unterminated dollar-quoted string', start);
        toks.push({ type: 'string', value: text.slice(i + tag.length, close), start, end: close + tag.length });
        i = close + tag.length;
        continue;
      }
      const p = matchAt(PARAM, text, i);
      if (p) {
        toks.push({ type: 'param', value: p, start, end: i + p.length });
        i += p.length;
        continue;
      }
    }
    if ((c >= '0' && c <= '9') || (c === '.' && text[i + 1] >= '0' && text[i + 1] <= '9')) {
      const len = matchAt(NUMBER, text, i)?.length ?? 1;
      toks.push({ type: 'number', value: text.slice(i, i + len), start, end: i + len });
      i += len;
      continue;
    }
    if (isIdentStart(text.charCodeAt(i))) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      toks.push({ type: 'ident', value: text.slice(i, j).toLowerCase(), start, end: j });
      i = j;
      continue;
    }
    if (c === ':' && text[i + 1] === ':') {
      toks.push({ type: 'punct', value: '::', start, end: i + 2 });
      i += 2;
      continue;
    }
    if ('(),;.[]:'.includes(c)) {
      toks.push({ type: 'punct', value: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (OP_CHARS.includes(c)) {
      let j = i + 1;
      while (j < n && OP_CHARS.includes(text[j]) && !(text[j] === '-' && text[j + 1] === '-')) j++;
      toks.push({ type: 'op', value: text.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    toks.push({ type: 'op', value: c, start, end: i + 1 });
    i++;
  }
  return toks;
}

/**
 * Tracks, line by line, whether accumulated SQL text sits inside a literal or comment, and
 * where top-level `;` fall, so a statement group can be cut without tokenising it repeatedly.
 */
export class SqlStatementScanner {
  private mode: 'normal' | 'squote' | 'estring' | 'dquote' | 'dollar' | 'block' = 'normal';
  private dollarTag = '';
  private depth = 0;
  standardConformingStrings = true;

  reset(): void {
    this.mode = 'normal';
    this.dollarTag = '';
    this.depth = 0;
  }

  /** True when the text fed so far ends outside any literal or block comment. */
  get atTopLevel(): boolean {
    return this.mode === 'normal';
  }

  /**
   * Feed one physical line. Returns whether the line ends a statement: it holds a top-level `;`
   * with nothing but blanks or a `--` comment after the last one.
   */
  feed(line: string): { endsStatement: boolean; semicolons: number } {
    let semicolons = 0;
    let tailSignificant = false;
    let i = 0;
    const n = line.length;
    while (i < n) {
      const c = line[i];
      switch (this.mode) {
        case 'squote':
        case 'estring': {
          const backslashes = this.mode === 'estring' || !this.standardConformingStrings;
          // Jump to the next quote (or backslash, where it escapes) instead of walking every character.
          const q = line.indexOf("'", i);
          const b = backslashes ? line.indexOf('\\', i) : -1;
          if (b >= 0 && (q < 0 || b < q)) {
            i = b + 2;
            continue;
          }
          if (q < 0) {
            i = n;
            continue;
          }
          if (line[q + 1] === "'") {
            i = q + 2;
            continue;
          }
          this.mode = 'normal';
          i = q + 1;
          continue;
        }
        case 'dquote':
          if (c === '"') this.mode = 'normal';
          i++;
          continue;
        case 'dollar': {
          const close = line.indexOf(this.dollarTag, i);
          if (close < 0) {
            i = n;
            continue;
          }
          i = close + this.dollarTag.length;
          this.mode = 'normal';
          continue;
        }
        case 'block':
          if (c === '/' && line[i + 1] === '*') {
            this.depth++;
            i += 2;
          } else if (c === '*' && line[i + 1] === '/') {
            this.depth--;
            i += 2;
            if (this.depth === 0) this.mode = 'normal';
          } else i++;
          continue;
        default:
          break;
      }
      // normal mode
      if (c === '-' && line[i + 1] === '-') break;
      if (c === '/' && line[i + 1] === '*') {
        this.mode = 'block';
        this.depth = 1;
        i += 2;
        continue;
      }
      if (c === ';') {
        semicolons++;
        tailSignificant = false;
        i++;
        continue;
      }
      if (c !== ' ' && c !== '\t' && c !== '\r') tailSignificant = true;
      if (c === "'") {
        const prev = line[i - 1];
        const isE = (prev === 'E' || prev === 'e') && !identPartAt(line, i - 2);
        this.mode = isE ? 'estring' : 'squote';
        i++;
        continue;
      }
      if (c === '"') {
        this.mode = 'dquote';
        i++;
        continue;
      }
      if (c === '$' && !identPartAt(line, i - 1)) {
        const tag = matchAt(DOLLAR_TAG, line, i);
        if (tag) {
          this.mode = 'dollar';
          this.dollarTag = tag;
          i += tag.length;
          continue;
        }
      }
      i++;
    }
    // A literal or comment left open runs into the next line, so the statement goes on.
    return { endsStatement: semicolons > 0 && !tailSignificant && this.mode === 'normal', semicolons };
  }
}

// ---------------------------------------------------------------------------------------------
// SQL values (INSERT ... VALUES)
// ---------------------------------------------------------------------------------------------

export interface SqlValue {
  value: string | null;
  /** The expression was not a plain literal (a function call, an operator...): `value` is its source text. */
  expression: boolean;
}

/**
 * Read one value expression given as tokens (one element of a VALUES tuple). Literals give the
 * text PostgreSQL would print for them: strings their content, numbers as written, NULL null,
 * and booleans `t`/`f` — the form COPY and psql CSV use — so a row reads the same from every
 * dump format. Casts (`'{}'::jsonb`) are dropped; other expressions keep their source text.
 */
export function sqlValue(toks: SqlToken[], source: string): SqlValue {
  // Drop trailing casts: everything from the first top-level `::`.
  let depth = 0;
  let end = toks.length;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.type === 'punct' && (t.value === '(' || t.value === '[')) depth++;
    else if (t.type === 'punct' && (t.value === ')' || t.value === ']')) depth--;
    else if (depth === 0 && t.type === 'punct' && t.value === '::') {
      end = k;
      break;
    }
  }
  const core = toks.slice(0, end);
  const raw = (): SqlValue => ({
    value: toks.length === 0 ? '' : source.slice(toks[0].start, toks[toks.length - 1].end),
    expression: true,
  });
  if (core.length === 1) {
    const t = core[0];
    if (t.type === 'string' || t.type === 'number') return { value: t.value, expression: false };
    if (t.type === 'ident') {
      if (t.value === 'null') return { value: null, expression: false };
      if (t.value === 'true') return { value: 't', expression: false };
      if (t.value === 'false') return { value: 'f', expression: false };
    }
    return raw();
  }
  if (core.length === 2 && core[0].type === 'op' && (core[0].value === '-' || core[0].value === '+') && core[1].type === 'number') {
    return { value: core[0].value === '-' ? `-${core[1].value}` : core[1].value, expression: false };
  }
  if (
    core.length >= 3 &&
    core[0].type === 'punct' &&
    core[0].value === '(' &&
    core[core.length - 1].type === 'punct' &&
    core[core.length - 1].value === ')' &&
    closingParen(core, 0) === core.length - 1
  ) {
    const inner = sqlValue(core.slice(1, -1), source);
    return inner.expression ? raw() : inner;
  }
  return raw();
}

/** Index of the `)` matching the `(` at `open`, or -1. */
export function closingParen(toks: SqlToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < toks.length; k++) {
    const t = toks[k];
    if (t.type !== 'punct') continue;
    if (t.value === '(' || t.value === '[') depth++;
    else if (t.value === ')' || t.value === ']') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

/** Split the tokens between a `(` and its `)` at top-level commas. */
export function splitTopLevel(toks: SqlToken[]): SqlToken[][] {
  const parts: SqlToken[][] = [];
  let cur: SqlToken[] = [];
  let depth = 0;
  for (const t of toks) {
    if (t.type === 'punct') {
      if (t.value === '(' || t.value === '[') depth++;
      else if (t.value === ')' || t.value === ']') depth--;
      else if (t.value === ',' && depth === 0) {
        parts.push(cur);
        cur = [];
        continue;
      }
    }
    cur.push(t);
  }
  parts.push(cur);
  return parts;
}

/** An identifier as PostgreSQL stores it: unquoted folds to lower case, quoted keeps its case. */
export function identName(t: SqlToken | undefined): string | null {
  if (!t) return null;
  if (t.type === 'ident' || t.type === 'qident') return t.value;
  return null;
}

/**
 * Read `[schema.]name` at toks[i]. Returns the last part (the table) and where it ends.
 */
export function qualifiedName(toks: SqlToken[], i: number): { name: string; schema: string | null; next: number } | null {
  const first = identName(toks[i]);
  if (first === null) return null;
  let name = first;
  let schema: string | null = null;
  let k = i + 1;
  while (toks[k]?.type === 'punct' && toks[k].value === '.' && identName(toks[k + 1]) !== null) {
    schema = name;
    name = identName(toks[k + 1])!;
    k += 2;
  }
  return { name, schema, next: k };
}

// ---------------------------------------------------------------------------------------------
// CSV records
// ---------------------------------------------------------------------------------------------

export interface CsvField {
  text: string;
  /** True when the field was quoted: an empty quoted field is an empty string, an empty unquoted one NULL. */
  quoted: boolean;
}

export interface CsvRecord {
  fields: CsvField[];
  lines: Line[];
}

export type CsvEvent =
  | { kind: 'record'; record: CsvRecord }
  /** A quoted field opened on this line never closed (within the limits): the line is refused and the lines after it are read again. */
  | { kind: 'unbalanced'; line: Line; reason: string };

export interface CsvOptions {
  delimiter?: string;
  /** '' for formats that quote nothing (psql's unaligned output): every `"` is then data. */
  quote?: string;
  /** A record spanning more lines than this is taken for a stray quote. */
  maxSpanLines?: number;
  maxChars?: number;
}

/**
 * Assembles CSV records from physical lines. A quoted field may contain line breaks, so a
 * record can span lines. Quoting follows Python's csv module (and so psql's output): a quote
 * opens a quoted field only at the start of a field, `""` inside is one quote, and text after a
 * closing quote is appended to the field.
 *
 * A stray quote must not swallow the rest of the file: when a record runs over the limits or the
 * file ends inside quotes, its first line is refused and the lines after it are read again.
 */
export class CsvAssembler {
  private readonly delim: string;
  private readonly quote: string;
  private readonly maxSpan: number;
  private readonly maxChars: number;
  private pending: Line[] = [];
  private pendingChars = 0;
  private fields: CsvField[] = [];
  private cur = '';
  private curQuoted = false;
  /** 'start' of a field, inside 'unquoted' text, inside 'quoted' text, or 'after' a closing quote. */
  private state: 'start' | 'unquoted' | 'quoted' | 'after' = 'start';

  constructor(opts: CsvOptions = {}) {
    this.delim = opts.delimiter ?? ',';
    this.quote = opts.quote ?? '"';
    this.maxSpan = opts.maxSpanLines ?? 500;
    this.maxChars = opts.maxChars ?? 4 * 1024 * 1024;
  }

  /** True when no record is in progress. */
  get idle(): boolean {
    return this.pending.length === 0;
  }

  private resetRecord(): void {
    this.pending = [];
    this.pendingChars = 0;
    this.fields = [];
    this.cur = '';
    this.curQuoted = false;
    this.state = 'start';
  }

  /**
   * Scan one line into the current record; true when the record is complete at its end.
   * Fields are cut with indexOf/slice, not char by char: dumps run to millions of rows.
   */
  private scan(text: string, continuation: boolean): boolean {
    if (continuation) this.cur += '\n';
    const d = this.delim;
    const q = this.quote;
    const n = text.length;
    let i = 0;
    for (;;) {
      if (this.state === 'quoted') {
        const j = text.indexOf(q, i);
        if (j < 0) {
          this.cur += text.slice(i);
          return false;
        }
        this.cur += text.slice(i, j);
        if (text.startsWith(q, j + 1)) {
          this.cur += q;
          i = j + 2;
        } else {
          this.state = 'after';
          i = j + 1;
        }
        continue;
      }
      if (this.state === 'start') {
        if (i >= n) break;
        if (q !== '' && text.startsWith(q, i)) {
          this.state = 'quoted';
          this.curQuoted = true;
          i += q.length;
          continue;
        }
        this.state = 'unquoted';
      }
      // 'unquoted' or 'after' a closing quote: everything up to the delimiter belongs to the field.
      const j = text.indexOf(d, i);
      if (j < 0) {
        this.cur += text.slice(i);
        break;
      }
      this.cur += text.slice(i, j);
      this.fields.push({ text: this.cur, quoted: this.curQuoted });
      this.cur = '';
      this.curQuoted = false;
      this.state = 'start';
      i = j + d.length;
    }
    this.fields.push({ text: this.cur, quoted: this.curQuoted });
    return true;
  }

  private feedOne(line: Line, queue: Line[], out: CsvEvent[]): void {
    const continuation = this.pending.length > 0;
    this.pending.push(line);
    this.pendingChars += line.text.length + 1;
    if (this.scan(line.text, continuation)) {
      const record: CsvRecord = { fields: this.fields, lines: this.pending };
      this.resetRecord();
      out.push({ kind: 'record', record });
      return;
    }
    if (this.pending.length > this.maxSpan || this.pendingChars > this.maxChars) {
      this.refuseFirst(queue, `a quoted field opened on this line is still open ${this.pending.length} lines later (stray quote?)`, out);
    }
  }

  private refuseFirst(queue: Line[], reason: string, out: CsvEvent[]): void {
    const [first, ...rest] = this.pending;
    this.resetRecord();
    out.push({ kind: 'unbalanced', line: first, reason });
    queue.unshift(...rest);
  }

  private drain(queue: Line[], out: CsvEvent[]): void {
    while (queue.length > 0) this.feedOne(queue.shift()!, queue, out);
  }

  /** The events one more line completes (usually one record, or none while a quoted field is open). */
  push(line: Line): CsvEvent[] {
    const out: CsvEvent[] = [];
    if (this.pending.length === 0 && this.state === 'start') this.feedOne(line, [], out);
    else this.drain([line], out);
    return out;
  }

  /** End of input: a record still open had a stray quote. */
  end(): CsvEvent[] {
    const out: CsvEvent[] = [];
    while (this.pending.length > 0) {
      const queue: Line[] = [];
      this.refuseFirst(queue, 'a quoted field opened on this line never closes before the end of the file (stray quote?)', out);
      this.drain(queue, out);
    }
    return out;
  }
}
