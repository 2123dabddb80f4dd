import { describe, expect, it } from 'vitest';
import { median } from './stats.js';

describe('median', () => {
  it.each<[number[], number]>([
    [[], 0],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[0, 0, 30, 30, 30], 30],
  ])('%j → %d', (xs, want) => {
    expect(median(xs)).toBe(want);
  });

  it('leaves its input in order', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});
