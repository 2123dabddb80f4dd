import type { FileHead, Line } from '../../bundle/types.js';
import { batchedRows, defineParser, type Row, type SniffResult } from '../define-parser.js';
import { decodeObject, decodePayload, epochMsToIso, NO_COLUMNS, type JsonObject } from '../redis/payload.js';
import {
  classifyNoise,
  contextSink,
  countingSink,
  errorNote,
  headLines,
  quoteRedis,
  REDACTED,
  redactCommand,
  splitQuotedArgs,
  type Sink,
} from '../redis/resp-text.js';

/**
 * `redis-cli MONITOR` output (evidence-formats.md §4.4): `OK`, then one line per command,
 * `<epoch>.<micro> [<db> <addr>] "CMD" "arg"...`, the same in both redis-cli forms.
 *
 * Every command becomes a row, noise included (PING, XREAD BLOCK, SUBSCRIBE...), so command
 * counts per client and second stay complete; only PUBLISH/SPUBLISH and XADD fill `channel` and
 * `payload`. Arguments of other commands are not stored at all, and credentials (AUTH, HELLO
 * ... AUTH, MIGRATE ... AUTH, CONFIG SET requirepass) are replaced by ‹redacted› before even a
 * quarantine excerpt is made.
 */

const LINE = /^(\d+)\.(\d{6}) \[(\d+) (.+?)\] (".*)$/;
const SECRET_CMD = /"(?:AUTH|AUTH2|HELLO|MIGRATE|CONFIG|ACL)"/i;

/** A MONITOR line safe to show: credentials replaced even when the line cannot be parsed. */
export function redactMonitorLine(text: string): string {
  if (!SECRET_CMD.test(text)) return text;
  const m = LINE.exec(text);
  if (m) {
    const args = splitQuotedArgs(m[5]);
    if (args.ok) {
      const safe = redactCommand(args.args)
        .map((a) => (a === REDACTED ? `"${REDACTED}"` : quoteRedis(a)))
        .join(' ');
      return `${m[1]}.${m[2]} [${m[3]} ${m[4]}] ${safe}`;
    }
  }
  // Unparseable: drop everything after the first credential-bearing command word.
  return text.replace(/("(?:AUTH|AUTH2|HELLO|MIGRATE|CONFIG|ACL)").*$/i, `$1 "${REDACTED}"`);
}

interface Xadd {
  key: string;
  id: string | null;
  fields: JsonObject;
}

/** `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] n [LIMIT c]] <*|id> field value ...` */
function parseXadd(args: string[]): Xadd | { error: string } {
  const key = args[1];
  if (key === undefined) return { error: 'XADD without a key' };
  let i = 2;
  if ((args[i] ?? '').toUpperCase() === 'NOMKSTREAM') i++;
  const trim = (args[i] ?? '').toUpperCase();
  if (trim === 'MAXLEN' || trim === 'MINID') {
    i++;
    if (args[i] === '=' || args[i] === '~') i++;
    i++;
    if ((args[i] ?? '').toUpperCase() === 'LIMIT') i += 2;
  }
  const id = args[i];
  if (id === undefined) return { error: `XADD to ${key} without an entry id` };
  const rest = args.slice(i + 1);
  if (rest.length === 0 || rest.length % 2 !== 0) return { error: `XADD to ${key} has a field without a value` };
  const fields: JsonObject = {};
  for (let k = 0; k < rest.length; k += 2) fields[rest[k]] = rest[k + 1];
  return { key, id: id === '*' ? null : id, fields };
}

export class MonitorMachine {
  commands = 0;
  stray = 0;
  readonly perCommand = new Map<string, number>();

  constructor(private readonly sink: Sink<Row>) {}

  feed(line: Line): void {
    const text = line.text.replace(/\r+$/, '');
    if (text === 'OK') {
      this.sink.structural('ok');
      return;
    }
    const m = LINE.exec(text);
    if (!m) {
      const noise = classifyNoise(text);
      if (noise) {
        if (noise.kind === 'redis_error') this.sink.note(errorNote(line.lineNo, noise.error ?? ''));
        this.sink.structural(noise.kind);
        return;
      }
      this.stray++;
      this.sink.quarantine(line.lineNo, 'not a MONITOR line (expected `<epoch>.<micro> [<db> <addr>] "CMD" ...`)', redactMonitorLine(text));
      return;
    }
    const split = splitQuotedArgs(m[5]);
    if (!split.ok || split.args.length === 0) {
      this.stray++;
      this.sink.quarantine(line.lineNo, `MONITOR arguments unreadable: ${split.ok ? 'no command' : split.error}`, redactMonitorLine(text));
      return;
    }
    const args = redactCommand(split.args);
    const command = args[0].toUpperCase();
    const ts = epochMsToIso(Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000));
    this.commands++;
    const base = { source: 'monitor', command, ts, pattern: null, channel: null, stream_id: null, payload: null };
    let values: Row['values'] = { ...base, ...NO_COLUMNS };
    if (command === 'PUBLISH' || command === 'SPUBLISH') {
      const channel = args[1] ?? null;
      const payload = args[2];
      if (channel === null || payload === undefined) {
        this.sink.quarantine(line.lineNo, `${command} without a channel or message`, text);
        return;
      }
      const res = decodePayload(payload);
      if (!res.ok) {
        this.sink.quarantine(line.lineNo, `payload on ${channel} is not JSON: ${res.error}`, text);
        return;
      }
      values = { ...base, channel, payload, ...res.columns };
    } else if (command === 'XADD') {
      const x = parseXadd(args);
      if ('error' in x) {
        this.sink.quarantine(line.lineNo, x.error, text);
        return;
      }
      values = { ...base, channel: x.key, stream_id: x.id, payload: JSON.stringify(x.fields), ...decodeObject(x.fields) };
    }
    this.perCommand.set(command, (this.perCommand.get(command) ?? 0) + 1);
    this.sink.row({ table: 'redis_messages', line: line.lineNo, lines: 1, values });
  }

  summary(): string {
    const parts = [...this.perCommand.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c, n]) => `${c}=${n}`);
    return parts.length ? `commands: ${parts.join(', ')}` : 'the capture holds no command';
  }
}

function sniff(head: FileHead): SniffResult | null {
  const sink = countingSink<Row>();
  const m = new MonitorMachine(sink);
  headLines(head).forEach((text, i) => m.feed({ text, lineNo: i + 1 }));
  if (m.commands > 0 && m.stray === 0) return { confidence: 95, reason: `redis-cli MONITOR output: ${m.commands} command lines in the head` };
  if (m.commands >= 3 && m.stray * 10 <= m.commands) return { confidence: 70, reason: `mostly MONITOR lines (${m.stray} other lines)` };
  return null;
}

export default defineParser({
  id: 'redis-monitor',
  title: 'redis-cli MONITOR capture',
  version: 1,
  kind: 'redis',
  tables: ['redis_messages'],
  specificity: 80,
  claims: { sniff },
  async *parse(input, ctx) {
    const sink = contextSink<Row>(ctx);
    const m = new MonitorMachine(sink);
    yield* batchedRows(input.lines(), (line) => (m.feed(line), sink.drain()), () => sink.drain());
    ctx.note(m.summary());
  },
});
