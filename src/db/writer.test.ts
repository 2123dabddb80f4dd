import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Row } from '../ingest/define-parser.js';
import { Redactor } from '../redact/secrets.js';
import { schemaSql } from './schema.js';
import { Writer } from './writer.js';

function fresh(learned: string[] = []): { db: Database.Database; w: Writer } {
  const db = new Database(':memory:');
  db.exec(schemaSql());
  const r = new Redactor();
  for (const s of learned) r.learn(s);
  const w = new Writer(db, r);
  w.setFile(7);
  return { db, w };
}

const src = (table: string, line: number, values: Row['values']): Row => ({ table: `src:${table}`, line, lines: 1, values });

describe('Writer: dumped tables', () => {
  it.each([
    {
      name: 'reserved names get a src_ prefix',
      rows: [src('trades', 1, { _id: '5', file_id: 'f', symbol: 'BTC' })],
      columns: ['src__id', 'src_file_id', 'symbol'],
      data: [{ src__id: '5', src_file_id: 'f', symbol: 'BTC' }],
    },
    {
      name: 'a column seen later is added and earlier rows keep NULL',
      rows: [src('trades', 1, { id: '1' }), src('trades', 2, { id: '2', fee: '0.1' })],
      columns: ['id', 'fee'],
      data: [{ id: '1', fee: null }, { id: '2', fee: '0.1' }],
    },
    {
      name: 'keys in another order land in their own columns',
      rows: [src('trades', 1, { a: '1', b: '2' }), src('trades', 2, { b: '4', a: '3' })],
      columns: ['a', 'b'],
      data: [{ a: '1', b: '2' }, { a: '3', b: '4' }],
    },
    {
      name: 'a row with fewer keys, then the same keys again, each in their own columns',
      rows: [src('trades', 1, { a: '1', b: '2' }), src('trades', 2, { a: '3' }), src('trades', 3, { a: '5', b: '6' })],
      columns: ['a', 'b'],
      data: [{ a: '1', b: '2' }, { a: '3', b: null }, { a: '5', b: '6' }],
    },
    {
      name: 'a row with one key more after the keys before it',
      rows: [src('trades', 1, { a: '1' }), src('trades', 2, { a: '3', b: '4' })],
      columns: ['a', 'b'],
      data: [{ a: '1', b: null }, { a: '3', b: '4' }],
    },
    {
      name: 'the same column in another case is one column (SQLite ignores case)',
      rows: [src('trades', 1, { Price: '1' }), src('trades', 2, { price: '2' })],
      columns: ['Price'],
      data: [{ Price: '1' }, { Price: '2' }],
    },
    {
      name: 'two keys differing only in case within one row stay apart',
      rows: [src('trades', 1, { id: '1', ID: '2' })],
      columns: ['id', 'ID_'],
      data: [{ id: '1', ID_: '2' }],
    },
    {
      name: 'schema-qualified names share a table',
      rows: [src('public.trades', 1, { id: '1' }), src('trades', 2, { id: '2' })],
      columns: ['id'],
      data: [{ id: '1' }, { id: '2' }],
    },
  ])('$name', ({ rows, columns, data }) => {
    const { db, w } = fresh();
    // More rows than one multi-row INSERT holds, so batched and single inserts both run.
    const many = Array.from({ length: 50 }, () => rows).flat();
    for (const r of many) w.write(r);
    w.flush();
    const cols = (db.prepare('PRAGMA table_info(src_trades)').all() as { name: string }[]).map((c) => c.name).slice(4);
    expect(cols).toEqual(columns);
    const got = db.prepare(`SELECT ${cols.map((c) => `"${c}"`).join(',')} FROM src_trades ORDER BY _id LIMIT ${rows.length}`).all();
    expect(got).toEqual(data);
    expect(db.prepare('SELECT COUNT(*) n, MIN(file_id) f FROM src_trades').get()).toEqual({ n: many.length, f: 7 });
    expect(w.rowsWritten).toBe(many.length);
  });
});

