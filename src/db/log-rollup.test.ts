import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../redact/secrets.js';
import { rebuildHourly } from '../catalog/reclassify.js';
import {
  anyLogOfService, classCountInBlock, classesPassing, classIn, edgeRecord, fileMaxTsBelow, fileTsSpan, lastLogTs, serviceFirstTs, serviceLoggedBefore, servicesInBlock, serviceTsCoverage, skewByService,
} from './log-rollup.js';
import { INDEX_SQL, schemaSql } from './schema.js';
import { Writer } from './writer.js';

const T0 = Date.parse('2026-02-09T22:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Two log files written by the real Writer (so log_hourly is what an ingest keeps): file 1 has
 * cdb_ws with its clock 1 h ahead of the docker stamp (a TZ set), cdb_signal a few hundred ms
 * off, health polls 10 s off (never counted), records with no docker stamp or no time text, a
 * gap from 23:10 to 01:20, cdb_execution only from 22:45 to 22:55, and a few cdb_risk lines
 * around 22:30; file 2 (cdb_risk) starts later. The scan of the records is the reference.
 */
function bundle(): Database.Database {
  const db = new Database(':memory:');
  db.exec(schemaSql());
  const w = new Writer(db, new Redactor());
  const rec = (line: number, service: string, ms: number, skewMs: number | null, opts: { kind?: string; noText?: boolean; level?: string } = {}) =>
    w.write({
      table: 'log_events',
      line,
      lines: 1,
      values: {
        service, ts: iso(ms), ts_text: opts.noText ? null : iso(ms).replace('T', ' ').slice(0, 23), docker_ts: skewMs === null ? null : iso(ms - skewMs),
        level: opts.level ?? 'INFO', logger: service, message: `tick ${line}`, kind: opts.kind ?? 'app', format: 'bracket', stream: null,
      },
    });
  w.setFile(1);
  let line = 0;
  for (let ms = T0; ms < T0 + 5 * 3_600_000; ms += 97_000) {
    if (ms > T0 + 70 * 60_000 && ms < T0 + 200 * 60_000) continue;
    rec(++line, 'cdb_ws', ms, 3_600_000 + (line % 7));
    rec(++line, 'cdb_signal', ms + 1, ((line * 37) % 900) - 450);
    if (line % 5 === 0) rec(++line, 'cdb_ws', ms + 2, 10_000, { kind: 'health_poll' });
    if (line % 11 === 0) rec(++line, 'cdb_signal', ms + 3, null);
    if (line % 13 === 0) rec(++line, 'cdb_signal', ms + 4, 9_000, { noText: true });
  }
  // Only in the second half of an hour: whole inside a window that cuts the hour at :30.
  for (let ms = T0 + 45 * 60_000; ms < T0 + 55 * 60_000; ms += 30_000) rec(++line, 'cdb_execution', ms, 2_000);
  // Two groups of one service in one hour: INFO across :30, ERROR wholly after it.
  rec(++line, 'cdb_risk', T0 + 5 * 60_000, 1_000);
  rec(++line, 'cdb_risk', T0 + 50 * 60_000, 1_000);
  rec(++line, 'cdb_risk', T0 + 40 * 60_000, 1_000, { level: 'ERROR' });
  rec(++line, 'cdb_risk', T0 + 42 * 60_000, 1_000, { level: 'ERROR' });
  w.finishFile();
  w.setFile(2);
  line = 0;
  for (let ms = T0 + 150 * 60_000; ms < T0 + 6 * 3_600_000; ms += 61_000) rec(++line, 'cdb_risk', ms, 6_000);
  w.finishFile();
  return db;
}

/** The model build's in_block marks for a window. */
function mark(db: Database.Database, from: string, to: string): void {
  db.prepare('UPDATE log_events SET in_block = CASE WHEN ts IS NULL THEN NULL WHEN ts >= ? AND ts <= ? THEN 1 ELSE 0 END').run(from, to);
}

const D = '(julianday(ts) - julianday(docker_ts)) * 86400.0';
function scanSkew(db: Database.Database) {
  return db
    .prepare(
      `SELECT COALESCE(service, '(unknown service)') AS service, COUNT(*) AS n, SUM(ABS(${D}) > 5) AS skewed, AVG(${D}) AS avg, MIN(${D}) AS lo, MAX(${D}) AS hi
       FROM log_events WHERE ts IS NOT NULL AND docker_ts IS NOT NULL AND ts_text IS NOT NULL AND COALESCE(in_block, 1) = 1 AND COALESCE(kind, '') <> 'health_poll'
       GROUP BY COALESCE(service, '(unknown service)') ORDER BY service`,
    )
    .all() as { service: string; n: number; skewed: number; avg: number; lo: number; hi: number }[];
}

const WINDOWS: [string, string, string][] = [
  ['the whole evidence', '2026-02-09T00:00:00.000Z', '2026-02-10T23:59:59.999Z'],
  ['whole UTC hours', '2026-02-09T23:00:00.000Z', '2026-02-10T01:59:59.999Z'],
  ['edges inside hours (a half-hour zone)', '2026-02-09T22:30:00.000Z', '2026-02-10T02:29:59.999Z'],
  ['an edge inside the gap', '2026-02-10T00:00:00.000Z', '2026-02-10T03:15:00.000Z'],
  ['one millisecond', '2026-02-09T22:01:37.000Z', '2026-02-09T22:01:37.000Z'],
  ['before any record', '2026-02-01T00:00:00.000Z', '2026-02-01T23:59:59.999Z'],
];

describe('log_hourly answers what a scan of the records answers', () => {
  it.each(WINDOWS)('clock skew per service, %s', (_name, from, to) => {
    const db = bundle();
    mark(db, from, to);
    const want = scanSkew(db);
    const got = skewByService(db, from, to);
    expect(got.map(({ avg: _a, ...r }) => r)).toEqual(want.map(({ avg: _a, ...r }) => r));
    got.forEach((g, i) => expect(g.avg).toBeCloseTo(want[i].avg, 9));
  });

  it.each(WINDOWS)('clock skew after the rollup is recomputed from the stored records (reclassify, copies), %s', (_name, from, to) => {
    const db = bundle();
    rebuildHourly(db, 1);
    rebuildHourly(db, 2);
    mark(db, from, to);
    const want = scanSkew(db);
    const got = skewByService(db, from, to);
    expect(got.map(({ avg: _a, ...r }) => r)).toEqual(want.map(({ avg: _a, ...r }) => r));
  });

  it('a group not summed (a migrated database) is answered by the scan', () => {
    const db = bundle();
    db.exec("UPDATE log_hourly SET skew_n = NULL WHERE service = 'cdb_ws' AND hour = '2026-02-09T22'");
    const [from, to] = ['2026-02-09T00:00:00.000Z', '2026-02-10T23:59:59.999Z'];
    mark(db, from, to);
    expect(skewByService(db, from, to)).toEqual(scanSkew(db));
  });

  it('the sums hold what the clock-skew rule needs: the 1 h offset and the few hundred ms', () => {
    const db = bundle();
    const [from, to] = ['2026-02-09T00:00:00.000Z', '2026-02-10T23:59:59.999Z'];
    mark(db, from, to);
    const by = Object.fromEntries(skewByService(db, from, to).map((a) => [a.service, a]));
    expect(by.cdb_ws.skewed).toBe(by.cdb_ws.n);
    expect(Math.round(by.cdb_ws.avg / 3600)).toBe(1);
    expect(by.cdb_signal.skewed).toBe(0);
    expect(Math.abs(by.cdb_signal.lo)).toBeLessThan(0.5);
  });

  it.each([
    ['the bound inside an hour', '2026-02-09T22:40:00.000Z'],
    ['the bound on an hour', '2026-02-10T01:00:00.000Z'],
    ['the bound inside the gap', '2026-02-10T00:30:00.000Z'],
    ['the bound before the file', '2026-02-09T21:00:00.000Z'],
    ['the bound after the file', '2026-02-11T00:00:00.000Z'],
  ])('a file\'s last record before a bound, %s', (_name, below) => {
    const db = bundle();
    for (const f of [1, 2]) {
      const want = (db.prepare('SELECT MAX(ts) AS t FROM log_events WHERE file_id = ? AND ts < ?').get(f, below) as { t: string | null }).t;
      expect(fileMaxTsBelow(db, f, below)).toBe(want);
    }
  });

  it.each(WINDOWS)('a service\'s first and last record and count inside a window, %s', (_name, from, to) => {
    const db = bundle();
    for (const service of ['cdb_ws', 'cdb_signal', 'cdb_execution', 'cdb_risk', 'cdb_absent']) {
      const want = db.prepare('SELECT MIN(ts) AS f, MAX(ts) AS t, COUNT(*) AS n FROM log_events WHERE service = ? AND ts IS NOT NULL AND ts >= ? AND ts <= ?').get(service, from, to);
      expect(serviceTsCoverage(db, service, from, to), service).toEqual(want);
    }
  });

  it.each(WINDOWS)('a file\'s first and last record inside a window, %s', (_name, from, to) => {
    const db = bundle();
    for (const f of [1, 2]) {
      const want = db.prepare('SELECT MIN(ts) AS f, MAX(ts) AS t FROM log_events WHERE file_id = ? AND ts >= ? AND ts <= ?').get(f, from, to);
      expect(fileTsSpan(db, f, from, to)).toEqual(want);
    }
  });
});

/**
 * Error-like records written by the real Writer in two files: a class at ERROR and the same class
 * at INFO, a traceback at INFO, unclassified records at ERROR and at a lower-case `error`, a
 * health poll and a report line at ERROR, records without a level, without a time, and bulk
 * DEBUG ticks around them, across hours whose edges the windows cut.
 */
function errors(): Database.Database {
  const db = new Database(':memory:');
  db.exec(schemaSql());
  const w = new Writer(db, new Redactor());
  let line = 0;
  const rec = (service: string | null, ms: number | null, level: string | null, message: string, kind = 'app') =>
    w.write({
      table: 'log_events',
      line: ++line,
      lines: 1,
      values: { service, ts: ms === null ? null : iso(ms), ts_text: null, docker_ts: null, level, logger: service, message, kind, format: 'bracket', stream: null },
    });
  w.setFile(1);
  for (let m = 0; m < 300; m += 7) rec('cdb_signal', T0 + m * 60_000, 'DEBUG', 'BTCUSDT: Volume zu niedrig (0.0 < 100000.0)');
  rec('cdb_signal', T0 + 20 * 60_000, 'ERROR', 'Fehler beim Signal-Publishing: Connection closed by server.');
  rec('cdb_signal', T0 + 95 * 60_000, 'INFO', 'Fehler beim Signal-Publishing: Connection closed by server.');
  rec('cdb_ws', T0 + 130 * 60_000, 'INFO', 'Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: \'x\'');
  rec('cdb_ws', T0 + 150 * 60_000, 'ERROR', 'boom 1');
  rec('cdb_ws', T0 + 151 * 60_000, 'error', 'boom 2');
  rec('cdb_ws', T0 + 152 * 60_000, null, 'boom 3');
  rec('cdb_ws', T0 + 153 * 60_000, 'ERROR', '127.0.0.1 - - [20/Nov/2025 18:59:40] "GET /health HTTP/1.1" 500 -', 'health_poll');
  rec(null, null, 'CRITICAL', 'untimed crash');
  w.finishFile();
  w.setFile(2);
  line = 0;
  rec('cdb_risk', T0 + 200 * 60_000, 'ERROR', 'report says no', 'report');
  rec('cdb_risk', T0 + 210 * 60_000, 'FATAL', 'risk down');
  rec('cdb_risk', T0 + 211 * 60_000, 'FATAL', 'risk down');
  w.finishFile();
  return db;
}

const ERROR_RECORD = "COALESCE(kind, '') NOT IN ('health_poll', 'report') AND (UPPER(COALESCE(level, '')) IN ('ERROR', 'CRITICAL', 'FATAL', 'PANIC') OR class = 'python.traceback')";
const errorGroups = (db: Database.Database, only: { sql: string; params: string[] }) =>
  db
    .prepare(
      `SELECT COALESCE(service, '(unknown service)') AS service, COUNT(*) AS n, MIN(id) AS first_id, file_id, line_no, message, class
       FROM log_events WHERE COALESCE(in_block, 1) = 1 AND ${ERROR_RECORD}${only.sql}
       GROUP BY COALESCE(service, '(unknown service)'), substr(message, 1, 200) ORDER BY service, first_id`,
    )
    .all(...only.params);

describe('classesPassing: the classes log_hourly shows for records of a kind, level and class', () => {
  it.each(WINDOWS)('the error records read through their classes are the scan\'s, %s', (_name, from, to) => {
    for (const rebuilt of [false, true]) {
      const db = errors();
      if (rebuilt) for (const f of [1, 2]) rebuildHourly(db, f);
      mark(db, from, to);
      const cls = classesPassing(db, ERROR_RECORD)!;
      expect(cls).toEqual([null, 'python.traceback', 'signal.error.publish']);
      expect(errorGroups(db, classIn(cls))).toEqual(errorGroups(db, { sql: '', params: [] }));
    }
  });

  it.each<[string, string, (string | null)[]]>([
    ['no record passes: no class, and no record read', "level = 'PANIC'", []],
    ['only classified records', "level = 'DEBUG'", ['signal.filter.volume']],
    ['only unclassified records', "level = 'FATAL'", [null]],
  ])('%s', (_name, where, want) => {
    const db = errors();
    const cls = classesPassing(db, where)!;
    expect(cls).toEqual(want);
    const pick = (only: { sql: string; params: string[] }) => db.prepare(`SELECT id FROM log_events WHERE ${where}${only.sql} ORDER BY id`).all(...only.params);
    expect(pick(classIn(cls))).toEqual(pick({ sql: '', params: [] }));
  });

  it('a database whose rollup is empty while it holds records cannot be answered from it', () => {
    const db = errors();
    db.exec('DELETE FROM log_hourly');
    expect(classesPassing(db, ERROR_RECORD)).toBeNull();
  });
});

/**
 * Records of several classes, services and files written by the real Writer: volume drops and
 * publish errors of cdb_signal, unclassified ticks and health polls of cdb_ws, records without a
 * service (found by logger), records without a time, a time that is not ISO text (no hour in the
 * rollup), a second file for cdb_risk that starts later, and records before and after every window.
 */
function mixed(): Database.Database {
  const db = new Database(':memory:');
  db.exec(schemaSql());
  const w = new Writer(db, new Redactor());
  let line = 0;
  const rec = (service: string | null, ts: string | number | null, message: string, kind = 'app', logger: string | null = service) =>
    w.write({
      table: 'log_events',
      line: ++line,
      lines: 1,
      values: { service, ts: typeof ts === 'number' ? iso(ts) : ts, ts_text: null, docker_ts: null, level: 'INFO', logger, message, kind, format: 'bracket', stream: null },
    });
  const poll = '127.0.0.1 - - [20/Nov/2025 18:59:40] "GET /health HTTP/1.1" 200 -';
  w.setFile(1);
  rec('cdb_signal', T0 - 26 * 3_600_000, 'BTCUSDT: Volume zu niedrig (0.0 < 100000.0)');
  for (let m = 0; m < 300; m += 7) {
    rec('cdb_signal', T0 + m * 60_000, 'BTCUSDT: Volume zu niedrig (0.0 < 100000.0)');
    rec('cdb_ws', T0 + m * 60_000 + 1, `tick ${m}`);
    if (m % 3 === 0) rec('cdb_ws', T0 + m * 60_000 + 2, poll, 'health_poll');
    if (m % 5 === 0) rec(null, T0 + m * 60_000 + 3, 'Fehler beim Signal-Publishing: Connection closed by server.', 'app', 'signal_engine');
  }
  rec('cdb_signal', T0 + 95 * 60_000, 'Fehler beim Signal-Publishing: Connection closed by server.');
  rec('cdb_signal', null, 'Fehler beim Signal-Publishing: Connection closed by server.');
  rec(null, null, 'untimed, unnamed');
  rec('cdb_ws', '2026-02-10 00:30:00', 'a time that is not ISO text');
  rec('cdb_health_only', T0 + 40 * 60_000, poll, 'health_poll');
  rec('cdb_untimed', null, 'no time at all');
  w.finishFile();
  w.setFile(2);
  line = 0;
  for (let ms = T0 + 150 * 60_000; ms < T0 + 30 * 3_600_000; ms += 53 * 60_000) rec('cdb_risk', ms, `risk tick ${ms}`);
  rec('cdb_signal', T0 + 4 * 3_600_000 + 17, 'Fehler beim Signal-Publishing: Connection closed by server.');
  w.finishFile();
  return db;
}

const FIXTURES: [string, () => Database.Database][] = [
  ['ticks', bundle],
  ['mixed classes', mixed],
];
const SERVICES = ['cdb_ws', 'cdb_signal', 'cdb_execution', 'cdb_risk', 'cdb_health_only', 'cdb_untimed', 'cdb_absent'];
const cases = FIXTURES.flatMap(([f, make]) => WINDOWS.map(([w, from, to]) => [`${f}, ${w}`, make, from, to] as const));

describe('reads through the (class, ts) index answer what the scan answers', () => {
  it.each(cases)('the services with a record in the block, %s', (_name, make, from, to) => {
    for (const rebuilt of [false, true]) {
      const db = make();
      if (rebuilt) for (const f of [1, 2]) rebuildHourly(db, f);
      mark(db, from, to);
      const want = (db.prepare('SELECT DISTINCT service FROM log_events WHERE service IS NOT NULL AND COALESCE(in_block, 1) = 1 ORDER BY service').all() as { service: string }[]).map((r) => r.service);
      expect(servicesInBlock(db, from, to)).toEqual(want);
    }
  });

  it.each(cases)('whether a service logged before a bound, the first time of each, and the last of all, %s', (_name, make, from, to) => {
    const db = make();
    for (const service of SERVICES) {
      for (const below of [from, to]) {
        const want = !!db.prepare('SELECT COUNT(*) AS n FROM log_events WHERE service = ? AND ts IS NOT NULL AND ts < ?').pluck().get(service, below);
        expect(serviceLoggedBefore(db, service, below), `${service} < ${below}`).toBe(want);
      }
      expect(serviceFirstTs(db, service), service).toBe(db.prepare('SELECT MIN(ts) FROM log_events WHERE service = ? AND ts IS NOT NULL').pluck().get(service));
    }
    expect(lastLogTs(db)).toBe(db.prepare('SELECT MAX(ts) FROM log_events').pluck().get());
  });

  it.each(cases)('a service\'s records inside a window, and a file\'s, %s', (_name, make, from, to) => {
    const db = make();
    for (const service of SERVICES) {
      const want = db.prepare('SELECT MIN(ts) AS f, MAX(ts) AS t, COUNT(*) AS n FROM log_events WHERE service = ? AND ts IS NOT NULL AND ts >= ? AND ts <= ?').get(service, from, to);
      expect(serviceTsCoverage(db, service, from, to), service).toEqual(want);
    }
    for (const f of [1, 2]) {
      expect(fileTsSpan(db, f, from, to)).toEqual(db.prepare('SELECT MIN(ts) AS f, MAX(ts) AS t FROM log_events WHERE file_id = ? AND ts >= ? AND ts <= ?').get(f, from, to));
      expect(fileMaxTsBelow(db, f, to)).toBe(db.prepare('SELECT MAX(ts) FROM log_events WHERE file_id = ? AND ts < ?').pluck().get(f, to));
    }
  });

  it.each(cases.flatMap(([n, make, from, to]) => (['ASC', 'DESC'] as const).map((dir) => [`${n}, ${dir}`, make, from, to, dir] as const)))(
    'the first or last record of a stage (by service, else by logger) in a window, %s',
    (_name, make, from, to, dir) => {
      const db = make();
      mark(db, from, to);
      const where = "(service IN ('cdb_signal') OR (service IS NULL AND logger IN ('signal_engine'))) AND ts >= ? AND ts <= ? AND COALESCE(in_block, 1) = 1";
      const want = db.prepare(`SELECT file_id, line_no FROM log_events WHERE ${where} ORDER BY ts ${dir}, file_id ${dir}, line_no ${dir} LIMIT 1`).get(from, to);
      const classes = classesPassing(db, "service = 'cdb_signal' OR service IS NULL")!;
      expect(edgeRecord(db, classes, where, [from, to], dir)).toEqual(want);
    },
  );

  it.each(cases.flatMap(([n, make, from, to]) => [false, true].map((rebuilt) => [`${n}${rebuilt ? ', rollup recomputed' : ''}`, make, from, to, rebuilt] as const)))(
    'how many records of some classes lie in the block (health polls left out), %s',
    (_name, make, from, to, rebuilt) => {
      const db = make();
      if (rebuilt) for (const f of [1, 2]) rebuildHourly(db, f);
      mark(db, from, to);
      const named = (db.prepare('SELECT DISTINCT class FROM log_events WHERE class IS NOT NULL ORDER BY class').pluck().all() as string[]);
      for (const classes of [...named.map((c) => [c]), named, ['signal.filter.volume', 'signal.error.publish'], ['no.such.class'], []]) {
        const want = db
          .prepare(
            `SELECT COUNT(*) FROM log_events WHERE class IN (SELECT value FROM json_each(?)) AND ts >= ? AND ts <= ? AND COALESCE(in_block, 1) = 1 AND (kind IS NULL OR kind != 'health_poll')`,
          )
          .pluck()
          .get(JSON.stringify(classes), from, to);
        expect(classCountInBlock(db, classes, from, to), classes.join(',')).toBe(want);
      }
    },
  );

  it('a record of the classes whose time is not ISO (no hour) leaves the count to the records', () => {
    const db = mixed();
    const w = new Writer(db, new Redactor());
    w.setFile(3);
    const values = { service: 'cdb_signal', ts: '2026-02-10 00:31:00', ts_text: null, docker_ts: null, level: 'DEBUG', logger: 'cdb_signal', message: 'BTCUSDT: Volume zu niedrig (0.0 < 100000.0)', kind: 'app', format: 'bracket', stream: null };
    w.write({ table: 'log_events', line: 1, lines: 1, values });
    w.finishFile();
    expect(classCountInBlock(db, ['signal.filter.volume'], '2026-02-09T00:00:00.000Z', '2026-02-10T23:59:59.999Z')).toBeNull();
    // Another class's untimed records do not stand in the way.
    expect(classCountInBlock(db, ['signal.error.publish'], '2026-02-09T00:00:00.000Z', '2026-02-10T23:59:59.999Z')).not.toBeNull();
  });

  it.each<[string, string[]]>([
    ['one service that logged', ['cdb_ws']],
    ['one that logged only health polls', ['cdb_health_only']],
    ['one that never logged', ['cdb_absent']],
    ['one of two', ['cdb_absent', 'cdb_risk']],
    ['none', []],
  ])('whether any record names a service: %s', (_name, services) => {
    for (const [, make] of FIXTURES) {
      const db = make();
      const want = services.length > 0 && !!db.prepare(`SELECT 1 FROM log_events WHERE service IN (${services.map(() => '?').join(',')}) LIMIT 1`).get(...services);
      expect(anyLogOfService(db, services)).toBe(want);
    }
  });

  it('with the model build\'s indexes, none of these reads scans log_events or sorts it whole', () => {
    const db = mixed();
    db.exec(INDEX_SQL);
    const [from, to] = ['2026-02-09T22:30:00.000Z', '2026-02-10T02:29:59.999Z'];
    mark(db, from, to);
    const seen: string[] = [];
    const prepare = db.prepare.bind(db);
    (db as { prepare: unknown }).prepare = (sql: string) => {
      if (/log_events/.test(sql)) seen.push(sql);
      return prepare(sql);
    };
    servicesInBlock(db, from, to);
    for (const s of SERVICES) {
      serviceLoggedBefore(db, s, to);
      serviceFirstTs(db, s);
      serviceTsCoverage(db, s, from, to);
    }
    for (const f of [1, 2]) {
      fileTsSpan(db, f, from, to);
      fileMaxTsBelow(db, f, to);
    }
    lastLogTs(db);
    skewByService(db, from, to);
    expect(classCountInBlock(db, ['signal.filter.volume', 'signal.error.publish'], from, to)).not.toBeNull();
    edgeRecord(db, classesPassing(db, "service = 'cdb_signal' OR service IS NULL")!, "service = 'cdb_signal' AND ts >= ? AND ts <= ?", [from, to], 'DESC');
    expect(seen.length).toBeGreaterThan(10);
    for (const sql of new Set(seen)) {
      const n = (sql.match(/\?/g) ?? []).length;
      const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(n).fill(null)) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan, sql).not.toMatch(/SCAN log_events|AUTOMATIC/);
    }
  });
});
