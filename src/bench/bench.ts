import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultJobs } from '../ingest/parallel.js';
import { generateComposeLogs, generateDumps, generateRedis, splitByService } from './generate.js';
import { generateEnv, generateManyFiles, generateNested, generateSession } from './generate-bundles.js';
import { generateEraBDebugLogs, type DebugLogResult } from './generate-debug.js';
import { RssSampler } from './proc-tree.js';

/**
 * `npm run bench`: what the analyst waits for. `cdb-forensics run` end to end on a generated
 * era-B DEBUG compose log of `--size` MB (each phase's seconds and the peak RSS of the whole
 * process tree), beside two baselines on the same file in the same run: the sqlite3 shell
 * importing its raw lines, and lnav loading it with the compose format and answering a GROUP BY,
 * each once just before the run and once just after (the faster kept, both printed: a machine
 * whose speed drifts shows it in the two, not only in our figure). Then each other evidence kind
 * is ingested in its own process (CSV beside `sqlite3 .import --csv`). Timing is printed, never asserted; the accounting (lines, rows) is checked and makes
 * the exit code non-zero.
 */

interface Args {
  /** MB of era-B DEBUG compose log for the end-to-end run (`--size`; `--log-mb` is the older name). */
  logMb: number;
  dumpRows: number;
  redisMsgs: number;
  out: string;
  json: boolean;
  /** The lnav format for the compose log (the bench installs it into a throw-away HOME, never the user's). */
  lnavFormat: string;
  /** Skip the per-kind ingest section (CSV, COPY, Redis, per-service files, packed bundles). */
  runOnly: boolean;
  envLines: number;
  manyFiles: number;
  sessionCommands: number;
  /** Only the packed-bundle cases (huge .env, many files, nested archives, console session). */
  packedOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    logMb: 1024, dumpRows: 2_000_000, redisMsgs: 1_000_000, out: 'bench-out', json: false, lnavFormat: resolve(here, '../../../shared/bench/lnav-compose_log.json'),
    runOnly: false, envLines: 200_000, manyFiles: 20_000, sessionCommands: 2_000, packedOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--size' || k === '--log-mb') (a.logMb = Number(v)), i++;
    else if (k === '--lnav-format') (a.lnavFormat = resolve(v)), i++;
    else if (k === '--run-only') a.runOnly = true;
    else if (k === '--dump-rows') (a.dumpRows = Number(v)), i++;
    else if (k === '--redis-msgs') (a.redisMsgs = Number(v)), i++;
    else if (k === '--out') (a.out = v), i++;
    else if (k === '--env-lines') (a.envLines = Number(v)), i++;
    else if (k === '--many-files') (a.manyFiles = Number(v)), i++;
    else if (k === '--session-commands') (a.sessionCommands = Number(v)), i++;
    else if (k === '--packed-only') a.packedOnly = true;
    else if (k === '--json') a.json = true;
    else throw new Error(`unknown option ${k}; options: --size MB --dump-rows N --redis-msgs N --env-lines N --many-files N --session-commands N --lnav-format FILE --run-only --packed-only --out DIR --json`);
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
  rmSync(db, { force: true });
  return timeCmd('sqlite3', [db], `CREATE TABLE t(line TEXT);\n.mode ascii\n.separator "\\037" "\\n"\n.import '${file}' t\n`);
}

/** A baseline timed once before our run and once after: the faster is the yardstick. */
interface Bracketed {
  seconds: number;
  before: number;
  after: number;
}

function bracketed(before: number, after: number): Bracketed {
  return { seconds: Math.min(before, after), before, after };
}

/** How far a baseline's two runs differ, relative to the faster. */
function drift(b: Bracketed): number {
  return Math.max(b.before, b.after) / b.seconds - 1;
}

function sqliteCsv(file: string, db: string): number {
  return best(() => {
    rmSync(db, { force: true });
    return timeCmd('sqlite3', [db], `.import --csv '${file}' t\n`);
  });
}

const BIN = resolve(here, '../../bin/cdb-forensics.js');
const PHASES = ['ingest', 'model build', 'analysis', 'render'] as const;

interface RunResult {
  seconds: number;
  peakRssMB: number;
  phases: { phase: string; seconds: number; peakRssMB: number }[];
  /** From the run's working database: what the accounting check compares with the generator. */
  manifest: { lines: number; records: number; record_lines: number; structural: number; quarantined: number };
  exitCode: number;
}

