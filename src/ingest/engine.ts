import { resolve, basename } from 'node:path';
import { openBundle, type Bundle, type FileSource } from '../bundle/open-bundle.js';
import type { BundleFile, FileHead, ReadResult } from '../bundle/types.js';
import type { DB } from '../db/open.js';
import { RAW_TABLES } from '../db/raw-tables.js';
import { Writer } from '../db/writer.js';
import { diskFullError } from '../db/disk-full.js';
import { FINAL_STATUSES } from '../db/schema.js';
import { interruptedFiles } from '../db/state.js';
import { UserError } from '../errors.js';
import { faultPoint } from '../util/fault.js';
import { Redactor } from '../redact/secrets.js';
import type { ParserDef, Row } from './define-parser.js';
import { detect, type Detection, type ForcedParser } from './detect.js';
import { storeEachEventOnce } from './copies.js';
import { dbFile, defaultJobs, mergePart, partDbPath, partitionWork, removeScratch, removeStaleParts, startWorker } from './parallel.js';
import { createFileSource, fileReader } from '../bundle/file-source.js';
import { canSplit, cutPoints, joinPieces, parsePiece, pieceWorkers, piecesOfWorker, startPieces as startPieceWorker, type Joined, type PieceResult, type RunningPieces } from './split.js';
import { collectingContext, runParser } from './run-parser.js';
import { CATALOG_VERSION } from '../catalog/index.js';
import { reclassifyStale } from '../catalog/reclassify.js';

export interface IngestOptions {
  append?: boolean;
  forced?: ForcedParser[];
  /** Called with progress; the CLI prints it when stderr is a TTY. */
  progress?: (p: IngestProgress) => void;
  /** Injected clock for the bundles.ingested_at column (reports never show it). */
  now?: string;
  /**
   * Threads that parse files at once (default: one per core, at most 3); a large log or psql CSV
   * export alone is read in pieces on as many threads. The working database is the same for any value: files
   * are merged in scan order, pieces joined as one read of the file gives its rows.
   */
  jobs?: number;
}

/** Where an ingest is: files and stored bytes read of those to read, rows written so far. */
export interface IngestProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
  rows: number;
  path: string;
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
  /** Files an earlier, interrupted ingest had not finished: forgotten and read again. */
  resumed: number;
  /** Things the analyst should know about the run itself (a worker thread that failed). */
  warnings: string[];
}

const EXCERPT = 120;
/** Progress is reported this often; a file is committed once, whole (see ingestFile). */
const PROGRESS_EVERY_ROWS = 100_000;
/** How often a fault-injection point inside a file's transaction is passed. */
const FAULT_EVERY_ROWS = 500;
const FINAL = new Set<string>(FINAL_STATUSES);

function excerpt(text: string): string {
  const t = text.length > EXCERPT ? text.slice(0, EXCERPT - 1) + '…' : text;
  return t;
}

export interface Planned {
  file: BundleFile;
  head: FileHead;
  detection: Detection;
  /** Position in the bundle's scan order (archive order inside a tar). */
  order: number;
}

/** Drop every row a file produced earlier, so a re-parse does not duplicate. Runs inside the transaction that replaces them. */
export function forgetFile(db: DB, fileId: number): void {
  for (const t of Object.keys(RAW_TABLES)) db.prepare(`DELETE FROM ${t} WHERE file_id = ?`).run(fileId);
  const src = db.prepare('SELECT name FROM src_tables').all() as { name: string }[];
  for (const { name } of src) db.prepare(`DELETE FROM "${name}" WHERE file_id = ?`).run(fileId);
  db.prepare('DELETE FROM quarantine WHERE file_id = ?').run(fileId);
  db.prepare('DELETE FROM structural_lines WHERE file_id = ?').run(fileId);
  db.prepare('DELETE FROM file_notes WHERE file_id = ?').run(fileId);
  db.prepare('DELETE FROM log_hourly WHERE file_id = ?').run(fileId);
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
      const detection = detect(head, parsers, forced);
      // An unclaimed file keeps only what its manifest row needs, not its 64 KiB head: a copied
      // project folder brings tens of thousands of them.
      planned.push({ file, head: detection.parser ? head : { ...head, text: '', lines: [] }, detection, order: planned.length });
    },
  );
  planned.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  return planned;
}

