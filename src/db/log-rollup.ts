import type Database from 'better-sqlite3';
import { SKEW_S } from './clock-skew-sums.js';

/**
 * Questions about log records answered from log_hourly (the per-file, per-hour counts and spans
 * the writer keeps) where they would otherwise read every record of a file or of the bundle.
 * Each answer is the one the full scan gives: the rollup only says where to look. A database
 * whose rollup is empty while it holds log records (one built by hand) is answered by the scan.
 */

const covered = new WeakMap<Database.Database, boolean>();

/** Whether log_hourly accounts for the log records (empty only when there are none). */
export function rollupCovers(db: Database.Database): boolean {
  let v = covered.get(db);
  if (v === undefined) {
    v = !!db.prepare('SELECT 1 FROM log_hourly LIMIT 1').get() || !db.prepare('SELECT 1 FROM log_events LIMIT 1').get();
    covered.set(db, v);
  }
  return v;
}

/** Whether any log record has one of these kinds (false means none; true when in doubt). */
export function anyLogOfKind(db: Database.Database, kinds: readonly string[]): boolean {
  if (!rollupCovers(db)) return true;
  return !!db.prepare('SELECT 1 FROM log_hourly WHERE kind IN (SELECT value FROM json_each(?)) LIMIT 1').get(JSON.stringify(kinds));
}

/** Hours (`YYYY-MM-DDTHH`) of a file's timed records with their first and last time; null when the rollup cannot answer. */
function fileHours(db: Database.Database, fileId: number): { hour: string; f: string; l: string }[] | null {
  if (!rollupCovers(db)) return null;
  // A time that is not ISO has no hour: such a file is answered by the scan.
  const untimed = db.prepare('SELECT 1 FROM log_hourly WHERE file_id = ? AND hour IS NULL LIMIT 1');
  const hours = db.prepare('SELECT hour, MIN(first_ts) AS f, MAX(last_ts) AS l FROM log_hourly WHERE file_id = ? AND hour IS NOT NULL GROUP BY hour ORDER BY hour');
  if (untimed.get(fileId)) {
    const anyTs = db.prepare('SELECT 1 FROM log_events WHERE file_id = ? AND ts IS NOT NULL AND (length(ts) < 13 OR substr(ts, 11, 1) <> \'T\') LIMIT 1');
    if (anyTs.get(fileId)) return null;
  }
  return hours.all(fileId) as { hour: string; f: string; l: string }[];
}

/**
 * `SELECT MAX(ts) FROM log_events WHERE file_id = ? AND ts < ?`, reading only the records of the
 * hour that holds the bound.
 */
export function fileMaxTsBelow(db: Database.Database, fileId: number, below: string): string | null {
  const hours = fileHours(db, fileId);
  if (hours === null) {
    return (db.prepare('SELECT MAX(ts) AS t FROM log_events WHERE file_id = ? AND ts < ?').get(fileId, below) as { t: string | null }).t;
  }
  for (let i = hours.length - 1; i >= 0; i--) {
    const h = hours[i];
    if (h.f >= below) continue;
    if (h.l < below) return h.l;
    // `+file_id`: within one hour the (class, ts) index is the short way, not every record of the file.
    const only = classIn(hourClasses(db, 'file_id = ?', fileId, h.hour));
    return (db.prepare(`SELECT MAX(ts) AS t FROM log_events WHERE +file_id = ? AND ts >= ? AND ts < ?${only.sql}`).get(fileId, h.f, below, ...only.params) as { t: string | null }).t;
  }
  return null;
}

/**
 * `SELECT MIN(ts), MAX(ts) FROM log_events WHERE file_id = ? AND ts >= ? AND ts <= ?`, reading
 * only the records of the hours that hold the bounds.
 */
