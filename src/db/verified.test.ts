import { appendFileSync, copyFileSync, existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forgetVerified, stampVerified, unchangedSinceVerified, verifiedPath } from './verified.js';

/** A stamped "database" file and what a case does to it afterwards. */
function stamped(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdbf-verified-'));
  const db = join(dir, 'case.db');
  writeFileSync(db, 'SQLite format 3\0' + 'x'.repeat(4080));
  stampVerified(db);
  return db;
}

describe('a database file is trusted without a second check only while it is exactly what the writer left', () => {
  it.each([
    { name: 'untouched since the stamp', change: (_db: string) => {}, trusted: true },
    { name: 'a byte appended', change: (db: string) => appendFileSync(db, 'y'), trusted: false },
    { name: 'rewritten in place, same size', change: (db: string) => writeFileSync(db, 'SQLite format 3\0' + 'z'.repeat(4080)), trusted: false },
    {
      name: 'replaced by a copy of itself (another inode)',
      change: (db: string) => {
        copyFileSync(db, db + '.new');
        renameSync(db + '.new', db);
      },
      trusted: false,
    },
    { name: 'committed transactions left in the write-ahead log', change: (db: string) => writeFileSync(db + '-wal', 'frames'), trusted: false },
    { name: 'an empty write-ahead log beside it (after a TRUNCATE checkpoint)', change: (db: string) => writeFileSync(db + '-wal', ''), trusted: true },
    { name: 'the stamp removed (a writer opened it)', change: (db: string) => forgetVerified(db), trusted: false },
    { name: 'a stamp that is not JSON', change: (db: string) => writeFileSync(verifiedPath(db), 'garbage'), trusted: false },
  ])('$name: trusted $trusted', ({ change, trusted }) => {
    const db = stamped();
    expect(unchangedSinceVerified(db)).toBe(true);
    change(db);
    expect(unchangedSinceVerified(db)).toBe(trusted);
  });

  it('no stamp is written while the write-ahead log still holds pages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdbf-verified-'));
    const db = join(dir, 'case.db');
    writeFileSync(db, 'SQLite format 3\0');
    writeFileSync(db + '-wal', 'frames');
    stampVerified(db);
    expect(existsSync(verifiedPath(db))).toBe(false);
  });
});
