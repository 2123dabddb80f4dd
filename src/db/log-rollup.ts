import type Database from 'better-sqlite3';

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
    // `+file_id`: within one hour the time index is the short way, not every record of the file.
    return (db.prepare('SELECT MAX(ts) AS t FROM log_events WHERE +file_id = ? AND ts >= ? AND ts < ?').get(fileId, h.f, below) as { t: string | null }).t;
  }
  return null;
}

/**
 * `SELECT MIN(ts), MAX(ts) FROM log_events WHERE file_id = ? AND ts >= ? AND ts <= ?`, reading
 * only the records of the hours that hold the bounds.
 */
export function fileTsSpan(db: Database.Database, fileId: number, from: string, to: string): { f: string | null; t: string | null } {
  const hours = fileHours(db, fileId);
  // `+file_id`: within one hour the time index is the short way, not every record of the file.
  const exact = (lo: string, hi: string) =>
    db.prepare('SELECT MIN(ts) AS f, MAX(ts) AS t FROM log_events WHERE +file_id = ? AND ts >= ? AND ts <= ?').get(fileId, lo, hi) as { f: string | null; t: string | null };
  if (hours === null) {
    return db.prepare('SELECT MIN(ts) AS f, MAX(ts) AS t FROM log_events WHERE file_id = ? AND ts >= ? AND ts <= ?').get(fileId, from, to) as { f: string | null; t: string | null };
  }
  let f: string | null = null;
  for (const h of hours) {
    if (h.l < from || h.f > to) continue;
    f = h.f >= from ? h.f : exact(from, h.l < to ? h.l : to).f;
    if (f !== null) break;
  }
  let t: string | null = null;
  for (let i = hours.length - 1; i >= 0; i--) {
    const h = hours[i];
    if (h.l < from || h.f > to) continue;
    t = h.l <= to ? h.l : exact(h.f > from ? h.f : from, to).t;
    if (t !== null) break;
  }
  return { f, t };
}
