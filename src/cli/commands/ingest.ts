import { z } from 'zod';
import { BackgroundCheckpoints } from '../../db/checkpointer.js';
import type { WriterLock } from '../../db/lock.js';
import { diskFullError } from '../../db/disk-full.js';
import { openDb } from '../../db/open.js';
import { stampVerified } from '../../db/verified.js';
import { plural } from '../../db/state.js';
import { UserError } from '../../errors.js';
import { parseForced } from '../../ingest/detect.js';
import { openBundle } from '../../bundle/open-bundle.js';
import { recordArchiveRow } from '../../ingest/archive-row.js';
import { ingestBundle } from '../../ingest/engine.js';
import { PARSERS } from '../../ingest/registry.js';
import { buildModel } from '../../model/build.js';
import { assertWritableDb, lockDb, WAIT_OPTION } from '../db-access.js';
import { formatAmount, Progress } from '../progress.js';
import { defaultDbPath } from '../paths.js';
import type { CommandDef } from './types.js';

const Options = z.object({
  bundle: z.string().min(1),
  db: z.string().optional(),
  as: z.array(z.string()).default([]),
  append: z.boolean().default(false),
  quiet: z.boolean().default(false),
  from: z.string().optional(),
  to: z.string().optional(),
  tz: z.string().optional(),
  jobs: z.number().int().min(1).max(64).optional(),
  wait: z.number().min(0).optional(),
});

export function forcedFrom(specs: string[]) {
  try {
    return parseForced(specs, PARSERS);
  } catch (e) {
    throw new UserError('BAD_AS', (e as Error).message, '--as', 'use --as <parser>=<glob>, e.g. --as compose-logs="logs/*.txt"; `cdb-forensics detect` lists parser ids');
  }
}

/**
 * Ingest under the writer lock: the working database only ever changes one whole file, one
 * whole merge or one whole model at a time, by one process. With `keepLock` the caller gets
 * the lock back (still held) to analyse the same state, and releases it.
 */
export async function runIngest(
  o: z.input<typeof Options>,
  opts: { keepLock?: boolean; progress?: Progress } = {},
): Promise<{ dbPath: string; summary: Awaited<ReturnType<typeof ingestBundle>>; lock: WriterLock; checkpoints: BackgroundCheckpoints | null }> {
  const dbPath = o.db ?? defaultDbPath(o.bundle);
  assertWritableDb(dbPath);
  // The bundle first: a mistyped path must not leave an empty working database behind.
  const bundle = await openBundle(o.bundle);
  const lock = await lockDb(dbPath, o.wait);
  let keep = false;
  let done = false;
  let db;
  let checkpoints: BackgroundCheckpoints | null = null;
  try {
    db = openDb(dbPath, { create: true, check: true });
    if (BackgroundCheckpoints.wanted(bundle.files.reduce((a, f) => a + f.bytes, 0), o.jobs)) checkpoints = BackgroundCheckpoints.start(db);
  } catch (e) {
    lock.release();
    throw e;
  }
  try {
    const progress = opts.progress ?? new Progress(process.stderr, { quiet: o.quiet });
    const ingesting = progress.phase('ingest', 0, 'bytes');
    let summary;
    try {
      summary = await ingestBundle(db, o.bundle, PARSERS, {
        append: o.append,
        jobs: o.jobs,
        forced: forcedFrom(o.as ?? []),
        progress: progress.enabled
          ? (p) => ingesting.update(p.bytes, `(${p.files}/${p.totalFiles} files, ${formatAmount(p.rows, 'steps')} rows) ${p.path}`, p.totalBytes)
          : undefined,
      }, bundle);
    } finally {
      ingesting.end();
    }
    if (summary.resumed > 0) {
      process.stderr.write(`resumed: ${plural(summary.resumed, 'file was', 'files were')} interrupted and ${summary.resumed === 1 ? 'is' : 'are'} read again\n`);
    }
    await recordArchiveRow(db, o.bundle);
    const building = progress.phase('model build');
    try {
      buildModel(db, { from: o.from, to: o.to, tz: o.tz, jobs: o.jobs, onStep: (n, total, name) => building.update(n - 1, name, total) });
    } catch (e) {
      throw diskFullError(e, dbPath, 'building the model', bundle.files.reduce((a, f) => a + f.bytes, 0)) ?? e;
    } finally {
      building.end();
    }
    keep = opts.keepLock ?? false;
    done = true;
    return { dbPath, summary, lock, checkpoints };
  } finally {
    db.close();
    if (!keep) await endWriting(checkpoints, lock, done ? dbPath : null);
  }
}

/** The end of a writing command: the last checkpoint (every connection of ours closed), then the lock. */
export async function endWriting(checkpoints: BackgroundCheckpoints | null, lock: WriterLock, cleanly: string | null = null): Promise<void> {
  try {
    const failure = await checkpoints?.finish();
    if (failure) {
      process.stderr.write(`note: the working database's write-ahead log was not copied into the database file (${failure}); nothing is lost: SQLite copies it the next time the database is written\n`);
    }
    // Under the lock: no other writer can have touched the file between the close and the stamp.
    if (cleanly !== null) stampVerified(cleanly);
  } finally {
    lock.release();
  }
}

export const ingestCommand: CommandDef = {
  command: 'ingest <bundle>',
  describe: 'Read an evidence bundle (directory, .tar.gz, .zip) into the local SQLite working database',
  examples: [['$0 ingest samples/drawdown-runbook --db case.db', 'ingest a bundle into case.db']],
  builder: (y) =>
    y
      .positional('bundle', { type: 'string', describe: 'bundle directory or archive (never written to)' })
      .option('db', { type: 'string', describe: 'working database file (default ./.cdb-forensics/<bundle>.db)' })
      .option('as', { type: 'string', array: true, describe: 'force a parser: <parser>=<glob> (repeatable)' })
      .option('append', { type: 'boolean', describe: 'add a different bundle to an existing database' })
      .option('from', { type: 'string', describe: 'block start (ISO date/time, UTC); default inferred from the evidence' })
      .option('to', { type: 'string', describe: 'block end (ISO date/time, UTC); default inferred' })
      .option('tz', { type: 'string', describe: "zone of the block's calendar days (IANA, e.g. Europe/Berlin); default inferred when two signs agree, else UTC" })
      .option('jobs', { type: 'number', describe: 'threads parsing files at once (default: one per core, at most 3, for bundles over 16 MB), reading one large log or psql CSV export in pieces, and sorting the indexes; the database is the same for any value' })
      .option('wait', WAIT_OPTION)
      .option('quiet', { type: 'boolean', describe: 'no progress and no summary' }),
  async handler(args) {
    const o = Options.parse({ ...args, as: args.as ?? [] });
    const { dbPath, summary } = await runIngest(o);
    if (!o.quiet) {
      const count = (s: string) => summary.files.filter((f) => f.status === s).length;
      const q = summary.files.reduce((a, f) => a + f.quarantined, 0);
      process.stdout.write(
        `ingested ${summary.files.length} file(s) into ${dbPath}: ${count('ingested')} ingested, ${count('partial')} partial, ` +
          `${count('not_ingested') + count('binary')} not ingested, ${summary.refused} refused, ${summary.unchanged} unchanged; ` +
          `${summary.rows} rows, ${q} line(s) quarantined\n`,
      );
      for (const f of summary.files) {
        if (f.message) process.stdout.write(`  ${f.status}: ${f.path}: ${f.message}\n`);
      }
      for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
    }
    return 0;
  },
};
