import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { schemaSql } from '../db/schema.js';
import { storedLogRow } from '../db/log-shape.js';
import { rebuildHourly } from '../catalog/reclassify.js';
import { severalFiles, storeEachEventOnce } from './copies.js';

/** [service, app time text (null: none), message, docker stamp?] */
type Rec = [string, string | null, string, string?];

function dbWith(files: Record<string, Rec[]>, order: string[] = Object.keys(files)) {
  const db = new Database(':memory:');
  db.exec(schemaSql());
  db.prepare("INSERT INTO bundles (id, root, name, kind) VALUES (1, '/b', 'b', 'dir')").run();
  const ids: Record<string, number> = {};
  for (const path of order) {
    const recs = files[path];
    const fid = Number(db.prepare("INSERT INTO manifest (bundle_id, path, lines, records, record_lines, status) VALUES (1, ?, ?, ?, ?, 'ingested')").run(path, recs.length, recs.length, recs.length).lastInsertRowid);
    ids[path] = fid;
    insertFile(db, fid, recs);
  }
  return { db, ids };
}

function insertFile(db: Database.Database, fid: number, recs: Rec[]): void {
  const ins = db.prepare(
    'INSERT INTO log_events (file_id, line_no, line_count, service, ts, ts_text, level, message, packed, packed_docker_ts, packed_other) VALUES (@file_id, @line_no, 1, @service, @ts, @ts_text, @level, @message, @packed, @packed_docker_ts, @packed_other)',
  );
  recs.forEach(([service, at, message, stamp], i) => {
    const ts = at ? at.replace(' ', 'T').replace(',', '.') + 'Z' : stamp ?? null;
    ins.run(storedLogRow({ file_id: fid, line_no: i + 1, service, ts, ts_text: at, docker_ts: stamp ?? null, level: at ? 'INFO' : null, message, kind: at ? 'app' : 'print' }));
  });
  db.prepare(
    `INSERT INTO log_hourly (file_id, service, hour, kind, level, n) SELECT file_id, service, substr(ts, 1, 13), kind, level, COUNT(*) FROM log_events WHERE file_id = ? GROUP BY 2, 3, 4, 5`,
  ).run(fid);
}

/** Per file: which of its lines stayed, and for each copy the (file, line) of the event it copies. */
function outcome(db: Database.Database) {
  const kept = db.prepare('SELECT m.path, e.line_no FROM log_events e JOIN manifest m ON m.id = e.file_id ORDER BY m.path, e.line_no').all() as { path: string; line_no: number }[];
  const copies = db
    .prepare(
      `SELECT m.path, c.line_no, em.path AS epath, e.line_no AS eline FROM copies c JOIN manifest m ON m.id = c.file_id
       JOIN log_events e ON e.id = c.event_id JOIN manifest em ON em.id = e.file_id ORDER BY m.path, c.line_no`,
    )
    .all() as { path: string; line_no: number; epath: string; eline: number }[];
  const out: Record<string, { kept: number[]; copies: string[] }> = {};
  for (const k of kept) (out[k.path] ??= { kept: [], copies: [] }).kept.push(k.line_no);
  for (const c of copies) (out[c.path] ??= { kept: [], copies: [] }).copies.push(`${c.line_no}→${c.epath}:${c.eline}`);
  return out;
}

const R = 'cdb_risk';
const WS = 'cdb_ws';
const t = (s: number) => `2025-12-16 14:02:${String(s).padStart(2, '0')},100`;
const stamp = (s: number, ms = 101) => `2025-12-16T14:02:${String(s).padStart(2, '0')}.${ms}Z`;
const risk: Rec[] = [
  [R, t(1), '📨 Signal empfangen: BTC_USDT BUY'],
  [R, t(1), '✅ Order freigegeben: BTC_USDT BUY qty=350.0000'],
  [R, t(2), '📨 Signal empfangen: ETH_USDT BUY'],
  [R, t(2), '✅ Order freigegeben: ETH_USDT BUY qty=1.0000'],
];
const wsLog: Rec[] = [
  [WS, null, '[WS] Connecting chunk (attempt 1)...', stamp(0)],
  [WS, null, '[WS] Disconnected (attempt 1)', stamp(1)],
  [WS, null, '[WS] Connecting chunk (attempt 1)...', stamp(2)],
  [WS, '2025-12-16 14:02:03 UTC', '[2025-12-16 14:02:03 UTC] Top movers (15m):', stamp(3)],
  [WS, null, '[WS] Disconnected (attempt 1)', stamp(4)],
  [WS, null, '[WS] Connecting chunk (attempt 1)...', stamp(5)],
  [WS, '2025-12-16 14:02:06 UTC', '[2025-12-16 14:02:06 UTC] Top movers (15m):', stamp(6)],
  [WS, null, '[WS] Disconnected (attempt 1)', stamp(7)],
];
const unstamped = (recs: Rec[]): Rec[] => recs.map(([s, at, m]) => [s, at, m]);

