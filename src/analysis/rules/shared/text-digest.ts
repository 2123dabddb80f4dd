import type { Evidence, RuleContext } from '../../define-rule.js';
import { logAt, logEvidence, logNth, logTextGroups, spreadPicks, type LogQuery, type LogRow, type LogTextGroup } from '../../rule-kit.js';

/** Above this many (service, text) groups the records are read one by one (RowDigest). */
export const MAX_TEXT_GROUPS = 64;

/** What market-data-flow asks of the records it digests: RowDigest answers it, and TextDigest without reading them. */
export interface LogDigest {
  readonly n: number;
  /** spreadEvidence of the records, at most two: the first and the last. */
  spread(ctx: RuleContext, max: 1 | 2): Evidence[];
  /** The first record and the first record of each distinct key, in eachLog's order (RowDigest.representatives). */
  representatives(): LogRow[];
}

/** SQLite's order of texts (BINARY: UTF-8 bytes), which `<` on UTF-16 strings is not for every character. */
function cmpBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** eachLog's order: timed records by time, then untimed; ties by file, line and id. */
function cmpRows(a: LogRow, b: LogRow): number {
  if ((a.ts === null) !== (b.ts === null)) return a.ts === null ? 1 : -1;
  return (a.ts !== null && b.ts !== null ? cmpBytes(a.ts, b.ts) : 0) || a.file_id - b.file_id || a.line_no - b.line_no || a.id - b.id;
}

/**
 * RowDigest's answers for eachLog(q) — the count, the first and last records, the first record
 * of each key — without reading every record: a failure logged on every tick is a million
 * records of a handful of texts. SQLite counts the records per service and text with their first
 * and last time; the edges are then index probes at those times (`logAt`). Null when the records
 * hold more than MAX_TEXT_GROUPS groups (texts carrying a payload): read them.
 */
export class TextDigest implements LogDigest {
  readonly n: number;
  /** The services of the records (null: none named), sorted. */
  readonly services: (string | null)[];
  readonly first: LogRow | null;
  readonly last: LogRow | null;
  /** How many records have a time, and the first and last of those times (RowDigest's). */
  readonly timed: number;
  readonly firstTs: string | null;
  readonly lastTs: string | null;
  private readonly reps: LogRow[];

  private constructor(ctx: RuleContext, private readonly q: Omit<LogQuery, 're'>, groups: LogTextGroup[], keyOf?: (message: string) => string | null) {
    this.n = groups.reduce((a, g) => a + g.n, 0);
    this.timed = groups.reduce((a, g) => a + g.timed, 0);
    this.firstTs = groups.flatMap((g) => g.firstTs ?? []).sort(cmpBytes)[0] ?? null;
    this.lastTs = groups.flatMap((g) => g.lastTs ?? []).sort(cmpBytes).at(-1) ?? null;
    this.services = [...new Set(groups.map((g) => g.service))].sort((a, b) => (a === null ? -1 : b === null ? 1 : cmpBytes(a, b)));
    this.first = edge(ctx, q, groups, 'first');
    this.last = edge(ctx, q, groups, 'last');
    this.reps = this.first ? [this.first] : [];
    if (!keyOf || !this.first) return;
    const byKey = new Map<string, LogTextGroup[]>();
    for (const g of groups) {
      const k = keyOf(g.message);
      if (k === null) continue;
      let gs = byKey.get(k);
      if (!gs) byKey.set(k, (gs = []));
      gs.push(g);
    }
    // The first record's own key is no new one (RowDigest keeps a key's first record only after the first).
    const own = keyOf(this.first.message);
    if (own !== null) byKey.delete(own);
    const keyed = [...byKey.values()].map((gs) => edge(ctx, { ...q, messages: [...new Set(gs.map((g) => g.message))] }, gs, 'first')!);
    this.reps.push(...keyed.sort(cmpRows));
  }

  static of(ctx: RuleContext, q: Omit<LogQuery, 're' | 'messages'>, keyOf?: (message: string) => string | null): TextDigest | null {
    const groups = logTextGroups(ctx, q, MAX_TEXT_GROUPS);
    return groups ? new TextDigest(ctx, q, groups, keyOf) : null;
  }

  /**
   * The digest of groups the caller counted itself (eachLogClassTextGroup): they must be every
   * (service, text) group of eachLog(q)'s records, q naming their services and texts.
   */
  static ofGroups(ctx: RuleContext, q: Omit<LogQuery, 're'>, groups: LogTextGroup[], keyOf?: (message: string) => string | null): TextDigest {
    return new TextDigest(ctx, q, groups, keyOf);
  }

  /** spreadEvidence of the records: a record between the edges is found by its rank (logNth). */
  spread(ctx: RuleContext, max = 3): Evidence[] {
    return spreadPicks(this.n, max).map((i) => logEvidence(ctx, i === 0 ? this.first! : i === this.n - 1 ? this.last! : logNth(ctx, this.q, i, this.timed)!));
  }

  representatives(): LogRow[] {
    return this.reps;
  }
}

/**
 * The first or last of the groups' records: the first is at the earliest time (untimed records
 * only when none has a time), the last among the untimed when any has none, else at the latest time.
 */
function edge(ctx: RuleContext, q: Omit<LogQuery, 're'>, groups: LogTextGroup[], end: 'first' | 'last'): LogRow | null {
  if (!groups.length) return null;
  const times = groups.flatMap((g) => (end === 'first' ? g.firstTs : g.lastTs) ?? []).sort(cmpBytes);
  const untimed = groups.some((g) => g.timed < g.n);
  const ts = end === 'first' ? (times[0] ?? null) : untimed ? null : times[times.length - 1];
  return logAt(ctx, q, ts, end);
}
