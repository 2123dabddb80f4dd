import type { FileHead, Line } from '../../bundle/types.js';
import { BATCH_ROWS, defineParser, type ParseContext, type ParseInput, type ParserDef, type Row, type SniffResult } from '../define-parser.js';
import composeLogs from './compose-logs.js';
import composePs from './compose-ps.js';
import dockerInspect from './docker-inspect.js';
import dockerLogs from './docker-logs.js';
import psqlAligned from './psql-aligned.js';
import psqlCsv from './psql-csv.js';
import redisInfo from './redis-info.js';
import redisKv from './redis-kv.js';
import redisMonitor from './redis-monitor.js';
import redisSubscribe from './redis-subscribe.js';
import redisXrange from './redis-xrange.js';

/**
 * A saved console session: an operator's PowerShell (`PS C:\…> docker compose ps`) or shell
 * (`$ docker logs …`, `user@host:~/cdb$ …`) window copied into a file. It is split at its
 * prompts; each command's output is read by the parser for that command (compose ps, docker
 * logs, redis-cli, psql, docker inspect), so its rows land where the same output saved alone
 * would. The command itself is a `log_events` row (`kind = 'console_command'`) at its line, so
 * every row that follows keeps its command and its place in the session. Output no parser knows
 * (`redis-check-aof --fix`, `docker start`) is evidence too: one `console_output` row per line,
 * with its command in `logger` — never quarantined.
 */

