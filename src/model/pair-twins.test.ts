import { describe, expect, it } from 'vitest';
import { seededRandom } from '../util/seeded-random.js';
import { GroupIds, NOT_PAIRED, PAIR_WINDOW_MS, pairTwinRows, pairTwins, PRIMARY, TWIN, type Dated } from './pair-twins.js';

/** The rule as first written: every twin against every row, in time order. The oracle. */
function pairByScan(twins: Dated[], primaries: Dated[]): Map<number, number> {
  const used = new Set<number>();
  const pairs = new Map<number, number>();
  const order = primaries.map((p, i) => ({ p, i })).filter(({ p }) => !Number.isNaN(p.ms)).sort((a, b) => a.p.ms - b.p.ms);
  twins.forEach((t, ti) => {
    let best = -1;
    let bestD = Infinity;
    for (const { p, i } of order) {
      if (used.has(i) || p.symbol !== t.symbol || p.side !== t.side) continue;
      const d = Math.abs(p.ms - t.ms);
      if (d <= PAIR_WINDOW_MS && d < bestD) {
        best = i;
        bestD = d;
      }
    }
    if (best >= 0) {
      used.add(best);
      pairs.set(ti, best);
    }
  });
  return pairs;
}

function rows(n: number, r: () => number, spreadMs: number, grainMs: number): Dated[] {
  const symbols = ['BTCUSDT', 'ETHUSDT', null];
  const sides = ['BUY', 'SELL', null];
  return Array.from({ length: n }, () => ({
    ms: r() < 0.03 ? NaN : Math.floor((r() * spreadMs) / grainMs) * grainMs,
    symbol: symbols[Math.floor(r() * (r() < 0.9 ? 2 : 3))],
    side: sides[Math.floor(r() * (r() < 0.9 ? 2 : 3))],
  }));
}

const at = (ms: number, symbol: string | null = 'BTCUSDT', side: string | null = 'BUY'): Dated => ({ ms, symbol, side });

describe('pairTwins', () => {
  it.each([
    ['the closer of two rows', [at(1000)], [at(0), at(1500)], [[0, 1]]],
    ['equally close: the earlier row', [at(1000)], [at(1500), at(500)], [[0, 1]]],
    ['the same time: the row listed first', [at(1000)], [at(1000), at(1000)], [[0, 0]]],
    ['exactly the window apart pairs', [at(PAIR_WINDOW_MS)], [at(0)], [[0, 0]]],
    ['one ms past the window does not', [at(PAIR_WINDOW_MS + 1)], [at(0)], []],
    ['another side does not', [at(0, 'BTCUSDT', 'SELL')], [at(0)], []],
    ['a row pairs once: the second twin takes the next closest', [at(0), at(0)], [at(0), at(900)], [[0, 0], [1, 1]]],
    ['a twin without a time never pairs', [at(NaN)], [at(0)], []],
    ['null symbols pair with null symbols', [at(0, null, null)], [at(5, null, null), at(0)], [[0, 0]]],
    ['a paired row between leaves the far side', [at(100), at(100)], [at(100), at(50), at(2050)], [[0, 0], [1, 1]]],
  ] as [string, Dated[], Dated[], [number, number][]][])('%s', (_name, twins, primaries, expected) => {
    expect([...pairTwins(twins, primaries)]).toEqual(expected);
    expect([...pairTwins(twins, primaries)]).toEqual([...pairByScan(twins, primaries)]);
  });

  it.each([
    // seed, twins, rows, time spread, time grain: coarse grains make many equal times and ties.
    [1, 40, 40, 10_000, 1],
    [2, 200, 150, 20_000, 500],
    [3, 150, 300, 60_000, 1000],
    [4, 300, 300, 5_000, 1000],
    [5, 500, 20, 100_000, 1],
    [6, 20, 500, 3_000, 250],
  ])('matches a scan of every row (seed %i, %i twins, %i rows)', (seed, nt, np, spread, grain) => {
    const r = seededRandom(seed);
    const twins = rows(nt, r, spread, grain);
    const primaries = rows(np, r, spread, grain);
    const got = pairTwins(twins, primaries);
    expect([...got]).toEqual([...pairByScan(twins, primaries)]);
    expect(got.size).toBeGreaterThan(0);
  });
});

describe('pairTwinRows: one list of rows in flat arrays', () => {
  it.each([
    // seed, rows, symbols, time spread, time grain
    [21, 300, 2, 20_000, 500],
    [22, 600, 12, 60_000, 1000],
    [23, 400, 40, 10_000, 1],
    [24, 500, 3, 4_000, 2000],
  ])('pairs as pairTwins over its twins and primaries (seed %i, %i rows, %i symbols)', (seed, n, nSymbols, spread, grain) => {
    const r = seededRandom(seed);
    const ms = new Float64Array(n);
    const group = new Int32Array(n);
    const role = new Uint8Array(n);
    const twins: Dated[] = [];
    const primaries: Dated[] = [];
    const twinAt: number[] = [];
    const primAt: number[] = [];
    const groups = new GroupIds();
    for (let k = 0; k < n; k++) {
      const d: Dated = { ms: r() < 0.03 ? NaN : Math.floor((r() * spread) / grain) * grain, symbol: r() < 0.05 ? null : `S${Math.floor(r() * nSymbols)}`, side: r() < 0.5 ? 'BUY' : 'SELL' };
      const x = r();
      ms[k] = d.ms;
      group[k] = groups.of(d.symbol, d.side);
      role[k] = x < 0.45 ? PRIMARY : x < 0.9 ? TWIN : NOT_PAIRED;
      if (role[k] === PRIMARY) (primaries.push(d), primAt.push(k));
      if (role[k] === TWIN) (twins.push(d), twinAt.push(k));
    }
    const mate = pairTwinRows(n, ms, group, role);
    const want = new Int32Array(n);
    for (const [ti, pi] of pairByScan(twins, primaries)) {
      want[twinAt[ti]] = primAt[pi] + 1;
      want[primAt[pi]] = twinAt[ti] + 1;
    }
    expect([...mate]).toEqual([...want]);
    expect(mate.some((m) => m > 0)).toBe(true);
  });
});
