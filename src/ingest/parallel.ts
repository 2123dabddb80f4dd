/**
 * Parallel ingest. Handing parsed rows from one thread to another costs about as much as
 * inserting them (structured clone runs per value), so threads do not share rows: each worker
 * parses a contiguous run of the bundle's files into a database file of its own, and this
 * thread copies those rows into the working database with INSERT … SELECT, which SQLite does
 * without leaving C. The first run of files is ingested here directly, while the workers run.
 *
 * Runs are contiguous in scan order and merged in that order, manifest ids are reserved up
 * front, and secret-bearing files are read before any run starts: the working database is the
 * same whatever the number of threads.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DB } from '../db/open.js';
import { RAW_TABLES, storedColumns } from '../db/raw-tables.js';
import type { Writer } from '../db/writer.js';
import { faultPoint } from '../util/fault.js';
import { forgetFile, type FileOutcome, type Planned } from './engine.js';
import { PARSERS } from './registry.js';

/** Below this much work a worker's start-up (loading modules, opening the bundle) is not repaid. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

const WORKER_URL = new URL('./ingest-worker.js', import.meta.url);

/** Each thread adds about 65 MB RSS: three stay under the 300 MB ingest budget. */
export const MAX_DEFAULT_JOBS = 3;

export function defaultJobs(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_JOBS, availableParallelism()));
}

/** The working database's file, or null for an in-memory database (which a worker cannot share). */
export function dbFile(db: DB): string | null {
  return db.memory || db.name === '' ? null : db.name;
}

/** What a worker needs to know about one file it ingests. */
export interface WorkerFile {
  path: string;
  fileId: number;
  parser: string | null;
  confidence: number;
  reason: string;
}

export interface WorkerInput {
  bundlePath: string;
  partDb: string;
  bid: number;
  files: WorkerFile[];
  learned: string[];
}

export type WorkerMessage =
  | { type: 'progress'; rows: number; bytes: number; path: string }
  | { type: 'done'; outcomes: FileOutcome[] }
  | { type: 'failed'; message: string };

/**
 * Split the files to ingest into contiguous runs of about equal bytes: the first for this
 * thread, the others for workers. One run when there is too little work, a single file, an
 * in-memory database, a parser outside the registry (a worker only knows the registry), or
 * when the worker script is not built (running from the TypeScript sources).
 */
export function partitionWork(work: Planned[], jobs: number | undefined, dbPath: string | null, pieceThreads: (p: Planned) => number = () => 1): Planned[][] {
  const n = Math.min(jobs ?? defaultJobs(), work.length);
  const total = work.reduce((a, p) => a + p.file.bytes, 0);
  if (n <= 1 || dbPath === null || (jobs === undefined && total < PARALLEL_MIN_BYTES)) return [work];
  if (!work.every((p) => p.detection.parser === null || PARSERS.includes(p.detection.parser))) return [work];
  if (!existsSync(fileURLToPath(WORKER_URL))) return [work];
  const sizes = work.map((p) => p.file.bytes);
  const runs = splitRuns(sizes, n);
  if (piecesSooner(sizes, work.map(pieceThreads), runs)) return [work];
  return runs.map(([from, to]) => work.slice(from, to));
}

/**
 * What a file read in pieces costs beyond its share of the threads: the pieces are joined, and
 * this thread also hashes the whole file (a log's join costs ~0.16 of parsing it: compose-logs'
 * `joinCost`, which sizes its pieces in split.ts).
 */
const PIECE_OVERHEAD = 1.15;

/**
 * Whether reading the files one after another, each large one in pieces on `pieceThreads[i]`
 * threads (1: whole), ends sooner than the runs of whole files on threads of their own. A run
 * takes as long as its bytes, so one file holding most of the bundle — a DEBUG `cdb_signal` log
 * beside five small services, as `docker compose logs <service>` per service leaves it — keeps
 * one thread busy while the others wait; in pieces every thread shares it.
 */
export function piecesSooner(sizes: number[], pieceThreads: number[], runs: [number, number][]): boolean {
  let runsCost = 0;
  for (const [from, to] of runs) {
    let bytes = 0;
    for (let i = from; i < to; i++) bytes += sizes[i];
    runsCost = Math.max(runsCost, bytes);
  }
  let piecesCost = 0;
  for (let i = 0; i < sizes.length; i++) piecesCost += pieceThreads[i] > 1 ? (sizes[i] * PIECE_OVERHEAD) / pieceThreads[i] : sizes[i];
  return piecesCost < runsCost;
}

