import type { FileHead, Line } from '../../bundle/types.js';
import { defineParser, type Row, type SniffResult } from '../define-parser.js';
import { streamKeyFromFields, streamKeyFromName, type JsonObject } from '../redis/payload.js';
import {
  classifyNoise,
  contextSink,
  countingSink,
  errorNote,
  formOf,
  headLines,
  KNOWN_CHANNELS,
  NAME_RE,
  toElement,
  TtyNesting,
  type Element,
  type Form,
  type Sink,
} from '../redis/resp-text.js';

/**
 * Small redis-cli answers (evidence-formats.md §4.3, §4.4) → `redis_kv` rows:
 *
 * | answer | kind | key | field | value |
 * |---|---|---|---|---|
 * | `XLEN s` | xlen | stream | `length` | n |
 * | `XINFO STREAM s` | xinfo | stream | `length`, ..., `first-entry.id`, `first-entry.<field>`, `last-entry.*` | value |
 * | `PUBSUB NUMSUB a b` | numsub | channel | `subscribers` | n |
 * | `PUBSUB CHANNELS` | channels | channel | null | null |
 * | `PUBSUB NUMPAT` | numpat | null | `patterns` | n |
 * | a lone integer nothing identifies | integer | null | null | n |
 *
 * The answers are split by command echoes (`127.0.0.1:6379> XLEN s`, `$ redis-cli XLEN s`) when
 * the file has them; otherwise the shape tells: `<n>` then `length ...` is XLEN followed by XINFO
 * STREAM (how the real fixture was captured), `length ...` alone is XINFO, name/integer pairs are
 * NUMSUB, names alone are CHANNELS. A lone integer cannot be told apart (XLEN or NUMPAT).
 */

const XINFO_KEYS = new Set([
  'length', 'radix-tree-keys', 'radix-tree-nodes', 'last-generated-id', 'max-deleted-entry-id', 'entries-added',
  'recorded-first-entry-id', 'groups', 'first-entry', 'last-entry', 'entries-read', 'lag',
]);

type Kind = 'xlen' | 'xinfo' | 'numsub' | 'channels' | 'numpat' | 'integer';

interface Item {
  kind: Kind;
  key: string | null;
  field: string | null;
  value: string | null;
  lines: Element[];
}

/** How a segment was recognised, for the sniff's confidence. */
interface Recognised {
  what: Kind | 'xlen+xinfo' | 'empty' | 'unknown';
  byEcho: boolean;
  tty: boolean;
  names: string[];
}

const isInt = (el: Element) => el.kind === 'integer' || (el.kind === 'raw' && /^-?\d+$/.test(el.value ?? ''));
const isNil = (el: Element) => el.kind === 'nil' || el.kind === 'empty' || (el.kind === 'raw' && el.value === '');
const isName = (el: Element) =>
  el.value !== null && !/^-?\d+$/.test(el.value) && (el.kind === 'string' || (el.kind === 'raw' && NAME_RE.test(el.value)));

export class KvMachine {
  private form: Form | null = null;
  private readonly nesting = new TtyNesting();
  private echo: string[] | null = null;
  private els: Element[] = [];
  readonly recognised: Recognised[] = [];
  stray = 0;
  /** Elements already quarantined while an answer was read. */
  private readonly refused = new Set<Element>();

  constructor(
    private readonly sink: Sink<Row>,
    private readonly fileName: string,
  ) {}

  feed(line: Line): void {
    const text = line.text.replace(/\r+$/, '');
    const noise = classifyNoise(text);
    if (noise && noise.kind !== 'blank') {
      this.flush();
      if (noise.kind === 'command_echo') this.echo = noise.command ?? [];
      if (noise.kind === 'redis_error') this.sink.note(errorNote(line.lineNo, noise.error ?? ''));
      this.sink.structural(noise.kind);
      return;
    }
    if (noise) {
      // In the raw form an empty line inside an answer is a nil (XINFO first-entry of an empty stream).
      if (this.els.length === 0 || this.form !== 'raw') this.sink.structural('blank');
      else this.els.push({ lineNo: line.lineNo, text: line.text, value: '', kind: 'raw', tty: false, path: [] });
      return;
    }
    this.form ??= formOf(text);
    const el = toElement(line.lineNo, line.text, this.form, this.nesting);
    if ('error' in el) {
      this.stray++;
      this.sink.quarantine(line.lineNo, el.error, line.text);
      return;
    }
    this.els.push(el);
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    const els = this.els;
    const echo = this.echo;
    this.els = [];
    this.echo = null;
    // Trailing blank lines are spacing unless the answer needs them as a nil (handled by xinfo()).
    if (els.length === 0) return;
    const items = this.interpret(els, echo);
    if (items === null) return;
    const used = new Set<Element>();
    for (const it of items) {
      for (const el of it.lines) used.add(el);
      this.sink.row({
        table: 'redis_kv',
        line: it.lines[0].lineNo,
        lines: it.lines.length,
        values: { kind: it.kind, key: it.key, field: it.field, value: it.value },
      });
    }
    for (const el of els) {
      if (used.has(el) || this.refused.has(el)) continue;
      if (el.kind === 'raw' && el.value === '') this.sink.structural('blank');
      else if (el.kind === 'empty') this.sink.structural('empty_reply');
      else {
        this.stray++;
        this.sink.quarantine(el.lineNo, 'left over after the answer was read', el.text);
      }
    }
  }

