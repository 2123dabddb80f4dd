/**
 * Whether a working database holds a complete, analysable state: every file's ingest finished
 * and the model built from exactly the files the manifest lists.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { DB } from './open.js';
import { FINAL_STATUSES } from './schema.js';

const FINAL_SQL = FINAL_STATUSES.map((s) => `'${s}'`).join(', ');

export function interruptedFiles(db: DB, bundleId?: number): { id: number; path: string; status: string }[] {
  return db
    .prepare(`SELECT id, path, status FROM manifest WHERE status NOT IN (${FINAL_SQL}) ${bundleId === undefined ? '' : 'AND bundle_id = ?'} ORDER BY id`)
    .all(...(bundleId === undefined ? [] : [bundleId])) as { id: number; path: string; status: string }[];
}

/** A digest of what the manifest says was ingested: the model records the one it was built from. */
export function manifestDigest(db: DB): string {
  const h = createHash('sha256');
  for (const r of db.prepare('SELECT id, status, sha256, parser, parser_version, records FROM manifest ORDER BY id').raw().iterate() as Iterable<unknown[]>) {
    h.update(JSON.stringify(r));
    h.update('\n');
  }
  return h.digest('hex');
}

export const MODEL_DIGEST_KEY = 'model_manifest_digest';

/** Called inside the model build's transaction, so the mark and the model commit together. */
export function markModelBuilt(db: DB): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(MODEL_DIGEST_KEY, manifestDigest(db));
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Refuse (exit 2) to analyse half the evidence or a model that no longer matches it. */
export function assertAnalysable(db: DB, dbPath: string): void {
  const broken = interruptedFiles(db);
  if (broken.length > 0) {
    const names = broken.slice(0, 5).map((f) => f.path).join(', ') + (broken.length > 5 ? ', …' : '');
    throw new UserError(
      'DB_INTERRUPTED',
      `the working database holds ${plural(broken.length, 'file whose ingest was interrupted', 'files whose ingest was interrupted')} (${names}): an analysis would see only part of the evidence`,
      dbPath,
      `run \`cdb-forensics ingest <bundle> --db ${dbPath}\` (or \`run\`) again: interrupted files are read again`,
    );
  }
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'block'").get();
  if (!has) throw new UserError('NOT_INGESTED', 'the database holds no ingested block', dbPath, `run \`cdb-forensics ingest <bundle> --db ${dbPath}\` first`);
  const built = db.prepare('SELECT value FROM meta WHERE key = ?').get(MODEL_DIGEST_KEY) as { value: string } | undefined;
  if (!built || built.value !== manifestDigest(db)) {
    throw new UserError(
      'DB_MODEL_STALE',
      'the canonical model does not match the ingested files: the last ingest ended before the model was rebuilt',
      dbPath,
      `run \`cdb-forensics ingest <bundle> --db ${dbPath}\` again: it rebuilds the model`,
    );
  }
}
