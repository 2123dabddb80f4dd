/**
 * `PRAGMA quick_check` reads the whole working database: ~20 s of CPU for the 2 GB database of a
 * 1 GB bundle, ten times the analysis itself, paid by every `analyze` and every later `ingest`.
 * A writing command that ended cleanly — its last connection closed, the write-ahead log copied
 * into the database file and gone or empty — leaves `<db>.verified` beside it: the file's size,
 * modification time (ns), inode and device as it left them. The next command that would check the
 * database skips the check when the file is still exactly that file, untouched since (no other
 * program wrote it: any write moves its modification time; a copy is another inode). A writer
 * removes the stamp before its first write, so a crash or a kill leaves none: then the check runs.
 */
import { existsSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';

interface Stamp {
  size: string;
  mtimeNs: string;
  ino: string;
  dev: string;
}

export function verifiedPath(db: string): string {
  return `${db}.verified`;
}

function stampOf(db: string): Stamp | null {
  const wal = `${db}-wal`;
  // Committed transactions still in the log are not in the file the stamp describes.
  if (existsSync(wal) && statSync(wal).size > 0) return null;
  const s = statSync(db, { bigint: true });
  return { size: String(s.size), mtimeNs: String(s.mtimeNs), ino: String(s.ino), dev: String(s.dev) };
}

/** After a writing command ended cleanly: what the database file is now, for the next check to trust. */
export function stampVerified(db: string): void {
  const stamp = stampOf(db);
  if (stamp === null) return;
  const tmp = `${verifiedPath(db)}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(stamp) + '\n');
    renameSync(tmp, verifiedPath(db));
  } catch {
    // Only a saving: without the stamp the next command checks the file.
    rmSync(tmp, { force: true });
  }
}

/** Before a writer's first write: a command killed from here on leaves no stamp behind. */
export function forgetVerified(db: string): void {
  rmSync(verifiedPath(db), { force: true });
}

/** Whether the database file is the one a writing command left after it ended cleanly. */
export function unchangedSinceVerified(db: string): boolean {
  let saved: Partial<Stamp>;
  try {
    saved = JSON.parse(readFileSync(verifiedPath(db), 'utf8')) as Partial<Stamp>;
  } catch {
    return false;
  }
  const now = stampOf(db);
  return now !== null && saved.size === now.size && saved.mtimeNs === now.mtimeNs && saved.ino === now.ino && saved.dev === now.dev;
}
