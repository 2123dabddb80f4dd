import { resolve, basename } from 'node:path';
import { openBundle, type Bundle, type FileSource } from '../bundle/open-bundle.js';
import type { BundleFile, FileHead } from '../bundle/types.js';
import type { DB } from '../db/open.js';
import { RAW_TABLES } from '../db/raw-tables.js';
import { Writer } from '../db/writer.js';
import { UserError } from '../errors.js';
import { Redactor } from '../redact/secrets.js';
import type { ParserDef, Row } from './define-parser.js';
import { detect, type Detection, type ForcedParser } from './detect.js';

export interface IngestOptions {
  append?: boolean;
  forced?: ForcedParser[];
  /** Called with progress; the CLI prints it when stderr is a TTY. */
  progress?: (p: { files: number; totalFiles: number; bytes: number; rows: number; path: string }) => void;
  /** Injected clock for the bundles.ingested_at column (reports never show it). */
  now?: string;
}

export interface FileOutcome {
  path: string;
  parser: string | null;
  status: string;
  lines: number;
  records: number;
  structural: number;
  quarantined: number;
  skipped: boolean;
  message?: string;
}

export interface IngestSummary {
  bundle: string;
  files: FileOutcome[];
  refused: number;
  rows: number;
  unchanged: number;
}

const EXCERPT = 120;
const COMMIT_EVERY_ROWS = 100_000;

function excerpt(text: string): string {
  const t = text.length > EXCERPT ? text.slice(0, EXCERPT - 1) + '…' : text;
  return t;
}

interface Planned {
  file: BundleFile;
  head: FileHead;
  detection: Detection;
}

/** Drop every row a file produced earlier, so a re-parse does not duplicate. */
function forgetFile(db: DB, fileId: number): void {
  for (const t of Object.keys(RAW_TABLES)) db.prepare(`DELETE FROM ${t} WHERE file_id = ?`).run(fileId);
  const src = db.prepare('SELECT name FROM src_tables').all() as { name: string }[];
  for (const { name } of src) db.prepare(`DELETE FROM "${name}" WHERE file_id = ?`).run(fileId);
  db.prepare('DELETE FROM quarantine WHERE file_id = ?').run(fileId);
  db.prepare('DELETE FROM structural_lines WHERE file_id = ?').run(fileId);
  db.prepare('DELETE FROM file_notes WHERE file_id = ?').run(fileId);
}

function bundleId(db: DB, bundle: Bundle, append: boolean, now: string | undefined): number {
  const root = resolve(bundle.root);
  const rows = db.prepare('SELECT id, root FROM bundles ORDER BY id').all() as { id: number; root: string }[];
  const same = rows.find((r) => r.root === root);
  if (same) return same.id;
  if (rows.length > 0 && !append) {
    throw new UserError(
      'DB_OTHER_BUNDLE',
      `this working database already holds another bundle (${rows.map((r) => r.root).join(', ')})`,
      root,
      'pass --append to add this bundle to the same database, or choose a new database with --db',
    );
  }
  const info = db
    .prepare('INSERT INTO bundles (root, name, kind, ingested_at) VALUES (?, ?, ?, ?)')
    .run(root, bundle.name, bundle.kind, now ?? null);
  return Number(info.lastInsertRowid);
}

export async function planBundle(bundle: Bundle, parsers: ParserDef[], forced: ForcedParser[] = []): Promise<Planned[]> {
  const planned: Planned[] = [];
  await bundle.scan(
    () => true,
    async (file, src) => {
      const head = await src.head();
      planned.push({ file, head, detection: detect(head, parsers, forced) });
    },
  );
  planned.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  return planned;
}

/** Learn secrets the DB already holds markers for is impossible by design; re-learn from config files each run. */
export async function ingestBundle(db: DB, bundlePath: string, parsers: ParserDef[], opts: IngestOptions = {}): Promise<IngestSummary> {
  const bundle = await openBundle(bundlePath);
  const plan = await planBundle(bundle, parsers, opts.forced);
  const recognised = plan.filter((p) => p.detection.parser);
  if (recognised.length === 0) {
    throw new UserError(
      'NOTHING_RECOGNISED',
      `no file in the bundle was recognised as evidence (${plan.length} file(s) looked at, ${bundle.refused.length} refused)`,
      resolve(bundlePath),
      'run `cdb-forensics detect <bundle>` to see why each file was not claimed, and force a parser with --as <parser>=<glob>',
    );
  }
  const bid = bundleId(db, bundle, opts.append ?? false, opts.now);
  // A rollback journal records only pages that existed before a transaction, so appending
  // evidence costs one write per page; WAL would write every page twice. Readers come later.
  db.pragma('journal_mode = DELETE');
  try {
    return await ingestPlanned(db, bundle, bundlePath, plan, bid, opts);
  } finally {
    db.pragma('journal_mode = WAL');
  }
}

