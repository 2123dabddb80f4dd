import { defineParser, type ParseContext, type Row } from '../define-parser.js';
import type { FileHead, Line } from '../../bundle/types.js';
import { JsonElementScanner, isPlainObject } from '../reports/json-spans.js';
import { repairMojibake } from '../reports/mojibake.js';
import { toIsoUtc } from '../../util/time.js';

/**
 * `docker compose ps` as a table (current Compose v2, the older v2 `NAME COMMAND SERVICE STATUS PORTS`
 * layout, Compose v1 `Name Command State Ports`; `docker ps` tables too) or `--format json`
 * (one object per line, or one array, compact or pretty-printed). evidence-formats §8.
 */

// ---------------------------------------------------------------- status grammar

export interface StatusInfo {
  state: string | null;
  health: string | null;
  exit_code: number | null;
  up_seconds: number | null;
}

const UNIT_SECONDS: Record<string, number> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86400,
  week: 7 * 86400,
  // go-units HumanDuration divides by 30 and 365 days.
  month: 30 * 86400,
  year: 365 * 86400,
};

/** Docker's human duration (`Less than a second`, `About an hour`, `4 hours`, `3 weeks`) in seconds; approximate by design. */
export function parseDockerDuration(d: string): number | null {
  const s = d.trim().toLowerCase();
  if (s === 'less than a second') return 0;
  if (s === 'about a minute') return 60;
  if (s === 'about an hour') return 3600;
  const m = /^(\d+|an?)\s+(second|minute|hour|day|week|month|year)s?$/.exec(s);
  if (!m) return null;
  const n = /^\d+$/.test(m[1]) ? Number(m[1]) : 1;
  return n * UNIT_SECONDS[m[2]];
}

function healthOf(paren: string | undefined): string | null {
  if (!paren) return null;
  const p = paren.trim().toLowerCase();
  if (p === 'healthy' || p === 'unhealthy') return p;
  if (p === 'health: starting' || p === 'starting') return 'starting';
  return null;
}

/** Reads every STATUS/State form of §8: `Up 4 hours (healthy)`, `Restarting (1) 5 seconds ago`, `exited (137)`, `Exit 137`, ... */
export function parseStatus(raw: string): StatusInfo {
  const s = raw.trim();
  const none: StatusInfo = { state: null, health: null, exit_code: null, up_seconds: null };
  let m = /^Up\b\s*(.*)$/i.exec(s);
  if (m) {
    const parens = [...m[1].matchAll(/\(([^)]*)\)/g)].map((x) => x[1]);
    const paused = parens.some((p) => /^paused$/i.test(p.trim()));
    const health = parens.map(healthOf).find((h) => h !== null) ?? null;
    const dur = m[1].replace(/\([^)]*\)/g, '').trim();
    return { state: paused ? 'paused' : 'running', health, exit_code: null, up_seconds: dur ? parseDockerDuration(dur) : null };
  }
  m = /^Restarting(?:\s*\((-?\d+)\))?(?:\s+.+?\s+ago)?\s*$/i.exec(s);
  if (m) return { ...none, state: 'restarting', exit_code: m[1] !== undefined ? Number(m[1]) : null };
  m = /^Exited\s*\((-?\d+)\)(?:\s+.+?\s+ago)?\s*$/i.exec(s);
  if (m) return { ...none, state: 'exited', exit_code: Number(m[1]) };
  m = /^Exit\s+(-?\d+)$/i.exec(s);
  if (m) return { ...none, state: 'exited', exit_code: Number(m[1]) };
  m = /^(running|exited|restarting|paused|created|dead|removing)(?:\s*\(([^)]*)\))?$/i.exec(s);
  if (m) {
    const inner = m[2]?.trim();
    const code = inner !== undefined && /^-?\d+$/.test(inner) ? Number(inner) : null;
    return { ...none, state: m[1].toLowerCase(), health: healthOf(inner), exit_code: code };
  }
  if (/^Created$/i.test(s)) return { ...none, state: 'created' };
  if (/^Dead$/i.test(s)) return { ...none, state: 'dead' };
  if (/^Paused$/i.test(s)) return { ...none, state: 'paused' };
  if (/^Removal In Progress$/i.test(s)) return { ...none, state: 'removing' };
  return none;
}

