import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headFromText, runParser, type ParserRun } from '../testing.js';
import pgDump, { feedOnly } from './pg-dump.js';
import psqlCsv from './psql-csv.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real-tools/postgres');
const read = (f: string): string => readFileSync(resolve(FIX, f), 'utf8');

function byTable(run: ParserRun): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of run.rows) m.set(r.table, (m.get(r.table) ?? 0) + 1);
  return m;
}

/** Rows per table counted straight from the text: lines between `COPY public.<t> ` and `\.`. */
function copyCounts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  let table: string | null = null;
  for (const l of text.split('\n')) {
    if (table) {
      if (l === '\\.') table = null;
      else m.set(table, (m.get(table) ?? 0) + 1);
    } else if (l.startsWith('COPY public.')) {
      table = `src:${l.slice('COPY public.'.length).split(' ')[0]}`;
      m.set(table, m.get(table) ?? 0);
    }
  }
  return m;
}

function insertCounts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of text.split('\n')) {
    if (!l.startsWith('INSERT INTO public.')) continue;
    const t = `src:${l.slice('INSERT INTO public.'.length).split(' ')[0]}`;
    m.set(t, (m.get(t) ?? 0) + 1);
  }
  return m;
}

function expectAccounted(run: ParserRun): void {
  expect(run.unaccounted).toBe(0);
}

describe('pg-dump on the real pg_dump 15.18 fixtures', () => {
  it.each([
    ['pg_dump_data_only.sql', copyCounts],
    ['pg_dump_column_inserts.sql', insertCounts],
  ])('%s: rows per table equal an independent count, nothing quarantined', async (file, count) => {
    const text = read(file);
    const run = await runParser(pgDump, text, file);
    expectAccounted(run);
    expect(run.quarantined).toEqual([]);
    const expected = count(text);
    // Empty tables (positions) have no rows to compare.
    for (const [t, n] of expected) if (n === 0) expected.delete(t);
    expect(byTable(run)).toEqual(expected);
    expect(expected.get('src:signals')).toBe(30);
    expect(expected.get('src:orders')).toBe(60);
    expect(run.structural['psql-meta']).toBe(2); // \restrict and \unrestrict
  });

  it('COPY, --column-inserts and psql CSV give the same value maps for the same id', async () => {
    const copy = await runParser(pgDump, read('pg_dump_data_only.sql'), 'a.sql');
    const ins = await runParser(pgDump, read('pg_dump_column_inserts.sql'), 'b.sql');
    for (const table of ['signals', 'orders', 'trades', 'portfolio_snapshots']) {
      const csv = await runParser(psqlCsv, read(`${table}.csv`), `${table}.csv`);
      expectAccounted(csv);
      const key = (rows: ParserRun['rows']): Map<unknown, unknown> =>
        new Map(rows.filter((r) => r.table === `src:${table}`).map((r) => [r.values.id, r.values]));
      const a = key(copy.rows);
      const b = key(ins.rows);
      const c = key(csv.rows);
      expect(a.size).toBeGreaterThan(0);
      expect(b).toEqual(a);
      expect(c).toEqual(a);
    }
    const order84 = copy.rows.find((r) => r.table === 'src:orders' && r.values.id === '84')!;
    expect(order84.values).toMatchObject({ approved: 't', metadata: null, signal_id: null, status: 'filled', price: '82.92935429' });
    const snap = copy.rows.find((r) => r.table === 'src:portfolio_snapshots')!;
    expect(snap.values.metadata).toBe('{"risk_profile": "conservative", "deployment_mode": "paper"}');
    expect(snap.values.timestamp).toBe('2025-12-21 18:01:51+00');
  });

  it('gives each row its own line number', async () => {
    const text = read('pg_dump_data_only.sql');
    const run = await runParser(pgDump, text, 'x.sql');
    const lines = text.split('\n');
    for (const r of run.rows) {
      expect(r.lines).toBe(1);
      expect(lines[r.line - 1].split('\t')[0]).toBe(r.values[Object.keys(r.values)[0]]);
    }
  });
});

const HEAD = `--
-- PostgreSQL database dump
--

\\restrict abc

SET standard_conforming_strings = on;
`;

