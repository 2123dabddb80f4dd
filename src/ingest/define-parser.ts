import type { FileHead, Line } from '../bundle/types.js';

/**
 * Evidence kinds, used to order ingest (config first, so learned secrets are redacted
 * everywhere after) and to group the manifest.
 */
export type EvidenceKind = 'config' | 'container-log' | 'db-dump' | 'redis' | 'report' | 'containers';

/** A sniff verdict: 0 = not mine, 100 = certainly mine. `reason` is shown by `detect`. */
export interface SniffResult {
  confidence: number;
  reason: string;
}

/**
 * One row of evidence. `line` is the first physical line (1-based) of the record and `lines`
 * how many physical lines it spans, so the engine can check that every line is accounted for.
 *
 * `table` is one of the raw evidence tables in src/db/schema.ts (`log_events`, `redis_messages`,
 * `redis_info`, `redis_kv`, `daily_report_values`, `containers`, `settings`, `service_status`),
 * or `src:<table>` for a dumped database table, whose values are the dump's own columns
 * (text or null) and which the writer stores in `src_<table>`.
 */
export interface Row {
  table: string;
  line: number;
  lines: number;
  values: Record<string, string | number | null | undefined>;
}

export interface ParseContext {
  /** Count `count` lines as structural under a named counter (header, separator, protocol line...). */
  structural(counter: string, count?: number): void;
  /** Refuse one line with a reason the analyst can act on; the excerpt is shortened by the engine. */
  quarantine(lineNo: number, reason: string, text: string): void;
  /** A note about the file as a whole (shown in the manifest), e.g. "service taken from file name". */
  note(message: string): void;
  /**
   * A dumped table's columns, even when no row follows: an exported but empty `trades` table is
   * evidence of zero trades, not missing evidence.
   */
  declareTable?(table: string, columns: string[]): void;
  /**
   * Set when the parser reads one piece of a file cut at line ends (src/ingest/split.ts), and only
   * for parsers that declare `split`. The parser then keeps the records still open at the end of
   * the piece instead of writing them, and says where each record stream (container) began, so the
   * pieces can be joined exactly as one read of the whole file would have given them.
   */
  split?: SplitHooks;
}

/** What a piece's parse tells the merge (src/ingest/split.ts). */
export interface SplitHooks {
  /**
   * The first line of record stream `key` in this piece. `at`: rows the parser had produced before
   * it. `clean`: the line starts a record whatever was open before it. `python`: it is a Python
   * logging header (the stream's mode depends on having seen one).
   */
  first(key: string, lineNo: number, at: number, clean: boolean, python: boolean): void;
  /** End of the piece (instead of the end-of-file flush). */
  end(end: SplitEnd): void;
  /** The piece starts where the file starts: the parser learns its file-wide state (a CSV header) itself. */
  startsFile: boolean;
  /** The piece ends where the file ends: a parser with nothing to carry across a cut flushes as at the end of a file. */
  endsFile: boolean;
}

export interface SplitEnd {
  /** Every stream seen in the piece, in first-seen order, with its open record (not produced). */
  states: { key: string; sawPython: boolean; open: Row | null }[];
  /** The parser's own line state is what it is at the start of a file. */
  fresh: boolean;
  /** The joiner dropped a stream's state to bound memory: the piece cannot be joined exactly. */
  evicted: boolean;
  /** Counts the file's closing notes are made of (summed over the pieces). */
  tallies: Record<string, number>;
  /**
   * What the parser knows at the end of the piece besides its records (a CSV header), and what it
   * assumed it knew at the start: a piece joins only when it assumed what the piece before ended with.
   */
  state?: string;
  assumed?: string;
}

export interface ParseInput {
  path: string;
  name: string;
  head: FileHead;
  /** Decoded lines. Lines the decoder refused (NUL bytes, invalid UTF-8, over-long) are not delivered; the engine has already quarantined them. */
  lines(): AsyncIterable<Line>;
}

export interface ParserDef {
  /** Equals the file name under src/ingest/parsers/. */
  id: string;
  title: string;
  /** Bump when the rows a parser yields change: files parsed by an older version are re-parsed. */
  version: number;
  kind: EvidenceKind;
  /** Tables this parser writes (for documentation and re-ingest cleanup). */
  tables: string[];
  /** Higher wins a tie between equal sniff confidences: more specific formats first (as lnav does). */
  specificity: number;
  claims: {
    /** Pre-filter on the file's base name (without `.gz`); absent = every file is a candidate. Never decisive. */
    names?: RegExp[];
    sniff(head: FileHead): SniffResult | null;
  };
  /**
   * Rows in file order. A parser may yield a batch (an array) instead of one row: an async
   * generator pays a promise per yield, which shows at millions of rows (see BATCH_ROWS).
   */
  parse(input: ParseInput, ctx: ParseContext): AsyncIterable<Row | Row[]>;
  /**
   * The parser can read a large file in pieces on several threads (it honours `ctx.split`);
   * `notes` makes the notes it would write at the end of the file from the pieces' summed tallies
   * and the last piece's `state`.
   */
  split?: {
    notes(tallies: Record<string, number>, state: string | undefined): string[];
    /**
     * Copying one of its pieces into the working database costs this much of parsing that piece
     * (CPU, measured on the bench's files): it sizes the pieces so that the join, which only the
     * reading thread can do, overlaps the workers' parsing (`pieceWeights` in split.ts).
     */
    joinCost: number;
  };
}

/** How many rows the line-oriented parsers collect before yielding them as one batch. */
export const BATCH_ROWS = 256;

/**
 * Drive a reader that turns each line into zero or more rows (and flushes at the end of the
 * file), yielding its rows in batches of about BATCH_ROWS.
 */
export async function* batchedRows(lines: AsyncIterable<Line>, feed: (line: Line) => Iterable<Row>, end: () => Iterable<Row>): AsyncGenerator<Row[]> {
  let out: Row[] = [];
  for await (const line of lines) {
    for (const row of feed(line)) out.push(row);
    if (out.length >= BATCH_ROWS) {
      yield out;
      out = [];
    }
  }
  for (const row of end()) out.push(row);
  yield out;
}

export function defineParser(def: ParserDef): ParserDef {
  if (!/^[a-z0-9-]+$/.test(def.id)) throw new Error(`parser id must be kebab-case: ${def.id}`);
  return def;
}
