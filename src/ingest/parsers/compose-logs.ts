/**
 * `docker compose logs [--timestamps]` output: `<name><pad> | [<RFC3339 stamp> ]<line>`
 * (evidence-formats.md §2.1). Containers interleave in blocks, so records are joined per container.
 */
import type { FileHead } from '../../bundle/types.js';
import { BATCH_ROWS, defineParser, type ParseContext, type Row } from '../define-parser.js';
import {
  PowerShellWrapper,
  dockerStampEnd,
  dockerStampEndAt,
  isTopMoversTableLine,
  isWsPrint,
  parseAppLine,
  rfc3339ToIsoAt,
} from '../logs/app-line.js';
import { RecordJoiner } from '../logs/record-joiner.js';
import { KNOWN_SERVICES, normalizeContainerName } from '../logs/service-names.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const PREFIX = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,127})[ \t]*\|(?: (.*))?$/;
const ATTACHING = /^Attaching to /;
/** Compose's own progress and shutdown lines (`up`/`logs -f` captures). */
const COMPOSE_STATUS =
  /^(?:Gracefully stopping\.\.\.|Aborting on container exit|\[\+\] (?:Running|Stopping|Restarting|Building)|\s*[✔✘⠿]?\s*Container \S+\s+(?:Creat|Start|Stopp|Remov|Recreat|Restart|Wait|Healthy|Running|Exit)|(?:Stopping|Starting|Creating|Recreating|Removing) \S+\s*\.\.\.\s*(?:done|error)?\s*$)/;
const EXITED = /^(\S+) exited with code (\d+)\s*$/;
/** Compose CLI messages on stderr (captured with 2>&1): `WARN[0000] The "X" variable is not set...`. */
const COMPOSE_CLI = /^(WARN|ERRO|INFO|FATA)\[\d+\] (.*)$/;
const COMPOSE_ERROR = /^(?:no such service: |service "[^"]*" is not running|Error response from daemon: |error during connect: |unable to get image )/;
const CLI_LEVEL: Record<string, string> = { WARN: 'WARNING', ERRO: 'ERROR', INFO: 'INFO', FATA: 'CRITICAL' };

const knownSet = new Set(KNOWN_SERVICES);

/** A container prefix (`cdb_ws        |`) already validated, with its container and service names. */
interface KnownPrefix {
  prefix: string;
  name: string;
  service: string;
}

/** How many validated prefixes are remembered: more than a stack's interleaved containers. */
const KNOWN_PREFIXES = 16;

function knownPrefix(known: KnownPrefix[], text: string): KnownPrefix | null {
  for (let i = 0; i < known.length; i++) if (text.startsWith(known[i].prefix)) return known[i];
  return null;
}

