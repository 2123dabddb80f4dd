/**
 * How a log_events row is stored. Four of its columns take their values from closed vocabularies
 * (`kind`, `format`, `stream`, `ts_zone`) and `docker_ts` mostly repeats `ts`: as text they were
 * a fifth of every row. The table stores them packed into one small integer (`packed`), with
 * the docker stamp only where it differs from `ts` (`packed_docker_ts`) and any value outside the
 * vocabularies as JSON (`packed_other`), so nothing is ever lost. The familiar names stay readable
 * in every query: they are VIRTUAL generated columns that unpack, in their old places, so
 * `SELECT *` lists them as before (the three stored columns follow `in_block`).
 *
 * `packed`: bit 0 docker_ts equals ts; bits 1–4 kind; 5–8 format; 9–10 stream; 11–12 ts_zone.
 * A code past the end of its vocabulary ("other") reads the value from `packed_other` (NULL when
 * the JSON has no such key). The commonest row (an `app` record in `bracket` format, stamped as
 * its time) packs to 1, which SQLite stores in no bytes at all.
 */

import Database from 'better-sqlite3';

type Value = string | number | null;

interface Field {
  /** The logical column. */
  name: 'kind' | 'format' | 'stream' | 'ts_zone';
  shift: number;
  /** Code of the value outside the vocabulary: all bits of the field set. */
  other: number;
  vocabulary: readonly (string | null)[];
}

const FIELDS: readonly Field[] = [
  {
    name: 'kind',
    shift: 1,
    other: 15,
    vocabulary: ['app', 'health_poll', 'print', 'redis', 'postgres', 'report', 'continuation', 'wrapper', 'stderr_block', 'console_command', 'console_output', null],
  },
  {
    name: 'format',
    shift: 5,
    other: 15,
    vocabulary: ['bracket', 'dash', 'plain-name', 'ws-nomillis', 'print', 'werkzeug', 'redis', 'postgres', 'reports-print', 'logfmt', 'glog', 'unformatted', null],
  },
  { name: 'stream', shift: 9, other: 3, vocabulary: [null, 'stdout', 'stderr'] },
  { name: 'ts_zone', shift: 11, other: 3, vocabulary: ['UTC (assumed)', null, 'UTC'] },
];

/** Bit 0 of `packed`: docker_ts is the same text as ts. */
const SAME_DOCKER_TS = 1;

/** The stored columns of log_events, in table order (what a copy of its rows names). */
export const LOG_STORED_COLUMNS = [
  'file_id', 'line_no', 'line_count', 'service', 'ts', 'ts_text', 'level', 'logger', 'message', 'class', 'in_block',
  'packed', 'packed_docker_ts', 'packed_other',
] as const;

/** The generated columns the packed ones are read through. */
export const LOG_UNPACKED_COLUMNS = ['ts_zone', 'docker_ts', 'kind', 'format', 'stream'] as const;

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function unpackSql(f: Field): string {
  const whens = f.vocabulary.map((v, i) => `WHEN ${i} THEN ${v === null ? 'NULL' : sqlString(v)}`).join(' ');
  return `CASE (packed >> ${f.shift}) & ${f.other} ${whens} ELSE json_extract(packed_other, '$.${f.name}') END`;
}

/** `CREATE TABLE` of a table with log_events' shape (the table itself, or its mirror of copies). */
export function logEventsTableSql(name: string): string {
  const gen = (f: Field) => `  ${f.name} TEXT GENERATED ALWAYS AS (${unpackSql(f)}) VIRTUAL`;
  const field = (n: Field['name']) => gen(FIELDS.find((f) => f.name === n)!);
  return `CREATE TABLE IF NOT EXISTS "${name.replace(/"/g, '""')}" (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL,
  line_no INTEGER NOT NULL,
  line_count INTEGER NOT NULL,
  service TEXT,
  ts TEXT,
  ts_text TEXT,
${field('ts_zone')},
  docker_ts TEXT GENERATED ALWAYS AS (CASE WHEN packed & ${SAME_DOCKER_TS} THEN ts ELSE packed_docker_ts END) VIRTUAL,
  level TEXT,
  logger TEXT,
  message TEXT,
${field('kind')},
${field('format')},
${field('stream')},
  class TEXT,
  in_block INTEGER,
  packed INTEGER,
  packed_docker_ts TEXT,
  packed_other TEXT
);`;
}

/**
 * A table of log_events' stored columns only, same names and types, without the unpacked
 * (generated) ones: a piece's scratch table (src/ingest/split-worker.ts). SQLite computes every
 * generated column on each insert, and the merge, which copies the stored columns, computes them
 * again for the working database's table.
 */
export function logEventsStoredTableSql(name: string): string {
  return logEventsTableSql(name)
    .split('\n')
    .filter((l) => !l.includes(' GENERATED ALWAYS AS '))
    .join('\n');
}

let castText: Database.Statement | null = null;

/**
 * A number as a TEXT column stores it (7 → '7.0'), by SQLite's own conversion: the unpacked
 * table held it so. No parser yields one for these columns; this keeps the rare case exact.
 */
function asStoredText(v: number): string {
  castText ??= new Database(':memory:').prepare('SELECT CAST(? AS TEXT)').pluck();
  return castText.get(v) as string;
}

