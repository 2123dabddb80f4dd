import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headFromText, runParser, runPiece, splitLines, type ParserRun, type PieceRun } from '../testing.js';
import pgDump from './pg-dump.js';
import psqlAligned from './psql-aligned.js';
import psqlCsv, { assemblerOnly } from './psql-csv.js';

const REAL = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real-tools');
const read = (f: string): string => readFileSync(resolve(REAL, 'postgres', f), 'utf8');

/** CSV records as Python's csv would count them: newlines outside quotes end records (a quote pair toggles twice). */
function countRecords(text: string): number {
  let inQ = false;
  let n = 0;
  let nonEmpty = false;
  for (const c of text) {
    if (c === '"') inQ = !inQ;
    if (c === '\n' && !inQ) {
      if (nonEmpty) n++;
      nonEmpty = false;
    } else if (c !== '\r') nonEmpty = true;
  }
  return nonEmpty ? n + 1 : n;
}

describe('psql-csv on the real psql 15.18 \\copy exports', () => {
  it.each([
    ['signals.csv', 'src:signals'],
    ['orders.csv', 'src:orders'],
    ['trades.csv', 'src:trades'],
    ['portfolio_snapshots.csv', 'src:portfolio_snapshots'],
  ])('%s: one row per record, nothing quarantined', async (file, table) => {
    const text = read(file);
    const run = await runParser(psqlCsv, text, file);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.length).toBe(countRecords(text) - 1);
    expect(new Set(run.rows.map((r) => r.table))).toEqual(new Set([table]));
    expect(run.structural['csv-header']).toBe(1);
    const header = text.split('\n')[0].split(',');
    for (const r of run.rows) expect(Object.keys(r.values)).toEqual(header);
  });

  it('renamed to x.txt, the file is still detected and named by its columns', async () => {
    for (const [file, table] of [
      ['orders.csv', 'src:orders'],
      ['trades.csv', 'src:trades'],
      ['portfolio_snapshots.csv', 'src:portfolio_snapshots'],
    ]) {
      const text = read(file);
      const head = headFromText(text, 'x.txt');
      const csv = psqlCsv.claims.sniff(head);
      expect(csv?.confidence).toBeGreaterThanOrEqual(90);
      expect(pgDump.claims.sniff(head)).toBeNull();
      expect(psqlAligned.claims.sniff(head)).toBeNull();
      const run = await runParser(psqlCsv, text, 'x.txt');
      expect(run.rows[0].table).toBe(table);
      expect(run.unaccounted).toBe(0);
    }
  });
});