function serviceish(name: string): boolean {
  return name.startsWith('cdb') || knownSet.has(normalizeContainerName(name)) || /[-_]\d+$/.test(name);
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

function wrapperRow(lineNo: number, service: string | null, level: string | null, message: string, format: string, ts: string | null = null, tsText: string | null = null): Row {
  return {
    table: 'log_events',
    line: lineNo,
    lines: 1,
    values: {
      service, ts, ts_text: tsText, ts_zone: ts ? 'UTC' : null, docker_ts: null, level, logger: 'docker-compose',
      message, kind: 'wrapper', format, stream: null,
    },
  };
}

/** A line without a container prefix: compose's own output, or something the analyst must look at. */
function unprefixed(text: string, lineNo: number, ctx: ParseContext): Row | null {
  if (isBlank(text)) {
    ctx.structural('blank_line');
    return null;
  }
  if (ATTACHING.test(text) || COMPOSE_STATUS.test(text)) {
    ctx.structural('compose_status');
    return null;
  }
  const ex = EXITED.exec(text);
  if (ex) return wrapperRow(lineNo, normalizeContainerName(ex[1]), null, text, 'compose');
  const cli = COMPOSE_CLI.exec(text);
  if (cli) return wrapperRow(lineNo, null, CLI_LEVEL[cli[1]] ?? null, cli[2], 'compose');
  if (COMPOSE_ERROR.test(text)) return wrapperRow(lineNo, null, 'ERROR', text, 'compose');
  const h = parseAppLine(text);
  if (h && h.format === 'logfmt') return wrapperRow(lineNo, null, h.level, h.message, 'logfmt', h.ts, h.tsText);
  ctx.quarantine(lineNo, 'line has no `<container> | ` prefix although docker compose logs writes one on every line (terminal line wrap or pasted text?)', text);
  return null;
}

function sniff(head: FileHead) {
  const lines = head.complete ? head.lines : head.lines.slice(0, -1);
  const ps = new PowerShellWrapper();
  let considered = 0;
  let prefixed = 0;
  let serviceNames = 0;
  let contentOk = 0;
  let stamped = 0;
  const names = new Set<string>();
  const barCols = new Map<number, number>();
  for (let i = 0; i < lines.length && considered < 400; i++) {
    const line = lines[i];
    if (isBlank(line) || ps.isNoise(line)) continue;
    const t = PowerShellWrapper.unwrap(line);
    if (ATTACHING.test(t)) continue;
    considered++;
    const m = PREFIX.exec(t);
    if (!m) continue;
    prefixed++;
    names.add(m[1]);
    const col = t.indexOf('|');
    barCols.set(col, (barCols.get(col) ?? 0) + 1);
    if (serviceish(m[1])) serviceNames++;
    const rest = m[2] ?? '';
    const se = dockerStampEnd(rest);
    if (se > 0) {
      stamped++;
      contentOk++;
    } else if (rest.trim() === '' || parseAppLine(rest) || isWsPrint(rest) || isTopMoversTableLine(rest)) contentOk++;
  }
  if (considered === 0 || prefixed === 0 || prefixed / considered < 0.6) return null;
  const shown = [...names].slice(0, 5).join(', ') + (names.size > 5 ? ', ...' : '');
  const aligned = Math.max(...barCols.values()) / prefixed >= 0.5;
  const stampNote = stamped > 0 ? ' with --timestamps stamps' : '';
  if (serviceNames / prefixed >= 0.5 && contentOk / prefixed >= 0.2) {
    return { confidence: 95, reason: `${prefixed}/${considered} head lines carry a compose prefix${stampNote} (${shown})` };
  }
  if (contentOk / prefixed >= 0.3 && names.size <= 64 && aligned) {
    return { confidence: 80, reason: `${prefixed}/${considered} head lines carry a \`name | \` prefix followed by log lines (${shown})` };
  }
  return null;
}

export default defineParser({
  id: 'compose-logs',
  title: 'docker compose logs (with or without --timestamps)',
  version: 1,
  kind: 'container-log',
  tables: ['log_events'],
  specificity: 60,
  claims: { sniff },
  split: {
    notes: (t) => stampNotes(t.stamps ?? 0, t.unstamped ?? 0),
    // Measured on 1 GB of DEBUG log, 2 threads.
    joinCost: 0.16,
  },
  async *parse(input, ctx) {
    let out: Row[] = [];
    let produced = 0;
    const split = ctx.split;
    const joiner = new RecordJoiner(ctx, {}, split && { hooks: split, position: () => produced + out.length });
    const ps = new PowerShellWrapper();
    const services = new Map<string, string>();
    // Compose prints containers in blocks, and a busy stack interleaves a few of them line by
    // line: the prefixes validated lately are remembered (the last one first), so a line that
    // starts with one is not validated again. A prefix holds no `|` before its own, so the line
    // would validate to the same name.
    let lastPrefix = '';
    let lastName = '';
    let lastService = '';
    const known: KnownPrefix[] = [];
    let nextSlot = 0;
    let stamps = 0;
    let unstamped = 0;

    for await (const { text: raw, lineNo } of input.lines()) {
      if (ps.isNoise(raw)) {
        ctx.structural('powershell_wrapper');
        continue;
      }
      const text = PowerShellWrapper.unwrap(raw);
      let name: string | null = null;
      let service = '';
      let restStart = -1;
      let hit: KnownPrefix | null;
      if (lastPrefix !== '' && text.startsWith(lastPrefix)) {
        name = lastName;
        service = lastService;
        restStart = lastPrefix.length;
      } else if ((hit = knownPrefix(known, text)) !== null) {
        name = lastName = hit.name;
        service = lastService = hit.service;
        lastPrefix = hit.prefix;
        restStart = lastPrefix.length;
      } else {
        const bar = text.indexOf('|');
        if (bar > 0) {
          const candidate = text.slice(0, bar).trimEnd();
          if (NAME.test(candidate) && /^[ \t]*$/.test(text.slice(candidate.length, bar))) {
            name = candidate;
            let s = services.get(name);
            if (s === undefined) {
              s = normalizeContainerName(name);
              services.set(name, s);
            }
            service = s;
            restStart = bar + 1;
            lastPrefix = text.slice(0, bar + 1);
            lastName = name;
            lastService = service;
            const k = { prefix: lastPrefix, name, service };
            if (known.length < KNOWN_PREFIXES) known.push(k);
            else known[nextSlot] = k;
            nextSlot = (nextSlot + 1) % KNOWN_PREFIXES;
          }
        }
      }
      if (name === null) {
        const row = unprefixed(text, lineNo, ctx);
        if (row) out.push(row);
        continue;
      }
      // The stamp is read where it stands in the line: only the text after it is cut.
      const from = text.charCodeAt(restStart) === 32 ? restStart + 1 : restStart;
      let rest: string;
      let dockerTs: string | null = null;
      const se = dockerStampEndAt(text, from);
      if (se > 0) {
        dockerTs = rfc3339ToIsoAt(text, from, se);
        rest = se < text.length ? text.slice(se + 1) : '';
        stamps++;
      } else {
        rest = text.slice(from);
        unstamped++;
      }
      joiner.push(name, service, lineNo, 1, rest, dockerTs, null, out);
      if (out.length >= BATCH_ROWS) {
        produced += out.length;
        yield out;
        out = [];
      }
    }
    if (split) {
      split.end({ states: joiner.takeStates(), fresh: ps.isFresh(), evicted: joiner.evicted, tallies: { stamps, unstamped } });
      yield out;
      return;
    }
    joiner.flush(out);
    yield out;
    for (const n of stampNotes(stamps, unstamped)) ctx.note(n);
  },
});

function stampNotes(stamps: number, unstamped: number): string[] {
  return stamps > 0 && unstamped > 0 ? [`${stamps} lines carry a --timestamps stamp and ${unstamped} do not`] : [];
}