describe('pg-dump on hand-made dumps', () => {
  it.each([
    [
      'backslash escapes and \\N in COPY',
      `COPY public.t (id, a, b) FROM stdin;\n1\tx\\ty\\nz\t\\N\n2\tback\\\\slash\t\n3\t\\\\N\toct\\101\\x42\\u\n\\.\n`,
      [
        { id: '1', a: 'x\ty\nz', b: null },
        { id: '2', a: 'back\\slash', b: '' },
        { id: '3', a: '\\N', b: 'octABu' },
      ],
    ],
    [
      "'' and NULL and E'' in INSERT",
      `INSERT INTO public.t (id, a, b) VALUES (1, 'it''s', NULL);\nINSERT INTO t (id, a, b) VALUES (2, E'tab\\there', '');\n`,
      [
        { id: '1', a: "it's", b: null },
        { id: '2', a: 'tab\there', b: '' },
      ],
    ],
    [
      'casts, negative numbers, booleans, OVERRIDING',
      `INSERT INTO ONLY "public"."T" (id, j, n, ok) OVERRIDING SYSTEM VALUE VALUES (1, '{"a": 1}'::jsonb, -2.50, true);\nINSERT INTO public.t (id, j, n, ok) VALUES (2, NULL::jsonb, 1e3, false) ON CONFLICT DO NOTHING;\n`,
      [
        { id: '1', j: '{"a": 1}', n: '-2.50', ok: 't' },
        { id: '2', j: null, n: '1e3', ok: 'f' },
      ],
    ],
    [
      'a quoted newline in INSERT spans two lines',
      `INSERT INTO public.t (id, note) VALUES (1, 'first\nsecond');\nINSERT INTO public.t (id, note) VALUES (2, 'x');\n`,
      [
        { id: '1', note: 'first\nsecond' },
        { id: '2', note: 'x' },
      ],
    ],
    [
      'multi-row INSERT (--rows-per-insert)',
      `INSERT INTO public.t (id, v) VALUES\n\t(1, 'a'),\n\t(2, 'b;c'),\n\t(3, NULL);\n`,
      [
        { id: '1', v: 'a' },
        { id: '2', v: 'b;c' },
        { id: '3', v: null },
      ],
    ],
    [
      'INSERT without a column list takes the columns of CREATE TABLE',
      `CREATE TABLE public.t (\n    id integer NOT NULL,\n    "timestamp" timestamp with time zone DEFAULT now(),\n    note text,\n    CONSTRAINT t_pk PRIMARY KEY (id)\n);\n\nINSERT INTO public.t VALUES (7, '2025-12-22 00:36:27+00', 'n');\n`,
      [{ id: '7', timestamp: '2025-12-22 00:36:27+00', note: 'n' }],
    ],
    [
      'COPY without a column list takes the columns of CREATE TABLE and ALTER TABLE ADD COLUMN',
      `CREATE TABLE t (id int, a text);\nALTER TABLE ONLY t ADD COLUMN b text;\nCOPY t FROM stdin;\n1\tx\ty\n\\.\n`,
      [{ id: '1', a: 'x', b: 'y' }],
    ],
    [
      'COPY ... WITH CSV HEADER inside a dump',
      `COPY public.t (id, v) FROM stdin WITH (FORMAT csv, HEADER true);\nid,v\n1,"two\nlines"\n2,\n3,""\n\\.\n`,
      [
        { id: '1', v: 'two\nlines' },
        { id: '2', v: null },
        { id: '3', v: '' },
      ],
    ],
    [
      'standard_conforming_strings off makes backslashes escapes',
      `SET standard_conforming_strings = off;\nINSERT INTO t (id, v) VALUES (1, 'a\\\\b\\'c');\n`,
      [{ id: '1', v: "a\\b'c" }],
    ],
  ])('%s', async (_name, body, expected) => {
    const run = await runParser(pgDump, HEAD + body, 'dump.sql');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.values)).toEqual(expected);
    expect(new Set(run.rows.map((r) => r.table))).toEqual(new Set(['src:t']));
  });

  it('counts the lines of a multi-line INSERT on its row', async () => {
    const run = await runParser(pgDump, `INSERT INTO t (id, note) VALUES (1, 'a\nb\nc');\nINSERT INTO t (id, note) VALUES\n\t(2, 'x'),\n\t(3, 'y');\n`);
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.line, r.lines])).toEqual([
      [1, 3],
      [5, 1],
      [6, 1],
    ]);
    expect(run.structural['insert-syntax']).toBe(1); // the `INSERT INTO t (id, note) VALUES` line
  });

  it('two tuples on one line: the second row carries lines 0', async () => {
    const run = await runParser(pgDump, `INSERT INTO t (id) VALUES (1), (2);\n`);
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.values.id, r.line, r.lines])).toEqual([
      ['1', 1, 1],
      ['2', 1, 0],
    ]);
  });

  it('quarantines a malformed COPY line with its line number and reads on', async () => {
    const text = `${HEAD}COPY public.signals (id, symbol, price) FROM stdin;\n1\tBTC_USDT\t1.0\n2\tBTC_USDT\n3\tETH_USDT\t2.0\tEXTRA\n4\tETH_USDT\t3.0\n\\.\nCOPY public.orders (id) FROM stdin;\n9\n\\.\n`;
    const run = await runParser(pgDump, text, 'd.sql');
    expect(run.unaccounted).toBe(0);
    const headLines = HEAD.split('\n').length - 1;
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([headLines + 3, headLines + 4]);
    expect(run.quarantined[0].reason).toMatch(/2 field\(s\), expected 3/);
    expect(run.quarantined[1].reason).toMatch(/4 field\(s\), expected 3/);
    expect(run.rows.map((r) => `${r.table}:${r.values.id}`)).toEqual(['src:signals:1', 'src:signals:4', 'src:orders:9']);
  });

  it('names columns c1..cN when the dump gives no column list and no CREATE TABLE', async () => {
    const run = await runParser(pgDump, `INSERT INTO public.x VALUES (1, 'a');\nCOPY y FROM stdin;\n5\t6\t7\n\\.\n`);
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.table, r.values])).toEqual([
      ['src:x', { c1: '1', c2: 'a' }],
      ['src:y', { c1: '5', c2: '6', c3: '7' }],
    ]);
    expect(run.notes.some((n) => n.includes('table x') && n.includes('c1..cN'))).toBe(true);
  });

  it.each([
    ['garbage between statements', `SET a = 1;\nhello world\nINSERT INTO t (id) VALUES (1);\n`, [2], ['1']],
    ['a statement that lost its ;', `INSERT INTO t (id) VALUES (1)\nINSERT INTO t (id) VALUES (2);\n`, [1], ['2']],
    ['an INSERT with too few values', `INSERT INTO t (id, v) VALUES (1);\nINSERT INTO t (id, v) VALUES (2, 'b');\n`, [1], ['2']],
    ['an unterminated string at the end', `INSERT INTO t (id) VALUES (1);\nINSERT INTO t (id) VALUES ('x);\nmore\n`, [2, 3], ['1']],
    ['INSERT ... SELECT', `INSERT INTO t (id) SELECT 1;\nINSERT INTO t (id) VALUES (3);\n`, [1], ['3']],
    ['an INSERT head without tuples after a good one', `INSERT INTO t (id) VALUES (1);\nINSERT INTO t (id) VALUES;\nINSERT INTO t (id) VALUES (2);\n`, [2], ['1', '2']],
    ['an INSERT with a stray token after the tuples', `INSERT INTO t (id) VALUES (1) garbage;\nINSERT INTO t (id) VALUES (2);\n`, [1], ['2']],
    ['a truncated COPY block', `COPY t (id) FROM stdin;\n1\n2\n`, [], ['1', '2']],
    ['an unreadable COPY header refuses its data block', `COPY t (id, FROM stdin;\n1\n\\.\nINSERT INTO t (id) VALUES (4);\n`, [1, 2], ['4']],
  ])('hostile input: %s', async (_n, text, quarantinedLines, ids) => {
    const run = await runParser(pgDump, text);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual(quarantinedLines);
    expect(run.rows.map((r) => r.values.id)).toEqual(ids);
  });

  it("psql's \\copy ... FROM stdin in a script reads its inline data", async () => {
    const run = await runParser(pgDump, `\\set ON_ERROR_STOP on\n\\copy public.signals (id, symbol) FROM stdin\n1\tBTC_USDT\n\\.\nUPDATE signals\nSET symbol = 'x';\n`);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => [r.table, r.values])).toEqual([['src:signals', { id: '1', symbol: 'BTC_USDT' }]]);
    expect(run.structural).toMatchObject({ 'psql-meta': 1, 'copy-header': 1, 'copy-end': 1, statement: 2 });
    expect(run.notes.some((n) => /1 UPDATE statement\(s\) not applied/.test(n))).toBe(true);
  });

  it('notes a truncated COPY block', async () => {
    const run = await runParser(pgDump, `COPY t (id) FROM stdin;\n1\n`);
    expect(run.notes.join('\n')).toMatch(/no "\\\." end line/);
  });

  it('keeps DDL with dollar-quoted bodies as structure', async () => {
    const text = `CREATE FUNCTION f() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n  INSERT INTO t (id) VALUES (99);\n  RETURN NEW;\nEND;\n$$;\n\nINSERT INTO t (id) VALUES (1);\n`;
    const run = await runParser(pgDump, text);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.values.id)).toEqual(['1']);
    expect(run.structural.ddl).toBe(8);
  });
});