describe('Writer: log_events rows', () => {
  // Each value lands in its own column, in_block follows ts, the class is computed from the stored
  // text (a class the parser passes is not kept), for rows in a full multi-row INSERT and after it.
  const full = { service: 'cdb_ws', ts: '2026-01-10T10:00:00.000Z', ts_text: '2026-01-10 10:00:00,000', ts_zone: 'UTC (assumed)', docker_ts: '2026-01-10T10:00:00.100Z', level: 'INFO', logger: 'ws', message: 'Connection refused', kind: 'app', format: 'bracket', stream: 'stdout', class: 'bogus' };
  const stored = { service: 'cdb_ws', ts: '2026-01-10T10:00:00.000Z', ts_text: '2026-01-10 10:00:00,000', ts_zone: 'UTC (assumed)', docker_ts: '2026-01-10T10:00:00.100Z', level: 'INFO', logger: 'ws', message: 'Connection refused', kind: 'app', format: 'bracket', stream: 'stdout', class: 'net.connection_refused', in_block: 1 };
  const nulls = { service: null, ts: null, ts_text: null, ts_zone: null, docker_ts: null, level: null, logger: null, message: null, kind: null, format: null, stream: null, class: null, in_block: null };
  it.each([
    ['every column', full, stored],
    ['no values', {}, nulls],
    ['no time', { ...full, ts: null }, { ...stored, ts: null, in_block: null }],
    ['a numeric value kept as a number', { level: 3 }, { ...nulls, level: '3.0' }],
    ['a health poll by kind', { service: 'cdb_ws', message: 'GET /health', kind: 'health_poll' }, { ...nulls, service: 'cdb_ws', message: 'GET /health', kind: 'health_poll', class: 'http.health_poll' }],
  ])('%s', (_name, values, want) => {
    const { db, w } = fresh();
    for (let i = 0; i < 70; i++) w.write({ table: 'log_events', line: i + 1, lines: 2, values: values as Row['values'] });
    w.flush();
    const cols = Object.keys(want).join(',');
    const rows = db.prepare(`SELECT file_id, line_no, line_count, ${cols} FROM log_events ORDER BY line_no`).all();
    expect(rows).toHaveLength(70);
    rows.forEach((r, i) => expect(r).toEqual({ file_id: 7, line_no: i + 1, line_count: 2, ...want }));
  });
});

describe('Writer: redaction', () => {
  const log = (values: Row['values']): Row => ({ table: 'log_events', line: 1, lines: 1, values });
  it.each([
    // A learned numeric secret is redacted in free text, never inside a timestamp the parser built.
    { column: 'message', value: 'pw is 2025x1234', stored: /^pw is ‹redacted:[0-9a-f]{8}›$/ },
    { column: 'ts', value: '2025-12-20T00:00:00.000Z', stored: /^2025-12-20T00:00:00\.000Z$/ },
    { column: 'ts_text', value: '2025-12-20 00:00:00,2025x1234', stored: /^2025-12-20 00:00:00,2025x1234$/ },
    { column: 'logger', value: 'x2025x1234', stored: /^x‹redacted:[0-9a-f]{8}›$/ },
    { column: 'service', value: 'api_key=abcdefgh', stored: /^api_key=‹redacted:[0-9a-f]{8}›$/ },
  ])('log_events.$column', ({ column, value, stored }) => {
    const { db, w } = fresh(['2025x1234']);
    w.write(log({ [column]: value }));
    w.flush();
    const got = db.prepare(`SELECT ${column} v FROM log_events`).get() as { v: string };
    expect(got.v).toMatch(stored);
  });

  // The writer keeps the last service and logger it redacted: that must never let a repeated
  // value past a secret learned in between, nor change the count of replacements.
  it.each(['service', 'logger'])('a repeated %s is redacted again once a secret is learned between two rows', (column) => {
    const db = new Database(':memory:');
    db.exec(schemaSql());
    const r = new Redactor();
    const w = new Writer(db, r);
    w.setFile(7);
    const value = 'svc-hunter2hunter2';
    w.write({ ...log({ [column]: value, message: 'm' }), line: 1 });
    w.write({ ...log({ [column]: value, message: 'm' }), line: 2 });
    r.learn('hunter2hunter2');
    w.write({ ...log({ [column]: value, message: 'm' }), line: 3 });
    w.write({ ...log({ [column]: value, message: 'm' }), line: 4 });
    w.flush();
    const got = db.prepare(`SELECT ${column} v FROM log_events ORDER BY line_no`).pluck().all();
    expect(got.slice(0, 2)).toEqual([value, value]);
    expect(got[2]).toMatch(/^svc-‹redacted:[0-9a-f]{8}›$/);
    expect(got[3]).toBe(got[2]);
    expect(r.count).toBe(2);
  });

  it.each(['service', 'logger'])('a %s that holds a secret is redacted and counted on every row', (column) => {
    const db = new Database(':memory:');
    db.exec(schemaSql());
    const r = new Redactor();
    const w = new Writer(db, r);
    w.setFile(7);
    for (let i = 1; i <= 3; i++) w.write({ ...log({ [column]: 'token=abcdefgh', message: 'm' }), line: i });
    w.flush();
    const got = db.prepare(`SELECT ${column} v FROM log_events ORDER BY line_no`).pluck().all();
    expect(new Set(got).size).toBe(1);
    expect(got[0]).toMatch(/^token=‹redacted:[0-9a-f]{8}›$/);
    const alone = new Redactor();
    for (let i = 0; i < 3; i++) alone.text('token=abcdefgh');
    expect(r.count).toBe(alone.count);
    expect(r.count).toBe(3);
  });

  it('a secret setting value is stored as a marker and learned for later text', () => {
    const { db, w } = fresh();
    w.write({ table: 'settings', line: 1, lines: 1, values: { source: 'env', key: 'REDIS_PASSWORD', value: 'hunter2hunter2', is_secret: 1 } });
    w.write(log({ message: 'connecting with hunter2hunter2' }));
    w.flush();
    const bytes = JSON.stringify(db.prepare('SELECT * FROM settings').all()) + JSON.stringify(db.prepare('SELECT * FROM log_events').all());
    expect(bytes).not.toContain('hunter2');
    expect(bytes).toMatch(/connecting with ‹redacted:[0-9a-f]{8}›/);
  });
});

