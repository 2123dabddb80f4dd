/**
 * Runs a verification plan (report.json `verification`) against a working database: the checks
 * an earlier analysis proposed, evaluated on the next block. SQL checks must be read-only and
 * return one number; log checks count log records (health polls excluded) in the block whose
 * message matches the pattern.
 */
import type Database from 'better-sqlite3';
import type { Expectation, VerificationCheck } from './define-rule.js';

export interface CheckOutcome {
  id: string;
  title: string;
  kind: VerificationCheck['kind'];
  value: number | null;
  expect: Expectation;
  /** pass / fail, or error when the check could not run (the message says why). */
  status: 'pass' | 'fail' | 'error';
  message: string | null;
}

export function compare(value: number, e: Expectation): boolean {
  const tol = e.tolerance ?? 0;
  switch (e.op) {
    case '>':
      return value > e.value - tol;
    case '>=':
      return value >= e.value - tol;
    case '<':
      return value < e.value + tol;
    case '<=':
      return value <= e.value + tol;
    case '==':
      return Math.abs(value - e.value) <= tol;
    case '!=':
      return Math.abs(value - e.value) > tol;
  }
}

function sqlValue(db: Database.Database, sql: string): number | null {
  const stmt = db.prepare(sql);
  if (!stmt.reader || !stmt.readonly) throw new Error('only a read-only query that returns rows can be a check');
  const row = stmt.raw(true).get() as unknown[] | undefined;
  if (!row || row.length === 0 || row[0] === null) return null;
  const v = Number(row[0]);
  if (!Number.isFinite(v)) throw new Error(`the query returned ${JSON.stringify(row[0])}, not a number`);
  return v;
}

function logCount(db: Database.Database, pattern: string): number {
  const re = new RegExp(pattern, 'm');
  let n = 0;
  const it = db
    .prepare("SELECT message FROM log_events WHERE COALESCE(in_block, 1) = 1 AND COALESCE(kind, '') <> 'health_poll' ORDER BY id")
    .raw(true)
    .iterate() as IterableIterator<[string]>;
  for (const [m] of it) if (re.test(m)) n++;
  return n;
}

export function runChecks(db: Database.Database, checks: (Omit<VerificationCheck, 'title'> & { title: string })[]): CheckOutcome[] {
  return checks.map((c) => {
    try {
      const value = c.kind === 'sql' ? sqlValue(db, c.check) : logCount(db, c.check);
      if (value === null) return { id: c.id, title: c.title, kind: c.kind, value, expect: c.expect, status: 'error', message: 'the query returned no value' };
      return { id: c.id, title: c.title, kind: c.kind, value, expect: c.expect, status: compare(value, c.expect) ? 'pass' : 'fail', message: null };
    } catch (e) {
      return { id: c.id, title: c.title, kind: c.kind, value: null, expect: c.expect, status: 'error', message: (e as Error).message };
    }
  });
}