// ---------------------------------------------------------------- text helpers

const ECHO_RE = /^(?:PS [^>]*>\s*|[$#>]\s*)?docker(?:-compose|\s+compose|\s+ps)\b/;
const WARN_RE = /^(?:WARN\[\d+\]|time="[^"]*"\s+level=(?:warning|error))/;

function isNoise(text: string): boolean {
  return text.trim() === '' || ECHO_RE.test(text.trim()) || WARN_RE.test(text.trim());
}

// ---------------------------------------------------------------- table layouts

export interface Layout {
  kind: 'v2' | 'v1';
  names: string[];
  offsets: number[];
}

const V1_HEADER_RE = /^\s*Name\s+Command\s+State\s+Ports\s*$/;

export function headerLayout(text: string): Layout | null {
  if (V1_HEADER_RE.test(text)) return { kind: 'v1', names: ['NAME', 'COMMAND', 'STATE', 'PORTS'], offsets: [] };
  if (/^\s/.test(text)) return null;
  const names: string[] = [];
  const offsets: number[] = [];
  const re = /\S+(?: \S+)*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text.trimEnd()))) {
    if (!/^[A-Z][A-Z ]*$/.test(m[0])) return null;
    names.push(m[0]);
    offsets.push(m.index);
  }
  const hasName = names.includes('NAME') || names.includes('NAMES');
  const hasStatus = names.includes('STATUS') || names.includes('STATE');
  if (!hasName || !hasStatus) return null;
  if (names[0] !== 'NAME' && names[0] !== 'CONTAINER ID') return null;
  return { kind: 'v2', names, offsets };
}

/** Cells by the header's offsets; null when the row does not line up (then the caller tries gaps). */
function sliceByOffsets(text: string, offsets: number[]): string[] | null {
  const cells: string[] = [];
  for (let c = 0; c < offsets.length; c++) {
    const start = offsets[c];
    const end = c + 1 < offsets.length ? offsets[c + 1] : text.length;
    if (c > 0 && start < text.length && text[start - 1] !== ' ') return null;
    cells.push(start < text.length ? text.slice(start, end).trim() : '');
  }
  return cells;
}

function sliceByGaps(text: string, columns: number, lastMayBeEmpty: boolean): string[] | null {
  const parts = text.trim().split(/\s{2,}/);
  if (parts.length === columns) return parts;
  if (parts.length === columns - 1 && lastMayBeEmpty) return [...parts, ''];
  return null;
}

/** Container names never hold spaces, and every layout prints a status. */
function plausible(layout: Layout, cells: string[]): boolean {
  const name = cells[layout.names.findIndex((n) => n === 'NAME' || n === 'NAMES')] ?? '';
  const status = cells[layout.names.findIndex((n) => n === 'STATUS' || n === 'STATE')] ?? '';
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) && status !== '';
}

/**
 * One v2 table row as containers values, or null when it does not line up with the header. For
 * `docker compose ps` tables that other reports embed (daily_check.py's container section).
 */
export function tableRowValues(layout: Layout, text: string): Record<string, string | number | null> | null {
  if (layout.kind !== 'v2' || /^\s/.test(text)) return null;
  const lastMayBeEmpty = layout.names[layout.names.length - 1] === 'PORTS';
  const cells = sliceByOffsets(text, layout.offsets) ?? sliceByGaps(text, layout.names.length, lastMayBeEmpty);
  return cells && plausible(layout, cells) ? rowFromCells(layout, cells) : null;
}

function emptyRow(): Record<string, string | number | null> {
  return {
    source: null,
    name: null,
    service: null,
    project: null,
    image: null,
    state: null,
    status: null,
    health: null,
    exit_code: null,
    running_for: null,
    created_at: null,
    started_at: null,
    restart_count: null,
    up_seconds: null,
  };
}