describe('pg-dump sniff', () => {
  it.each([
    ['pg_dump_data_only.sql', 100],
    ['pg_dump_column_inserts.sql', 100],
  ])('%s', (file, conf) => {
    const s = pgDump.claims.sniff({
      path: file,
      name: file,
      text: read(file),
      lines: read(file).split('\n'),
      encoding: 'utf8',
      binary: false,
      complete: true,
    });
    expect(s?.confidence).toBe(conf);
  });

  it('claims a headerless INSERT script and a bare COPY block', () => {
    const h = (t: string) => ({ path: 'x', name: 'x', text: t, lines: t.split('\n'), encoding: 'utf8' as const, binary: false, complete: true });
    expect(pgDump.claims.sniff(h(`INSERT INTO signals VALUES (1, 'a');\nINSERT INTO signals VALUES (2, 'b');\n`))?.confidence).toBeGreaterThanOrEqual(80);
    expect(pgDump.claims.sniff(h(`COPY signals (id) FROM stdin;\n1\n\\.\n`))?.confidence).toBeGreaterThanOrEqual(90);
    expect(pgDump.claims.sniff(h(`id,symbol\n1,BTC\n`))).toBeNull();
    expect(pgDump.claims.sniff(h(`cdb_core  | 2025-12-22 INSERT INTO signals failed\n`))).toBeNull();
  });
});

/**
 * Real pg_dump / psql 15.18 output for a table with hostile values (tab, newline, CR, backslash,
 * a text `\\N`, '', NULL, quotes, commas, a quoted column name, arrays), kept verbatim.
 */
const NOTES: Record<string, string> = {
  "notes_copy.sql": "--\n-- PostgreSQL database dump\n--\n\n\\restrict izVBo3FQGuiZxM3WKuTnRpITx6iB1gugWftsOLVHcR1aBeIbv0zZgSelqb9nXu2\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\n--\n-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.notes (id, note, flag, amount, tags, \"Mixed Case\") FROM stdin;\n1\ttab\\there\tt\t1.50\t{a,b}\tx\n2\tline one\\nline two\tf\t\\N\t\\N\t\\N\n3\tback\\\\slash and \\\\N\t\\N\t-2.00\t{\"with space\"}\t\n4\t\tt\t0.00\t{}\tpipe | inside\n5\t\\N\tf\t3.00\t\\N\tit's \"quoted\", comma\n6\tcr\\rand unicode äöü €\tt\t4.00\t\\N\ttrailing newline\\n\n\\.\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict izVBo3FQGuiZxM3WKuTnRpITx6iB1gugWftsOLVHcR1aBeIbv0zZgSelqb9nXu2\n\n",
  "notes_colins.sql": "--\n-- PostgreSQL database dump\n--\n\n\\restrict bWUvRmltSV3cytk8K77zzEzPnIkUpTndC9mLRaaV4gzlakIl5C66R269UXwWLJm\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\n--\n-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nINSERT INTO public.notes (id, note, flag, amount, tags, \"Mixed Case\") VALUES (1, 'tab\there', true, 1.50, '{a,b}', 'x');\nINSERT INTO public.notes (id, note, flag, amount, tags, \"Mixed Case\") VALUES (2, 'line one\nline two', false, NULL, NULL, NULL);\nINSERT INTO public.notes (id, note, flag, amount, tags, \"Mixed Case\") VALUES (3, 'back\\slash and \\N', NULL, -2.00, '{\"with space\"}', '');\nINSERT INTO public.notes (id, note, flag, amount, tags, \"Mixed Case\") VALUES (4, '', true, 0.00, '{}', 'pipe | inside');\nINSERT INTO public.notes (id, note, flag, amount, tags, \"Mixed Case\") VALUES (5, NULL, false, 3.00, NULL, 'it''s \"quoted\", comma');\nINSERT INTO public.notes (id, note, flag, amount, tags, \"Mixed Case\") VALUES (6, 'cr\rand unicode äöü €', true, 4.00, NULL, 'trailing newline\n');\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict bWUvRmltSV3cytk8K77zzEzPnIkUpTndC9mLRaaV4gzlakIl5C66R269UXwWLJm\n\n",
  "notes_ins_schema.sql": "--\n-- PostgreSQL database dump\n--\n\n\\restrict I7DpGyJqqxeSqdNysTFWMkGU1V2nT7Lt0JAd6E3fRUcAFVAaKoidxqApLiQqw9I\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\nSET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n--\n-- Name: notes; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.notes (\n    id integer NOT NULL,\n    note text,\n    flag boolean,\n    amount numeric(10,2),\n    tags text[],\n    \"Mixed Case\" text\n);\n\n\nALTER TABLE public.notes OWNER TO postgres;\n\n--\n-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nINSERT INTO public.notes VALUES (1, 'tab\there', true, 1.50, '{a,b}', 'x');\nINSERT INTO public.notes VALUES (2, 'line one\nline two', false, NULL, NULL, NULL);\nINSERT INTO public.notes VALUES (3, 'back\\slash and \\N', NULL, -2.00, '{\"with space\"}', '');\nINSERT INTO public.notes VALUES (4, '', true, 0.00, '{}', 'pipe | inside');\nINSERT INTO public.notes VALUES (5, NULL, false, 3.00, NULL, 'it''s \"quoted\", comma');\nINSERT INTO public.notes VALUES (6, 'cr\rand unicode äöü €', true, 4.00, NULL, 'trailing newline\n');\n\n\n--\n-- Name: notes notes_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.notes\n    ADD CONSTRAINT notes_pkey PRIMARY KEY (id);\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict I7DpGyJqqxeSqdNysTFWMkGU1V2nT7Lt0JAd6E3fRUcAFVAaKoidxqApLiQqw9I\n\n",
  "notes_rpi.sql": "--\n-- PostgreSQL database dump\n--\n\n\\restrict gYgl97Scf5Jpizhjeg5XQL7jCqgX3yhRcZ8SFXN0lVERsaFi3K6IvC9d6ft0Q6p\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\n--\n-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nINSERT INTO public.notes VALUES\n\t(1, 'tab\there', true, 1.50, '{a,b}', 'x'),\n\t(2, 'line one\nline two', false, NULL, NULL, NULL),\n\t(3, 'back\\slash and \\N', NULL, -2.00, '{\"with space\"}', ''),\n\t(4, '', true, 0.00, '{}', 'pipe | inside');\nINSERT INTO public.notes VALUES\n\t(5, NULL, false, 3.00, NULL, 'it''s \"quoted\", comma'),\n\t(6, 'cr\rand unicode äöü €', true, 4.00, NULL, 'trailing newline\n');\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict gYgl97Scf5Jpizhjeg5XQL7jCqgX3yhRcZ8SFXN0lVERsaFi3K6IvC9d6ft0Q6p\n\n",
  "notes_colrpi.sql": "--\n-- PostgreSQL database dump\n--\n\n\\restrict xszzjp2F9jWgQNy21Blu1jjcGMJdL6rgjeSrpeugFIbsDCWT546Y6gLNOij1yq7\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\n--\n-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nINSERT INTO public.notes (id, note, flag, amount, tags, \"Mixed Case\") VALUES\n\t(1, 'tab\there', true, 1.50, '{a,b}', 'x'),\n\t(2, 'line one\nline two', false, NULL, NULL, NULL),\n\t(3, 'back\\slash and \\N', NULL, -2.00, '{\"with space\"}', ''),\n\t(4, '', true, 0.00, '{}', 'pipe | inside');\nINSERT INTO public.notes (id, note, flag, amount, tags, \"Mixed Case\") VALUES\n\t(5, NULL, false, 3.00, NULL, 'it''s \"quoted\", comma'),\n\t(6, 'cr\rand unicode äöü €', true, 4.00, NULL, 'trailing newline\n');\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict xszzjp2F9jWgQNy21Blu1jjcGMJdL6rgjeSrpeugFIbsDCWT546Y6gLNOij1yq7\n\n",
  "notes.csv": "id,note,flag,amount,tags,Mixed Case\n1,tab\there,t,1.50,\"{a,b}\",x\n2,\"line one\nline two\",f,,,\n3,back\\slash and \\N,,-2.00,\"{\"\"with space\"\"}\",\"\"\n4,\"\",t,0.00,{},pipe | inside\n5,,f,3.00,,\"it's \"\"quoted\"\", comma\"\n6,\"cr\rand unicode äöü €\",t,4.00,,\"trailing newline\n\"\n",
};

