import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tmp } from './helpers.js';

/**
 * A large log is read in pieces on several threads (src/ingest/split.ts). Small files are cut
 * here (CDB_FORENSICS_SPLIT_MIN_BYTES) so every case can put a cut where it hurts; each must give
 * the working database a whole read gives, row for row and id for id — joined from its pieces, or,
 * where a cut falls inside something only a whole read can tell, read whole again.
 */

const SERVICES = ['cdb_ws', 'cdb_signal', 'cdb_risk', 'cdb_execution'];
const pad = (s: string): string => s.padEnd(14);

function stamp(i: number): string {
  const t = new Date(Date.UTC(2026, 1, 9) + i * 1000);
  return t.toISOString().replace('.000Z', '.123456789Z');
}

function app(svc: string, i: number, level: string, msg: string, withStamp = true): string {
  const t = new Date(Date.UTC(2026, 1, 9) + i * 1000).toISOString();
  const asctime = `${t.slice(0, 10)} ${t.slice(11, 19)},${String(i % 1000).padStart(3, '0')}`;
  return `${pad(svc)}| ${withStamp ? stamp(i) + ' ' : ''}${asctime} [${level}] ${svc.replace('cdb_', '')}_service: ${msg}`;
}

function interleaved(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, k) => app(SERVICES[k % 4], from + k, 'INFO', `tick ${from + k} BTCUSDT @ ${70000 + k}.5`));
}

const traceback = (svc: string, i: number, frames: number): string[] => [
  app(svc, i, 'ERROR', 'Fehler beim Verarbeiten der Nachricht'),
  `${pad(svc)}| ${stamp(i)} Traceback (most recent call last):`,
  ...Array.from({ length: frames }, (_, f) => `${pad(svc)}| ${stamp(i)}   File "/app/service.py", line ${100 + f}, in handle_${f}`),
  `${pad(svc)}| ${stamp(i)} KeyError: 'price'`,
];

interface Case {
  name: string;
  lines: string[];
  /** Joined from pieces, or read whole again (a cut falls where only a whole read can tell). */
  expect: 'pieces' | 'whole';
  eol?: string;
  raw?: (text: Buffer) => Buffer;
}

const CASES: Case[] = [
  { name: 'interleaved INFO lines of four containers', lines: interleaved(600), expect: 'pieces' },
  {
    name: 'a container that falls silent early keeps its last record open to the end of the file',
    lines: [app('cdb_risk', 0, 'INFO', 'Risk manager started'), ...interleaved(2, 1), app('cdb_execution', 3, 'INFO', 'last words'), ...Array.from({ length: 600 }, (_, k) => app('cdb_ws', 4 + k, 'INFO', `tick ${k}`))],
    expect: 'pieces',
  },
  {
    name: 'a record open at a cut is written where the container speaks next, among the other rows',
    lines: [...interleaved(290), app('cdb_risk', 290, 'WARNING', 'slow decision'), ...Array.from({ length: 300 }, (_, k) => app(k % 2 ? 'cdb_ws' : 'cdb_signal', 291 + k, 'INFO', `tick ${k}`)), ...interleaved(40, 600)],
    expect: 'pieces',
  },
  {
    name: 'a traceback that runs across a cut',
    lines: [...interleaved(20), ...traceback('cdb_signal', 20, 700), ...interleaved(20, 30)],
    expect: 'whole',
  },
  {
    name: 'blank lines, compose status lines, an unprefixed line and lines without a --timestamps stamp',
    lines: [
      'Attaching to cdb_ws-1, cdb_signal-1',
      ...interleaved(200),
      '',
      'this line has no container prefix',
      ...Array.from({ length: 200 }, (_, k) => app(SERVICES[k % 4], 300 + k, 'DEBUG', `no stamp ${k}`, false)),
      `${pad('cdb_ws')}| `,
      ...interleaved(200, 600),
    ],
    expect: 'pieces',
  },
  {
    name: 'a line that is not valid UTF-8 in the last piece',
    lines: [...interleaved(500), 'INVALID', ...interleaved(100, 600)],
    raw: (b) => {
      const at = b.indexOf('INVALID');
      return Buffer.concat([b.subarray(0, at), Buffer.from(`${pad('cdb_ws')}| caf\xe9 \xff\xfe`, 'latin1'), b.subarray(at + 'INVALID'.length)]);
    },
    expect: 'pieces',
  },
  { name: 'CRLF line ends', lines: interleaved(600), eol: '\r\n', expect: 'pieces' },
  {
    name: 'era-A prints of cdb_ws (each line a record only the state before can tell)',
    lines: Array.from({ length: 600 }, (_, k) => `${pad(k % 2 ? 'cdb_ws' : 'cdb_core')}| ${k % 2 ? `📊 Received ${k} tickers` : app('cdb_core', k, 'INFO', `tick ${k}`).slice(16)}`),
    expect: 'whole',
  },
];