export function fileTsSpan(db: Database.Database, fileId: number, from: string, to: string): { f: string | null; t: string | null } {
  const hours = fileHours(db, fileId);
  // `+file_id`: within one hour the (class, ts) index is the short way, not every record of the file.
  const exact = (hour: string, lo: string, hi: string) => {
    const only = classIn(hourClasses(db, 'file_id = ?', fileId, hour));
    return db.prepare(`SELECT MIN(ts) AS f, MAX(ts) AS t FROM log_events WHERE +file_id = ? AND ts >= ? AND ts <= ?${only.sql}`).get(fileId, lo, hi, ...only.params) as { f: string | null; t: string | null };
  };
  if (hours === null) {
    return db.prepare('SELECT MIN(ts) AS f, MAX(ts) AS t FROM log_events WHERE file_id = ? AND ts >= ? AND ts <= ?').get(fileId, from, to) as { f: string | null; t: string | null };
  }
  let f: string | null = null;
  for (const h of hours) {
    if (h.l < from || h.f > to) continue;
    f = h.f >= from ? h.f : exact(h.hour, from, h.l < to ? h.l : to).f;
    if (f !== null) break;
  }
  let t: string | null = null;
  for (let i = hours.length - 1; i >= 0; i--) {
    const h = hours[i];
    if (h.l < from || h.f > to) continue;
    t = h.l <= to ? h.l : exact(h.hour, h.f > from ? h.f : from, to).t;
    if (t !== null) break;
  }
  return { f, t };
}

/** Per service, the records with both clocks inside the block (the clock-skew rule's aggregates). */
export interface SkewAggregate {
  service: string;
  n: number;
  skewed: number;
  avg: number;
  lo: number;
  hi: number;
}

const SKEW_D = '(julianday(ts) - julianday(docker_ts)) * 86400.0';

/** The records' own aggregates; `extra` narrows them (one hour). */
function skewScanSql(extra: string): string {
  return `SELECT COALESCE(service, '(unknown service)') AS service, COUNT(*) AS n, SUM(ABS(${SKEW_D}) > ${SKEW_S}) AS skewed, AVG(${SKEW_D}) AS avg, TOTAL(${SKEW_D}) AS sum, MIN(${SKEW_D}) AS lo, MAX(${SKEW_D}) AS hi
          FROM log_events
          WHERE ts IS NOT NULL AND docker_ts IS NOT NULL AND ts_text IS NOT NULL AND COALESCE(in_block, 1) = 1 AND COALESCE(kind, '') <> 'health_poll'${extra}
          GROUP BY COALESCE(service, '(unknown service)') ORDER BY service`;
}

/**
 * How far each service's application time is from its docker stamp, over the records inside the
 * block [from, to] (which the model build marked in_block): from log_hourly's skew sums for the
 * hours wholly inside the block, from the records for an hour the block's edge cuts, and from
 * every record when a group was not summed (a database migrated from an older schema). The
 * counts and extremes are those of the records; the mean may differ from SQLite's AVG() in the
 * last bits (the same values summed in another order).
 */
export function skewByService(db: Database.Database, from: string, to: string): SkewAggregate[] {
  const scan = (extra: string, ...params: string[]) =>
    db.prepare(skewScanSql(extra)).all(...params) as (SkewAggregate & { sum: number })[];
  const full = (): SkewAggregate[] => scan('').map(({ service, n, skewed, avg, lo, hi }) => ({ service, n, skewed, avg, lo, hi }));
  if (!rollupCovers(db)) return full();
  const groups = db
    .prepare(
      `SELECT COALESCE(service, '(unknown service)') AS service, hour, first_ts AS f, last_ts AS l, skew_n AS n, skew_over AS over, skew_sum AS sum, skew_lo AS lo, skew_hi AS hi
       FROM log_hourly WHERE COALESCE(kind, '') <> 'health_poll' AND (skew_n IS NULL OR skew_n > 0)
       ORDER BY file_id, hour, service, kind, level, class`,
    )
    .all() as { service: string; hour: string | null; f: string | null; l: string | null; n: number | null; over: number; sum: number; lo: number; hi: number }[];
  const acc = new Map<string, { n: number; skewed: number; sum: number; err: number; lo: number; hi: number }>();
  const add = (service: string, n: number, skewed: number, sum: number, lo: number, hi: number) => {
    let a = acc.get(service);
    if (!a) acc.set(service, (a = { n: 0, skewed: 0, sum: 0, err: 0, lo, hi }));
    a.n += n;
    a.skewed += skewed;
    const t = a.sum + sum;
    a.err += Math.abs(a.sum) >= Math.abs(sum) ? a.sum - t + sum : sum - t + a.sum;
    a.sum = t;
    if (lo < a.lo) a.lo = lo;
    if (hi > a.hi) a.hi = hi;
  };
  // In a fixed order (the sums are added in it), whatever order the rows were stored in.
  // An hour the block's edge cuts (for any of its groups) is read from its records as a whole.
  const cut = new Set<string>();
  const inside: typeof groups = [];
  for (const g of groups) {
    if (g.hour === null || g.f === null || g.l === null) return full();
    if (g.l < from || g.f > to) continue;
    if (g.n === null) return full();
    if (g.f >= from && g.l <= to) inside.push(g);
    else cut.add(g.hour);
  }
  for (const g of inside) if (!cut.has(g.hour!)) add(g.service, g.n!, g.over, g.sum, g.lo, g.hi);
  // An hour's records all start with `YYYY-MM-DDTHH:`, and ';' follows ':'.
  for (const hour of [...cut].sort()) {
    const only = classIn(hourClasses(db, "COALESCE(kind, '') <> 'health_poll'", null, hour));
    for (const r of scan(` AND ts >= ? AND ts < ?${only.sql}`, hour, `${hour};`, ...only.params)) add(r.service, r.n, r.skewed, r.sum, r.lo, r.hi);
  }
  return [...acc.entries()]
    .filter(([, a]) => a.n > 0)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([service, a]) => ({ service, n: a.n, skewed: a.skewed, avg: (a.sum + a.err) / a.n, lo: a.lo, hi: a.hi }));
}

