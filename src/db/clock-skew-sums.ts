/**
 * The clock-skew sums log_hourly keeps per group (schema.ts): the difference between a record's
 * application time and its docker stamp, in seconds, exactly as SQLite computes
 * `(julianday(ts) - julianday(docker_ts)) * 86400.0`, so that the sums give the counts and
 * extremes a scan of the records would.
 */

/** More than this between the two clocks is skew, not buffering (the clock-skew rule's threshold). */
export const SKEW_S = 5;

/** The difference in SQL, for records that carry both clocks and an application time text. */
export const SKEW_SQL = `CASE WHEN ts IS NOT NULL AND docker_ts IS NOT NULL AND ts_text IS NOT NULL THEN (julianday(ts) - julianday(docker_ts)) * 86400.0 END`;

/** log_hourly's skew columns from a grouped selection that has a column `d` (SKEW_SQL). */
export const SKEW_AGGREGATES = `COUNT(d), COALESCE(SUM(ABS(d) > ${SKEW_S}), 0), TOTAL(d), MIN(d), MAX(d)`;

/** A time as the writer stores it (ISO UTC with milliseconds): the only form the sums are kept for. */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Milliseconds from the Julian day epoch to 1970-01-01T00:00:00Z (SQLite's iJD of the Unix epoch). */
const UNIX_EPOCH_JD_MS = 210_866_760_000_000;

/**
 * The difference in seconds, bit for bit as SQLite's julianday() gives it (its iJD is a whole
 * number of milliseconds, and julianday() returns iJD / 86400000.0); null when a time is not in
 * the canonical form, whose reading this does not promise to match.
 */
export function skewSeconds(ts: string, dockerTs: string): number | null {
  if (!CANONICAL.test(ts) || !CANONICAL.test(dockerTs)) return null;
  const a = Date.parse(ts);
  const b = Date.parse(dockerTs);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  return ((a + UNIX_EPOCH_JD_MS) / 86_400_000 - (b + UNIX_EPOCH_JD_MS) / 86_400_000) * 86_400;
}
