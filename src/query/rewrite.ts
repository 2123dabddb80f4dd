/**
 * PostgreSQL → SQLite, on tokens. The runbook's checks are PostgreSQL; the working database is
 * SQLite. Each construct below is translated only where the translation means the same; where it
 * cannot be done safely the query is refused with a DialectError naming the construct and the
 * SQLite way to write it — a different query is never run silently.
 *
 * Parenthesised groups are rewritten inside-out, so at each level a group is one operand.
 * Clock: NOW()/CURRENT_TIMESTAMP are the session's `now` (the block end), CURRENT_DATE its day in
 * the session zone. Times are compared as instants: a time literal or a NOW()-based constant
 * compared with a time column is made canonical ISO text and the column is read through pg_ts().
 */
import { lineCol, isTrivia, splitStatements, tokenize, upper, LexError, type Token } from './tokens.js';
import { addInterval, EXTRACT_FIELDS, iso, parseInstant, parseInterval, toWall, TRUNC_FIELDS, wallDate } from './session-time.js';

export interface Session {
  /** NOW() as epoch ms. */
  now: number;
  /** What NOW() is, for the note (e.g. "the block end"). */
  nowLabel: string;
  tz: string;
}

export class DialectError extends Error {
  constructor(
    readonly construct: string,
    readonly sqliteWay: string,
    readonly where: string,
  ) {
    super(`cannot translate ${construct} to SQLite safely`);
  }
}

export interface Rewritten {
  /** One per statement of the input, in order. */
  statements: { sql: string; original: string; label: string | null }[];
  /** What the session assumed (clock, zone, LIKE), to be stated with the results. */
  notes: string[];
  changed: boolean;
  /** NOW()/CURRENT_TIMESTAMP/CURRENT_DATE appear: the caller may say how the evidence relates to them. */
  usesClock: boolean;
}

interface Group {
  kind: 'group';
  pos: number;
  children: Node[];
}
type Node = Token | Group;

const KEYWORDS = new Set(
  `SELECT FROM WHERE AND OR NOT IN IS NULL LIKE ILIKE GLOB BETWEEN CASE WHEN THEN ELSE END AS ON JOIN LEFT RIGHT INNER OUTER CROSS FULL
   GROUP BY ORDER HAVING LIMIT OFFSET UNION ALL DISTINCT EXISTS INTERVAL WITH RECURSIVE VALUES USING ASC DESC NULLS FIRST LAST ESCAPE
   FILTER OVER PARTITION WINDOW EXCEPT INTERSECT SET INTO RETURNING TRUE FALSE COLLATE`.split(/\s+/),
);
const ARITH = new Set(['+', '-', '*', '/', '%', '||', '^']);
const COMPARE = new Set(['=', '==', '<>', '!=', '<', '<=', '>', '>=']);
/** Column names that hold times (canonical ISO text in the model, anything in a src_ table). */
export const TIME_COLUMN = /^(ts|timestamp|time|datetime|.*_ts|.*_at|.*_time|.*timestamp)$/i;
const TIME_LITERAL = /^'\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d([.,]\d+)?)?)?\s*(Z|UTC|[+-]\d\d(:?\d\d)?)?'$/i;

interface Ctx {
  session: Session;
  src: string;
  used: Set<string>;
}

const isGroup = (n: Node | undefined): n is Group => !!n && n.kind === 'group';
const isOp = (n: Node | undefined, ...ops: string[]) => !!n && n.kind === 'op' && (ops.length === 0 || ops.includes((n as Token).text));
const word = (n: Node | undefined) => (n && n.kind === 'word' ? (n as Token).text.toUpperCase() : '');

function render(nodes: Node[]): string {
  return nodes.map((n) => (isGroup(n) ? `(${render(n.children)})` : n.text)).join('');
}