const NOTES_VALUES = [
  { id: '1', note: 'tab\there', flag: 't', amount: '1.50', tags: '{a,b}', 'Mixed Case': 'x' },
  { id: '2', note: 'line one\nline two', flag: 'f', amount: null, tags: null, 'Mixed Case': null },
  { id: '3', note: 'back\\slash and \\N', flag: null, amount: '-2.00', tags: '{"with space"}', 'Mixed Case': '' },
  { id: '4', note: '', flag: 't', amount: '0.00', tags: '{}', 'Mixed Case': 'pipe | inside' },
  { id: '5', note: null, flag: 'f', amount: '3.00', tags: null, 'Mixed Case': 'it\'s "quoted", comma' },
  { id: '6', note: 'cr\rand unicode äöü €', flag: 't', amount: '4.00', tags: null, 'Mixed Case': 'trailing newline\n' },
];

describe('one table with hostile values, dumped five ways by the real tools', () => {
  it.each([
    ['notes_copy.sql', 'COPY: \\t \\n \\r \\\\ escapes, \\N, a text "\\N"', pgDump],
    ['notes_colins.sql', '--column-inserts: quoted newlines, doubled quotes', pgDump],
    ['notes_ins_schema.sql', '--inserts without column list, columns from CREATE TABLE', pgDump],
    ['notes_colrpi.sql', '--column-inserts --rows-per-insert: several tuples per statement', pgDump],
    ['notes.csv', '\\copy CSV HEADER: quoted newlines, "" vs empty', psqlCsv],
  ])('%s (%s) reads to the same values', async (file, _what, parser) => {
    const run = await runParser(parser, NOTES[file], file);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => r.values)).toEqual(NOTES_VALUES);
    expect(new Set(run.rows.map((r) => r.table))).toEqual(new Set(['src:notes']));
    expect(run.notes.filter((n) => /c1\.\.cN|expression/.test(n))).toEqual([]);
  });

  it('data-only --inserts has no column names anywhere: c1..cN, and a note says so', async () => {
    const run = await runParser(pgDump, NOTES['notes_rpi.sql'], 'x.sql');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => Object.values(r.values))).toEqual(NOTES_VALUES.map((v) => Object.values(v)));
    expect(Object.keys(run.rows[0].values)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(run.notes.some((n) => n.includes('table notes') && n.includes('c1..cN'))).toBe(true);
  });

  it('the multi-line values own their physical lines', async () => {
    const ins = await runParser(pgDump, NOTES['notes_colins.sql'], 'x.sql');
    expect(ins.rows.map((r) => r.lines)).toEqual([1, 2, 1, 1, 1, 2]);
    const csv = await runParser(psqlCsv, NOTES['notes.csv'], 'x.csv');
    expect(csv.rows.map((r) => r.lines)).toEqual([1, 2, 1, 1, 1, 2]);
    const rpi = await runParser(pgDump, NOTES['notes_colrpi.sql'], 'x.sql');
    expect(rpi.rows.map((r) => r.lines)).toEqual([1, 2, 1, 1, 1, 2]);
    expect(rpi.structural['insert-syntax']).toBe(2);
  });

  it('the CSV with a quoted column name is still claimed', () => {
    expect(psqlCsv.claims.sniff(headFromText(NOTES['notes.csv'], 'x.txt'))?.confidence).toBeGreaterThanOrEqual(55);
    for (const f of ['notes_copy.sql', 'notes_colins.sql', 'notes_ins_schema.sql', 'notes_rpi.sql', 'notes_colrpi.sql']) {
      expect(pgDump.claims.sniff(headFromText(NOTES[f], 'x.txt'))?.confidence).toBe(100);
      expect(psqlCsv.claims.sniff(headFromText(NOTES[f], 'x.txt'))).toBeNull();
    }
  });
});

