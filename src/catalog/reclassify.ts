import { SKEW_AGGREGATES, SKEW_SQL } from '../db/clock-skew-sums.js';
import type { DB } from '../db/open.js';
import { CATALOG_VERSION, classify } from './index.js';

const BATCH = 5000;
/** Final statuses of a file a parser read (the writer stamped it with its catalog version). */
const PARSED = "'ingested', 'partial', 'accounting_error', 'error'";

/**
 * Files whose log records were classified under an older catalog version are classified again
 * from their stored records (no re-parse), and their hourly rollup is rebuilt from the new
 * classes. Returns how many files were re-classified. Each file is one transaction: an
 * interrupted run leaves a file either re-classified or as it was.
 */
export function reclassifyStale(db: DB): number {
  const stale = db
    .prepare(
      `SELECT id FROM manifest WHERE status IN (${PARSED}) AND COALESCE(catalog_version, 0) <> ?
         AND EXISTS (SELECT 1 FROM log_events WHERE file_id = manifest.id) ORDER BY id`,
    )
    .all(CATALOG_VERSION) as { id: number }[];
  // A parsed file without log records has nothing to classify, but is stamped as a fresh ingest stamps it.
  db.prepare(
    `UPDATE manifest SET catalog_version = ? WHERE status IN (${PARSED}) AND COALESCE(catalog_version, 0) <> ?
       AND NOT EXISTS (SELECT 1 FROM log_events WHERE file_id = manifest.id)`,
  ).run(CATALOG_VERSION, CATALOG_VERSION);
  const read = db.prepare('SELECT id, service, message, kind FROM log_events WHERE file_id = ? AND id > ? ORDER BY id LIMIT ?');
  const update = db.prepare('UPDATE log_events SET class = ? WHERE id = ?');
  for (const { id: fileId } of stale) {
    db.transaction(() => {
      let last = 0;
      for (;;) {
        const rows = read.all(fileId, last, BATCH) as { id: number; service: string | null; message: string | null; kind: string | null }[];
        if (rows.length === 0) break;
        for (const r of rows) update.run(classify(r.service, r.message, r.kind), r.id);
        last = rows[rows.length - 1].id;
      }
      rebuildHourly(db, fileId);
      db.prepare('UPDATE manifest SET catalog_version = ? WHERE id = ?').run(CATALOG_VERSION, fileId);
    })();
  }
  return stale.length;
}

/** The rollup the writer counts while ingesting, recomputed from stored records (same grouping, same order). */
export function rebuildHourly(db: DB, fileId: number): void {
  db.prepare('DELETE FROM log_hourly WHERE file_id = ?').run(fileId);
  db.prepare(
    `INSERT INTO log_hourly (file_id, service, hour, kind, level, class, n, first_ts, last_ts, skew_n, skew_over, skew_sum, skew_lo, skew_hi)
     SELECT file_id, service, hour, kind, level, class, COUNT(*), MIN(CASE WHEN hour IS NOT NULL THEN ts END), MAX(CASE WHEN hour IS NOT NULL THEN ts END), ${SKEW_AGGREGATES}
     FROM (SELECT file_id, service, kind, level, class, ts, ${SKEW_SQL} AS d,
                  CASE WHEN length(ts) >= 13 AND substr(ts, 11, 1) = 'T' THEN substr(ts, 1, 13) END AS hour
           FROM log_events WHERE file_id = ?)
     GROUP BY hour, service, kind, level, class
     ORDER BY hour IS NOT NULL, hour, service IS NOT NULL, service, kind IS NOT NULL, kind, level IS NOT NULL, level, class IS NOT NULL, class`,
  ).run(fileId);
}
