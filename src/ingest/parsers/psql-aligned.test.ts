import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import pgDump from './pg-dump.js';
import psqlAligned from './psql-aligned.js';
import psqlCsv from './psql-csv.js';

/**
 * Real psql 15.18 output (psql -X against a PostgreSQL 15.18 server; tables `signals` as in
 * the real schema and `notes` with hostile values), kept verbatim: trailing blanks matter.
 */
const PSQL: Record<string, string> = {
  "aligned_signals.txt": " id |  symbol  | signal_type |     price      | confidence |        timestamp         |      source       |    metadata    \n----+----------+-------------+----------------+------------+--------------------------+-------------------+----------------\n  1 | BTC_USDT | buy         | 91234.50000000 |     0.3450 | 2025-11-30 14:02:05+00   | momentum_strategy | {}\n  2 | BTCUSDT  | buy         | 95639.26000000 |     0.5000 | 2026-01-16 10:00:18.5+00 | momentum_strategy | {\"k\": \"v\\\\tx\"}\n  3 | ETH_USDT | buy         |  3000.10000000 |     0.9000 | 2025-12-01 00:00:00+00   | momentum_strategy | \n(3 rows)\n\n",
  "aligned_notes.txt": " id |         note          | flag | amount |      tags      |      Mixed Case      \n----+-----------------------+------+--------+----------------+----------------------\n  1 | tab     here          | t    |   1.50 | {a,b}          | x\n  2 | line one             +| f    |        |                | \n    | line two              |      |        |                | \n  3 | back\\slash and \\N     |      |  -2.00 | {\"with space\"} | \n  4 |                       | t    |   0.00 | {}             | pipe | inside\n  5 |                       | f    |   3.00 |                | it's \"quoted\", comma\n  6 | cr\\rand unicode äöü € | t    |   4.00 |                | trailing newline    +\n    |                       |      |        |                | \n(6 rows)\n\n",
  "aligned_notes_b2.txt": "+----+-----------------------+------+--------+----------------+----------------------+\n| id |         note          | flag | amount |      tags      |      Mixed Case      |\n+----+-----------------------+------+--------+----------------+----------------------+\n|  1 | tab     here          | t    |   1.50 | {a,b}          | x                    |\n|  2 | line one             +| f    |        |                |                      |\n|    | line two              |      |        |                |                      |\n|  3 | back\\slash and \\N     |      |  -2.00 | {\"with space\"} |                      |\n|  4 |                       | t    |   0.00 | {}             | pipe | inside        |\n|  5 |                       | f    |   3.00 |                | it's \"quoted\", comma |\n|  6 | cr\\rand unicode äöü € | t    |   4.00 |                | trailing newline    +|\n|    |                       |      |        |                |                      |\n+----+-----------------------+------+--------+----------------+----------------------+\n(6 rows)\n\n",
  "aligned_notes_uni.txt": " id │         note          │ flag │ amount │      tags      │      Mixed Case      \n────┼───────────────────────┼──────┼────────┼────────────────┼──────────────────────\n  1 │ tab     here          │ t    │   1.50 │ {a,b}          │ x\n  2 │ line one             ↵│ f    │        │                │ \n    │ line two              │      │        │                │ \n  3 │ back\\slash and \\N     │      │  -2.00 │ {\"with space\"} │ \n  4 │                       │ t    │   0.00 │ {}             │ pipe | inside\n  5 │                       │ f    │   3.00 │                │ it's \"quoted\", comma\n  6 │ cr\\rand unicode äöü € │ t    │   4.00 │                │ trailing newline    ↵\n    │                       │      │        │                │ \n(6 rows)\n\n",
  "wrapped_notes.txt": " id |         note          |     Mixed Case      \n----+-----------------------+---------------------\n  1 | tab     here          | x\n  2 | line one             +| \n    | line two              | \n  3 | back\\slash and \\N     | \n  4 |                       | pipe | inside\n  5 |                       | it's \"quoted\", comm.\n    |                       |.a\n  6 | cr\\rand unicode äöü € | trailing newline   +\n    |                       | \n(6 rows)\n\n",
  "x_notes.txt": "-[ RECORD 1 ]---------------------\nid         | 1\nnote       | tab     here\nflag       | t\namount     | 1.50\ntags       | {a,b}\nMixed Case | x\n-[ RECORD 2 ]---------------------\nid         | 2\nnote       | line one             +\n           | line two\nflag       | f\namount     | \ntags       | \nMixed Case | \n-[ RECORD 3 ]---------------------\nid         | 3\nnote       | back\\slash and \\N\nflag       | \namount     | -2.00\ntags       | {\"with space\"}\nMixed Case | \n-[ RECORD 4 ]---------------------\nid         | 4\nnote       | \nflag       | t\namount     | 0.00\ntags       | {}\nMixed Case | pipe | inside\n-[ RECORD 5 ]---------------------\nid         | 5\nnote       | \nflag       | f\namount     | 3.00\ntags       | \nMixed Case | it's \"quoted\", comma\n-[ RECORD 6 ]---------------------\nid         | 6\nnote       | cr\\rand unicode äöü €\nflag       | t\namount     | 4.00\ntags       | \nMixed Case | trailing newline     +\n           | \n\n",
  "x_notes_b2.txt": "+-[ RECORD 1 ]-------------------+\n| id         | 2                 |\n| note       | line one         +|\n|            | line two          |\n| flag       | f                 |\n| amount     |                   |\n| tags       |                   |\n| Mixed Case |                   |\n+-[ RECORD 2 ]-------------------+\n| id         | 3                 |\n| note       | back\\slash and \\N |\n| flag       |                   |\n| amount     | -2.00             |\n| tags       | {\"with space\"}    |\n| Mixed Case |                   |\n+------------+-------------------+\n\n",
  "x_wide.txt": "-[ RECORD 1 ]\nid | 1\ns  | 日本語\n-[ RECORD 2 ]\nid | 2\ns  | 📊 chart\n-[ RECORD 3 ]\nid | 3\ns  | café\n-[ RECORD 4 ]\nid | 4\ns  | plain\n\n",
  "aligned_wide_mid.txt": "   name   | id |    s     \n----------+----+----------\n 日本語   |  1 | 日本語\n 📊 chart |  2 | 📊 chart\n café     |  3 | café\n plain    |  4 | plain\n(4 rows)\n\n",
  "echo_signals.txt": "SELECT id, symbol, signal_type, price, confidence FROM signals ORDER BY id\n id |  symbol  | signal_type |     price      | confidence \n----+----------+-------------+----------------+------------\n  1 | BTC_USDT | buy         | 91234.50000000 |     0.3450\n  2 | BTCUSDT  | buy         | 95639.26000000 |     0.5000\n  3 | ETH_USDT | buy         |  3000.10000000 |     0.9000\n(3 rows)\n\n",
  "dup.txt": " a | a \n---+---\n 1 | 2\n(1 row)\n\n",
  "count.txt": " count \n-------\n     6\n(1 row)\n\n",
};

