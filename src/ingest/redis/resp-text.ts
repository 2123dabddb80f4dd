/**
 * Reading what redis-cli prints, in both of its forms (evidence-formats.md §4.4):
 *
 * - the TTY form (stdout is a terminal): strings quoted with C escapes (`\"`, `\\`, `\n`, `\r`,
 *   `\t`, `\a`, `\b`, `\xHH` for every non-printable byte including UTF-8 bytes ≥ 0x80),
 *   `(integer) N`, `(nil)`, `(error) ...`, `(empty array)`, array elements prefixed by
 *   right-aligned `N) ` markers whose nesting is shown by indentation;
 * - the raw form (piped / redirected / `--raw`): one element per line, bytes as they are.
 *
 * Also the lines around the answers that are not answers: the `-a` warning, the
 * `Reading messages...` banner, prompts and shell command echoes, errors.
 */

export const REDACTED = '‹redacted›';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export type Unescaped = { ok: true; value: string; end: number } | { ok: false; error: string };

/**
 * Read one quoted string starting at `text[start] === '"'`. Escapes are undone to bytes first and
 * the bytes decoded as UTF-8 afterwards, because redis-cli escapes each byte of a multi-byte
 * character on its own (`gro\xc3\x9f` is `groß`). `end` is the index after the closing quote.
 */
export function readQuoted(text: string, start: number): Unescaped {
  if (text[start] !== '"') return { ok: false, error: 'expected a quoted string' };
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      try {
        return { ok: true, value: utf8.decode(Uint8Array.from(bytes)), end: i + 1 };
      } catch {
        return { ok: false, error: 'escaped bytes are not valid UTF-8' };
      }
    }
    if (c === '\\') {
      const n = text[i + 1];
      if (n === undefined) break;
      if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
        bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, '"': 34, '\\': 92 };
      // Unknown escapes keep the character, as redis-cli's own argument splitter does.
      if (n in simple) bytes.push(simple[n]);
      else for (const b of utf8Encoder.encode(n)) bytes.push(b);
      i += 2;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    for (const b of utf8Encoder.encode(ch)) bytes.push(b);
    i += ch.length;
  }
  return { ok: false, error: 'unterminated quoted string' };
}

/** The inverse of readQuoted: how redis-cli (sdscatrepr) quotes a string in the TTY form and in MONITOR. */
export function quoteRedis(value: string): string {
  let out = '"';
  for (const b of utf8Encoder.encode(value)) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x07) out += '\\a';
    else if (b === 0x08) out += '\\b';
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out + '"';
}

/** `"PUBLISH" "signals" "{...}"` (MONITOR arguments) → the unescaped arguments. */
export function splitQuotedArgs(text: string): { ok: true; args: string[] } | { ok: false; error: string } {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    const r = readQuoted(text, i);
    if (!r.ok) return { ok: false, error: `${r.error} at column ${i + 1}` };
    args.push(r.value);
    i = r.end;
    if (i < text.length) {
      if (text[i] !== ' ') return { ok: false, error: `expected a space after the quoted argument at column ${i + 1}` };
      i++;
    }
  }
  return { ok: true, args };
}

/** One TTY element marker: the index and the column right after `) `. */
export interface TtyMarker {
  index: number;
  end: number;
}

export type TtyKind = 'string' | 'integer' | 'double' | 'boolean' | 'nil' | 'error' | 'empty' | 'status';

export interface TtyLine {
  markers: TtyMarker[];
  kind: TtyKind;
  /** Unescaped string, integer digits, error text; null for nil/empty. */
  value: string | null;
}

const MARKER = /^ *(\d+)[)~] /;

/**
 * Parse one line of the TTY form. Returns null when the line does not look like TTY output at all
 * (so raw-form lines can be told apart), or `{ error }` when it does but cannot be read.
 */
export function parseTtyLine(text: string): TtyLine | { error: string } | null {
  const markers: TtyMarker[] = [];
  let pos = 0;
  for (;;) {
    const m = MARKER.exec(text.slice(pos));
    if (!m) break;
    pos += m[0].length;
    markers.push({ index: Number(m[1]), end: pos });
  }
  const rest = text.slice(pos);
  if (rest.startsWith('"')) {
    const r = readQuoted(rest, 0);
    if (!r.ok) return { error: r.error };
    if (r.end !== rest.length) return { error: 'text after the closing quote' };
    return { markers, kind: 'string', value: r.value };
  }
  let m: RegExpExecArray | null;
  if ((m = /^\(integer\) (-?\d+)$/.exec(rest))) return { markers, kind: 'integer', value: m[1] };
  if ((m = /^\(double\) (\S+)$/.exec(rest))) return { markers, kind: 'double', value: m[1] };
  if ((m = /^\((true|false)\)$/.exec(rest))) return { markers, kind: 'boolean', value: m[1] };
  if (rest === '(nil)') return { markers, kind: 'nil', value: null };
  if (/^\(empty (array|list or set|set|hash|map)\)$/.test(rest)) return { markers, kind: 'empty', value: null };
  if ((m = /^\(error\) (.*)$/.exec(rest))) return { markers, kind: 'error', value: m[1] };
  // A status reply inside an array is printed bare; outside an array it is indistinguishable from raw.
  if (markers.length > 0 && rest.length > 0) return { markers, kind: 'status', value: rest };
  return null;
}

