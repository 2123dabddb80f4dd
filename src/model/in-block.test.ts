import { describe, expect, it } from 'vitest';
import { TestDb } from '../analysis/testing.js';
import { rebuildHourly } from '../catalog/reclassify.js';
import { INDEX_SQL, SCHEMA_VERSION } from '../db/schema.js';
import { markModelBuilt } from '../db/state.js';
import { markInBlock, priorMarks, type PriorMarks } from './in-block.js';

/** Log records around a block: timed inside, before and after it, on its edges, untimed, and a time that is not ISO text. */
const TIMES = [
  '2026-02-08T23:59:59.999Z', '2026-02-09T00:00:00.000Z', '2026-02-09T12:00:00.000Z', '2026-02-10T06:00:00.000Z',
  '2026-02-11T23:59:59.999Z', '2026-02-12T00:00:00.000Z', '2026-02-13T08:00:00.000Z', '2026-02-09 12:00', null,
];
const MESSAGES = ['[redis] published market_data: BTCUSDT @ 70457.94', 'a line no catalog entry knows', 'PAPER TRADING RUNNER INITIALIZED'];

/** A database of this schema, its records stored as the writer stores them (1 with a time, NULL without), with their rollup and indexes. */
function ingested(t: TestDb, file: number): void {
  for (const ts of TIMES) for (const message of MESSAGES) t.insert('log_events', { file_id: file, service: 'cdb_ws', ts, kind: 'app', level: 'INFO', message, in_block: ts === null ? null : 1 });
  rebuildHourly(t.db, file);
}

/** What the full scan sets: the reference. */
function expected(t: TestDb, from: string, to: string): (number | null)[] {
  return (t.db.prepare('SELECT CASE WHEN ts IS NULL THEN NULL WHEN ts >= ? AND ts <= ? THEN 1 ELSE 0 END AS v FROM log_events ORDER BY id').all(from, to) as { v: number | null }[]).map((r) => r.v);
}
const marks = (t: TestDb) => (t.db.prepare('SELECT in_block AS v FROM log_events ORDER BY id').all() as { v: number | null }[]).map((r) => r.v);

/** A model build's marks and block table, as the build before this one left them. */
function built(t: TestDb, from: string, to: string): void {
  markInBlock(t.db, from, to, null);
  t.db.exec("DELETE FROM block");
  t.db.prepare("INSERT INTO block (key, value) VALUES ('from', ?), ('to', ?)").run(from, to);
  markModelBuilt(t.db);
}

const W = { from: '2026-02-09T00:00:00.000Z', to: '2026-02-11T23:59:59.999Z' };
const cases: [string, { from: string; to: string } | null, boolean, { from: string; to: string }][] = [
  ['fresh database: the writer\'s marks', null, false, W],
  ['fresh, a one-day block', null, false, { from: '2026-02-10T00:00:00.000Z', to: '2026-02-10T23:59:59.999Z' }],
  ['built before with the same block', W, false, W],
  ['built before with a narrower block: records become inside', { from: '2026-02-10T00:00:00.000Z', to: '2026-02-10T23:59:59.999Z' }, false, W],
  ['built before with a wider block: records become outside', { from: '2026-02-08T00:00:00.000Z', to: '2026-02-13T23:59:59.999Z' }, false, W],
  ['built before with a block ending inside this one', { from: '2026-02-07T00:00:00.000Z', to: '2026-02-09T12:00:00.000Z' }, false, W],
  ['built before with a block after this one', { from: '2026-02-12T00:00:00.000Z', to: '2026-02-14T23:59:59.999Z' }, false, W],
  ['built before with a block before this one', { from: '2026-02-01T00:00:00.000Z', to: '2026-02-03T23:59:59.999Z' }, false, W],
  ['built before, then a file appended (its records provisional)', { from: '2026-02-10T00:00:00.000Z', to: '2026-02-10T23:59:59.999Z' }, true, W],
  ['edges: a block from the old end to a record time', { from: '2026-02-09T00:00:00.000Z', to: '2026-02-09T12:00:00.000Z' }, true, { from: '2026-02-09T12:00:00.000Z', to: '2026-02-12T00:00:00.000Z' }],
];

describe('in_block marks from the prior marks and the class index are the full scan\'s', () => {
  it.each(cases)('%s', (_name, before, appended, block) => {
    const t = new TestDb();
    t.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    ingested(t, t.file('logs/a.txt'));
    t.db.exec(INDEX_SQL);
    if (before) built(t, before.from, before.to);
    if (appended) ingested(t, t.file('logs/b.txt'));
    const prior: PriorMarks = priorMarks(t.db);
    expect(prior).toEqual(before ?? 'provisional');
    markInBlock(t.db, block.from, block.to, prior);
    const want = expected(t, block.from, block.to);
    expect(marks(t)).toEqual(want);
    expect(want.filter((v) => v === 0).length).toBeGreaterThan(0);
  });

  it.each([
    ['another schema version (a database being migrated)', (t: TestDb) => t.db.pragma('user_version = 3')],
    ['a model built without a block table', (t: TestDb) => {
      t.db.exec('DROP TABLE block');
      markModelBuilt(t.db);
    }],
  ])('prior marks unknown: %s', (_name, setup) => {
    const t = new TestDb();
    t.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    setup(t);
    expect(priorMarks(t.db)).toBeNull();
  });
});
