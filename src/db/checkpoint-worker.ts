/**
 * The working database's checkpoints, on a thread of their own (see checkpointer.ts): copies the
 * pages that committed transactions left in the WAL into the database file while the writer goes
 * on parsing and the model is built, instead of inside the writer's COMMIT.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointMessage, CheckpointRequest } from './checkpointer.js';

if (process.env.CDB_FORENSICS_FAIL_CHECKPOINT === '1') throw new Error('checkpoint thread failure requested by CDB_FORENSICS_FAIL_CHECKPOINT');
const { file, everyMs, minBytes } = workerData as { file: string; everyMs: number; minBytes: number };
const db = new Database(file, { timeout: 0 });
const port = parentPort!;
let copiedUpTo = 0;
let failure: string | null = null;

function walBytes(): number {
  try {
    return statSync(file + '-wal').size;
  } catch {
    return 0;
  }
}

/** PASSIVE never waits for and never blocks the writer or a reader: it copies what it can. */
function checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): void {
  try {
    const [r] = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
    // Everything committed so far is in the database file: the next one starts from here.
    if (r.checkpointed === r.log) copiedUpTo = walBytes();
  } catch (e) {
    // A passive checkpoint that met the writer restarting the log, or another checkpoint, did
    // nothing this time: the next tick tries again; not a failure to tell anyone about.
    if (mode === 'PASSIVE' && /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code))) return;
    // The WAL still holds every committed page; a later checkpoint (or the next open) copies them.
    failure ??= `${mode} checkpoint: ${(e as Error).message}`;
  }
}

const timer = setInterval(() => {
  const size = walBytes();
  // The WAL is reused from its start after a complete checkpoint: a smaller file is new frames too.
  if (size > copiedUpTo + minBytes || size < copiedUpTo) checkpoint('PASSIVE');
}, everyMs);

port.on('message', (m: CheckpointRequest) => {
  if (m === 'finish') {
    clearInterval(timer);
    // Every other connection of the process is closed by now; one of another process (a reader)
    // may still be finishing its read: wait for it a little rather than leave the log behind.
    db.pragma('busy_timeout = 2000');
    checkpoint('TRUNCATE');
    db.close();
    port.postMessage({ failure } satisfies CheckpointMessage);
    port.close();
  }
});