/**
 * `cdb-forensics run` as the analyst starts it, in its own process: wall time from spawn to exit,
 * each phase's seconds (the CLI writes them when CDB_FORENSICS_PHASE_TIMES names a file) and the
 * peak RSS of the whole process tree, overall and per phase, sampled from /proc.
 */
async function timeRun(bundle: string, out: string, now: string, jobs?: number): Promise<RunResult> {
  settle();
  const db = join(out, 'run.db');
  for (const f of [db, db + '-wal', db + '-shm', db + '.lock']) rmSync(f, { force: true });
  const phaseFile = join(out, 'run-phases.json');
  rmSync(phaseFile, { force: true });
  const args = [BIN, 'run', bundle, '--out', join(out, 'run-report'), '--db', db, '--now', now, '--quiet', ...(jobs ? ['--jobs', String(jobs)] : [])];
  const t0 = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CDB_FORENSICS_PHASE_TIMES: phaseFile } });
  const sampler = new RssSampler(child.pid!).start();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code: number = await new Promise((r) => child.on('exit', (c) => r(c ?? -1)));
  sampler.stop();
  const seconds = (Date.now() - t0) / 1000;
  if (code !== 0 && code !== 1) throw new Error(`cdb-forensics run failed (exit ${code}): ${stderr}`);
  const timings = existsSync(phaseFile) ? (JSON.parse(readFileSync(phaseFile, 'utf8')) as { phase: string; start: number; end: number }[]) : [];
  const phases = PHASES.map((name) => {
    const t = timings.find((x) => x.phase === name);
    return { phase: name, seconds: t ? (t.end - t.start) / 1000 : NaN, peakRssMB: t ? sampler.peakMB(t.start, t.end + 50) : NaN };
  });
  const rdb = new Database(db, { readonly: true });
  const manifest = rdb.prepare('SELECT SUM(lines) lines, SUM(records) records, SUM(record_lines) record_lines, SUM(structural) structural, SUM(quarantined) quarantined FROM manifest WHERE status != \'refused\'').get() as RunResult['manifest'];
  rdb.close();
  return { seconds, peakRssMB: sampler.peakMB(), phases, manifest, exitCode: code };
}

/**
 * The bench's log with Redis away for the whole block: each tick's `published` line becomes the
 * error the feed logs instead (formats doc §3.2). Every such line is a connection failure the
 * analysis must count and cite without holding them all. Returns how many lines changed.
 */