describe('psql-csv semantics', () => {
  it('NULL is an empty unquoted field, "" an empty string', async () => {
    const run = await runParser(psqlCsv, 'id,a,b\n1,,""\n2,"",x\n', 'orders_extra.csv');
    expect(run.rows.map((r) => r.values)).toEqual([
      { id: '1', a: null, b: '' },
      { id: '2', a: '', b: 'x' },
    ]);
    expect(run.unaccounted).toBe(0);
  });

  it('a quoted field with newlines spans several physical lines', async () => {
    const text = 'id,symbol,note\n1,BTC,"line one\nline two\n\nline four, with ""quotes"""\n2,ETH,plain\n';
    const run = await runParser(psqlCsv, text, 't.csv');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.line, r.lines, r.values.note])).toEqual([
      [2, 4, 'line one\nline two\n\nline four, with "quotes"'],
      [6, 1, 'plain'],
    ]);
  });

  it('columns in another order give the same values per column', async () => {
    const a = await runParser(psqlCsv, read('signals.csv'), 'signals.csv');
    const lines = read('signals.csv').trimEnd().split('\n');
    const order = [7, 5, 0, 3, 1, 6, 2, 4];
    const shuffled = lines.map((l) => {
      const f = l.split(',');
      return order.map((i) => f[i]).join(',');
    });
    const b = await runParser(psqlCsv, `${shuffled.join('\n')}\n`, 'export_2025-12-22.csv');
    expect(b.unaccounted).toBe(0);
    expect(b.rows.map((r) => r.table)).toEqual(a.rows.map((r) => r.table));
    expect(b.rows.map((r) => r.values)).toEqual(a.rows.map((r) => r.values));
    expect(Object.keys(b.rows[0].values)[0]).toBe('metadata');
  });

  it.each([
    [
      'runbook trading_signals.csv',
      'trading_signals.csv',
      'signal_id,symbol,signal_type,confidence,price,timestamp\nsig_1,BTCUSDT,BUY,0.82,95000.5,2025-11-29T12:35:10Z\nsig_2,ETHUSDT,SELL,0.40,3000,2025-11-29T12:36:00Z\n',
      'src:trading_signals',
      { signal_id: 'sig_1', symbol: 'BTCUSDT', signal_type: 'BUY', confidence: '0.82', price: '95000.5', timestamp: '2025-11-29T12:35:10Z' },
    ],
    [
      'runbook trading_signals without signal_id, named only by the file',
      'trading_signals.csv',
      'symbol,signal_type,confidence,price,timestamp\nBTCUSDT,BUY,0.82,95000.5,2025-11-29T12:35:10Z\n',
      'src:trading_signals',
      { symbol: 'BTCUSDT', signal_type: 'BUY', confidence: '0.82', price: '95000.5', timestamp: '2025-11-29T12:35:10Z' },
    ],
    [
      'runbook risk_events.csv',
      'risk_events.csv',
      'signal_id,approved,reason,timestamp\nsig_123,false,"Daily Drawdown exceeded (5.2% > 5.0%)",2025-11-29T12:35:10Z\n',
      'src:risk_events',
      { signal_id: 'sig_123', approved: 'false', reason: 'Daily Drawdown exceeded (5.2% > 5.0%)', timestamp: '2025-11-29T12:35:10Z' },
    ],
    [
      'fork risk_events renamed',
      'dump1.txt',
      'id,timestamp_ms,symbol,decision,reason_code,contract_version,payload\n1,1769700000000,BTCUSDT,BLOCK,RC_010,decision_contract_v1,"{""a"": 1}"\n',
      'src:risk_events',
      { id: '1', timestamp_ms: '1769700000000', symbol: 'BTCUSDT', decision: 'BLOCK', reason_code: 'RC_010', contract_version: 'decision_contract_v1', payload: '{"a": 1}' },
    ],
    [
      'unknown columns keep a sanitized file name',
      'My Export (2).csv',
      'foo,bar\n1,2\n',
      'src:my_export',
      { foo: '1', bar: '2' },
    ],
  ])('%s', async (_n, name, text, table, first) => {
    const run = await runParser(psqlCsv, text, name);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows[0].table).toBe(table);
    expect(run.rows[0].values).toEqual(first);
  });

  it('columns win over a misleading file name, and a note says so', async () => {
    const run = await runParser(psqlCsv, read('trades.csv'), 'signals.csv');
    expect(run.rows[0].table).toBe('src:trades');
    expect(run.notes.some((n) => n.includes('signals') && n.includes('trades'))).toBe(true);
  });

  it('quarantines a record with the wrong field count, with expected and actual counts', async () => {
    const text = 'id,symbol,price\n1,BTC,1.0\n2,BTC\n3,"multi\nline",2.0,extra\n4,ETH,3.0\n';
    const run = await runParser(psqlCsv, text, 't.csv');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([3, 4, 5]);
    expect(run.quarantined[0].reason).toMatch(/2 fields, expected 3/);
    expect(run.quarantined[1].reason).toMatch(/4 fields, expected 3/);
    expect(run.quarantined[2].reason).toMatch(/starting at line 4/);
    expect(run.rows.map((r) => r.values.id)).toEqual(['1', '4']);
  });

  it('a stray quote refuses one line, not the rest of the file', async () => {
    const text = 'id,symbol,price\n1,"BTC,1.0\n2,ETH,2.0\n3,SOL,3.0\n';
    const run = await runParser(psqlCsv, text, 't.csv');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([2]);
    expect(run.rows.map((r) => r.values.id)).toEqual(['2', '3']);
  });

  it('blank lines, a repeated header and a psql "COPY n" status line are structure', async () => {
    const text = '\nid,symbol\n1,BTC\n\nid,symbol\n2,ETH\nCOPY 2\n';
    const run = await runParser(psqlCsv, text, 't.csv');
    expect(run.unaccounted).toBe(0);
    expect(run.structural).toEqual({ blank: 2, 'csv-header': 1, 'repeated-header': 1, 'psql-status': 1 });
    expect(run.rows.map((r) => r.values.id)).toEqual(['1', '2']);
  });

  it('repeated column names get a suffix', async () => {
    const run = await runParser(psqlCsv, 'id,ID,x\n1,2,3\n', 't.csv');
    expect(run.rows[0].values).toEqual({ id: '1', ID_2: '2', x: '3' });
  });
});