/**
 * Cut a sequence of sizes into `n` contiguous, non-empty runs of about equal total: [from, to)
 * index pairs. A run ends once it holds its share of the total, or when each remaining item is
 * needed for a run of its own.
 */
export function splitRuns(sizes: number[], n: number): [number, number][] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const runs: [number, number][] = [];
  let start = 0;
  let acc = 0;
  for (let i = 0; i < sizes.length; i++) {
    acc += sizes[i];
    const left = sizes.length - i - 1;
    const runsLeft = n - runs.length - 1;
    if (runsLeft > 0 && left > 0 && (acc >= (total * (runs.length + 1)) / n || left === runsLeft)) {
      runs.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < sizes.length) runs.push([start, sizes.length]);
  return runs;
}

export interface RunningPart {
  done: Promise<{ ok: true; partDb: string; outcomes: FileOutcome[] } | { ok: false; message: string }>;
  /** Stop the worker if it still runs and delete its scratch database (also when the ingest fails). */
  cleanup(): Promise<void>;
}

/** A scratch database and its journal files. */
export function removeScratch(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/** A worker's scratch database: `<db>.ingest-part<k>-<pid>.tmp`, so a later run can tell whose it is. */
export function partDbPath(dbPath: string, k: number, pid = process.pid): string {
  return `${dbPath}.ingest-part${k}-${pid}.tmp`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Scratch databases a killed ingest left beside the working database (their process is gone):
 * deleted, and their names returned. Those of a live process are left alone.
 */
export function removeStaleParts(dbPath: string): string[] {
  const dir = dirname(dbPath);
  const prefix = `${basename(dbPath)}.ingest-part`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^\d+-(\d+)\.tmp(-journal|-wal|-shm)?$/.exec(name.slice(prefix.length));
    if (!m || (Number(m[1]) !== process.pid && alive(Number(m[1])))) continue;
    rmSync(join(dir, name), { force: true });
    if (!m[2]) removed.push(join(dir, name));
  }
  return removed;
}

export function startWorker(
  dbPath: string,
  k: number,
  bundlePath: string,
  bid: number,
  part: Planned[],
  idOf: (path: string) => number,
  learned: string[],
  onProgress?: (rows: number, bytes: number, path: string) => void,
): RunningPart {
  const partDb = partDbPath(dbPath, k);
  removeScratch(partDb);
  const input: WorkerInput = {
    bundlePath,
    partDb,
    bid,
    learned,
    files: part.map((p) => ({
      path: p.file.path,
      fileId: idOf(p.file.path),
      parser: p.detection.parser?.id ?? null,
      confidence: p.detection.confidence,
      reason: p.detection.reason,
    })),
  };
  let worker: Worker | undefined;
  return {
    done: new Promise((resolveDone) => {
      let settled = false;
      const settle = (r: Awaited<RunningPart['done']>) => {
        if (!settled) resolveDone(r);
        settled = true;
      };
      let w: Worker;
      try {
        w = worker = new Worker(WORKER_URL, { workerData: input });
      } catch (e) {
        settle({ ok: false, message: (e as Error).message });
        return;
      }
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') onProgress?.(m.rows, m.bytes, m.path);
        else if (m.type === 'done') settle({ ok: true, partDb, outcomes: m.outcomes });
        else settle({ ok: false, message: m.message });
      });
      w.on('error', (e: Error) => settle({ ok: false, message: e.message }));
      w.on('exit', (code: number) => settle({ ok: false, message: `worker exited with code ${code}` }));
    }),
    cleanup: async () => {
      if (worker) await worker.terminate();
      removeScratch(partDb);
    },
  };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The part's columns of a dumped table that the working table has now. A part's table holds the
 * columns of all its files (a full dump's and an aggregate CSV's), but the working table only
 * gains a file's columns when that file is merged, as in a serial ingest; a part column it lacks
 * is one this file never wrote (NULL in all its rows), so leaving it out loses nothing.
 */
