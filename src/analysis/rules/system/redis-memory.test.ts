import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addHealthPolls, addLog, addSetting, at, fileId } from '../../rule-testing.js';
import rule from './redis-memory.js';

type Setup = (t: TestDb) => void;

function info(t: TestDb, kv: Record<string, string>): void {
  const f = fileId(t, 'redis/info_memory.txt');
  for (const [key, value] of Object.entries(kv)) t.insert('redis_info', { file_id: f, section: 'memory', key, value });
}

/** The real fixture's values (shared/fixtures/real-tools/redis/info_memory.txt). */
const HEALTHY = { used_memory: '1104248', maxmemory: '268435456', maxmemory_policy: 'allkeys-lru', evicted_keys: '0' };

describe('redis-memory', () => {
  const fires: [string, Setup, string, string, string][] = [
    ['evictions in INFO stats', (t) => info(t, { ...HEALTHY, evicted_keys: '5123' }), 'evictions', 'medium', 'warn'],
    ['memory at 95 % of maxmemory', (t) => info(t, { ...HEALTHY, used_memory: String(Math.round(268435456 * 0.95)) }), 'used-memory', 'medium', 'warn'],
    [
      'evictions and an emptied stream (era B)',
      (t) => {
        info(t, { ...HEALTHY, evicted_keys: '88' });
        t.insert('redis_kv', { file_id: fileId(t, 'redis/xlen.txt'), kind: 'xlen', key: 'stream.fills', value: '0' });
      },
      'evictions',
      'high',
      'fail',
    ],
    [
      'runbook "maxmemory reached" lines',
      (t) => {
        info(t, HEALTHY);
        for (const m of [10, 20, 30]) addLog(t, { service: 'cdb_redis', ts: at(1800 + m), kind: 'redis', level: 'warning', message: 'maxmemory reached' });
      },
      'maxmemory-lines',
      'low',
      'warn',
    ],
  ];
  it.each(fires)('fires: %s', (_n, setup, subject, severity, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.findings!.find((f) => f.subject === subject)!.severity).toBe(severity);
    expect(r.status).toBe(status);
  });

  it.each<[string, Setup, string, string, string]>([
    [
      'evictions with an emptied stream',
      (t) => {
        info(t, { ...HEALTHY, evicted_keys: '5123' });
        t.insert('redis_kv', { file_id: fileId(t, 'redis/xlen.txt'), kind: 'xlen', key: 'stream.fills', value: '0' });
      },
      'evictions',
      'Redis evicted 5,123 keys (policy allkeys-lru); Redis logs nothing when it does, and stream.fills read empty: stream entries are gone',
      'Redis hat 5.123 Keys verdrängt (Policy allkeys-lru); Redis loggt dabei nichts, und stream.fills sind leer: Stream-Einträge sind verloren',
    ],
    [
      'memory near the limit',
      (t) => info(t, { ...HEALTHY, used_memory: String(Math.round(268435456 * 0.95)) }),
      'used-memory',
      'Redis uses 95 % of maxmemory (255,013,683 of 268,435,456 bytes, policy allkeys-lru)',
      'Redis belegt 95 % von maxmemory (255.013.683 von 268.435.456 Bytes, Policy allkeys-lru)',
    ],
  ])('says %s with grouped numbers in both languages', (_n, setup, subject, en, de) => {
    const t = new TestDb();
    setup(t);
    const raw = t.run(rule);
    expect(spoken(raw).findings!.find((f) => f.subject === subject)!.message).toBe(en);
    expect(spoken(raw, 'de').findings!.find((f) => f.subject === subject)!.message).toBe(de);
  });

  it('the to-do edits the compose command, never REDIS_MAXMEMORY', () => {
    const t = new TestDb();
    info(t, { ...HEALTHY, evicted_keys: '10' });
    addSetting(t, 'REDIS_MAXMEMORY', '512mb');
    const r = spoken(t.run(rule));
    expect(r.todos![0].where).toMatch(/docker-compose\.yml cdb_redis command/);
    expect(r.todos!.some((x) => /^\.env/.test(x.where))).toBe(false);
    expect(r.findings!.find((f) => f.subject === 'redis-maxmemory-setting')!.message).toMatch(/no service reads it/);
  });

  it('only runbook warnings give an unlikely hypothesis; evictions raise it; none without evidence', () => {
    const lk = (setup: Setup) => {
      const t = new TestDb();
      setup(t);
      return spoken(t.run(rule)).hypotheses?.[0]?.likelihood ?? 'absent';
    };
    const line = (t: TestDb) => addLog(t, { service: 'cdb_redis', ts: at(100), kind: 'redis', message: 'maxmemory reached' });
    expect(lk((t) => { info(t, { ...HEALTHY, evicted_keys: '50', used_memory: String(268435456) }); line(t); })).toBe('very_likely');
    expect(lk((t) => { info(t, { ...HEALTHY, evicted_keys: '50' }); line(t); })).toBe('likely');
    expect(lk((t) => { info(t, HEALTHY); line(t); })).toBe('unlikely');
    expect(lk((t) => info(t, HEALTHY))).toBe('absent');
  });

  const quiet: [string, Setup, string][] = [
    ['the real healthy INFO capture', (t) => info(t, HEALTHY), 'ok'],
    ['a quiet redis log over the block', (t) => addHealthPolls(t, 'cdb_redis', 0, 4300), 'ok'],
  ];
  it.each(quiet)('does not fire: %s', (_n, setup, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe(status);
    expect(r.findings ?? []).toEqual([]);
  });

  it('not evaluable without INFO and redis logs', () => {
    expect(new TestDb().run(rule).status).toBe('not_evaluable');
  });
});