function rowFromCells(layout: Layout, cells: string[]): Record<string, string | number | null> {
  const get = (...names: string[]): string | null => {
    for (const n of names) {
      const i = layout.names.indexOf(n);
      if (i >= 0 && cells[i] !== undefined && cells[i] !== '') return cells[i];
    }
    return null;
  };
  const v = emptyRow();
  v.source = 'compose_ps_table';
  const name = get('NAME', 'NAMES');
  v.name = name;
  v.service = get('SERVICE') ?? (name ? name.replace(/[-_]\d+$/, '') : null);
  v.project = get('PROJECT');
  v.image = get('IMAGE');
  const status = get('STATUS', 'STATE');
  v.status = status;
  const info = status ? parseStatus(status) : parseStatus('');
  v.state = info.state;
  v.health = info.health;
  v.exit_code = info.exit_code;
  v.up_seconds = info.up_seconds;
  v.running_for = get('CREATED', 'RUNNING FOR');
  return v;
}

// ---------------------------------------------------------------- JSON form

function labelsOf(raw: unknown): Record<string, string> {
  if (isPlainObject(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
  if (typeof raw !== 'string') return {};
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function rowFromJson(o: Record<string, unknown>): Record<string, string | number | null> | null {
  const name = str(o.Name) ?? str(o.Names);
  if (!name || (o.State === undefined && o.Status === undefined)) return null;
  const labels = labelsOf(o.Labels);
  const status = str(o.Status);
  const info = parseStatus(status ?? '');
  const v = emptyRow();
  v.source = 'compose_ps_json';
  v.name = name;
  v.service = str(o.Service) ?? labels['com.docker.compose.service'] ?? name.replace(/[-_]\d+$/, '');
  v.project = str(o.Project) ?? labels['com.docker.compose.project'] ?? null;
  v.image = str(o.Image);
  v.state = str(o.State)?.toLowerCase() ?? info.state;
  v.status = status;
  v.health = str(o.Health) ?? info.health;
  v.exit_code = typeof o.ExitCode === 'number' ? o.ExitCode : info.exit_code;
  v.running_for = str(o.RunningFor);
  v.created_at = toIsoUtc(str(o.CreatedAt));
  v.up_seconds = info.up_seconds;
  return v;
}

// ---------------------------------------------------------------- detection

function firstSignificant(lines: readonly string[]): string | null {
  for (const l of lines) if (!isNoise(l)) return l;
  return null;
}

function sniffJson(head: FileHead): boolean {
  const first = firstSignificant(head.lines);
  if (!first || !/^\s*[[{]/.test(first)) return false;
  if (/^\s*\{\s*"log"\s*:/.test(first)) return false;
  return /"State"\s*:\s*"/.test(head.text) && /"(Service|Names)"\s*:\s*"/.test(head.text) && /"Status"\s*:\s*"/.test(head.text);
}

// ---------------------------------------------------------------- parser

function handleNoise(line: Line, ctx: ParseContext): boolean {
  const t = line.text.trim();
  if (t === '') {
    ctx.structural('blank');
    return true;
  }
  if (ECHO_RE.test(t)) {
    ctx.structural('command_echo');
    return true;
  }
  if (WARN_RE.test(t)) {
    ctx.note(`compose warning at line ${line.lineNo}: ${t}`);
    ctx.structural('compose_warning');
    return true;
  }
  return false;
}

async function* parseJson(lines: AsyncIterable<Line>, ctx: ParseContext): AsyncGenerator<Row> {
  const scanner = new JsonElementScanner();
  function* handle(events: ReturnType<JsonElementScanner['push']>): Generator<Row> {
    for (const ev of events) {
      if (ev.type === 'element') {
        const values = isPlainObject(ev.value) ? rowFromJson(ev.value) : null;
        if (values) {
          yield { table: 'containers', line: ev.startLine, lines: ev.ownLines, values };
        } else {
          const firstOwned = ev.endLine - ev.ownLines + 1;
          for (const l of ev.lines) {
            if (l.lineNo >= firstOwned) ctx.quarantine(l.lineNo, `JSON value at line ${ev.startLine} is not a compose ps entry (no Name/State)`, l.text);
          }
        }
      } else if (ev.type === 'invalid') {
        for (const l of ev.owned) ctx.quarantine(l.lineNo, ev.reason, l.text);
      } else if (ev.type === 'punctuation') {
        ctx.structural(ev.line.text.trim() === '' ? 'blank' : 'json_punctuation');
      } else if (ev.type === 'text') {
        if (!handleNoise(ev.line, ctx)) ctx.quarantine(ev.line.lineNo, 'not JSON: expected one compose ps object per line or a JSON array', ev.line.text);
      } else {
        ctx.note(`line ${ev.line.lineNo}: text after a JSON value ignored: ${ev.text.slice(0, 80)}`);
      }
    }
  }
  for await (const line of lines) yield* handle(scanner.push(line));
  yield* handle(scanner.end());
}

interface Pending {
  line: number;
  lines: number;
  cells: string[];
}

async function* parseTable(lines: AsyncIterable<Line>, ctx: ParseContext): AsyncGenerator<Row> {
  let layout: Layout | null = null;
  let pending: Pending | null = null;
  const flush = (): Row | null => {
    if (!pending || !layout) return null;
    const row: Row = { table: 'containers', line: pending.line, lines: pending.lines, values: rowFromCells(layout, pending.cells) };
    pending = null;
    return row;
  };
  for await (const raw of lines) {
    const text = repairMojibake(raw.text);
    const line: Line = { text, lineNo: raw.lineNo };
    // Compose v1 (texttable) wraps long cells onto lines whose first column is blank.
    if (layout?.kind === 'v1' && pending && /^\s{2,}\S/.test(text)) {
      const p: Pending = pending;
      p.cells[p.cells.length - 1] = `${p.cells[p.cells.length - 1]} ${text.trim()}`.trim();
      p.lines++;
      continue;
    }
    const done = flush();
    if (done) yield done;
    if (handleNoise(line, ctx)) continue;
    const h = headerLayout(text);
    if (h) {
      layout = h;
      ctx.structural('table_header');
      continue;
    }
    if (layout?.kind === 'v1' && /^-{5,}\s*$/.test(text)) {
      ctx.structural('table_rule');
      continue;
    }
    if (!layout) {
      ctx.quarantine(line.lineNo, 'no docker compose ps header (NAME ... STATUS) before this line', text);
      continue;
    }
    if (/^\s/.test(text)) {
      ctx.quarantine(line.lineNo, 'row starts with a blank NAME cell; cannot tell which container it belongs to', text);
      continue;
    }
    const lastMayBeEmpty = layout.names[layout.names.length - 1] === 'PORTS';
    if (layout.kind === 'v1') {
      const cells = sliceByGaps(text, 4, true);
      if (!cells || !plausible(layout, cells)) {
        ctx.quarantine(line.lineNo, 'Compose v1 row does not split into Name / Command / State / Ports', text);
        continue;
      }
      pending = { line: line.lineNo, lines: 1, cells };
      continue;
    }
    const cells = sliceByOffsets(text, layout.offsets) ?? sliceByGaps(text, layout.names.length, lastMayBeEmpty);
    if (!cells || !plausible(layout, cells)) {
      ctx.quarantine(line.lineNo, `row does not line up with the header columns (${layout.names.join(', ')})`, text);
      continue;
    }
    yield { table: 'containers', line: line.lineNo, lines: 1, values: rowFromCells(layout, cells) };
  }
  const done = flush();
  if (done) yield done;
}

export default defineParser({
  id: 'compose-ps',
  title: 'docker compose ps (table or --format json)',
  version: 1,
  kind: 'containers',
  tables: ['containers'],
  specificity: 70,
  claims: {
    sniff(head) {
      if (sniffJson(head)) return { confidence: 92, reason: 'JSON objects with Name/Service/State/Status strings (compose ps --format json)' };
      const first = firstSignificant(head.lines);
      if (!first) return null;
      const layout = headerLayout(first);
      if (!layout) return null;
      return {
        confidence: 90,
        reason: layout.kind === 'v1' ? 'Compose v1 table header Name / Command / State / Ports' : `table header ${layout.names.join(' ')}`,
      };
    },
  },
  async *parse(input, ctx) {
    const first = firstSignificant(input.head.lines);
    if (first && /^\s*[[{]/.test(first)) yield* parseJson(input.lines(), ctx);
    else yield* parseTable(input.lines(), ctx);
  },
});
