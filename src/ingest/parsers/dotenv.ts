import { batchedRows, defineParser, type ParseContext, type Row } from '../define-parser.js';
import type { Line } from '../../bundle/types.js';
import { isSecretSetting } from '../reports/secret-keys.js';

/** A strict assignment as compose/.env files write it; used by the sniff only. */
const STRICT_ASSIGN_RE = /^(?:export\s+)?[A-Z_][A-Z0-9_]*=/;
/** What the parser accepts: python-dotenv also allows lower-case keys and spaces around `=`. */
const ASSIGN_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
const LOG_LINE_RE = /^(?:\S+\s*\|\s*)?(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\d+:[MSCX] \d|\[\d{4}-)/;
/** A quoted value may span lines (python-dotenv allows it); beyond this the quote is taken as unterminated. */
const MAX_QUOTED_LINES = 50;

type ValueResult = { ok: true; value: string } | { ok: false; reason: string } | { ok: 'open' };

function unescapeDouble(s: string): string {
  return s.replace(/\\(["\\nrt$])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

/**
 * Reads the value `rest` plus `more` continuation lines (a quoted value may span lines):
 * `open` while a quote is still unclosed and more lines may close it.
 */
function readValue(rest: string, more: readonly Line[]): ValueResult {
  const q = rest[0];
  if (q !== '"' && q !== "'") {
    // Unquoted: a `#` starts a comment only after whitespace (python-dotenv and compose agree).
    return { ok: true, value: rest.replace(/\s+#.*$/, '').trim() };
  }
  const text = [rest.slice(1), ...more.map((l) => l.text)].join('\n');
  let end = -1;
  for (let i = 0; i < text.length; i++) {
    if (q === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === q) {
      end = i;
      break;
    }
  }
  if (end < 0) return more.length + 1 >= MAX_QUOTED_LINES ? { ok: false, reason: `opening ${q} quote is never closed` } : { ok: 'open' };
  const after = text.slice(end + 1);
  if (after.includes('\n') || (after.trim() !== '' && !/^\s+#/.test(after))) {
    return { ok: false, reason: `text after the closing ${q} quote: ${after.split('\n')[0].trim() || after.trim()}` };
  }
  const raw = text.slice(0, end);
  return { ok: true, value: q === '"' ? unescapeDouble(raw) : raw };
}

/** A key seen more than once: enough for one note, however often it repeats. */
interface Repeat {
  first: number;
  last: number;
  times: number;
}

/**
 * Streams a .env line by line. Only an open quoted value (at most MAX_QUOTED_LINES lines) is
 * held; when it never closes, its first line is quarantined and the held lines are read again.
 */
class EnvReader {
  private open: { line: Line; key: string; rest: string; more: Line[] } | null = null;
  private readonly seen = new Map<string, number>();
  private readonly repeats = new Map<string, Repeat>();

  constructor(private readonly ctx: ParseContext) {}

  *feed(line: Line): Generator<Row> {
    const o = this.open;
    if (!o) {
      yield* this.line(line);
      return;
    }
    o.more.push(line);
    const r = readValue(o.rest, o.more);
    if (r.ok === 'open') return;
    this.open = null;
    if (r.ok) {
      yield this.setting(o.line, o.key, r.value, 1 + o.more.length);
      return;
    }
    yield* this.refuse(o, r.reason);
  }

  *end(): Generator<Row> {
    const o = this.open;
    if (o) {
      this.open = null;
      yield* this.refuse(o, `opening ${o.rest[0]} quote is never closed`);
    }
    const notes = [...this.repeats.entries()].sort((a, b) => a[1].first - b[1].first);
    for (const [key, r] of notes) {
      this.ctx.note(
        r.times === 2
          ? `${key} is set twice (lines ${r.first} and ${r.last}); the later one wins`
          : `${key} is set ${r.times} times (first at line ${r.first}, last at line ${r.last}); the last one wins`,
      );
    }
  }

  private *refuse(o: { line: Line; key: string; more: Line[] }, reason: string): Generator<Row> {
    this.ctx.quarantine(o.line.lineNo, `${o.key}: ${reason}`, o.line.text);
    for (const l of o.more) yield* this.feed(l);
  }

  private *line(line: Line): Generator<Row> {
    const text = line.lineNo === 1 ? line.text.replace(/^\uFEFF/, '') : line.text;
    if (text.trim() === '') {
      this.ctx.structural('blank');
      return;
    }
    if (/^\s*#/.test(text)) {
      this.ctx.structural('comment');
      return;
    }
    const bare = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text);
    if (bare) {
      // Compose passes a bare KEY through from the host environment; python-dotenv sets it to None.
      yield { table: 'settings', line: line.lineNo, lines: 1, values: { source: 'env', service: null, key: bare[1], value: null, is_secret: isSecretSetting(bare[1], null) ? 1 : 0 } };
      return;
    }
    const m = ASSIGN_RE.exec(text);
    if (!m) {
      const reason = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*:/.test(text) ? 'YAML-style KEY: VALUE is not a .env assignment; write KEY=VALUE' : 'not a KEY=VALUE assignment';
      this.ctx.quarantine(line.lineNo, reason, text);
      return;
    }
    const r = readValue(m[2], []);
    if (r.ok === 'open') {
      this.open = { line: { text, lineNo: line.lineNo }, key: m[1], rest: m[2], more: [] };
      return;
    }
    if (!r.ok) {
      this.ctx.quarantine(line.lineNo, `${m[1]}: ${r.reason}`, text);
      return;
    }
    yield this.setting(line, m[1], r.value, 1);
  }

  private setting(line: Line, key: string, value: string, lines: number): Row {
    const prev = this.seen.get(key);
    if (prev !== undefined) {
      const r = this.repeats.get(key);
      if (r) {
        r.times++;
        r.last = line.lineNo;
      } else this.repeats.set(key, { first: prev, last: line.lineNo, times: 2 });
    }
    this.seen.set(key, line.lineNo);
    return { table: 'settings', line: line.lineNo, lines, values: { source: 'env', service: null, key, value, is_secret: isSecretSetting(key, value) ? 1 : 0 } };
  }
}

export default defineParser({
  id: 'dotenv',
  title: '.env configuration file (KEY=VALUE)',
  version: 2,
  kind: 'config',
  tables: ['settings'],
  specificity: 40,
  claims: {
    sniff(head) {
      const content = head.lines.filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
      if (content.length === 0) return null;
      if (content.some((l) => LOG_LINE_RE.test(l))) return null;
      const strict = content.filter((l) => STRICT_ASSIGN_RE.test(l.replace(/^\uFEFF/, ''))).length;
      const ratio = strict / content.length;
      if (strict === 0 || ratio < 0.6) return null;
      const confidence = strict >= 3 && ratio >= 0.8 ? 80 : 55;
      return { confidence, reason: `${strict} of ${content.length} non-comment lines are KEY=VALUE` };
    },
  },
  async *parse(input, ctx) {
    const reader = new EnvReader(ctx);
    yield* batchedRows(input.lines(), (line) => reader.feed(line), () => reader.end());
  },
});