  private refuse(els: Element[], reason: string): null {
    this.stray += els.length;
    for (const el of els) this.sink.quarantine(el.lineNo, reason, el.text);
    this.recognised.push({ what: 'unknown', byEcho: false, tty: els[0].tty, names: [] });
    return null;
  }

  private interpret(all: Element[], echo: string[] | null): Item[] | null {
    const els = [...all];
    while (els.length > 0 && els[els.length - 1].kind === 'raw' && els[els.length - 1].value === '' && !this.needsTrailingNil(els)) els.pop();
    const tty = els[0]?.tty ?? false;
    const rec = (what: Recognised['what'], byEcho: boolean, names: string[] = []) => this.recognised.push({ what, byEcho, tty, names });
    if (els.length === 0) return [];
    if (els.length === 1 && els[0].kind === 'empty') {
      rec('empty', echo !== null);
      this.sink.note(`line ${els[0].lineNo}: empty answer${echo ? ` to ${echo.slice(0, 2).join(' ')}` : ''}`);
      return [];
    }
    if (echo && echo.length > 0) {
      const cmd = echo[0].toUpperCase();
      const sub = (echo[1] ?? '').toUpperCase();
      if (cmd === 'XLEN') {
        if (els.length !== 1 || !isInt(els[0])) return this.refuse(els, 'XLEN answer is not one integer');
        rec('xlen', true);
        return [{ kind: 'xlen', key: echo[1] ?? null, field: 'length', value: els[0].value, lines: [els[0]] }];
      }
      if (cmd === 'XINFO' && sub === 'STREAM') {
        const items = this.xinfo(els, echo[2] ?? null);
        if (items) rec('xinfo', true);
        return items;
      }
      if (cmd === 'PUBSUB' && sub === 'NUMSUB') {
        const items = this.numsub(els);
        if (!items) return this.refuse(els, 'PUBSUB NUMSUB answer is not channel/count pairs');
        rec('numsub', true);
        return items;
      }
      if (cmd === 'PUBSUB' && sub === 'CHANNELS') {
        if (!els.every(isName)) return this.refuse(els, 'PUBSUB CHANNELS answer is not a list of channel names');
        rec('channels', true);
        return els.map((el) => ({ kind: 'channels', key: el.value, field: null, value: null, lines: [el] }));
      }
      if (cmd === 'PUBSUB' && sub === 'NUMPAT') {
        if (els.length !== 1 || !isInt(els[0])) return this.refuse(els, 'PUBSUB NUMPAT answer is not one integer');
        rec('numpat', true);
        return [{ kind: 'numpat', key: null, field: 'patterns', value: els[0].value, lines: [els[0]] }];
      }
      return this.refuse(els, `answer to ${echo.slice(0, 2).join(' ')}, which this parser does not read`);
    }
    if (isInt(els[0]) && els[1]?.value === 'length') {
      const rest = this.xinfo(els.slice(1), null);
      if (!rest) return null;
      const key = rest[0]?.key ?? null;
      rec('xlen+xinfo', false);
      return [{ kind: 'xlen', key, field: 'length', value: els[0].value, lines: [els[0]] }, ...rest];
    }
    if (els[0].value === 'length' && (els[0].kind === 'raw' || els[0].kind === 'string')) {
      const items = this.xinfo(els, null);
      if (items) rec('xinfo', false);
      return items;
    }
    if (els.length === 1 && isInt(els[0])) {
      rec('integer', false);
      if (/numpat/i.test(this.fileName)) {
        this.sink.note('a lone integer taken as PUBSUB NUMPAT because the file name says so');
        return [{ kind: 'numpat', key: null, field: 'patterns', value: els[0].value, lines: [els[0]] }];
      }
      if (/xlen/i.test(this.fileName)) {
        const key = streamKeyFromName(this.fileName);
        this.sink.note(`a lone integer taken as XLEN${key ? ` of ${key}` : ''} because the file name says so`);
        return [{ kind: 'xlen', key, field: 'length', value: els[0].value, lines: [els[0]] }];
      }
      this.sink.note('a lone integer: XLEN or PUBSUB NUMPAT cannot be told apart without a command echo');
      return [{ kind: 'integer', key: null, field: null, value: els[0].value, lines: [els[0]] }];
    }
    const pairs = this.numsub(els);
    if (pairs) {
      rec('numsub', false, pairs.map((p) => p.key ?? ''));
      return pairs;
    }
    if (els.every(isName)) {
      rec('channels', false, els.map((e) => e.value ?? ''));
      return els.map((el) => ({ kind: 'channels', key: el.value, field: null, value: null, lines: [el] }));
    }
    return this.refuse(els, 'cannot tell which redis-cli answer this is (XLEN, XINFO STREAM, PUBSUB NUMSUB/CHANNELS/NUMPAT expected)');
  }

