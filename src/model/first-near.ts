import { firstAbove, keyOf, PAIR_WINDOW_MS } from './pair-twins.js';

interface Keyed {
  ms: number;
  symbol: string | null;
  side: string | null;
}

/**
 * Rows of a list, taken one by one: `take` gives the first row not yet taken (in list order)
 * with the symbol and side asked for and a time within PAIR_WINDOW_MS of `ms`, and marks it
 * taken; -1 when there is none. Per symbol and side, the rows sorted by time sit in a segment tree
 * holding the smallest list index not yet taken, so each call costs a range minimum, not a scan
 * of the list (fills against a dump of 500,000 trades).
 */
export class FirstNear {
  private readonly groups = new Map<string, { ms: number[]; tree: number[]; size: number }>();
  /** Each row's slot in its group's time order. */
  private readonly slot: Int32Array;

  constructor(rows: readonly Keyed[]) {
    this.slot = new Int32Array(rows.length);
    const byKey = new Map<string, number[]>();
    rows.forEach((r, i) => {
      if (Number.isNaN(r.ms)) return;
      const key = keyOf(r.symbol, r.side);
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      list.push(i);
    });
    for (const [key, idx] of byKey) {
      idx.sort((a, b) => rows[a].ms - rows[b].ms || a - b);
      let size = 1;
      while (size < idx.length) size *= 2;
      const tree = new Array<number>(2 * size).fill(Infinity);
      idx.forEach((i, k) => {
        tree[size + k] = i;
        this.slot[i] = k;
      });
      for (let k = size - 1; k >= 1; k--) tree[k] = Math.min(tree[2 * k], tree[2 * k + 1]);
      this.groups.set(key, { ms: idx.map((i) => rows[i].ms), tree, size });
    }
  }

  take(symbol: string | null, side: string | null, ms: number): number {
    const g = this.groups.get(keyOf(symbol, side));
    if (!g || Number.isNaN(ms)) return -1;
    let lo = firstAbove(g.ms, ms - PAIR_WINDOW_MS, false) + g.size;
    let hi = firstAbove(g.ms, ms + PAIR_WINDOW_MS, true) + g.size;
    let best = Infinity;
    while (lo < hi) {
      if (lo & 1) best = Math.min(best, g.tree[lo++]);
      if (hi & 1) best = Math.min(best, g.tree[--hi]);
      lo >>= 1;
      hi >>= 1;
    }
    if (best === Infinity) return -1;
    let k = this.slot[best] + g.size;
    g.tree[k] = Infinity;
    for (k >>= 1; k >= 1; k >>= 1) g.tree[k] = Math.min(g.tree[2 * k], g.tree[2 * k + 1]);
    return best;
  }
}