const PS_PROMPT = /^PS (?:[A-Za-z]:[\\/]?|[\\/~])[^>]*> ?(.*)$/;
const SH_PROMPT = /^(?:\([\w.-]+\) )?(?:[\w.-]+@[\w.-]+(?::[^$#]*)?)?\$ ?(.*)$/;

interface Prompt {
  shell: 'powershell' | 'sh';
  command: string;
}

export function promptOf(text: string): Prompt | null {
  const t = text.replace(/\r+$/, '');
  let m = PS_PROMPT.exec(t);
  if (m) return { shell: 'powershell', command: m[1].trim() };
  m = SH_PROMPT.exec(t);
  // A bare `$` line is a prompt only with the shell's own form (`user@host:~$`); a lone `$` in output is not.
  if (m && (t.startsWith('$ ') || /^\S+@\S+/.test(t) || t.startsWith('('))) return { shell: 'sh', command: m[1].trim() };
  return null;
}

/** `sudo docker exec -it cdb_redis redis-cli -a x SUBSCRIBE a` → words after any `sudo`. */
function words(command: string): string[] {
  const w = command.split(/\s+/).filter((x) => x !== '');
  while (w[0] === 'sudo' || w[0] === '&') w.shift();
  return w;
}

const REDIS_BY_COMMAND: Record<string, ParserDef> = {
  subscribe: redisSubscribe,
  psubscribe: redisSubscribe,
  monitor: redisMonitor,
  xrange: redisXrange,
  xrevrange: redisXrange,
  info: redisInfo,
  xlen: redisKv,
  xinfo: redisKv,
  pubsub: redisKv,
};

/** redis-cli options that take a value (`-h host`, `-a pass`, ...). */
const REDIS_VALUE_OPTS = new Set(['-h', '-p', '-a', '-s', '-u', '-n', '-r', '-i', '-d', '--user', '--pass', '--tls', '--cacert', '--sni', '-t']);

export interface Handler {
  parser: ParserDef;
  /** The name the sub-parser sees (docker logs: the container, so the service is known). */
  name: string;
  /** The container or service the command is about, when it names one. */
  service: string | null;
}

/** The last word that is not an option or an option's value: `docker logs --tail 3 cdb_redis` → cdb_redis. */
function lastTarget(args: string[], valueOpts: Set<string>): string | null {
  let target: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('-')) {
      if (valueOpts.has(a)) i++;
      continue;
    }
    target = a;
  }
  return target;
}

const DOCKER_VALUE_OPTS = new Set(['--tail', '-n', '--since', '--until', '-f', '--file', '-p', '--project-name', '--format', '--filter', '--env-file', '--project-directory', '--profile']);

/** Which parser reads a command's output, or null when none does (its lines are kept as output). */
export function handlerFor(command: string): Handler | null {
  const w = words(command);
  const lower = w.map((x) => x.toLowerCase());
  const service = (args: string[]): string | null => lastTarget(args, DOCKER_VALUE_OPTS);
  const ri = lower.findIndex((x) => x === 'redis-cli' || x.endsWith('/redis-cli') || x === 'redis-cli.exe');
  if (ri >= 0) {
    const args = w.slice(ri + 1);
    for (let i = 0; i < args.length; i++) {
      if (args[i].startsWith('-')) {
        if (REDIS_VALUE_OPTS.has(args[i])) i++;
        continue;
      }
      const p = REDIS_BY_COMMAND[args[i].toLowerCase()];
      const exec = lower.indexOf('exec');
      const svc = exec >= 0 && exec < ri ? lastTarget(w.slice(exec + 1, ri), new Set(['-u', '--user', '-w', '--workdir', '-e', '--env'])) : null;
      return p ? { parser: p, name: 'redis-cli.txt', service: svc } : null;
    }
    return null;
  }
  if (lower.includes('psql')) {
    const csv = lower.includes('--csv') || lower.includes('-a') || lower.includes('--no-align');
    return { parser: csv ? psqlCsv : psqlAligned, name: 'psql.txt', service: null };
  }
  const compose = lower[0] === 'docker-compose' ? 1 : lower[0] === 'docker' && lower[1] === 'compose' ? 2 : 0;
  if (compose > 0) {
    const rest = w.slice(compose);
    const sub = lastSubcommand(rest.map((x) => x.toLowerCase()), ['ps', 'logs']);
    if (sub === null) return null;
    const args = rest.slice(sub + 1);
    if (rest[sub].toLowerCase() === 'ps') return { parser: composePs, name: 'compose-ps.txt', service: service(args) };
    return { parser: composeLogs, name: 'compose-logs.txt', service: service(args) };
  }
  if (lower[0] === 'docker') {
    const sub = lower[1] === 'container' ? 2 : 1;
    const args = w.slice(sub + 1);
    const target = service(args);
    if (lower[sub] === 'logs') return { parser: dockerLogs, name: target ? `${target}.log` : 'docker-logs.txt', service: target };
    if (lower[sub] === 'inspect') return { parser: dockerInspect, name: 'inspect.json', service: target };
    if (lower[sub] === 'ps') return { parser: composePs, name: 'docker-ps.txt', service: null };
  }
  return null;
}

/** Index of the first word that is one of `subs`, skipping global options and their values. */
function lastSubcommand(lower: string[], subs: string[]): number | null {
  for (let i = 0; i < lower.length; i++) {
    if (lower[i].startsWith('-')) {
      if (DOCKER_VALUE_OPTS.has(lower[i])) i++;
      continue;
    }
    return subs.includes(lower[i]) ? i : null;
  }
  return null;
}

/** The service a command acts on, for output no parser reads: `docker start cdb_redis` → cdb_redis. */
function commandService(command: string): string | null {
  const w = words(command);
  const at = w[0] === 'docker-compose' ? 1 : w[0] === 'docker' ? (w[1] === 'compose' || w[1] === 'container' ? 2 : 1) : -1;
  if (at < 0) return null;
  const sub = w[at]?.toLowerCase();
  if (['start', 'stop', 'restart', 'kill', 'rm', 'pause', 'unpause', 'up', 'top'].includes(sub)) return lastTarget(w.slice(at + 1), DOCKER_VALUE_OPTS);
  if (sub === 'exec') return w.slice(at + 1).find((x) => !x.startsWith('-')) ?? null;
  return null;
}

const SHORT = 200;
const short = (s: string): string => (s.length > SHORT ? s.slice(0, SHORT - 1) + '…' : s);

function logRow(line: Line, values: { service: string | null; logger: string | null; message: string; kind: string }): Row {
  return {
    table: 'log_events',
    line: line.lineNo,
    lines: 1,
    values: { service: values.service, ts: null, ts_text: null, ts_zone: null, docker_ts: null, level: null, logger: values.logger, message: values.message, kind: values.kind, format: 'console-transcript', stream: null },
  };
}

/** Lines kept ahead of a command's output to give its parser a head, as the bundle reader would. */
const SEGMENT_HEAD_LINES = 2000;
const SEGMENT_HEAD_CHARS = 64 * 1024;

function segmentHead(path: string, name: string, lines: Line[], complete: boolean): FileHead {
  const texts = lines.map((l) => l.text);
  return { path, name, text: texts.join('\n'), lines: texts, encoding: 'utf8', binary: false, complete };
}

function sniff(head: FileHead): SniffResult | null {
  const lines = head.complete ? head.lines : head.lines.slice(0, -1);
  const commands: string[] = [];
  for (const l of lines) {
    const p = promptOf(l);
    if (p && p.command !== '') commands.push(p.command);
  }
  if (commands.length === 0) return null;
  const known = commands.filter((c) => handlerFor(c) !== null || /^(docker|docker-compose|redis-cli|redis-check-aof|psql|kubectl|systemctl|Get-Content|cat|tail)\b/i.test(words(c)[0] ?? ''));
  if (known.length === 0) return null;
  const shown = [...new Set(commands.map((c) => words(c).slice(0, 2).join(' ')))].slice(0, 4).join(', ');
  // One prompt over one output: the output's own parser may know it just as well.
  if (commands.length === 1) return { confidence: 50, reason: `one command at a console prompt (${shown})` };
  return { confidence: 92, reason: `console session: ${commands.length} commands at PS/$ prompts (${shown})` };
}

async function* parseTranscript(input: ParseInput, ctx: ParseContext): AsyncGenerator<Row[]> {
  const it = input.lines()[Symbol.asyncIterator]();
  let look: Line | null = null;
  let ended = false;
  const pull = async (): Promise<Line | null> => {
    if (look) {
      const l = look;
      look = null;
      return l;
    }
    if (ended) return null;
    const r = await it.next();
    if (r.done) {
      ended = true;
      return null;
    }
    return r.value;
  };

  let out: Row[] = [];
  let commandNo = 0;
  let current: { command: string; service: string | null } | null = null;
  /** Output of no parser: one row per line, with its command. */
  const plain = (line: Line): void => {
    if (line.text.trim() === '') {
      ctx.structural('blank');
      return;
    }
    out.push(logRow(line, { service: current?.service ?? null, logger: current ? short(current.command) : null, message: line.text, kind: 'console_output' }));
  };

  for (;;) {
    const line = await pull();
    if (line === null) break;
    const p = promptOf(line.text);
    if (!p) {
      // Before the first prompt (the window's banner), or after a command no parser reads.
      plain(line);
    } else if (p.command === '') {
      ctx.structural('empty-prompt');
      current = null;
    } else {
      commandNo++;
      const h = handlerFor(p.command);
      current = { command: p.command, service: h?.service ?? commandService(p.command) };
      out.push(logRow(line, { service: current.service, logger: p.shell, message: p.command, kind: 'console_command' }));
      if (h) {
        if (out.length > 0) {
          yield out;
          out = [];
        }
        const where = `command ${commandNo} at line ${line.lineNo} (\`${short(p.command)}\`)`;
        const got = await readSegment(h, where, input.path, pull, (l) => {
          look = l;
        }, ctx);
        for await (const rows of got.rows) yield rows;
        // Normally nothing: a parser reads its input to the end. What it left is still evidence.
        for (let l = await got.rest(); l !== null; l = await got.rest()) plain(l);
        current = null;
      }
    }
    if (out.length >= BATCH_ROWS) {
      yield out;
      out = [];
    }
  }
  yield out;
  if (commandNo > 0) ctx.note(`console session of ${commandNo} command(s), split at its prompts`);
}

/**
 * Hand one command's output (the lines up to the next prompt) to its parser, streamed: a head is
 * peeked for it, the rest pulled as it reads. Lines it leaves unread are returned by rest().
 */
async function readSegment(
  h: Handler,
  where: string,
  path: string,
  pull: () => Promise<Line | null>,
  pushBack: (l: Line) => void,
  ctx: ParseContext,
): Promise<{ rows: AsyncIterable<Row[]>; rest: () => Promise<Line | null> }> {
  let segDone = false;
  const nextOut = async (): Promise<Line | null> => {
    if (segDone) return null;
    const l = await pull();
    if (l === null || promptOf(l.text)) {
      if (l) pushBack(l);
      segDone = true;
      return null;
    }
    return l;
  };
  const peeked: Line[] = [];
  let chars = 0;
  while (peeked.length < SEGMENT_HEAD_LINES && chars < SEGMENT_HEAD_CHARS) {
    const l = await nextOut();
    if (l === null) break;
    peeked.push(l);
    chars += l.text.length + 1;
  }
  const head = segmentHead(`${path} ${where}`, h.name, peeked, segDone);
  let k = 0;
  const take = async (): Promise<Line | null> => (k < peeked.length ? peeked[k++] : nextOut());
  const lines: AsyncIterable<Line> = {
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<Line>> {
        const l = await take();
        return l === null ? { value: undefined, done: true } : { value: l, done: false };
      },
    }),
  };
  let taken = 0;
  const sub: ParseContext = {
    structural: (counter, count) => ctx.structural(`${h.parser.id}:${counter}`, count),
    quarantine: (lineNo, reason, text) => ctx.quarantine(lineNo, `output of ${where}, read as ${h.parser.id}: ${reason}`, text),
    note: (m) => ctx.note(`${where}: ${m}`),
  };
  if (ctx.declareTable) sub.declareTable = (t, c) => ctx.declareTable!(t, c);
  async function* rows(): AsyncGenerator<Row[]> {
    for await (const item of h.parser.parse({ path, name: h.name, head, lines: () => lines }, sub)) {
      const batch = Array.isArray(item) ? item : [item];
      taken += batch.length;
      yield batch;
    }
    ctx.note(`${where}: output read by ${h.parser.id} (${taken} record(s))`);
  }
  return { rows: rows(), rest: take };
}

export default defineParser({
  id: 'console-transcript',
  title: 'saved console session (PowerShell `PS …>` or shell `$` prompts): each command read by its own parser',
  version: 1,
  kind: 'container-log',
  tables: ['log_events', 'containers', 'redis_messages', 'redis_info', 'redis_kv', 'settings', 'src:*'],
  specificity: 80,
  claims: { sniff },
  parse: parseTranscript,
});