/**
 * Real pg_dump / pg_dumpall 15.18 output of a whole database (schema and data): a plpgsql trigger
 * function whose body holds `;` and INSERT text, a SQL-standard `BEGIN ATOMIC` body, a view, an
 * identity column (`OVERRIDING SYSTEM VALUE`), COMMENT with `;` in the string, sequences.
 */
const FULL: Record<string, string> = {
  "full.sql": "--\n-- PostgreSQL database dump\n--\n\n\\restrict ZhUtlXS4LXM5e6XrUQ92sMZzDb46MdMIB1Ogk7CfKXVcgLNXv5rW3hcMbUxX9KT\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\n--\n-- Name: f2(integer); Type: FUNCTION; Schema: public; Owner: postgres\n--\n\nCREATE FUNCTION public.f2(x integer) RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT (x + 1);\nEND;\n\n\nALTER FUNCTION public.f2(x integer) OWNER TO postgres;\n\n--\n-- Name: touch(); Type: FUNCTION; Schema: public; Owner: postgres\n--\n\nCREATE FUNCTION public.touch() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n  NEW.note := NEW.note || ';';\n  RETURN NEW;\nEND;\n$$;\n\n\nALTER FUNCTION public.touch() OWNER TO postgres;\n\nSET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n--\n-- Name: ident; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.ident (\n    id integer NOT NULL,\n    v text\n);\n\n\nALTER TABLE public.ident OWNER TO postgres;\n\n--\n-- Name: ident_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres\n--\n\nALTER TABLE public.ident ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.ident_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1\n);\n\n\n--\n-- Name: notes; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.notes (\n    id integer NOT NULL,\n    note text,\n    flag boolean,\n    amount numeric(10,2),\n    tags text[],\n    \"Mixed Case\" text\n);\n\n\nALTER TABLE public.notes OWNER TO postgres;\n\n--\n-- Name: TABLE notes; Type: COMMENT; Schema: public; Owner: postgres\n--\n\nCOMMENT ON TABLE public.notes IS 'hostile; values';\n\n\n--\n-- Name: signals; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.signals (\n    id integer NOT NULL,\n    symbol character varying(20),\n    signal_type character varying(10) NOT NULL,\n    price numeric(18,8) NOT NULL,\n    confidence numeric(5,4) NOT NULL,\n    \"timestamp\" timestamp with time zone DEFAULT now(),\n    source character varying(50) DEFAULT 'momentum_strategy'::character varying,\n    metadata jsonb\n);\n\n\nALTER TABLE public.signals OWNER TO postgres;\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres\n--\n\nCREATE SEQUENCE public.signals_id_seq\n    AS integer\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;\n\n\nALTER TABLE public.signals_id_seq OWNER TO postgres;\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres\n--\n\nALTER SEQUENCE public.signals_id_seq OWNED BY public.signals.id;\n\n\n--\n-- Name: v_sig; Type: VIEW; Schema: public; Owner: postgres\n--\n\nCREATE VIEW public.v_sig AS\n SELECT signals.id,\n    signals.symbol\n   FROM public.signals\n  WHERE (signals.confidence > 0.3);\n\n\nALTER TABLE public.v_sig OWNER TO postgres;\n\n--\n-- Name: wide; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.wide (\n    id integer,\n    s text\n);\n\n\nALTER TABLE public.wide OWNER TO postgres;\n\n--\n-- Name: signals id; Type: DEFAULT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.signals ALTER COLUMN id SET DEFAULT nextval('public.signals_id_seq'::regclass);\n\n\n--\n-- Data for Name: ident; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.ident (id, v) FROM stdin;\n1\ta\n2\tb\n\\.\n\n\n--\n-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.notes (id, note, flag, amount, tags, \"Mixed Case\") FROM stdin;\n1\ttab\\there\tt\t1.50\t{a,b}\tx\n2\tline one\\nline two\tf\t\\N\t\\N\t\\N\n3\tback\\\\slash and \\\\N\t\\N\t-2.00\t{\"with space\"}\t\n4\t\tt\t0.00\t{}\tpipe | inside\n5\t\\N\tf\t3.00\t\\N\tit's \"quoted\", comma\n6\tcr\\rand unicode äöü €\tt\t4.00\t\\N\ttrailing newline\\n\n\\.\n\n\n--\n-- Data for Name: signals; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.signals (id, symbol, signal_type, price, confidence, \"timestamp\", source, metadata) FROM stdin;\n1\tBTC_USDT\tbuy\t91234.50000000\t0.3450\t2025-11-30 14:02:05+00\tmomentum_strategy\t{}\n2\tBTCUSDT\tbuy\t95639.26000000\t0.5000\t2026-01-16 10:00:18.5+00\tmomentum_strategy\t{\"k\": \"v\\\\\\\\tx\"}\n3\tETH_USDT\tbuy\t3000.10000000\t0.9000\t2025-12-01 00:00:00+00\tmomentum_strategy\t\\N\n\\.\n\n\n--\n-- Data for Name: wide; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.wide (id, s) FROM stdin;\n1\t日本語\n2\t📊 chart\n3\tcafé\n4\tplain\n\\.\n\n\n--\n-- Name: ident_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres\n--\n\nSELECT pg_catalog.setval('public.ident_id_seq', 2, true);\n\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres\n--\n\nSELECT pg_catalog.setval('public.signals_id_seq', 3, true);\n\n\n--\n-- Name: notes notes_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.notes\n    ADD CONSTRAINT notes_pkey PRIMARY KEY (id);\n\n\n--\n-- Name: signals signals_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.signals\n    ADD CONSTRAINT signals_pkey PRIMARY KEY (id);\n\n\n--\n-- Name: notes t_touch; Type: TRIGGER; Schema: public; Owner: postgres\n--\n\nCREATE TRIGGER t_touch BEFORE UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.touch();\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict ZhUtlXS4LXM5e6XrUQ92sMZzDb46MdMIB1Ogk7CfKXVcgLNXv5rW3hcMbUxX9KT\n\n",
  "full_ins.sql": "--\n-- PostgreSQL database dump\n--\n\n\\restrict OoSvmWu3KXMVUMV8TVsTNYbvf1zgNhwo4HWrYiB3eWDRfqLzLvrXlvXN474HQHC\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\n--\n-- Name: f2(integer); Type: FUNCTION; Schema: public; Owner: postgres\n--\n\nCREATE FUNCTION public.f2(x integer) RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT (x + 1);\nEND;\n\n\nALTER FUNCTION public.f2(x integer) OWNER TO postgres;\n\n--\n-- Name: touch(); Type: FUNCTION; Schema: public; Owner: postgres\n--\n\nCREATE FUNCTION public.touch() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n  NEW.note := NEW.note || ';';\n  RETURN NEW;\nEND;\n$$;\n\n\nALTER FUNCTION public.touch() OWNER TO postgres;\n\nSET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n--\n-- Name: ident; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.ident (\n    id integer NOT NULL,\n    v text\n);\n\n\nALTER TABLE public.ident OWNER TO postgres;\n\n--\n-- Name: ident_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres\n--\n\nALTER TABLE public.ident ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.ident_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1\n);\n\n\n--\n-- Name: notes; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.notes (\n    id integer NOT NULL,\n    note text,\n    flag boolean,\n    amount numeric(10,2),\n    tags text[],\n    \"Mixed Case\" text\n);\n\n\nALTER TABLE public.notes OWNER TO postgres;\n\n--\n-- Name: TABLE notes; Type: COMMENT; Schema: public; Owner: postgres\n--\n\nCOMMENT ON TABLE public.notes IS 'hostile; values';\n\n\n--\n-- Name: signals; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.signals (\n    id integer NOT NULL,\n    symbol character varying(20),\n    signal_type character varying(10) NOT NULL,\n    price numeric(18,8) NOT NULL,\n    confidence numeric(5,4) NOT NULL,\n    \"timestamp\" timestamp with time zone DEFAULT now(),\n    source character varying(50) DEFAULT 'momentum_strategy'::character varying,\n    metadata jsonb\n);\n\n\nALTER TABLE public.signals OWNER TO postgres;\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres\n--\n\nCREATE SEQUENCE public.signals_id_seq\n    AS integer\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;\n\n\nALTER TABLE public.signals_id_seq OWNER TO postgres;\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres\n--\n\nALTER SEQUENCE public.signals_id_seq OWNED BY public.signals.id;\n\n\n--\n-- Name: v_sig; Type: VIEW; Schema: public; Owner: postgres\n--\n\nCREATE VIEW public.v_sig AS\n SELECT signals.id,\n    signals.symbol\n   FROM public.signals\n  WHERE (signals.confidence > 0.3);\n\n\nALTER TABLE public.v_sig OWNER TO postgres;\n\n--\n-- Name: wide; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.wide (\n    id integer,\n    s text\n);\n\n\nALTER TABLE public.wide OWNER TO postgres;\n\n--\n-- Name: signals id; Type: DEFAULT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.signals ALTER COLUMN id SET DEFAULT nextval('public.signals_id_seq'::regclass);\n\n\n--\n-- Data for Name: ident; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nINSERT INTO public.ident OVERRIDING SYSTEM VALUE VALUES (1, 'a');\nINSERT INTO public.ident OVERRIDING SYSTEM VALUE VALUES (2, 'b');\n\n\n--\n-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nINSERT INTO public.notes VALUES (1, 'tab\there', true, 1.50, '{a,b}', 'x');\nINSERT INTO public.notes VALUES (2, 'line one\nline two', false, NULL, NULL, NULL);\nINSERT INTO public.notes VALUES (3, 'back\\slash and \\N', NULL, -2.00, '{\"with space\"}', '');\nINSERT INTO public.notes VALUES (4, '', true, 0.00, '{}', 'pipe | inside');\nINSERT INTO public.notes VALUES (5, NULL, false, 3.00, NULL, 'it''s \"quoted\", comma');\nINSERT INTO public.notes VALUES (6, 'cr\rand unicode äöü €', true, 4.00, NULL, 'trailing newline\n');\n\n\n--\n-- Data for Name: signals; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nINSERT INTO public.signals VALUES (1, 'BTC_USDT', 'buy', 91234.50000000, 0.3450, '2025-11-30 14:02:05+00', 'momentum_strategy', '{}');\nINSERT INTO public.signals VALUES (2, 'BTCUSDT', 'buy', 95639.26000000, 0.5000, '2026-01-16 10:00:18.5+00', 'momentum_strategy', '{\"k\": \"v\\\\tx\"}');\nINSERT INTO public.signals VALUES (3, 'ETH_USDT', 'buy', 3000.10000000, 0.9000, '2025-12-01 00:00:00+00', 'momentum_strategy', NULL);\n\n\n--\n-- Data for Name: wide; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nINSERT INTO public.wide VALUES (1, '日本語');\nINSERT INTO public.wide VALUES (2, '📊 chart');\nINSERT INTO public.wide VALUES (3, 'café');\nINSERT INTO public.wide VALUES (4, 'plain');\n\n\n--\n-- Name: ident_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres\n--\n\nSELECT pg_catalog.setval('public.ident_id_seq', 2, true);\n\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres\n--\n\nSELECT pg_catalog.setval('public.signals_id_seq', 3, true);\n\n\n--\n-- Name: notes notes_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.notes\n    ADD CONSTRAINT notes_pkey PRIMARY KEY (id);\n\n\n--\n-- Name: signals signals_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.signals\n    ADD CONSTRAINT signals_pkey PRIMARY KEY (id);\n\n\n--\n-- Name: notes t_touch; Type: TRIGGER; Schema: public; Owner: postgres\n--\n\nCREATE TRIGGER t_touch BEFORE UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.touch();\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict OoSvmWu3KXMVUMV8TVsTNYbvf1zgNhwo4HWrYiB3eWDRfqLzLvrXlvXN474HQHC\n\n",
  "all.sql": "--\n-- PostgreSQL database cluster dump\n--\n\n\\restrict 91GtzDzeutd93rA4NHSaAR76pmkmEqPIPmaoISrOQImxXHWi8bONz4jBtlTudyi\n\nSET default_transaction_read_only = off;\n\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n--\n-- Roles\n--\n\nCREATE ROLE postgres;\nALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;\n\n--\n-- User Configurations\n--\n\n\n\n\n\n\n\n\n\\unrestrict 91GtzDzeutd93rA4NHSaAR76pmkmEqPIPmaoISrOQImxXHWi8bONz4jBtlTudyi\n\n--\n-- Databases\n--\n\n--\n-- Database \"template1\" dump\n--\n\n\\connect template1\n\n--\n-- PostgreSQL database dump\n--\n\n\\restrict ieclURaYvUoAkGzk3mmmhUXpUbD5sjwwV6TK33gSXHhEtHIsE5iVHayitAZPMT2\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict ieclURaYvUoAkGzk3mmmhUXpUbD5sjwwV6TK33gSXHhEtHIsE5iVHayitAZPMT2\n\n--\n-- Database \"postgres\" dump\n--\n\n\\connect postgres\n\n--\n-- PostgreSQL database dump\n--\n\n\\restrict 8c8dGUR3nTZXjDVhNBYQn5W2sNCNd4iA5hkauhx0hOFeB53xpaYBKHc4a6QWmWm\n\n-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nSET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n\n--\n-- Name: f2(integer); Type: FUNCTION; Schema: public; Owner: postgres\n--\n\nCREATE FUNCTION public.f2(x integer) RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT (x + 1);\nEND;\n\n\nALTER FUNCTION public.f2(x integer) OWNER TO postgres;\n\n--\n-- Name: touch(); Type: FUNCTION; Schema: public; Owner: postgres\n--\n\nCREATE FUNCTION public.touch() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n  NEW.note := NEW.note || ';';\n  RETURN NEW;\nEND;\n$$;\n\n\nALTER FUNCTION public.touch() OWNER TO postgres;\n\nSET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n--\n-- Name: ident; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.ident (\n    id integer NOT NULL,\n    v text\n);\n\n\nALTER TABLE public.ident OWNER TO postgres;\n\n--\n-- Name: ident_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres\n--\n\nALTER TABLE public.ident ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.ident_id_seq\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1\n);\n\n\n--\n-- Name: notes; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.notes (\n    id integer NOT NULL,\n    note text,\n    flag boolean,\n    amount numeric(10,2),\n    tags text[],\n    \"Mixed Case\" text\n);\n\n\nALTER TABLE public.notes OWNER TO postgres;\n\n--\n-- Name: TABLE notes; Type: COMMENT; Schema: public; Owner: postgres\n--\n\nCOMMENT ON TABLE public.notes IS 'hostile; values';\n\n\n--\n-- Name: signals; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.signals (\n    id integer NOT NULL,\n    symbol character varying(20),\n    signal_type character varying(10) NOT NULL,\n    price numeric(18,8) NOT NULL,\n    confidence numeric(5,4) NOT NULL,\n    \"timestamp\" timestamp with time zone DEFAULT now(),\n    source character varying(50) DEFAULT 'momentum_strategy'::character varying,\n    metadata jsonb\n);\n\n\nALTER TABLE public.signals OWNER TO postgres;\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres\n--\n\nCREATE SEQUENCE public.signals_id_seq\n    AS integer\n    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1;\n\n\nALTER TABLE public.signals_id_seq OWNER TO postgres;\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres\n--\n\nALTER SEQUENCE public.signals_id_seq OWNED BY public.signals.id;\n\n\n--\n-- Name: v_sig; Type: VIEW; Schema: public; Owner: postgres\n--\n\nCREATE VIEW public.v_sig AS\n SELECT signals.id,\n    signals.symbol\n   FROM public.signals\n  WHERE (signals.confidence > 0.3);\n\n\nALTER TABLE public.v_sig OWNER TO postgres;\n\n--\n-- Name: wide; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.wide (\n    id integer,\n    s text\n);\n\n\nALTER TABLE public.wide OWNER TO postgres;\n\n--\n-- Name: signals id; Type: DEFAULT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.signals ALTER COLUMN id SET DEFAULT nextval('public.signals_id_seq'::regclass);\n\n\n--\n-- Data for Name: ident; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.ident (id, v) FROM stdin;\n1\ta\n2\tb\n\\.\n\n\n--\n-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.notes (id, note, flag, amount, tags, \"Mixed Case\") FROM stdin;\n1\ttab\\there\tt\t1.50\t{a,b}\tx\n2\tline one\\nline two\tf\t\\N\t\\N\t\\N\n3\tback\\\\slash and \\\\N\t\\N\t-2.00\t{\"with space\"}\t\n4\t\tt\t0.00\t{}\tpipe | inside\n5\t\\N\tf\t3.00\t\\N\tit's \"quoted\", comma\n6\tcr\\rand unicode äöü €\tt\t4.00\t\\N\ttrailing newline\\n\n\\.\n\n\n--\n-- Data for Name: signals; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.signals (id, symbol, signal_type, price, confidence, \"timestamp\", source, metadata) FROM stdin;\n1\tBTC_USDT\tbuy\t91234.50000000\t0.3450\t2025-11-30 14:02:05+00\tmomentum_strategy\t{}\n2\tBTCUSDT\tbuy\t95639.26000000\t0.5000\t2026-01-16 10:00:18.5+00\tmomentum_strategy\t{\"k\": \"v\\\\\\\\tx\"}\n3\tETH_USDT\tbuy\t3000.10000000\t0.9000\t2025-12-01 00:00:00+00\tmomentum_strategy\t\\N\n\\.\n\n\n--\n-- Data for Name: wide; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.wide (id, s) FROM stdin;\n1\t日本語\n2\t📊 chart\n3\tcafé\n4\tplain\n\\.\n\n\n--\n-- Name: ident_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres\n--\n\nSELECT pg_catalog.setval('public.ident_id_seq', 2, true);\n\n\n--\n-- Name: signals_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres\n--\n\nSELECT pg_catalog.setval('public.signals_id_seq', 3, true);\n\n\n--\n-- Name: notes notes_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.notes\n    ADD CONSTRAINT notes_pkey PRIMARY KEY (id);\n\n\n--\n-- Name: signals signals_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres\n--\n\nALTER TABLE ONLY public.signals\n    ADD CONSTRAINT signals_pkey PRIMARY KEY (id);\n\n\n--\n-- Name: notes t_touch; Type: TRIGGER; Schema: public; Owner: postgres\n--\n\nCREATE TRIGGER t_touch BEFORE UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.touch();\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict 8c8dGUR3nTZXjDVhNBYQn5W2sNCNd4iA5hkauhx0hOFeB53xpaYBKHc4a6QWmWm\n\n--\n-- PostgreSQL database cluster dump complete\n--\n\n",
};