async function ingestPlanned(db: DB, bundle: Bundle, bundlePath: string, plan: Planned[], bid: number, opts: IngestOptions): Promise<IngestSummary> {
  const redactor = new Redactor();
  const writer = new Writer(db, redactor);
  const outcomes: FileOutcome[] = [];
  let unchanged = 0;
  let done = 0;
  let bytesDone = 0;

  const byPath = new Map(plan.map((p) => [p.file.path, p]));

  const upsertManifest = db.prepare(`
    INSERT INTO manifest (bundle_id, path, bytes, mtime, sha256, parser, parser_version, confidence, reason, encoding,
                          lines, records, record_lines, structural, quarantined, status, message)
    VALUES (@bundle_id, @path, @bytes, @mtime, @sha256, @parser, @parser_version, @confidence, @reason, @encoding,
            @lines, @records, @record_lines, @structural, @quarantined, @status, @message)
    ON CONFLICT(bundle_id, path) DO UPDATE SET bytes=excluded.bytes, mtime=excluded.mtime, sha256=excluded.sha256,
      parser=excluded.parser, parser_version=excluded.parser_version, confidence=excluded.confidence, reason=excluded.reason,
      encoding=excluded.encoding, lines=excluded.lines, records=excluded.records, record_lines=excluded.record_lines,
      structural=excluded.structural, quarantined=excluded.quarantined, status=excluded.status, message=excluded.message`);
  const getManifest = db.prepare('SELECT id, bytes, mtime, sha256, parser, parser_version, status FROM manifest WHERE bundle_id = ? AND path = ?');
  const insQuarantine = db.prepare('INSERT INTO quarantine (file_id, path, line, reason, excerpt) VALUES (?, ?, ?, ?, ?)');
  const insStructural = db.prepare('INSERT INTO structural_lines (file_id, counter, n) VALUES (?, ?, ?)');
  const insNote = db.prepare('INSERT INTO file_notes (file_id, note) VALUES (?, ?)');

  // Config is read first in a scan of its own so that its secrets are known before any other text is stored.
  const phases: ((f: BundleFile) => boolean)[] = [
    (f) => byPath.get(f.path)?.detection.parser?.kind === 'config',
    (f) => byPath.get(f.path)?.detection.parser?.kind !== 'config',
  ];

  for (const select of phases) {
    await bundle.scan(select, async (file, src) => {
      const p = byPath.get(file.path)!;
      const parser = p.detection.parser;
      const prev = getManifest.get(bid, file.path) as
        | { id: number; bytes: number; mtime: string | null; sha256: string | null; parser: string | null; parser_version: number | null; status: string }
        | undefined;
      const mtime = (file as BundleFile & { mtime?: string }).mtime ?? null;
      if (
        prev && prev.bytes === file.bytes && prev.mtime === mtime && prev.parser === (parser?.id ?? null) &&
        prev.parser_version === (parser?.version ?? null) && prev.status !== 'error'
      ) {
        unchanged++;
        if (parser) {
          // Secrets of an unchanged .env must still be learned for the files that do change.
          if (parser.kind === 'config') await relearnConfig(parser, p, src, redactor);
        }
        outcomes.push({ path: file.path, parser: parser?.id ?? null, status: prev.status, lines: 0, records: 0, structural: 0, quarantined: 0, skipped: true });
        return;
      }
      const outcome = await ingestFile({ db, bid, file, mtime, p, src, writer, redactor, prevId: prev?.id, upsertManifest, getManifest, insQuarantine, insStructural, insNote, opts, bytesDone, done, total: plan.length });
      outcomes.push(outcome);
      done++;
      bytesDone += file.bytes;
    });
  }

  for (const r of bundle.refused) {
    upsertManifest.run({
      bundle_id: bid, path: r.path, bytes: null, mtime: null, sha256: null, parser: null, parser_version: null, confidence: null,
      reason: r.reason, encoding: null, lines: 0, records: 0, record_lines: 0, structural: 0, quarantined: 0, status: 'refused', message: r.reason,
    });
  }
  outcomes.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { bundle: basename(resolve(bundlePath)), files: outcomes, refused: bundle.refused.length, rows: writer.rowsWritten, unchanged };
}

async function relearnConfig(parser: ParserDef, p: Planned, src: FileSource, redactor: Redactor): Promise<void> {
  const noop = { structural() {}, quarantine() {}, note() {} };
  const input = { path: p.file.path, name: p.head.name, head: p.head, lines: () => src.lines() };
  for await (const row of parser.parse(input, noop)) {
    if (row.table === 'settings' && row.values.is_secret === 1 && typeof row.values.value === 'string') redactor.learn(row.values.value);
  }
}

interface FileJob {
  db: DB;
  bid: number;
  file: BundleFile;
  mtime: string | null;
  p: Planned;
  src: FileSource;
  writer: Writer;
  redactor: Redactor;
  prevId: number | undefined;
  upsertManifest: import('better-sqlite3').Statement;
  getManifest: import('better-sqlite3').Statement;
  insQuarantine: import('better-sqlite3').Statement;
  insStructural: import('better-sqlite3').Statement;
  insNote: import('better-sqlite3').Statement;
  opts: IngestOptions;
  bytesDone: number;
  done: number;
  total: number;
}

