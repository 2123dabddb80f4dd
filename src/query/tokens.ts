/**
 * A lexer for the SQL an analyst pastes (PostgreSQL as the runbook writes it, or SQLite).
 * The dialect rewriter works on these tokens, so nothing inside a string literal, a quoted
 * identifier or a comment is ever touched. Concatenating every token's text gives the input back.
 */

export type TokenKind =
  | 'ws'
  | 'comment'
  | 'string' // '…' ('' inside)
  | 'estring' // E'…' (PostgreSQL escape string)
  | 'dollar' // $$…$$ or $tag$…$tag$
  | 'qident' // "…", [`…`], […]
  | 'number'
  | 'word' // identifier or keyword
  | 'param' // ?, ?1, :name, @name, $1
  | 'op' // operators and punctuation
  | 'sql'; // text the rewriter produced: one operand, never split again

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset in the original input (rewritten tokens keep the offset of the text they replace). */
  pos: number;
  /** Set by the rewriter on 'sql' tokens: the value is an instant (ISO text) or a calendar date. */
  type?: 'instant' | 'date';
}

const OPS3 = ['!~*'];
const OPS2 = ['::', '<=', '>=', '<>', '!=', '==', '||', '<<', '>>', '~*', '!~', '->'];

export class LexError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, end: number) => {
    out.push({ kind, text: sql.slice(i, end), pos: i });
    i = end;
  };
  while (i < n) {
    const c = sql[i];
    const c2 = sql.slice(i, i + 2);
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < n && /\s/.test(sql[j])) j++;
      push('ws', j);
    } else if (c2 === '--') {
      const j = sql.indexOf('\n', i);
      push('comment', j < 0 ? n : j);
    } else if (c2 === '/*') {
      const j = sql.indexOf('*/', i + 2);
      if (j < 0) throw new LexError('a /* comment is not closed', i);
      push('comment', j + 2);
    } else if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'")) {
      const start = c === "'" ? i : i + 1;
      let j = start + 1;
      for (;;) {
        if (j >= n) throw new LexError('a string literal is not closed', i);
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") j += 2;
          else break;
        } else if (c !== "'" && sql[j] === '\\') j += 2;
        else j++;
      }
      push(c === "'" ? 'string' : 'estring', j + 1);
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new LexError('a quoted identifier is not closed', i);
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      push('qident', j + 1);
    } else if (c === '[') {
      const j = sql.indexOf(']', i);
      if (j < 0) throw new LexError('a [quoted identifier] is not closed', i);
      push('qident', j + 1);
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))![0];
      const j = sql.indexOf(tag, i + tag.length);
      if (j < 0) throw new LexError(`a ${tag}-quoted string is not closed`, i);
      push('dollar', j + tag.length);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(sql.slice(i))!;
      push('number', i + m[0].length);
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j])) j++;
      push('word', j);
    } else if (c === '?' || ((c === ':' || c === '@') && /[A-Za-z_]/.test(sql[i + 1] ?? '')) || (c === '$' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j])) j++;
      push('param', j);
    } else {
      const three = sql.slice(i, i + 3);
      if (OPS3.includes(three)) push('op', i + 3);
      else if (OPS2.includes(c2)) push('op', i + 2);
      else push('op', i + 1);
    }
  }
  return out;
}

export const upper = (t: Token | undefined): string => (t && t.kind === 'word' ? t.text.toUpperCase() : '');
export const isTrivia = (t: Token): boolean => t.kind === 'ws' || t.kind === 'comment';

/** Line and column (1-based) of an offset, for messages. */
export function lineCol(sql: string, pos: number): string {
  const before = sql.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

/** Split a script into statements at top-level semicolons; empty statements (only comments) are dropped. */
export function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'op' && t.text === ';') {
      out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  out.push(cur);
  return out.filter((s) => s.some((t) => !isTrivia(t)));
}