/**
 * Turns the column positions of TTY markers into element paths. redis-cli indents the elements
 * of a nested array to the column right after its parent's `N) `, and right-aligns indices to the
 * width of the largest one, so the column after `) ` identifies the nesting level unambiguously
 * within one reply; the first marker of a reply at column 0 starts over.
 */
export class TtyNesting {
  private ends: number[] = [];
  private path: number[] = [];

  /** Path of 1-based indices from the outermost array, e.g. `   2)  1) "type"` → [k, 2, 1]. */
  place(markers: TtyMarker[]): { path: number[]; aligned: boolean } {
    if (markers.length === 0) {
      this.ends = [];
      this.path = [];
      return { path: [], aligned: true };
    }
    let aligned = true;
    const first = markers[0];
    const level = this.ends.indexOf(first.end);
    if (level >= 0) {
      this.ends.length = level + 1;
      this.path.length = level + 1;
      this.path[level] = first.index;
    } else {
      // Not a continuation of an open array: a new reply, which must begin with index 1.
      aligned = first.index === 1;
      this.ends = [first.end];
      this.path = [first.index];
    }
    for (const m of markers.slice(1)) {
      this.ends.push(m.end);
      this.path.push(m.index);
    }
    return { path: [...this.path], aligned };
  }
}

/** What kind of non-answer line this is, and under which structural counter it goes. */
export type NoiseKind = 'blank' | 'auth_warning' | 'reading_header' | 'command_echo' | 'redis_error' | 'interrupt' | 'powershell_wrapper';

export interface Noise {
  kind: NoiseKind;
  /** Command words of an echo (`XRANGE stream.signals - +`), password arguments already removed. */
  command?: string[];
  /** Error text (NOAUTH ..., Could not connect ...). */
  error?: string;
}

const RAW_ERROR =
  /^(?:NOAUTH|WRONGPASS|NOPERM|ERR|WRONGTYPE|LOADING|BUSY|MISCONF|READONLY|EXECABORT|NOSCRIPT|MASTERDOWN|CLUSTERDOWN|CROSSSLOT|OOM|NOGROUP|NOPROTO) .*$/;
const CLIENT_ERROR =
  /^(?:AUTH failed: .*|Could not connect to Redis at .*|Error: (?:Server closed the connection|Connection reset by peer|Broken pipe|.*timed out.*)|Unrecognized option or bad number of args for: .*)$/;
