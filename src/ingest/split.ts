/**
 * One large log (or psql CSV export) read on several threads. The file is cut into pieces at line
 * ends; this thread parses the first piece straight into the working database while worker threads
 * parse the others into scratch databases of their own (handing rows between threads costs more
 * than inserting them, see parallel.ts), and the pieces are then joined in file order.
 *
 * Each worker parses two pieces, a large one and then a small tail further on: while the workers
 * parse their tails, this thread already copies the large pieces in, so the join, which only this
 * thread can do, no longer waits for the last worker.
 *
 * The result is exactly what one read of the whole file gives, row for row and id for id — for
 * any number of threads, which only decides where the cuts fall:
 * - A piece's parser keeps the records still open at its end instead of writing them, and says
 *   where each container's first line fell. A record left open by piece k-1 is written where the
 *   container's first line in piece k stands (where a whole read would have closed it), or, if the
 *   container never speaks again, at the end in line order (the end-of-file flush).
 * - That first line must read the same after any earlier state: a header that opens a record of its
 *   own (not a postgres DETAIL joining the statement before it, not a traceback line continuing
 *   one), and the container's mode must not depend on what came before. The parser's own line
 *   state must be a fresh one at every cut, and no container state may have been evicted.
 * - A parser may know more at a cut than its open records (a CSV header): a piece states what it
 *   assumed at its start and what it knew at its end, and joins only when it assumed what the piece
 *   before ended with. A dumped table's rows (`src_<table>`) are copied in order; nothing of them is
 *   carried across a cut, so such a piece must end as a file starts (a CSV piece: outside quotes).
 * - Line numbers are shifted by the lines of the pieces before; counts are summed; the hourly
 *   rollup is merged with exact sums; notes keep their first-seen order.
 * When any check fails, or a worker fails, the caller rolls the pieces back and reads the file
 * whole: slower, never different.
 */
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { DecodeIssue, Encoding, FileHead } from '../bundle/types.js';
import { collectingContext, runParser } from './run-parser.js';
import type { DB } from '../db/open.js';
import { storedColumns } from '../db/raw-tables.js';
import { sanitizeName, type HourlyGroup, type Writer } from '../db/writer.js';
import type { ParseContext, ParseInput, ParserDef, Row, SplitEnd } from './define-parser.js';
import { faultPoint } from '../util/fault.js';

/** Pieces smaller than this are not worth a thread's start-up and the merge. */
export const SPLIT_MIN_PIECE_BYTES = 32 * 1024 * 1024;

/**
 * This thread's first piece against a worker's large one: it also hashes the whole file (~0.05 of
 * parsing it) and must be ready to copy the first large piece in when that is parsed.
 */
const FIRST_PIECE_WEIGHT = 0.86;

/** At most this many workers on one file: each attaches two scratch databases (SQLite allows 10). */
const MAX_PIECE_WORKERS = 4;

/** How far past a cut to look for the line end (the decoder refuses longer lines anyway). */
const LINE_END_SEARCH = 2 * 1024 * 1024;

const WORKER_URL = new URL('./split-worker.js', import.meta.url);

/** The smallest piece in bytes: SPLIT_MIN_PIECE_BYTES, or what CDB_FORENSICS_SPLIT_MIN_BYTES says (tests cut small files). */
export function minPieceBytes(): number {
  const v = Number(process.env.CDB_FORENSICS_SPLIT_MIN_BYTES);
  return Number.isInteger(v) && v > 0 ? v : SPLIT_MIN_PIECE_BYTES;
}

/** Encodings whose line feed is a byte of its own, so a cut after one is a cut between lines. */
const BYTE_ENCODINGS = new Set<Encoding>(['utf8', 'utf8-bom', 'cp1252']);

export function canSplit(parser: ParserDef | null, head: FileHead, bytes: number, threads: number): boolean {
  return !!parser?.split && threads >= 2 && BYTE_ENCODINGS.has(head.encoding) && !head.binary && bytes >= 2 * minPieceBytes() && existsSync(fileURLToPath(WORKER_URL));
}

/** How many workers read pieces of a file of `size` bytes with `threads` threads (0: read it whole). */
export function pieceWorkers(size: number, threads: number): number {
  return Math.max(0, Math.min(threads - 1, MAX_PIECE_WORKERS, Math.floor(size / minPieceBytes()) - 1));
}

/**
 * The pieces worker `w` (1-based) of `workers` parses, in this order: its large piece, then its
 * tail. Piece 0 is this thread's; the large pieces 1…workers follow it, the tails close the file.
 */
