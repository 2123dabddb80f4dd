/**
 * Each event stored once (issue 9). The same log saved in two files (compose logs plus `docker
 * logs`, an earlier `--since 24h` save beside the full export, one file copied three times), a
 * Redis capture or a dump saved twice would otherwise count every restart, signal and approval
 * twice. After all files are in, this step keeps each event once in its raw table and moves every
 * other copy to `copy_<table>` (the row as parsed) with an entry in `copies` (file, line → event id),
 * so the copy's lines stay accounted for and a citation can still be read back.
 *
 * Identity is decided by aligning the files' record sequences, never within one file (two records
 * of one file are never merged: lines without milliseconds and repeated ticks are real repeats):
 * - log records, per service: the n-th occurrence of (application time, level, logger, message) in
 *   one file is the n-th in the other. Docker stamps play no part, so a copy with `--timestamps`
 *   matches one without. A record without an application time (prints, stderr blocks) is placed
 *   by the timed record before it: the k-th such message after anchor X in one file is the k-th
 *   after the copy of X in the other; at the top of a file (a `--since` save starts mid-stream) by
 *   the timed record after it, counted backwards. In a file where a service has no timed record
 *   at all, its records align on the message sequence from the top.
 * - Redis messages and dump rows: the n-th occurrence of the whole row (every column) in one file is
 *   the n-th in the other.
 * The first file in path order (bundle, then path) keeps the event, whatever `--jobs` was. The
 * matching runs in SQL (SQLite sorts in temporary files), only for services or tables that occur in
 * more than one file, so memory stays bounded and a bundle without copies pays almost nothing.
 *
 * Re-running is idempotent: the step remembers the manifest it matched; when a file was read again
 * it puts every copy back first and matches from scratch (a re-parsed file brings its own rows back).
 */
import type { DB } from '../db/open.js';
import { RAW_TABLES } from '../db/raw-tables.js';
import { logEventsTableSql } from '../db/log-shape.js';
import { rebuildHourly } from '../catalog/reclassify.js';

export interface CopiesSummary {
  /** Records moved to copies in this run (0 when nothing changed since the last run). */
  copies: number;
  /** Per file that holds copies: how many of its records copy a record of an earlier file. */
  files: { file_id: number; path: string; copies: number; copy_lines: number }[];
}

const STATE_KEY = 'copies_state';
/** Tables whose rows may be saved twice; dumped tables (`src_*`) are added from src_tables. */
const MATCHED_RAW = ['log_events', 'redis_messages'];
/** Book-keeping columns, not content: a dumped table's own `id` column is content. */
const NOT_CONTENT_RAW = new Set(['id', 'file_id', 'line_no', 'line_count', 'in_block']);
const NOT_CONTENT_SRC = new Set(['_id', 'file_id', 'line_no', 'line_count']);

function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function pkOf(table: string): string {
  return RAW_TABLES[table] ? 'id' : '_id';
}

function columnsOf(db: DB, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name);
}

function tableExists(db: DB, table: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
}