describe('storeEachEventOnce: each event stored once, copies listed', () => {
  it.each<[string, Record<string, Rec[]>, string[] | undefined, Record<string, { kept: number[]; copies: string[] }>]>([
    [
      'one log in two files: the second is all copies',
      { 'a.txt': risk, 'b.txt': risk },
      undefined,
      { 'a.txt': { kept: [1, 2, 3, 4], copies: [] }, 'b.txt': { kept: [], copies: ['1→a.txt:1', '2→a.txt:2', '3→a.txt:3', '4→a.txt:4'] } },
    ],
    [
      'three copies: every copy points at the first file',
      { 'a.txt': risk, 'b.txt': risk, 'c.txt': risk.slice(2) },
      undefined,
      {
        'a.txt': { kept: [1, 2, 3, 4], copies: [] },
        'b.txt': { kept: [], copies: ['1→a.txt:1', '2→a.txt:2', '3→a.txt:3', '4→a.txt:4'] },
        'c.txt': { kept: [], copies: ['1→a.txt:3', '2→a.txt:4'] },
      },
    ],
    [
      'path order decides which file keeps the event, not the order files were read',
      { 'b.txt': risk, 'a.txt': risk.slice(0, 2) },
      ['b.txt', 'a.txt'],
      { 'a.txt': { kept: [1, 2], copies: [] }, 'b.txt': { kept: [3, 4], copies: ['1→a.txt:1', '2→a.txt:2'] } },
    ],
    [
      'repeats within one file are real: never merged, matched occurrence by occurrence',
      { 'a.txt': [risk[0], risk[0]], 'b.txt': [risk[0], risk[0], risk[0]] },
      undefined,
      { 'a.txt': { kept: [1, 2], copies: [] }, 'b.txt': { kept: [3], copies: ['1→a.txt:1', '2→a.txt:2'] } },
    ],
    [
      'a different message at the same time is another event',
      { 'a.txt': risk.slice(0, 1), 'b.txt': [[R, t(1), '📨 Signal empfangen: LTC_USDT BUY']] },
      undefined,
      { 'a.txt': { kept: [1], copies: [] }, 'b.txt': { kept: [1], copies: [] } },
    ],
    [
      'the same message in another service is another event',
      { 'a.txt': risk.slice(0, 1), 'b.txt': [['cdb_core', t(1), risk[0][2]]] },
      undefined,
      { 'a.txt': { kept: [1], copies: [] }, 'b.txt': { kept: [1], copies: [] } },
    ],
    [
      'prints without a clock align on the message sequence around timed anchors (stamped vs unstamped copy)',
      { 'a.txt': wsLog, 'b.txt': unstamped(wsLog) },
      undefined,
      { 'a.txt': { kept: [1, 2, 3, 4, 5, 6, 7, 8], copies: [] }, 'b.txt': { kept: [], copies: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `${n}→a.txt:${n}`) } },
    ],
    [
      'a --since save that starts between anchors: its leading prints are placed by the anchor after them',
      { 'a.txt': unstamped(wsLog), 'b.txt': wsLog.slice(4) },
      undefined,
      { 'a.txt': { kept: [1, 2, 3, 4, 5, 6, 7, 8], copies: [] }, 'b.txt': { kept: [], copies: ['1→a.txt:5', '2→a.txt:6', '3→a.txt:7', '4→a.txt:8'] } },
    ],
    [
      'a service with no clock at all aligns from the top',
      { 'a.txt': wsLog.slice(0, 3), 'b.txt': unstamped(wsLog.slice(0, 3)) },
      undefined,
      { 'a.txt': { kept: [1, 2, 3], copies: [] }, 'b.txt': { kept: [], copies: ['1→a.txt:1', '2→a.txt:2', '3→a.txt:3'] } },
    ],
  ])('%s', (_case, files, order, want) => {
    const { db } = dbWith(files, order);
    storeEachEventOnce(db);
    expect(outcome(db)).toEqual(want);
  });

  it('accounts for copies in the manifest and rebuilds the hourly rollup without them', () => {
    const { db, ids } = dbWith({ 'a.txt': risk, 'b.txt': [...risk, [R, t(9), 'only in b']] });
    const s = storeEachEventOnce(db);
    expect(s.copies).toBe(4);
    expect(s.files).toEqual([{ file_id: ids['b.txt'], path: 'b.txt', copies: 4, copy_lines: 4 }]);
    const m = db.prepare("SELECT records, record_lines, copies, copy_lines, lines FROM manifest WHERE path = 'b.txt'").get();
    expect(m).toEqual({ records: 1, record_lines: 1, copies: 4, copy_lines: 4, lines: 5 });
    expect(db.prepare('SELECT file_id, SUM(n) AS n FROM log_hourly GROUP BY file_id ORDER BY file_id').all()).toEqual([
      { file_id: ids['a.txt'], n: 4 },
      { file_id: ids['b.txt'], n: 1 },
    ]);
    // The copy's own row is kept beside, so it can be read back.
    expect(db.prepare('SELECT COUNT(*) AS n FROM copy_log_events WHERE file_id = ?').get(ids['b.txt'])).toEqual({ n: 4 });
  });

  it('the rebuilt rollup keeps each record\'s event class, as the writer counts it', () => {
    const { db, ids } = dbWith({ 'a.txt': risk, 'b.txt': [...risk, [R, t(9), 'only in b']] });
    db.exec("UPDATE log_events SET class = CASE WHEN message = 'only in b' THEN 'test.unique' ELSE 'test.shared' END");
    db.exec('DELETE FROM log_hourly');
    for (const id of Object.values(ids)) rebuildHourly(db, id);
    storeEachEventOnce(db);
    expect(db.prepare('SELECT file_id, class, SUM(n) AS n FROM log_hourly GROUP BY 1, 2 ORDER BY 1, 2').all()).toEqual([
      { file_id: ids['a.txt'], class: 'test.shared', n: 4 },
      { file_id: ids['b.txt'], class: 'test.unique', n: 1 },
    ]);
  });

  it('is idempotent, and a file parsed again is matched afresh', () => {
    const { db, ids } = dbWith({ 'a.txt': risk, 'b.txt': risk, 'c.txt': risk });
    storeEachEventOnce(db);
    const first = outcome(db);
    expect(storeEachEventOnce(db, false).copies).toBe(0);
    storeEachEventOnce(db, true);
    expect(outcome(db)).toEqual(first);
    // a.txt read again (as the engine does: its rows dropped, then parsed anew): b and c copy it still.
    const reparse = (path: string) => {
      db.prepare('DELETE FROM log_events WHERE file_id = ?').run(ids[path]);
      db.prepare('DELETE FROM log_hourly WHERE file_id = ?').run(ids[path]);
      insertFile(db, ids[path], risk);
      db.prepare('UPDATE manifest SET records = 4, record_lines = 4 WHERE id = ?').run(ids[path]);
    };
    reparse('a.txt');
    storeEachEventOnce(db, true);
    expect(outcome(db)).toEqual(first);
    // b.txt read again: its rows are back and its old copies are not restored on top of them.
    reparse('b.txt');
    storeEachEventOnce(db, true);
    expect(outcome(db)).toEqual(first);
    expect(db.prepare('SELECT COUNT(*) AS n FROM log_events').get()).toEqual({ n: 4 });
    expect(db.prepare("SELECT SUM(records) AS r, SUM(copies) AS c FROM manifest").get()).toEqual({ r: 4, c: 8 });
  });

  it.each([
    ['redis_messages', 'INSERT INTO redis_messages (file_id, line_no, line_count, source, channel, payload, price) VALUES (?, ?, 1, ?, ?, ?, ?)', [
      ['subscribe', 'market_data', '{"symbol":"BTC_USDT","price":1.5}', 1.5],
      ['subscribe', 'market_data', '{"symbol":"BTC_USDT","price":1.5}', 1.5],
      ['subscribe', 'signals', '{"symbol":"BTC_USDT"}', null],
    ], [
      ['subscribe', 'market_data', '{"symbol":"BTC_USDT","price":1.5}', 1.5],
      ['subscribe', 'signals', '{"symbol":"BTC_USDT"}', null],
      ['monitor', 'signals', '{"symbol":"BTC_USDT"}', null],
    ]],
  ] as const)('%s saved twice: whole rows matched occurrence by occurrence', (table, sql, a, b) => {
    const { db, ids } = dbWith({ 'a.txt': [], 'b.txt': [] });
    const ins = db.prepare(sql);
    a.forEach((v, i) => ins.run(ids['a.txt'], i + 1, ...v));
    b.forEach((v, i) => ins.run(ids['b.txt'], i + 1, ...v));
    storeEachEventOnce(db);
    expect(db.prepare(`SELECT file_id, line_no FROM ${table} ORDER BY file_id, line_no`).raw().all()).toEqual([
      [ids['a.txt'], 1], [ids['a.txt'], 2], [ids['a.txt'], 3], [ids['b.txt'], 3],
    ]);
    expect(db.prepare('SELECT tbl, file_id, line_no FROM copies ORDER BY line_no').raw().all()).toEqual([
      [table, ids['b.txt'], 1], [table, ids['b.txt'], 2],
    ]);
  });

  it('dump rows saved twice (src_* tables) keep one row per dumped row', () => {
    const { db, ids } = dbWith({ 'a.sql': [], 'b.csv': [] });
    db.exec(`CREATE TABLE src_orders (_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL, id TEXT, status TEXT);
             INSERT INTO src_tables (name, original, columns) VALUES ('src_orders', 'orders', '["id","status"]');`);
    const ins = db.prepare('INSERT INTO src_orders (file_id, line_no, line_count, id, status) VALUES (?, ?, 1, ?, ?)');
    [['1', 'filled'], ['2', 'pending']].forEach((v, i) => ins.run(ids['a.sql'], i + 1, ...v));
    [['1', 'filled'], ['2', 'filled'], ['3', 'pending']].forEach((v, i) => ins.run(ids['b.csv'], i + 2, ...v));
    storeEachEventOnce(db);
    expect(db.prepare('SELECT id, status FROM src_orders ORDER BY _id').raw().all()).toEqual([['1', 'filled'], ['2', 'pending'], ['2', 'filled'], ['3', 'pending']]);
    expect(db.prepare("SELECT file_id, line_no FROM copies WHERE tbl = 'src_orders'").raw().all()).toEqual([[ids['b.csv'], 2]]);
  });
});