export function piecesOfWorker(w: number, workers: number): [number, number] {
  return [w, workers + w];
}

/**
 * The sizes of a file's pieces in file order against a worker's large one (1): this thread's
 * piece, the workers' large pieces, their tails. A tail is what a worker parses while this thread
 * copies its large piece in, so it weighs what that join costs against parsing the large piece:
 * the parser's `joinCost`.
 */
export function pieceWeights(workers: number, joinCost: number): number[] {
  if (workers === 0) return [1];
  return [FIRST_PIECE_WEIGHT, ...Array<number>(workers).fill(1), ...Array<number>(workers).fill(joinCost)];
}

/**
 * Byte offsets [0, c1, …, size] cutting the file into this thread's piece, one large piece and one
 * tail per worker (pieceWeights), each cut just after a line feed; [0, size] (read whole) when a
 * line end cannot be found near a cut.
 */
export async function cutPoints(abs: string, size: number, threads: number, joinCost: number): Promise<number[]> {
  const weights = pieceWeights(pieceWorkers(size, threads), joinCost);
  const n = weights.length;
  const total = weights.reduce((a, b) => a + b, 0);
  const cuts = [0];
  const fh = await open(abs, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let i = 1; i < n; i++) {
      const share = weights.slice(0, i).reduce((a, b) => a + b, 0) / total;
      let pos = Math.max(cuts[cuts.length - 1] + 1, Math.floor(size * share));
      let found = -1;
      for (let searched = 0; found < 0 && searched < LINE_END_SEARCH && pos < size; ) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        const at = buf.subarray(0, bytesRead).indexOf(10);
        if (at >= 0) found = pos + at + 1;
        else {
          pos += bytesRead;
          searched += bytesRead;
        }
      }
      if (found > 0 && found < size) cuts.push(found);
    }
  } finally {
    await fh.close();
  }
  cuts.push(size);
  // The pieces are laid out for the workers: without every cut, the file is read whole.
  return cuts.length === n + 1 ? cuts : [0, size];
}

export interface FirstLine {
  key: string;
  lineNo: number;
  at: number;
  clean: boolean;
  python: boolean;
}

/** What a piece's parse gives the merge besides its rows. */
export interface PieceResult {
  /** Physical lines of the piece (delivered, refused by the decoder, unread). */
  lines: number;
  readError?: string;
  parseError?: string;
  issues: DecodeIssue[];
  quarantined: { line: number; reason: string; text: string }[];
  structural: [string, number][];
  notes: string[];
  records: number;
  recordLines: number;
  firsts: FirstLine[];
  end: SplitEnd | null;
  /** The piece's log_hourly groups (a worker's; this thread's stay in its writer). */
  hourly: HourlyGroup[];
  /** Rows the parser wrote to a table other than log_events and dumped tables (the merge copies those only). */
  otherRows: number;
  /** The dumped tables (`src_<name>`) the piece wrote, with their columns (a worker's; see Writer.takeFileColumns). */
  tables: [string, string[]][];
}

/** Where a piece lies in its file. */
export interface PiecePlace {
  startsFile: boolean;
  endsFile: boolean;
}

/** Parse one piece; `write` stores each row. A database error is thrown, a parser error reported. */
export async function parsePiece(
  parser: ParserDef,
  input: ParseInput,
  finish: () => Promise<{ lines: number; error?: string }>,
  issues: DecodeIssue[],
  write: (row: Row) => void,
  place: PiecePlace,
  declareTable?: ParseContext['declareTable'],
): Promise<PieceResult> {
  const firsts: FirstLine[] = [];
  let end: SplitEnd | null = null;
  let records = 0;
  let recordLines = 0;
  let otherRows = 0;
  const { ctx, structural, quarantined, notes } = collectingContext({
    declareTable,
    split: {
      first(key, lineNo, at, clean, python) {
        firsts.push({ key, lineNo, at, clean, python });
      },
      end(e) {
        end = e;
      },
      ...place,
    },
  });
  const take = (row: Row): void => {
    if (row.table !== 'log_events' && !row.table.startsWith('src:')) otherRows++;
    write(row);
    records++;
    recordLines += row.lines;
  };
  const parseError = await runParser(parser, input, ctx, take);
  const res = await finish();
  return {
    lines: res.lines, readError: res.error, parseError, issues: [...issues], quarantined, structural: [...structural], notes: [...notes],
    records, recordLines, firsts, end, hourly: [], otherRows, tables: [],
  };
}

