import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../redact/secrets.js';
import { schemaSql } from '../db/schema.js';
import { Writer } from '../db/writer.js';
import { makeRuleContext } from './context.js';
import { eachLog, eachLogClassTextGroup, eachLogOfTexts, loggedServices, logNth, type LogClassTextGroup, type LogQuery, type LogRow } from './rule-kit.js';
import { TestDb } from './testing.js';
import { addLog, at } from './rule-testing.js';
import { seededRandom } from '../util/seeded-random.js';

const iso = (h: number) => new Date(Date.parse('2026-02-09T00:00:00.000Z') + h * 3_600_000).toISOString();

/**
 * Services in two files written by the real Writer (so log_hourly is what an ingest keeps): one
 * logging all day, one only early, one only late, one with records without a time, one with
 * only health polls, and records without a service.
 */
function bundle(): Database.Database {
  const db = new Database(':memory:');
  db.exec(schemaSql());
  const w = new Writer(db, new Redactor());
  let line = 0;
  const rec = (service: string | null, h: number | null, kind = 'app') =>
    w.write({
      table: 'log_events',
      line: ++line,
      lines: 1,
      values: { service, ts: h === null ? null : iso(h), ts_text: null, docker_ts: null, level: 'INFO', logger: service, message: `line ${line}`, kind, format: 'bracket', stream: null },
    });
  w.setFile(1);
  for (let h = 0; h < 24; h += 0.5) rec('cdb_ws', h);
  rec('cdb_early', 1);
  rec('cdb_early', 2.5);
  rec(null, 12);
  rec('cdb_untimed', null);
  w.finishFile();
  w.setFile(2);
  line = 0;
  rec('cdb_late', 22);
  rec('cdb_polled', 13, 'health_poll');
  w.finishFile();
  return db;
}

/** The scan loggedServices stands for. */
const SCAN = `SELECT DISTINCT service FROM log_events l WHERE service IS NOT NULL AND COALESCE(in_block, 1) = 1 ORDER BY service`;

describe('loggedServices: the services with a record in the block', () => {
  it.each<[string, number, number, string[]]>([
    ['the whole day', 0, 24, ['cdb_early', 'cdb_late', 'cdb_polled', 'cdb_untimed', 'cdb_ws']],
    ['the morning: a block edge inside an hour', 0.75, 10.25, ['cdb_early', 'cdb_untimed', 'cdb_ws']],
    ['the evening', 20, 24, ['cdb_late', 'cdb_untimed', 'cdb_ws']],
    ['before any record', -5, -1, ['cdb_untimed']],
  ])('%s', (_name, from, to, want) => {
    for (const withRollup of [true, false]) {
      const db = bundle();
      if (!withRollup) db.exec('DELETE FROM log_hourly');
      db.prepare('UPDATE log_events SET in_block = CASE WHEN ts IS NULL THEN NULL WHEN ts >= ? AND ts <= ? THEN 1 ELSE 0 END').run(iso(from), iso(to));
      const ctx = makeRuleContext(db, { from: iso(from), to: iso(to), days: [], era: 'B', dialect: 'real' });
      const scan = (db.prepare(SCAN).all() as { service: string }[]).map((r) => r.service);
      expect(scan).toEqual(want);
      expect(loggedServices(ctx)).toEqual(scan);
    }
  });
});

/** Failure texts as services repeat them: near twins (case, a trailing dot, a second line), quotes, non-ASCII. */
const TEXTS = [
  'Error 111 connecting to cdb_redis:6379. Connection refused.',
  'Error 111 connecting to cdb_redis:6379. Connection Refused.',
  'Error 111 connecting to cdb_redis:6379. Connection refused',
  "Fehler bei Market-Data-Verarbeitung: 'pct_change'",
  'Failed to persist trade: server closed the connection unexpectedly\nDETAIL:  x "y" ü',
  'Redis-Verbindung fehlgeschlagen: Authentication required.',
];

/** A log of `n` error records: repeated texts (and `extra` one-off ones), ties and gaps in time, kinds a query skips. */
function failingLog(seed: number, n: number, extra: number): TestDb {
  const rnd = seededRandom(seed);
  const t = new TestDb();
  for (let i = 0; i < n; i++) {
    const message = i < extra ? `Failed to persist order ${i}: connection already closed` : TEXTS[Math.floor(rnd() * TEXTS.length)];
    const r = rnd();
    addLog(t, {
      service: rnd() < 0.5 ? 'cdb_ws' : 'cdb_db_writer',
      ts: r < 0.1 ? null : at(Math.floor(rnd() * 30)),
      level: 'ERROR',
      message,
      kind: r > 0.95 ? 'report' : r > 0.9 ? 'health_poll' : 'app',
      file: rnd() < 0.5 ? 'a.log' : 'b.log',
    });
  }
  return t;
}

