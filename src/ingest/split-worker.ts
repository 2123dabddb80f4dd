/**
 * A worker thread that parses pieces of a large file (see split.ts), one after the other, each
 * into a scratch database of its own that the main thread attaches and copies from as soon as
 * the piece is done. Its rows carry the piece's own line numbers; the merge shifts them.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { createFileSource, fileReader } from '../bundle/file-source.js';
import { logEventsStoredTableSql } from '../db/log-shape.js';
import { schemaSql } from '../db/schema.js';
import { Writer } from '../db/writer.js';
import { Redactor } from '../redact/secrets.js';
import { INGEST_CACHE_KIB } from './engine.js';
import { PAGE_SIZE } from '../db/open.js';
import { PARSERS } from './registry.js';
import { parsePiece, type PieceInput, type PieceMessage, type PieceResult } from './split.js';

const PROGRESS_EVERY_ROWS = 100_000;

async function run(input: PieceInput, index: number): Promise<PieceResult> {
  if (process.env.CDB_FORENSICS_FAIL_WORKER === '1') throw new Error('worker failure requested by CDB_FORENSICS_FAIL_WORKER');
  const parser = PARSERS.find((p) => p.id === input.parserId);
  if (!parser) throw new Error(`unknown parser ${input.parserId}`);
  const db = new Database(input.partDb);
  try {
    db.pragma(`page_size = ${PAGE_SIZE}`);
    // A scratch file deleted after the merge: nothing to protect with a journal.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma(`cache_size = ${INGEST_CACHE_KIB}`);
    db.exec(schemaSql());
    // Stored columns only: the merge copies those, and computes the unpacked ones as it inserts.
    db.exec('DROP TABLE log_events');
    db.exec(logEventsStoredTableSql('log_events'));
    db.prepare("INSERT INTO bundles (id, root, name, kind) VALUES (?, '', '', '')").run(input.bid);
    db.prepare("INSERT INTO manifest (id, bundle_id, path, status) VALUES (?, ?, ?, 'pending')").run(input.fileId, input.bid, input.path);
    const redactor = new Redactor();
    for (const s of input.learned) redactor.learn(s);
    const writer = new Writer(db, redactor);
    writer.setFile(input.fileId);
    const src = createFileSource({ path: input.path, relPath: input.relPath, gzip: false }, fileReader(input.abs, { start: input.start, end: input.end }), {
      encoding: input.encoding,
    });
    const parseInput = { path: input.path, name: input.head.name, head: input.head, lines: () => src.lines() };
    let rows = 0;
    db.exec('BEGIN');
    const result = await parsePiece(parser, parseInput, () => src.finish(), src.issues, (row) => {
      writer.write(row);
      if (++rows % PROGRESS_EVERY_ROWS === 0) parentPort!.postMessage({ type: 'progress', index, rows, bytes: src.bytesRead ?? 0 } satisfies PieceMessage);
    }, { startsFile: input.start === 0, endsFile: input.last }, (table, columns) => writer.declareSrcTable(table, columns));
    writer.flush();
    db.exec('COMMIT');
    result.hourly = writer.takeHourly();
    result.tables = writer.takeFileColumns();
    return result;
  } finally {
    db.close();
  }
}

async function runAll(inputs: PieceInput[]): Promise<void> {
  for (const [index, input] of inputs.entries()) {
    try {
      parentPort!.postMessage({ type: 'done', index, result: await run(input, index) } satisfies PieceMessage);
    } catch (e) {
      parentPort!.postMessage({ type: 'failed', index, message: String((e as Error)?.stack ?? e) } satisfies PieceMessage);
      return;
    }
  }
}

void runAll(workerData as PieceInput[]);