function sqlToken(text: string, pos: number, type?: Token['type']): Token {
  return { kind: 'sql', text, pos, type };
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
const unquote = (t: Token) => t.text.slice(1, -1).replace(/''/g, "'");

function fail(ctx: Ctx, pos: number, construct: string, sqliteWay: string): never {
  throw new DialectError(construct, sqliteWay, lineCol(ctx.src, pos));
}

/** Build the group tree of one statement. */
function nest(tokens: Token[], ctx: Ctx): Node[] {
  const root: Node[] = [];
  const stack: { nodes: Node[]; pos: number }[] = [{ nodes: root, pos: 0 }];
  for (const t of tokens) {
    if (t.kind === 'op' && t.text === '(') {
      const g: Group = { kind: 'group', pos: t.pos, children: [] };
      stack[stack.length - 1].nodes.push(g);
      stack.push({ nodes: g.children, pos: t.pos });
    } else if (t.kind === 'op' && t.text === ')') {
      if (stack.length === 1) fail(ctx, t.pos, 'an unmatched ")"', 'remove it or add the missing "("');
      stack.pop();
    } else stack[stack.length - 1].nodes.push(t);
  }
  if (stack.length > 1) fail(ctx, stack[stack.length - 1].pos, 'a "(" that is never closed', 'add the missing ")"');
  return root;
}

const nextIdx = (nodes: Node[], i: number) => {
  let j = i + 1;
  while (j < nodes.length && !isGroup(nodes[j]) && isTrivia(nodes[j] as Token)) j++;
  return j < nodes.length ? j : -1;
};
const prevIdx = (nodes: Node[], i: number) => {
  let j = i - 1;
  while (j >= 0 && !isGroup(nodes[j]) && isTrivia(nodes[j] as Token)) j--;
  return j;
};

const isFunctionName = (n: Node | undefined) => !!n && ((n.kind === 'word' && !KEYWORDS.has(word(n))) || n.kind === 'qident');

/** Start index of the operand that ends at index `end`, or -1. */
function operandStart(nodes: Node[], end: number): number {
  if (end < 0) return -1;
  const n = nodes[end];
  if (isGroup(n)) {
    const p = prevIdx(nodes, end);
    if (p >= 0 && isFunctionName(nodes[p])) return qualifiedStart(nodes, p);
    // COUNT(*) FILTER (WHERE …), f(x) OVER (…): the aggregate and its clause are one operand.
    if (p >= 0 && (word(nodes[p]) === 'FILTER' || word(nodes[p]) === 'OVER')) return operandStart(nodes, prevIdx(nodes, p));
    return end;
  }
  if (word(n) === 'END') {
    let depth = 0;
    for (let j = end; j >= 0; j--) {
      if (word(nodes[j]) === 'END') depth++;
      else if (word(nodes[j]) === 'CASE' && --depth === 0) return j;
    }
    return -1;
  }
  if (n.kind === 'word' && word(n) === 'OVER') return -1;
  if ((n.kind === 'word' && (!KEYWORDS.has(word(n)) || word(n) === 'TRUE' || word(n) === 'FALSE')) || n.kind === 'qident') return qualifiedStart(nodes, end);
  if (['string', 'number', 'sql', 'param'].includes(n.kind)) return end;
  if (isOp(n, '*')) return end;
  return -1;
}

function qualifiedStart(nodes: Node[], i: number): number {
  let s = i;
  for (;;) {
    const dot = prevIdx(nodes, s);
    if (dot < 0 || !isOp(nodes[dot], '.')) return s;
    const q = prevIdx(nodes, dot);
    if (q < 0 || !(nodes[q].kind === 'word' || nodes[q].kind === 'qident')) return s;
    s = q;
  }
}

/** End index of the operand that starts at index `start`, or -1. */
function operandEnd(nodes: Node[], start: number): number {
  if (start < 0) return -1;
  const n = nodes[start];
  if (isOp(n, '-', '+')) return operandEnd(nodes, nextIdx(nodes, start));
  if (isGroup(n) || ['string', 'number', 'sql', 'param'].includes(n.kind)) return start;
  if (word(n) === 'CASE') {
    let depth = 0;
    for (let j = start; j < nodes.length; j++) {
      if (word(nodes[j]) === 'CASE') depth++;
      else if (word(nodes[j]) === 'END' && --depth === 0) return j;
    }
    return -1;
  }
  if (n.kind === 'word' || n.kind === 'qident') {
    if (n.kind === 'word' && KEYWORDS.has(word(n)) && word(n) !== 'TRUE' && word(n) !== 'FALSE') return -1;
    let e = start;
    for (;;) {
      const dot = nextIdx(nodes, e);
      if (dot >= 0 && isOp(nodes[dot], '.')) {
        const q = nextIdx(nodes, dot);
        if (q >= 0 && (nodes[q].kind === 'word' || nodes[q].kind === 'qident')) {
          e = q;
          continue;
        }
      }
      break;
    }
    const g = nextIdx(nodes, e);
    if (g >= 0 && isGroup(nodes[g])) {
      e = g;
      for (;;) {
        const f = nextIdx(nodes, e);
        if (f >= 0 && (word(nodes[f]) === 'FILTER' || word(nodes[f]) === 'OVER')) {
          const fg = nextIdx(nodes, f);
          if (fg >= 0 && (isGroup(nodes[fg]) || nodes[fg].kind === 'word')) {
            e = fg;
            continue;
          }
        }
        break;
      }
    }
    return e;
  }
  return -1;
}

/** Top-level comma count of a group's children. */
const argCount = (g: Group) => (g.children.every((c) => !isGroup(c) && isTrivia(c as Token)) ? 0 : g.children.filter((c) => isOp(c, ',')).length + 1);

function splice(nodes: Node[], from: number, to: number, repl: Node[]): void {
  nodes.splice(from, to - from + 1, ...repl);
}

function nodePos(n: Node): number {
  return n.pos;
}

const CLOCK_FUNCS = new Set(['NOW', 'TRANSACTION_TIMESTAMP', 'STATEMENT_TIMESTAMP', 'CLOCK_TIMESTAMP']);

const REFUSED_FUNCS: Record<string, string> = {
  TO_CHAR: "strftime('%Y-%m-%d %H:%M', ts) formats a time; printf('%.2f', x) a number",
  AGE: '(julianday(a) - julianday(b)) gives the difference in days',
  GENERATE_SERIES: 'a recursive CTE: WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s WHERE x < 10) SELECT x FROM s',
  TO_TIMESTAMP: "datetime(n, 'unixepoch') (n in seconds)",
  TO_DATE: "a 'YYYY-MM-DD' literal, or substr()/printf() to build one",
  ARRAY_AGG: "group_concat(x, ',') (SQLite has no arrays)",
  REGEXP_REPLACE: 'replace(x, from, to) for a fixed text',
  REGEXP_MATCHES: "LIKE or GLOB; `cdb-forensics verify` log checks take regular expressions",
  SPLIT_PART: 'substr() with instr()',
  JSONB_EXTRACT_PATH_TEXT: "json_extract(x, '$.key')",
  MAKE_INTERVAL: "INTERVAL 'N days' or datetime(ts, '+N days')",
};

export function rewriteLevel(nodes: Node[], ctx: Ctx): Node[] {
  for (const n of nodes) if (isGroup(n)) n.children = rewriteLevel(n.children, ctx);
  refusals(nodes, ctx);
  constants(nodes, ctx);
  functions(nodes, ctx);
  casts(nodes, ctx);
  intervals(nodes, ctx);
  dateArithmetic(nodes, ctx);
  likes(nodes, ctx);
  timeDifferences(nodes, ctx);
  timeComparisons(nodes, ctx);
  return nodes;
}

function refusals(nodes: Node[], ctx: Ctx): void {
  nodes.forEach((n, i) => {
    if (isGroup(n)) return;
    const t = n as Token;
    if (t.kind === 'estring') fail(ctx, t.pos, "an E'…' escape string", "a plain '…' literal (SQLite has no backslash escapes; char(10) is a newline)");
    if (t.kind === 'dollar') fail(ctx, t.pos, 'a $$-quoted string', "a '…' literal with '' for a quote");
    if (t.kind === 'op' && ['~', '~*', '!~', '!~*'].includes(t.text)) {
      const p = prevIdx(nodes, i);
      if (t.text !== '~' || (p >= 0 && operandStart(nodes, p) >= 0)) fail(ctx, t.pos, `the regular-expression operator ${t.text}`, 'LIKE (case-sensitive here) or GLOB; `cdb-forensics verify` log checks take regular expressions');
    }
    if (t.kind === 'op' && t.text === '^') fail(ctx, t.pos, 'the ^ (power) operator', 'pow(x, y)');
    const w = upper(t);
    const nx = nodes[nextIdx(nodes, i)];
    if (w === 'AT' && word(nx) === 'TIME') fail(ctx, t.pos, 'AT TIME ZONE', 'run the query with --tz <zone>: DATE(), DATE_TRUNC, EXTRACT and time literals then follow that zone');
    if (w === 'DISTINCT' && word(nx) === 'ON') fail(ctx, t.pos, 'SELECT DISTINCT ON (…)', 'GROUP BY with MIN()/MAX(), or ROW_NUMBER() OVER (PARTITION BY … ORDER BY …) in a subquery');
    if (w === 'SIMILAR' && word(nx) === 'TO') fail(ctx, t.pos, 'SIMILAR TO', 'LIKE or GLOB');
    if ((w === 'ANY' || w === 'SOME') && isGroup(nx)) fail(ctx, t.pos, `${w}(…)`, 'x IN (a, b, c)');
    if (w === 'ARRAY' && nx && !isGroup(nx) && (nx as Token).text === '[') fail(ctx, t.pos, 'ARRAY[…]', 'x IN (a, b, c)');
    if (w === 'FETCH' && (word(nx) === 'FIRST' || word(nx) === 'NEXT')) fail(ctx, t.pos, 'FETCH FIRST n ROWS ONLY', 'LIMIT n');
    if (w === 'CURRENT_TIME' || w === 'LOCALTIME' || w === 'LOCALTIMESTAMP') fail(ctx, t.pos, w, "NOW() (the block end) or CURRENT_DATE; strftime('%H:%M', NOW()) for the time of day");
    if (w in REFUSED_FUNCS && isGroup(nx)) fail(ctx, t.pos, `${w}()`, REFUSED_FUNCS[w]);
    if (t.kind === 'op' && t.text === '[') fail(ctx, t.pos, 'an array subscript […]', 'SQLite has no arrays; json_extract() reads JSON text');
  });
}

function instantConst(t: number, pos: number): Token {
  return Object.assign(sqlToken(quote(iso(t)), pos, 'instant'), { value: t });
}
const constValue = (n: Node | undefined): number | undefined => (n && !isGroup(n) && n.kind === 'sql' ? (n as Token & { value?: number }).value : undefined);

function constants(nodes: Node[], ctx: Ctx): void {
  const { session } = ctx;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    const w = word(n);
    if (!w) continue;
    const j = nextIdx(nodes, i);
    const nx = j >= 0 ? nodes[j] : undefined;
    if (CLOCK_FUNCS.has(w) && isGroup(nx) && argCount(nx) === 0) {
      ctx.used.add('now');
      splice(nodes, i, j, [instantConst(session.now, n.pos)]);
    } else if (w === 'CURRENT_TIMESTAMP') {
      ctx.used.add('now');
      const end = isGroup(nx) ? j : i; // CURRENT_TIMESTAMP(3): the precision changes nothing here
      splice(nodes, i, end, [instantConst(session.now, n.pos)]);
    } else if (w === 'CURRENT_DATE') {
      ctx.used.add('today');
      const day = wallDate(toWall(session.now, session.tz));
      splice(nodes, i, i, [sqlToken(quote(day), n.pos, 'date')]);
    } else if ((w === 'DATE' || w === 'TIMESTAMP' || w === 'TIMESTAMPTZ') && nx && nx.kind === 'string') {
      const text = unquote(nx as Token);
      const t = parseInstant(text, session.tz);
      if (t === null) fail(ctx, nx.pos, `${w} '${text}'`, "a time as 'YYYY-MM-DD HH:MM:SS' (optionally with Z or an offset)");
      ctx.used.add('zone');
      if (w === 'DATE') splice(nodes, i, j, [sqlToken(quote(/^\d{4}-\d\d-\d\d$/.test(text) ? text : wallDate(toWall(t, session.tz))), n.pos, 'date')]);
      else splice(nodes, i, j, [instantConst(t, n.pos)]);
    } else if (w === 'TIMESTAMP' && (word(nx) === 'WITH' || word(nx) === 'WITHOUT') && !isGroup(nx)) {
      // TIMESTAMP WITH TIME ZONE '…' as a typed literal
      const k = nextIdx(nodes, nextIdx(nodes, nextIdx(nodes, j)));
      if (k >= 0 && nodes[k].kind === 'string') {
        const text = unquote(nodes[k] as Token);
        const t = parseInstant(text, session.tz);
        if (t === null) fail(ctx, nodes[k].pos, `TIMESTAMP '${text}'`, "a time as 'YYYY-MM-DD HH:MM:SS' (optionally with Z or an offset)");
        ctx.used.add('zone');
        splice(nodes, i, k, [instantConst(t, n.pos)]);
      }
    }
  }
}

