import { describe, expect, it } from 'vitest';
import { seededRandom } from '../util/seeded-random.js';
import { NOT_PAIRED, PAIR_WINDOW_MS, pairTwinRows, PRIMARY, TWIN } from './pair-twins.js';
import { pairByScan, TwinSegments } from './twin-segments.js';

/** [group, ms (NaN: untimed), role] per row of the list, in list order. */
type R = [number, number, number];

/**
 * Feed the rows as linkTwins does: in list order while `add` takes them, else all of them again
 * sorted by group, time and list index. Returns each row's mate plus one (0: none), as
 * pairTwinRows, and whether the rows were paired as given.
 */
function segmented(rows: R[]): { mate: number[]; asGiven: boolean } {
  let mate = new Array<number>(rows.length).fill(0);
  const onPair = (t: number, _tf: number, tl: number, p: number, _pf: number, pl: number): void => {
    // Where each stands is given as placed: line k + 1.
    expect([tl, pl]).toEqual([t + 1, p + 1]);
    mate[t] = p + 1;
    mate[p] = t + 1;
  };
  let s = new TwinSegments(onPair);
  const asGiven = rows.every(([g, ms, role], k) => s.add(g, ms, role, k, 1, k + 1));
  if (asGiven) {
    s.finish();
    return { mate, asGiven };
  }
  mate = mate.fill(0);
  s = new TwinSegments(onPair);
  const sorted = rows.map((r, k) => ({ r, k })).filter(({ r }) => r[2] !== NOT_PAIRED && !Number.isNaN(r[1]));
  sorted.sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.k - b.k);
  for (const { r, k } of sorted) expect(s.add(r[0], r[1], r[2], k, 1, k + 1)).toBe(true);
  s.finish();
  return { mate, asGiven };
}

/** The whole list at once: the pairing the segments must give. */
function whole(rows: R[]): number[] {
  return [...pairTwinRows(rows.length, Float64Array.from(rows.map((r) => r[1])), Int32Array.from(rows.map((r) => r[0])), Uint8Array.from(rows.map((r) => r[2])))];
}

const P = (ms: number, g = 0): R => [g, ms, PRIMARY];
const T = (ms: number, g = 0): R => [g, ms, TWIN];
const W = PAIR_WINDOW_MS;

describe('TwinSegments: the pairing a segment at a time', () => {
  it.each<[string, R[], number[], boolean]>([
    ['the closer primary', [P(0), T(1000), P(1500)], [0, 3, 2], true],
    ['equally close: the earlier time', [P(1500), P(500), T(1000)], [0, 3, 2], true],
    ['the same time: the primary listed first', [P(1000), P(1000), T(1000)], [3, 0, 1], true],
    ['twins served in list order: the first takes the closest', [T(100), P(100), T(100)], [2, 1, 0], true],
    ['exactly the window apart pairs', [P(0), T(W)], [2, 1], true],
    ['one ms past the window does not', [P(0), T(W + 1)], [0, 0], true],
    ['untimed rows never pair and never cut a segment', [P(0), T(NaN), P(NaN), T(10)], [4, 0, 0, 1], true],
    ['rows of neither writer are left out', [P(0), [0, 5, NOT_PAIRED], T(5)], [3, 0, 1], true],
    ['other groups pair apart, whatever their order', [P(0, 1), T(0, 0), P(10, 0), T(10, 1)], [4, 3, 2, 1], true],
    // A gap wider than the window closes a segment; a row after it that reaches back is refused.
    ['a row within reach of a closed segment: fed sorted', [P(0), T(W + 1), P(2 * W + 2), T(W)], [4, 0, 0, 1], false],
    ['a row within the open segment may come early', [P(5000), T(4000), P(3000), T(3500)], [4, 3, 2, 1], true],
    ['repeated twins at one time take the primaries in list order', [P(0), P(0), P(0), T(0), T(0)], [4, 5, 0, 1, 2], true],
  ])('%s', (_name, rows, want, given) => {
    const got = segmented(rows);
    expect(got.mate).toEqual(want);
    expect(got.mate).toEqual(whole(rows));
    expect(got.asGiven).toBe(given);
  });

  it.each([
    // seed, rows, groups, spacing ms (list order = time order plus jitter), jitter ms, time grain,
    // whether the rows pair as given (else sorted first)
    [31, 3000, 4, 400, 0, 1, true],
    [32, 3000, 4, 400, 900, 1, false],
    [33, 3000, 2, 100, 300, 100, true],
    [34, 2000, 8, 300, 5000, 1, false],
    [35, 2000, 1, 10, 50, 10, true],
    [36, 2000, 3, 0, 200_000, 1000, false],
  ])('pairs as the whole list (seed %i, %i rows, %i groups, %i ms apart, jitter %i ms, grain %i ms)', (seed, n, nGroups, spacing, jitter, grain, given) => {
    const r = seededRandom(seed);
    const rows: R[] = Array.from({ length: n }, (_, k) => {
      const x = r();
      const ms = r() < 0.03 ? NaN : Math.floor((k * spacing + r() * jitter) / grain) * grain;
      return [Math.floor(r() * nGroups), ms, x < 0.45 ? PRIMARY : x < 0.92 ? TWIN : NOT_PAIRED];
    });
    const got = segmented(rows);
    const want = whole(rows);
    expect(got.mate).toEqual(want);
    expect(want.some((m) => m > 0)).toBe(true);
    expect(got.asGiven).toBe(given);
  });
});

describe('pairByScan: the pairing of a small segment', () => {
  it.each([
    [41, 10, 1000, 1],
    [42, 48, 3000, 500],
    [43, 48, 8000, 1],
    [44, 30, 500, 250],
  ])('pairs as pairTwinRows (seed %i, %i rows, over %i ms, grain %i ms)', (seed, n, spread, grain) => {
    const r = seededRandom(seed);
    for (let round = 0; round < 50; round++) {
      const ms = Array.from({ length: n }, () => Math.floor((r() * spread) / grain) * grain);
      const role = Array.from({ length: n }, () => (r() < 0.5 ? PRIMARY : TWIN));
      expect([...pairByScan(ms, role)]).toEqual([...pairTwinRows(n, Float64Array.from(ms), new Int32Array(n), Uint8Array.from(role))]);
    }
  });
});