/** One piece of one file, as a worker is given it. */
export interface PieceInput {
  abs: string;
  path: string;
  relPath: string;
  head: FileHead;
  start: number;
  end: number;
  encoding: Encoding;
  parserId: string;
  fileId: number;
  bid: number;
  learned: string[];
  partDb: string;
  /** The piece ends where the file ends. */
  last: boolean;
}

/** `index`: which of the worker's pieces (0: its first). */
export type PieceMessage =
  | { type: 'progress'; index: number; rows: number; bytes: number }
  | { type: 'done'; index: number; result: PieceResult }
  | { type: 'failed'; index: number; message: string };

/** A worker parsing its pieces one after the other; `done[i]` settles when piece i is stored (null: it failed). */
export interface RunningPieces {
  done: Promise<PieceResult | null>[];
  stop(): Promise<void>;
}

export function startPieces(inputs: PieceInput[], onProgress: (index: number, rows: number, bytes: number) => void): RunningPieces {
  let worker: Worker | undefined;
  const settlers: ((r: PieceResult | null) => void)[] = [];
  const done = inputs.map(
    () =>
      new Promise<PieceResult | null>((resolve) => {
        let settled = false;
        settlers.push((r) => {
          if (!settled) resolve(r);
          settled = true;
        });
      }),
  );
  // A failure or an exit settles every piece still pending: the worker parses no more.
  const failAll = (): void => settlers.forEach((settle) => settle(null));
  try {
    worker = new Worker(WORKER_URL, { workerData: inputs });
    worker.on('message', (m: PieceMessage) => {
      if (m.type === 'progress') onProgress(m.index, m.rows, m.bytes);
      else if (m.type === 'done') settlers[m.index]?.(m.result);
      else failAll();
    });
    worker.on('error', failAll);
    worker.on('exit', failAll);
  } catch {
    failAll();
  }
  return {
    done,
    stop: async () => {
      if (worker) await worker.terminate();
    },
  };
}

const LOG_COLUMNS = storedColumns('log_events');

interface Carried {
  sawPython: boolean;
  open: Row | null;
}