describe('Writer: log_hourly rollup', () => {
  const row = (service: string | null, ts: string | null, kind: string | null, level: string | null): Row => ({
    table: 'log_events', line: 1, lines: 1, values: { service, ts, kind, level, message: 'm' },
  });
  it.each([
    {
      name: 'one group per service, UTC hour, kind and level, with its time span',
      rows: [
        row('cdb_core', '2025-12-20T10:59:59.999Z', 'app', 'INFO'),
        row('cdb_core', '2025-12-20T10:00:00.000Z', 'app', 'INFO'),
        row('cdb_core', '2025-12-20T11:00:00.000Z', 'app', 'INFO'),
        row('cdb_core', '2025-12-20T10:30:00.000Z', 'app', 'ERROR'),
        row('cdb_risk', '2025-12-20T10:30:00.000Z', 'app', 'INFO'),
      ],
      want: [
        ['cdb_core', '2025-12-20T10', 'app', 'ERROR', 1, '2025-12-20T10:30:00.000Z', '2025-12-20T10:30:00.000Z'],
        ['cdb_core', '2025-12-20T10', 'app', 'INFO', 2, '2025-12-20T10:00:00.000Z', '2025-12-20T10:59:59.999Z'],
        ['cdb_core', '2025-12-20T11', 'app', 'INFO', 1, '2025-12-20T11:00:00.000Z', '2025-12-20T11:00:00.000Z'],
        ['cdb_risk', '2025-12-20T10', 'app', 'INFO', 1, '2025-12-20T10:30:00.000Z', '2025-12-20T10:30:00.000Z'],
      ],
    },
    {
      name: 'NULL and empty are different groups; untimed records count under a NULL hour',
      rows: [row(null, null, null, null), row('', null, '', ''), row(null, null, null, null)],
      want: [
        [null, null, null, null, 2, null, null],
        ['', null, '', '', 1, null, null],
      ],
    },
  ])('$name', ({ rows, want }) => {
    const { db, w } = fresh();
    for (const r of rows) w.write(r);
    w.finishFile();
    const got = db.prepare('SELECT service, hour, kind, level, n, first_ts, last_ts FROM log_hourly ORDER BY service IS NOT NULL, service, hour, level').raw().all();
    expect(got).toEqual(want);
    // The rollup agrees with the rows it summarises.
    const n = db.prepare('SELECT (SELECT SUM(n) FROM log_hourly) a, (SELECT COUNT(*) FROM log_events) b').get() as { a: number; b: number };
    expect(n.a).toBe(n.b);
  });

  it('the rollup names the service as stored, after redaction', () => {
    const { db, w } = fresh(['sekrit-svc']);
    w.write(row('sekrit-svc', '2025-12-20T10:00:00.000Z', 'app', 'INFO'));
    w.finishFile();
    const r = db.prepare('SELECT l.service a, h.service b FROM log_events l, log_hourly h').get() as { a: string; b: string };
    expect(r.b).toBe(r.a);
    expect(r.b).not.toContain('sekrit');
  });
});
