/**
 * One writer per working database. The lock is SQLite's own: a RESERVED lock (BEGIN IMMEDIATE,
 * never committed) on `<db>.lock`, held for the whole command. The operating system drops it
 * when the holder dies (fcntl on Linux/macOS, LockFileEx on Windows), so a killed run can never
 * leave a lock behind and a reused pid can never look like a live holder. Who holds it is
 * written beside it (`<db>.lock.json`) for the message of a process that has to wait; that note
 * left by a killed holder tells the next writer it is taking over.
 */
import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';

export interface LockHolder {
  pid: number;
  command: string;
  started: string;
  host: string;
}

export interface WriterLock {
  /** The holder whose run was killed while it held the lock (its note was left behind). */
  tookOverFrom: LockHolder | null;
  release(): void;
}

export const DEFAULT_WAIT_SECONDS = 300;
const POLL_MS = 200;

export function lockPaths(dbPath: string): { lock: string; note: string } {
  return { lock: `${dbPath}.lock`, note: `${dbPath}.lock.json` };
}

function readNote(path: string): LockHolder | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof v.pid === 'number' ? v : null;
  } catch {
    return null;
  }
}

export function describeHolder(h: LockHolder | null): string {
  if (!h) return 'another process (it has not yet said which)';
  return `pid ${h.pid} (${h.command})${h.host !== hostname() ? ` on ${h.host}` : ''}, since ${h.started}`;
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * Take the writer lock of a working database, waiting up to `waitSeconds` for a holder;
 * `onWait` is told once who is being waited for.
 */
export async function acquireWriterLock(
  dbPath: string,
  opts: { waitSeconds?: number; command?: string; onWait?: (holder: LockHolder | null, seconds: number) => void } = {},
): Promise<WriterLock> {
  const { lock, note } = lockPaths(dbPath);
  const wait = opts.waitSeconds ?? DEFAULT_WAIT_SECONDS;
  mkdirSync(dirname(lock), { recursive: true });
  let conn: Database.Database;
  try {
    conn = new Database(lock, { timeout: 0 });
  } catch (e) {
    throw new UserError('DB_LOCK', `cannot create the lock file of the working database: ${(e as Error).message}`, lock, 'choose a --db in a directory you can write');
  }
  const deadline = Date.now() + wait * 1000;
  let told = false;
  for (;;) {
    try {
      conn.exec('BEGIN IMMEDIATE');
      break;
    } catch (e) {
      if (!isBusy(e)) {
        conn.close();
        throw e;
      }
      const holder = readNote(note);
      if (Date.now() >= deadline) {
        conn.close();
        throw new UserError(
          'DB_BUSY',
          `another cdb-forensics is using this working database: ${describeHolder(holder)}; waited ${wait} s`,
          dbPath,
          'let it finish and run again, or pass --wait <seconds> to wait longer (two writers at once would double the evidence)',
        );
      }
      // The holder writes its note just after taking the lock: tell who once it has said so (or
      // after a second without a note), not "not yet said which" in the instant between.
      if (!told && (holder !== null || Date.now() >= deadline - wait * 1000 + 1000)) {
        opts.onWait?.(holder, wait);
        told = true;
      }
      await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }
  const left = readNote(note);
  const tookOverFrom = left && !(left.pid === process.pid && left.host === hostname()) ? left : null;
  const me: LockHolder = {
    pid: process.pid,
    command: opts.command ?? ['cdb-forensics', ...process.argv.slice(2)].join(' '),
    started: new Date().toISOString(),
    host: hostname(),
  };
  const tmp = `${note}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(me) + '\n');
  renameSync(tmp, note);
  let released = false;
  return {
    tookOverFrom,
    release() {
      if (released) return;
      released = true;
      // The note goes first: once the lock is free a waiter may write its own.
      rmSync(note, { force: true });
      try {
        conn.exec('ROLLBACK');
      } finally {
        conn.close();
      }
    },
  };
}
