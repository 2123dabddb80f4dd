import type { FileHead, Line } from '../../bundle/types.js';
import { batchedRows, defineParser, type Row, type SniffResult } from '../define-parser.js';
import { decodePayload } from '../redis/payload.js';
import {
  classifyNoise,
  contextSink,
  countingSink,
  errorNote,
  formOf,
  headLines,
  toElement,
  TtyNesting,
  type Element,
  type Form,
  type Sink,
} from '../redis/resp-text.js';

/**
 * A `redis-cli SUBSCRIBE` / `PSUBSCRIBE` capture (evidence-formats.md §4.4). The raw form has no
 * separators at all, so records are found by a state machine keyed on the first element of each
 * reply (`message`, `pmessage`, `subscribe`, ...), whose kind fixes how many elements follow. The
 * TTY form numbers the elements (`1) "message"`), which lets a cut-short record be noticed.
 */

/** Elements per reply, first element included. */
const ARITY: Record<string, number> = {
  message: 3,
  smessage: 3,
  pmessage: 4,
  subscribe: 3,
  psubscribe: 3,
  ssubscribe: 3,
  unsubscribe: 3,
  punsubscribe: 3,
  sunsubscribe: 3,
  pong: 2,
};
const MESSAGE_KINDS = new Set(['message', 'smessage', 'pmessage']);
/** A pretty-printed payload published by hand spans lines in the raw form; give up after this many. */
const MAX_PAYLOAD_LINES = 500;
const RUNBOOK_CHANNELS: Record<string, string> = { trading_signals: 'signals', risk_approved_trades: 'orders' };

interface JsonScan {
  depth: number;
  inString: boolean;
  escape: boolean;
}

function scanJson(s: string, st: JsonScan): void {
  for (const c of s) {
    if (st.inString) {
      if (st.escape) st.escape = false;
      else if (c === '\\') st.escape = true;
      else if (c === '"') st.inString = false;
    } else if (c === '"') st.inString = true;
    else if (c === '{' || c === '[') st.depth++;
    else if (c === '}' || c === ']') st.depth--;
  }
}

function show(v: string | null): string {
  if (v === null) return '(nil)';
  return v.length > 40 ? `"${v.slice(0, 39)}…"` : `"${v}"`;
}

export class SubscribeMachine {
  private form: Form | null = null;
  private readonly nesting = new TtyNesting();
  private pending: Element[] = [];
  private arity = 0;
  private extra: Line[] = [];
  private scan: JsonScan | null = null;
  /** The payload line startsMultiline parsed completely, kept so that complete() does not parse it again. */
  private parsed: { text: string; value: unknown } | undefined;
  /** Completed replies (messages, including ones whose payload is not JSON, and confirmations). */
  records = 0;
  confirmations = 0;
  /** Lines that fit no reply at all: the measure of "this is not a SUBSCRIBE capture". */
  stray = 0;
  sawBanner = false;
  readonly perChannel = new Map<string, number>();
  readonly subscribed: string[] = [];

  constructor(private readonly sink: Sink<Row>) {}

  feed(line: Line): void {
    const queue: Line[] = [line];
    while (queue.length > 0) {
      const back = this.step(queue.shift()!);
      if (back) queue.unshift(...back);
    }
  }

  end(): void {
    if (this.scan) {
      const back = this.abandonMultiline();
      for (const l of back) this.feed(l);
    }
    if (this.pending.length > 0) {
      const kw = this.pending[0].value;
      for (const el of this.pending) {
        this.sink.quarantine(el.lineNo, `incomplete ${kw} record at the end of the capture (${this.pending.length} of ${this.arity} lines)`, el.text);
      }
      this.pending = [];
    }
  }

  summary(): string[] {
    const notes: string[] = [];
    if (this.subscribed.length > 0) notes.push(`subscribed to: ${this.subscribed.join(', ')}`);
    const counts = [...this.perChannel.entries()].map(([c, n]) => `${c}=${n}`).join(', ');
    notes.push(counts ? `messages per channel: ${counts}` : 'the capture holds no messages');
    for (const c of this.subscribed) {
      const real = RUNBOOK_CHANNELS[c];
      if (real && !this.perChannel.has(c)) notes.push(`${c} is a runbook channel name; the bot publishes on ${real} (no message on ${c} is expected)`);
    }
    return notes;
  }