const CODES = FIELDS.map((f) => new Map<string | null, number>(f.vocabulary.map((v, i) => [v, i])));

function codeOf(i: number, v: Value): number {
  const c = typeof v === 'number' ? undefined : CODES[i].get(v);
  return c === undefined ? FIELDS[i].other : c;
}

/** The last four values packed: consecutive records mostly share them. */
let lastKind: Value | undefined = null;
let lastFormat: Value | undefined = null;
let lastStream: Value | undefined = null;
let lastZone: Value | undefined = null;
let lastCode = codeOf(0, null) << FIELDS[0].shift | codeOf(1, null) << FIELDS[1].shift | codeOf(2, null) << FIELDS[2].shift | codeOf(3, null) << FIELDS[3].shift;

/**
 * `packed` of a row's kind, format, stream, ts_zone and docker_ts. When `hasOther(packed)`, the
 * row also stores `packedOther(...)`; unless bit 0 is set, it stores its docker stamp as given.
 */
export function packLog(kind: Value | undefined, format: Value | undefined, stream: Value | undefined, zone: Value | undefined, ts: Value | undefined, docker: Value | undefined): number {
  if (kind !== lastKind || format !== lastFormat || stream !== lastStream || zone !== lastZone) {
    lastCode = codeOf(0, kind ?? null) << FIELDS[0].shift | codeOf(1, format ?? null) << FIELDS[1].shift | codeOf(2, stream ?? null) << FIELDS[2].shift | codeOf(3, zone ?? null) << FIELDS[3].shift;
    lastKind = kind;
    lastFormat = format;
    lastStream = stream;
    lastZone = zone;
  }
  return typeof docker === 'string' && docker === ts ? lastCode | SAME_DOCKER_TS : lastCode;
}

/** hasOther of the last packed code asked about (consecutive records mostly share it). */
let otherOf = -1;
let otherWas = false;

/** Whether a packed row holds a value outside a vocabulary (its `packed_other` is not NULL). */
export function hasOther(packed: number): boolean {
  if (packed === otherOf) return otherWas;
  let other = false;
  for (const f of FIELDS) if (((packed >> f.shift) & f.other) === f.other) other = true;
  otherOf = packed;
  otherWas = other;
  return other;
}

/** `packed_other`: all four values, as the migration's json_object writes them (numbers as the unpacked table stored them). */
export function packedOther(kind: Value | undefined, format: Value | undefined, stream: Value | undefined, zone: Value | undefined): string {
  const t = (v: Value | undefined) => (typeof v === 'number' ? asStoredText(v) : v ?? null);
  return JSON.stringify({ kind: t(kind), format: t(format), stream: t(stream), ts_zone: t(zone) });
}

/** [packed, packed_docker_ts, packed_other] of a row. */
export function packRow(kind: Value | undefined, format: Value | undefined, stream: Value | undefined, zone: Value | undefined, ts: Value | undefined, docker: Value | undefined): [number, Value, string | null] {
  const packed = packLog(kind, format, stream, zone, ts, docker);
  return [packed, packed & SAME_DOCKER_TS ? null : docker ?? null, hasOther(packed) ? packedOther(kind, format, stream, zone) : null];
}

/** The same packing in SQL, over a table with the old, unpacked columns (the migration from v4). */
export function packSql(): { packed: string; docker: string; other: string } {
  const code = (f: Field) =>
    // Parenthesized: SQLite's <<, & and | bind equally, left to right.
    `((CASE ${f.vocabulary.map((v, i) => `WHEN ${f.name} ${v === null ? 'IS NULL' : `= ${sqlString(v)}`} THEN ${i}`).join(' ')} ELSE ${f.other} END) << ${f.shift})`;
  const isOther = (f: Field) => `typeof(${f.name}) NOT IN ('text', 'null') OR ${f.name} NOT IN (${f.vocabulary.filter((v) => v !== null).map((v) => sqlString(v!)).join(', ')})`;
  const same = `(docker_ts IS NOT NULL AND typeof(docker_ts) = 'text' AND docker_ts = ts)`;
  return {
    packed: `(${FIELDS.map(code).join(' | ')} | (CASE WHEN ${same} THEN ${SAME_DOCKER_TS} ELSE 0 END))`,
    docker: `CASE WHEN ${same} THEN NULL ELSE docker_ts END`,
    other: `CASE WHEN ${FIELDS.map((f) => `(${isOther(f)})`).join(' OR ')} THEN json_object('kind', kind, 'format', format, 'stream', stream, 'ts_zone', ts_zone) END`,
  };
}

/**
 * A log_events row given by its familiar columns, as the table stores it (for code and tests
 * that insert rows themselves rather than through the writer).
 */
export function storedLogRow<T extends Record<string, unknown>>(row: T): Record<string, unknown> {
  const { kind, format, stream, ts_zone, docker_ts, ...rest } = row as Record<string, unknown>;
  const [packed, packedDocker, other] = packRow(kind as Value, format as Value, stream as Value, ts_zone as Value, rest.ts as Value, docker_ts as Value);
  return { ...rest, packed, packed_docker_ts: packedDocker, packed_other: other };
}
