import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, PAGE_SIZE, withCacheAtMost } from './open.js';

describe('page size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdbf-page-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a new working database takes PAGE_SIZE', null, PAGE_SIZE],
    ['a database made with 4 KiB pages keeps them', 4096, 4096],
    ['a database made with 16 KiB pages keeps them', 16384, 16384],
  ])('%s', (what, earlier, want) => {
    const file = join(dir, `${what.replace(/\W+/g, '-')}.db`);
    openDb(file, { create: true }).close();
    if (earlier !== null) {
      // An older build's database: the same schema, another page size.
      const raw = new Database(file);
      raw.pragma('journal_mode = DELETE');
      raw.pragma(`page_size = ${earlier}`);
      raw.exec('VACUUM');
      raw.close();
    }
    const db = openDb(file, { check: true });
    expect(db.pragma('page_size', { simple: true })).toBe(want);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((db.prepare('SELECT COUNT(*) AS n FROM manifest').get() as { n: number }).n).toBe(0);
    db.close();
  });
});

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
