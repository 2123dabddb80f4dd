import { logEventsTableSql } from './log-shape.js';
import { RAW_TABLES } from './raw-tables.js';

/**
 * The working database schema. `PRAGMA user_version` holds SCHEMA_VERSION; a database with
 * another version is refused with a hint to re-ingest into a new file.
 */
export const SCHEMA_VERSION = 5;

/** `PRAGMA application_id` of a working database ('CDBF'): how a foreign SQLite file is told apart. */
export const APPLICATION_ID = 0x43444246;

/**
 * Statuses a file's ingest ends with. Any other (`pending`: reserved but not yet committed;
 * `parsing`: left by an older version that committed mid-file) marks an interrupted file,
 * which the next ingest forgets and reads again.
 */
export const FINAL_STATUSES = ['ingested', 'partial', 'not_ingested', 'binary', 'refused', 'error', 'accounting_error', 'archive'] as const;

const BOOK_KEEPING = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS bundles (
  id INTEGER PRIMARY KEY, root TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, ingested_at TEXT
);
CREATE TABLE IF NOT EXISTS manifest (
  id INTEGER PRIMARY KEY,
  bundle_id INTEGER NOT NULL REFERENCES bundles(id),
  path TEXT NOT NULL,
  bytes INTEGER, mtime TEXT, sha256 TEXT,
  parser TEXT, parser_version INTEGER, confidence INTEGER, reason TEXT,
  encoding TEXT,
  lines INTEGER NOT NULL DEFAULT 0, records INTEGER NOT NULL DEFAULT 0, record_lines INTEGER NOT NULL DEFAULT 0,
  structural INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0,
  -- Records (and their lines) that copy a record of an earlier file (src/ingest/copies.ts); not in records.
  copies INTEGER NOT NULL DEFAULT 0, copy_lines INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL, -- ingested | partial | not_ingested | binary | refused | error
  message TEXT,
  first_ts TEXT, last_ts TEXT,
  catalog_version INTEGER, -- the event catalog its log records were classified with
  -- The hash of this path's earlier ingest when the file changed since (size, mtime or hash).
  previous_sha256 TEXT,
  UNIQUE (bundle_id, path)
);
CREATE TABLE IF NOT EXISTS structural_lines (file_id INTEGER NOT NULL, counter TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (file_id, counter));
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, path TEXT NOT NULL, line INTEGER, reason TEXT NOT NULL, excerpt TEXT
);
CREATE TABLE IF NOT EXISTS file_notes (file_id INTEGER NOT NULL, note TEXT NOT NULL);
-- Log records per file, service, UTC hour, kind and level, counted while ingesting, so that
-- spans and per-day activity need no scan of log_events.
-- skew_*: of the records with an application time (ts_text) and a docker stamp, how many, how many
-- more than 5 s apart, and the sum, least and greatest of (ts - docker_ts) in seconds as SQLite's
-- julianday() computes it (the clock-skew rule). skew_n NULL: not counted, read the records.
CREATE TABLE IF NOT EXISTS log_hourly (
  file_id INTEGER NOT NULL, service TEXT, hour TEXT, kind TEXT, level TEXT, class TEXT,
  n INTEGER NOT NULL, first_ts TEXT, last_ts TEXT,
  skew_n INTEGER, skew_over INTEGER, skew_sum REAL, skew_lo REAL, skew_hi REAL
);
-- Each event is stored once: a record that copies one of an earlier file (the same log saved
-- twice) is moved from its table to copy_<tbl> and listed here with the event it copies.
CREATE TABLE IF NOT EXISTS copies (
  tbl TEXT NOT NULL, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL, event_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_copies_file ON copies(file_id, line_no);
CREATE TABLE IF NOT EXISTS src_tables (name TEXT PRIMARY KEY, original TEXT NOT NULL, columns TEXT NOT NULL);
`;

function rawTableSql(): string {
  return Object.entries(RAW_TABLES)
    .map(([name, def]) => {
      if (name === 'log_events') return logEventsTableSql(name);
      const cols = Object.entries(def.columns).map(([c, t]) => `  ${c} ${t}`).join(',\n');
      return `CREATE TABLE IF NOT EXISTS ${name} (\n  id INTEGER PRIMARY KEY,\n  file_id INTEGER NOT NULL,\n  line_no INTEGER NOT NULL,\n  line_count INTEGER NOT NULL,\n${cols},\n  in_block INTEGER\n);`;
    })
    .join('\n');
}

export function schemaSql(): string {
  return BOOK_KEEPING + rawTableSql();
}

/**
 * Indexes are built after bulk loading: cheaper than maintaining them row by row. log_events has
 * no index by time or by (service, time): reads by time go through `(class, ts)`, one range per
 * class the hourly rollup (log_hourly) names, and sorting a third and fourth copy of every record's
 * key cost more of the model build than those reads save. A database of an older build drops them.
 */
export const INDEX_SQL = `
DROP INDEX IF EXISTS ix_log_events_service_ts;
DROP INDEX IF EXISTS ix_log_events_ts;
CREATE INDEX IF NOT EXISTS ix_log_events_file ON log_events(file_id, line_no);
CREATE INDEX IF NOT EXISTS ix_log_events_class ON log_events(class, ts);
CREATE INDEX IF NOT EXISTS ix_redis_messages_channel ON redis_messages(channel, ts);
CREATE INDEX IF NOT EXISTS ix_quarantine_file ON quarantine(file_id, line);
`;
