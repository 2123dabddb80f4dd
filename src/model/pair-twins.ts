/** How far apart (ms) the db_writer twin and the execution row of one order may be written. */
export const PAIR_WINDOW_MS = 2000;

export interface Dated {
  ms: number;
  symbol: string | null;
  side: string | null;
}

/** A row's part in the pairing (pairTwinRows). */
export const NOT_PAIRED = 0;
export const PRIMARY = 1;
export const TWIN = 2;

/**
 * Pair the db_writer twin with the execution row of the same order (§5.5): same symbol and
 * side, closest in time within PAIR_WINDOW_MS; among equally close rows the earlier one (then the
 * one listed first). Twins are served in the order given, each row pairs at most once. Returns
 * the execution index paired with each twin index.
 */
export function pairTwins<T extends Dated>(twins: T[], primaries: T[]): Map<number, number> {
  // One list: the primaries first, then the twins, each in the order given.
  const n = primaries.length + twins.length;
  const ms = new Float64Array(n);
  const group = new Int32Array(n);
  const role = new Uint8Array(n);
  const groups = new GroupIds();
  const put = (d: Dated, k: number, r: number): void => {
    ms[k] = d.ms;
    group[k] = groups.of(d.symbol, d.side);
    role[k] = r;
  };
  primaries.forEach((p, i) => put(p, i, PRIMARY));
  twins.forEach((t, i) => put(t, primaries.length + i, TWIN));
  const mate = pairTwinRows(n, ms, group, role);
  const pairs = new Map<number, number>();
  for (let k = primaries.length; k < n; k++) if (mate[k]) pairs.set(k - primaries.length, mate[k] - 1);
  return pairs;
}

/** Small integer ids for (symbol, side) groups, without a key string per row. */
export class GroupIds {
  private readonly bySymbol = new Map<string | null, Map<string | null, number>>();
  private n = 0;
  of(symbol: string | null, side: string | null): number {
    let bySide = this.bySymbol.get(symbol);
    if (!bySide) this.bySymbol.set(symbol, (bySide = new Map()));
    let id = bySide.get(side);
    if (id === undefined) bySide.set(side, (id = this.n++));
    return id;
  }
  /** The id of a group seen before, else -1. */
  known(symbol: string | null, side: string | null): number {
    return this.bySymbol.get(symbol)?.get(side) ?? -1;
  }
  get size(): number {
    return this.n;
  }
}

/**
 * pairTwins over one list of rows held in flat arrays (a dump of millions of rows: a few bytes
 * per row, no object each): row k has time ms[k], group[k] (its symbol and side, GroupIds) and
 * role[k] (PRIMARY: an execution row, TWIN: a db_writer twin, else neither). Twins are served in
 * list order; among equally close primaries the one listed first wins. Returns, per row, the row
 * it paired with plus one (0: none), for both rows of a pair.
 *
 * Each twin looks only at the nearest unpaired primary on either side of its time, in the rows of
 * its group: a dump of 500,000 trades pairs in a second, where trying every row against every twin
 * took hours.
 */
export function pairTwinRows(n: number, ms: Float64Array, group: Int32Array, role: Uint8Array): Int32Array {
  const mate = new Int32Array(n);
  let nGroups = 0;
  for (let k = 0; k < n; k++) if (group[k] >= nGroups) nGroups = group[k] + 1;
  // The primaries of each group side by side (a counting sort: list order within a group)...
  const start = new Int32Array(nGroups + 1);
  for (let k = 0; k < n; k++) if (role[k] === PRIMARY && !Number.isNaN(ms[k])) start[group[k] + 1]++;
  for (let g = 0; g < nGroups; g++) start[g + 1] += start[g];
  const np = start[nGroups];
  const idx = new Int32Array(np);
  const fill = start.slice(0, nGroups);
  for (let k = 0; k < n; k++) if (role[k] === PRIMARY && !Number.isNaN(ms[k])) idx[fill[group[k]]++] = k;
  // ...then by time, then list order. Free-slot finders with path compression, one slot more per
  // group than it has rows: next[k] leads to the first unpaired slot ≥ k (the last: none),
  // prev[k + 1] to the last unpaired slot ≤ k (0: none; shifted by one).
  const sortedMs = new Float64Array(np);
  const next = new Int32Array(np + nGroups);
  const prev = new Int32Array(np + nGroups);
  const views: (Group | undefined)[] = new Array(nGroups);
  for (let g = 0; g < nGroups; g++) {
    const s = start[g];
    const e = start[g + 1];
    if (s === e) continue;
    const gi = idx.subarray(s, e);
    gi.sort((a, b) => ms[a] - ms[b] || a - b);
    const gm = sortedMs.subarray(s, e);
    for (let j = 0; j < gi.length; j++) gm[j] = ms[gi[j]];
    const gn = next.subarray(s + g, e + g + 1);
    const gp = prev.subarray(s + g, e + g + 1);
    for (let j = 0; j < gn.length; j++) gn[j] = gp[j] = j;
    views[g] = { idx: gi, ms: gm, next: gn, prev: gp };
  }
  for (let k = 0; k < n; k++) {
    if (role[k] !== TWIN) continue;
    const t = ms[k];
    if (Number.isNaN(t)) continue;
    const g = views[group[k]];
    if (!g) continue;
    const at = firstAbove(g.ms, t);
    const r = find(g.next, at);
    const dR = r < g.idx.length ? g.ms[r] - t : Infinity;
    const l = find(g.prev, at) - 1;
    let pick = -1;
    if (l >= 0 && t - g.ms[l] <= dR) {
      // The first unpaired slot of that same time: the earliest-listed of the equally close rows.
      if (t - g.ms[l] <= PAIR_WINDOW_MS) pick = find(g.next, firstAbove(g.ms, g.ms[l]));
    } else if (dR <= PAIR_WINDOW_MS) pick = r;
    if (pick < 0) continue;
    mate[k] = g.idx[pick] + 1;
    mate[g.idx[pick]] = k + 1;
    g.next[pick] = pick + 1;
    g.prev[pick + 1] = pick;
  }
  return mate;
}

interface Group {
  /** Row indexes of the primaries of one symbol and side, by time then index. */
  idx: Int32Array;
  ms: Float64Array;
  next: Int32Array;
  prev: Int32Array;
}

/** The group of a row: its symbol and side (null apart from any text). */
export function keyOf(symbol: string | null, side: string | null): string {
  return `${symbol ?? '\u0000'}\u0001${side ?? '\u0000'}`;
}

/** The first index whose value is ≥ v (orEqual: > v) in an ascending array. */
export function firstAbove(a: ArrayLike<number>, v: number, orEqual = false): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v || (orEqual && a[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function find(link: Int32Array, k: number): number {
  let root = k;
  while (link[root] !== root) root = link[root];
  while (link[k] !== root) {
    const up = link[k];
    link[k] = root;
    k = up;
  }
  return root;
}