/**
 * `SELECT MIN(ts), MAX(ts), COUNT(*) FROM log_events WHERE service = ? AND ts IS NOT NULL AND
 * ts >= ? AND ts <= ?` from the service's hours: the counts of hours wholly inside the window, the
 * records of an hour its edge cuts.
 */
export function serviceTsCoverage(db: Database.Database, service: string, from: string, to: string): { f: string | null; t: string | null; n: number } {
  // The records of the service's classes (in one hour, or in all): read through the (class, ts) index.
  const scan = (lo: string, hi: string, only: { sql: string; params: string[] } = { sql: '', params: [] }) =>
    db.prepare(`SELECT MIN(ts) AS f, MAX(ts) AS t, COUNT(*) AS n FROM log_events WHERE service = ? AND ts IS NOT NULL AND ts >= ? AND ts <= ?${only.sql}`).get(service, lo, hi, ...only.params) as {
      f: string | null;
      t: string | null;
      n: number;
    };
  if (!rollupCovers(db)) return scan(from, to);
  const groups = db.prepare('SELECT hour, first_ts AS f, last_ts AS l, n FROM log_hourly WHERE service = ?').all(service) as { hour: string | null; f: string | null; l: string | null; n: number }[];
  // A record whose time is not ISO has no hour, yet its text may sort inside the window.
  if (groups.some((g) => g.hour === null) && hasNonIsoTs(db, 'service = ?', service)) {
    return scan(from, to, classIn(classesPassing(db, 'service = ?', service)!));
  }
  const cut = new Set<string>();
  const inside: { hour: string; f: string; l: string; n: number }[] = [];
  for (const g of groups) {
    if (g.hour === null || g.f === null || g.l === null || g.l < from || g.f > to) continue;
    if (g.f >= from && g.l <= to) inside.push(g as { hour: string; f: string; l: string; n: number });
    else cut.add(g.hour);
  }
  const out: { f: string | null; t: string | null; n: number } = { f: null, t: null, n: 0 };
  const add = (f: string | null, t: string | null, n: number) => {
    if (n === 0) return;
    out.n += n;
    if (f !== null && (out.f === null || f < out.f)) out.f = f;
    if (t !== null && (out.t === null || t > out.t)) out.t = t;
  };
  for (const g of inside) if (!cut.has(g.hour)) add(g.f, g.l, g.n);
  // An hour's records all start with `YYYY-MM-DDTHH:`, and ';' follows ':'.
  for (const hour of cut) {
    const lo = hour > from ? hour : from;
    const hi = `${hour};` < to ? `${hour};` : to;
    const r = scan(lo, hi, classIn(hourClasses(db, 'service = ?', service, hour)));
    add(r.f, r.t, r.n);
  }
  return out;
}