/** Learn secrets the DB already holds markers for is impossible by design; re-learn from config files each run. */
export async function ingestBundle(db: DB, bundlePath: string, parsers: ParserDef[], opts: IngestOptions = {}, opened?: Bundle): Promise<IngestSummary> {
  const bundle = opened ?? (await openBundle(bundlePath));
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
  const warnings: string[] = [];
  const file = dbFile(db);
  if (file) {
    const stale = removeStaleParts(file);
    if (stale.length > 0) warnings.push(`removed ${stale.length} scratch database(s) left by an interrupted ingest: ${stale.map((p) => basename(p)).join(', ')}`);
  }
  const resumed = resumeInterrupted(db, bid, new Set(plan.map((p) => p.file.path)));
  // The database stays in WAL mode while loading: it writes pages twice (log, then checkpoint)
  // where a rollback journal would not, but readers (`query`, `trace`) keep working and see
  // whole files only, and one file's transaction may outgrow the page cache without locking
  // them out. Appending needs few cached pages; the memory is better left to worker threads.
  const cache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${INGEST_CACHE_KIB}`);
  try {
    const summary = await ingestPlanned(db, bundle, bundlePath, plan, bid, opts);
    const n = reclassifyStale(db);
    if (n > 0) warnings.push(`${n} file(s) classified under an older event catalog were classified again (catalog version ${CATALOG_VERSION})`);
    return { ...summary, resumed, warnings: [...warnings, ...summary.warnings] };
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw (file && diskFullError(e, file, 'ingesting', plan.reduce((a, p) => a + p.file.bytes, 0))) || e;
  } finally {
    db.pragma(`cache_size = ${cache}`);
  }
}

/**
 * Files an earlier ingest reserved or began but did not finish. Since a file's rows commit in
 * the same transaction as its final status, such a file holds no rows today; a database from
 * before that (status `parsing`, committed every 100,000 rows) may, and loses them here. The
 * files are read again like new ones; one no longer in the bundle is dropped from the manifest.
 */
function resumeInterrupted(db: DB, bid: number, inBundle: Set<string>): number {
  const broken = interruptedFiles(db, bid);
  if (broken.length === 0) return 0;
  db.transaction(() => {
    for (const f of broken) {
      forgetFile(db, f.id);
      if (inBundle.has(f.path)) db.prepare("UPDATE manifest SET status = 'pending' WHERE id = ?").run(f.id);
      else db.prepare('DELETE FROM manifest WHERE id = ?').run(f.id);
    }
  })();
  return broken.filter((f) => inBundle.has(f.path)).length;
}

/** SQLite page cache while ingesting (negative: KiB), here and in each worker. */
export const INGEST_CACHE_KIB = -16384;

/** Kinds read before everything else, serially: they teach the redactor secrets (`.env`, docker inspect Env). */
const SECRET_BEARING = new Set(['config', 'containers']);

type ManifestPrev = { id: number; bytes: number; mtime: string | null; sha256: string | null; parser: string | null; parser_version: number | null; status: string };

async function ingestPlanned(db: DB, bundle: Bundle, bundlePath: string, plan: Planned[], bid: number, opts: IngestOptions): Promise<IngestSummary> {
  const redactor = new Redactor();
  const writer = new Writer(db, redactor);
  const stmts = prepareStatements(db);
  const outcomes: FileOutcome[] = [];
  const warnings: string[] = [];
  let unchanged = 0;
  const progress: ProgressState = { done: 0, bytesDone: 0, total: plan.length, totalBytes: 0 };
  const byPath = new Map(plan.map((p) => [p.file.path, p]));

  const isUnchanged = (file: BundleFile, parser: ParserDef | null, prev: ManifestPrev | undefined): boolean =>
    !!prev && prev.bytes === file.bytes && prev.mtime === mtimeOf(file) && prev.parser === (parser?.id ?? null) &&
    prev.parser_version === (parser?.version ?? null) && prev.status !== 'error' && FINAL.has(prev.status);
  const skipped = (file: BundleFile, parser: ParserDef | null, prev: ManifestPrev): FileOutcome => {
    unchanged++;
    return { path: file.path, parser: parser?.id ?? null, status: prev.status, lines: 0, records: 0, structural: 0, quarantined: 0, skipped: true };
  };
  let piecesOk = false;
  const threads = opts.jobs ?? defaultJobs();
  const runFile = async (file: BundleFile, src: FileSource, prev: ManifestPrev | undefined): Promise<void> => {
    // While no file workers run, the cores are free to read a large log in pieces.
    const dbPath = dbFile(db);
    const split = piecesOk && dbPath ? { threads, dbPath, abs: () => bundle.diskPath(file.path) } : undefined;
    const outcome = await ingestFile({ db, bid, file, p: byPath.get(file.path)!, src, writer, redactor, prev: prev ? { id: prev.id, sha256: prev.sha256 } : undefined, stmts, opts, progress, split });
    outcomes.push(outcome);
    progress.done++;
    progress.bytesDone += file.bytes;
    report(opts, progress, writer.rowsWritten, 0, file.path);
  };

  // Every file to (re)read gets its manifest row first, in one transaction: secret-bearing files
  // in scan order, then the rest in scan order, so ids come out the same for any --jobs and after
  // any interruption, and a run killed later leaves `pending` rows that say what it had not finished.
  // A changed file keeps its old rows until the transaction that writes the new ones.
  const ordered = [...plan].sort((a, b) => a.order - b.order);
  const isSecret = (p: Planned): boolean => SECRET_BEARING.has(p.detection.parser?.kind ?? '');
  const work: Planned[] = [];
  const prevOf = new Map<string, ManifestPrev>();
  const unchangedPrev = new Map<string, ManifestPrev>();
  db.transaction(() => {
    for (const p of [...ordered.filter(isSecret), ...ordered.filter((q) => !isSecret(q))]) {
      const prev = stmts.getManifest.get(bid, p.file.path) as ManifestPrev | undefined;
      if (isUnchanged(p.file, p.detection.parser, prev)) {
        unchangedPrev.set(p.file.path, prev!);
        continue;
      }
      if (prev && FINAL.has(prev.status)) prevOf.set(p.file.path, prev);
      stmts.reserveManifest.run(bid, p.file.path);
      if (!isSecret(p)) work.push(p);
    }
  })();
  faultPoint('reserved');
  // What progress counts: the files read now, not the unchanged ones.
  progress.total = plan.length - unchangedPrev.size;
  progress.totalBytes = plan.reduce((a, p) => a + (unchangedPrev.has(p.file.path) ? 0 : p.file.bytes), 0);

  // Phase 1: files that teach secrets, so those are known before any other text is stored.
  await bundle.scan(
    (f) => SECRET_BEARING.has(byPath.get(f.path)?.detection.parser?.kind ?? ''),
    async (file, src) => {
      const p = byPath.get(file.path)!;
      const parser = p.detection.parser!;
      const prev = unchangedPrev.get(file.path);
      if (prev) {
        // Secrets of an unchanged .env must still be learned for the files that do change.
        await relearnSecrets(parser, p, src, redactor);
        outcomes.push(skipped(file, parser, prev));
        return;
      }
      await runFile(file, src, prevOf.get(file.path));
    },
  );

  // Phase 2: everything else, in scan order.
  for (const p of ordered) {
    const prev = unchangedPrev.get(p.file.path);
    if (prev && !isSecret(p)) outcomes.push(skipped(p.file, p.detection.parser, prev));
  }
  // A file is read in pieces only from disk (an archive's member cannot be read from the middle).
  const pieceThreads = (p: Planned): number =>
    canSplit(p.detection.parser, p.head, p.file.bytes, threads) && bundle.diskPath(p.file.path) !== null ? pieceWorkers(p.file.bytes, threads) + 1 : 1;
  const parts = partitionWork(work, opts.jobs, dbFile(db), pieceThreads);
  piecesOk = parts.length === 1;
  const serialPaths = new Set(parts[0].map((p) => p.file.path));
  // Workers start first and run while this thread ingests the first part itself.
  const workerRows = new Map<number, number>();
  const workerBytes = new Map<number, number>();
  const idOf = (path: string): number => (stmts.getManifest.get(bid, path) as { id: number }).id;
  const running = parts.slice(1).map((part, k) =>
    startWorker(dbFile(db)!, k + 1, bundlePath, bid, part, idOf, redactor.learnedValues(), (rows, bytes, path) => {
      workerRows.set(k, rows);
      workerBytes.set(k, bytes);
      progress.workers = { rows: sum(workerRows.values()), bytes: sum(workerBytes.values()) };
      report(opts, progress, writer.rowsWritten, 0, path);
    }),
  );
  try {
    await bundle.scan(
      (f) => serialPaths.has(f.path),
      (file, src) => runFile(file, src, prevOf.get(file.path)),
    );
    await mergeWorkers();
  } finally {
    // On success each is gone already; on a failure (a full disk) the others stop here.
    for (const r of running) await r.cleanup();
  }
  async function mergeWorkers(): Promise<void> {
    for (let k = 0; k < running.length; k++) {
      const part = parts[k + 1];
      const result = await running[k].done;
      if (result.ok) {
        writer.flush();
        mergePart(db, writer, result.partDb, part.map((p) => p.file.path), bid, prevOf);
        outcomes.push(...result.outcomes);
        writer.rowsWritten += result.outcomes.reduce((a, o) => a + o.records, 0);
        progress.done += part.length;
        progress.bytesDone += part.reduce((a, p) => a + p.file.bytes, 0);
        workerRows.delete(k);
        workerBytes.delete(k);
        progress.workers = { rows: sum(workerRows.values()), bytes: sum(workerBytes.values()) };
        report(opts, progress, writer.rowsWritten, 0, part[part.length - 1]?.file.path ?? '');
      } else {
        // A worker that died (out of memory, a bug) costs time, not evidence: read its files here.
        warnings.push(`ingest worker ${k + 1} failed (${result.message.split('\n')[0]}); its ${part.length} file(s) were read by the main thread instead`);
        const paths = new Set(part.map((p) => p.file.path));
        await bundle.scan(
          (f) => paths.has(f.path),
          (file, src) => runFile(file, src, prevOf.get(file.path)),
        );
      }
      await running[k].cleanup();
    }
  }

  db.transaction(() => {
    for (const r of bundle.refused) {
      stmts.upsertManifest.run({
        bundle_id: bid, path: r.path, bytes: null, mtime: null, sha256: null, parser: null, parser_version: null, confidence: null,
        reason: r.reason, encoding: null, lines: 0, records: 0, record_lines: 0, structural: 0, quarantined: 0, status: 'refused', message: r.reason,
      });
    }
  })();
  // Each event once: copies of a record saved in an earlier file (path order) leave the raw tables.
  storeEachEventOnce(db, outcomes.some((o) => !o.skipped));
  outcomes.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { bundle: basename(resolve(bundlePath)), files: outcomes, refused: bundle.refused.length, rows: writer.rowsWritten, unchanged, resumed: 0, warnings };
}

function sum(xs: Iterable<number>): number {
  let n = 0;
  for (const x of xs) n += x;
  return n;
}

/** Progress counters of one ingest; `workers`: what parse threads have done of files not yet merged. */
export interface ProgressState {
  done: number;
  bytesDone: number;
  total: number;
  totalBytes: number;
  workers?: { rows: number; bytes: number };
}

function report(opts: Pick<IngestOptions, 'progress'>, p: ProgressState, rows: number, inFileBytes: number, path: string): void {
  opts.progress?.({
    files: p.done, totalFiles: p.total, bytes: p.bytesDone + inFileBytes + (p.workers?.bytes ?? 0), totalBytes: p.totalBytes,
    rows: rows + (p.workers?.rows ?? 0), path,
  });
}

function mtimeOf(file: BundleFile): string | null {
  return (file as BundleFile & { mtime?: string }).mtime ?? null;
}

export type Stmts = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: DB) {
  return {
    upsertManifest: db.prepare(`
      INSERT INTO manifest (bundle_id, path, bytes, mtime, sha256, parser, parser_version, confidence, reason, encoding,
                            lines, records, record_lines, structural, quarantined, status, message)
      VALUES (@bundle_id, @path, @bytes, @mtime, @sha256, @parser, @parser_version, @confidence, @reason, @encoding,
              @lines, @records, @record_lines, @structural, @quarantined, @status, @message)
      ON CONFLICT(bundle_id, path) DO UPDATE SET bytes=excluded.bytes, mtime=excluded.mtime, sha256=excluded.sha256,
        parser=excluded.parser, parser_version=excluded.parser_version, confidence=excluded.confidence, reason=excluded.reason,
        encoding=excluded.encoding, lines=excluded.lines, records=excluded.records, record_lines=excluded.record_lines,
        structural=excluded.structural, quarantined=excluded.quarantined, status=excluded.status, message=excluded.message`),
    reserveManifest: db.prepare(`INSERT INTO manifest (bundle_id, path, status) VALUES (?, ?, 'pending') ON CONFLICT(bundle_id, path) DO NOTHING`),
    getManifest: db.prepare('SELECT id, bytes, mtime, sha256, parser, parser_version, status FROM manifest WHERE bundle_id = ? AND path = ?'),
    insQuarantine: db.prepare('INSERT INTO quarantine (file_id, path, line, reason, excerpt) VALUES (?, ?, ?, ?, ?)'),
    insStructural: db.prepare('INSERT INTO structural_lines (file_id, counter, n) VALUES (?, ?, ?)'),
    insNote: db.prepare('INSERT INTO file_notes (file_id, note) VALUES (?, ?)'),
    setPrevious: db.prepare('UPDATE manifest SET previous_sha256 = ? WHERE bundle_id = ? AND path = ?'),
  };
}

async function relearnSecrets(parser: ParserDef, p: Planned, src: FileSource, redactor: Redactor): Promise<void> {
  const noop = { structural() {}, quarantine() {}, note() {} };
  const input = { path: p.file.path, name: p.head.name, head: p.head, lines: () => src.lines() };
  for await (const item of parser.parse(input, noop)) {
    for (const row of Array.isArray(item) ? item : [item]) {
      if (row.table === 'settings' && row.values.is_secret === 1 && typeof row.values.value === 'string') redactor.learn(row.values.value);
    }
  }
}

export interface FileJob {
  db: DB;
  bid: number;
  file: BundleFile;
  p: Planned;
  src: FileSource;
  writer: Writer;
  redactor: Redactor;
  /** An earlier ingest of this path whose rows this one replaces, in the same transaction. */
  prev: { id: number; sha256: string | null } | undefined;
  stmts: Stmts;
  opts: Pick<IngestOptions, 'progress'>;
  progress: ProgressState;
  /** Threads free to read this file in pieces (split.ts), the working database's file, the file on disk (null: not seekable). */
  split?: { threads: number; dbPath: string; abs: () => string | null };
}

/**
 * Ingest one file in one transaction: its rows, quarantine, counters and final manifest status
 * commit together, with the removal of an earlier ingest's rows, or not at all. A process killed
 * at any moment leaves the file as it was (SQLite rolls the transaction back when the database
 * is next opened); the reserved manifest row left `pending` tells the next ingest to read it again.
 * The page cache spills to the WAL, so a large file does not hold its rows in memory.
 */
export async function ingestFile(job: FileJob): Promise<FileOutcome> {
  const { db, bid, file, p, src, writer, redactor } = job;
  const parser = p.detection.parser;
  const base = {
    bundle_id: bid, path: file.path, bytes: file.bytes, mtime: mtimeOf(file), parser: parser?.id ?? null,
    parser_version: parser?.version ?? null, confidence: p.detection.confidence, reason: p.detection.reason, encoding: p.head.encoding,
  };
  const replace = (): void => {
    if (job.prev !== undefined) forgetFile(db, job.prev.id);
  };
  /** The earlier hash, kept when the content changed, so the report can show both. */
  const remember = (sha256: string | null): void => {
    if (job.prev?.sha256 && sha256 && job.prev.sha256 !== sha256) job.stmts.setPrevious.run(job.prev.sha256, bid, file.path);
  };

  if (!parser) {
    const res = await src.finish();
    const status = p.head.binary ? 'binary' : 'not_ingested';
    const message = p.head.binary
      ? 'binary file: not ingested — if it is evidence, export it as text'
      : `not ingested: ${p.detection.reason} — force a parser with --as <parser>=<glob> if this is evidence`;
    db.transaction(() => {
      replace();
      job.stmts.upsertManifest.run({ ...base, sha256: res.sha256, bytes: res.bytes, lines: res.lines, records: 0, record_lines: 0, structural: 0, quarantined: 0, status, message });
      remember(res.sha256);
    })();
    faultPoint('file-commit');
    return { path: file.path, parser: null, status, lines: res.lines, records: 0, structural: 0, quarantined: 0, skipped: false, message };
  }

  const pieces = job.split ? await startPieces(job, parser) : null;
  try {
    db.exec('BEGIN');
    try {
      faultPoint('file-begin');
      replace();
      // A manifest row first, so rows can point at its id; no reader sees it before the commit.
      job.stmts.upsertManifest.run({ ...base, sha256: null, lines: 0, records: 0, record_lines: 0, structural: 0, quarantined: 0, status: 'parsing', message: null });
      const fileId = (job.stmts.getManifest.get(bid, file.path) as { id: number }).id;
      writer.setFile(fileId);

      let structural = new Map<string, number>();
      let quarantined: { line: number; reason: string; text: string }[] = [];
      let notes = new Set<string>();
      let records = 0;
      let recordLines = 0;
      let parseError: string | undefined;
      let sinceProgress = 0;
      const progressRow = (): void => {
        if (++sinceProgress >= PROGRESS_EVERY_ROWS) {
          sinceProgress = 0;
          report(job.opts, job.progress, writer.rowsWritten, pieces?.bytesRead() ?? src.bytesRead ?? 0, file.path);
        }
      };
      let res: ReadResult | null = null;
      if (pieces) {
        const rowsBefore = writer.rowsWritten;
        db.exec('SAVEPOINT pieces');
        const joined = pieces.fileId !== fileId ? null : await readPieces(job, parser, pieces, (row) => {
          writer.write(row);
          if (writer.rowsWritten % FAULT_EVERY_ROWS === 0) faultPoint('file-rows');
          progressRow();
        });
        if (joined) {
          db.exec('RELEASE pieces');
          ({ structural, quarantined, notes, records, recordLines } = joined);
          res = joined.whole;
        } else {
          // Not joinable exactly (or a worker failed): read the file whole instead, from the start.
          db.exec('ROLLBACK TO pieces');
          db.exec('RELEASE pieces');
          writer.discardFile();
          writer.rowsWritten = rowsBefore;
        }
      }
      if (res === null) {
        const source = pieces ? createFileSource(file, fileReader(pieces.abs)) : src;
        const { ctx, ...collected } = collectingContext({ declareTable: (table, columns) => writer.declareSrcTable(table, columns) });
        ({ structural, quarantined, notes } = collected);
        const input = { path: file.path, name: p.head.name, head: p.head, lines: () => source.lines() };
        const take = (row: Row): void => {
          writer.write(row);
          records++;
          recordLines += row.lines;
          if (records % FAULT_EVERY_ROWS === 0) faultPoint('file-rows');
          progressRow();
        };
        parseError = await runParser(parser, input, ctx, take);
        res = await source.finish();
        if (res.note) notes.add(res.note);
        for (const issue of source.issues) quarantined.push({ line: issue.lineNo, reason: issue.reason, text: issue.excerpt });
      }
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
      for (const q of quarantined) job.stmts.insQuarantine.run(fileId, file.path, q.line, redactor.text(q.reason), redactor.text(excerpt(q.text)));
      for (const [k, n] of [...structural.entries()].sort()) job.stmts.insStructural.run(fileId, k, n);
      for (const n of notes) job.stmts.insNote.run(fileId, redactor.text(n));
      writer.finishFile();
      job.stmts.upsertManifest.run({
        ...base, sha256: res.sha256, bytes: res.bytes, lines: res.lines, records, record_lines: recordLines, structural: structuralTotal,
        quarantined: quarantined.length, status, message: messages.length ? messages.join('; ') : null,
      });
      remember(res.sha256);
      faultPoint('file-end');
      db.exec('COMMIT');
      faultPoint('file-commit');
      return { path: file.path, parser: parser.id, status, lines: res.lines, records, structural: structuralTotal, quarantined: quarantined.length, skipped: false, message: messages.join('; ') || undefined };
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
  } finally {
    await pieces?.close();
  }
}

/** A large file being read in pieces: the workers started on pieces 1…n, their scratch databases attached. */
interface Pieces {
  abs: string;
  cuts: number[];
  /** The manifest id the workers stamp on their rows. */
  fileId: number;
  /** Pieces 1…n in file order: when each is stored, and where. */
  pieces: { done: Promise<PieceResult | null>; schema: string; path: string }[];
  workers: RunningPieces[];
  /** The first piece's source, once this thread reads it (for progress). */
  first: FileSource | null;
  bytesRead(): number;
  close(): Promise<void>;
}

/**
 * Cut the file and start the workers on every piece but the first, whose scratch databases are
 * attached now: ATTACH is refused inside the file's transaction. Null when the file is not read in pieces.
 */
async function startPieces(job: FileJob, parser: ParserDef): Promise<Pieces | null> {
  const { file, p, db } = job;
  const split = job.split!;
  if (!canSplit(parser, p.head, file.bytes, split.threads)) return null;
  const abs = split.abs();
  if (abs === null) return null;
  const cuts = await cutPoints(abs, file.bytes, split.threads, parser.split!.joinCost);
  if (cuts.length < 3) return null;
  const fileId = (job.stmts.getManifest.get(job.bid, file.path) as { id: number }).id;
  const pieceBytes = new Map<number, number>();
  const pieces: Pieces['pieces'] = [];
  const workers: RunningPieces[] = [];
  const close = async (): Promise<void> => {
    for (const w of workers) await w.stop();
    for (const r of pieces) {
      try {
        db.exec(`DETACH DATABASE ${r.schema}`);
      } catch {
        // not attached (it failed before), or the database is closing
      }
      removeScratch(r.path);
    }
  };
  try {
    for (let k = 1; k < cuts.length - 1; k++) {
      const path = partDbPath(split.dbPath, 100 + k);
      removeScratch(path);
      const schema = `piece${k}`;
      pieces.push({ done: Promise.resolve(null), schema, path });
      db.prepare(`ATTACH DATABASE ? AS ${schema}`).run(path);
    }
    const count = pieceWorkers(file.bytes, split.threads);
    for (let w = 1; w <= count; w++) {
      const mine = piecesOfWorker(w, count);
      const worker = startPieceWorker(
        mine.map((k) => ({
          abs, path: file.path, relPath: file.relPath, head: p.head, start: cuts[k], end: cuts[k + 1], encoding: p.head.encoding,
          parserId: parser.id, fileId, bid: job.bid, learned: job.redactor.learnedValues(), partDb: pieces[k - 1].path, last: k === cuts.length - 2,
        })),
        (i, _rows, bytes) => pieceBytes.set(mine[i], bytes),
      );
      workers.push(worker);
      mine.forEach((k, i) => (pieces[k - 1].done = worker.done[i]));
    }
  } catch (e) {
    await close();
    throw e;
  }
  const read: Pieces = {
    abs,
    cuts,
    fileId,
    pieces,
    workers,
    first: null,
    bytesRead: () => (read.first?.bytesRead ?? 0) + sum(pieceBytes.values()),
    close,
  };
  return read;
}

/**
 * Parse the first piece into the working database (rows through `write`), hash the whole file,
 * and join the other pieces as the workers finish them. Null when the pieces cannot be joined exactly.
 */
async function readPieces(job: FileJob, parser: ParserDef, pieces: Pieces, write: (row: Row) => void): Promise<(Joined & { whole: ReadResult }) | null> {
  const { file, p } = job;
  const first = createFileSource(file, fileReader(pieces.abs, { start: 0, end: pieces.cuts[1] }));
  pieces.first = first;
  const input = { path: file.path, name: p.head.name, head: p.head, lines: () => first.lines() };
  // Seconds since the pieces started, for the trace: how long this thread waited for a piece
  // tells whether the pieces' weights (split.ts) fit this machine.
  const t0 = performance.now();
  const at = (): string => ((performance.now() - t0) / 1000).toFixed(1);
  const parsedAt = pieces.pieces.map(() => '');
  const joinedAt = pieces.pieces.map(() => '');
  pieces.pieces.forEach((r, k) => void r.done.then(() => (parsedAt[k] = at())));
  const r0 = await parsePiece(parser, input, () => first.finish(), first.issues, write, { startsFile: true, endsFile: false }, (table, columns) =>
    job.writer.declareSrcTable(table, columns),
  );
  const parsed = at();
  // The hash and line count of the whole file, as stored (nothing is decoded here).
  const whole = await job.src.finish();
  const hashed = at();
  const rest = pieces.pieces.map((r) => ({ result: r.done, schema: r.schema }));
  const joined = await joinPieces(job.db, job.writer, parser, r0, rest, write, (k) => (joinedAt[k - 1] = at()));
  if (typeof joined === 'string') return traceSplit(file.path, joined);
  if (whole.error !== undefined || whole.note !== undefined || joined.lines !== whole.lines) return traceSplit(file.path, `the whole file reads differently (${whole.error ?? whole.note ?? `${whole.lines} lines, the pieces ${joined.lines}`})`);
  traceSplit(
    file.path,
    `read in ${pieces.cuts.length - 1} pieces (cuts at bytes ${pieces.cuts.slice(1, -1).join(', ')}) by this thread and ${pieces.workers.length} worker(s); ` +
      `s: first piece parsed ${parsed}, file hashed ${hashed}, pieces 1… parsed ${parsedAt.join('/')}, joined ${joinedAt.join('/')}`,
  );
  return { ...joined, whole };
}

/** CDB_FORENSICS_TRACE_SPLIT=1: say on stderr how a large file was read (the tests check both ways). */
function traceSplit(path: string, what: string): null {
  if (process.env.CDB_FORENSICS_TRACE_SPLIT === '1') process.stderr.write(`split ${path}: ${what}\n`);
  return null;
}