function fieldOf(ctx: Ctx, n: Node | undefined, fn: string, allowed: readonly string[]): string {
  if (!n || isGroup(n) || !(n.kind === 'string' || n.kind === 'word')) fail(ctx, n ? nodePos(n) : 0, `${fn} with a computed field`, `${fn}('hour', ts) with one of ${allowed.join(', ')}`);
  const f = (n.kind === 'string' ? unquote(n as Token) : (n as Token).text).toLowerCase();
  if (!allowed.includes(f)) fail(ctx, n.pos, `${fn} field '${f}'`, `one of ${allowed.join(', ')}; or strftime() on the time text`);
  return f;
}

function functions(nodes: Node[], ctx: Ctx): void {
  for (let i = 0; i < nodes.length; i++) {
    const w = word(nodes[i]);
    if (!w || KEYWORDS.has(w)) continue;
    const j = nextIdx(nodes, i);
    const g = j >= 0 ? nodes[j] : undefined;
    if (!isGroup(g)) continue;
    // A qualified name (schema.f) is not ours to touch.
    const p = prevIdx(nodes, i);
    if (p >= 0 && isOp(nodes[p], '.')) continue;
    const pos = nodes[i].pos;
    if (w === 'CAST') {
      // CAST(x AS date) must mean what x::date means (SQLite's CAST('2025-…' AS DATE) is 2025).
      const kids = g.children;
      let as = -1;
      for (let k = 0; k < kids.length; k++) if (word(kids[k]) === 'AS') as = k;
      if (as < 0) continue;
      const expr = kids.slice(0, as);
      while (expr.length && !isGroup(expr[expr.length - 1]) && isTrivia(expr[expr.length - 1] as Token)) expr.pop();
      const tmp: Node[] = [{ kind: 'group', pos: g.pos, children: expr }, { kind: 'op', text: '::', pos: kids[as].pos }, ...kids.slice(as + 1)];
      casts(tmp, ctx);
      const whole = render(tmp).trim();
      splice(nodes, i, j, [sqlToken(whole, pos, tmp.length === 1 && !isGroup(tmp[0]) ? (tmp[0] as Token).type : undefined)]);
    } else if (w === 'DATE' && argCount(g) === 1) {
      ctx.used.add('zone');
      splice(nodes, i, j, [sqlToken(`pg_date(${render(g.children)})`, pos, 'date')]);
    } else if (w === 'DATE_TRUNC') {
      if (argCount(g) !== 2) fail(ctx, pos, 'DATE_TRUNC with a time zone argument', "DATE_TRUNC('day', ts) with --tz <zone>");
      const first = g.children.find((c) => isGroup(c) || !isTrivia(c as Token));
      fieldOf(ctx, first, 'DATE_TRUNC', TRUNC_FIELDS);
      ctx.used.add('zone');
      splice(nodes, i, j, [sqlToken(`pg_date_trunc(${render(g.children)})`, pos, 'instant')]);
    } else if (w === 'DATE_PART') {
      const first = g.children.find((c) => isGroup(c) || !isTrivia(c as Token));
      fieldOf(ctx, first, 'DATE_PART', EXTRACT_FIELDS);
      ctx.used.add('zone');
      splice(nodes, i, j, [sqlToken(`pg_extract(${render(g.children)})`, pos)]);
    } else if (w === 'EXTRACT') {
      const kids = g.children;
      const f = kids.findIndex((c) => isGroup(c) || !isTrivia(c as Token));
      const from = nextIdx(kids, f);
      if (f < 0 || from < 0 || word(kids[from]) !== 'FROM') fail(ctx, pos, 'EXTRACT without FROM', 'EXTRACT(HOUR FROM ts)');
      const field = fieldOf(ctx, kids[f], 'EXTRACT', EXTRACT_FIELDS);
      ctx.used.add('zone');
      splice(nodes, i, j, [sqlToken(`pg_extract('${field}', ${render(kids.slice(from + 1)).trim()})`, pos)]);
    } else if (w === 'STRING_AGG') {
      splice(nodes, i, i, [sqlToken('group_concat', pos)]);
    } else if (w === 'BOOL_OR' || w === 'BOOL_AND') {
      splice(nodes, i, i, [sqlToken(w === 'BOOL_OR' ? 'MAX' : 'MIN', pos)]);
    }
  }
}