/**
 * The classes (null: unclassified) of the log records whose kind, level and class pass `where`
 * (SQL over those three columns), from log_hourly; null when the rollup cannot answer. Every
 * record that passes `where` has one of them, so a query over such records may add
 * `classIn(…)` and read them through the (class, ts) index instead of every record.
 */
export function classesPassing(db: Database.Database, where: string, ...params: unknown[]): (string | null)[] | null {
  if (!rollupCovers(db)) return null;
  return (db.prepare(`SELECT DISTINCT class FROM log_hourly WHERE ${where} ORDER BY class`).all(...params) as { class: string | null }[]).map((r) => r.class);
}

/** The classes of the groups of one hour that pass `where` (one parameter, or none when it is null); the rollup covers the records. */
function hourClasses(db: Database.Database, where: string, param: unknown, hour: string): (string | null)[] {
  return classesPassing(db, `${where} AND hour = ?`, ...(param === null ? [hour] : [param, hour]))!;
}

/**
 * Whether a record passing `where` (one parameter) has a time that is not ISO (such a record has
 * no hour in the rollup): read through the classes of its untimed groups only.
 */
function hasNonIsoTs(db: Database.Database, where: string, param: unknown): boolean {
  const untimed = classesPassing(db, `${where} AND hour IS NULL`, param)!;
  if (untimed.length === 0) return false;
  const only = classIn(untimed);
  return !!db.prepare(`SELECT 1 FROM log_events WHERE ${where} AND ts IS NOT NULL AND (length(ts) < 13 OR substr(ts, 11, 1) <> 'T')${only.sql} LIMIT 1`).get(param, ...only.params);
}

/** ` AND <class is one of them>` with its parameter: no record when the list is empty. */
export function classIn(classes: readonly (string | null)[]): { sql: string; params: string[] } {
  const named = classes.filter((c): c is string => c !== null);
  const parts: string[] = [];
  if (named.length) parts.push('class IN (SELECT value FROM json_each(?))');
  if (named.length < classes.length) parts.push('class IS NULL');
  return { sql: parts.length ? ` AND (${parts.join(' OR ')})` : ' AND 0', params: named.length ? [JSON.stringify(named)] : [] };
}

/** `SELECT 1 FROM log_events WHERE service IN (…) LIMIT 1`: whether any record names one of these services. */
export function anyLogOfService(db: Database.Database, services: readonly string[]): boolean {
  if (services.length === 0) return false;
  const list = JSON.stringify(services);
  const table = rollupCovers(db) ? 'log_hourly' : 'log_events';
  return !!db.prepare(`SELECT 1 FROM ${table} WHERE service IN (SELECT value FROM json_each(?)) LIMIT 1`).get(list);
}

/**
 * `SELECT 1 FROM log_events WHERE service = ? AND ts IS NOT NULL AND ts < ? LIMIT 1`: a timed
 * group of the service that starts before the bound answers it; only a record whose time is not
 * ISO (no hour) is looked for among the records, through its classes.
 */
export function serviceLoggedBefore(db: Database.Database, service: string, below: string): boolean {
  const probe = (only: { sql: string; params: string[] }) =>
    !!db.prepare(`SELECT 1 FROM log_events WHERE service = ? AND ts IS NOT NULL AND ts < ?${only.sql} LIMIT 1`).get(service, below, ...only.params);
  if (!rollupCovers(db)) return probe({ sql: '', params: [] });
  if (db.prepare('SELECT 1 FROM log_hourly WHERE service = ? AND hour IS NOT NULL AND first_ts < ? LIMIT 1').get(service, below)) return true;
  const untimed = classesPassing(db, 'service = ? AND hour IS NULL', service)!;
  return untimed.length > 0 && probe(classIn(untimed));
}

/**
 * The named services (sorted) with a record the model build marked inside the block [from, to]
 * or one without a time: `SELECT DISTINCT service FROM log_events WHERE service IS NOT NULL AND
 * COALESCE(in_block, 1) = 1`. Each group of the rollup says where its records lie; one probe of
 * the (class, ts) index per group that meets the block, until one record is found.
 */