describe('psql-csv sniff does not claim other evidence', () => {
  const others: [string, string][] = [];
  for (const dir of ['docker', 'redis']) for (const f of readdirSync(resolve(REAL, dir))) others.push([`${dir}/${f}`, resolve(REAL, dir, f)]);
  it.each(others)('%s', (_n, path) => {
    const head = headFromText(readFileSync(path, 'utf8'), 'x.csv');
    expect(psqlCsv.claims.sniff(head)).toBeNull();
    expect(pgDump.claims.sniff(head)).toBeNull();
    expect(psqlAligned.claims.sniff(head)).toBeNull();
  });

  it.each([
    ['.env', 'REDIS_HOST=cdb_redis\nPOSTGRES_USER=claire_user\nMAX_EXPOSURE_PCT=0.50\n'],
    ['compose ps', 'NAME      IMAGE     COMMAND   SERVICE   CREATED   STATUS   PORTS\ncdb_core  img  "python"  cdb_core  2 hours ago  Up 2 hours\n'],
    ['python log with commas', '2025-12-22 00:00:01,123 - risk - INFO - ok\n2025-12-22 00:00:02,456 - risk - INFO - ok\n'],
    ['redis raw subscribe', 'subscribe\nsignals\n1\nmessage\nsignals\n{"type": "signal", "symbol": "BTC_USDT"}\n'],
    ['a header over rows of another width', 'a,b,c\n1,2\n3,4\n5,6\n'],
  ])('%s', (_n, text) => {
    expect(psqlCsv.claims.sniff(headFromText(text, 'x.csv'))).toBeNull();
  });
});

/** Real psql 15.18 output of the same three signals: `-A`, `-A -F <tab>`, `--csv`, `\\copy ... DELIMITER ';'`. */
const VARIANTS: Record<string, string> = {
  "unaligned_signals.txt": "id|symbol|signal_type|price|confidence|timestamp|source|metadata\n1|BTC_USDT|buy|91234.50000000|0.3450|2025-11-30 14:02:05+00|momentum_strategy|{}\n2|BTCUSDT|buy|95639.26000000|0.5000|2026-01-16 10:00:18.5+00|momentum_strategy|{\"k\": \"v\\\\tx\"}\n3|ETH_USDT|buy|3000.10000000|0.9000|2025-12-01 00:00:00+00|momentum_strategy|\n(3 rows)\n",
  "unaligned_tab_signals.txt": "id\tsymbol\tsignal_type\tprice\tconfidence\ttimestamp\tsource\tmetadata\n1\tBTC_USDT\tbuy\t91234.50000000\t0.3450\t2025-11-30 14:02:05+00\tmomentum_strategy\t{}\n2\tBTCUSDT\tbuy\t95639.26000000\t0.5000\t2026-01-16 10:00:18.5+00\tmomentum_strategy\t{\"k\": \"v\\\\tx\"}\n3\tETH_USDT\tbuy\t3000.10000000\t0.9000\t2025-12-01 00:00:00+00\tmomentum_strategy\t\n(3 rows)\n",
  "csv_signals.txt": "id,symbol,signal_type,price,confidence,timestamp,source,metadata\n1,BTC_USDT,buy,91234.50000000,0.3450,2025-11-30 14:02:05+00,momentum_strategy,{}\n2,BTCUSDT,buy,95639.26000000,0.5000,2026-01-16 10:00:18.5+00,momentum_strategy,\"{\"\"k\"\": \"\"v\\\\tx\"\"}\"\n3,ETH_USDT,buy,3000.10000000,0.9000,2025-12-01 00:00:00+00,momentum_strategy,\n",
  "semi_signals.csv": "id;symbol;signal_type;price;confidence;timestamp;source;metadata\n1;BTC_USDT;buy;91234.50000000;0.3450;2025-11-30 14:02:05+00;momentum_strategy;{}\n2;BTCUSDT;buy;95639.26000000;0.5000;2026-01-16 10:00:18.5+00;momentum_strategy;\"{\"\"k\"\": \"\"v\\\\tx\"\"}\"\n3;ETH_USDT;buy;3000.10000000;0.9000;2025-12-01 00:00:00+00;momentum_strategy;\n",
};

