/**
 * Splits a stream of lines into top-level JSON values with their physical line spans, for files
 * that hold one object per line (compose ps --format json), one array of objects (older compose,
 * docker inspect, pretty-printed over many lines) or a few concatenated objects (/status captures).
 *
 * Line ownership for the accounting rule: a physical line belongs to the first element that touches
 * it; an element that starts on a line already owned (`}, {` on one line, or a compact one-line
 * array) owns only the lines after it (`ownLines` may be 0). Lines touched by no element are
 * reported as `punctuation` (only `[`, `]`, `,`, whitespace) or `text` (anything else).
 */
import type { Line } from '../../bundle/types.js';

export type JsonScanEvent =
  | { type: 'element'; value: unknown; startLine: number; endLine: number; ownLines: number; lines: Line[] }
  /** A value that did not parse; `owned` are its lines not owned by an earlier element (quarantine them). */
  | { type: 'invalid'; startLine: number; reason: string; owned: Line[] }
  | { type: 'punctuation'; line: Line }
  | { type: 'text'; line: Line }
  /** Non-JSON text after an element on a line that element owns; the line is accounted, the text is not used. */
  | { type: 'trailing'; line: Line; text: string };

interface Current {
  startLine: number;
  baseDepth: number;
  chunks: string[];
  lines: Line[];
}

export class JsonElementScanner {
  private depth = 0;
  private wrapper = false;
  private inString = false;
  private escaped = false;
  private cur: Current | null = null;
  private lastOwned = 0;

  push(line: Line): JsonScanEvent[] {
    const events: JsonScanEvent[] = [];
    const t = line.text;
    let touched = false;
    let segStart = 0;
    let garbage: string | null = null;
    if (this.cur) {
      this.cur.lines.push(line);
      touched = true;
    }
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (this.cur) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === '\\') this.escaped = true;
          else if (c === '"') this.inString = false;
          continue;
        }
        if (c === '"') this.inString = true;
        else if (c === '{' || c === '[') this.depth++;
        else if (c === '}' || c === ']') {
          this.depth--;
          if (this.depth === this.cur.baseDepth) {
            this.cur.chunks.push(t.slice(segStart, i + 1));
            events.push(this.finish(line.lineNo));
          }
        }
        continue;
      }
      if (c === ' ' || c === '\t' || c === ',' || c === '\uFEFF') continue;
      if (c === '[' && this.depth === 0 && !this.wrapper) {
        this.wrapper = true;
        this.depth = 1;
        continue;
      }
      if (c === ']' && this.wrapper && this.depth === 1) {
        this.wrapper = false;
        this.depth = 0;
        continue;
      }
      if (c === '{' || (c === '[' && this.wrapper)) {
        this.cur = { startLine: line.lineNo, baseDepth: this.depth, chunks: [], lines: [line] };
        this.depth++;
        segStart = i;
        touched = true;
        continue;
      }
      garbage = t.slice(i);
      break;
    }
    if (this.cur) this.cur.chunks.push(t.slice(segStart));
    if (!touched) {
      if (line.lineNo > this.lastOwned) {
        events.push(garbage === null ? { type: 'punctuation', line } : { type: 'text', line });
        this.lastOwned = line.lineNo;
      }
    } else if (garbage !== null) {
      events.push({ type: 'trailing', line, text: garbage });
    }
    return events;
  }

  /** Call once after the last line: an element still open is truncated. */
  end(): JsonScanEvent[] {
    if (!this.cur) return [];
    const cur = this.cur;
    this.cur = null;
    const owned = cur.lines.filter((l) => l.lineNo > this.lastOwned);
    this.lastOwned = cur.lines[cur.lines.length - 1].lineNo;
    return [
      {
        type: 'invalid',
        startLine: cur.startLine,
        reason: `JSON value opened at line ${cur.startLine} is never closed (file truncated?)`,
        owned,
      },
    ];
  }

  private finish(endLine: number): JsonScanEvent {
    const cur = this.cur!;
    this.cur = null;
    const ownStart = Math.max(cur.startLine, this.lastOwned + 1);
    const ownLines = Math.max(0, endLine - ownStart + 1);
    this.lastOwned = Math.max(this.lastOwned, endLine);
    const text = cur.chunks.join('\n');
    try {
      return { type: 'element', value: JSON.parse(text), startLine: cur.startLine, endLine, ownLines, lines: cur.lines };
    } catch (e) {
      return {
        type: 'invalid',
        startLine: cur.startLine,
        reason: `JSON value at lines ${cur.startLine}-${endLine} does not parse: ${(e as Error).message}`,
        owned: cur.lines.filter((l) => l.lineNo >= ownStart),
      };
    }
  }
}

/** First line (at or after `from`) whose text contains `needle`; `fallback` when none does. */
export function findLineNo(lines: readonly Line[], needle: string, fallback: number, from = 0): number {
  for (const l of lines) if (l.lineNo >= from && l.text.includes(needle)) return l.lineNo;
  return fallback;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
