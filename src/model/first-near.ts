import { firstAbove, GroupIds, PAIR_WINDOW_MS } from './pair-twins.js';

interface Keyed {
  ms: number;
  symbol: string | null;
  side: string | null;
}

/** No row (a tree slot with nothing left in it). */
const NONE = 0x7fffffff;

/**
 * Rows of a list, taken one by one: `take` gives the first row not yet taken (in list order)
 * with the group asked for and a time within PAIR_WINDOW_MS of `ms`, and marks it taken; -1 when
 * there is none. Per group, the rows sorted by time sit in a segment tree holding the smallest
 * list index not yet taken, so each call costs a range minimum, not a scan of the list (fills
 * against a dump of 500,000 trades). The rows are given as flat arrays (`at` list indexes,
 * ascending; `ms` and `group` of each), a few bytes per row.
 */
export class FirstNearRows {
  private readonly groups: ({ ms: Float64Array; tree: Int32Array; size: number } | undefined)[] = [];
  /** Each row's slot in its group's time order. */
  private readonly slot: Int32Array;

  constructor(
    private readonly at: Int32Array,
    ms: Float64Array,
    group: Int32Array,
  ) {
    const n = at.length;
    this.slot = new Int32Array(n);
    let nGroups = 0;
    for (let i = 0; i < n; i++) if (group[i] >= nGroups) nGroups = group[i] + 1;
    const count = new Int32Array(nGroups);
    for (let i = 0; i < n; i++) if (group[i] >= 0 && !Number.isNaN(ms[i])) count[group[i]]++;
    const lists: Int32Array[] = [];
    for (let g = 0; g < nGroups; g++) lists.push(new Int32Array(count[g]));
    count.fill(0);
    for (let i = 0; i < n; i++) if (group[i] >= 0 && !Number.isNaN(ms[i])) lists[group[i]][count[group[i]]++] = i;
    for (let g = 0; g < nGroups; g++) {
      const idx = lists[g];
      if (idx.length === 0) continue;
      idx.sort((a, b) => ms[a] - ms[b] || a - b);
      let size = 1;
      while (size < idx.length) size *= 2;
      const tree = new Int32Array(2 * size).fill(NONE);
      const gm = new Float64Array(idx.length);
      for (let k = 0; k < idx.length; k++) {
        // The tree holds positions in `at` (ascending like the list indexes they stand for).
        tree[size + k] = idx[k];
        this.slot[idx[k]] = k;
        gm[k] = ms[idx[k]];
      }
      for (let k = size - 1; k >= 1; k--) tree[k] = Math.min(tree[2 * k], tree[2 * k + 1]);
      this.groups[g] = { ms: gm, tree, size };
    }
  }

  /** The list index taken, or -1. */
  take(group: number, ms: number): number {
    const g = group >= 0 ? this.groups[group] : undefined;
    if (!g || Number.isNaN(ms)) return -1;
    let lo = firstAbove(g.ms, ms - PAIR_WINDOW_MS, false) + g.size;
    let hi = firstAbove(g.ms, ms + PAIR_WINDOW_MS, true) + g.size;
    let best = NONE;
    while (lo < hi) {
      if (lo & 1) best = Math.min(best, g.tree[lo++]);
      if (hi & 1) best = Math.min(best, g.tree[--hi]);
      lo >>= 1;
      hi >>= 1;
    }
    if (best === NONE) return -1;
    let k = this.slot[best] + g.size;
    g.tree[k] = NONE;
    for (k >>= 1; k >= 1; k >>= 1) g.tree[k] = Math.min(g.tree[2 * k], g.tree[2 * k + 1]);
    return this.at[best];
  }
}

/** FirstNearRows over a list of rows given as objects (their list index is their position). */
export class FirstNear {
  private readonly groups = new GroupIds();
  private readonly rows: FirstNearRows;

  constructor(rows: readonly Keyed[]) {
    const n = rows.length;
    const at = new Int32Array(n);
    const ms = new Float64Array(n);
    const group = new Int32Array(n);
    rows.forEach((r, i) => {
      at[i] = i;
      ms[i] = r.ms;
      group[i] = this.groups.of(r.symbol, r.side);
    });
    this.rows = new FirstNearRows(at, ms, group);
  }

  take(symbol: string | null, side: string | null, ms: number): number {
    return this.rows.take(this.groups.known(symbol, side), ms);
  }
}
