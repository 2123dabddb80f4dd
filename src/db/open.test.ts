import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withCacheAtMost } from './open.js';

describe('withCacheAtMost', () => {
  it.each([
    ['a larger cache in KiB is lowered, then given back', -65536, 16000, -16000, -65536],
    ['a smaller cache in KiB is kept', -2000, 16000, -2000, -2000],
    ['a cache in pages larger than the limit is lowered', 10000, 16000, -16000, 10000],
    ['a cache in pages within the limit is kept', 1000, 16000, 1000, 1000],
  ])('%s', (_what, before, kib, during, after) => {
    const db = new Database(':memory:');
    db.pragma('page_size = 4096');
    db.pragma(`cache_size = ${before}`);
    const seen = withCacheAtMost(db, kib, () => db.pragma('cache_size', { simple: true }));
    expect(seen).toBe(during);
    expect(db.pragma('cache_size', { simple: true })).toBe(after);
    db.close();
  });

  it('gives the cache back when the work throws', () => {
    const db = new Database(':memory:');
    db.pragma('cache_size = -65536');
    expect(() =>
      withCacheAtMost(db, 16000, () => {
        throw new Error('rule failed');
      }),
    ).toThrow('rule failed');
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    db.close();
  });
});