/** The merge's view of the file so far: what the caller adds to its manifest row. */
export interface Joined {
  lines: number;
  records: number;
  recordLines: number;
  structural: Map<string, number>;
  quarantined: { line: number; reason: string; text: string }[];
  notes: Set<string>;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function shifted(row: Row, by: number): Row {
  return by === 0 ? row : { ...row, line: row.line + by };
}

/** Why a piece cannot be joined exactly, or null. `last`: the file's last piece; `before`: the piece before it. */
function unjoinable(p: PieceResult, k: number, last: boolean, before: PieceResult | null): string | null {
  const why = p.parseError ?? p.readError ?? (p.end === null ? 'the parser did not end it' : p.end.evicted ? 'container states were evicted' : p.otherRows > 0 ? 'rows of other tables' : null);
  if (why) return `piece ${k}: ${why}`;
  if (!last && !p.end!.fresh) return `piece ${k} does not end in the state a file starts in (inside a wrapper block or a quoted field)`;
  if (before !== null && p.end!.assumed !== before.end!.state) return `piece ${k} assumed a state (${p.end!.assumed}) the piece before did not end in (${before.end!.state})`;
  return null;
}

/**
 * Join the pieces into the working database after this thread wrote piece 0's rows: each later
 * piece's rows are copied from its scratch database (attached as `schema`) with shifted line
 * numbers as soon as it and the pieces before it are done, and the records left open at each cut
 * are written where a whole read would have written them. A string (why) when the pieces cannot
 * be joined exactly: the caller rolls back what was copied and reads the file whole.
 */
export async function joinPieces(
  db: DB,
  writer: Writer,
  parser: ParserDef,
  first: PieceResult,
  rest: { result: Promise<PieceResult | null>; schema: string }[],
  write: (row: Row) => void,
  onJoined: (k: number) => void = () => {},
): Promise<Joined | string> {
  // A parser or read error is reported as a whole read reports it: at its line, with what was read before.
  const firstWhy = unjoinable(first, 0, rest.length === 0, null);
  if (firstWhy) return firstWhy;
  const all = [first];
  const joined: Joined = {
    lines: first.lines, records: first.records, recordLines: first.recordLines, structural: new Map(first.structural),
    quarantined: [...first.quarantined, ...first.issues.map((i) => ({ line: i.lineNo, reason: i.reason, text: i.excerpt }))],
    notes: new Set(first.notes),
  };
  const carried = new Map<string, Carried>();
  for (const s of first.end!.states) carried.set(s.key, { sawPython: s.sawPython, open: s.open });
  const list = LOG_COLUMNS.map((c) => `"${c}"`).join(', ');
  const selectList = list.replace('"line_no"', '"line_no" + ?');
  let offset = first.lines;
  for (const [k, { result: pending, schema }] of rest.entries()) {
    const p = await pending;
    if (p === null) return `the worker of piece ${k + 1} failed`;
    const why = unjoinable(p, k + 1, k === rest.length - 1, all[all.length - 1]);
    if (why) return why;
    all.push(p);
    const placed: { at: number; lineNo: number; row: Row }[] = [];
    for (const f of p.firsts) {
      const c = carried.get(f.key);
      if (!c) continue;
      if (!f.clean || (c.sawPython && !f.python)) return `piece ${k + 1}: container ${f.key} goes on at line ${f.lineNo + offset} with a line that depends on what came before`;
      if (c.open) placed.push({ at: f.at, lineNo: f.lineNo, row: c.open });
      carried.delete(f.key);
    }
    placed.sort((a, b) => a.at - b.at || a.lineNo - b.lineNo);
    const copy = db.prepare(`INSERT INTO main.log_events (${list}) SELECT ${selectList} FROM ${schema}.log_events WHERE id > ? AND id <= ? ORDER BY id`);
    const total = (db.prepare(`SELECT COUNT(*) AS n FROM ${schema}.log_events`).get() as { n: number }).n;
    const dumped = p.tables.map(([original, columns]) => {
      const table = quoteIdent(`src_${sanitizeName(original)}`);
      return { original, columns, table, n: (db.prepare(`SELECT COUNT(*) AS n FROM ${schema}.${table}`).get() as { n: number }).n };
    });
    const stored = total + dumped.reduce((a, d) => a + d.n, 0);
    if (stored !== p.records) return `piece ${k + 1}: ${stored} rows stored, ${p.records} produced`;
    let done = 0;
    const copyTo = (upTo: number): void => {
      if (upTo <= done) return;
      writer.flush();
      copy.run(offset, done, upTo);
      done = upTo;
    };
    for (const x of placed) {
      copyTo(x.at);
      write(x.row);
      joined.records++;
      joined.recordLines += x.row.lines;
    }
    copyTo(total);
    // A dumped table's rows carry nothing across a cut (a piece joins only when none is open there): copied whole, in order.
    for (const d of dumped) {
      writer.ensureSrcColumns(d.original, d.columns);
      writer.flush();
      const cols = d.columns.map(quoteIdent).join(', ');
      db.prepare(`INSERT INTO main.${d.table} (file_id, line_no, line_count, ${cols}) SELECT file_id, line_no + ?, line_count, ${cols} FROM ${schema}.${d.table} ORDER BY _id`).run(offset);
    }
    faultPoint('pieces-join');
    writer.rowsWritten += p.records;
    for (const s of p.end!.states) carried.set(s.key, { sawPython: s.sawPython, open: s.open && shifted(s.open, offset) });
    joined.records += p.records;
    joined.recordLines += p.recordLines;
    for (const [k, n] of p.structural) joined.structural.set(k, (joined.structural.get(k) ?? 0) + n);
    for (const q of p.quarantined) joined.quarantined.push({ ...q, line: q.line + offset });
    for (const i of p.issues) joined.quarantined.push({ line: i.lineNo + offset, reason: i.reason, text: i.excerpt });
    for (const n of p.notes) joined.notes.add(n);
    writer.addHourly(p.hourly);
    offset += p.lines;
    onJoined(k + 1);
  }
  // End of file: what is still open is written in line order, as the end-of-file flush does.
  const open = [...carried.values()].filter((c) => c.open !== null).map((c) => c.open!);
  open.sort((a, b) => a.line - b.line);
  for (const row of open) {
    write(row);
    joined.records++;
    joined.recordLines += row.lines;
  }
  const tallies: Record<string, number> = {};
  for (const p of all) for (const [k, n] of Object.entries(p.end!.tallies)) tallies[k] = (tallies[k] ?? 0) + n;
  for (const n of parser.split!.notes(tallies, all[all.length - 1].end!.state)) joined.notes.add(n);
  joined.lines = offset;
  return joined;
}