export function servicesInBlock(db: Database.Database, from: string, to: string): string[] {
  if (!rollupCovers(db)) {
    return (db.prepare('SELECT DISTINCT service FROM log_events WHERE service IS NOT NULL AND COALESCE(in_block, 1) = 1 ORDER BY service').all() as { service: string }[]).map((r) => r.service);
  }
  const groups = db
    .prepare('SELECT service, class, hour, MIN(first_ts) AS f, MAX(last_ts) AS l FROM log_hourly WHERE service IS NOT NULL GROUP BY service, class, hour ORDER BY service, hour IS NULL, hour, class')
    .all() as { service: string; class: string | null; hour: string | null; f: string | null; l: string | null }[];
  const timed = db.prepare('SELECT 1 FROM log_events WHERE class IS ? AND ts >= ? AND ts <= ? AND service = ? AND COALESCE(in_block, 1) = 1 LIMIT 1');
  const untimed = db.prepare('SELECT 1 FROM log_events WHERE class IS ? AND ts IS NULL AND service = ? LIMIT 1');
  const nonIso = db.prepare(
    "SELECT 1 FROM log_events WHERE class IS ? AND ts IS NOT NULL AND service = ? AND COALESCE(in_block, 1) = 1 AND (length(ts) < 13 OR substr(ts, 11, 1) <> 'T') LIMIT 1",
  );
  const out: string[] = [];
  for (const g of groups) {
    if (out[out.length - 1] === g.service) continue;
    let found: unknown;
    if (g.hour === null) found = untimed.get(g.class, g.service) ?? nonIso.get(g.class, g.service);
    else if (g.f !== null && g.l !== null && g.l >= from && g.f <= to) found = timed.get(g.class, g.f > from ? g.f : from, g.l < to ? g.l : to, g.service);
    if (found) out.push(g.service);
  }
  return out;
}

/**
 * The first (ASC) or last (DESC) record in (ts, file_id, line_no) order among the timed records
 * that pass `where` and belong to one of `classes` (null: unclassified): one read of the
 * (class, ts) index per class, from the edge inward, then the best of them.
 */
export function edgeRecord(
  db: Database.Database,
  classes: readonly (string | null)[],
  where: string,
  params: readonly unknown[],
  dir: 'ASC' | 'DESC',
): { file_id: number; line_no: number } | undefined {
  if (classes.length === 0) return undefined;
  const order0 = `ORDER BY ts ${dir}, file_id ${dir}, line_no ${dir}`;
  // More classes than a compound SELECT may join (500): one read in order, sorted by SQLite.
  if (classes.length > 400) return db.prepare(`SELECT file_id, line_no FROM log_events WHERE ts IS NOT NULL AND ${where} ${order0} LIMIT 1`).get(...params) as { file_id: number; line_no: number } | undefined;
  const order = `ORDER BY ts ${dir}, file_id ${dir}, line_no ${dir}`;
  const one = `SELECT * FROM (SELECT ts, file_id, line_no FROM log_events WHERE class IS ? AND ts IS NOT NULL AND ${where} ${order} LIMIT 1)`;
  const sql = `SELECT file_id, line_no FROM (${classes.map(() => one).join(' UNION ALL ')}) ${order} LIMIT 1`;
  return db.prepare(sql).get(...classes.flatMap((c) => [c, ...params])) as { file_id: number; line_no: number } | undefined;
}

/**
 * `SELECT MIN(ts) FROM log_events WHERE service = ? AND ts IS NOT NULL`: the least first time of
 * the service's timed groups, and for its untimed groups (a time that is not ISO has no hour) the
 * least time of each of their classes, read from the front of the (class, ts) index.
 */
export function serviceFirstTs(db: Database.Database, service: string): string | null {
  if (!rollupCovers(db)) return (db.prepare('SELECT MIN(ts) AS ts FROM log_events WHERE service = ? AND ts IS NOT NULL').get(service) as { ts: string | null }).ts;
  const found: string[] = [];
  const timed = (db.prepare('SELECT MIN(first_ts) AS ts FROM log_hourly WHERE service = ? AND hour IS NOT NULL').get(service) as { ts: string | null }).ts;
  if (timed !== null) found.push(timed);
  const first = db.prepare('SELECT ts FROM log_events WHERE class IS ? AND ts IS NOT NULL AND service = ? ORDER BY ts LIMIT 1');
  for (const c of classesPassing(db, 'service = ? AND hour IS NULL', service)!) {
    const r = first.get(c, service) as { ts: string } | undefined;
    if (r) found.push(r.ts);
  }
  // SQLite's order of text, as MIN(ts) compares.
  return (db.prepare('SELECT MIN(value) AS ts FROM json_each(?)').get(JSON.stringify(found)) as { ts: string | null }).ts;
}

