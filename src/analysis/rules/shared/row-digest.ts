import type { Evidence, RuleContext } from '../../define-rule.js';
import { logEvidence, spreadPicks } from '../../rule-kit.js';

/** What is read of a record: rule-kit's and shared/logs' records both are one. */
interface Row {
  file_id: number;
  line_no: number;
  ts: string | null;
}

/** How many of the first and of the last records are kept whole. */
export const EDGE = 3;

/**
 * What a rule needs of a list of log records it may not hold: a failure logged on every tick (a
 * feed dropping every trade while Redis is away) is a million records in a block. Kept: the count,
 * the first and last record, the first and last time, each record's file and line (8 bytes) for
 * spreadEvidence's picks, the first and last few records for sampleEvidence, and, per distinct
 * key (a host named), the first record giving it. Fed in the list's order, it answers as the list
 * would.
 */
export class RowDigest<R extends Row = Row> {
  n = 0;
  /** Times of the first and last records that have one. */
  firstTs: string | null = null;
  lastTs: string | null = null;
  timed = 0;
  private files = new Int32Array(64);
  private lines = new Int32Array(64);
  private readonly keyed: R[] = [];
  private readonly head: R[] = [];
  /** The last EDGE records, oldest first once rotated (see view). */
  private readonly tail: R[] = [];
  private readonly keys = new Set<string>();

  constructor(private readonly keyOf?: (r: R) => string | null) {}

  add(r: R): void {
    if (this.n === this.files.length) {
      const files = new Int32Array(this.n * 2);
      files.set(this.files);
      this.files = files;
      const lines = new Int32Array(this.n * 2);
      lines.set(this.lines);
      this.lines = lines;
    }
    this.files[this.n] = r.file_id;
    this.lines[this.n] = r.line_no;
    if (this.head.length < EDGE) this.head.push(r);
    else {
      if (this.tail.length === EDGE) this.tail.shift();
      this.tail.push(r);
    }
    this.n++;
    if (r.ts) {
      this.firstTs ??= r.ts;
      this.lastTs = r.ts;
      this.timed++;
    }
    const key = this.keyOf?.(r);
    if (key != null && !this.keys.has(key)) {
      this.keys.add(key);
      if (this.n > 1) this.keyed.push(r);
    }
  }

  get first(): R | null {
    return this.head[0] ?? null;
  }

  get last(): R | null {
    return this.tail.at(-1) ?? this.head.at(-1) ?? null;
  }

  /** spreadEvidence(ctx, list, max) of the list fed in. */
  spread(ctx: RuleContext, max = 3): Evidence[] {
    return spreadPicks(this.n, max).map((i) => logEvidence(ctx, { file_id: this.files[i], line_no: this.lines[i] }));
  }

  /**
   * The first and the last EDGE records, in the list's order: sampleEvidence(ctx, view, first,
   * last) equals sampleEvidence(ctx, list, first, last) for first and last up to EDGE.
   */
  view(): R[] {
    return [...this.head, ...this.tail];
  }

  /**
   * The first record and the first record of each distinct key, in the list's order: a
   * stand-in for the list wherever only its first record and its distinct keys count.
   */
  representatives(): R[] {
    return this.n ? [this.head[0], ...this.keyed] : [];
  }
}
