import { z } from 'zod';
import { openDb } from '../../db/open.js';
import { UserError } from '../../errors.js';
import { parseForced } from '../../ingest/detect.js';
import { openBundle } from '../../bundle/open-bundle.js';
import { recordArchiveRow } from '../../ingest/archive-row.js';
import { ingestBundle } from '../../ingest/engine.js';
import { PARSERS } from '../../ingest/registry.js';
import { buildModel } from '../../model/build.js';
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
});

export function forcedFrom(specs: string[]) {
  try {
    return parseForced(specs, PARSERS);
  } catch (e) {
    throw new UserError('BAD_AS', (e as Error).message, '--as', 'use --as <parser>=<glob>, e.g. --as compose-logs="logs/*.txt"; `cdb-forensics detect` lists parser ids');
  }
}

export async function runIngest(o: z.infer<typeof Options>): Promise<{ dbPath: string; summary: Awaited<ReturnType<typeof ingestBundle>> }> {
  const dbPath = o.db ?? defaultDbPath(o.bundle);
  // The bundle first: a mistyped path must not leave an empty working database behind.
  const bundle = await openBundle(o.bundle);
  const db = openDb(dbPath, { create: true });
  try {
    const tty = process.stderr.isTTY && !o.quiet;
    const started = Date.now();
    const summary = await ingestBundle(db, o.bundle, PARSERS, {
      append: o.append,
      jobs: o.jobs,
      forced: forcedFrom(o.as),
      progress: tty
        ? (p) => {
            const s = (Date.now() - started) / 1000 || 1;
            process.stderr.write(`\r${p.files}/${p.totalFiles} files, ${(p.bytes / 1e6).toFixed(1)} MB, ${Math.round(p.rows / s)} rows/s  `);
          }
        : undefined,
    }, bundle);
    if (tty) process.stderr.write('\n');
    await recordArchiveRow(db, o.bundle);
    buildModel(db, { from: o.from, to: o.to, tz: o.tz });
    return { dbPath, summary };
  } finally {
    db.close();
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
      .option('jobs', { type: 'number', describe: 'threads parsing files at once (default: one per core, at most 3, for bundles over 16 MB); the database is the same for any value' })
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
