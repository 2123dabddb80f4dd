import { describe, expect, it } from 'vitest';
import { sampleEvidence, Tally } from './util.js';

describe('Tally', () => {
  it.each([
    { n: 0, first: 2, last: 2, sample: [] },
    { n: 3, first: 2, last: 2, sample: [1, 2, 3] },
    { n: 4, first: 2, last: 2, sample: [1, 2, 3, 4] },
    { n: 10, first: 2, last: 2, sample: [1, 2, 9, 10] },
    { n: 10, first: 1, last: 1, sample: [1, 10] },
  ])('$n items, first $first, last $last', ({ n, first, last, sample }) => {
    const t = new Tally<number>(first, last);
    for (let i = 1; i <= n; i++) t.add(i);
    expect(t.count).toBe(n);
    expect(t.sample).toEqual(sample);
  });

  it('sampleEvidence picks the same rows from a tally as from the whole list', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ file_id: 1, line_no: i + 1 }));
    const t = new Tally<(typeof rows)[number]>();
    rows.forEach((r) => t.add(r));
    const ctx = { evidence: (f: number, l: number) => ({ file: String(f), line: l, text: '' }) } as unknown as Parameters<typeof sampleEvidence>[0];
    for (const [first, last] of [[2, 1], [1, 1], [2, 2]]) expect(sampleEvidence(ctx, t.sample, first, last)).toEqual(sampleEvidence(ctx, rows, first, last));
  });
});
