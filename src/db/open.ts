import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { canMigrate, migrateWorkingDb, reingestCommand } from './migrate.js';
import { SCHEMA_VERSION, schemaSql } from './schema.js';

export type DB = Database.Database;

export function openDb(file: string, opts: { create?: boolean; readonly?: boolean } = {}): DB {
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
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    // Sorts and temp b-trees spill to disk past the page cache: in memory they grow with the bundle.
    db.pragma('temp_store = FILE');
    db.pragma('cache_size = -65536');
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0 && !opts.readonly) {
    db.exec(schemaSql());
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } else if (version !== SCHEMA_VERSION) {
    const again = reingestCommand(db, file);
    db.close();
    if (canMigrate(version)) {
      // Raw evidence kept, derived tables rebuilt; then open as asked.
      migrateWorkingDb(file, version);
      process.stderr.write(`note: migrated the working database ${file} from schema version ${version} to ${SCHEMA_VERSION} (raw tables kept, derived tables rebuilt)\n`);
      return openDb(file, opts);
    }
    throw new UserError(
      'DB_SCHEMA',
      `the working database has schema version ${version}, this cdb-forensics reads version ${SCHEMA_VERSION}${version > SCHEMA_VERSION ? ' (it was written by a newer cdb-forensics)' : ' and cannot migrate it'}`,
      file,
      `ingest the bundle again into a new database: ${again}`,
    );
  }
  return db;
}
