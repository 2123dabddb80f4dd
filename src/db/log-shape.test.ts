import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Row } from '../ingest/define-parser.js';
import { Redactor } from '../redact/secrets.js';
import { LOG_STORED_COLUMNS, logEventsTableSql, packSql } from './log-shape.js';
import { RAW_TABLES } from './raw-tables.js';
import { schemaSql } from './schema.js';
import { Writer } from './writer.js';

/** log_events as schema v4 stored it: every column plain TEXT. */
const OLD_SHAPE = `CREATE TABLE log_events (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL,
  ${Object.entries(RAW_TABLES.log_events.columns).map(([c, t]) => `${c} ${t}`).join(', ')}, in_block INTEGER)`;
const READ = `SELECT id, file_id, line_no, line_count, ${Object.keys(RAW_TABLES.log_events.columns).join(', ')}, in_block FROM log_events ORDER BY id`;

type Values = Row['values'];
const T = '2026-02-10T12:00:00.123Z';
const base: Values = { service: 'cdb_ws', ts: T, ts_text: '2026-02-10 12:00:00,123', level: 'INFO', logger: 'ws', message: 'tick' };

/** Rows whose kind/format/stream/ts_zone/docker_ts take every path: vocabulary, NULL, outside it, not text. */
const CASES: [string, Values][] = [
  ['the commonest row', { ...base, kind: 'app', format: 'bracket', ts_zone: 'UTC (assumed)', docker_ts: T }],
  ['docker stamp differs from ts', { ...base, kind: 'app', format: 'ws-nomillis', ts_zone: 'UTC (assumed)', docker_ts: '2026-02-10T12:00:00.999999999Z' }],
  ['no docker stamp', { ...base, kind: 'health_poll', format: 'werkzeug', stream: 'stderr', ts_zone: 'UTC', docker_ts: null }],
  ['docker stamp but no ts', { ...base, ts: null, ts_text: null, kind: 'print', format: 'print', stream: 'stdout', docker_ts: T }],
  ['all five absent', { service: null, message: 'x' }],
  ['every field at the end of its vocabulary', { ...base, kind: 'console_output', format: 'unformatted', stream: 'stderr', ts_zone: 'UTC' }],
  ['kind outside the vocabulary', { ...base, kind: 'something_new', format: 'dash' }],
  ['format outside the vocabulary', { ...base, kind: 'app', format: 'json-lines' }],
  ['stream and zone outside the vocabulary', { ...base, kind: 'app', format: 'bracket', stream: 'tty', ts_zone: 'host local (CET/CEST, assumed)' }],
  ['quotes and JSON specials in an outside value', { ...base, kind: `it's "quoted" \\ {}`, format: 'bracket' }],
  ['numbers where text is expected (TEXT affinity makes them text)', { ...base, kind: 7, format: 2.5, stream: 0, ts_zone: -1, docker_ts: 12 }],
  ['a value that differs from a vocabulary word only in case', { ...base, kind: 'App', format: 'Bracket', stream: 'STDOUT', ts_zone: 'utc' }],
  ['docker stamp equal to ts text only after trimming', { ...base, kind: 'app', docker_ts: `${T} ` }],
];

function written(rows: Values[]): Database.Database {
  const db = new Database(':memory:');
  db.exec(schemaSql());
  const w = new Writer(db, new Redactor());
  w.setFile(3);
  rows.forEach((values, i) => w.write({ table: 'log_events', line: i + 1, lines: 1, values }));
  w.flush();
  return db;
}

function oldShape(rows: Values[]): Database.Database {
  const db = new Database(':memory:');
  db.exec(OLD_SHAPE);
  const cols = Object.keys(RAW_TABLES.log_events.columns);
  const ins = db.prepare(`INSERT INTO log_events (file_id, line_no, line_count, ${cols.join(', ')}, in_block) VALUES (${['3', '?', '1', ...cols.map(() => '?'), '?'].join(', ')})`);
  rows.forEach((v, i) => ins.run(i + 1, ...cols.map((c) => v[c] ?? null), v.ts != null ? 1 : null));
  return db;
}

describe('log_events packed shape', () => {
  // Repeated past one multi-row INSERT so that batched and single inserts both run.
  const rows = Array.from({ length: 70 }, (_, i) => CASES[i % CASES.length][1]);

  it.each(CASES)('%s reads back as the unpacked table stores it', (_name, values) => {
    const a = written([values]);
    const b = oldShape([values]);
    // class is the writer's (the catalog's); the old-shape table has none.
    const strip = (r: Record<string, unknown>) => ({ ...r, class: undefined });
    expect(a.prepare(READ).all().map(strip)).toEqual(b.prepare(READ).all().map(strip));
  });

  it('the writer stores the frequent values in the integer alone', () => {
    const db = written(CASES.slice(0, 6).map(([, v]) => v));
    const r = db.prepare('SELECT packed, packed_docker_ts, packed_other FROM log_events ORDER BY id').raw().all();
    expect(r.map((x) => x[2])).toEqual([null, null, null, null, null, null]);
    expect(r[0]).toEqual([1, null, null]);
    expect(r[1][1]).toBe('2026-02-10T12:00:00.999999999Z');
  });

  it('the migration packs an old-shape table into the same stored values the writer writes, row by row', () => {
    const a = written(rows);
    const b = oldShape(rows);
    const classes = a.prepare('SELECT id, class FROM log_events ORDER BY id').all() as { id: number; class: string | null }[];
    const setClass = b.prepare('UPDATE log_events SET class = ? WHERE id = ?');
    for (const c of classes) setClass.run(c.class, c.id);
    const p = packSql();
    b.exec(`ALTER TABLE log_events RENAME TO old; ${logEventsTableSql('log_events')}
      INSERT INTO log_events (id, ${LOG_STORED_COLUMNS.join(', ')})
      SELECT id, ${LOG_STORED_COLUMNS.slice(0, -3).join(', ')}, ${p.packed}, ${p.docker}, ${p.other} FROM old ORDER BY id`);
    expect(b.prepare(READ).all()).toEqual(a.prepare(READ).all());
    const all = 'SELECT * FROM log_events ORDER BY id';
    expect(b.prepare(all).all()).toEqual(a.prepare(all).all());
  });

  it('SELECT * lists the familiar columns in their old places, the stored ones after them', () => {
    const db = written([CASES[0][1]]);
    const names = db.prepare('SELECT * FROM log_events').columns().map((c) => c.name);
    expect(names).toEqual(['id', 'file_id', 'line_no', 'line_count', ...Object.keys(RAW_TABLES.log_events.columns), 'in_block', 'packed', 'packed_docker_ts', 'packed_other']);
  });
});
