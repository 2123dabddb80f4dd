import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import composeLogs from './parsers/compose-logs.js';
import psqlCsv from './parsers/psql-csv.js';
import { PARSERS } from './registry.js';
import { cutPoints, pieceWeights } from './split.js';

describe('pieceWeights', () => {
  it.each([
    { workers: 0, joinCost: 0.21, weights: [1] },
    { workers: 1, joinCost: 0.16, weights: [0.86, 1, 0.16] },
    { workers: 1, joinCost: 0.21, weights: [0.86, 1, 0.21] },
    { workers: 3, joinCost: 0.21, weights: [0.86, 1, 1, 1, 0.21, 0.21, 0.21] },
  ])('$workers worker(s), join cost $joinCost: $weights', ({ workers, joinCost, weights }) => {
    expect(pieceWeights(workers, joinCost)).toEqual(weights);
  });
});

describe('the parsers that read in pieces', () => {
  // A tail as large as a worker's large piece would leave this thread idle while it is parsed.
  it.each(PARSERS.filter((p) => p.split).map((p) => ({ id: p.id, joinCost: p.split!.joinCost })))('$id joins at $joinCost of parsing, a fraction', ({ joinCost }) => {
    expect(joinCost).toBeGreaterThan(0);
    expect(joinCost).toBeLessThan(1);
  });
});

describe('cutPoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdbf-cuts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 3,000 lines of 100 bytes; the minimum piece a third of the file, so two threads cut it in three.
  const file = join(dir, 'big.txt');
  writeFileSync(file, Array.from({ length: 3000 }, (_, i) => String(i).padStart(99, '.') + '\n').join(''));
  const size = 300_000;

  it.each([
    { parser: composeLogs.id, joinCost: composeLogs.split!.joinCost },
    { parser: psqlCsv.id, joinCost: psqlCsv.split!.joinCost },
  ])('$parser: pieces as its weights say, cut after line feeds', async ({ joinCost }) => {
    const before = process.env.CDB_FORENSICS_SPLIT_MIN_BYTES;
    process.env.CDB_FORENSICS_SPLIT_MIN_BYTES = String(size / 3);
    try {
      const cuts = await cutPoints(file, size, 2, joinCost);
      const bytes = readFileSync(file);
      expect(cuts[0]).toBe(0);
      expect(cuts[cuts.length - 1]).toBe(size);
      for (const c of cuts.slice(1, -1)) expect(bytes[c - 1]).toBe(10);
      const weights = pieceWeights(1, joinCost);
      const total = weights.reduce((a, b) => a + b, 0);
      expect(cuts.length).toBe(weights.length + 1);
      // Each piece within a line of its share.
      weights.forEach((w, i) => expect(Math.abs(cuts[i + 1] - cuts[i] - (size * w) / total)).toBeLessThanOrEqual(100));
    } finally {
      if (before === undefined) delete process.env.CDB_FORENSICS_SPLIT_MIN_BYTES;
      else process.env.CDB_FORENSICS_SPLIT_MIN_BYTES = before;
    }
  });
});