describe('eachLogOfTexts answers as eachLog read record by record', () => {
  const ctxOf = (t: TestDb) => makeRuleContext(t.db, { from: at(0), to: at(60 * 24), days: [], era: 'B', dialect: 'real' });
  it.each([
    [1, 0, 0, 0],
    [2, 200, 0, 1],
    [3, 200, 0, 3],
    [4, 300, 10, 6],
    [5, 300, 80, 80],
  ])('seed %i: %i records, %i one-off texts, %i texts asked for', (seed, n, extra, asked) => {
    const t = failingLog(seed, n, extra);
    const ctx = ctxOf(t);
    const classes = [...new Set((t.db.prepare('SELECT DISTINCT class FROM log_events WHERE class IS NOT NULL').all() as { class: string }[]).map((r) => r.class))].sort();
    for (const q of [{ classes }, { classes, excludeKinds: ['report'] }, { classes, services: ['cdb_ws'] }] as LogQuery[]) {
      const all: LogRow[] = [];
      eachLog(ctx, q, (r) => all.push(r));
      const texts = [...new Set(all.map((r) => r.message))].sort().slice(0, asked);
      const got: LogRow[] = [];
      eachLogOfTexts(ctx, q, texts, (r) => got.push(r));
      expect(got).toEqual(all.filter((r) => texts.includes(r.message)));
      // Not vacuous: the texts asked for are read, in time order with ties and untimed records.
      if (asked) expect(got.length).toBeGreaterThan(0);
      const narrowed: LogRow[] = [];
      eachLog(ctx, { ...q, messages: texts }, (r) => narrowed.push(r));
      expect(narrowed).toEqual(got);
    }
  });
});

/**
 * Failure records of services (and of none), a share without a time, ties within few minutes, and,
 * unless `sole`, what a query must skip: another service of the same class, health polls,
 * records outside the block.
 */
function rankedLog(seed: number, n: number, untimed: number, minutes: number, sole: boolean): TestDb {
  const rnd = seededRandom(seed);
  const t = new TestDb();
  for (let i = 0; i < n; i++) {
    const r = rnd();
    addLog(t, {
      service: sole ? 'cdb_ws' : ([null, 'cdb_ws', 'cdb_db_writer'] as const)[Math.floor(rnd() * 3)],
      ts: rnd() < untimed ? null : at(Math.floor(rnd() * minutes) - (!sole && r < 0.05 ? 100_000 : 0)),
      level: 'ERROR',
      message: sole ? TEXTS[0] : TEXTS[Math.floor(rnd() * TEXTS.length)],
      kind: !sole && r > 0.93 ? 'health_poll' : !sole && r > 0.85 ? 'print' : 'app',
      file: rnd() < 0.5 ? 'a.log' : 'b.log',
    });
  }
  return t;
}

describe('logNth and eachLogClassTextGroup answer as eachLog read record by record', () => {
  const ctxOf = (t: TestDb) => makeRuleContext(t.db, { from: at(0), to: at(60 * 24), days: [], era: 'B', dialect: 'real' });
  it.each<[string, number, number, number, number, boolean, boolean]>([
    ['one record', 1, 1, 0, 10, false, true],
    ['ties, untimed, other services, polls, outside the block', 2, 300, 0.2, 5, false, false],
    ['all untimed', 3, 120, 1, 5, false, false],
    ['one service alone logs its class (the index answers)', 4, 300, 0, 3, true, true],
    ['one service alone, some untimed', 5, 300, 0.3, 3, true, true],
  ])('%s (seed %i)', (_name, seed, n, untimed, minutes, sole, indexed) => {
    const t = rankedLog(seed, n, untimed, minutes, sole);
    const ctx = ctxOf(t);
    const classes = (t.db.prepare('SELECT DISTINCT class FROM log_events WHERE class IS NOT NULL ORDER BY class').all() as { class: string }[]).map((r) => r.class);
    const qs: LogQuery[] = [
      { classes },
      { classes, services: ['cdb_ws'] },
      { classes, services: [null] },
      { classes, services: [null, 'cdb_db_writer'], messages: [TEXTS[0], TEXTS[3]] },
    ];
    let sawIndexCase = false;
    for (const q of qs) {
      const all: LogRow[] = [];
      eachLog(ctx, q, (r) => all.push(r));
      // The service filter: null is the records that name none.
      const wanted = new Set(q.services);
      const byHand: LogRow[] = [];
      eachLog(ctx, { ...q, services: undefined }, (r) => {
        if (!q.services || wanted.has(r.service)) byHand.push(r);
      });
      expect(all).toEqual(byHand);
      const timed = all.filter((r) => r.ts !== null).length;
      const ofClasses = (t.db.prepare(`SELECT COUNT(*) AS n FROM log_events WHERE class IN (${classes.map(() => '?').join(',')}) AND ts IS NOT NULL`).get(...classes) as { n: number }).n;
      if (ofClasses === timed && timed > 0) sawIndexCase = true;
      for (let k = 0; k < all.length; k++) expect(logNth(ctx, q, k, timed)).toEqual(all[k]);
      expect(logNth(ctx, q, all.length, timed)).toBeNull();
      const groups: LogClassTextGroup[] = [];
      eachLogClassTextGroup(ctx, q, (g) => groups.push(g));
      const want = new Map<string, LogClassTextGroup>();
      for (const r of all) {
        const key = `${r.class}\u0000${r.kind}\u0000${r.service}\u0000${r.message}`;
        const g = want.get(key) ?? { class: r.class!, kind: r.kind, service: r.service, message: r.message, n: 0, timed: 0, firstTs: null, lastTs: null };
        g.n++;
        if (r.ts !== null) {
          g.timed++;
          if (g.firstTs === null || r.ts < g.firstTs) g.firstTs = r.ts;
          if (g.lastTs === null || r.ts > g.lastTs) g.lastTs = r.ts;
        }
        want.set(key, g);
      }
      const keyed = (gs: LogClassTextGroup[]) => new Map(gs.map((g) => [`${g.class}\u0000${g.kind}\u0000${g.service}\u0000${g.message}`, { ...g }]));
      expect(keyed(groups)).toEqual(keyed([...want.values()]));
    }
    // Not vacuous: where one service alone logs the class, the k-th time is found on the index.
    expect(sawIndexCase).toBe(indexed);
  });
});