/** `x::type` — the type name may be two words (double precision) and carry (n, m). */
function casts(nodes: Node[], ctx: Ctx): void {
  for (let i = 0; i < nodes.length; i++) {
    if (!isOp(nodes[i], '::')) continue;
    const op = nodes[i] as Token;
    const ls = operandStart(nodes, prevIdx(nodes, i));
    if (ls < 0) fail(ctx, op.pos, 'a :: cast whose operand is not clear', 'CAST(expression AS REAL|INTEGER|TEXT)');
    let te = nextIdx(nodes, i);
    if (te < 0 || nodes[te].kind !== 'word') fail(ctx, op.pos, 'a :: cast without a type name', 'CAST(expression AS REAL|INTEGER|TEXT)');
    let type = word(nodes[te]).toLowerCase();
    const more = (w: string) => {
      const k = nextIdx(nodes, te);
      if (k >= 0 && word(nodes[k]) === w) {
        te = k;
        return true;
      }
      return false;
    };
    if (type === 'double' && more('PRECISION')) type = 'double precision';
    if (type === 'character' && more('VARYING')) type = 'varchar';
    if (type === 'timestamp' || type === 'time') {
      if (more('WITH') || more('WITHOUT')) {
        more('TIME');
        more('ZONE');
      }
    }
    const k = nextIdx(nodes, te);
    if (k >= 0 && isGroup(nodes[k])) te = k; // numeric(10,2), varchar(20)
    const operand = render(nodes.slice(ls, prevIdx(nodes, i) + 1)).trim();
    const left = nodes[ls];
    let repl: Node[];
    if (['float', 'float4', 'float8', 'real', 'double precision', 'numeric', 'decimal'].includes(type)) repl = [sqlToken(`CAST(${operand} AS REAL)`, left.pos)];
    else if (['int', 'integer', 'int2', 'int4', 'int8', 'smallint', 'bigint'].includes(type)) {
      // PostgreSQL rounds to the nearest integer; CAST alone would truncate.
      repl = [sqlToken(`CAST(ROUND(${operand}) AS INTEGER)`, left.pos)];
    } else if (['text', 'varchar', 'char', 'character', 'name'].includes(type)) repl = [sqlToken(`CAST(${operand} AS TEXT)`, left.pos)];
    else if (type === 'date') {
      ctx.used.add('zone');
      const v = constValue(left);
      repl = [v !== undefined && ls === prevIdx(nodes, i) ? sqlToken(quote(wallDate(toWall(v, ctx.session.tz))), left.pos, 'date') : sqlToken(`pg_date(${operand})`, left.pos, 'date')];
    } else if (type === 'timestamp' || type === 'timestamptz') {
      ctx.used.add('zone');
      if (left.kind === 'string' && ls === prevIdx(nodes, i)) {
        const t = parseInstant(unquote(left as Token), ctx.session.tz);
        if (t === null) fail(ctx, left.pos, `'${unquote(left as Token)}'::timestamp`, "a time as 'YYYY-MM-DD HH:MM:SS'");
        repl = [instantConst(t, left.pos)];
      } else repl = [sqlToken(`pg_ts(${operand})`, left.pos, 'instant')];
    } else if (type === 'boolean' || type === 'bool') repl = [sqlToken(`pg_bool(${operand})`, left.pos)];
    else if (type === 'interval' && left.kind === 'string' && ls === prevIdx(nodes, i)) repl = [{ kind: 'word', text: 'INTERVAL', pos: left.pos }, { kind: 'ws', text: ' ', pos: left.pos }, left];
    else fail(ctx, op.pos, `the cast ::${type}`, 'CAST(x AS REAL), CAST(x AS INTEGER) or CAST(x AS TEXT); times are ISO text, JSON is text (json_extract)');
    splice(nodes, ls, te, repl);
    i = ls;
  }
}