describe('severalFiles: rows of more than one file in a table', () => {
  it.each<[string, string[], Record<string, { records: number; logs: number }>, boolean]>([
    ['no rows', [], { 'a.csv': { records: 0, logs: 0 } }, false],
    ['one file', ['a.csv', 'a.csv', 'a.csv'], { 'a.csv': { records: 3, logs: 0 } }, false],
    ['the first and the last row of two files', ['a.csv', 'b.csv'], { 'a.csv': { records: 1, logs: 0 }, 'b.csv': { records: 1, logs: 0 } }, true],
    // A file's copies put back after another file's rows: the same file first and last.
    ['another file between the rows of one', ['a.csv', 'b.csv', 'a.csv'], { 'a.csv': { records: 2, logs: 0 }, 'b.csv': { records: 1, logs: 0 } }, true],
    ['beside files of log records only', ['a.csv', 'a.csv'], { 'a.csv': { records: 2, logs: 0 }, 'x.log': { records: 5, logs: 5 } }, false],
    ['beside a file of other records, none in this table', ['a.csv', 'a.csv'], { 'a.csv': { records: 2, logs: 0 }, 'r.txt': { records: 4, logs: 1 } }, false],
    ['a file of log and other records holds some', ['a.csv', 'r.txt', 'r.txt', 'a.csv'], { 'a.csv': { records: 2, logs: 0 }, 'r.txt': { records: 4, logs: 2 } }, true],
  ])('%s', (_name, rows, files, want) => {
    const db = new Database(':memory:');
    db.exec(schemaSql());
    db.prepare("INSERT INTO bundles (id, root, name, kind) VALUES (1, '/b', 'b', 'dir')").run();
    const ids: Record<string, number> = {};
    for (const [path, f] of Object.entries(files)) {
      ids[path] = Number(db.prepare("INSERT INTO manifest (bundle_id, path, lines, records, record_lines, status) VALUES (1, ?, ?, ?, ?, 'ingested')").run(path, f.records, f.records, f.records).lastInsertRowid);
      if (f.logs) db.prepare("INSERT INTO log_hourly (file_id, service, hour, kind, level, n) VALUES (?, 'svc', '2025-12-16T14', 'app', 'INFO', ?)").run(ids[path], f.logs);
    }
    db.exec('CREATE TABLE src_trades (_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL, id TEXT)');
    const ins = db.prepare('INSERT INTO src_trades (file_id, line_no, line_count, id) VALUES (?, ?, 1, ?)');
    rows.forEach((path, i) => ins.run(ids[path], i + 1, String(i + 1)));
    expect(severalFiles(db, 'src_trades')).toBe(want);
    // What it answers for: more than one distinct file.
    expect((db.prepare('SELECT COUNT(DISTINCT file_id) FROM src_trades').pluck().get() as number) > 1).toBe(want);
  });
});
