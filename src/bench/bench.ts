import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultJobs } from '../ingest/parallel.js';
import { generateComposeLogs, generateDumps, generateRedis, splitByService } from './generate.js';
import { generateEnv, generateManyFiles, generateNested, generateSession } from './generate-bundles.js';

/**
 * `npm run bench`: generate a synthetic bundle, ingest each evidence kind in its own process,
 * and compare with `wc -l` and the sqlite3 shell importing the same bytes. Timing is printed,
 * never asserted; the accounting (lines, rows) is checked and makes the exit code non-zero.
 */

interface Args {
  logMb: number;
  dumpRows: number;
  redisMsgs: number;
  out: string;
  json: boolean;
  smallMb: number;
  envLines: number;
  manyFiles: number;
  sessionCommands: number;
  /** Only the packed-bundle cases (huge .env, many files, nested archives, console session). */
  packedOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { logMb: 1024, dumpRows: 2_000_000, redisMsgs: 1_000_000, out: 'bench-out', json: false, smallMb: 100, envLines: 200_000, manyFiles: 20_000, sessionCommands: 2_000, packedOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--log-mb') (a.logMb = Number(v)), i++;
    else if (k === '--dump-rows') (a.dumpRows = Number(v)), i++;
    else if (k === '--redis-msgs') (a.redisMsgs = Number(v)), i++;
    else if (k === '--small-mb') (a.smallMb = Number(v)), i++;
    else if (k === '--out') (a.out = v), i++;
    else if (k === '--env-lines') (a.envLines = Number(v)), i++;
    else if (k === '--many-files') (a.manyFiles = Number(v)), i++;
    else if (k === '--session-commands') (a.sessionCommands = Number(v)), i++;
    else if (k === '--packed-only') a.packedOnly = true;
    else if (k === '--json') a.json = true;
    else throw new Error(`unknown option ${k}; options: --log-mb N --dump-rows N --redis-msgs N --small-mb N --env-lines N --many-files N --session-commands N --packed-only --out DIR --json`);
  }
  return a;
}

const here = fileURLToPath(new URL('.', import.meta.url));

interface ChildResult {
  seconds: number;
  modelSeconds: number;
  analyzeSeconds: number;
  ingestRssMB: number;
  rows: number;
  lines: number;
  records: number;
  record_lines: number;
  structural: number;
  quarantined: number;
  bytes: number;
  statuses: string[];
  maxRssMB: number;
  notes: number;
}

/** Flush dirty pages first, so one step's writeback does not slow the next step's timing. */
function settle(): void {
  spawnSync('sync');
}

