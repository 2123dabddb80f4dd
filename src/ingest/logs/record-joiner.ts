/**
 * Per-container multi-line joining (evidence-formats.md §2.4): after the capture wrapper is gone,
 * a line that matches no header continues the previous record of the *same container*, so
 * interleaved `docker compose logs` output still joins correctly.
 *
 * Container modes:
 * - joined (Python services, unknown containers): non-header lines append to the open record
 *   (tracebacks, psycopg2 DETAIL/hint lines, the paper-runner DAILY REPORT block, werkzeug startup),
 *   unless they start a block another writer printed to the same stream (see below).
 *
 * Records are what the service wrote: a headerless block printed by another writer is a record of
 * its own (kind 'stderr_block'), never the continuation of the record before it. Such blocks start
 * with socketserver's `handle_error` output (a 40-dash rule, `Exception occurred during processing
 * of request from (...)`, a traceback, the closing rule), threading's `Exception in thread ...:`,
 * or a `Traceback (most recent call last):` that follows a record which cannot carry one: a
 * traceback belongs to a logging record only when `logger.exception`/`exc_info` printed it, and
 * those records are WARNING or above (an INFO `✅ Trade persisted` never carries one).
 * - print (era-A cdb_ws, cdb_reports): every line is its own record, except the pandas table under a
 *   `Top movers` banner and a printed traceback, which are one print each.
 * - infra (cdb_redis, cdb_postgres): entrypoint lines stand alone; indented lines continue
 *   (a multi-line STATEMENT); postgres DETAIL/HINT/STATEMENT lines of the same pid join their ERROR.
 *
 * Memory stays bounded: one open record per container, capped at `maxLines`/`maxBytes` (further
 * lines start a new record of kind 'continuation'), and at most `maxOpen` containers open at once.
 */
import type { ParseContext, Row, SplitHooks } from '../define-parser.js';
import { isTopMoversTableLine, parseAppLine, parsePrintLine, type AppLine, type LogFormat, type LogKind } from './app-line.js';

export interface JoinerOptions {
  maxLines?: number;
  maxBytes?: number;
  maxOpen?: number;
}

type Mode = 'joined' | 'print' | 'infra';

/** The values of a joined record, in the order the writer's other log rows give them. */
interface RecordValues {
  [column: string]: string | number | null;
  service: string | null;
  ts: string | null;
  ts_text: string | null;
  ts_zone: string | null;
  docker_ts: string | null;
  level: string | null;
  logger: string | null;
  message: string;
  kind: LogKind;
  format: LogFormat;
  stream: string | null;
}

/**
 * A record still open, already in the shape of the row it becomes: its values are filled from
 * its first line when it opens, and emitting it only sets its service and joins its lines — no
 * second object is built per record. The fields after `values` are the joiner's own.
 */
interface OpenRecord extends Row {
  values: RecordValues;
  bytes: number;
  /** The lines appended after the first (whose text is `values.message` until it is emitted), if any: most records are one line. */
  more: string[] | null;
  pid: string | undefined;
  /** Print mode and stderr blocks: 0 = no traceback, 1 = traceback open, 2 = closed by its exception line. */
  tb: 0 | 1 | 2;
  topMovers: boolean;
  /** Stderr block: 'socket' (socketserver handle_error, closed by its second rule) or 'trace'. */
  block: 'socket' | 'trace' | null;
  closed: boolean;
}

interface ContainerState {
  service: string | null;
  sawPython: boolean;
  open: OpenRecord | null;
  seq: number;
}

/** postgres lines that belong to the statement logged just before by the same backend. */
const PG_SECONDARY = new Set(['DETAIL', 'HINT', 'STATEMENT', 'CONTEXT', 'QUERY', 'LOCATION']);
const TRACEBACK_START = /^(?:Traceback \(most recent call last\):|Exception in thread .*:)\s*$/;
const TRACEBACK_CHAIN = /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?::|$)/;
/** socketserver.BaseServer.handle_error prints `'-'*40` before and after its block. */
const SOCKET_RULE = /^-{40}\s*$/;
const SOCKET_HEAD = /^Exception occurred during processing of request from /;
const THREAD_EXCEPTION = /^Exception in thread .*:\s*$/;
const TRACEBACK_HEAD = /^Traceback \(most recent call last\):\s*$/;
/** Levels at which logging prints a traceback under the message (`logger.exception`, `exc_info`). */
const EXCEPTION_LEVELS = new Set(['WARNING', 'ERROR', 'CRITICAL']);

