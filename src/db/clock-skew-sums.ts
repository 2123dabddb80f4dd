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

/** Milliseconds from the Julian day epoch to 1970-01-01T00:00:00Z (SQLite's iJD of the Unix epoch). */
const UNIX_EPOCH_JD_MS = 210_866_760_000_000;

const DAY = /^\d{4}-\d\d-\d\d$/;
let lastDay = '';
let lastDayMs = NaN;

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};

/**
 * Epoch milliseconds of a time as the writer stores it (`YYYY-MM-DDTHH:MM:SS.mmmZ`), else NaN.
 * Called twice per log record: the day is parsed once per day, the time of day from its digits.
 */
function epochMs(s: string): number {
  if (s.length !== 24 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return NaN;
  // Compared in place: no day string is cut from the time unless the day changed.
  if (lastDay === '' || !s.startsWith(lastDay)) {
    const day = s.slice(0, 10);
    lastDay = day;
    lastDayMs = DAY.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : NaN;
  }
  const h = digit(s, 11) * 10 + digit(s, 12);
  const m = digit(s, 14) * 10 + digit(s, 15);
  const sec = digit(s, 17) * 10 + digit(s, 18);
  const ms = digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22);
  // Out-of-range fields are read differently by Date and by SQLite: not counted (NaN).
  if (!(h <= 23 && m <= 59 && sec <= 59)) return NaN;
  return lastDayMs + ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

/**
 * The difference in seconds, bit for bit as SQLite's julianday() gives it (its iJD is a whole
 * number of milliseconds, and julianday() returns iJD / 86400000.0); null when a time is not in
 * the canonical form, whose reading this does not promise to match.
 */
export function skewSeconds(ts: string, dockerTs: string): number | null {
  const a = epochMs(ts);
  const b = ts === dockerTs ? a : epochMs(dockerTs);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return ((a + UNIX_EPOCH_JD_MS) / 86_400_000 - (b + UNIX_EPOCH_JD_MS) / 86_400_000) * 86_400;
}
