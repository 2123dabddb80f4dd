import { analyze } from '../analysis/analyze.js';
import { openBundle } from '../bundle/open-bundle.js';
import { BackgroundCheckpoints } from '../db/checkpointer.js';
import { openDb } from '../db/open.js';
import { ingestBundle } from '../ingest/engine.js';
import { PARSERS } from '../ingest/registry.js';
import { buildModel } from '../model/build.js';

/**
 * One measured ingest in its own process, so peak RSS belongs to this evidence kind alone. It
 * writes as `cdb-forensics ingest` does: with the checkpoint thread where the CLI starts one, and
 * its time includes the last checkpoint the command waits for before it exits.
 */
async function main(): Promise<void> {
  const [bundle, dbPath, withModel] = process.argv.slice(2);
  const db = openDb(dbPath, { create: true });
  const t0 = process.hrtime.bigint();
  const opened = await openBundle(bundle);
  const checkpoints = BackgroundCheckpoints.wanted(opened.files.reduce((a, f) => a + f.bytes, 0), undefined) ? BackgroundCheckpoints.start(db) : null;
  const summary = await ingestBundle(db, bundle, PARSERS, {}, opened);
  if (withModel !== 'model' && checkpoints) {
    db.close();
    const failure = await checkpoints.finish();
    if (failure) throw new Error(`checkpoint failed: ${failure}`);
  }
  const t1 = process.hrtime.bigint();
  const ingestRssMB = process.resourceUsage().maxRSS / 1024;
  let modelSeconds = 0;
  let analyzeSeconds = 0;
  if (withModel === 'model') {
    buildModel(db);
    const t2 = process.hrtime.bigint();
    modelSeconds = Number(t2 - t1) / 1e9;
    analyze(db, { now: '2026-01-01T00:00:00.000Z', toolVersion: 'bench' });
    analyzeSeconds = Number(process.hrtime.bigint() - t2) / 1e9;
  }
  const read = db.open ? db : openDb(dbPath, { readonly: true });
  const totals = read.prepare('SELECT SUM(lines) lines, SUM(records) records, SUM(record_lines) record_lines, SUM(structural) structural, SUM(quarantined) quarantined, SUM(bytes) bytes, (SELECT COUNT(*) FROM file_notes) notes FROM manifest').get() as Record<string, number>;
  read.close();
  if (checkpoints && withModel === 'model') {
    const failure = await checkpoints.finish();
    if (failure) throw new Error(`checkpoint failed: ${failure}`);
  }
  process.stdout.write(
    JSON.stringify({
      seconds: Number(t1 - t0) / 1e9,
      modelSeconds,
      analyzeSeconds,
      ingestRssMB,
      rows: summary.rows,
      ...totals,
      statuses: summary.files.map((f) => `${f.path}:${f.status}`),
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack ?? e) + '\n');
  process.exit(2);
});