const INTERVAL_UNIT_WORDS = new Set(['SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR']);

function intervals(nodes: Node[], ctx: Ctx): void {
  for (let i = 0; i < nodes.length; i++) {
    if (word(nodes[i]) !== 'INTERVAL') continue;
    const kw = nodes[i] as Token;
    const s = nextIdx(nodes, i);
    if (s < 0 || nodes[s].kind !== 'string') fail(ctx, kw.pos, 'INTERVAL without a quoted literal', "INTERVAL '3 days'");
    let spec = unquote(nodes[s] as Token);
    let end = s;
    const u = nextIdx(nodes, s);
    if (u >= 0 && INTERVAL_UNIT_WORDS.has(word(nodes[u]))) {
      spec = `${spec} ${word(nodes[u]).toLowerCase()}`;
      end = u;
    }
    const iv = parseInterval(spec);
    if (!iv) fail(ctx, nodes[s].pos, `INTERVAL '${spec}'`, "INTERVAL 'N seconds|minutes|hours|days|weeks|months|years' (whole days and months)");
    const op = prevIdx(nodes, i);
    if (op < 0 || !isOp(nodes[op], '+', '-')) fail(ctx, kw.pos, 'an INTERVAL that is not added to or subtracted from a time', "ts - INTERVAL '3 days', or in SQLite datetime(ts, '-3 days')");
    const ls = operandStart(nodes, prevIdx(nodes, op));
    if (ls < 0) fail(ctx, kw.pos, 'INTERVAL arithmetic whose time operand is not clear', "(expression) - INTERVAL '3 days', or datetime(ts, '-3 days')");
    const before = prevIdx(nodes, ls);
    if (before >= 0 && isOp(nodes[before], ...ARITH)) {
      fail(ctx, kw.pos, `INTERVAL arithmetic inside a longer expression (${render(nodes.slice(before, end + 1)).trim()})`, "put the time in parentheses: (a - b) + INTERVAL '1 day', or datetime(ts, '+1 day')");
    }
    const after = nextIdx(nodes, end);
    if (after >= 0 && isOp(nodes[after], '*', '/', '%', '||', '^')) fail(ctx, nodes[after].pos, `INTERVAL '${spec}' ${(nodes[after] as Token).text} …`, 'interval multiplication: write the whole interval, e.g. INTERVAL \'6 hours\'');
    const sign: 1 | -1 = (nodes[op] as Token).text === '-' ? -1 : 1;
    const left = nodes[ls];
    const single = ls === prevIdx(nodes, op);
    let v = single ? constValue(left) : undefined;
    if (v === undefined && single && left.kind === 'sql' && (left as Token).type === 'date') v = parseInstant(unquote(left as Token), ctx.session.tz) ?? undefined;
    if (v === undefined && single && left.kind === 'string' && TIME_LITERAL.test((left as Token).text)) v = parseInstant(unquote(left as Token), ctx.session.tz) ?? undefined;
    let repl: Token;
    if (v !== undefined) repl = instantConst(addInterval(v, iv, sign, ctx.session.tz), left.pos);
    else {
      const operand = render(nodes.slice(ls, op)).trim();
      repl = sqlToken(`pg_add(${operand}, ${quote(spec)}, ${sign})`, left.pos, 'instant');
    }
    ctx.used.add(iv.days || iv.months ? 'zone' : 'interval');
    splice(nodes, ls, end, [repl]);
    i = ls;
  }
}