describe('psql-csv on other psql text exports (real psql 15.18)', () => {
  it.each(Object.keys(VARIANTS))('%s', async (file) => {
    const head = headFromText(VARIANTS[file], 'x.txt');
    expect(psqlCsv.claims.sniff(head)?.confidence).toBe(90);
    expect(psqlAligned.claims.sniff(head)).toBeNull();
    expect(pgDump.claims.sniff(head)).toBeNull();
    const run = await runParser(psqlCsv, VARIANTS[file], 'x.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.table)).toEqual(['src:signals', 'src:signals', 'src:signals']);
    expect(run.rows.map((r) => [r.values.id, r.values.timestamp, r.values.metadata])).toEqual([
      ['1', '2025-11-30 14:02:05+00', '{}'],
      ['2', '2026-01-16 10:00:18.5+00', '{"k": "v\\\\tx"}'],
      ['3', '2025-12-01 00:00:00+00', null],
    ]);
  });

  it('unaligned output quotes nothing: a leading quote is data', async () => {
    const run = await runParser(psqlCsv, 'id|note\n1|"quoted" text\n2|\n(2 rows)\n', 'x.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => r.values)).toEqual([
      { id: '1', note: '"quoted" text' },
      { id: '2', note: null },
    ]);
    expect(run.structural['psql-footer']).toBe(1);
  });
});

describe('psql-csv: an aggregate export is a query result', () => {
  it('orders counted per day and status go to query_orders, with a note saying how they were read', async () => {
    const lines = ['day,status,approved,count'];
    for (let d = 20; d < 25; d++) lines.push(`2025-12-${d},filled,t,12`, `2025-12-${d},pending,f,3`, `2025-12-${d},rejected,f,1`);
    const text = lines.join('\n') + '\n';
    const sniffed = psqlCsv.claims.sniff(headFromText(text, 'orders_per_day.csv'));
    expect(sniffed?.reason).toMatch(/aggregate query result \(count per day, status, approved/);
    const run = await runParser(psqlCsv, text, 'orders_per_day.csv');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.length).toBe(15);
    expect(new Set(run.rows.map((r) => r.table))).toEqual(new Set(['src:query_orders']));
    expect(run.notes.join('\n')).toMatch(/not rows of orders: stored as query result query_orders/);
  });
});

/** A small seeded generator, so each hostile case is the same on every run. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Cells a hostile export may hold: quotes, embedded newlines and delimiters, NUL, BOM, CR, secrets, bad numbers. */
const HOSTILE_CELLS = [
  '', '', 'abc', '12.5', 'NaN', '1e999', '-0', ' x ', '"q"', '"a,b"', '"a;b"', '"line1\nline2"', '"he said ""hi"""', '""', '"open',
  'a"b', 'x"', '\0', '\uFEFFid', 'tail\r', 'x;y', 'x|y', 'x\ty', '\\N', 'password=hunter2', 'postgres://u:pw@db/x', 'mx0abcdefghijklmnop',
  '(1 row)', 'COPY 3', '日本語',
];

/** A generated export: a header in one dialect, then rows (ragged, blank, repeated header, psql footer) of hostile cells. */
function hostileCsv(seed: number): string {
  const r = prng(seed);
  const d = [',', ';', '|', '\t'][r(4)];
  const cols = ['id', 'symbol', 'price', 'note', 'meta'].slice(0, 2 + r(4));
  const header = cols.join(d);
  const lines = [(r(5) === 0 ? '\uFEFF' : '') + header];
  for (let i = 0, n = 5 + r(25); i < n; i++) {
    const k = r(12);
    if (k === 0) lines.push('');
    else if (k === 1) lines.push(header);
    else if (k === 2) lines.push(['(3 rows)', 'COPY 3', ' '][r(3)]);
    else {
      const width = k === 3 ? cols.length + r(3) - 1 : cols.length;
      const cells = Array.from({ length: width }, () => (r(3) === 0 ? HOSTILE_CELLS[r(HOSTILE_CELLS.length)] : `v${r(100)}`));
      lines.push(cells.join(d));
    }
  }
  return lines.join(r(4) === 0 ? '\r\n' : '\n') + (r(2) ? '\n' : '');
}