  private step(line: Line): Line[] | void {
    let text = line.text.replace(/\r+$/, '');
    // redis-cli 7.2 ends its banner with a bare `\r`, so the first reply may share the physical line.
    const cr = text.lastIndexOf('\r');
    if (cr >= 0 && text.startsWith('Reading messages...')) {
      this.sawBanner = true;
      text = text.slice(cr + 1);
      line = { lineNo: line.lineNo, text };
    }
    if (this.scan) return this.continueMultiline(line, text);

    if (this.pending.length === 0) {
      const noise = classifyNoise(text);
      if (noise) {
        if (noise.kind === 'reading_header') this.sawBanner = true;
        if (noise.kind === 'redis_error') this.sink.note(errorNote(line.lineNo, noise.error ?? ''));
        this.sink.structural(noise.kind);
        return;
      }
      this.form ??= formOf(text);
      const el = toElement(line.lineNo, line.text, this.form, this.nesting);
      if ('error' in el) {
        this.stray++;
        this.sink.quarantine(line.lineNo, el.error, line.text);
        return;
      }
      const arity = el.value !== null ? ARITY[el.value] : undefined;
      if (!arity || (el.tty && (el.path.length !== 1 || el.path[0] !== 1))) {
        this.stray++;
        this.sink.quarantine(
          line.lineNo,
          `expected the first line of a pub/sub reply (message, pmessage, subscribe, ...), got ${show(el.value)}`,
          line.text,
        );
        return;
      }
      this.pending = [el];
      this.arity = arity;
      return;
    }

    const kw = this.pending[0].value!;
    const el = toElement(line.lineNo, line.text, this.form!, this.nesting);
    if ('error' in el) {
      this.quarantinePending(`incomplete ${kw} record: line ${line.lineNo} is unreadable`);
      this.stray++;
      this.sink.quarantine(line.lineNo, el.error, line.text);
      return;
    }
    if (el.tty && (el.path.length !== 1 || el.path[0] !== this.pending.length + 1)) {
      // The numbering says a new reply began before this one was complete.
      this.quarantinePending(`incomplete ${kw} record: the next reply starts at line ${line.lineNo}`);
      return [line];
    }
    this.pending.push(el);
    const atPayload = MESSAGE_KINDS.has(kw) && this.pending.length === this.arity;
    if (atPayload && !el.tty && this.startsMultiline(text)) return;
    if (this.pending.length === this.arity) this.complete([]);
  }

  /** A raw payload line that opens JSON it does not close: a pretty-printed payload continues below. */
  private startsMultiline(text: string): boolean {
    const t = text.trimStart();
    if (!(t.startsWith('{') || t.startsWith('['))) return false;
    try {
      this.parsed = { text: t, value: JSON.parse(t) };
      return false;
    } catch {
      const st: JsonScan = { depth: 0, inString: false, escape: false };
      scanJson(t, st);
      if (st.depth <= 0 || st.inString) return false;
      this.scan = st;
      this.extra = [];
      return true;
    }
  }

  private continueMultiline(line: Line, text: string): Line[] | void {
    if (ARITY[text] !== undefined || this.extra.length >= MAX_PAYLOAD_LINES) {
      const back = this.abandonMultiline();
      return [...back, line];
    }
    this.extra.push(line);
    scanJson(text, this.scan!);
    if (this.scan!.depth <= 0 && !this.scan!.inString) {
      this.scan = null;
      const extra = this.extra;
      this.extra = [];
      this.complete(extra);
    }
  }

  /** The payload did not close: the message is its first lines only; hand the rest back for re-reading. */
  private abandonMultiline(): Line[] {
    const back = this.extra;
    this.scan = null;
    this.extra = [];
    this.complete([]);
    return back;
  }

  private quarantinePending(reason: string): void {
    for (const el of this.pending) this.sink.quarantine(el.lineNo, reason, el.text);
    this.pending = [];
  }

