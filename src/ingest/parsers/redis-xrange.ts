import type { FileHead, Line } from '../../bundle/types.js';
import { batchedRows, defineParser, type Row, type SniffResult } from '../define-parser.js';
import { decodeObject, streamIdToIso, streamKeyFromFields, streamKeyFromName, type JsonObject } from '../redis/payload.js';
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
 * `redis-cli XRANGE` / `XREVRANGE` output (evidence-formats.md §4.3, §4.4): per entry the id, then
 * field and value on alternating elements. Raw form: an id line starts an entry only where a field
 * name is due (a value may itself look like an id). TTY form: the element path says it exactly
 * (`k) 1) "<id>"` is path [k, 1]; fields are [k, 2, n]).
 *
 * The stream key is not in the answer. It is taken from a command echo in the file, else from the
 * entry fields where they are unambiguous, else from the file name (with a note), else left null.
 */

const ID = /^\d+-\d+$/;
const STRICT_ID = /^\d{13}-\d+$/;

interface Entry {
  head: Element;
  fields: [string, string | null][];
  lines: Element[];
  pendingField: Element | null;
}

type KeySource = 'echo' | 'fields' | 'name' | 'unknown';

export class XrangeMachine {
  private form: Form | null = null;
  private readonly nesting = new TtyNesting();
  private entry: Entry | null = null;
  private key: string | null = null;
  private keySource: KeySource | null = null;
  entries = 0;
  stray = 0;
  firstIdStrict: boolean | null = null;
  sawXrangeEcho = false;
  emptyReplies = 0;
  private readonly notes: string[] = [];

  constructor(
    private readonly sink: Sink<Row>,
    private readonly fileName: string,
  ) {}

  feed(line: Line): void {
    const text = line.text.replace(/\r+$/, '');
    const atBoundary = this.entry === null || this.entry.pendingField === null;
    if (atBoundary) {
      if (text.trim() === '') {
        // Field names are never empty, so a blank line here is spacing, not data.
        this.sink.structural('blank');
        return;
      }
      const noise = ID.test(text) ? null : classifyNoise(text);
      if (noise && noise.kind !== 'blank') {
        this.finishEntry();
        if (noise.kind === 'redis_error') this.sink.note(errorNote(line.lineNo, noise.error ?? ''));
        if (noise.kind === 'command_echo' && noise.command) this.onEcho(noise.command);
        this.sink.structural(noise.kind);
        return;
      }
    }
    this.form ??= formOf(text);
    const el = toElement(line.lineNo, line.text, this.form, this.nesting);
    if ('error' in el) {
      this.failEntry(`stream entry cut short: line ${line.lineNo} is unreadable`);
      this.stray++;
      this.sink.quarantine(line.lineNo, el.error, line.text);
      return;
    }
    if (el.kind === 'empty' && el.path.length === 0) {
      this.finishEntry();
      this.emptyReplies++;
      this.sink.structural('empty_reply');
      this.sink.note(`line ${line.lineNo}: the range is empty`);
      return;
    }
    if (atBoundary && this.isEntryStart(el)) {
      this.finishEntry();
      this.firstIdStrict ??= STRICT_ID.test(el.value ?? '');
      this.entry = { head: el, fields: [], lines: [el], pendingField: null };
      return;
    }
    if (this.entry === null) {
      this.stray++;
      this.sink.quarantine(line.lineNo, 'expected a stream entry id (`<epoch ms>-<seq>`)', line.text);
      return;
    }
    if (el.tty && (el.path.length !== 3 || el.path[0] !== this.entry.head.path[0] || el.path[1] !== 2)) {
      this.failEntry(`stream entry ${this.entry.head.value} is malformed: line ${line.lineNo} is not one of its fields`);
      this.stray++;
      this.sink.quarantine(line.lineNo, 'TTY element outside a stream entry', line.text);
      return;
    }
    this.entry.lines.push(el);
    if (this.entry.pendingField === null) this.entry.pendingField = el;
    else {
      this.entry.fields.push([this.entry.pendingField.value ?? '', el.value]);
      this.entry.pendingField = null;
    }
  }

