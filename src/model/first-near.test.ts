import { describe, expect, it } from 'vitest';
import { seededRandom } from '../util/seeded-random.js';
import { FirstNear, FirstNearRows } from './first-near.js';
import { GroupIds, PAIR_WINDOW_MS } from './pair-twins.js';

interface R {
  ms: number;
  symbol: string | null;
  side: string | null;
}

/** The rule as first written: the first untaken row of the list that fits. The oracle. */
function takeByScan(rows: R[], asks: R[]): number[] {
  const used = new Set<number>();
  return asks.map((a) => {
    const i = rows.findIndex((t, k) => !used.has(k) && t.symbol === a.symbol && t.side === a.side && Math.abs(t.ms - a.ms) <= PAIR_WINDOW_MS);
    if (i >= 0) used.add(i);
    return i;
  });
}

const take = (rows: R[], asks: R[]): number[] => {
  const near = new FirstNear(rows);
  return asks.map((a) => near.take(a.symbol, a.side, a.ms));
};

function rows(n: number, r: () => number, spread: number, grain: number): R[] {
  return Array.from({ length: n }, () => ({
    ms: r() < 0.03 ? NaN : Math.floor((r() * spread) / grain) * grain + (r() < 0.1 ? 0.5 : 0),
    symbol: r() < 0.05 ? null : r() < 0.5 ? 'BTCUSDT' : 'ETHUSDT',
    side: r() < 0.05 ? null : r() < 0.5 ? 'BUY' : 'SELL',
  }));
}

const at = (ms: number, symbol: string | null = 'BTCUSDT', side: string | null = 'BUY'): R => ({ ms, symbol, side });

describe('FirstNear', () => {
  it.each([
    ['the first in the list, not the closest', [at(1900), at(0)], [at(0)], [0]],
    ['a taken row is not given twice', [at(0)], [at(0), at(0)], [0, -1]],
    ['the window bounds are inclusive', [at(-PAIR_WINDOW_MS), at(PAIR_WINDOW_MS)], [at(0), at(0), at(0)], [0, 1, -1]],
    ['fractional times at the edge', [at(PAIR_WINDOW_MS + 0.5), at(PAIR_WINDOW_MS)], [at(0), at(0)], [1, -1]],
    ['another symbol or side never', [at(0, 'ETHUSDT'), at(0, 'BTCUSDT', 'SELL')], [at(0)], [-1]],
    ['no time never', [at(NaN)], [at(NaN), at(0)], [-1, -1]],
    ['null symbol and side match null', [at(5, null, null)], [at(0, null, null)], [0]],
  ] as [string, R[], R[], number[]][])('%s', (_n, list, asks, expected) => {
    expect(take(list, asks)).toEqual(expected);
    expect(take(list, asks)).toEqual(takeByScan(list, asks));
  });

  it.each([
    [1, 100, 100, 10_000, 1],
    [2, 300, 200, 20_000, 500],
    [3, 50, 400, 5_000, 1000],
    [4, 400, 50, 60_000, 1],
  ])('matches a scan of the list (seed %i, %i rows, %i asks)', (seed, nr, na, spread, grain) => {
    const r = seededRandom(seed);
    const list = rows(nr, r, spread, grain);
    const asks = rows(na, r, spread, grain);
    const got = take(list, asks);
    expect(got).toEqual(takeByScan(list, asks));
    expect(got.some((i) => i >= 0)).toBe(true);
  });
});

describe('FirstNearRows: rows in flat arrays, list indexes with gaps', () => {
  it.each([
    [31, 300, 200, 20_000, 500],
    [32, 500, 100, 5_000, 1],
  ])('takes as a scan of the list (seed %i, %i rows, %i asks)', (seed, nr, na, spread, grain) => {
    const r = seededRandom(seed);
    const list = rows(nr, r, spread, grain);
    const asks = rows(na, r, spread, grain);
    // Only every other row is given, under its list index: the others can never be taken.
    const given = list.map((_, i) => i).filter((i) => i % 2 === 0);
    const groups = new GroupIds();
    const near = new FirstNearRows(
      Int32Array.from(given),
      Float64Array.from(given, (i) => list[i].ms),
      Int32Array.from(given, (i) => groups.of(list[i].symbol, list[i].side)),
    );
    const got = asks.map((a) => near.take(groups.known(a.symbol, a.side), a.ms));
    const scan = takeByScan(list.map((x, i) => (i % 2 === 0 ? x : { ...x, ms: NaN })), asks);
    expect(got).toEqual(scan);
    expect(got.some((i) => i >= 0)).toBe(true);
  });
});