  /** `... last-entry` + blank: the blank is the nil value, not spacing. */
  private needsTrailingNil(els: Element[]): boolean {
    const prev = els[els.length - 2];
    return prev !== undefined && (prev.value === 'first-entry' || prev.value === 'last-entry');
  }

  private numsub(els: Element[]): Item[] | null {
    if (els.length % 2 !== 0) return null;
    const items: Item[] = [];
    for (let i = 0; i < els.length; i += 2) {
      if (!isName(els[i]) || !isInt(els[i + 1])) return null;
      items.push({ kind: 'numsub', key: els[i].value, field: 'subscribers', value: els[i + 1].value, lines: [els[i], els[i + 1]] });
    }
    return items;
  }

  /** XINFO STREAM pairs; the nested first-entry / last-entry become `first-entry.id`, `first-entry.<field>`. */
  private xinfo(els: Element[], echoKey: string | null): Item[] | null {
    const isTop = (el: Element) => (el.tty ? el.path.length === 1 : XINFO_KEYS.has(el.value ?? ''));
    const raw: Omit<Item, 'key'>[] = [];
    let firstFields: JsonObject | null = null;
    let i = 0;
    while (i < els.length) {
      const k = els[i];
      const v = els[i + 1];
      if (!v) {
        this.stray++;
        this.refused.add(k);
        this.sink.quarantine(k.lineNo, `XINFO field ${k.value} without a value`, k.text);
        break;
      }
      const name = k.value ?? '';
      if ((name === 'first-entry' || name === 'last-entry') && !isNil(v)) {
        raw.push({ kind: 'xinfo', field: `${name}.id`, value: v.value, lines: [k, v] });
        i += 2;
        const fields: JsonObject = {};
        while (i < els.length && !isTop(els[i])) {
          const f = els[i];
          const fv = els[i + 1];
          if (!fv || isTop(fv)) {
            this.stray++;
            this.refused.add(f);
            this.sink.quarantine(f.lineNo, `field ${f.value} of ${name} without a value`, f.text);
            i += 1;
            continue;
          }
          fields[f.value ?? ''] = fv.value;
          raw.push({ kind: 'xinfo', field: `${name}.${f.value}`, value: fv.value, lines: [f, fv] });
          i += 2;
        }
        firstFields ??= fields;
        continue;
      }
      raw.push({ kind: 'xinfo', field: name, value: isNil(v) ? null : v.value, lines: [k, v] });
      i += 2;
    }
    let key = echoKey;
    if (key === null) {
      const fromFields = firstFields ? streamKeyFromFields(firstFields) : null;
      const fromName = streamKeyFromName(this.fileName);
      if (fromFields) {
        key = fromFields.key;
        this.sink.note(`stream key ${key} inferred from the first/last entry (${fromFields.why})`);
      } else if (fromName) {
        key = fromName;
        this.sink.note(`stream key ${key} taken from the file name`);
      } else this.sink.note('XINFO stream key unknown: no command echo, no telling entry, no stream name in the file name');
    }
    return raw.map((r) => ({ ...r, key }));
  }
}

function sniff(head: FileHead): SniffResult | null {
  const sink = countingSink<Row>();
  const m = new KvMachine(sink, '');
  headLines(head).forEach((text, i) => m.feed({ text, lineNo: i + 1 }));
  m.end();
  if (m.stray > 0 || m.recognised.length === 0) return null;
  let confidence = 100;
  const reasons: string[] = [];
  for (const r of m.recognised) {
    let c = 0;
    if (r.byEcho) c = 90;
    else if (r.what === 'xinfo' || r.what === 'xlen+xinfo') c = 95;
    else if (r.what === 'numsub') {
      if (!head.complete) c = 0;
      else if (r.tty) c = 85;
      else c = r.names.some((n) => KNOWN_CHANNELS.has(n)) ? 70 : 0;
    } else if (r.what === 'channels') {
      const known = r.names.filter((n) => KNOWN_CHANNELS.has(n)).length;
      if (!head.complete) c = 0;
      else if (r.tty) c = known * 2 >= r.names.length ? 60 : 0;
      else c = known === r.names.length ? 60 : 0;
    } else if (r.what === 'integer') c = r.tty ? 50 : 0;
    else if (r.what === 'empty') c = 40;
    confidence = Math.min(confidence, c);
    reasons.push(`${r.what}${r.byEcho ? ' (command echo)' : ''}`);
  }
  if (confidence <= 0) return null;
  return { confidence, reason: `small redis-cli answers: ${reasons.join(', ')}` };
}

export default defineParser({
  id: 'redis-kv',
  title: 'redis-cli XLEN / XINFO STREAM / PUBSUB NUMSUB, CHANNELS, NUMPAT answers',
  version: 1,
  kind: 'redis',
  tables: ['redis_kv'],
  specificity: 60,
  claims: { sniff },
  async *parse(input, ctx) {
    const sink = contextSink<Row>(ctx);
    const m = new KvMachine(sink, input.name);
    for await (const line of input.lines()) {
      m.feed(line);
      yield* sink.drain();
    }
    m.end();
    yield* sink.drain();
  },
});