const NOTES_ROWS = [
  { id: '1', note: 'tab     here', flag: 't', amount: '1.50', tags: '{a,b}', 'Mixed Case': 'x' },
  { id: '2', note: 'line one\nline two', flag: 'f', amount: null, tags: null, 'Mixed Case': null },
  { id: '3', note: 'back\\slash and \\N', flag: null, amount: '-2.00', tags: '{"with space"}', 'Mixed Case': null },
  { id: '4', note: null, flag: 't', amount: '0.00', tags: '{}', 'Mixed Case': 'pipe | inside' },
  { id: '5', note: null, flag: 'f', amount: '3.00', tags: null, 'Mixed Case': 'it\'s "quoted", comma' },
  { id: '6', note: 'cr\\rand unicode äöü €', flag: 't', amount: '4.00', tags: null, 'Mixed Case': 'trailing newline\n' },
];

describe('psql-aligned on real psql 15.18 output', () => {
  it.each([
    ['aligned_notes.txt', 'border 1'],
    ['aligned_notes_b2.txt', 'border 2'],
    ['aligned_notes_uni.txt', 'unicode line style'],
    ['x_notes.txt', 'expanded (\\x)'],
  ])('%s (%s): every cell, multi-line values joined, NULL as empty', async (file) => {
    const run = await runParser(psqlAligned, PSQL[file], 'notes.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.values)).toEqual(NOTES_ROWS);
    expect(new Set(run.rows.map((r) => r.table))).toEqual(new Set(['src:notes']));
  });

  it('gives a multi-line cell its physical lines', async () => {
    const run = await runParser(psqlAligned, PSQL['aligned_notes.txt'], 'notes.txt');
    expect(run.rows.map((r) => [r.values.id, r.line, r.lines])).toEqual([
      ['1', 3, 1],
      ['2', 4, 2],
      ['3', 6, 1],
      ['4', 7, 1],
      ['5', 8, 1],
      ['6', 9, 2],
    ]);
    expect(run.structural).toEqual({ header: 1, rule: 1, footer: 1, blank: 1 });
    expect(run.notes.some((n) => n.includes('NULL'))).toBe(true);
  });

  it('border 2 expanded output', async () => {
    const run = await runParser(psqlAligned, PSQL['x_notes_b2.txt'], 'notes.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.values)).toEqual([NOTES_ROWS[1], NOTES_ROWS[2]]);
    expect(run.rows.map((r) => [r.line, r.lines])).toEqual([
      [2, 7],
      [10, 6],
    ]);
  });

  it('wrapped format joins wrapped pieces without a line break', async () => {
    const run = await runParser(psqlAligned, PSQL['wrapped_notes.txt'], 'notes.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.values['Mixed Case'])).toEqual(NOTES_ROWS.map((r) => r['Mixed Case']));
    expect(run.rows.map((r) => r.values.note)).toEqual(NOTES_ROWS.map((r) => r.note));
  });

  it.each([
    ['aligned_wide_mid.txt', { name: '日本語', id: '1', s: '日本語' }],
    ['x_wide.txt', { id: '1', s: '日本語' }],
  ])('%s: wide characters are cut by display width', async (file, first) => {
    const run = await runParser(psqlAligned, PSQL[file], 'wide.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows[0].values).toEqual(first);
    expect(run.rows.map((r) => r.values.id)).toEqual(['1', '2', '3', '4']);
    expect(run.rows[2].values.s).toBe('cafe\u0301');
    expect(run.rows[1].values.s).toBe('📊 chart');
  });

  it('the real signals table is named by its columns even in a file called x.txt', async () => {
    const run = await runParser(psqlAligned, PSQL['aligned_signals.txt'], 'x.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => r.table)).toEqual(['src:signals', 'src:signals', 'src:signals']);
    expect(run.rows[1].values).toEqual({
      id: '2',
      symbol: 'BTCUSDT',
      signal_type: 'buy',
      price: '95639.26000000',
      confidence: '0.5000',
      timestamp: '2026-01-16 10:00:18.5+00',
      source: 'momentum_strategy',
      metadata: '{"k": "v\\\\tx"}',
    });
  });

  it('the echoed query names the table; the footer count is checked', async () => {
    const run = await runParser(psqlAligned, PSQL['echo_signals.txt'], 'notes.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.structural.query).toBe(1);
    expect(run.rows.length).toBe(3);
    expect(run.rows[0].table).toBe('src:signals');
    const cut = PSQL['echo_signals.txt'].replace(/^ {2}3 \|.*\n/m, '');
    const r2 = await runParser(psqlAligned, cut, 'notes.txt');
    expect(r2.notes.some((n) => /footer says 3 row\(s\), 2 were read/.test(n))).toBe(true);
  });

  it.each([
    ['dup.txt', { a: '1', a_2: '2' }],
    ['count.txt', { count: '6' }],
  ])('%s', async (file, values) => {
    const run = await runParser(psqlAligned, PSQL[file], 'q.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.values)).toEqual([values]);
  });
});

describe('psql-aligned in notes', () => {
  it('several tables with prompts and prose: prompts name tables, prose is quarantined', async () => {
    const text = [
      'Checked the DB at 10:00:',
      '',
      'claire_de_binare=# SELECT signal_type, confidence, timestamp',
      'claire_de_binare-# FROM trading_signals LIMIT 2;',
      ' signal_type | confidence |      timestamp       ',
      '-------------+------------+----------------------',
      ' BUY         |       0.82 | 2025-11-29T12:35:10Z',
      ' BUY         |       0.41 | 2025-11-29T12:36:10Z',
      '(2 rows)',
      '',
      'claire_de_binare=# SELECT * FROM risk_events;',
      ' signal_id | approved |                reason                 |      timestamp       ',
      '-----------+----------+---------------------------------------+----------------------',
      ' sig_123   | f        | Daily Drawdown exceeded (5.2% > 5.0%) | 2025-11-29T12:35:10Z',
      '(1 row)',
      '',
      'Time: 0.412 ms',
    ].join('\n');
    const run = await runParser(psqlAligned, `${text}\n`, 'notes.md');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([1]);
    expect(run.rows.map((r) => r.table)).toEqual(['src:trading_signals', 'src:trading_signals', 'src:risk_events']);
    expect(run.rows[2].values).toEqual({
      signal_id: 'sig_123',
      approved: 'f',
      reason: 'Daily Drawdown exceeded (5.2% > 5.0%)',
      timestamp: '2025-11-29T12:35:10Z',
    });
    expect(run.structural['psql-prompt']).toBe(3);
    expect(run.structural['psql-message']).toBe(1);
  });

  it('an ellipsis or arrow in an ASCII table is data', async () => {
    const run = await runParser(psqlAligned, ' id | msg\n----+------------\n  1 | Truncated…\n  2 | a ↵ b\n(2 rows)\n', 'x.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => r.values.msg)).toEqual(['Truncated…', 'a ↵ b']);
  });

  it('Markdown fences and a dashed heading are not tables', async () => {
    const text = ['Summary', '-------', '```', ' id | symbol', '----+--------', '  1 | BTCUSDT', '(1 row)', '```'].join('\n');
    const run = await runParser(psqlAligned, `${text}\n`, 'notes.md');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([1, 2]);
    expect(run.rows.map((r) => r.values)).toEqual([{ id: '1', symbol: 'BTCUSDT' }]);
    expect(run.structural['psql-message']).toBe(2);
  });

  it('a table cut off without footer ends at the first line that does not fit', async () => {
    const text = ' id | decision | reason_code | timestamp_ms\n----+----------+-------------+---------------\n  1 | BLOCK    | RC_010      | 1769700000000\nsomething else\n';
    const run = await runParser(psqlAligned, text, 'fork.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.table, r.values.decision])).toEqual([['src:risk_events', 'BLOCK']]);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([4]);
  });
});

describe('psql-aligned sniff', () => {
  it.each(Object.keys(PSQL))('claims %s', (file) => {
    const head = headFromText(PSQL[file], 'x.txt');
    const s = psqlAligned.claims.sniff(head);
    if (file === 'count.txt') expect(s).toBeNull(); // one column: no `+` in the rule, nothing to tell it from prose
    else expect(s?.confidence).toBeGreaterThanOrEqual(75);
    expect(psqlCsv.claims.sniff(head)).toBeNull();
    expect(pgDump.claims.sniff(head)).toBeNull();
  });

  it.each([
    ['markdown table', '| Metric | Value |\n|---|---|\n| Signals | 0 |\n'],
    ['compose ps', 'NAME             IMAGE     SERVICE   STATUS\ncdb_core         img       cdb_core  Up 4 hours (healthy)\n'],
    ['a dashed underline', 'Title\n-----\ntext\n'],
  ])('does not claim %s', (_n, text) => {
    expect(psqlAligned.claims.sniff(headFromText(text, 'x.txt'))).toBeNull();
  });
});

describe('query results are not taken for table rows', () => {
  const out = (query: string) =>
    [`claire_de_binare=# ${query}`, ' status  | count ', '---------+-------', ' filled  |     4', ' pending |     4', '(2 rows)', ''].join('\n');
  it.each([
    ['SELECT status, COUNT(*) FROM orders GROUP BY 1 ORDER BY 1;', 'src:query_orders'],
    ['SELECT MAX(created_at) FROM orders;', 'src:query_orders'],
    ['SELECT status, symbol FROM orders;', 'src:orders'],
  ])('%s → %s', async (query, table) => {
    const run = await runParser(psqlAligned, out(query), 'orders_by_status.txt');
    expect(run.unaccounted).toBe(0);
    expect(new Set(run.rows.map((r) => r.table))).toEqual(new Set([table]));
  });
});
