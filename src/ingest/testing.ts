import type { FileHead, Line } from '../bundle/types.js';
import type { ParserDef, Row, SplitEnd } from './define-parser.js';

/** Build a FileHead from in-memory text the way the bundle reader would (LF, CR stripped). */
export function headFromText(text: string, name = 'evidence.txt', maxBytes = 64 * 1024): FileHead {
  const normalized = text.replace(/\r\n/g, '\n');
  const complete = normalized.length <= maxBytes;
  const headText = complete ? normalized : normalized.slice(0, maxBytes);
  const lines = headText.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return {
    path: name,
    name: name.replace(/\.gz$/i, ''),
    text: headText,
    lines,
    encoding: 'utf8',
    binary: false,
    complete,
  };
}

export function splitLines(text: string): Line[] {
  const normalized = text.replace(/\r\n/g, '\n');
  const parts = normalized.split('\n');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((t, i) => ({ text: t, lineNo: i + 1 }));
}

export interface ParserRun {
  rows: Row[];
  structural: Record<string, number>;
  quarantined: { lineNo: number; reason: string; text: string }[];
  notes: string[];
  lines: number;
  /** lines - (record lines + structural + quarantined); must be 0. */
  unaccounted: number;
}

/** Run a parser over in-memory text and check nothing was lost. */
/** A parser's input over these lines of in-memory text, headed as the whole text. */
function inputOf(text: string, name: string, lines: Line[]) {
  return {
    path: name,
    name: name.replace(/\.gz$/i, ''),
    head: headFromText(text, name),
    async *lines() {
      for (const l of lines) yield l;
    },
  };
}

/** A parse context that collects what the parser reports into `run`. */
function collectInto(run: Pick<ParserRun, 'structural' | 'quarantined' | 'notes'>) {
  return {
    structural(counter: string, count = 1) {
      run.structural[counter] = (run.structural[counter] ?? 0) + count;
    },
    quarantine(lineNo: number, reason: string, t: string) {
      run.quarantined.push({ lineNo, reason, text: t });
    },
    note(m: string) {
      run.notes.push(m);
    },
  };
}

export async function runParser(parser: ParserDef, text: string, name = 'evidence.txt'): Promise<ParserRun> {
  const lines = splitLines(text);
  const got: Pick<ParserRun, 'structural' | 'quarantined' | 'notes'> = { structural: {}, quarantined: [], notes: [] };
  const rows: Row[] = [];
  for await (const item of parser.parse(inputOf(text, name, lines), collectInto(got))) {
    if (Array.isArray(item)) rows.push(...item);
    else rows.push(item);
  }
  const recordLines = rows.reduce((a, r) => a + r.lines, 0);
  const structuralLines = Object.values(got.structural).reduce((a, b) => a + b, 0);
  return {
    rows,
    ...got,
    lines: lines.length,
    unaccounted: lines.length - recordLines - structuralLines - got.quarantined.length,
  };
}

export interface PieceRun extends ParserRun {
  end: SplitEnd | null;
  /** The parser threw (the engine then reads the file whole). */
  error?: string;
}

/**
 * Run a parser over lines [from, to) (0-based) of in-memory text as one piece of a file cut at
 * line ends (src/ingest/split.ts): line numbers restart at 1, the head is the whole file's.
 */
export async function runPiece(parser: ParserDef, text: string, from: number, to: number, name = 'evidence.txt'): Promise<PieceRun> {
  const all = splitLines(text);
  const lines = all.slice(from, to).map((l, i) => ({ text: l.text, lineNo: i + 1 }));
  const run: PieceRun = { rows: [], structural: {}, quarantined: [], notes: [], lines: lines.length, unaccounted: 0, end: null };
  const input = inputOf(text, name, lines);
  const ctx = {
    ...collectInto(run),
    split: {
      first() {},
      end(e: SplitEnd) {
        run.end = e;
      },
      startsFile: from === 0,
      endsFile: to >= all.length,
    },
  };
  try {
    for await (const item of parser.parse(input, ctx)) {
      if (Array.isArray(item)) run.rows.push(...item);
      else run.rows.push(item);
    }
  } catch (e) {
    run.error = (e as Error).message;
  }
  return run;
}