describe('pg-dump on whole-database dumps by the real tools', () => {
  it.each(['full.sql', 'full_ins.sql', 'all.sql'])('%s: data rows only from data, DDL as structure', async (file) => {
    const run = await runParser(pgDump, FULL[file], file);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(byTable(run)).toEqual(
      new Map([
        ['src:signals', 3],
        ['src:notes', 6],
        ['src:wide', 4],
        ['src:ident', 2],
      ]),
    );
    expect(run.structural.transaction ?? 0).toBe(0); // the END of BEGIN ATOMIC belongs to its CREATE FUNCTION
    expect(run.rows.filter((r) => r.table === 'src:notes').map((r) => r.values)).toEqual(NOTES_VALUES);
    expect(run.rows.find((r) => r.table === 'src:ident')!.values).toEqual({ id: '1', v: 'a' });
    expect(run.rows.find((r) => r.table === 'src:signals')!.values).toMatchObject({ id: '1', timestamp: '2025-11-30 14:02:05+00', metadata: '{}' });
  });

  it('pg_dumpall: a note names the databases', async () => {
    const run = await runParser(pgDump, FULL['all.sql'], 'all.sql');
    expect(run.notes.some((n) => /connects to 2 databases \(template1, postgres\)/.test(n))).toBe(true);
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

/** COPY text fields a hostile dump may hold: escapes (also of the delimiter), NULL markers, a lone backslash, NUL, secrets. */
const HOSTILE_FIELDS = [
  '\\N', '', 'abc', '12.5', 'NaN', 'a\\tb', 'a\\\tb', 'back\\\\slash', '\\\\N', '\\x41\\101', 'end\\', '\\', 'x\u0000y', '\uFEFFz',
  'password=hunter2', 'postgres://u:pw@db/x', '"quoted"', 'a,b', '日本語',
];

/** A generated dump: COPY blocks (with and without a column list, one in CSV), ragged and hostile data lines, an INSERT. */
function hostileDump(seed: number): string {
  const r = prng(seed);
  const out = ['--', '-- PostgreSQL database dump', '--', '', 'SET standard_conforming_strings = on;', ''];
  for (let b = 0, blocks = 1 + r(3); b < blocks; b++) {
    const cols = ['id', 'symbol', 'price', 'note'].slice(0, 1 + r(4));
    const kind = r(6);
    if (kind === 0) out.push(`COPY public.t${b} FROM stdin;`);
    else if (kind === 1) out.push(`COPY public.t${b} (${cols.join(', ')}) FROM stdin WITH (FORMAT csv);`);
    else out.push(`COPY public.t${b} (${cols.join(', ')}) FROM stdin;`);
    for (let i = 0, n = 3 + r(20); i < n; i++) {
      const width = r(6) === 0 ? cols.length + r(3) - 1 : cols.length;
      const fields = Array.from({ length: Math.max(width, 0) }, () => (r(3) === 0 ? HOSTILE_FIELDS[r(HOSTILE_FIELDS.length)] : `v${r(100)}`));
      out.push(fields.join(kind === 1 ? ',' : '\t'));
    }
    if (r(8) !== 0) out.push('\\.');
    out.push('');
  }
  out.push("INSERT INTO public.ins (id, v) VALUES (1, 'a\tb'), (2, NULL);", '');
  return out.join(r(4) === 0 ? '\r\n' : '\n');
}

describe('pg-dump: the COPY data fast path gives what feed() gives', () => {
  const hand: [string, string][] = [
    ['plain rows, NULLs, escapes', 'COPY public.t (id, v) FROM stdin;\n1\tx\n2\t\\N\n3\ta\\tb\n\\.\n'],
    ['an escaped delimiter keeps the field whole', 'COPY public.t (id, v) FROM stdin;\n1\ta\\\tb\n\\.\n'],
    ['a lone backslash at the end is refused', 'COPY public.t (id, v) FROM stdin;\n1\tend\\\n2\tok\n\\.\n'],
    ['ragged lines are refused', 'COPY public.t (id, v) FROM stdin;\n1\n1\t2\t3\n4\t5\n\\.\n'],
    ['no column list: positional columns', 'COPY public.t FROM stdin;\n1\tx\n\\.\n'],
    ['no end marker before the next statement', 'COPY public.t (id, v) FROM stdin;\n1\tx\nSELECT 1;\n'],
  ];
  const generated: [string, string][] = Array.from({ length: 120 }, (_, i) => [`generated #${i}`, hostileDump(i + 1)]);
  it.each([...hand, ...generated])('%s', async (_name, text) => {
    const fast = await runParser(pgDump, text, 'dump.sql');
    const slow = await runParser(feedOnly, text, 'dump.sql');
    expect(fast).toEqual(slow);
  });

  it('the generated cases reach rows, refused lines and every kind of block', async () => {
    const runs = await Promise.all(Array.from({ length: 120 }, (_, i) => runParser(pgDump, hostileDump(i + 1), 'dump.sql')));
    expect(runs.some((r) => r.quarantined.some((q) => /field\(s\), expected/.test(q.reason)))).toBe(true);
    expect(runs.some((r) => r.quarantined.some((q) => /lone backslash/.test(q.reason)))).toBe(true);
    expect(runs.some((r) => r.rows.some((row) => row.values.c1 !== undefined))).toBe(true);
    expect(runs.some((r) => r.rows.some((row) => Object.values(row.values).includes('a\tb')))).toBe(true);
    expect(runs.every((r) => r.unaccounted === 0)).toBe(true);
  });
});