/** `SELECT MAX(ts) FROM log_events`: the greatest time of each class, from the end of the (class, ts) index. */
export function lastLogTs(db: Database.Database): string | null {
  if (!rollupCovers(db)) return (db.prepare('SELECT MAX(ts) AS t FROM log_events').get() as { t: string | null }).t;
  const found: string[] = [];
  const named = db.prepare('SELECT MAX(ts) AS t FROM log_events WHERE class = ?');
  const unnamed = db.prepare('SELECT MAX(ts) AS t FROM log_events WHERE class IS NULL');
  for (const c of classesPassing(db, '1')!) {
    const t = ((c === null ? unnamed.get() : named.get(c)) as { t: string | null }).t;
    if (t !== null) found.push(t);
  }
  return (db.prepare('SELECT MAX(value) AS t FROM json_each(?)').get(JSON.stringify(found)) as { t: string | null }).t;
}

/**
 * `SELECT COUNT(*) FROM log_events WHERE class IN (…) AND ts >= ? AND ts <= ? AND
 * COALESCE(in_block, 1) = 1 AND COALESCE(kind, '') <> 'health_poll'`, over the records inside the
 * block [from, to] (which the model build marked in_block): the counts of the classes' groups
 * wholly inside the block, and for an hour the block's edge cuts its records, read through the
 * (class, ts) index over that hour's times only. Null when the rollup cannot answer (it is empty,
 * or one of the records has a time that is not ISO and so no hour): then the caller counts.
 */
export function classCountInBlock(db: Database.Database, classes: readonly string[], from: string, to: string): number | null {
  if (!rollupCovers(db)) return null;
  if (classes.length === 0) return 0;
  const list = JSON.stringify(classes);
  const groups = db
    .prepare("SELECT hour, first_ts AS f, last_ts AS l, n FROM log_hourly WHERE class IN (SELECT value FROM json_each(?)) AND COALESCE(kind, '') <> 'health_poll'")
    .all(list) as { hour: string | null; f: string | null; l: string | null; n: number }[];
  if (groups.some((g) => g.hour === null)) {
    const nonIso = db.prepare(
      "SELECT 1 FROM log_events WHERE class IN (SELECT value FROM json_each(?)) AND ts IS NOT NULL AND (length(ts) < 13 OR substr(ts, 11, 1) <> 'T') LIMIT 1",
    );
    if (nonIso.get(list)) return null;
  }
  let n = 0;
  // Per cut hour, the least and greatest time of its groups: every record of the hour lies
  // between them, and every text between two times of one hour (one 13-character prefix) has that prefix.
  const cut = new Map<string, { f: string; l: string }>();
  const cutHours = new Set<string>();
  for (const g of groups) {
    if (g.hour === null || g.f === null || g.l === null || g.l < from || g.f > to) continue;
    if (g.f < from || g.l > to) cutHours.add(g.hour);
  }
  for (const g of groups) {
    if (g.hour === null || g.f === null || g.l === null || g.l < from || g.f > to) continue;
    if (!cutHours.has(g.hour)) {
      n += g.n;
      continue;
    }
    const c = cut.get(g.hour);
    if (!c) cut.set(g.hour, { f: g.f, l: g.l });
    else {
      if (g.f < c.f) c.f = g.f;
      if (g.l > c.l) c.l = g.l;
    }
  }
  const read = db.prepare(
    "SELECT COUNT(*) FROM log_events WHERE class IN (SELECT value FROM json_each(?)) AND ts >= ? AND ts <= ? AND COALESCE(in_block, 1) = 1 AND COALESCE(kind, '') <> 'health_poll'",
  );
  for (const c of cut.values()) n += read.pluck().get(list, c.f > from ? c.f : from, c.l < to ? c.l : to) as number;
  return n;
}