type BlockStart = 'socket' | 'trace' | null;

/** A postgres DETAIL/HINT/... line: it joins the same backend's statement before it. */
function isPgSecondary(h: AppLine): boolean {
  return h.format === 'postgres' && PG_SECONDARY.has(h.level ?? '');
}

/** Does `text` start a block another writer printed, given the record open before it? */
function foreignStart(text: string, o: OpenRecord | null, joined: boolean): BlockStart {
  const c0 = text.charCodeAt(0);
  if (c0 === 45 /* - */) return SOCKET_RULE.test(text) ? 'socket' : null;
  if (c0 === 69 /* E */) {
    if (SOCKET_HEAD.test(text)) return 'socket';
    if (joined && THREAD_EXCEPTION.test(text)) return 'trace';
    return null;
  }
  if (joined && c0 === 84 /* T */ && TRACEBACK_HEAD.test(text)) {
    // An orphan may be the tail of an exception record that began before the capture.
    if (o && (o.values.kind === 'continuation' || EXCEPTION_LEVELS.has(o.values.level ?? ''))) return null;
    return 'trace';
  }
  return null;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function startsWithSpace(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 32 || c === 9;
}

/** A piece of a file (src/ingest/split.ts): where the parser's produced rows stand, for `first`. */
export interface JoinerSplit {
  hooks: SplitHooks;
  position(): number;
}

export class RecordJoiner {
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private readonly maxOpen: number;
  private readonly states = new Map<string, ContainerState>();
  private clock = 0;
  /** A container's state was dropped to bound memory (then a piece cannot be joined exactly). */
  evicted = false;

  constructor(
    private readonly ctx: ParseContext,
    opts: JoinerOptions = {},
    private readonly split?: JoinerSplit,
  ) {
    this.maxLines = opts.maxLines ?? 2000;
    this.maxBytes = opts.maxBytes ?? 256 * 1024;
    this.maxOpen = opts.maxOpen ?? 4096;
  }

  /**
   * Feed one logical line of container `key` (a physical line, or several json-file pieces
   * rejoined: `physLines`). Completed records are appended to `out`. `header` may be passed
   * when the caller already parsed the line (undefined = parse here).
   */
  push(
    key: string,
    service: string | null,
    lineNo: number,
    physLines: number,
    text: string,
    dockerTs: string | null,
    stream: string | null,
    out: Row[],
    header?: AppLine | null,
  ): void {
    const h = header === undefined ? parseAppLine(text, dockerTs) : header;
    let st = this.states.get(key);
    if (!st) {
      if (this.states.size >= this.maxOpen) this.evictOldest(out);
      st = { service, sawPython: false, open: null, seq: 0 };
      this.states.set(key, st);
      // Only a header that opens a record of its own reads the same after any earlier state.
      if (this.split) this.split.hooks.first(key, lineNo, this.split.position(), h !== null && !isPgSecondary(h), h?.python ?? false);
    } else if (service !== null && st.service !== service) {
      st.service = service;
    }
    st.seq = ++this.clock;

    if (h) {
      if (h.python) st.sawPython = true;
      const o = st.open;
      if (o && o.values.format === 'postgres' && o.pid === h.pid && isPgSecondary(h)) {
        this.append(st, `${h.level}:  ${h.message}`, lineNo, physLines, dockerTs, stream, out);
        return;
      }
      this.emit(st, out);
      st.open = this.openFrom(h, lineNo, physLines, dockerTs, stream);
      return;
    }

    const mode = this.modeOf(st);
    const blank = isBlank(text);
    const o = st.open;
    if (mode !== 'infra') {
      if (o && o.block && this.continuesBlock(st, o, text, blank, lineNo, physLines, dockerTs, stream, out)) return;
      const start = blank ? null : foreignStart(text, o, mode === 'joined');
      if (start) {
        this.emit(st, out);
        st.open = this.stderrBlock(start, text, lineNo, physLines, dockerTs, stream);
        return;
      }
    }
    if (mode === 'joined') {
      if (o && !o.closed && !(o.block && o.tb === 2)) this.append(st, text, lineNo, physLines, dockerTs, stream, out);
      else if (blank) this.ctx.structural('blank_line', physLines);
      else {
        this.emit(st, out);
        st.open = this.orphan(text, lineNo, physLines, dockerTs, stream);
      }
      return;
    }
    if (mode === 'print') {
      if (o && o.tb !== 0 && !o.block) {
        if (o.tb === 1) {
          if (blank || startsWithSpace(text) || TRACEBACK_START.test(text) || TRACEBACK_CHAIN.test(text)) {
            this.append(st, text, lineNo, physLines, dockerTs, stream, out);
            return;
          }
          if (EXCEPTION_LINE.test(text)) {
            this.append(st, text, lineNo, physLines, dockerTs, stream, out);
            if (st.open === o) o.tb = 2;
            return;
          }
        } else if (TRACEBACK_CHAIN.test(text)) {
          this.append(st, text, lineNo, physLines, dockerTs, stream, out);
          if (st.open === o) o.tb = 1;
          return;
        }
      }
      if (o && o.topMovers && !blank && isTopMoversTableLine(text)) {
        this.append(st, text, lineNo, physLines, dockerTs, stream, out);
        return;
      }
      if (blank) {
        // era-A cdb_ws prints an empty line before every Top movers banner.
        this.ctx.structural('blank_line', physLines);
        return;
      }
      this.emit(st, out);
      const p = parsePrintLine(text);
      const rec = this.openFrom(p, lineNo, physLines, dockerTs, stream);
      if (TRACEBACK_START.test(text)) rec.tb = 1;
      st.open = rec;
      return;
    }
    // infra
    if (blank) {
      this.ctx.structural('blank_line', physLines);
      return;
    }
    if (o && startsWithSpace(text)) {
      this.append(st, text, lineNo, physLines, dockerTs, stream, out);
      return;
    }
    this.emit(st, out);
    const kind: LogKind = st.service === 'cdb_redis' ? 'redis' : 'postgres';
    st.open = this.openFrom(
      { format: 'unformatted', kind, tsText: null, ts: null, zone: null, level: null, logger: null, message: text, python: false },
      lineNo,
      physLines,
      dockerTs,
      stream,
    );
  }

  /** Set the service of a container whose name became known late (single-container files). */
  setService(key: string, service: string | null): void {
    const st = this.states.get(key);
    if (st) st.service = service;
  }

    /**
   * End of a piece of a file (instead of flush): every container's state, in first-seen order,
   * its open record as the row it would become; nothing is produced.
   */
  takeStates(): { key: string; sawPython: boolean; open: Row | null }[] {
    const out: { key: string; sawPython: boolean; open: Row | null }[] = [];
    for (const [key, st] of this.states) out.push({ key, sawPython: st.sawPython, open: st.open ? this.rowOf(st, st.open) : null });
    this.states.clear();
    return out;
  }

  /** End of file: every open record becomes a row, in line order. */
  flush(out: Row[]): void {
    const open: [ContainerState, OpenRecord][] = [];
    for (const st of this.states.values()) if (st.open) open.push([st, st.open]);
    open.sort((a, b) => a[1].line - b[1].line);
    for (const [st] of open) this.emit(st, out);
    this.states.clear();
  }

  private modeOf(st: ContainerState): Mode {
    switch (st.service) {
      case 'cdb_reports':
        return 'print';
      case 'cdb_ws':
        // Era B/C cdb_ws logs through Python logging; era A only prints.
        return st.sawPython ? 'joined' : 'print';
      case 'cdb_redis':
      case 'cdb_postgres':
        return 'infra';
      default:
        return 'joined';
    }
  }

  /** One object literal per record (cheaper to make than a class instance's defined fields). */
  private openFrom(h: AppLine, lineNo: number, physLines: number, dockerTs: string | null, stream: string | null): OpenRecord {
    return {
      table: 'log_events',
      line: lineNo,
      lines: physLines,
      values: {
        service: null,
        ts: h.ts ?? dockerTs,
        ts_text: h.tsText,
        ts_zone: h.ts ? h.zone : dockerTs ? 'UTC' : h.zone,
        docker_ts: dockerTs,
        level: h.level,
        logger: h.logger,
        message: h.message,
        kind: h.kind,
        format: h.format,
        stream,
      },
      bytes: h.message.length,
      more: null,
      pid: h.pid,
      tb: 0,
      topMovers: h.topMovers === true,
      block: null,
      closed: false,
    };
  }

  /**
   * Append `text` to the open stderr block when it belongs to it: everything up to the closing rule
   * of a socketserver block; traceback lines, chain lines and the exception line of a traceback.
   */
  private continuesBlock(
    st: ContainerState,
    o: OpenRecord,
    text: string,
    blank: boolean,
    lineNo: number,
    physLines: number,
    dockerTs: string | null,
    stream: string | null,
    out: Row[],
  ): boolean {
    if (o.closed) return false;
    const add = (): boolean => {
      this.append(st, text, lineNo, physLines, dockerTs, stream, out);
      return true;
    };
    if (TRACEBACK_CHAIN.test(text)) {
      o.tb = 1;
      return add();
    }
    if (o.block === 'socket') {
      if (SOCKET_RULE.test(text)) {
        const r = add();
        if (st.open === o) o.closed = true;
        return r;
      }
      if (TRACEBACK_HEAD.test(text)) o.tb = 1;
      // A second request's error without the closing rule in between starts a block of its own.
      if (SOCKET_HEAD.test(text) && o.tb !== 0) return false;
      return add();
    }
    // Python separates a chained traceback by a blank line before `During handling ...`.
    if (o.tb === 2) return blank ? add() : false;
    if (TRACEBACK_HEAD.test(text)) {
      o.tb = 1;
      return add();
    }
    if (o.tb === 0) return blank ? false : add();
    if (blank || startsWithSpace(text)) return add();
    if (EXCEPTION_LINE.test(text)) {
      const r = add();
      if (st.open === o) o.tb = 2;
      return r;
    }
    // The exception message may run over several lines (libpq `LINE 1:`); they stay with it.
    return add();
  }

  private stderrBlock(start: 'socket' | 'trace', text: string, lineNo: number, physLines: number, dockerTs: string | null, stream: string | null): OpenRecord {
    const rec = this.openFrom(
      { format: 'unformatted', kind: 'stderr_block', tsText: null, ts: null, zone: null, level: null, logger: null, message: text, python: false },
      lineNo,
      physLines,
      dockerTs,
      stream,
    );
    rec.block = start;
    if (TRACEBACK_HEAD.test(text)) rec.tb = 1;
    return rec;
  }

  /** A line that continues a record we never saw (capture started mid-record) or one over the cap. */
  private orphan(text: string, lineNo: number, physLines: number, dockerTs: string | null, stream: string | null): OpenRecord {
    return this.openFrom(
      { format: 'unformatted', kind: 'continuation', tsText: null, ts: null, zone: null, level: null, logger: null, message: text, python: false },
      lineNo,
      physLines,
      dockerTs,
      stream,
    );
  }

  private append(st: ContainerState, text: string, lineNo: number, physLines: number, dockerTs: string | null, stream: string | null, out: Row[]): void {
    const o = st.open!;
    if (o.lines + physLines > this.maxLines || o.bytes + text.length + 1 > this.maxBytes) {
      this.emit(st, out);
      st.open = this.orphan(text, lineNo, physLines, dockerTs, stream);
      return;
    }
    if (o.lines === 1 && o.values.logger === '__main__' && text.startsWith('Paper Trading Daily Report')) o.values.kind = 'report';
    if (o.more === null) o.more = [o.values.message, text];
    else o.more.push(text);
    o.lines += physLines;
    o.bytes += text.length + 1;
  }

  private emit(st: ContainerState, out: Row[]): void {
    const o = st.open;
    if (!o) return;
    st.open = null;
    out.push(this.rowOf(st, o));
  }

  /** The row an open record becomes (it is that row): its service as the container's now, its lines joined. */
  private rowOf(st: ContainerState, o: OpenRecord): Row {
    o.values.service = st.service;
    if (o.more !== null) {
      o.values.message = o.more.join('\n');
      o.more = null;
    }
    return o;
  }

  private evictOldest(out: Row[]): void {
    let oldestKey: string | null = null;
    let oldest = Infinity;
    for (const [k, st] of this.states) {
      if (st.seq < oldest) {
        oldest = st.seq;
        oldestKey = k;
      }
    }
    if (oldestKey === null) return;
    this.evicted = true;
    this.emit(this.states.get(oldestKey)!, out);
    this.states.delete(oldestKey);
  }
}
