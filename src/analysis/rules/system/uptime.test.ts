import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addContainer, fileId } from '../../rule-testing.js';
import rule, { parseDockerDuration } from './uptime.js';

type Setup = (t: TestDb) => void;

const DAY = 86400;

function redisUptime(t: TestDb, seconds: number): void {
  t.insert('redis_info', { file_id: fileId(t, 'redis/info_server.txt'), section: 'server', key: 'uptime_in_seconds', value: String(seconds) });
}

describe('uptime', () => {
  it.each([
    ['22 hours ago', 22 * 3600],
    ['About an hour', 3600],
    ['Less than a second ago', 0],
    ['3 days', 3 * DAY],
    ['2 weeks ago', 14 * DAY],
    ['garbage', null],
  ])('parseDockerDuration(%j)', (text, s) => expect(parseDockerDuration(text)).toBe(s));

  const fires: [string, Setup, string, string][] = [
    ['created 22 hours ago, Up 4 hours (formats doc §8)', (t) => addContainer(t, { name: 'cdb_core', service: 'cdb_core', running_for: '22 hours ago', status: 'Up 4 hours (healthy)', up_seconds: 4 * 3600 }), 'restarted.cdb_core', 'warn'],
    ['inspect StartedAt inside the block', (t) => addContainer(t, { name: 'cdb_risk', service: 'cdb_risk', started_at: '2025-11-27T10:00:00.000Z', status: 'Up 30 hours', up_seconds: 30 * 3600, source: 'inspect' }), 'restarted.cdb_risk', 'warn'],
    ['Redis up for less than the block', (t) => redisUptime(t, 5 * 3600), 'redis-uptime', 'warn'],
  ];
  it.each(fires)('fires: %s', (_n, setup, subject, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.findings!.map((f) => f.subject)).toContain(subject);
    expect(r.status).toBe(status);
    expect(r.hypotheses![0].cause).toBe('system.restart_during_block');
  });

  it.each<[string, Setup, string, string, string]>([
    [
      'a restart since creation, in durations',
      (t) => addContainer(t, { name: 'cdb_core', service: 'cdb_core', running_for: '22 hours ago', status: 'Up 4 hours (healthy)', up_seconds: 4 * 3600 }),
      'restarted.cdb_core',
      'cdb_core: created 22 h ago but up only 4 h: restarted about 4 h before the capture',
      'cdb_core: vor 22 Std. angelegt, aber erst seit 4 Std. oben: etwa 4 Std. vor dem Mitschnitt neu gestartet',
    ],
    [
      'a start inside the block, as a date',
      (t) => addContainer(t, { name: 'cdb_risk', service: 'cdb_risk', started_at: '2025-11-27T10:00:00.000Z', status: 'Up 30 hours', up_seconds: 30 * 3600, source: 'inspect' }),
      'restarted.cdb_risk',
      'cdb_risk: started at 2025-11-27 10:00 UTC, inside the block',
      'cdb_risk: gestartet am 27.11.2025 10:00 UTC, innerhalb des Blocks',
    ],
    [
      'Redis up for less than the block',
      (t) => redisUptime(t, 5 * 3600),
      'redis-uptime',
      'Redis has been up 5 h, less than the 3 d block: it (re)started during the block (subscribers had to reconnect; without AOF its keys were lost)',
      'Redis läuft seit 5 Std., kürzer als der Block (3 T): es wurde während des Blocks (neu) gestartet (Subscriber mussten sich neu verbinden; ohne AOF gingen seine Keys verloren)',
    ],
  ])('says %s in both languages', (_n, setup, subject, en, de) => {
    const t = new TestDb();
    setup(t);
    const raw = t.run(rule);
    expect(spoken(raw).findings!.find((f) => f.subject === subject)!.message).toBe(en);
    expect(spoken(raw, 'de').findings!.find((f) => f.subject === subject)!.message).toBe(de);
  });

  const quiet: [string, Setup][] = [
    ['created and up the same time (docker rounding)', (t) => addContainer(t, { name: 'cdb_core', service: 'cdb_core', running_for: '7 hours ago', status: 'Up 7 hours (healthy)', up_seconds: 7 * 3600 })],
    ['up longer than the block', (t) => {
      addContainer(t, { name: 'cdb_core', service: 'cdb_core', running_for: '5 days ago', status: 'Up 5 days (healthy)', up_seconds: 5 * DAY });
      redisUptime(t, 6 * DAY);
    }],
    ['About an hour vs 59 minutes', (t) => addContainer(t, { name: 'cdb_ws', service: 'cdb_ws', running_for: 'About an hour ago', status: 'Up 59 minutes', up_seconds: 59 * 60 })],
  ];
  it.each(quiet)('does not fire: %s', (_n, setup) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe('ok');
    expect(r.findings).toEqual([]);
    expect(r.hypotheses).toEqual([]);
  });

  it('average uptime against the block', () => {
    const t = new TestDb();
    addContainer(t, { name: 'a', service: 'cdb_core', running_for: '5 days ago', status: 'Up 5 days', up_seconds: 5 * DAY });
    addContainer(t, { name: 'b', service: 'cdb_risk', running_for: '36 hours ago', status: 'Up 36 hours', up_seconds: 1.5 * DAY });
    const r = spoken(t.run(rule));
    // (1 + 0.5) / 2, block of 3 days
    expect(r.metrics!.uptime_avg_pct).toBeCloseTo(75, 0);
  });

  it('likelihood drops when the redis evidence is removed', () => {
    const both = new TestDb();
    addContainer(both, { name: 'cdb_core', service: 'cdb_core', running_for: '22 hours ago', status: 'Up 4 hours', up_seconds: 4 * 3600 });
    redisUptime(both, 3600);
    const one = new TestDb();
    addContainer(one, { name: 'cdb_core', service: 'cdb_core', running_for: '22 hours ago', status: 'Up 4 hours', up_seconds: 4 * 3600 });
    const order = ['very_likely', 'likely', 'possible', 'unlikely'];
    expect(order.indexOf(one.run(rule).hypotheses![0].likelihood)).toBeGreaterThan(order.indexOf(both.run(rule).hypotheses![0].likelihood));
  });

  it('not evaluable without compose ps and INFO', () => expect(new TestDb().run(rule).status).toBe('not_evaluable'));
});
