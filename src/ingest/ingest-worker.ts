/**
 * An ingest worker thread: reads the files it is given from the bundle and ingests them, with
 * the engine's own code, into a database file of its own, which the main thread merges
 * (see parallel.ts). It records where each file's rows lie so the merge can copy them in order.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { openBundle } from '../bundle/open-bundle.js';
import { RAW_TABLES } from '../db/raw-tables.js';
import { schemaSql } from '../db/schema.js';
import { Writer } from '../db/writer.js';
import { Redactor } from '../redact/secrets.js';
import { INGEST_CACHE_KIB, ingestFile, prepareStatements, type FileOutcome } from './engine.js';
import { PAGE_SIZE } from '../db/open.js';
import type { WorkerInput, WorkerMessage } from './parallel.js';
import { PARSERS } from './registry.js';

const PART_SCHEMA = `
CREATE TABLE part_ranges (seq INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, tbl TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL);
CREATE TABLE part_columns (seq INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, original TEXT NOT NULL, columns TEXT NOT NULL);
`;

async function run(input: WorkerInput): Promise<FileOutcome[]> {
  // Lets the end-to-end tests prove that a failed worker loses no evidence.
  if (process.env.CDB_FORENSICS_FAIL_WORKER === '1') throw new Error('worker failure requested by CDB_FORENSICS_FAIL_WORKER');
  const db = new Database(input.partDb);
  db.pragma(`page_size = ${PAGE_SIZE}`);
  // A scratch file deleted after the merge: nothing to protect with a journal.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma(`cache_size = ${INGEST_CACHE_KIB}`);
  db.exec(schemaSql() + PART_SCHEMA);
  db.prepare("INSERT INTO bundles (id, root, name, kind) VALUES (?, '', '', '')").run(input.bid);
  const reserve = db.prepare("INSERT INTO manifest (id, bundle_id, path, status) VALUES (?, ?, ?, 'pending')");
  for (const f of input.files) reserve.run(f.fileId, input.bid, f.path);

  const redactor = new Redactor();
  for (const s of input.learned) redactor.learn(s);
  const writer = new Writer(db, redactor);
  const stmts = prepareStatements(db);
  const insRange = db.prepare('INSERT INTO part_ranges (file_id, tbl, lo, hi) VALUES (?, ?, ?, ?)');
  const insColumns = db.prepare('INSERT INTO part_columns (file_id, original, columns) VALUES (?, ?, ?)');
  // Dumped tables appear as files are read, so their statements are made (once) when first seen.
  const maxIdOf = new Map<string, import('better-sqlite3').Statement>(
    Object.keys(RAW_TABLES).map((t) => [t, db.prepare(`SELECT COALESCE(MAX(id), 0) n FROM ${t}`)]),
  );
  const srcTables = db.prepare('SELECT name FROM src_tables ORDER BY name');
  const maxIds = (): Map<string, number> => {
    for (const { name } of srcTables.all() as { name: string }[]) {
      if (!maxIdOf.has(name)) maxIdOf.set(name, db.prepare(`SELECT COALESCE(MAX(_id), 0) n FROM "${name.replace(/"/g, '""')}"`));
    }
    return new Map([...maxIdOf].map(([t, st]) => [t, (st.get() as { n: number }).n]));
  };

  const byPath = new Map(input.files.map((f) => [f.path, f]));
  const outcomes: FileOutcome[] = [];
  const progress = { done: 0, bytesDone: 0, total: input.files.length, totalBytes: 0 };
  const bundle = await openBundle(input.bundlePath);
  await bundle.scan(
    (f) => byPath.has(f.path),
    async (file, src) => {
      const f = byPath.get(file.path)!;
      const head = await src.head();
      const parser = f.parser === null ? null : (PARSERS.find((p) => p.id === f.parser) ?? null);
      const before = maxIds();
      const p = { file, head, detection: { parser, confidence: f.confidence, reason: f.reason, alternatives: [] }, order: 0 };
      const outcome = await ingestFile({
        db, bid: input.bid, file, p, src, writer, redactor, prev: undefined, stmts, progress,
        opts: { progress: (pr) => parentPort!.postMessage({ type: 'progress', rows: pr.rows, bytes: pr.bytes, path: pr.path } satisfies WorkerMessage) },
      });
      db.transaction(() => {
        for (const [tbl, hi] of maxIds()) {
          const lo = before.get(tbl) ?? 0;
          if (hi > lo) insRange.run(f.fileId, tbl, lo, hi);
        }
        for (const [original, columns] of writer.takeFileColumns()) insColumns.run(f.fileId, original, JSON.stringify(columns));
      })();
      outcomes.push(outcome);
      progress.done++;
      progress.bytesDone += file.bytes;
    },
  );
  db.close();
  return outcomes;
}

run(workerData as WorkerInput).then(
  (outcomes) => parentPort!.postMessage({ type: 'done', outcomes } satisfies WorkerMessage),
  (e: unknown) => parentPort!.postMessage({ type: 'failed', message: String((e as Error)?.stack ?? e) } satisfies WorkerMessage),
);