/** The ingest's summary (its database path left out) and its stderr. */
function ingest(bundle: string, db: string, jobs: string, env: Record<string, string> = {}): { summary: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'ingest', bundle, '--db', db, '--jobs', jobs], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return { summary: r.stdout.replace(db, '<db>'), stderr: r.stderr };
}

/** Every raw evidence table of the file as stored, ids included. */
function contents(db: string): Record<string, unknown[]> {
  const d = new Database(db, { readonly: true });
  try {
    const q = (sql: string) => d.prepare(sql).raw().all();
    return {
      log_events: q('SELECT * FROM log_events ORDER BY id'),
      log_hourly: q('SELECT * FROM log_hourly ORDER BY rowid'),
      quarantine: q('SELECT * FROM quarantine ORDER BY id'),
      structural_lines: q('SELECT * FROM structural_lines ORDER BY rowid'),
      file_notes: q('SELECT * FROM file_notes ORDER BY rowid'),
      manifest: q('SELECT id, path, bytes, sha256, parser, lines, records, record_lines, structural, quarantined, status, message, first_ts, last_ts FROM manifest ORDER BY id'),
    };
  } finally {
    d.close();
  }
}

describe('a large log read in pieces gives the working database of a whole read', () => {
  it.each(CASES)('$name', (c) => {
    const dir = tmp('cdbf-split-');
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    let bytes = Buffer.from(c.lines.join(c.eol ?? '\n') + (c.eol ?? '\n'), 'utf8');
    if (c.raw) bytes = c.raw(bytes);
    writeFileSync(join(bundle, 'docker_compose_logs.txt'), bytes);
    const one = ingest(bundle, join(dir, 'whole.db'), '1');
    const three = ingest(bundle, join(dir, 'pieces.db'), '3', { CDB_FORENSICS_SPLIT_MIN_BYTES: String(Math.floor(bytes.length / 3)), CDB_FORENSICS_TRACE_SPLIT: '1' });
    if (c.expect === 'pieces') expect(three.stderr).toMatch(/read in 5 pieces/);
    else expect(three.stderr).toMatch(/goes on at line \d+ with a line that depends on what came before/);
    // The summary counts the rows copied from the pieces (and forgets those of pieces given up).
    expect(three.summary).toBe(one.summary);
    expect(one.summary).toMatch(/ \d+ rows, /);
    const whole = contents(join(dir, 'whole.db'));
    const pieces = contents(join(dir, 'pieces.db'));
    expect(whole.log_events.length).toBeGreaterThan(30);
    for (const t of Object.keys(whole)) expect(pieces[t], t).toEqual(whole[t]);
  }, 60_000);
});