/** date ± integer is a date in PostgreSQL; in SQLite '2025-11-28' - 1 would be the number 2024. */
function dateArithmetic(nodes: Node[], ctx: Ctx): void {
  for (let i = 0; i < nodes.length; i++) {
    if (!isOp(nodes[i], '+', '-')) continue;
    const l = prevIdx(nodes, i);
    const left = nodes[l];
    if (!left || left.kind !== 'sql' || (left as Token).type !== 'date') continue;
    const r = nextIdx(nodes, i);
    const right = nodes[r];
    if (!right || right.kind !== 'number' || !/^\d+$/.test((right as Token).text)) {
      fail(ctx, nodes[i].pos, 'arithmetic on a date other than date ± whole days', "julianday(a) - julianday(b) for days between two dates; date(d, '+N days') to move a date");
    }
    const after = nextIdx(nodes, r);
    if (after >= 0 && isOp(nodes[after], '*', '/', '%', '||', '^')) fail(ctx, nodes[after].pos, 'date arithmetic inside a longer expression', "parentheses around the day count, or date(d, '+N days')");
    const days = Number((right as Token).text) * ((nodes[i] as Token).text === '-' ? -1 : 1);
    const text = (left as Token).text;
    let repl: Token;
    if (/^'\d{4}-\d\d-\d\d'$/.test(text)) {
      const d = new Date(Date.parse(text.slice(1, -1) + 'T00:00:00Z') + days * 86_400_000);
      repl = sqlToken(quote(d.toISOString().slice(0, 10)), left.pos, 'date');
    } else repl = sqlToken(`date(${text}, '${days >= 0 ? '+' : ''}${days} days')`, left.pos, 'date');
    splice(nodes, l, r, [repl]);
    i = l;
  }
}

