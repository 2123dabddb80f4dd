import type { FileHead, Line } from '../bundle/types.js';
import type { ParserDef, Row } from './define-parser.js';

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
export async function runParser(parser: ParserDef, text: string, name = 'evidence.txt'): Promise<ParserRun> {
  const lines = splitLines(text);
  const structural: Record<string, number> = {};
  const quarantined: ParserRun['quarantined'] = [];
  const notes: string[] = [];
  const rows: Row[] = [];
  const input = {
    path: name,
    name: name.replace(/\.gz$/i, ''),
    head: headFromText(text, name),
    async *lines() {
      for (const l of lines) yield l;
    },
  };
  const ctx = {
    structural(counter: string, count = 1) {
      structural[counter] = (structural[counter] ?? 0) + count;
    },
    quarantine(lineNo: number, reason: string, t: string) {
      quarantined.push({ lineNo, reason, text: t });
    },
    note(m: string) {
      notes.push(m);
    },
  };
  for await (const item of parser.parse(input, ctx)) {
    if (Array.isArray(item)) rows.push(...item);
    else rows.push(item);
  }
  const recordLines = rows.reduce((a, r) => a + r.lines, 0);
  const structuralLines = Object.values(structural).reduce((a, b) => a + b, 0);
  return {
    rows,
    structural,
    quarantined,
    notes,
    lines: lines.length,
    unaccounted: lines.length - recordLines - structuralLines - quarantined.length,
  };
}
