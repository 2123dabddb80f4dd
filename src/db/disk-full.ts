import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || /SQLITE_FULL|ENOSPC|database or disk is full|no space left/i.test(String((e as Error)?.message));
}

/**
 * Out of space while writing the working database: what, where, the free space and about how
 * much is needed. `evidenceBytes` is the size of the evidence being loaded; while loading, the
 * database and its write-ahead log take about twice that.
 */
export function diskFullError(e: unknown, dbPath: string, doing: string, evidenceBytes: number): UserError | null {
  if (!isDiskFull(e)) return null;
  let free = '';
  try {
    const st = statfsSync(dirname(dbPath));
    free = `${((Number(st.bavail) * Number(st.bsize)) / 1e6).toFixed(1)} MB free there now; `;
  } catch {
    /* statfs is best effort */
  }
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return new UserError(
    'DISK_FULL',
    `no space left for the working database while ${doing} (${(e as Error).message})`,
    dbPath,
    `${free}the database needs about twice the bundle's size while loading (this bundle: ${mb(evidenceBytes)} MB, so about ${mb(2 * evidenceBytes)} MB) — ` +
      'free space or choose a --db on a larger disk, then run again. Files finished before the disk filled are kept whole; the others are read again',
  );
}