function likes(nodes: Node[], ctx: Ctx): void {
  for (let i = 0; i < nodes.length; i++) {
    const w = word(nodes[i]);
    if (w !== 'ILIKE' && w !== 'LIKE') continue;
    const kw = nodes[i] as Token;
    let p = prevIdx(nodes, i);
    const not = word(nodes[p]) === 'NOT';
    if (not) p = prevIdx(nodes, p);
    const r = nextIdx(nodes, i);
    if (word(nodes[r]) === 'ANY' || word(nodes[r]) === 'ALL') fail(ctx, kw.pos, `${w} ${word(nodes[r])}(…)`, `(x ${w} 'a%' OR x ${w} 'b%')`);
    if (w === 'LIKE') {
      ctx.used.add('like');
      // PostgreSQL's default escape character is the backslash; SQLite has none unless told.
      const nx = nextIdx(nodes, r);
      if (r >= 0 && nodes[r].kind === 'string' && (nodes[r] as Token).text.includes('\\') && word(nodes[nx]) !== 'ESCAPE') {
        splice(nodes, r, r, [nodes[r], sqlToken(" ESCAPE '\\'", nodes[r].pos)]);
      }
      continue;
    }
    ctx.used.add('ilike');
    const ls = operandStart(nodes, p);
    const re = operandEnd(nodes, r);
    if (ls < 0 || re < 0) fail(ctx, kw.pos, 'ILIKE whose operands are not clear', "(expression) ILIKE 'pattern', or lower(x) LIKE lower('pattern')");
    const before = prevIdx(nodes, ls);
    let after = nextIdx(nodes, re);
    if ((before >= 0 && isOp(nodes[before], ...ARITH)) || (after >= 0 && isOp(nodes[after], ...ARITH))) {
      fail(ctx, kw.pos, 'ILIKE next to an operator (||, +, …)', "put the operands in parentheses: (a || b) ILIKE 'x%'");
    }
    let esc = '';
    let end = re;
    if (after >= 0 && word(nodes[after]) === 'ESCAPE') {
      const ee = operandEnd(nodes, nextIdx(nodes, after));
      if (ee < 0) fail(ctx, nodes[after].pos, 'ILIKE … ESCAPE without a character', "ESCAPE '\\'");
      esc = ', ' + render(nodes.slice(nextIdx(nodes, after), ee + 1)).trim();
      end = ee;
      after = nextIdx(nodes, ee);
    }
    const left = render(nodes.slice(ls, p + 1)).trim();
    const right = render(nodes.slice(r, re + 1)).trim();
    splice(nodes, ls, end, [sqlToken(`${not ? 'NOT ' : ''}pg_ilike(${left}, ${right}${esc})`, nodes[ls].pos)]);
    i = ls;
  }
}

type TimeClass = 'literal' | 'instant' | 'date' | 'column' | null;

/** ts - ts is an interval in PostgreSQL; SQLite would subtract the leading digits of two texts. */
function timeDifferences(nodes: Node[], ctx: Ctx): void {
  for (let i = 0; i < nodes.length; i++) {
    if (!isOp(nodes[i], '-')) continue;
    const le = prevIdx(nodes, i);
    const ls = operandStart(nodes, le);
    const rs = nextIdx(nodes, i);
    const re = operandEnd(nodes, rs);
    if (ls < 0 || re < 0) continue;
    const a = classify(nodes, ls, le);
    const b = classify(nodes, rs, re);
    const timeish = (c: TimeClass) => c === 'column' || c === 'instant';
    if (timeish(a) && timeish(b)) fail(ctx, nodes[i].pos, 'the difference of two times (an interval)', '(julianday(b) - julianday(a)) * 86400 for seconds, * 24 for hours');
  }
}

function classify(nodes: Node[], s: number, e: number): TimeClass {
  if (s < 0 || e < 0) return null;
  if (s !== e) {
    // a qualified column a.ts
    const last = nodes[e];
    if ((last.kind === 'word' || last.kind === 'qident') && nodes.slice(s, e + 1).every((n) => n.kind === 'word' || n.kind === 'qident' || isOp(n, '.') || (!isGroup(n) && isTrivia(n as Token)))) {
      return TIME_COLUMN.test(colName(last as Token)) ? 'column' : null;
    }
    return null;
  }
  const n = nodes[s];
  if (isGroup(n)) return null;
  const t = n as Token;
  if (t.kind === 'string') return TIME_LITERAL.test(t.text) ? 'literal' : null;
  if (t.kind === 'sql') return t.type === 'instant' ? 'instant' : t.type === 'date' ? 'date' : null;
  if ((t.kind === 'word' && !KEYWORDS.has(word(t))) || t.kind === 'qident') return TIME_COLUMN.test(colName(t)) ? 'column' : null;
  return null;
}
const colName = (t: Token) => (t.kind === 'qident' ? t.text.slice(1, -1) : t.text);

/**
 * Make both sides of a comparison instants when one side is a time: literals become canonical
 * ISO text (local wall time of the session zone when they carry no offset), columns are read
 * through pg_ts() (any stored time text → canonical), dates are their local midnight.
 */