function sharedColumns(db: DB, tbl: string, partColumns: string[]): string[] {
  const main = new Set((db.prepare(`SELECT name FROM pragma_table_info(?, 'main')`).all(tbl) as { name: string }[]).map((c) => c.name.toLowerCase()));
  return partColumns.filter((c) => main.has(c.toLowerCase()));
}

/**
 * Copy one worker's files into the working database, file by file in scan order, so row ids
 * come out as a serial ingest gives them. One transaction: the part's files, and the removal of
 * the rows earlier ingests of them left (`prev`), commit together or not at all.
 */
export function mergePart(db: DB, writer: Writer, partDb: string, paths: string[], bid: number, prev: Map<string, { id: number; sha256: string | null }> = new Map()): void {
  db.prepare('ATTACH DATABASE ? AS part').run(partDb);
  try {
    db.transaction(() => {
      const idOf = db.prepare('SELECT id FROM main.manifest WHERE bundle_id = ? AND path = ?');
      const columnsOf = db.prepare('SELECT original, columns FROM part.part_columns WHERE file_id = ? ORDER BY seq');
      const rangesOf = db.prepare('SELECT tbl, lo, hi FROM part.part_ranges WHERE file_id = ? ORDER BY seq');
      const partCols = new Map<string, string[]>();
      const srcColumns = (tbl: string): string[] => {
        let cols = partCols.get(tbl);
        if (!cols) {
          cols = (db.prepare(`SELECT name FROM pragma_table_info(?, 'part')`).all(tbl) as { name: string }[]).map((c) => c.name).filter((c) => c !== '_id');
          partCols.set(tbl, cols);
        }
        return cols;
      };
      const fields = 'bytes, mtime, sha256, parser, parser_version, confidence, reason, encoding, lines, records, record_lines, structural, quarantined, status, message, first_ts, last_ts, catalog_version';
      const perFile = [
        db.prepare('INSERT INTO main.quarantine (file_id, path, line, reason, excerpt) SELECT file_id, path, line, reason, excerpt FROM part.quarantine WHERE file_id = ? ORDER BY id'),
        db.prepare('INSERT INTO main.structural_lines (file_id, counter, n) SELECT file_id, counter, n FROM part.structural_lines WHERE file_id = ? ORDER BY counter'),
        db.prepare('INSERT INTO main.file_notes (file_id, note) SELECT file_id, note FROM part.file_notes WHERE file_id = ? ORDER BY rowid'),
        db.prepare('INSERT INTO main.log_hourly SELECT * FROM part.log_hourly WHERE file_id = ? ORDER BY rowid'),
      ];
      const manifest = db.prepare(`UPDATE main.manifest SET (${fields}) = (SELECT ${fields} FROM part.manifest WHERE id = ?) WHERE id = ?`);
      const setPrevious = db.prepare('UPDATE main.manifest SET previous_sha256 = ? WHERE id = ? AND sha256 IS NOT NULL AND sha256 <> ?');
      for (const path of paths) {
        const { id } = idOf.get(bid, path) as { id: number };
        const old = prev.get(path);
        if (old) forgetFile(db, old.id);
        for (const c of columnsOf.all(id) as { original: string; columns: string }[]) writer.ensureSrcColumns(c.original, JSON.parse(c.columns) as string[]);
        for (const r of rangesOf.all(id) as { tbl: string; lo: number; hi: number }[]) {
          const raw = RAW_TABLES[r.tbl];
          // in_block too: the writer stores a provisional mark the model build only corrects (copies keep it).
          const cols = raw ? storedColumns(r.tbl) : sharedColumns(db, r.tbl, srcColumns(r.tbl));
          const key = raw ? 'id' : '_id';
          const list = cols.map(quoteIdent).join(', ');
          db.prepare(`INSERT INTO main.${quoteIdent(r.tbl)} (${list}) SELECT ${list} FROM part.${quoteIdent(r.tbl)} WHERE ${key} > ? AND ${key} <= ? ORDER BY ${key}`).run(r.lo, r.hi);
        }
        for (const st of perFile) st.run(id);
        manifest.run(id, id);
        if (old?.sha256) setPrevious.run(old.sha256, id, old.sha256);
        faultPoint('merge');
      }
    })();
  } finally {
    db.exec('DETACH DATABASE part');
  }
}
