import type { Evidence, RuleContext } from '../../define-rule.js';
import { logEvidence, spreadPicks, type LogRow } from '../../rule-kit.js';

/**
 * What a rule needs of a list of log records it may not hold: a failure logged on every tick (a
 * feed dropping every trade while Redis is away) is a million records in a block. Kept: the count,
 * the first and last record, the first and last time, each record's file and line (8 bytes) for
 * spreadEvidence's picks, and, per distinct key (a host named), the first record giving it.
 * Fed in the list's order, it answers as the list would.
 */
export class RowDigest {
  n = 0;
  first: LogRow | null = null;
  last: LogRow | null = null;
  /** Times of the first and last records that have one. */
  firstTs: string | null = null;
  lastTs: string | null = null;
  timed = 0;
  private files = new Int32Array(64);
  private lines = new Int32Array(64);
  private readonly keyed: LogRow[] = [];
  private readonly keys = new Set<string>();

  constructor(private readonly keyOf?: (r: LogRow) => string | null) {}

  add(r: LogRow): void {
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
    this.n++;
    this.first ??= r;
    this.last = r;
    if (r.ts) {
      this.firstTs ??= r.ts;
      this.lastTs = r.ts;
      this.timed++;
    }
    const key = this.keyOf?.(r);
    if (key != null && !this.keys.has(key)) {
      this.keys.add(key);
      if (r !== this.first) this.keyed.push(r);
    }
  }

  /** spreadEvidence(ctx, list, max) of the list fed in. */
  spread(ctx: RuleContext, max = 3): Evidence[] {
    return spreadPicks(this.n, max).map((i) => logEvidence(ctx, { file_id: this.files[i], line_no: this.lines[i] }));
  }

  /**
   * The first record and the first record of each distinct key, in the list's order: a
   * stand-in for the list wherever only its first record and its distinct keys count.
   */
  representatives(): LogRow[] {
    return this.first ? [this.first, ...this.keyed] : [];
  }
}
