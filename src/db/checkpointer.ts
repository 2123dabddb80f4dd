import { Worker } from 'node:worker_threads';
import { defaultJobs, PARALLEL_MIN_BYTES } from '../ingest/parallel.js';
import type { DB } from './open.js';

export type CheckpointRequest = 'finish';
export interface CheckpointMessage {
  failure: string | null;
}

const WORKER_URL = new URL('./checkpoint-worker.js', import.meta.url);
/** Looked at this often; a checkpoint starts once this much was added to the WAL. */
const EVERY_MS = 100;
const MIN_BYTES = 4 * 1024 * 1024;

/**
 * WAL writes each page twice: once when a transaction commits, again when a checkpoint copies it
 * into the database file. SQLite checkpoints inside the COMMIT that crosses its threshold, so one
 * large file's COMMIT waited for the whole copy and its syncs (1 GB of log: ~6.5 s). Here the
 * writer's automatic checkpoint is off and a thread of its own checkpoints while the writer goes
 * on. Nothing else changes: a checkpoint is crash-safe and invisible to readers, the pages
 * copied are the same, and what a reader sees is still whole committed transactions.
 */
export class BackgroundCheckpoints {
  /**
   * Checkpoints on a thread of their own pay where the WAL grows large: a bundle big enough to be
   * read on several threads. Small bundles keep SQLite's own (CDB_FORENSICS_BG_CHECKPOINT=1|0 forces).
   */
  static wanted(bundleBytes: number, jobs: number | undefined): boolean {
    const forced = process.env.CDB_FORENSICS_BG_CHECKPOINT;
    if (forced === '1' || forced === '0') return forced === '1';
    return bundleBytes >= PARALLEL_MIN_BYTES && (jobs ?? defaultJobs()) > 1;
  }

  private readonly worker: Worker;
  private readonly done: Promise<CheckpointMessage>;
  private finished: Promise<string | null> | null = null;
  /** The writer's own threshold, given back when the thread ends. */
  private readonly autocheckpoint: number;

  private constructor(private readonly db: DB, file: string) {
    this.autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(WORKER_URL, { workerData: { file, everyMs: EVERY_MS, minBytes: MIN_BYTES } });
    this.done = new Promise((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`the checkpoint thread stopped (exit code ${code})`)));
    });
    // A thread that could not start or died: SQLite checkpoints in the writer again, as without it;
    // finish() reports why.
    this.done.catch(() => {
      if (this.finished === null) this.handBack();
    });
    // Until finish() is called the thread must not keep the process alive by itself.
    this.worker.unref();
  }

  private handBack(): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${this.autocheckpoint}`);
  }

  /** Null when the database is in memory, or not in WAL mode: nothing to do then. */
  static start(db: DB): BackgroundCheckpoints | null {
    if (db.memory || !db.name || db.name === ':memory:') return null;
    if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
    return new BackgroundCheckpoints(db, db.name);
  }

  /**
   * The last checkpoint, truncating the WAL (after every other connection of this process closed),
   * then the thread ends. Resolves to why a checkpoint failed, or null: a failed checkpoint loses
   * nothing — the WAL keeps the pages, and the next connection copies them.
   */
  finish(): Promise<string | null> {
    this.finished ??= (async () => {
      this.worker.ref();
      this.worker.postMessage('finish' satisfies CheckpointRequest);
      try {
        return (await this.done).failure;
      } catch (e) {
        return (e as Error).message;
      } finally {
        this.handBack();
      }
    })();
    return this.finished;
  }
}
