/** How far apart (ms) the db_writer twin and the execution row of one order may be written. */
export const PAIR_WINDOW_MS = 2000;

export interface Dated {
  ms: number;
  symbol: string | null;
  side: string | null;
}

/**
 * Pair the db_writer twin with the execution row of the same order (§5.5): same symbol and
 * side, closest in time within PAIR_WINDOW_MS; among equally close rows the earlier one (then the
 * one listed first). Twins are served in the order given, each row pairs at most once. Returns
 * the execution index paired with each twin index.
 *
 * Each twin looks only at the nearest unpaired row on either side of its time, in the rows of its
 * symbol and side: a dump of 500,000 trades pairs in a second, where trying every row against
 * every twin took hours.
 */
export function pairTwins<T extends Dated>(twins: T[], primaries: T[]): Map<number, number> {
  const groups = new Map<string, Group>();
  primaries.forEach((p, i) => {
    if (Number.isNaN(p.ms)) return;
    const key = keyOf(p.symbol, p.side);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { idx: [], ms: [], next: [], prev: [] }));
    g.idx.push(i);
  });
  for (const g of groups.values()) {
    g.idx.sort((a, b) => primaries[a].ms - primaries[b].ms || a - b);
    g.ms = g.idx.map((i) => primaries[i].ms);
    // Free-slot finders with path compression: next[k] leads to the first unpaired slot ≥ k
    // (length: none), prev[k + 1] to the last unpaired slot ≤ k (0: none; shifted by one).
    g.next = Array.from({ length: g.idx.length + 1 }, (_, k) => k);
    g.prev = Array.from({ length: g.idx.length + 1 }, (_, k) => k);
  }
  const pairs = new Map<number, number>();
  twins.forEach((t, ti) => {
    if (Number.isNaN(t.ms)) return;
    const g = groups.get(keyOf(t.symbol, t.side));
    if (!g) return;
    const at = firstAbove(g.ms, t.ms);
    const r = find(g.next, at);
    const dR = r < g.idx.length ? g.ms[r] - t.ms : Infinity;
    const l = find(g.prev, at) - 1;
    let pick = -1;
    if (l >= 0 && t.ms - g.ms[l] <= dR) {
      // The first unpaired slot of that same time: the earliest-listed of the equally close rows.
      if (t.ms - g.ms[l] <= PAIR_WINDOW_MS) pick = find(g.next, firstAbove(g.ms, g.ms[l]));
    } else if (dR <= PAIR_WINDOW_MS) pick = r;
    if (pick < 0) return;
    pairs.set(ti, g.idx[pick]);
    g.next[pick] = pick + 1;
    g.prev[pick + 1] = pick;
  });
  return pairs;
}

interface Group {
  /** Primary indexes of one symbol and side, by time then index. */
  idx: number[];
  ms: number[];
  next: number[];
  prev: number[];
}

/** The group of a row: its symbol and side (null apart from any text). */
export function keyOf(symbol: string | null, side: string | null): string {
  return `${symbol ?? '\u0000'}\u0001${side ?? '\u0000'}`;
}

/** The first index whose value is ≥ v (orEqual: > v) in an ascending array. */
export function firstAbove(a: number[], v: number, orEqual = false): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v || (orEqual && a[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function find(link: number[], k: number): number {
  let root = k;
  while (link[root] !== root) root = link[root];
  while (link[k] !== root) {
    const up = link[k];
    link[k] = root;
    k = up;
  }
  return root;
}