function timeComparisons(nodes: Node[], ctx: Ctx): void {
  const fix = (s: number, e: number, cls: TimeClass, other: TimeClass): Node[] | null => {
    const n = nodes[s];
    if (cls === 'literal' && (other === 'column' || other === 'instant')) {
      const t = parseInstant(unquote(n as Token), ctx.session.tz)!;
      ctx.used.add('literal');
      return [sqlToken(quote(iso(t)), n.pos, 'instant')];
    }
    if (cls === 'column' && (other === 'literal' || other === 'instant' || other === 'date')) return [sqlToken(`pg_ts(${render(nodes.slice(s, e + 1)).trim()})`, n.pos, 'instant')];
    if (cls === 'date' && (other === 'column' || other === 'instant')) return [sqlToken(`pg_ts(${render(nodes.slice(s, e + 1)).trim()})`, n.pos, 'instant')];
    return null;
  };
  const pair = (as: number, ae: number, bs: number, be: number) => {
    const ca = classify(nodes, as, ae);
    const cb = classify(nodes, bs, be);
    if (!ca || !cb) return;
    // Later span first so that the earlier indexes stay valid.
    const rb = fix(bs, be, cb, ca);
    if (rb) splice(nodes, bs, be, rb);
    const ra = fix(as, ae, ca, cb);
    if (ra) splice(nodes, as, ae, ra);
  };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (isOp(n, ...COMPARE)) {
      const le = prevIdx(nodes, i);
      const ls = operandStart(nodes, le);
      const rs = nextIdx(nodes, i);
      const re = operandEnd(nodes, rs);
      if (ls < 0 || re < 0) continue;
      const before = prevIdx(nodes, ls);
      const after = nextIdx(nodes, re);
      // a + b = c: the operand is not one value; leave it alone.
      if ((before >= 0 && isOp(nodes[before], ...ARITH)) || (after >= 0 && isOp(nodes[after], ...ARITH))) continue;
      pair(ls, le, rs, re);
    } else if (word(n) === 'IN' && isGroup(nodes[nextIdx(nodes, i)])) {
      // ts IN ('2025-11-26T00:49:33Z', …): each literal an instant, like `=`.
      let p = prevIdx(nodes, i);
      if (word(nodes[p]) === 'NOT') p = prevIdx(nodes, p);
      const xs = operandStart(nodes, p);
      const g = nodes[nextIdx(nodes, i)] as Group;
      if (xs < 0 || classify(nodes, xs, p) !== 'column') continue;
      const items = g.children.filter((c) => isGroup(c) || !isTrivia(c as Token));
      const lits = items.filter((c) => !isOp(c, ','));
      if (lits.length === 0 || !lits.every((c) => c.kind === 'string' && TIME_LITERAL.test((c as Token).text))) continue;
      g.children = g.children.map((c) => (lits.includes(c) ? sqlToken(quote(iso(parseInstant(unquote(c as Token), ctx.session.tz)!)), c.pos, 'instant') : c));
      ctx.used.add('literal');
      const rx = fix(xs, p, 'column', 'instant');
      if (rx) splice(nodes, xs, p, rx);
    } else if (word(n) === 'BETWEEN') {
      let p = prevIdx(nodes, i);
      if (word(nodes[p]) === 'NOT') p = prevIdx(nodes, p);
      const xs = operandStart(nodes, p);
      const as = nextIdx(nodes, i);
      const ae = operandEnd(nodes, as);
      const and = nextIdx(nodes, ae);
      if (xs < 0 || ae < 0 || word(nodes[and]) !== 'AND') continue;
      const bs = nextIdx(nodes, and);
      const be = operandEnd(nodes, bs);
      if (be < 0) continue;
      const cx = classify(nodes, xs, p);
      const ca = classify(nodes, as, ae);
      const cb = classify(nodes, bs, be);
      const timeish = (c: TimeClass) => c === 'literal' || c === 'instant';
      if (cx !== 'column' || !(timeish(ca) || timeish(cb))) continue;
      const rb = fix(bs, be, cb, cx);
      if (rb) splice(nodes, bs, be, rb);
      const ra = fix(as, ae, ca, cx);
      if (ra) splice(nodes, as, ae, ra);
      const rx = fix(xs, p, cx, 'instant');
      if (rx) splice(nodes, xs, p, rx);
    }
  }
}

/** The comment lines right before a statement, as its label (the runbook names its queries so). */
function labelOf(tokens: Token[]): string | null {
  const lead: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'comment' && t.text.startsWith('--')) lead.push(t.text.slice(2).trim());
    else if (t.kind !== 'ws') break;
  }
  return lead.length ? lead.join(' ') : null;
}

export function rewritePostgres(sql: string, session: Session): Rewritten {
  const ctx: Ctx = { session, src: sql, used: new Set() };
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch (e) {
    if (e instanceof LexError) throw new DialectError(e.message, 'close it', lineCol(sql, e.pos));
    throw e;
  }
  const statements = splitStatements(tokens).map((st) => {
    const original = st.map((t) => t.text).join('').trim();
    const out = render(rewriteLevel(nest(st, ctx), ctx)).trim();
    return { sql: out, original, label: labelOf(st) };
  });
  const notes: string[] = [];
  if (ctx.used.has('now')) notes.push(`NOW() = ${iso(session.now)} (${session.nowLabel})`);
  if (ctx.used.has('today')) notes.push(`CURRENT_DATE = ${wallDate(toWall(session.now, session.tz))} (${session.nowLabel}, in ${session.tz})`);
  if (ctx.used.has('zone') || ctx.used.has('literal') || ctx.used.has('today')) notes.push(`session time zone ${session.tz}: DATE(), DATE_TRUNC, EXTRACT, ::date and time literals without an offset follow it`);
  if (ctx.used.has('like')) notes.push('LIKE is case-sensitive, as in PostgreSQL (ILIKE ignores case)');
  return { statements, notes, changed: statements.some((s) => s.sql !== s.original), usesClock: ctx.used.has('now') || ctx.used.has('today') };
}
