/**
 * Working databases of an older schema. The raw evidence tables are kept as they are; what later
 * versions derive from them is computed again, then the derived model is rebuilt. Each step can
 * be repeated, and the version is raised last, so a crash midway leaves a database that migrates
 * again from the start, never one that claims a version it does not hold.
 */
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { buildModel } from '../model/build.js';
import { reclassifyStale } from '../catalog/reclassify.js';
import { storeEachEventOnce } from '../ingest/copies.js';
import { APPLICATION_ID, SCHEMA_VERSION, schemaSql } from './schema.js';
import { LOG_STORED_COLUMNS, logEventsTableSql, packSql } from './log-shape.js';

/** Version n → n + 1, for every n we can migrate from. */
const STEPS: Record<number, (db: Database.Database) => void> = {
  // v2 added log_hourly, counted while ingesting; the same counts come from log_events.
  1: (db) => {
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS log_hourly (
        file_id INTEGER NOT NULL, service TEXT, hour TEXT, kind TEXT, level TEXT,
        n INTEGER NOT NULL, first_ts TEXT, last_ts TEXT
      )`);
      db.exec('DELETE FROM log_hourly');
      db.exec(`INSERT INTO log_hourly (file_id, service, hour, kind, level, n, first_ts, last_ts)
        SELECT file_id, service, h, kind, level, COUNT(*), MIN(CASE WHEN h IS NOT NULL THEN ts END), MAX(CASE WHEN h IS NOT NULL THEN ts END)
        FROM (SELECT file_id, service, kind, level, ts, CASE WHEN length(ts) >= 13 AND substr(ts, 11, 1) = 'T' THEN substr(ts, 1, 13) END AS h FROM log_events)
        GROUP BY file_id, service, h, kind, level
        ORDER BY file_id, h, service, kind, level`);
    })();
  },
  // v3 classified every log record with the event catalog, stored each event once (copies), and
  // recorded a changed file's previous hash: the classes and copies come from the stored records.
  2: (db) => {
    db.transaction(() => {
      const cols = (t: string) => new Set((db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => c.name));
      if (!cols('log_events').has('class')) db.exec('ALTER TABLE log_events ADD COLUMN class TEXT');
      if (!cols('log_hourly').has('class')) db.exec('ALTER TABLE log_hourly ADD COLUMN class TEXT');
      const m = cols('manifest');
      for (const [c, def] of [['catalog_version', 'INTEGER'], ['copies', 'INTEGER NOT NULL DEFAULT 0'], ['copy_lines', 'INTEGER NOT NULL DEFAULT 0'], ['previous_sha256', 'TEXT']]) {
        if (!m.has(c)) db.exec(`ALTER TABLE manifest ADD COLUMN ${c} ${def}`);
      }
      db.exec(schemaSql());
      // What reclassifying and storing each event once write into log_hourly.
      addSkewColumns(db);
      db.exec('UPDATE manifest SET catalog_version = NULL');
    })();
    reclassifyStale(db);
    storeEachEventOnce(db, true);
  },
  // v4 added the clock-skew sums to log_hourly; left NULL, the clock-skew rule reads the records.
  3: (db) => {
    db.transaction(() => addSkewColumns(db))();
  },
  // v5 stores log_events' kind, format, stream, ts_zone and docker_ts packed (src/db/log-shape.ts):
  // the rows are copied into the new shape, ids and every value as they were; so is the mirror of
  // copies. The indexes go with the old table; the model build makes them again.
  4: (db) => {
    db.transaction(() => {
      for (const table of ['log_events', 'copy_log_events']) {
        const cols = new Set((db.prepare(`SELECT name FROM pragma_table_xinfo(?)`).all(table) as { name: string }[]).map((c) => c.name));
        if (cols.size === 0 || cols.has('packed')) continue;
        const old = `${table}_v4`;
        db.exec(`DROP TABLE IF EXISTS ${old}; ALTER TABLE ${table} RENAME TO ${old}`);
        db.exec(logEventsTableSql(table));
        const pack = packSql();
        const kept = LOG_STORED_COLUMNS.filter((c) => !c.startsWith('packed'));
        db.exec(`INSERT INTO ${table} (id, ${LOG_STORED_COLUMNS.join(', ')})
          SELECT id, ${kept.join(', ')}, ${pack.packed}, ${pack.docker}, ${pack.other} FROM ${old} ORDER BY id`);
        db.exec(`DROP TABLE ${old}`);
      }
    })();
  },
};

function addSkewColumns(db: Database.Database): void {
  const cols = new Set((db.prepare('PRAGMA table_info("log_hourly")').all() as { name: string }[]).map((c) => c.name));
  for (const [c, def] of [['skew_n', 'INTEGER'], ['skew_over', 'INTEGER'], ['skew_sum', 'REAL'], ['skew_lo', 'REAL'], ['skew_hi', 'REAL']]) {
    if (!cols.has(c)) db.exec(`ALTER TABLE log_hourly ADD COLUMN ${c} ${def}`);
  }
}

export function canMigrate(version: number): boolean {
  for (let v = version; v < SCHEMA_VERSION; v++) if (!STEPS[v]) return false;
  return version >= 1 && version < SCHEMA_VERSION;
}

/** The exact command that makes a new working database from the same bundle. */
export function reingestCommand(db: Database.Database, file: string): string {
  let root: string | null = null;
  try {
    root = (db.prepare('SELECT root FROM bundles ORDER BY id LIMIT 1').get() as { root: string } | undefined)?.root ?? null;
  } catch {
    // no bundles table: the bundle is not named in the database
  }
  const fresh = file.replace(/(\.db)?$/, `.v${SCHEMA_VERSION}.db`);
  return `cdb-forensics ingest ${JSON.stringify(root ?? '<bundle>')} --db ${JSON.stringify(fresh)}`;
}

export function migrateWorkingDb(file: string, version: number): void {
  const db = new Database(file);
  try {
    // The block window as it was set: an explicit --from/--to stays explicit.
    const rows = db.prepare("SELECT key, value, evidence FROM block WHERE key IN ('from', 'to')").all() as { key: string; value: string; evidence: string | null }[];
    const given = (k: string) => rows.find((r) => r.key === k && /^set with --/.test(r.evidence ?? ''))?.value;
    for (let v = version; v < SCHEMA_VERSION; v++) STEPS[v](db);
    buildModel(db, { from: given('from'), to: given('to') });
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError('DB_MIGRATE', `the working database (schema version ${version}) could not be migrated: ${(e as Error).message}`, file, `ingest the bundle again: ${reingestCommand(db, file)}`);
  } finally {
    db.close();
  }
}
