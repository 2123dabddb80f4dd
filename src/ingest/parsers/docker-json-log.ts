/**
 * Docker's json-file driver (`<id>-json.log`): one JSON object per line,
 * `{"log":"...\n","stream":"stdout","time":"2025-11-30T14:02:11.9082134Z"}` (evidence-formats.md §2.1).
 * A message over 16 KiB is split over several objects and only the last `log` ends in `\n`; the
 * pieces are rejoined into one logical line that spans all their physical lines.
 */
import type { FileHead } from '../../bundle/types.js';
import { BATCH_ROWS, defineParser, type Row } from '../define-parser.js';
import { parseAppLine, rfc3339ToIso } from '../logs/app-line.js';
import { RecordJoiner } from '../logs/record-joiner.js';
import { ServiceTracker } from '../logs/service-names.js';

/** A split message longer than this is handed on unfinished rather than buffered further. */
const MAX_PENDING_BYTES = 256 * 1024;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

interface Entry {
  log: string;
  stream: string | null;
  time: string;
}

/** The json-file object on a line, or a reason why it is not one. */
function readEntry(text: string): Entry | string {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return `malformed JSON in a json-file log (${(e as Error).message}); the line was probably truncated or edited`;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'JSON value is not an object; json-file logs hold one object per line';
  const o = obj as Record<string, unknown>;
  if (typeof o.log !== 'string') return 'JSON object without a string "log" field; not a json-file log entry';
  if (typeof o.time !== 'string') return 'JSON object without a string "time" field; not a json-file log entry';
  const stream = typeof o.stream === 'string' ? o.stream : null;
  return { log: o.log, stream, time: o.time };
}

function sniff(head: FileHead) {
  const lines = head.complete ? head.lines : head.lines.slice(0, -1);
  let considered = 0;
  let ok = 0;
  for (let i = 0; i < lines.length && considered < 50; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    considered++;
    if (line.charCodeAt(0) !== 123 /* { */) continue;
    const e = readEntry(line);
    if (typeof e !== 'string') ok++;
  }
  if (ok === 0 || ok / considered < 0.8) return null;
  return { confidence: 98, reason: `${ok}/${considered} head lines are json-file driver objects with "log" and "time"` };
}

interface Pending {
  parts: string[];
  firstLine: number;
  count: number;
  bytes: number;
  dockerTs: string | null;
}

function stripEol(s: string): string {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 10) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 13) end--;
  return end === s.length ? s : s.slice(0, end);
}

export default defineParser({
  id: 'docker-json-log',
  title: 'Docker json-file driver log (<id>-json.log)',
  version: 1,
  kind: 'container-log',
  tables: ['log_events'],
  specificity: 70,
  claims: { sniff },
  async *parse(input, ctx) {
    const tracker = new ServiceTracker(input.name, ctx);
    const headTexts: string[] = [];
    for (const line of input.head.complete ? input.head.lines : input.head.lines.slice(0, -1)) {
      if (line.charCodeAt(0) !== 123) continue;
      const e = readEntry(line);
      if (typeof e !== 'string') headTexts.push(stripEol(e.log));
    }
    tracker.fromHead(headTexts);

    const joiner = new RecordJoiner(ctx);
    let out: Row[] = [];
    const pending = new Map<string, Pending>();
    let splits = 0;
    let badTimes = 0;
    let firstBadTime = '';

    // One logical line: joined per stream, because stdout prints and stderr logging interleave.
    const feed = (stream: string | null, lineNo: number, physLines: number, log: string, dockerTs: string | null): void => {
      let text = log;
      if (text.indexOf('\x1b') >= 0) text = text.replace(ANSI, '');
      const h = parseAppLine(text);
      const key = stream ?? '';
      if (tracker.undecided && tracker.observe(h, text, lineNo)) {
        joiner.setService('stdout', tracker.service);
        joiner.setService('stderr', tracker.service);
        joiner.setService('', tracker.service);
      }
      joiner.push(key, tracker.service, lineNo, physLines, text, dockerTs, stream, out, h);
    };

    for await (const { text, lineNo } of input.lines()) {
      if (text.trim() === '') {
        ctx.structural('blank_line');
        continue;
      }
      if (text.charCodeAt(0) !== 123 /* { */) {
        ctx.quarantine(lineNo, 'not a JSON object; json-file logs hold one {"log","stream","time"} object per line', text);
        continue;
      }
      const e = readEntry(text);
      if (typeof e === 'string') {
        ctx.quarantine(lineNo, e, text);
        continue;
      }
      const dockerTs = rfc3339ToIso(e.time);
      if (dockerTs === null && badTimes++ === 0) firstBadTime = `line ${lineNo}: "${e.time.slice(0, 40)}"`;
      const key = e.stream ?? '';
      const complete = e.log.endsWith('\n');
      const p = pending.get(key);
      if (!p && complete) {
        feed(e.stream, lineNo, 1, stripEol(e.log), dockerTs);
      } else if (!p) {
        pending.set(key, { parts: [e.log], firstLine: lineNo, count: 1, bytes: e.log.length, dockerTs });
      } else {
        p.parts.push(e.log);
        p.count++;
        p.bytes += e.log.length;
        if (complete || p.bytes >= MAX_PENDING_BYTES) {
          pending.delete(key);
          splits++;
          feed(e.stream, p.firstLine, p.count, stripEol(p.parts.join('')), p.dockerTs);
        }
      }
      if (out.length >= BATCH_ROWS) {
        yield out;
        out = [];
      }
    }
    for (const [key, p] of [...pending.entries()].sort((a, b) => a[1].firstLine - b[1].firstLine)) {
      ctx.note(`file ends inside a split message of stream ${key || '(none)'} (from line ${p.firstLine}); kept as it is`);
      feed(key === '' ? null : key, p.firstLine, p.count, stripEol(p.parts.join('')), p.dockerTs);
    }
    joiner.flush(out);
    yield out;
    if (splits > 0) ctx.note(`${splits} message(s) over 16 KiB were split by the json-file driver and rejoined`);
    if (badTimes > 0) ctx.note(`${badTimes} json-file "time" value(s) could not be read (first at ${firstBadTime}); those records fall back to the application time`);
    tracker.finish();
  },
});