function matchedTables(db: DB): string[] {
  const src = (db.prepare('SELECT name FROM src_tables ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  return [...MATCHED_RAW, ...src].filter((t) => tableExists(db, t));
}

/** What the matching depends on: each file's identity and how it was read. */
function fileStates(db: DB): string {
  return JSON.stringify(db.prepare('SELECT id, bundle_id, path, bytes, mtime, sha256, parser, parser_version, status, lines FROM manifest ORDER BY id').raw().all());
}

/**
 * Run after all files of an ingest are in. `parsed`: whether this run (re)parsed any file; when
 * not, and the manifest is as the last run left it, nothing changed and the step costs nothing.
 */
export function storeEachEventOnce(db: DB, parsed = true): CopiesSummary {
  const state = fileStates(db);
  const prev = db.prepare('SELECT value FROM meta WHERE key = ?').get(STATE_KEY) as { value: string } | undefined;
  if (!parsed && prev?.value === state) return { copies: 0, files: perFile(db) };
  let moved = 0;
  db.transaction(() => {
    const dirty = new Set<number>();
    restore(db, dirty);
    prepareOrder(db);
    for (const table of matchedTables(db)) {
      const n = table === 'log_events' ? matchLogs(db) : matchRows(db, table);
      if (n > 0) moved += moveCopies(db, table, dirty);
      db.exec('DELETE FROM temp.dup');
    }
    for (const fileId of [...dirty].sort((a, b) => a - b)) rollupFile(db, fileId);
    db.exec(`UPDATE manifest SET copies = 0, copy_lines = 0 WHERE copies <> 0 OR copy_lines <> 0`);
    db.exec(`UPDATE manifest SET
               copies = (SELECT COUNT(*) FROM copies c WHERE c.file_id = manifest.id),
               copy_lines = (SELECT COALESCE(SUM(line_count), 0) FROM copies c WHERE c.file_id = manifest.id)
             WHERE id IN (SELECT DISTINCT file_id FROM copies)`);
    db.exec('UPDATE manifest SET records = records - copies, record_lines = record_lines - copy_lines WHERE copies > 0');
    db.exec('DROP TABLE IF EXISTS temp.dup; DROP TABLE IF EXISTS temp.ford');
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(STATE_KEY, state);
  })();
  return { copies: moved, files: perFile(db) };
}

function perFile(db: DB): CopiesSummary['files'] {
  return db.prepare('SELECT id AS file_id, path, copies, copy_lines FROM manifest WHERE copies > 0 ORDER BY bundle_id, path').all() as CopiesSummary['files'];
}

/**
 * Put every copy back into its table, so matching starts from what the files say. A file that was
 * parsed again since already has its rows back: its old copies are dropped instead.
 */
function restore(db: DB, dirty: Set<number>): void {
  const mirrors = (db.prepare(`SELECT DISTINCT tbl FROM copies ORDER BY tbl`).all() as { tbl: string }[]).map((r) => r.tbl);
  for (const table of mirrors) {
    const mirror = `copy_${table}`;
    if (!tableExists(db, mirror) || !tableExists(db, table)) continue;
    const files = db.prepare(`SELECT DISTINCT file_id FROM ${q(mirror)} ORDER BY file_id`).all() as { file_id: number }[];
    // A file parsed again has its records back, the copies among them included.
    const reparsed = db.prepare(
      `SELECT 1 FROM ${q(table)} t WHERE t.file_id = @f AND t.line_no IN (SELECT line_no FROM ${q(mirror)} WHERE file_id = @f) LIMIT 1`,
    );
    const target = columnsOf(db, table);
    const cols = columnsOf(db, mirror).filter((c) => c !== pkOf(table) && target.includes(c));
    const list = cols.map(q).join(', ');
    for (const f of files) {
      if (reparsed.get({ f: f.file_id }) === undefined) {
        db.prepare(`INSERT INTO ${q(table)} (${list}) SELECT ${list} FROM ${q(mirror)} WHERE file_id = ? ORDER BY ${q(pkOf(table))}`).run(f.file_id);
        db.prepare('UPDATE manifest SET records = records + copies, record_lines = record_lines + copy_lines WHERE id = ?').run(f.file_id);
      }
      db.prepare('UPDATE manifest SET copies = 0, copy_lines = 0 WHERE id = ?').run(f.file_id);
      // The rollup tells which services several files share: it must see the restored records.
      if (table === 'log_events') {
        rollupFile(db, f.file_id);
        dirty.add(f.file_id);
      }
    }
    db.exec(`DELETE FROM ${q(mirror)}`);
  }
  db.exec('DELETE FROM copies');
}

/** Files in path order: the first copy of an event in this order keeps it. */
function prepareOrder(db: DB): void {
  db.exec(`DROP TABLE IF EXISTS temp.ford;
           CREATE TEMP TABLE ford (file_id INTEGER PRIMARY KEY, ord INTEGER NOT NULL);
           INSERT INTO temp.ford (file_id, ord) SELECT id, ROW_NUMBER() OVER (ORDER BY bundle_id, path, id) FROM manifest;
           DROP TABLE IF EXISTS temp.dup;
           CREATE TEMP TABLE dup (id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, ord INTEGER NOT NULL);
           CREATE INDEX temp.dup_event ON dup (event_id, ord);`);
}

/** Files (in order) that hold rows of the matched set. */
function laterFiles(db: DB, table: string): number[] {
  return (db.prepare(`SELECT DISTINCT ord FROM ${table} ORDER BY ord`).all() as { ord: number }[]).map((r) => r.ord).slice(1);
}

/** Log records of services that more than one file holds, with their alignment keys. */
function matchLogs(db: DB): number {
  const shared = db
    .prepare(
      `SELECT COUNT(*) AS n FROM (SELECT service FROM log_hourly GROUP BY service HAVING COUNT(DISTINCT file_id) > 1)`,
    )
    .get() as { n: number };
  if (shared.n === 0) return 0;
  // One sort over every participating record places each in its segment (the timed records before
  // it); the occurrence numbers then sort only the timed, or only the untimed, records.
  db.exec(`DROP TABLE IF EXISTS temp.ls;
    CREATE TEMP TABLE ls AS
    WITH svc AS (SELECT service FROM main.log_hourly GROUP BY service HAVING COUNT(DISTINCT file_id) > 1),
    base AS (
      SELECT e.id, e.file_id, f.ord, e.line_no, COALESCE(e.service, '') AS service, e.level, e.logger, e.message,
             CASE WHEN e.ts_text IS NOT NULL THEN COALESCE(e.ts, e.ts_text) END AS at
      FROM main.log_events e JOIN temp.ford f ON f.file_id = e.file_id
      WHERE EXISTS (SELECT 1 FROM svc WHERE svc.service IS e.service)
    )
    SELECT *, COUNT(at) OVER (PARTITION BY file_id, service ORDER BY line_no ROWS UNBOUNDED PRECEDING) AS seg,
              COUNT(at) OVER (PARTITION BY file_id, service) AS ntimed
    FROM base;
    DROP TABLE IF EXISTS temp.lr;
    CREATE TEMP TABLE lr AS
    SELECT id, file_id, ord, line_no, service, level, logger, message, at, seg,
           ROW_NUMBER() OVER (PARTITION BY file_id, service, at, level, logger, message ORDER BY line_no) AS occ
    FROM temp.ls WHERE at IS NOT NULL;
    CREATE INDEX temp.lr_timed ON lr (at, occ, service);
    CREATE INDEX temp.lr_anchor ON lr (file_id, service, seg);
    CREATE INDEX temp.lr_ord ON lr (ord);
    DROP TABLE IF EXISTS temp.lu;
    CREATE TEMP TABLE lu AS
    SELECT x.id, x.ord, x.line_no, x.service, x.message, x.ntimed,
           ROW_NUMBER() OVER (PARTITION BY x.file_id, x.service, x.seg, x.message ORDER BY x.line_no) AS occ_f,
           ROW_NUMBER() OVER (PARTITION BY x.file_id, x.service, x.seg, x.message ORDER BY x.line_no DESC) AS occ_b,
           (SELECT t.id FROM temp.lr t WHERE t.file_id = x.file_id AND t.service = x.service AND t.seg = x.seg) AS prev_id,
           (SELECT t.id FROM temp.lr t WHERE t.file_id = x.file_id AND t.service = x.service AND t.seg = x.seg + 1) AS next_id
    FROM temp.ls x WHERE x.at IS NULL;
    CREATE INDEX temp.lu_prev ON lu (prev_id, occ_f);
    CREATE INDEX temp.lu_next ON lu (next_id, occ_b);
    CREATE INDEX temp.lu_untimed ON lu (ntimed, service, occ_f);
    CREATE INDEX temp.lu_ord ON lu (ord);`);
  const later = laterFiles(db, 'temp.ls');
  db.exec('DROP TABLE temp.ls');
  const free = (v: string, ord: string) =>
    `NOT EXISTS (SELECT 1 FROM temp.dup d WHERE d.id = ${v}.id) AND NOT EXISTS (SELECT 1 FROM temp.dup d WHERE d.event_id = ${v}.id AND d.ord = ${ord})`;
  const timed = db.prepare(`INSERT INTO temp.dup (id, event_id, ord)
    SELECT id, ev, @ord FROM (
      SELECT x.id, (SELECT c.id FROM temp.lr c
                    WHERE c.at = x.at AND c.occ = x.occ AND c.service = x.service AND c.ord < @ord
                      AND c.level IS x.level AND c.logger IS x.logger AND c.message = x.message AND ${free('c', '@ord')}
                    ORDER BY c.ord LIMIT 1) AS ev
      FROM temp.lr x WHERE x.ord = @ord AND x.at IS NOT NULL ORDER BY x.line_no)
    WHERE ev IS NOT NULL`);
  // Untimed records: one statement per anchor direction, each record placed once (INSERT OR IGNORE
  // keeps the first placement), each earlier record taken by at most one record of this file.
  // The same statement from either side: the timed record before (prev, counting forwards) or after
  // (next, counting backwards, as at the top of a `--since` save).
  const anchored = (anchor: 'prev_id' | 'next_id', occ: 'occ_f' | 'occ_b') =>
    db.prepare(`INSERT OR IGNORE INTO temp.dup (id, event_id, ord)
    SELECT id, ev, @ord FROM (
      SELECT x.id, (SELECT v.id FROM temp.lu v
                    WHERE v.${anchor} = a.event_id AND v.${occ} = x.${occ} AND v.message = x.message AND v.ord < @ord AND ${free('v', '@ord')}
                    LIMIT 1) AS ev
      FROM temp.lu x JOIN temp.dup a ON a.id = x.${anchor}
      WHERE x.ord = @ord AND NOT EXISTS (SELECT 1 FROM temp.dup d WHERE d.id = x.id) ORDER BY x.line_no)
    WHERE ev IS NOT NULL`);
  const byPrev = anchored('prev_id', 'occ_f');
  const byNext = anchored('next_id', 'occ_b');
  const untimed = db.prepare(`INSERT OR IGNORE INTO temp.dup (id, event_id, ord)
    SELECT id, ev, @ord FROM (
      SELECT x.id, (SELECT v.id FROM temp.lu v
                    WHERE v.ntimed = 0 AND v.service = x.service AND v.occ_f = x.occ_f AND v.message = x.message AND v.ord < @ord AND ${free('v', '@ord')}
                    ORDER BY v.ord LIMIT 1) AS ev
      FROM temp.lu x WHERE x.ord = @ord AND x.ntimed = 0 ORDER BY x.line_no)
    WHERE ev IS NOT NULL`);
  for (const ord of later) {
    timed.run({ ord });
    byPrev.run({ ord });
    byNext.run({ ord });
    untimed.run({ ord });
  }
  db.exec('DROP TABLE temp.lr; DROP TABLE temp.lu');
  return (db.prepare('SELECT COUNT(*) AS n FROM temp.dup').get() as { n: number }).n;
}

/** Redis messages and dump rows: the n-th occurrence of the whole row in one file is the n-th in another. */
function matchRows(db: DB, table: string): number {
  if (!severalFiles(db, table)) return 0;
  const skip = RAW_TABLES[table] ? NOT_CONTENT_RAW : NOT_CONTENT_SRC;
  const cols = columnsOf(db, table).filter((c) => !skip.has(c));
  if (cols.length === 0) return 0;
  const pk = q(pkOf(table));
  const list = cols.map((c) => `t.${q(c)}`).join(', ');
  // Book-keeping aliases start with `__`, which no dumped column name does after the writer's sanitising.
  db.exec(`DROP TABLE IF EXISTS temp.rr;
    CREATE TEMP TABLE rr AS
    SELECT t.${pk} AS __rid, f.ord AS __ord, t.line_no AS __line, ${list},
           ROW_NUMBER() OVER (PARTITION BY t.file_id, ${list} ORDER BY t.line_no) AS __occ
    FROM main.${q(table)} t JOIN temp.ford f ON f.file_id = t.file_id;
    CREATE INDEX temp.rr_key ON rr (__occ, ${cols.slice(0, 8).map(q).join(', ')});
    CREATE INDEX temp.rr_ord ON rr (__ord);`);
  const same = cols.map((c) => `c.${q(c)} IS x.${q(c)}`).join(' AND ');
  const st = db.prepare(`INSERT INTO temp.dup (id, event_id, ord)
    SELECT id, ev, @ord FROM (
      SELECT x.__rid AS id, (SELECT c.__rid FROM temp.rr c
                    WHERE c.__occ = x.__occ AND ${same} AND c.__ord < @ord AND NOT EXISTS (SELECT 1 FROM temp.dup d WHERE d.id = c.__rid)
                    ORDER BY c.__ord LIMIT 1) AS ev
      FROM temp.rr x WHERE x.__ord = @ord ORDER BY x.__line)
    WHERE ev IS NOT NULL`);
  const ords = (db.prepare('SELECT DISTINCT __ord AS ord FROM temp.rr ORDER BY 1').all() as { ord: number }[]).map((r) => r.ord).slice(1);
  for (const ord of ords) st.run({ ord });
  db.exec('DROP TABLE temp.rr');
  return (db.prepare('SELECT COUNT(*) AS n FROM temp.dup').get() as { n: number }).n;
}

/**
 * Whether rows of more than one file are in `table`, read without going through the table where
 * that can be helped (`COUNT(DISTINCT file_id)` read every row: 0.4 s for a dump of 2 M rows from
 * one file). The rows of the first and last rowid are of two files: yes. Else, only a file whose
 * records are not all log records (the manifest's `records` against its `log_hourly` counts, both
 * with the copies put back) can hold rows of the table besides the first row's: none, no. Else
 * the table is read until a row of another file turns up.
 */
export function severalFiles(db: DB, table: string): boolean {
  const pk = q(pkOf(table));
  const first = db.prepare(`SELECT file_id FROM main.${q(table)} ORDER BY ${pk} LIMIT 1`).pluck().get() as number | undefined;
  if (first === undefined) return false;
  const last = db.prepare(`SELECT file_id FROM main.${q(table)} ORDER BY ${pk} DESC LIMIT 1`).pluck().get() as number;
  if (last !== first) return true;
  const other = db
    .prepare(`SELECT EXISTS (SELECT 1 FROM manifest m WHERE m.id <> ? AND m.records > (SELECT COALESCE(SUM(n), 0) FROM log_hourly h WHERE h.file_id = m.id))`)
    .pluck()
    .get(first);
  if (other !== 1) return false;
  return db.prepare(`SELECT EXISTS (SELECT 1 FROM main.${q(table)} WHERE file_id <> ?)`).pluck().get(first) === 1;
}

/** Move the matched copies out of `table`: the row to `copy_<table>`, its place to `copies`. */
function moveCopies(db: DB, table: string, dirty: Set<number>): number {
  const mirror = `copy_${table}`;
  const pk = q(pkOf(table));
  // log_events' mirror has its shape, packed columns and all, so that its rows read the same (a
  // database migrating from before v5 still has the unpacked shape: its mirror too, until step 4).
  const packed = table === 'log_events' && columnsOf(db, table).includes('packed');
  db.exec(packed ? logEventsTableSql(mirror) : `CREATE TABLE IF NOT EXISTS ${q(mirror)} AS SELECT * FROM ${q(table)} WHERE 0`);
  // A dumped table may have gained columns since its mirror was made.
  const have = columnsOf(db, mirror);
  for (const c of columnsOf(db, table)) if (!have.includes(c)) db.exec(`ALTER TABLE ${q(mirror)} ADD COLUMN ${q(c)}`);
  const list = columnsOf(db, table).map(q).join(', ');
  const info = db
    .prepare(
      `INSERT INTO copies (tbl, file_id, line_no, line_count, event_id)
       SELECT ?, t.file_id, t.line_no, t.line_count, d.event_id FROM temp.dup d JOIN main.${q(table)} t ON t.${pk} = d.id
       ORDER BY t.file_id, t.line_no`,
    )
    .run(table);
  db.exec(`INSERT INTO ${q(mirror)} (${list}) SELECT ${list} FROM main.${q(table)} WHERE ${pk} IN (SELECT id FROM temp.dup) ORDER BY ${pk}`);
  if (table === 'log_events') {
    for (const r of db.prepare(`SELECT DISTINCT t.file_id FROM temp.dup d JOIN main.log_events t ON t.id = d.id`).all() as { file_id: number }[]) dirty.add(r.file_id);
  }
  db.exec(`DELETE FROM main.${q(table)} WHERE ${pk} IN (SELECT id FROM temp.dup)`);
  return info.changes;
}

/**
 * log_hourly of one file again from its log records, as the writer counts them (copies not
 * counted): the same grouping as the writer's, event class included.
 */
function rollupFile(db: DB, fileId: number): void {
  rebuildHourly(db, fileId);
}

/** Per file with copies: the files (path order) whose stored events its copies repeat, and how many. */
export function copySources(db: DB): Map<number, { path: string; records: number }[]> {
  const out = new Map<number, { path: string; records: number }[]>();
  if (!tableExists(db, 'copies')) return out;
  const tables = (db.prepare('SELECT DISTINCT tbl FROM copies ORDER BY tbl').all() as { tbl: string }[]).map((r) => r.tbl).filter((t) => tableExists(db, t));
  const counts = new Map<string, number>();
  for (const t of tables) {
    const rows = db
      .prepare(`SELECT c.file_id AS f, e.file_id AS of, COUNT(*) AS n FROM copies c JOIN ${q(t)} e ON e.${q(pkOf(t))} = c.event_id WHERE c.tbl = ? GROUP BY 1, 2`)
      .all(t) as { f: number; of: number; n: number }[];
    for (const r of rows) counts.set(`${r.f}:${r.of}`, (counts.get(`${r.f}:${r.of}`) ?? 0) + r.n);
  }
  const paths = new Map((db.prepare('SELECT id, path FROM manifest ORDER BY bundle_id, path, id').all() as { id: number; path: string }[]).map((r, i) => [r.id, { path: r.path, i }]));
  for (const [k, n] of counts) {
    const [f, of] = k.split(':').map(Number);
    const list = out.get(f) ?? [];
    list.push({ path: paths.get(of)?.path ?? `#${of}`, records: n });
    out.set(f, list);
  }
  for (const list of out.values()) list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
