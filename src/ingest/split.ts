/**
 * One large log read on several threads. The file is cut into pieces at line ends; this thread
 * parses the first piece straight into the working database while worker threads parse the others
 * into scratch databases of their own (handing rows between threads costs more than inserting
 * them, see parallel.ts), and the pieces are then joined in file order.
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
import type { HourlyGroup, Writer } from '../db/writer.js';
import type { ParseContext, ParseInput, ParserDef, Row, SplitEnd } from './define-parser.js';
import { faultPoint } from '../util/fault.js';

/** Pieces smaller than this are not worth a thread's start-up and the merge. */
export const SPLIT_MIN_PIECE_BYTES = 32 * 1024 * 1024;

/** The first piece's size against the others' (measured: joining a piece costs ~0.2 of parsing it). */
const FIRST_PIECE_WEIGHT = 0.8;

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

/**
 * Byte offsets [0, c1, …, size] cutting the file into up to `threads` pieces of about equal size,
 * each cut just after a line feed; fewer pieces when a line end cannot be found near a cut.
 */
export async function cutPoints(abs: string, size: number, threads: number): Promise<number[]> {
  const n = Math.max(1, Math.min(threads, Math.floor(size / minPieceBytes())));
  // This thread also hashes the whole file and copies the other pieces in: it gets a smaller piece.
  const weights = Array.from({ length: n }, (_, i) => (i === 0 ? FIRST_PIECE_WEIGHT : 1));
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
  return cuts;
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
  /** Rows the parser wrote to a table other than log_events (the merge copies log_events only). */
  otherRows: number;
}

/** Parse one piece; `write` stores each row. A database error is thrown, a parser error reported. */
export async function parsePiece(
  parser: ParserDef,
  input: ParseInput,
  finish: () => Promise<{ lines: number; error?: string }>,
  issues: DecodeIssue[],
  write: (row: Row) => void,
): Promise<PieceResult> {
  const firsts: FirstLine[] = [];
  let end: SplitEnd | null = null;
  let records = 0;
  let recordLines = 0;
  let otherRows = 0;
  const { ctx, structural, quarantined, notes } = collectingContext({
    split: {
      first(key, lineNo, at, clean, python) {
        firsts.push({ key, lineNo, at, clean, python });
      },
      end(e) {
        end = e;
      },
    },
  });
  const take = (row: Row): void => {
    if (row.table !== 'log_events') otherRows++;
    write(row);
    records++;
    recordLines += row.lines;
  };
  const parseError = await runParser(parser, input, ctx, take);
  const res = await finish();
  return {
    lines: res.lines, readError: res.error, parseError, issues: [...issues], quarantined, structural: [...structural], notes: [...notes],
    records, recordLines, firsts, end, hourly: [], otherRows,
  };
}

/** What a worker is given: one piece of one file. */
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
}

export type PieceMessage = { type: 'progress'; rows: number; bytes: number } | { type: 'done'; result: PieceResult } | { type: 'failed'; message: string };

export interface RunningPiece {
  done: Promise<PieceResult | null>;
  stop(): Promise<void>;
}

export function startPiece(input: PieceInput, onProgress: (rows: number, bytes: number) => void): RunningPiece {
  let worker: Worker | undefined;
  const done = new Promise<PieceResult | null>((resolveDone) => {
    let settled = false;
    const settle = (r: PieceResult | null): void => {
      if (!settled) resolveDone(r);
      settled = true;
    };
    try {
      worker = new Worker(WORKER_URL, { workerData: input });
    } catch {
      settle(null);
      return;
    }
    worker.on('message', (m: PieceMessage) => {
      if (m.type === 'progress') onProgress(m.rows, m.bytes);
      else settle(m.type === 'done' ? m.result : null);
    });
    worker.on('error', () => settle(null));
    worker.on('exit', () => settle(null));
  });
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

function shifted(row: Row, by: number): Row {
  return by === 0 ? row : { ...row, line: row.line + by };
}

/**
 * Join the pieces into the working database after this thread wrote piece 0's rows: each later
 * piece's rows are copied from its scratch database (attached as `schemas[k]`) with shifted line
 * numbers, and the records left open at each cut are written where a whole read would have
 * written them. Returns null when the pieces cannot be joined exactly (the caller reads the file whole).
 */
export function joinPieces(
  db: DB,
  writer: Writer,
  parser: ParserDef,
  first: PieceResult,
  rest: { result: PieceResult; schema: string }[],
  write: (row: Row) => void,
): Joined | string {
  const all = [first, ...rest.map((r) => r.result)];
  // A parser or read error is reported as a whole read reports it: at its line, with what was read before.
  for (const [k, p] of all.entries()) {
    const why = p.parseError ?? p.readError ?? (p.end === null ? 'the parser did not end it' : p.end.evicted ? 'container states were evicted' : p.otherRows > 0 ? 'rows of other tables' : null);
    if (why) return `piece ${k}: ${why}`;
    if (k < all.length - 1 && !p.end!.fresh) return `piece ${k} ends inside a wrapper block`;
  }
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
  for (const [k, { result: p, schema }] of rest.entries()) {
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
    if (total !== p.records) return `piece ${k + 1}: ${total} rows stored, ${p.records} produced`;
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
  for (const n of parser.split!.notes(tallies)) joined.notes.add(n);
  joined.lines = offset;
  return joined;
}
