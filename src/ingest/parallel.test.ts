import { describe, expect, it } from 'vitest';
import { splitRuns } from './parallel.js';

describe('splitRuns', () => {
  it.each([
    { sizes: [10], n: 2, runs: [[0, 1]] },
    { sizes: [5, 5], n: 2, runs: [[0, 1], [1, 2]] },
    { sizes: [5, 5], n: 3, runs: [[0, 1], [1, 2]] },
    // the per-service bench layout: the cut after the file that crosses half
    { sizes: [28, 12, 23, 42], n: 2, runs: [[0, 3], [3, 4]] },
    { sizes: [1, 1, 1, 97], n: 2, runs: [[0, 3], [3, 4]] },
    { sizes: [97, 1, 1, 1], n: 2, runs: [[0, 1], [1, 4]] },
    { sizes: [10, 10, 10, 10, 10, 10], n: 3, runs: [[0, 2], [2, 4], [4, 6]] },
    // every remaining item is needed for a run of its own
    { sizes: [100, 1, 1], n: 3, runs: [[0, 1], [1, 2], [2, 3]] },
    { sizes: [0, 0, 0, 0], n: 2, runs: [[0, 1], [1, 4]] },
  ])('$sizes into $n', ({ sizes, n, runs }) => {
    const got = splitRuns(sizes, n);
    expect(got).toEqual(runs);
    // Contiguous, non-empty, covering every item once, never more runs than asked.
    expect(got.length).toBeLessThanOrEqual(n);
    got.forEach(([a, b], i) => {
      expect(b).toBeGreaterThan(a);
      if (i > 0) expect(a).toBe(got[i - 1][1]);
    });
    expect(got[0][0]).toBe(0);
    expect(got[got.length - 1][1]).toBe(sizes.length);
  });
});