describe('a large log being read in pieces', () => {
  it('killed while its pieces are joined: nothing of it is stored, no scratch database stays, the next ingest stores what a whole read does', () => {
    const dir = tmp('cdbf-split-kill-');
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    const bytes = Buffer.from(interleaved(900).join('\n') + '\n', 'utf8');
    writeFileSync(join(bundle, 'docker_compose_logs.txt'), bytes);
    const env = { CDB_FORENSICS_SPLIT_MIN_BYTES: String(Math.floor(bytes.length / 3)) };
    const db = join(dir, 'pieces.db');
    const killed = spawnSync(process.execPath, [BIN, 'ingest', bundle, '--db', db, '--jobs', '3', '--quiet'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env, CDB_FORENSICS_FAULT: 'pieces-join:2' },
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const left = new Database(db, { readonly: true });
    expect(left.prepare('SELECT COUNT(*) FROM log_events').pluck().get()).toBe(0);
    left.close();
    ingest(bundle, db, '3', env);
    expect(readdirSync(dir).filter((f) => f.includes('.ingest-part'))).toEqual([]);
    ingest(bundle, join(dir, 'whole.db'), '1');
    const whole = contents(join(dir, 'whole.db'));
    const again = contents(db);
    for (const t of Object.keys(whole)) expect(again[t], t).toEqual(whole[t]);
  }, 60_000);
});

describe('a bundle of one log per service', () => {
  const serviceLog = (svc: string, n: number, from: number): string => Array.from({ length: n }, (_, k) => app(svc, from + k, 'INFO', `tick ${from + k} BTCUSDT @ ${70000 + k}.5`)).join('\n') + '\n';
  it.each([
    // `docker compose logs <service>` per service at DEBUG: the signal engine's log is most of it
    { name: 'one log most of the bundle: read in pieces by every thread, one file after another', sizes: { cdb_risk: 20, cdb_signal: 900, cdb_ws: 80 }, pieces: /split cdb_signal\.log: read in 3 pieces/ },
    { name: 'four logs of one size: each thread reads whole files', sizes: { cdb_execution: 300, cdb_risk: 300, cdb_signal: 300, cdb_ws: 300 }, pieces: null },
  ])('$name, the same database as one thread', ({ sizes, pieces }) => {
    const dir = tmp('cdbf-persvc-');
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    let from = 0;
    for (const [svc, n] of Object.entries(sizes)) {
      writeFileSync(join(bundle, `${svc}.log`), serviceLog(svc, n, from));
      from += n;
    }
    const largest = Math.max(...readdirSync(bundle).map((f) => readFileSync(join(bundle, f)).length));
    const one = ingest(bundle, join(dir, 'one.db'), '1');
    const two = ingest(bundle, join(dir, 'two.db'), '2', { CDB_FORENSICS_SPLIT_MIN_BYTES: String(Math.floor(largest / 3)), CDB_FORENSICS_TRACE_SPLIT: '1' });
    if (pieces) expect(two.stderr).toMatch(pieces);
    else expect(two.stderr).not.toMatch(/read in \d+ pieces/);
    expect(two.summary).toBe(one.summary);
    const a = contents(join(dir, 'one.db'));
    const b = contents(join(dir, 'two.db'));
    expect(a.log_events.length).toBeGreaterThan(900);
    for (const t of Object.keys(a)) expect(b[t], t).toEqual(a[t]);
  }, 60_000);
});

/**
 * A psql CSV export read in pieces: a cut is a line end, which in CSV may fall inside a quoted
 * field. Each piece assumes it starts at a record boundary; the join checks that the piece before
 * ended there, outside quotes, or the file is read whole.
 */
const CSV_HEADER = 'id,order_id,symbol,side,price,size,status,execution_price,slippage_bps,fees,timestamp,exchange,exchange_trade_id,metadata';

function trade(i: number, note = ''): string {
  return `${i},,${['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][i % 3]},${i % 2 ? 'buy' : 'sell'},${(70000 + i * 1.25).toFixed(2)},0.${String(i).padStart(4, '0')},filled,,,0.00000000,2026-02-09 00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}+00,MEXC,MOCK_${i},${note}`;
}

const plainTrades = (n: number): string[] => Array.from({ length: n }, (_, i) => trade(i + 1));

/** Records of every hostile kind psql writes or a damaged export holds, one in every `every` lines. */
function hostileTrades(n: number, every: number): string[] {
  const odd = [
    (i: number) => trade(i, '"two\nlines"'),
    (i: number) => trade(i, '"a, b and ""c"""'),
    (i: number) => trade(i, '""'),
    (i: number) => trade(i, '"\n\n"'),
    (i: number) => `${i},,BTCUSDT,buy`,
    () => '',
    () => CSV_HEADER,
    (i: number) => trade(i, '"fee: 0.1%\nmaker\nrebate"'),
  ];
  const out: string[] = [];
  for (let i = 1; i <= n; i++) out.push(i % every === 0 ? odd[(i / every) % odd.length](i) : trade(i));
  return out;
}

/** Where the ingest cuts a file of `size` bytes read with --jobs 3 and pieces of at least size/3. */
async function cutsOf(path: string, size: number): Promise<number[]> {
  const before = process.env.CDB_FORENSICS_SPLIT_MIN_BYTES;
  process.env.CDB_FORENSICS_SPLIT_MIN_BYTES = String(Math.floor(size / 3));
  try {
    const { cutPoints } = await import('../src/ingest/split.js');
    const { default: psqlCsv } = await import('../src/ingest/parsers/psql-csv.js');
    // The cuts the ingest makes: a psql CSV's pieces are weighed by its join cost.
    return (await cutPoints(path, size, 3, psqlCsv.split!.joinCost)).slice(1, -1);
  } finally {
    if (before === undefined) delete process.env.CDB_FORENSICS_SPLIT_MIN_BYTES;
    else process.env.CDB_FORENSICS_SPLIT_MIN_BYTES = before;
  }
}

/**
 * Rewrite the two lines around each cut, keeping every byte offset, so that one record runs across
 * the cut (`inside`: the cut's line end is within its quotes) or closes right at it.
 */
function quoteAtCuts(bytes: Buffer, cuts: number[], inside: boolean): Buffer {
  const out = Buffer.from(bytes);
  for (const cut of cuts) {
    // The line ending at the cut, and the one before or after it.
    const endA = inside ? cut - 1 : bytes.lastIndexOf(10, cut - 2);
    const startA = bytes.lastIndexOf(10, endA - 1) + 1;
    const endB = bytes.indexOf(10, endA + 1);
    const lenA = endA - startA;
    const lenB = endB - endA - 1;
    const a = `9${startA},,BTCUSDT,buy,1,1,filled,,,0,x,MEXC,M,"`;
    const b = '"';
    out.write(a + 'p'.repeat(lenA - a.length), startA, 'latin1');
    out.write('q'.repeat(lenB - b.length) + b, endA + 1, 'latin1');
  }
  return out;
}

interface CsvCase {
  name: string;
  lines: string[];
  expect: 'pieces' | RegExp;
  eol?: string;
  bom?: boolean;
  /** No line end after the last line. */
  truncated?: boolean;
  atCuts?: 'inside' | 'closing';
}

const NOT_JOINED = /does not end in the state a file starts in/;
const CSV_CASES: CsvCase[] = [
  { name: 'quote-free trades', lines: [CSV_HEADER, ...plainTrades(900)], expect: 'pieces' },
  { name: 'quoted newlines, commas and quotes, empty strings, ragged rows, blank lines, the header again', lines: [CSV_HEADER, ...hostileTrades(900, 7)], expect: 'pieces' },
  { name: 'CRLF line ends and a BOM', lines: [CSV_HEADER, ...hostileTrades(900, 10)], eol: '\r\n', bom: true, expect: 'pieces' },
  { name: 'a truncated last line', lines: [CSV_HEADER, ...hostileTrades(900, 13), '901,,BTCUSDT,buy,70001.2'], truncated: true, expect: 'pieces' },
  { name: 'a quoted field never closed in the last piece', lines: [CSV_HEADER, ...plainTrades(890), '891,,BTCUSDT,buy,1,1,filled,,,0,x,MEXC,M,"never closed', ...plainTrades(10)], expect: 'pieces' },
  { name: 'a quoted newline right at every cut', lines: [CSV_HEADER, ...plainTrades(900)], atCuts: 'inside', expect: NOT_JOINED },
  { name: 'a quoted field that closes right at every cut', lines: [CSV_HEADER, ...plainTrades(900)], atCuts: 'closing', expect: 'pieces' },
  { name: 'a refused record of several lines after a cut', lines: [CSV_HEADER, ...plainTrades(890), '891,"two\nlines"', ...plainTrades(10)], expect: /cites its first line by number/ },
];

/** The raw evidence of a CSV ingest as stored, ids included. */
function csvContents(db: string): Record<string, unknown[]> {
  const d = new Database(db, { readonly: true });
  try {
    const q = (sql: string) => d.prepare(sql).raw().all();
    return {
      ...contents(db),
      src_tables: q('SELECT * FROM src_tables ORDER BY name'),
      ...Object.fromEntries((d.prepare('SELECT name FROM src_tables ORDER BY name').pluck().all() as string[]).map((t) => [t, q(`SELECT * FROM "${t}" ORDER BY _id`)])),
      files: q('SELECT * FROM manifest ORDER BY id').map((r) => (r as unknown[]).filter((v) => typeof v !== 'string' || !v.startsWith('20'))),
    };
  } finally {
    d.close();
  }
}

describe('a psql CSV export read in pieces gives the working database of a whole read', () => {
  it.each(CSV_CASES)('$name', async (c) => {
    const dir = tmp('cdbf-split-csv-');
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    const eol = c.eol ?? '\n';
    let bytes = Buffer.from((c.bom ? '\uFEFF' : '') + c.lines.join(eol) + (c.truncated ? '' : eol), 'utf8');
    const file = join(bundle, 'trades.csv');
    writeFileSync(file, bytes);
    if (c.atCuts) {
      bytes = quoteAtCuts(bytes, await cutsOf(file, bytes.length), c.atCuts === 'inside');
      writeFileSync(file, bytes);
    }
    const one = ingest(bundle, join(dir, 'whole.db'), '1');
    const three = ingest(bundle, join(dir, 'pieces.db'), '3', { CDB_FORENSICS_SPLIT_MIN_BYTES: String(Math.floor(bytes.length / 3)), CDB_FORENSICS_TRACE_SPLIT: '1' });
    expect(three.stderr).toMatch(c.expect === 'pieces' ? /read in 5 pieces/ : c.expect);
    expect(three.summary).toBe(one.summary);
    const whole = csvContents(join(dir, 'whole.db'));
    const pieces = csvContents(join(dir, 'pieces.db'));
    expect(whole.src_trades?.length).toBeGreaterThan(800);
    for (const t of Object.keys(whole)) expect(pieces[t], t).toEqual(whole[t]);
  }, 60_000);
});