describe('psql-csv: the quote-free fast path gives what the assembler gives', () => {
  const hand: [string, string][] = [
    ['plain rows', 'id,name,price\n1,a,2.5\n2,,\n3,"",""\n'],
    ['a quoted record spanning lines, then plain rows', 'id,note\n1,"two\nlines"\n2,x\n3,"a ""q"" b"\n4,y\n'],
    ['a stray quote refused, the lines after it read again', 'id,note\n1,"open\n2,x\n3,y\n'],
    ['ragged rows', 'id,a,b\n1,2\n1,2,3,4\n5,6,7\n'],
    ['header repeated, blank line, footer', 'id,a\n1,2\n\nid,a\n3,4\n(2 rows)\n'],
    ['unaligned | with quotes as data', 'id|note\n1|"x"\n2|a"b\n'],
    ['NUL and BOM inside fields', 'id,note\n1,a\u0000b\n2,\uFEFFc\n'],
    ['secrets in fields', 'id,dsn,note\n1,postgres://u:secretpw@db/x,password=hunter2\n'],
    ['one column only', 'id\n1\n2\n'],
  ];
  const generated: [string, string][] = Array.from({ length: 120 }, (_, i) => [`generated #${i}`, hostileCsv(i + 1)]);
  it.each([...hand, ...generated])('%s', async (_name, text) => {
    const fast = await runParser(psqlCsv, text, 'export.csv');
    const slow = await runParser(assemblerOnly, text, 'export.csv');
    expect(fast).toEqual(slow);
  });

  it('the generated cases reach every outcome: records, quarantine and structural lines', async () => {
    const runs = await Promise.all(Array.from({ length: 120 }, (_, i) => runParser(psqlCsv, hostileCsv(i + 1), 'export.csv')));
    expect(runs.some((r) => r.rows.some((row) => row.lines > 1))).toBe(true);
    expect(runs.some((r) => r.quarantined.some((q) => /fields, expected/.test(q.reason)))).toBe(true);
    expect(runs.some((r) => r.quarantined.some((q) => /stray quote/.test(q.reason)))).toBe(true);
    expect(runs.some((r) => (r.structural['repeated-header'] ?? 0) > 0 && (r.structural['psql-footer'] ?? 0) > 0)).toBe(true);
    expect(runs.every((r) => r.unaccounted === 0)).toBe(true);
  });
});

/** Pieces joined as src/ingest/split.ts joins a dumped table's (nothing carried across a cut), or why they cannot be. */
function joinRuns(pieces: PieceRun[]): Omit<ParserRun, 'unaccounted' | 'lines'> | string {
  const out = { rows: [] as ParserRun['rows'], structural: {} as Record<string, number>, quarantined: [] as ParserRun['quarantined'], notes: [] as string[] };
  let offset = 0;
  let records = 0;
  for (const [k, p] of pieces.entries()) {
    if (p.error !== undefined) return `piece ${k}: ${p.error}`;
    if (p.end === null) return `piece ${k} not ended`;
    if (k < pieces.length - 1 && !p.end.fresh) return `piece ${k} ends inside a quoted field`;
    if (k > 0 && p.end.assumed !== pieces[k - 1].end!.state) return `piece ${k} assumed another header`;
    out.rows.push(...p.rows.map((r) => ({ ...r, line: r.line + offset })));
    for (const [c, n] of Object.entries(p.structural)) out.structural[c] = (out.structural[c] ?? 0) + n;
    out.quarantined.push(...p.quarantined.map((q) => ({ ...q, lineNo: q.lineNo + offset })));
    out.notes.push(...p.notes);
    records += p.end.tallies.records ?? 0;
    offset += p.lines;
  }
  out.notes.push(...psqlCsv.split!.notes({ records }, pieces[pieces.length - 1].end!.state));
  out.notes = [...new Set(out.notes)];
  return out;
}