function ingest(bundle: string, db: string, model = false): ChildResult {
  settle();
  rmSync(db, { force: true });
  rmSync(db + '-wal', { force: true });
  rmSync(db + '-shm', { force: true });
  const r = spawnSync(process.execPath, [join(here, 'ingest-child.js'), bundle, db, model ? 'model' : ''], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ingest of ${bundle} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

function timeCmd(cmd: string, args: string[], input?: string): number {
  settle();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The baselines run twice and keep the faster time: a conservative yardstick on a shared machine. */
function best(run: () => number): number {
  return Math.min(run(), run());
}

function sqliteLines(file: string, db: string): number {
  return best(() => {
    rmSync(db, { force: true });
    return timeCmd('sqlite3', [db], `CREATE TABLE t(line TEXT);\n.mode ascii\n.separator "\\037" "\\n"\n.import '${file}' t\n`);
  });
}

function sqliteCsv(file: string, db: string): number {
  return best(() => {
    rmSync(db, { force: true });
    return timeCmd('sqlite3', [db], `.import --csv '${file}' t\n`);
  });
}

/** `unclaimed`: lines of files no parser claims (counted, never records). */
type Check = (kind: string, r: ChildResult, wantLines: number, wantRows: number, unclaimed?: number) => void;

/**
 * Bundles as analysts pack them: what ingest must do is checked (one note per key, every line of
 * the lying member stored, every command's output parsed); seconds and peak RSS are printed.
 */
async function packedCases(a: Args, out: string, check: Check, failures: string[], log: (s: string) => void): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  const row = (kind: string, r: ChildResult, extra: Record<string, unknown> = {}) =>
    results.push({ kind, mb: r.bytes / 1e6, lines: r.lines, rows: r.rows, seconds: r.seconds, mbPerS: r.bytes / 1e6 / r.seconds, rowsPerS: r.rows / r.seconds, peakRssMB: r.ingestRssMB, ...extra });

  log(`ingesting a .env of ${a.envLines} lines ...`);
  const env = generateEnv(join(out, 'env'), a.envLines, Math.max(1, Math.floor(a.envLines / 200)));
  const rEnv = ingest(join(out, 'env'), join(out, 'env.db'));
  check('.env', rEnv, env.lines, env.lines);
  if (rEnv.notes !== env.keys) failures.push(`.env: ${rEnv.notes} notes, ${env.keys} expected (one per repeated key)`);
  row(`.env, ${env.lines} lines over ${env.keys} keys (one note per key)`, rEnv, { notes: rEnv.notes });

  const tiny = await generateComposeLogs(join(out, 'packed-log'), 2 * 1024 * 1024);
  log(`ingesting a folder of ${a.manyFiles} files that are not evidence ...`);
  const many = generateManyFiles(join(out, 'many'), a.manyFiles, tiny.path);
  const rMany = ingest(join(out, 'many'), join(out, 'many.db'));
  check('many files', rMany, a.manyFiles * 30 + many.evidenceLines, tiny.records, a.manyFiles * 30);
  row(`copied project folder: ${many.files} files, 1 of them evidence`, rMany, { rssKBPerFile: (rMany.ingestRssMB * 1024) / many.files });

  const nested = generateNested(join(out, 'nested'), tiny.path);
  if (nested) {
    log('ingesting a log in a lying zip, four archive levels deep ...');
    const rNested = ingest(nested.path, join(out, 'nested.db'));
    check('nested', rNested, nested.lines, tiny.records);
    if (rNested.notes < 1) failures.push('nested: the zip header that lied was not noted');
    row('log in a zip whose header says 0 bytes, in tgz ⊂ zip ⊂ tgz', rNested);
  } else log('python3 not found: the nested archive case is skipped');

  log(`ingesting a console session of ${a.sessionCommands * 2} commands ...`);
  const session = generateSession(join(out, 'session'), a.sessionCommands, 50);
  const rSession = ingest(join(out, 'session'), join(out, 'session.db'));
  check('session', rSession, session.lines, session.rows);
  row(`console session: ${session.commands} commands, each read by its parser`, rSession);
  return results;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const out = resolve(a.out);
  mkdirSync(out, { recursive: true });
  const log = (s: string) => process.stderr.write(s + '\n');
  const failures: string[] = [];
  const f = (n: unknown, d = 1) => (typeof n === 'number' ? n.toFixed(d) : '-');
  const checkOf = (): Check => (kind, r, wantLines, wantRows, unclaimed = 0) => {
    const unaccounted = r.lines - unclaimed - r.record_lines - r.structural - r.quarantined;
    if (r.lines !== wantLines) failures.push(`${kind}: ${r.lines} lines read, ${wantLines} written`);
    if (r.rows !== wantRows) failures.push(`${kind}: ${r.rows} rows stored, ${wantRows} expected`);
    if (unaccounted !== 0) failures.push(`${kind}: ${unaccounted} lines unaccounted`);
    if (r.quarantined !== 0) failures.push(`${kind}: ${r.quarantined} lines quarantined`);
  };
  const printPacked = (packed: Record<string, unknown>[]): void => {
    process.stdout.write('bundles as analysts pack them | MB | lines | rows | s | peak RSS MB\n');
    for (const r of packed) process.stdout.write(`${r.kind} | ${f(r.mb)} | ${r.lines} | ${r.rows} | ${f(r.seconds, 2)} | ${f(r.peakRssMB, 0)}\n`);
  };
  if (a.packedOnly) {
    const packed = await packedCases(a, out, checkOf(), failures, log);
    const report = { command: `npm run bench -- --packed-only --env-lines ${a.envLines} --many-files ${a.manyFiles} --session-commands ${a.sessionCommands}`, packed, accounting: failures.length ? failures : 'ok' };
    writeFileSync(join(out, 'bench.json'), JSON.stringify(report, null, 2));
    if (a.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      printPacked(packed);
      process.stdout.write(`accounting: ${failures.length ? failures.join('; ') : 'ok'}\n`);
    }
    process.exitCode = failures.length ? 1 : 0;
    return;
  }

  log(`generating ${a.logMb} MB of compose logs, ${a.dumpRows} dump rows, ${a.redisMsgs} redis messages in ${out} ...`);
  const logs = await generateComposeLogs(join(out, 'logs'), a.logMb * 1024 * 1024);
  const small = await generateComposeLogs(join(out, 'logs-small'), a.smallMb * 1024 * 1024);
  const split = await splitByService(logs.path, join(out, 'logs-per-service'));
  const dumps = await generateDumps(join(out, 'dumps-gen'), a.dumpRows);
  mkdirSync(join(out, 'csv'), { recursive: true });
  mkdirSync(join(out, 'copy'), { recursive: true });
  spawnSync('mv', [dumps.csvPath, join(out, 'csv', 'trades.csv')]);
  spawnSync('mv', [dumps.copyPath, join(out, 'copy', 'pg_dump.sql')]);
  const redis = await generateRedis(join(out, 'redis'), a.redisMsgs);

  const results: Record<string, unknown>[] = [];
  const check = checkOf();

  log('ingesting logs ...');
  const rLogs = ingest(join(out, 'logs'), join(out, 'logs.db'));
  check('logs', rLogs, logs.lines, logs.records);
  // Model build and analyze are timed on the smaller log bundle: they scale with the log's content, not its bytes alone.
  const rSmall = ingest(join(out, 'logs-small'), join(out, 'logs-small.db'), true);
  check('logs-small', rSmall, small.lines, small.records);
  const wcLogs = timeCmd('wc', ['-l', logs.path]);
  const sqlLogs = sqliteLines(logs.path, join(out, 'sqlite-lines.db'));
  results.push({
    kind: 'container logs (compose --timestamps)', mb: logs.bytes / 1e6, lines: logs.lines, rows: rLogs.rows, seconds: rLogs.seconds,
    mbPerS: logs.bytes / 1e6 / rLogs.seconds, rowsPerS: rLogs.rows / rLogs.seconds, peakRssMB: rLogs.ingestRssMB,
    wcMbPerS: logs.bytes / 1e6 / wcLogs, sqliteMbPerS: logs.bytes / 1e6 / sqlLogs, ratioVsSqlite: sqlLogs / rLogs.seconds, target: 0.8,
  });

  log('ingesting the same logs as one file per service ...');
  const rSplit = ingest(join(out, 'logs-per-service'), join(out, 'logs-per-service.db'));
  check('logs-per-service', rSplit, split.lines, logs.records);
  results.push({
    kind: `container logs, one file per service (${split.files} files, parsed in parallel)`, mb: split.bytes / 1e6, lines: split.lines, rows: rSplit.rows, seconds: rSplit.seconds,
    mbPerS: split.bytes / 1e6 / rSplit.seconds, rowsPerS: rSplit.rows / rSplit.seconds, peakRssMB: rSplit.ingestRssMB,
    sqliteMbPerS: logs.bytes / 1e6 / sqlLogs, ratioVsSqlite: sqlLogs / rSplit.seconds, target: 0.8,
  });

  log('ingesting CSV ...');
  const rCsv = ingest(join(out, 'csv'), join(out, 'csv.db'));
  check('csv', rCsv, dumps.csvLines, dumps.rows);
  const sqlCsv = sqliteCsv(join(out, 'csv', 'trades.csv'), join(out, 'sqlite-csv.db'));
  results.push({
    kind: 'psql CSV', mb: dumps.csvBytes / 1e6, lines: dumps.csvLines, rows: rCsv.rows, seconds: rCsv.seconds, mbPerS: dumps.csvBytes / 1e6 / rCsv.seconds,
    rowsPerS: rCsv.rows / rCsv.seconds, peakRssMB: rCsv.maxRssMB, sqliteMbPerS: dumps.csvBytes / 1e6 / sqlCsv, ratioVsSqlite: sqlCsv / rCsv.seconds, target: 0.8,
  });

  log('ingesting pg_dump COPY ...');
  const rCopy = ingest(join(out, 'copy'), join(out, 'copy.db'));
  check('copy', rCopy, dumps.copyLines, dumps.rows);
  results.push({ kind: 'pg_dump COPY', mb: dumps.copyBytes / 1e6, lines: dumps.copyLines, rows: rCopy.rows, seconds: rCopy.seconds, mbPerS: dumps.copyBytes / 1e6 / rCopy.seconds, rowsPerS: rCopy.rows / rCopy.seconds, peakRssMB: rCopy.maxRssMB });

  log('ingesting redis ...');
  const rRedis = ingest(join(out, 'redis'), join(out, 'redis.db'));
  check('redis', rRedis, redis.lines, redis.messages);
  results.push({ kind: 'redis-cli SUBSCRIBE', mb: redis.bytes / 1e6, lines: redis.lines, rows: rRedis.rows, seconds: rRedis.seconds, mbPerS: redis.bytes / 1e6 / rRedis.seconds, rowsPerS: rRedis.rows / rRedis.seconds, peakRssMB: rRedis.maxRssMB });

  const packed = await packedCases(a, out, check, failures, log);

  const memory = {
    smallMB: small.bytes / 1e6, smallPeakRssMB: rSmall.ingestRssMB, largeMB: logs.bytes / 1e6, largePeakRssMB: rLogs.ingestRssMB,
    perServicePeakRssMB: rSplit.ingestRssMB, modelAndAnalyzePeakRssMB: rSmall.maxRssMB, limitMB: 300,
  };
  const report = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGB: totalmem() / 2 ** 30, node: process.version, ingestJobs: defaultJobs() },
    command: `npm run bench -- --log-mb ${a.logMb} --dump-rows ${a.dumpRows} --redis-msgs ${a.redisMsgs} --env-lines ${a.envLines} --many-files ${a.manyFiles} --session-commands ${a.sessionCommands}`,
    results,
    packed,
    modelAndAnalyze: { logMB: small.bytes / 1e6, modelBuildSeconds: rSmall.modelSeconds, analyzeSeconds: rSmall.analyzeSeconds },
    memory,
    accounting: failures.length ? failures : 'ok',
  };
  writeFileSync(join(out, 'bench.json'), JSON.stringify(report, null, 2));
  if (a.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(`machine: ${report.machine.cpus} cores (${report.machine.cpu}), ${f(report.machine.memGB)} GiB, node ${report.machine.node}, ingest threads ${report.machine.ingestJobs}\n`);
    process.stdout.write('kind | MB | rows | s | MB/s | rows/s | peak RSS MB | wc -l MB/s | sqlite3 MB/s | ratio vs sqlite3\n');
    for (const r of results) {
      process.stdout.write(`${r.kind} | ${f(r.mb)} | ${r.rows} | ${f(r.seconds, 2)} | ${f(r.mbPerS)} | ${f(r.rowsPerS, 0)} | ${f(r.peakRssMB, 0)} | ${f(r.wcMbPerS)} | ${f(r.sqliteMbPerS)} | ${f(r.ratioVsSqlite, 2)}\n`);
    }
    process.stdout.write(`on the ${f(small.bytes / 1e6, 0)} MB log DB: model build ${f(rSmall.modelSeconds, 2)} s, analyze ${f(rSmall.analyzeSeconds, 2)} s, peak RSS ${f(rSmall.maxRssMB, 0)} MB\n`);
    process.stdout.write(`ingest memory: ${f(memory.smallMB, 0)} MB of logs → peak ${f(memory.smallPeakRssMB, 0)} MB RSS; ${f(memory.largeMB, 0)} MB → peak ${f(memory.largePeakRssMB, 0)} MB RSS; per-service files in parallel → peak ${f(memory.perServicePeakRssMB, 0)} MB RSS (target ≤ 300 MB)\n`);
    printPacked(packed);
    process.stdout.write(`accounting: ${failures.length ? failures.join('; ') : 'ok'}\n`);
  }
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
