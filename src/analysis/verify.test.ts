import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.js';
import type { Expectation } from './define-rule.js';
import { TestDb } from './testing.js';
import { addHealthPolls, addLog, addLogs, addMarket, at, fileId } from './rule-testing.js';
import { compare, runChecks } from './verify.js';

describe('compare', () => {
  it.each<[number, Expectation, boolean]>([
    [11, { op: '>', value: 10 }, true],
    [10, { op: '>', value: 10 }, false],
    [10, { op: '>=', value: 10 }, true],
    [0, { op: '==', value: 0 }, true],
    [104, { op: '==', value: 100, tolerance: 5 }, true],
    [106, { op: '==', value: 100, tolerance: 5 }, false],
    [3, { op: '!=', value: 0 }, true],
    [9, { op: '<', value: 10 }, true],
    [10, { op: '<=', value: 10 }, true],
  ])('%d %j → %s', (v, e, ok) => expect(compare(v, e)).toBe(ok));
});

describe('runChecks', () => {
  it('runs SQL and log checks; health polls are never matched; writes are refused', () => {
    const t = new TestDb();
    for (let m = 0; m < 20; m++) addMarket(t, { ts: at(m) });
    addLog(t, { service: 'cdb_ws', ts: at(1), message: 'STUB mode: No external WS connections' });
    addHealthPolls(t, 'cdb_ws', 0, 100, 10);
    const out = runChecks(t.db, [
      { id: 'a', title: 'md', kind: 'sql', check: 'SELECT COUNT(*) FROM market_data WHERE in_block = 1', expect: { op: '>', value: 10 } },
      { id: 'b', title: 'stub', kind: 'log', check: 'STUB mode', expect: { op: '==', value: 0 } },
      { id: 'c', title: 'polls', kind: 'log', check: 'GET /health', expect: { op: '==', value: 0 } },
      { id: 'd', title: 'write', kind: 'sql', check: 'DELETE FROM market_data', expect: { op: '==', value: 0 } },
      { id: 'e', title: 'bad', kind: 'sql', check: 'SELECT COUNT(*) FROM no_such_table', expect: { op: '==', value: 0 } },
    ]);
    expect(out.map((o) => [o.id, o.status, o.value])).toEqual([
      ['a', 'pass', 20],
      ['b', 'fail', 1],
      ['c', 'pass', 0],
      ['d', 'error', null],
      ['e', 'error', null],
    ]);
    expect(out[3].message).toMatch(/read-only/);
    expect(t.db.prepare('SELECT COUNT(*) AS n FROM market_data').get()).toEqual({ n: 20 });
  });

  it('every check the analysis proposes runs on a working database', () => {
    const t = new TestDb();
    const put = t.db.prepare('INSERT INTO block (key, value) VALUES (?, ?)');
    put.run('from', '2025-11-26T00:00:00.000Z');
    put.run('to', '2025-11-28T23:59:59.999Z');
    put.run('era', 'A');
    // evidence that makes many rules speak (and propose checks)
    addLogs(t, { service: 'cdb_core', level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Authentication required.' }, 0, 4300, 30);
    addLog(t, { service: 'cdb_ws', ts: at(1), message: 'STUB mode: No external WS connections' });
    addLogs(t, { service: 'cdb_ws', kind: 'print', message: 'Noch keine Daten – warte auf Klines...' }, 0, 4300, 15);
    addLogs(t, { service: 'cdb_db_writer', level: 'ERROR', message: 'Failed to persist trade: server closed the connection unexpectedly' }, 100, 4000, 60);
    t.insert('redis_info', { file_id: fileId(t, 'redis/info.txt'), key: 'evicted_keys', value: '12' });
    const m = analyze(t.db, { now: '2025-12-01T00:00:00.000Z', toolVersion: '0' });
    expect(m.verification.length).toBeGreaterThan(5);
    const out = runChecks(t.db, m.verification);
    expect(out.filter((o) => o.status === 'error').map((o) => `${o.id}: ${o.message}`)).toEqual([]);
  });
});