  private complete(extra: Line[]): void {
    const els = this.pending;
    this.pending = [];
    this.records++;
    const kw = els[0].value!;
    const lineCount = els.length + extra.length;
    if (MESSAGE_KINDS.has(kw)) {
      const channel = els[this.arity - 2].value ?? '';
      const pattern = kw === 'pmessage' ? els[1].value : null;
      const first = els[this.arity - 1].value;
      const quarantineAll = (reason: string) => {
        for (const el of els) this.sink.quarantine(el.lineNo, reason, el.text);
        for (const l of extra) this.sink.quarantine(l.lineNo, reason, l.text);
      };
      if (first === null) {
        quarantineAll(`payload on ${channel} is (nil)`);
        return;
      }
      const payload = [first.replace(/\r+$/, ''), ...extra.map((l) => l.text.replace(/\r+$/, ''))].join('\n');
      const parsed = this.parsed;
      this.parsed = undefined;
      const res = decodePayload(payload, extra.length === 0 ? parsed : undefined);
      if (!res.ok) {
        quarantineAll(`payload on ${channel} is not JSON: ${res.error}`);
        return;
      }
      this.perChannel.set(channel, (this.perChannel.get(channel) ?? 0) + 1);
      this.sink.row({
        table: 'redis_messages',
        line: els[0].lineNo,
        lines: lineCount,
        values: {
          source: kw === 'pmessage' ? 'psubscribe' : 'subscribe',
          channel,
          pattern,
          command: null,
          ts: null,
          stream_id: null,
          payload,
          ...res.columns,
        },
      });
      return;
    }
    if (kw === 'pong') {
      this.sink.structural('pong', lineCount);
      return;
    }
    const count = els[2];
    if (!(count.kind === 'integer' || (count.kind === 'raw' && /^\d+$/.test(count.value ?? '')))) {
      for (const el of els) this.sink.quarantine(el.lineNo, `${kw} confirmation without a subscription count`, el.text);
      return;
    }
    const name = els[1].value ?? '';
    if (kw.endsWith('subscribe') && !kw.endsWith('unsubscribe') && !this.subscribed.includes(name)) this.subscribed.push(name);
    this.confirmations++;
    this.sink.structural(`${kw}_confirmation`, lineCount);
  }
}

function sniff(head: FileHead): SniffResult | null {
  const sink = countingSink<Row>();
  const m = new SubscribeMachine(sink);
  headLines(head).forEach((text, i) => m.feed({ text, lineNo: i + 1 }));
  if (head.complete) m.end();
  const messages = sink.rows.length;
  // Replies whose payloads are not JSON prove little on their own: `message` + two lines is easy to meet by chance.
  if (m.records > 0 && m.stray === 0 && (messages > 0 || m.confirmations > 0 || m.sawBanner)) {
    return { confidence: 95, reason: `redis-cli SUBSCRIBE output: ${m.records} pub/sub replies (${messages} messages with JSON payloads) in the head` };
  }
  if (m.records >= 3 && m.stray * 10 <= m.records && messages > 0) {
    return { confidence: 70, reason: `redis-cli SUBSCRIBE output with ${m.stray} stray lines among ${m.records} replies` };
  }
  if (m.records === 0 && m.stray === 0 && m.sawBanner) {
    return { confidence: 85, reason: 'redis-cli "Reading messages..." banner with no message (an empty capture)' };
  }
  return null;
}

export default defineParser({
  id: 'redis-subscribe',
  title: 'redis-cli SUBSCRIBE / PSUBSCRIBE capture (raw or TTY form)',
  version: 1,
  kind: 'redis',
  tables: ['redis_messages'],
  specificity: 80,
  claims: { sniff },
  async *parse(input, ctx) {
    const sink = contextSink<Row>(ctx);
    const m = new SubscribeMachine(sink);
    yield* batchedRows(input.lines(), (line) => (m.feed(line), sink.drain()), () => (m.end(), sink.drain()));
    for (const n of m.summary()) ctx.note(n);
  },
});