const PROMPT = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d+(?:\[\d+\])?|not connected)> ?(.*)$/;
const SHELL_ECHO =
  /^(?:\S*[$#%>+]\s+|\S*[$#%]\s*)?(?:(?:sudo\s+)?docker(?:\s+compose|-compose)?\s+exec\s+(?:-{1,2}\S+\s+)*\S+\s+)?redis-cli(?:\s+(.*))?$/;

/** redis-cli options that take a value (everything before the command word is an option). */
const OPTS_WITH_VALUE = new Set([
  '-h', '-p', '-s', '-a', '-u', '-n', '-r', '-i', '-d', '-D', '-t', '--user', '--pass', '--cacert', '--cacertdir',
  '--cert', '--key', '--sni', '--tls-ciphers', '--tls-ciphersuites', '--pattern', '--quoted-pattern', '--count',
  '--eval', '--rdb', '--functions-rdb', '--pipe-timeout', '--memkeys-samples', '--intrinsic-latency', '--lru-test',
]);

/** Split like a shell / redis-cli prompt would: quotes group, backslash escapes inside double quotes. */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') {
      if (has) out.push(cur);
      cur = '';
      has = false;
      i++;
    } else if (c === '"' || c === "'") {
      const close = c === '"' ? /(?:\\.|[^"\\])*"/y : /[^']*'/y;
      close.lastIndex = i + 1;
      const m = close.exec(s);
      if (!m) {
        cur += s.slice(i + 1);
        has = true;
        break;
      }
      const inner = m[0].slice(0, -1);
      cur += c === '"' ? inner.replace(/\\(.)/g, '$1') : inner;
      has = true;
      i = close.lastIndex;
    } else {
      cur += c;
      has = true;
      i++;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** Remove credentials from a command's words (AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2, CONFIG SET requirepass). */
export function redactCommand(words: string[]): string[] {
  const out = [...words];
  const cmd = (out[0] ?? '').toUpperCase();
  if (cmd === 'AUTH') {
    for (let i = 1; i < out.length; i++) out[i] = REDACTED;
  } else if (cmd === 'HELLO' || cmd === 'MIGRATE') {
    for (let i = 1; i < out.length; i++) {
      const w = out[i].toUpperCase();
      if (w === 'AUTH' && cmd === 'HELLO') {
        if (i + 1 < out.length) out[i + 1] = REDACTED;
        if (i + 2 < out.length) out[i + 2] = REDACTED;
        i += 2;
      } else if (w === 'AUTH' && cmd === 'MIGRATE') {
        if (i + 1 < out.length) out[i + 1] = REDACTED;
        i += 1;
      } else if (w === 'AUTH2') {
        if (i + 1 < out.length) out[i + 1] = REDACTED;
        if (i + 2 < out.length) out[i + 2] = REDACTED;
        i += 2;
      }
    }
  } else if (cmd === 'CONFIG' && (out[1] ?? '').toUpperCase() === 'SET') {
    for (let i = 2; i + 1 < out.length; i += 2) {
      if (/pass|auth|secret/i.test(out[i])) out[i + 1] = REDACTED;
    }
  } else if (cmd === 'ACL' && (out[1] ?? '').toUpperCase() === 'SETUSER') {
    for (let i = 3; i < out.length; i++) if (/^[<>#!]/.test(out[i])) out[i] = REDACTED;
  }
  return out;
}

/** The command a redis-cli invocation runs, without its options (and thus without `-a <password>`). */
function commandOfInvocation(argText: string): string[] {
  const words = splitWords(argText);
  let i = 0;
  while (i < words.length && words[i].startsWith('-') && words[i] !== '-') {
    i += OPTS_WITH_VALUE.has(words[i]) ? 2 : 1;
  }
  return redactCommand(words.slice(i));
}

/**
 * Classify a line that is not an answer element. Only call this where a new answer may start:
 * inside a record, any line is data (a stream value may well read `ERR ...`).
 */
export function classifyNoise(text: string): Noise | null {
  const t = text.replace(/\r+$/, '');
  if (t.trim() === '') return { kind: 'blank' };
  if (/^Warning: Using a password with '-a' or '-u' option/.test(t)) return { kind: 'auth_warning' };
  if (/^Reading messages\.\.\. \(press Ctrl-C to quit/.test(t)) return { kind: 'reading_header' };
  if (t === '^C') return { kind: 'interrupt' };
  // Windows PowerShell 5.1 wraps the first stderr line of `2>&1` (usually the -a warning) in an
  // error record: `docker : <line>`, `At line:1 char:1`, `+ <command>`, `+ ~~~`, `    + CategoryInfo ...`.
  if (/^docker : /.test(t) || /^At line:\d+ char:\d+/.test(t) || /^\s*\+ (?:~+|CategoryInfo|FullyQualifiedErrorId|\S)/.test(t)) {
    return { kind: 'powershell_wrapper' };
  }
  let m: RegExpExecArray | null;
  if ((m = /^\(error\) (.*)$/.exec(t))) return { kind: 'redis_error', error: m[1] };
  if (RAW_ERROR.test(t) || CLIENT_ERROR.test(t)) return { kind: 'redis_error', error: t };
  if ((m = PROMPT.exec(t))) return { kind: 'command_echo', command: redactCommand(splitWords(m[1])) };
  if ((m = SHELL_ECHO.exec(t))) return { kind: 'command_echo', command: commandOfInvocation(m[1] ?? '') };
  return null;
}

/** Text for a note about an error redis-cli printed (the capture holds no answer there). */
export function errorNote(lineNo: number, error: string): string {
  const e = error.length > 160 ? error.slice(0, 159) + '…' : error;
  return `redis-cli reported an error at line ${lineNo}: ${e}`;
}

/**
 * One answer element, in either form, as the format parsers see it. `tty` elements carry their
 * nesting path; raw elements are the line itself.
 */
export interface Element {
  lineNo: number;
  /** Original line (for quarantine excerpts). */
  text: string;
  value: string | null;
  kind: TtyKind | 'raw';
  tty: boolean;
  path: number[];
}

/** Which form a file is in, decided once from its first answer line. */
export type Form = 'tty' | 'raw';

export function formOf(text: string): Form {
  const t = parseTtyLine(text.replace(/\r+$/, ''));
  return t !== null ? 'tty' : 'raw';
}

/**
 * Make an element of one line in a known form. In the TTY form a line that cannot be read gives
 * `{ error }`; in the raw form every line is an element.
 */
export function toElement(lineNo: number, text: string, form: Form, nesting?: TtyNesting): Element | { error: string } {
  const t = text.replace(/\r+$/, '');
  if (form === 'raw') return { lineNo, text, value: t, kind: 'raw', tty: false, path: [] };
  const p = parseTtyLine(t);
  if (p === null) return { error: 'not a redis-cli TTY element (expected `N) "..."`, `(integer) N` ...)' };
  if ('error' in p) return { error: `unreadable redis-cli TTY element: ${p.error}` };
  const path = nesting ? nesting.place(p.markers).path : p.markers.map((m) => m.index);
  return { lineNo, text, value: p.value, kind: p.kind, tty: true, path };
}

/** Lines of a file head that are complete (the last one may be cut off when the head is partial). */
export function headLines(head: { lines: string[]; complete: boolean }): string[] {
  return head.complete ? head.lines : head.lines.slice(0, -1);
}

/** Channel names the bot (and the runbook) use; sniffs of tiny answers insist on them. */
export const KNOWN_CHANNELS = new Set([
  'market_data', 'signals', 'orders', 'order_results', 'alerts', 'portfolio_snapshots',
  'trading_signals', 'risk_approved_trades',
]);

/** A channel, pattern or key name as redis-cli prints it raw (no spaces, not JSON). */
export const NAME_RE = /^[A-Za-z0-9_.:\-*?[\]{}]+$/;

/**
 * Where a line-fed state machine puts its results. parse() hands in one that forwards to the
 * ParseContext and buffers rows for yielding; sniff() hands in one that only counts, so both run
 * the very same machine.
 */
export interface Sink<R> {
  row(r: R): void;
  structural(counter: string, count?: number): void;
  quarantine(lineNo: number, reason: string, text: string): void;
  note(message: string): void;
}

export interface CountingSink<R> extends Sink<R> {
  rows: R[];
  structuralLines: number;
  quarantined: { lineNo: number; reason: string }[];
  notes: string[];
}

export function countingSink<R>(): CountingSink<R> {
  const s: CountingSink<R> = {
    rows: [],
    structuralLines: 0,
    quarantined: [],
    notes: [],
    row(r) {
      s.rows.push(r);
    },
    structural(_c, n = 1) {
      s.structuralLines += n;
    },
    quarantine(lineNo, reason) {
      s.quarantined.push({ lineNo, reason });
    },
    note(m) {
      s.notes.push(m);
    },
  };
  return s;
}

/** A sink over a ParseContext whose rows are drained by the parser's generator after each line. */
export function contextSink<R>(ctx: {
  structural(counter: string, count?: number): void;
  quarantine(lineNo: number, reason: string, text: string): void;
  note(message: string): void;
}): Sink<R> & { drain(): R[] } {
  let buf: R[] = [];
  // Drained after every line: most lines complete no row, and need not cost an array.
  const none = Object.freeze([]) as unknown as R[];
  return {
    row(r) {
      buf.push(r);
    },
    structural: (c, n) => ctx.structural(c, n),
    quarantine: (l, r, t) => ctx.quarantine(l, r, t),
    note: (m) => ctx.note(m),
    drain() {
      if (buf.length === 0) return none;
      const out = buf;
      buf = [];
      return out;
    },
  };
}

/** A reply as redis-cli receives it: bulk string, integer, nil or array. */
export type Reply = string | number | null | Reply[];

/**
 * redis-cli's TTY rendering of a reply (a port of cliFormatReplyTTY), the inverse of what the
 * parsers read; tests use it to build TTY captures that must give the same rows as the raw form.
 */
export function renderTty(r: Reply, prefix = ''): string {
  if (typeof r === 'string') return quoteRedis(r) + '\n';
  if (typeof r === 'number') return `(integer) ${r}\n`;
  if (r === null) return '(nil)\n';
  if (r.length === 0) return '(empty array)\n';
  const idxlen = String(r.length).length;
  const childPrefix = prefix + ' '.repeat(idxlen + 2);
  let out = '';
  r.forEach((e, i) => {
    out += (i === 0 ? '' : prefix) + String(i + 1).padStart(idxlen) + ') ' + renderTty(e, childPrefix);
  });
  return out;
}

/** redis-cli's raw rendering of a reply: one element per line, nil as an empty line. */
export function renderRaw(r: Reply): string {
  if (typeof r === 'string') return r + '\n';
  if (typeof r === 'number') return `${r}\n`;
  if (r === null) return '\n';
  return r.map(renderRaw).join('');
}
