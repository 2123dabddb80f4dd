import type { Evidence, Likelihood, RuleContext, Status } from '../../define-rule.js';

/** Small helpers the layer rules share: time arithmetic, status/likelihood ordering, evidence sampling. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface Span {
  from: string;
  to: string;
}

export function ms(iso: string): number {
  return Date.parse(iso);
}

export function iso(msValue: number): string {
  return new Date(msValue).toISOString();
}

export function spanHours(s: Span | null | undefined): number {
  if (!s) return 0;
  return Math.max(0, ms(s.to) - ms(s.from)) / HOUR_MS;
}

/** The overlap of two spans, or null when they do not overlap. */
export function intersect(a: Span | null | undefined, b: Span | null | undefined): Span | null {
  if (!a || !b) return null;
  const f = Math.max(ms(a.from), ms(b.from));
  const t = Math.min(ms(a.to), ms(b.to));
  return f <= t ? { from: iso(f), to: iso(t) } : null;
}

/** The smallest span holding every given span (a hull, not a union: gaps inside are not seen). */
export function hull(...spans: (Span | null | undefined)[]): Span | null {
  const present = spans.filter((s): s is Span => !!s);
  if (present.length === 0) return null;
  return {
    from: iso(Math.min(...present.map((s) => ms(s.from)))),
    to: iso(Math.max(...present.map((s) => ms(s.to)))),
  };
}

export function blockSpan(ctx: RuleContext): Span {
  return { from: ctx.block.from, to: ctx.block.to };
}

export function blockHours(ctx: RuleContext): number {
  return spanHours(blockSpan(ctx));
}

/** UTC day of an ISO time. */
export function dayOf(isoText: string): string {
  return isoText.slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return iso(ms(`${day}T00:00:00.000Z`) + n * DAY_MS).slice(0, 10);
}

export function dayStart(day: string): string {
  return `${day}T00:00:00.000Z`;
}

export function dayEnd(day: string): string {
  return `${day}T23:59:59.999Z`;
}

const STATUS_RANK: Record<Status, number> = { not_evaluable: 0, ok: 1, warn: 2, fail: 3 };

/** The worse of statuses; `not_evaluable` only wins when nothing was evaluated. */
export function worst(...statuses: Status[]): Status {
  let s: Status = 'not_evaluable';
  for (const x of statuses) if (STATUS_RANK[x] > STATUS_RANK[s]) s = x;
  return s;
}

const LIKELIHOOD_RANK: Record<Likelihood, number> = { unlikely: 0, possible: 1, likely: 2, very_likely: 3 };

/** Lower a likelihood by `steps` (never below `unlikely`). */
export function weaken(l: Likelihood, steps = 1): Likelihood {
  const order: Likelihood[] = ['unlikely', 'possible', 'likely', 'very_likely'];
  return order[Math.max(0, LIKELIHOOD_RANK[l] - steps)];
}

export interface EvidenceRow {
  file_id: number | null;
  line_no: number | null;
  text?: string;
}

/**
 * A few evidence pointers out of many rows: the first ones and the last one, so the reader sees
 * where a pattern starts and that it is still going at the end.
 */
/**
 * A count and the first `first` and last `last` items of a stream, in order: all that
 * sampleEvidence needs, without holding every row of a multi-GB block in memory.
 */
export class Tally<T> {
  count = 0;
  private readonly head: T[] = [];
  private readonly tail: T[] = [];

  constructor(
    private readonly first = 2,
    private readonly last = 2,
  ) {}

  add(x: T): void {
    this.count++;
    if (this.head.length < this.first) this.head.push(x);
    else {
      this.tail.push(x);
      if (this.tail.length > this.last) this.tail.shift();
    }
  }

  /** The kept items in stream order; every item when there were no more than first + last. */
  get sample(): T[] {
    return [...this.head, ...this.tail];
  }
}

export function sampleEvidence(ctx: RuleContext, rows: EvidenceRow[], first = 2, last = 1): Evidence[] {
  const picked: EvidenceRow[] = [];
  const seen = new Set<string>();
  const add = (r: EvidenceRow | undefined) => {
    if (!r) return;
    const k = `${r.file_id}:${r.line_no}`;
    if (seen.has(k)) return;
    seen.add(k);
    picked.push(r);
  };
  rows.slice(0, first).forEach(add);
  rows.slice(Math.max(0, rows.length - last)).forEach(add);
  return picked.map((r) => ctx.evidence(r.file_id, r.line_no, r.text));
}

export function pct(part: number, whole: number): number | null {
  if (!whole) return null;
  return Math.round((part / whole) * 10_000) / 100;
}

export function round(n: number | null | undefined, digits = 2): number | null {
  if (n == null || !Number.isFinite(n)) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Escape text for use inside a JS regex source (verification log checks). */
export function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function count(ctx: RuleContext, sql: string, ...params: (string | number | null)[]): number {
  const r = ctx.db.prepare(sql).get(...params) as Record<string, number | null> | undefined;
  if (!r) return 0;
  const v = Object.values(r)[0];
  return typeof v === 'number' ? v : 0;
}

export interface SqlPart {
  sql: string;
  params: string[];
}

/**
 * Log records inside the block. By time, so the (class, ts) index applies beside a class; a record the model
 * builder marked outside the block (in_block = 0) stays out, one it has not marked yet counts by time.
 */
export function logWindow(ctx: RuleContext, span: Span = blockSpan(ctx), honourInBlock = true): SqlPart {
  return { sql: `ts >= ? AND ts <= ?${honourInBlock ? ' AND COALESCE(in_block, 1) = 1' : ''}`, params: [span.from, span.to] };
}

/**
 * Redis rows inside the block. SUBSCRIBE captures carry no clock, so their time is the payload's;
 * the model builder's in_block wins where it has set it.
 */
export function redisWindow(ctx: RuleContext): SqlPart {
  return {
    sql: '(in_block = 1 OR (in_block IS NULL AND COALESCE(ts, payload_ts) >= ? AND COALESCE(ts, payload_ts) <= ?))',
    params: [ctx.block.from, ctx.block.to],
  };
}

/** Rows grouped by a key, in first-seen order (push, not spread: groups can hold 10^5 ticks). */
export function groupBy<T, K>(rows: Iterable<T>, key: (r: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const g = m.get(k);
    if (g) g.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** Min and max of many numbers (spreading 10^5 values into Math.min overflows the call stack). */
export function extent(values: number[]): [number, number] | null {
  if (!values.length) return null;
  let lo = values[0];
  let hi = values[0];
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
