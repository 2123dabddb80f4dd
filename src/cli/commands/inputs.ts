/**
 * What the analyst has for one side of `compare` or `verify`: a bundle (directory or archive),
 * a working database, or a report.json — told apart by content, not by name. A bundle is
 * ingested first, into its default working database.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { analyze } from '../../analysis/analyze.js';
import { openDb } from '../../db/open.js';
import { UserError } from '../../errors.js';
import { looksLikeReport, readReportFile } from '../../report/read.js';
import type { ReportModel } from '../../report/model.js';
import { VERSION } from '../../version.js';
import { runIngest } from './ingest.js';
import { reportClock } from './output.js';

export type InputKind = 'bundle' | 'db' | 'report';

export function inputKind(path: string): InputKind {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UserError('NO_INPUT', 'no such file or directory', path, 'pass a bundle (directory or archive), a working database or a report.json');
  }
  if (st.isDirectory()) return 'bundle';
  const head = Buffer.alloc(4096);
  const fd = openSync(path, 'r');
  let n = 0;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = head.subarray(0, n);
  if (text.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000') return 'db';
  if (looksLikeReport(text.toString('utf8'))) return 'report';
  return 'bundle';
}

/** A database for the side: the file itself, or the bundle ingested into its default working DB. */
export async function dbFor(path: string, kind: InputKind, what: string): Promise<string> {
  if (kind === 'db') return path;
  if (kind === 'report') throw new UserError('NEEDS_EVIDENCE', `${what} must be evidence to run SQL on, not a report.json`, path, 'pass the next block\'s bundle or working database');
  const { dbPath } = await runIngest({ bundle: path, as: [], append: false, quiet: true });
  return dbPath;
}

/** The report for the side: read, or analysed from the database (clock: SOURCE_DATE_EPOCH or the block end). */
export async function reportFor(path: string): Promise<{ model: ReportModel; kind: InputKind; notes: string[] }> {
  const kind = inputKind(path);
  if (kind === 'report') {
    const r = readReportFile(path);
    return { model: r.model, kind, notes: r.notes };
  }
  const dbPath = await dbFor(path, kind, path);
  const db = openDb(dbPath, { readonly: true });
  try {
    return { model: analyze(db, { now: reportClock(undefined, db), toolVersion: VERSION }), kind, notes: kind === 'bundle' ? [`ingested into ${dbPath}`] : [] };
  } finally {
    db.close();
  }
}