  end(): void {
    this.finishEntry();
    if (this.entries > 0 || this.emptyReplies > 0) this.resolveKey(null);
    for (const n of this.notes) this.sink.note(n);
  }

  private isEntryStart(el: Element): boolean {
    if (!ID.test(el.value ?? '')) return false;
    return el.tty ? el.path.length === 2 && el.path[1] === 1 : true;
  }

  private onEcho(command: string[]): void {
    const cmd = (command[0] ?? '').toUpperCase();
    if ((cmd === 'XRANGE' || cmd === 'XREVRANGE') && command[1]) {
      this.sawXrangeEcho = true;
      this.key = command[1];
      this.keySource = 'echo';
    }
  }

  /** Settled once, at the first entry (or at the end of an empty answer), so every row names the same stream. */
  private resolveKey(fields: JsonObject | null): void {
    if (this.keySource !== null) return;
    const fromFields = fields ? streamKeyFromFields(fields) : null;
    const fromName = streamKeyFromName(this.fileName);
    if (fromFields) {
      this.key = fromFields.key;
      this.keySource = 'fields';
      this.notes.push(`stream key ${fromFields.key} inferred from the entries (${fromFields.why})`);
      if (fromName && fromName !== fromFields.key) this.notes.push(`the file name names ${fromName}, but the entries look like ${fromFields.key}`);
    } else if (fromName) {
      this.key = fromName;
      this.keySource = 'name';
      this.notes.push(`stream key ${fromName} taken from the file name (the output does not name its stream)`);
    } else {
      this.key = null;
      this.keySource = 'unknown';
      this.notes.push('stream key unknown: no command echo, no telling entry fields, no stream name in the file name');
    }
  }

  private failEntry(reason: string): void {
    if (!this.entry) return;
    for (const el of this.entry.lines) this.sink.quarantine(el.lineNo, reason, el.text);
    this.entry = null;
  }

  private finishEntry(): void {
    const e = this.entry;
    if (!e) return;
    this.entry = null;
    const id = e.head.value ?? '';
    if (e.pendingField !== null) {
      for (const el of e.lines) this.sink.quarantine(el.lineNo, `stream entry ${id} ends with a field without a value`, el.text);
      return;
    }
    const obj: JsonObject = {};
    for (const [k, v] of e.fields) obj[k] = v;
    this.resolveKey(obj);
    this.entries++;
    this.sink.row({
      table: 'redis_messages',
      line: e.head.lineNo,
      lines: e.lines.length,
      values: {
        source: 'xrange',
        channel: this.key,
        pattern: null,
        command: null,
        ts: streamIdToIso(id),
        stream_id: id,
        payload: JSON.stringify(obj),
        ...decodeObject(obj),
      },
    });
  }
}

function sniff(head: FileHead): SniffResult | null {
  const sink = countingSink<Row>();
  // The file name must not steer detection: sniff without it.
  const m = new XrangeMachine(sink, '');
  headLines(head).forEach((text, i) => m.feed({ text, lineNo: i + 1 }));
  if (head.complete) m.end();
  if (m.entries > 0 && m.stray === 0 && (m.firstIdStrict || m.sawXrangeEcho)) {
    return { confidence: 92, reason: `redis-cli XRANGE output: ${m.entries} stream entries in the head` };
  }
  if (m.entries >= 3 && m.stray * 10 <= m.entries && m.firstIdStrict) {
    return { confidence: 65, reason: `mostly XRANGE entries (${m.stray} other lines)` };
  }
  if (m.entries === 0 && m.stray === 0 && m.sawXrangeEcho && m.emptyReplies > 0) {
    return { confidence: 80, reason: 'an XRANGE command echo with an empty answer' };
  }
  return null;
}

export default defineParser({
  id: 'redis-xrange',
  title: 'redis-cli XRANGE / XREVRANGE output (stream entries)',
  version: 1,
  kind: 'redis',
  tables: ['redis_messages'],
  specificity: 80,
  claims: { sniff },
  async *parse(input, ctx) {
    const sink = contextSink<Row>(ctx);
    const m = new XrangeMachine(sink, input.name);
    yield* batchedRows(input.lines(), (line) => (m.feed(line), sink.drain()), () => (m.end(), sink.drain()));
  },
});
