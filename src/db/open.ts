import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { canMigrate, migrateWorkingDb, reingestCommand } from './migrate.js';
import { forgetVerified, unchangedSinceVerified } from './verified.js';
import { APPLICATION_ID, SCHEMA_VERSION, schemaSql } from './schema.js';

export type DB = Database.Database;

/**
 * The page size of a new working database (and of the ingest's scratch files). 8 KiB pages halve
 * the B-tree's pages and the WAL's frame headers for the same rows: a `run` of the 1 GB bench log
 * used 10–14 % less CPU than at SQLite's 4 KiB (128 MB: ~7 %), with the same peak RSS; at 16 KiB
 * the peak grew by ~25 MB for less gain. A database keeps the size it was created with.
 */
export const PAGE_SIZE = 8192;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * What the first 100 bytes of a file say about it as an SQLite database, read without SQLite:
 * a file that is not a database, or one cut short (a copy that ran out of space), is refused
 * before SQLite opens it, and never rebuilt over.
 */
export function inspectHeader(file: string): { kind: 'missing' | 'empty' | 'not_sqlite' | 'truncated' | 'ok'; detail?: string } {
  if (!existsSync(file)) return { kind: 'missing' };
  const st = statSync(file);
  if (!st.isFile()) return { kind: 'not_sqlite', detail: 'it is not a regular file' };
  if (st.size === 0) return { kind: 'empty' };
  const head = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 16 || !head.subarray(0, 16).equals(SQLITE_MAGIC)) return { kind: 'not_sqlite', detail: 'it does not start with the SQLite header' };
  if (n < 100) return { kind: 'truncated', detail: `the file is ${st.size} bytes, shorter than the 100-byte SQLite header` };
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = head.readUInt32BE(28);
  // The in-header size is valid only when "version-valid-for" matches the change counter.
  const valid = head.readUInt32BE(92) === head.readUInt32BE(24) && pages > 0;
  // A hot rollback journal, or a WAL a killed checkpoint was copying from (page 1 goes first),
  // means SQLite still has to finish: the size may lie until it has. quick_check judges those.
  const pending = (suffix: string): boolean => existsSync(file + suffix) && statSync(file + suffix).size > 0;
  const hot = pending('-journal') || pending('-wal');
  if (valid && !hot && st.size < pages * pageSize) {
    return { kind: 'truncated', detail: `the header declares ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes), the file holds ${st.size}` };
  }
  return { kind: 'ok' };
}

/**
 * Runs `fn` with the connection's page cache at most `kib` KiB, then gives the old size back.
 * SQLite's sorter (GROUP BY, ORDER BY without an index) keeps as much in memory as the page cache
 * holds before it spills to a temp file, so the cache is also what one sort adds to the peak.
 * A smaller cache (a connection left at SQLite's default) is kept as it is.
 */
export function withCacheAtMost<T>(db: DB, kib: number, fn: () => T): T {
  const cache = db.pragma('cache_size', { simple: true }) as number;
  // Negative: KiB; positive: pages.
  const over = cache < 0 ? -cache > kib : cache * (db.pragma('page_size', { simple: true }) as number) > kib * 1024;
  if (!over) return fn();
  db.pragma(`cache_size = -${kib}`);
  try {
    return fn();
  } finally {
    db.pragma(`cache_size = ${cache}`);
  }
}

export interface OpenOptions {
  create?: boolean;
  readonly?: boolean;
  /** Run `PRAGMA quick_check` (reads every page): for commands that write or analyse. */
  check?: boolean;
}

function refuse(code: string, what: string, file: string, hint: string): never {
  throw new UserError(code, what, file, hint);
}

const NEW_DB_HINT = 'keep this file as it is and choose a new working database with --db (or move this one away)';

export function openDb(file: string, opts: OpenOptions = {}): DB {
  const head = inspectHeader(file);
  if (head.kind === 'missing' && !opts.create) {
    refuse('DB_OPEN', 'the working database does not exist', file, 'run `cdb-forensics ingest <bundle>` first, or name the database with --db');
  }
  if (head.kind === 'not_sqlite') refuse('DB_NOT_SQLITE', `this file is not an SQLite database (${head.detail})`, file, NEW_DB_HINT);
  if (head.kind === 'truncated') {
    refuse('DB_CORRUPT', `the working database is truncated: ${head.detail}`, file, 'ingest the bundle again into a new database (another --db); restore this one from a backup if you need it');
  }
  if (opts.create) mkdirSync(dirname(file), { recursive: true });
  let db: DB;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: !opts.create });
  } catch (e) {
    throw new UserError(
      'DB_OPEN',
      `cannot open the working database: ${(e as Error).message}`,
      file,
      opts.create ? 'check the directory is writable, or choose another file with --db' : 'run `cdb-forensics ingest <bundle>` first, or name the database with --db',
    );
  }
  try {
    validate(db, file, opts);
  } catch (e) {
    db.close();
    if (e instanceof OlderSchema) {
      // Raw evidence kept, derived tables rebuilt; then open as asked.
      forgetVerified(file);
      migrateWorkingDb(file, e.version);
      process.stderr.write(`note: migrated the working database ${file} from schema version ${e.version} to ${SCHEMA_VERSION} (raw tables kept, derived tables rebuilt)\n`);
      return openDb(file, opts);
    }
    throw e;
  }
  return db;
}

