import { describe, expect, it } from 'vitest';
import { piecesSooner, splitRuns } from './parallel.js';

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

describe('piecesSooner', () => {
  it.each([
    // per service: cdb_signal holds three quarters of a DEBUG bundle; its run keeps one thread busy
    { sizes: [3, 5, 5, 5, 806, 250], threads: [1, 1, 1, 1, 2, 2], n: 2, sooner: true },
    // the same with three threads: the large file on three, the feed's log on three
    { sizes: [3, 5, 5, 5, 806, 250], threads: [1, 1, 1, 1, 3, 3], n: 3, sooner: true },
    // files of equal size: runs of whole files already share the threads
    { sizes: [100, 100, 100, 100], threads: [2, 2, 2, 2], n: 2, sooner: false },
    // no file large enough for pieces: runs of files, whatever their sizes
    { sizes: [60, 1, 1, 1], threads: [1, 1, 1, 1], n: 2, sooner: false },
    // one large file among many medium ones: the pieces' overhead outweighs the imbalance
    { sizes: [70, 60, 60, 60], threads: [2, 1, 1, 1], n: 2, sooner: false },
    // an archive's member cannot be read in pieces however large (threads 1)
    { sizes: [806, 250], threads: [1, 1], n: 2, sooner: false },
  ])('$sizes on $n threads, pieces on $threads: $sooner', ({ sizes, threads, n, sooner }) => {
    expect(piecesSooner(sizes, threads, splitRuns(sizes, n))).toBe(sooner);
  });
});