/** The whole read's records that run across the line end after line `cut` (1-based). */
const spansCut = (run: ParserRun, cut: number): boolean => run.rows.some((r) => r.line <= cut && cut < r.line + r.lines - 1);

const BOUNDARY_CASES: [string, string][] = [
  ['quoted newlines on every other record', 'id,note,price\n1,"a\nb",2\n2,x,3\n3,"c\n\nd",4\n4,"e,f",5\n5,"say ""hi""\nthere",6\n6,y,7\n'],
  ['a record of quoted newlines only', 'id,note\n1,"\n\n\n"\n2,"\n"\n3,z\n'],
  ['CRLF, with a CRLF inside quotes', 'id,note,x\r\n1,"a\r\nb",\r\n2,,""\r\n3,"",c\r\n'],
  ['empty fields and empty strings', 'id,a,b,c\n1,,,\n2,"","",""\n3,,"",\n'],
  ['a BOM before the header', '\uFEFFid,symbol,price\n1,BTC,2\n2,"ETH\nUSD",3\n3,SOL,4\n'],
  ['a truncated last line inside quotes', 'id,note\n1,a\n2,"b\nc"\n3,"never closed\n4,d'],
  ['a truncated last line without a newline', 'id,note\n1,a\n2,"b\nc"\n3,d'],
  // A refused record of several lines after a cut: that piece is refused (its reasons cite line numbers).
  ['bad lines quarantined between good ones', 'id,a,b\n1,2\n1,2,3\n"x\ny",1,2,3\n4,5,6\n7,"8\n9"\n10,11,12\n13,"1\n4",15\n'],
  ['blank lines before the header', '\n\nid,a\n1,2\n3,"4\n5"\n6,7\n'],
  ['header repeated, footer, status line', 'id,a\n1,"x\ny"\nid,a\n2,z\n(2 rows)\nCOPY 2\n'],
  ['header only', 'id,a\n\n\n'],
  ['a stray quote whose refusal runs past the cut', 'id,a\n1,"open\n2,b\n3,c\n4,d\n'],
];

/** The text cut after the given lines (1-based, ascending), each piece parsed on its own. */
async function piecesAt(text: string, cuts: number[]): Promise<PieceRun[]> {
  const bounds = [0, ...cuts, splitLines(text).length];
  return Promise.all(bounds.slice(1).map((to, i) => runPiece(psqlCsv, text, bounds[i], to, 'trades.csv')));
}

describe('psql-csv read in pieces: joined at a cut, or refused there, never different from a whole read', () => {
  const generated: [string, string][] = Array.from({ length: 60 }, (_, i) => [`generated #${i}`, hostileCsv(1000 + i)]);
  const byLine = (j: Omit<ParserRun, 'unaccounted' | 'lines'>) => ({ ...j, quarantined: [...j.quarantined].sort((a, b) => a.lineNo - b.lineNo) });
  it.each([...BOUNDARY_CASES, ...generated])('%s', async (_name, text) => {
    const whole = await runParser(psqlCsv, text, 'trades.csv');
    const expected = byLine({ rows: whole.rows, structural: whole.structural, quarantined: whole.quarantined, notes: [...new Set(whole.notes)] });
    const n = splitLines(text).length;
    let joinedCuts = 0;
    // Every cut into two pieces, and into three with two lines between the cuts.
    for (const cuts of [...Array.from({ length: n - 1 }, (_, c) => [c + 1]), ...Array.from({ length: Math.max(0, n - 3) }, (_, c) => [c + 1, c + 3])]) {
      const joined = joinRuns(await piecesAt(text, cuts));
      if (cuts.some((c) => spansCut(whole, c))) expect(joined, `cut after lines ${cuts} inside a record`).toBeTypeOf('string');
      if (typeof joined === 'string') continue;
      joinedCuts++;
      expect(byLine(joined), `cut after lines ${cuts}`).toEqual(expected);
    }
    // Not vacuous: a cut between plain records after the header joins.
    if (whole.rows.length > 1) expect(joinedCuts).toBeGreaterThan(0);
  });
});