/** A working database of an older schema that can be migrated (thrown by validate, handled by openDb). */
class OlderSchema extends Error {
  constructor(readonly version: number) {
    super(`schema version ${version}`);
  }
}

function validate(db: DB, file: string, opts: OpenOptions): void {
  let version: number;
  let appId: number;
  let objects: number;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
    appId = db.pragma('application_id', { simple: true }) as number;
    objects = (db.prepare('SELECT COUNT(*) AS n FROM sqlite_master').get() as { n: number }).n;
  } catch (e) {
    return corrupt(file, (e as Error).message);
  }
  const ours = appId === APPLICATION_ID || (appId === 0 && version > 0 && hasManifest(db));
  if (version === 0 && objects === 0) {
    if (opts.readonly) refuse('NOT_INGESTED', 'the working database is empty: nothing was ingested into it', file, 'run `cdb-forensics ingest <bundle> --db ' + file + '` first');
  } else if (!ours) {
    refuse('DB_FOREIGN', `this SQLite file is not a cdb-forensics working database (application_id ${appId}, user_version ${version}, ${objects} schema object(s))`, file, NEW_DB_HINT);
  } else if (version > SCHEMA_VERSION) {
    refuse('DB_NEWER', `the working database was written by a newer cdb-forensics (schema version ${version}; this one reads version ${SCHEMA_VERSION})`, file, `use the newer cdb-forensics that wrote it, or ingest the bundle again into a new database: ${reingestCommand(db, file)}`);
  } else if (version !== SCHEMA_VERSION) {
    if (canMigrate(version)) throw new OlderSchema(version);
    refuse('DB_SCHEMA', `the working database has schema version ${version}, this cdb-forensics writes version ${SCHEMA_VERSION} and cannot migrate it`, file, `ingest the bundle again into a new database: ${reingestCommand(db, file)}`);
  }
  // A file a writing command left cleanly and nothing touched since needs no second full read.
  if (opts.check && objects > 0 && !unchangedSinceVerified(file)) {
    let res: string[];
    try {
      res = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
    } catch (e) {
      return corrupt(file, (e as Error).message);
    }
    if (res.length !== 1 || res[0] !== 'ok') corrupt(file, res.join('; '));
  }
  if (!opts.readonly) {
    forgetVerified(file);
    try {
      // WAL: readers (`query`, `trace`) keep working while a file is ingested, and see only
      // committed transactions — whole files. NORMAL is crash-safe in WAL mode (a power cut may
      // lose the last commits, never corrupt the file).
      // Only a file with nothing in it yet takes a page size, and only before it is in WAL mode.
      if (objects === 0 && version === 0) db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Sorts and temp b-trees spill to disk past the page cache: in memory they grow with the bundle.
      db.pragma('temp_store = FILE');
      db.pragma('cache_size = -65536');
      // A file's transaction can make the WAL large; give the space back after it is checkpointed.
      db.pragma('journal_size_limit = 67108864');
      // The disk-full tests: SQLite reports SQLITE_FULL past this many pages, as on a full disk.
      const maxPages = Number(process.env.CDB_FORENSICS_MAX_PAGE_COUNT);
      if (maxPages > 0) db.pragma(`max_page_count = ${Math.floor(maxPages)}`);
      if (version === 0) {
        db.transaction(() => {
          db.exec(schemaSql());
          db.pragma(`application_id = ${APPLICATION_ID}`);
          db.pragma(`user_version = ${SCHEMA_VERSION}`);
        })();
      }
    } catch (e) {
      if (/SQLITE_CORRUPT|malformed|not a database/i.test(String((e as { code?: string }).code) + (e as Error).message)) corrupt(file, (e as Error).message);
      throw e;
    }
  }
}

function hasManifest(db: DB): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'manifest'").get();
}

function corrupt(file: string, detail: string): never {
  throw new UserError(
    'DB_CORRUPT',
    `the working database is damaged (SQLite integrity check: ${detail})`,
    file,
    'ingest the bundle again into a new database (another --db); keep this file if you want to recover it with `sqlite3 <db> .recover`',
  );
}