async function ingestFile(job: FileJob): Promise<FileOutcome> {
  const { db, bid, file, p, src, writer, redactor } = job;
  const parser = p.detection.parser;
  const base = {
    bundle_id: bid, path: file.path, bytes: file.bytes, mtime: job.mtime, parser: parser?.id ?? null,
    parser_version: parser?.version ?? null, confidence: p.detection.confidence, reason: p.detection.reason, encoding: p.head.encoding,
  };
  if (job.prevId !== undefined) db.transaction(() => forgetFile(db, job.prevId!))();

  if (!parser) {
    const res = await src.finish();
    const status = p.head.binary ? 'binary' : 'not_ingested';
    const message = p.head.binary
      ? 'binary file: not ingested — if it is evidence, export it as text'
      : `not ingested: ${p.detection.reason} — force a parser with --as <parser>=<glob> if this is evidence`;
    job.upsertManifest.run({ ...base, sha256: res.sha256, bytes: res.bytes, lines: res.lines, records: 0, record_lines: 0, structural: 0, quarantined: 0, status, message });
    return { path: file.path, parser: null, status, lines: res.lines, records: 0, structural: 0, quarantined: 0, skipped: false, message };
  }

  // A manifest row first, so rows can point at its id.
  job.upsertManifest.run({ ...base, sha256: null, lines: 0, records: 0, record_lines: 0, structural: 0, quarantined: 0, status: 'parsing', message: null });
  const fileId = (job.getManifest.get(bid, file.path) as { id: number }).id;
  writer.setFile(fileId);

  const structural = new Map<string, number>();
  const quarantined: { line: number; reason: string; text: string }[] = [];
  const notes: string[] = [];
  let records = 0;
  let recordLines = 0;
  let parseError: string | undefined;
  const ctx = {
    structural(counter: string, count = 1) {
      structural.set(counter, (structural.get(counter) ?? 0) + count);
    },
    quarantine(lineNo: number, reason: string, text: string) {
      quarantined.push({ line: lineNo, reason, text });
    },
    note(m: string) {
      if (!notes.includes(m)) notes.push(m);
    },
    declareTable(table: string, columns: string[]) {
      writer.declareSrcTable(table, columns);
    },
  };
  const input = { path: file.path, name: p.head.name, head: p.head, lines: () => src.lines() };
  let inTx = false;
  const begin = () => {
    db.exec('BEGIN');
    inTx = true;
  };
  const commit = () => {
    writer.flush();
    db.exec('COMMIT');
    inTx = false;
  };
  begin();
  let sinceCommit = 0;
  try {
    for await (const row of parser.parse(input, ctx) as AsyncIterable<Row>) {
      writer.write(row);
      records++;
      recordLines += row.lines;
      if (++sinceCommit >= COMMIT_EVERY_ROWS) {
        commit();
        begin();
        sinceCommit = 0;
        job.opts.progress?.({ files: job.done, totalFiles: job.total, bytes: job.bytesDone, rows: writer.rowsWritten, path: file.path });
      }
    }
  } catch (e) {
    parseError = `parser ${parser.id} failed: ${(e as Error).message}`;
  }
  const res = await src.finish();
  for (const issue of src.issues) quarantined.push({ line: issue.lineNo, reason: issue.reason, text: issue.excerpt });
  const structuralTotal = [...structural.values()].reduce((a, b) => a + b, 0);
  let status = 'ingested';
  const messages: string[] = [];
  if (res.error) {
    status = 'partial';
    messages.push(res.error);
  }
  if (parseError) {
    status = 'error';
    messages.push(parseError);
  }
  const accounted = recordLines + structuralTotal + quarantined.length;
  if (!parseError && accounted !== res.lines) {
    // A parser bug, never the analyst's: say so loudly rather than hide lines.
    status = 'accounting_error';
    messages.push(`accounting mismatch: ${res.lines} lines read, ${recordLines} in records + ${structuralTotal} structural + ${quarantined.length} quarantined`);
  }
  quarantined.sort((a, b) => a.line - b.line);
  for (const q of quarantined) job.insQuarantine.run(fileId, file.path, q.line, redactor.text(q.reason), redactor.text(excerpt(q.text)));
  for (const [k, n] of [...structural.entries()].sort()) job.insStructural.run(fileId, k, n);
  for (const n of notes) job.insNote.run(fileId, redactor.text(n));
  job.upsertManifest.run({
    ...base, sha256: res.sha256, bytes: res.bytes, lines: res.lines, records, record_lines: recordLines, structural: structuralTotal,
    quarantined: quarantined.length, status, message: messages.length ? messages.join('; ') : null,
  });
  if (inTx) commit();
  return { path: file.path, parser: parser.id, status, lines: res.lines, records, structural: structuralTotal, quarantined: quarantined.length, skipped: false, message: messages.join('; ') || undefined };
}
