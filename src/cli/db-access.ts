/**
 * How commands reach the working database: writers (and analyses, which need a database no one
 * is changing) hold the writer lock; places that cannot be written are refused before any work.
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { acquireWriterLock, describeHolder, type WriterLock } from '../db/lock.js';
import { UserError } from '../errors.js';

/**
 * Refuse a directory that cannot be written (read-only medium, no permission, a file in the way),
 * by writing a probe file where the output would go: permission bits alone lie (root, ACLs,
 * read-only mounts). The directory itself is not created here.
 */
export function assertWritableDir(dir: string, flag: string, what: string): void {
  let d = resolve(dir);
  while (!existsSync(d)) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  const refuse = (why: string): never => {
    throw new UserError('NOT_WRITABLE', `${what} cannot be written: ${why}`, resolve(dir), `choose a ${flag} in a directory you can write (a bundle on a read-only medium is fine: it is only read)`);
  };
  if (!statSync(d).isDirectory()) refuse(`${d} is not a directory`);
  const probe = join(d, `.cdb-forensics-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
  } catch (e) {
    refuse((e as Error).message);
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Refuse a --db that could not be written (its directory, or the file itself). */
export function assertWritableDb(dbPath: string): void {
  assertWritableDir(dirname(dbPath), '--db', 'the working database');
  if (existsSync(dbPath)) {
    try {
      const st = statSync(dbPath);
      if (st.isDirectory()) throw new UserError('NOT_WRITABLE', 'the working database path is a directory', dbPath, 'name a file with --db');
    } catch (e) {
      if (e instanceof UserError) throw e;
    }
  }
}

/** Take the writer lock of a working database, telling the analyst who is being waited for. */
export async function lockDb(dbPath: string, waitSeconds: number | undefined): Promise<WriterLock> {
  mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  const lock = await acquireWriterLock(resolve(dbPath), {
    waitSeconds,
    onWait: (holder, seconds) => process.stderr.write(`waiting for ${describeHolder(holder)} to finish with ${dbPath} (up to ${seconds} s, --wait)\n`),
  });
  if (lock.tookOverFrom) {
    process.stderr.write(`note: the previous writer of ${dbPath}, ${describeHolder(lock.tookOverFrom)}, stopped without finishing and is no longer running; its lock is taken over\n`);
  }
  return lock;
}

export const WAIT_OPTION = {
  type: 'number',
  describe: 'seconds to wait while another cdb-forensics writes the same database (default 300), then exit 2',
} as const;