async function failingFeed(src: string, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const out = createWriteStream(join(dir, 'docker_compose_logs.txt'));
  const re = /\[DEBUG\] ws_service: \[redis\] published market_data: \S+ @ \S+$/;
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(src), crlfDelay: Infinity })) {
    const m = re.exec(line);
    const to = m ? line.slice(0, m.index) + '[ERROR] ws_service: [redis] publish error: Error 111 connecting to cdb_redis:6379. Connection refused.' : line;
    if (m) n++;
    if (!out.write(to + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return n;
}

interface LnavRun {
  seconds: number;
  counts: Record<string, number>;
}

interface Lnav {
  version: string;
  /** One timed load of the file and the GROUP BY. */
  once(file: string): LnavRun;
}

/**
 * lnav (Debian's package) loading the file with the compose format and answering the GROUP BY,
 * headless (`-n`, `-c`). The format is installed into a throw-away HOME so the user's ~/.lnav is
 * never touched. Null (with a note) when lnav is absent: the bench installs nothing.
 */
function lnavBaseline(format: string, work: string, note: (s: string) => void): Lnav | null {
  const which = spawnSync('sh', ['-c', 'command -v lnav'], { encoding: 'utf8' });
  if (which.status !== 0) {
    note('lnav not found: the lnav baseline is skipped (Debian: apt-get install lnav)');
    return null;
  }
  if (!existsSync(format)) {
    note(`lnav format ${format} not found: the lnav baseline is skipped (pass --lnav-format)`);
    return null;
  }
  const home = join(work, 'lnav-home');
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  const inst = spawnSync('lnav', ['-i', format], { env, encoding: 'utf8' });
  if (inst.status !== 0) {
    note(`lnav could not install the format: ${inst.stderr || inst.stdout}`);
    return null;
  }
  const version = spawnSync('lnav', ['-V'], { encoding: 'utf8' }).stdout.trim();
  return {
    version,
    once(file: string): LnavRun {
      settle();
      const t0 = process.hrtime.bigint();
      const r = spawnSync('lnav', ['-n', '-c', ';SELECT service, count(*) FROM compose_log GROUP BY 1', file], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.status !== 0) throw new Error(`lnav failed: ${r.stderr}`);
      const counts: Record<string, number> = {};
      for (const line of r.stdout.split('\n')) {
        const m = line.match(/^\s*(\S+)\s+(\d+)\s*$/);
        if (m) counts[m[1]] = Number(m[2]);
      }
      return { seconds, counts };
    },
  };
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

  log(`generating ${a.logMb} MB of era-B DEBUG compose logs in ${out} ...`);
  const logs = await generateEraBDebugLogs(join(out, 'logs'), a.logMb * 1e6);
  const check = checkOf();
  const notes: string[] = [];
  const note = (s: string) => {
    notes.push(s);
    log(s);
  };

  // The end-to-end run between its two baselines' runs, on the same file, one after the other.
  const sqliteDb = join(out, 'sqlite-lines.db');
  const lnavTool = lnavBaseline(a.lnavFormat, out, note);
  log('sqlite3 importing the raw lines, and lnav loading the file and answering the GROUP BY ...');
  const sqlBefore = sqliteLines(logs.path, sqliteDb);
  const lnavBefore = lnavTool?.once(logs.path) ?? null;
  log('cdb-forensics run, end to end ...');
  const run = await timeRun(join(out, 'logs'), out, new Date(Date.parse(logs.to) + 3_600_000).toISOString());
  const m = run.manifest;
  check('run', { lines: m.lines, rows: m.records, record_lines: m.record_lines, structural: m.structural, quarantined: m.quarantined } as ChildResult, logs.lines, logs.records);
  log('sqlite3 and lnav again ...');
  const sqlite = bracketed(sqlBefore, sqliteLines(logs.path, sqliteDb));
  const sqlLogs = sqlite.seconds;
  const lnavAfter = lnavTool?.once(logs.path) ?? null;
  const lnav = lnavTool && lnavBefore && lnavAfter ? { version: lnavTool.version, ...bracketed(lnavBefore.seconds, lnavAfter.seconds) } : null;
  for (const r of [lnavBefore, lnavAfter]) {
    if (!r) continue;
    const want = JSON.stringify(Object.entries(logs.perService).sort());
    const got = JSON.stringify(Object.entries(r.counts).sort());
    if (want !== got) note(`lnav counted ${got} lines per service, the generator wrote ${want}: lnav did not parse every line, so its time is not a fair baseline`);
  }
  for (const [name, b] of [['sqlite3', sqlite], ['lnav', lnav]] as const) {
    if (b && drift(b) > 0.1) note(`${name} took ${f(b.before, 2)} s before the run and ${f(b.after, 2)} s after: the machine's speed drifted ${f(100 * drift(b), 0)} %, and the ratios are no steadier than that`);
  }
  const ingestS = run.phases.find((p) => p.phase === 'ingest')!.seconds;
  const endToEnd = {
    mb: logs.bytes / 1e6, lines: logs.lines, records: logs.records, span: { from: logs.from, to: logs.to },
    runSeconds: run.seconds, runPeakRssMB: run.peakRssMB, phases: run.phases,
    /** Start-up, opening and locking the database, closing it (WAL checkpoints) and exit: outside every phase. */
    otherSeconds: run.seconds - run.phases.reduce((x, p) => x + (Number.isFinite(p.seconds) ? p.seconds : 0), 0),
    sqliteImportSeconds: sqlLogs, lnavSeconds: lnav?.seconds ?? null, lnavVersion: lnav?.version ?? null,
    /** Each baseline's run just before ours and just after. */
    baselineRuns: { sqlite3: { before: sqlite.before, after: sqlite.after }, lnav: lnav ? { before: lnav.before, after: lnav.after } : null },
    ratios: {
      runOverLnav: lnav ? run.seconds / lnav.seconds : null, runOverLnavTarget: 2,
      ingestSpeedOverSqlite: sqlLogs / ingestS, ingestSpeedOverSqliteTarget: 0.8,
      ingestShareOfLnavBudget: lnav ? ingestS / (2 * lnav.seconds) : null, ingestShareTarget: 0.75,
    },
    rssLimitMB: 300,
  };

  const results: Record<string, unknown>[] = [];
  results.push({
    kind: 'container logs, one era-B DEBUG `compose logs --timestamps` file (ingest phase of run)', mb: logs.bytes / 1e6, lines: logs.lines, rows: m.records, seconds: ingestS,
    mbPerS: logs.bytes / 1e6 / ingestS, rowsPerS: m.records / ingestS, peakRssMB: run.phases[0].peakRssMB, sqliteMbPerS: logs.bytes / 1e6 / sqlLogs, ratioVsSqlite: sqlLogs / ingestS, target: 0.8,
  });
  let packed: Record<string, unknown>[] = [];
  if (!a.runOnly) {
    const split = await splitByService(logs.path, join(out, 'logs-per-service'));
    const dumps = await generateDumps(join(out, 'dumps-gen'), a.dumpRows);
    mkdirSync(join(out, 'csv'), { recursive: true });
    mkdirSync(join(out, 'copy'), { recursive: true });
    spawnSync('mv', [dumps.csvPath, join(out, 'csv', 'trades.csv')]);
    spawnSync('mv', [dumps.copyPath, join(out, 'copy', 'pg_dump.sql')]);
    const redis = await generateRedis(join(out, 'redis'), a.redisMsgs);

    log('ingesting the same logs as one file per service ...');
    const rSplit = ingest(join(out, 'logs-per-service'), join(out, 'logs-per-service.db'));
    check('logs-per-service', rSplit, split.lines, logs.records);
    results.push({
      kind: `the same logs, one file per service (${split.files} files, parsed in parallel)`, mb: split.bytes / 1e6, lines: split.lines, rows: rSplit.rows, seconds: rSplit.seconds,
      mbPerS: split.bytes / 1e6 / rSplit.seconds, rowsPerS: rSplit.rows / rSplit.seconds, peakRssMB: rSplit.ingestRssMB,
      sqliteMbPerS: logs.bytes / 1e6 / sqlLogs, ratioVsSqlite: sqlLogs / rSplit.seconds, target: 0.8,
    });

    log('ingesting CSV ...');
    // The model and the analysis too: a dump's rows are paired, matched and counted there, and
    // memory must stay flat for them as well.
    const rCsv = ingest(join(out, 'csv'), join(out, 'csv.db'), true);
    check('csv', rCsv, dumps.csvLines, dumps.rows);
    const sqlCsv = sqliteCsv(join(out, 'csv', 'trades.csv'), join(out, 'sqlite-csv.db'));
    results.push({
      kind: 'psql CSV', mb: dumps.csvBytes / 1e6, lines: dumps.csvLines, rows: rCsv.rows, seconds: rCsv.seconds, mbPerS: dumps.csvBytes / 1e6 / rCsv.seconds,
      rowsPerS: rCsv.rows / rCsv.seconds, peakRssMB: rCsv.ingestRssMB, sqliteMbPerS: dumps.csvBytes / 1e6 / sqlCsv, ratioVsSqlite: sqlCsv / rCsv.seconds, target: 0.8,
    });
    const modelAnalysis = rCsv.modelSeconds + rCsv.analyzeSeconds;
    results.push({
      kind: `the same trades, model build + analysis (${rCsv.modelSeconds.toFixed(1)} s + ${rCsv.analyzeSeconds.toFixed(1)} s; peak RSS of the whole process)`, mb: dumps.csvBytes / 1e6, lines: dumps.csvLines,
      rows: rCsv.rows, seconds: modelAnalysis, mbPerS: dumps.csvBytes / 1e6 / modelAnalysis, rowsPerS: rCsv.rows / modelAnalysis, peakRssMB: rCsv.maxRssMB,
      modelSeconds: rCsv.modelSeconds, analyzeSeconds: rCsv.analyzeSeconds,
    });

    log('ingesting pg_dump COPY ...');
    const rCopy = ingest(join(out, 'copy'), join(out, 'copy.db'));
    check('copy', rCopy, dumps.copyLines, dumps.rows);
    results.push({ kind: 'pg_dump COPY', mb: dumps.copyBytes / 1e6, lines: dumps.copyLines, rows: rCopy.rows, seconds: rCopy.seconds, mbPerS: dumps.copyBytes / 1e6 / rCopy.seconds, rowsPerS: rCopy.rows / rCopy.seconds, peakRssMB: rCopy.maxRssMB });

    log('ingesting redis ...');
    const rRedis = ingest(join(out, 'redis'), join(out, 'redis.db'));
    check('redis', rRedis, redis.lines, redis.messages);
    results.push({ kind: 'redis-cli SUBSCRIBE', mb: redis.bytes / 1e6, lines: redis.lines, rows: rRedis.rows, seconds: rRedis.seconds, mbPerS: redis.bytes / 1e6 / rRedis.seconds, rowsPerS: rRedis.rows / rRedis.seconds, peakRssMB: rRedis.maxRssMB });

    log('the same logs with the feed failing on every tick, run end to end ...');
    const failing = await failingFeed(logs.path, join(out, 'failing-feed'));
    const rFail = await timeRun(join(out, 'failing-feed'), out, new Date(Date.parse(logs.to) + 3_600_000).toISOString());
    check('failing-feed', { lines: rFail.manifest.lines, rows: rFail.manifest.records, record_lines: rFail.manifest.record_lines, structural: rFail.manifest.structural, quarantined: rFail.manifest.quarantined } as ChildResult, logs.lines, logs.records);
    const failIngest = rFail.phases.find((p) => p.phase === 'ingest')!.seconds;
    results.push({
      kind: `feed failing on every tick (the same log, its ${failing} \`published\` lines become \`publish error … Connection refused.\`; run end to end: ${rFail.phases.map((p) => `${p.phase} ${f(p.seconds, 1)} s`).join(', ')}; peak RSS of the whole run)`,
      mb: logs.bytes / 1e6, lines: logs.lines, rows: rFail.manifest.records, seconds: rFail.seconds, mbPerS: logs.bytes / 1e6 / rFail.seconds, rowsPerS: rFail.manifest.records / rFail.seconds,
      peakRssMB: rFail.peakRssMB, failingLines: failing, phases: rFail.phases, ingestSeconds: failIngest,
    });

    packed = await packedCases(a, out, check, failures, log);
  }

  const report = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGB: totalmem() / 2 ** 30, node: process.version, ingestJobs: defaultJobs(), date: new Date().toISOString() },
    command: `npm run bench -- --size ${a.logMb}${a.runOnly ? ' --run-only' : ` --dump-rows ${a.dumpRows} --redis-msgs ${a.redisMsgs} --env-lines ${a.envLines} --many-files ${a.manyFiles} --session-commands ${a.sessionCommands}`}`,
    endToEnd,
    results,
    packed,
    notes,
    accounting: failures.length ? failures : 'ok',
  };
  writeFileSync(join(out, 'bench.json'), JSON.stringify(report, null, 2));
  if (a.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const w = (x: string) => process.stdout.write(x + '\n');
    const mach = report.machine;
    w(`machine: ${mach.cpus} cores (${mach.cpu}), ${f(mach.memGB)} GiB, node ${mach.node}, ingest threads ${mach.ingestJobs}, ${mach.date}`);
    w(`\nend to end: ${f(endToEnd.mb, 0)} MB era-B DEBUG compose log, ${logs.lines} lines (${logs.from} … ${logs.to})`);
    w('step | s | peak RSS MB (process tree)');
    w(`cdb-forensics run | ${f(run.seconds, 2)} | ${f(run.peakRssMB, 0)}`);
    for (const p of run.phases) w(`  ${p.phase} | ${f(p.seconds, 2)} | ${f(p.peakRssMB, 0)}`);
    w(`  other (start-up, opening, closing the database, exit) | ${f(endToEnd.otherSeconds, 2)} | -`);
    w(`sqlite3 importing the raw lines (before the run ${f(sqlite.before, 2)}, after ${f(sqlite.after, 2)}) | ${f(sqlLogs, 2)} | -`);
    w(lnav ? `${lnav.version}: load + GROUP BY service (before the run ${f(lnav.before, 2)}, after ${f(lnav.after, 2)}) | ${f(lnav.seconds, 2)} | -` : 'lnav: skipped (not installed)');
    const r = endToEnd.ratios;
    w(`ratios: run ÷ lnav ${f(r.runOverLnav, 2)} (target ≤ 2); ingest speed ÷ sqlite3 import ${f(r.ingestSpeedOverSqlite, 2)} (target ≥ 0.8); ingest ÷ 2×lnav ${f(r.ingestShareOfLnavBudget, 2)} (target ≤ 0.75); peak RSS ${f(run.peakRssMB, 0)} MB (target ≤ 300)`);
    w('\nkind | MB | rows | s | MB/s | rows/s | peak RSS MB | sqlite3 MB/s | speed ÷ sqlite3');
    for (const x of results) w(`${x.kind} | ${f(x.mb)} | ${x.rows} | ${f(x.seconds, 2)} | ${f(x.mbPerS)} | ${f(x.rowsPerS, 0)} | ${f(x.peakRssMB, 0)} | ${f(x.sqliteMbPerS)} | ${f(x.ratioVsSqlite, 2)}`);
    if (packed.length) printPacked(packed);
    for (const n of notes) w(`note: ${n}`);
    w(`accounting: ${failures.length ? failures.join('; ') : 'ok'}`);
  }
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
