import { describe, expect, it } from 'vitest';
import { captureText, listSnapshots, runningForMs, type Snapshot } from './snapshots.js';
import { render } from '../i18n/translate.js';
import { TestDb } from './testing.js';

const BLOCK = { from: '2025-12-10T00:00:00.000Z', to: '2025-12-12T23:59:59.999Z' };

describe('snapshots: each capture at its own capture time', () => {
  it.each<[string, (t: TestDb) => void, Partial<Snapshot>]>([
    ['a SUBSCRIBE capture after the block is the state at collection', (t) => {
      const f = t.file('redis/subscribe_market_data.txt');
      for (const s of ['08:14:00', '08:14:30']) t.insert('redis_messages', { file_id: f, source: 'subscribe', channel: 'market_data', payload_ts: `2025-12-13T${s}.000Z`, in_block: 0 });
    }, { kind: 'redis_capture', captured_at: '2025-12-13T08:14:30Z', during_block: false, when: 'at_collection', first_event: '2025-12-13T08:14:00Z' }],
    ['a MONITOR capture inside the block', (t) => {
      const f = t.file('redis/monitor.txt');
      t.insert('redis_messages', { file_id: f, source: 'monitor', channel: 'market_data', ts: '2025-12-11T14:21:55.120Z' });
    }, { kind: 'redis_capture', captured_at: '2025-12-11T14:21:55Z', during_block: true, when: 'during_block', captured_by: 'last monitor event' }],
    ['an XRANGE whose entries start in the block saw the block, though it was run after it', (t) => {
      const f = t.file('redis/xrange.txt');
      t.insert('redis_messages', { file_id: f, source: 'xrange', channel: 'stream.fills', ts: '2025-12-10T09:00:00.000Z' });
      t.insert('redis_messages', { file_id: f, source: 'xrange', channel: 'stream.fills', ts: '2025-12-13T07:00:00.000Z' });
    }, { kind: 'redis_capture', captured_at: '2025-12-13T07:00:00Z', during_block: true }],
    ['INFO with server_time_usec', (t) => {
      const f = t.file('redis/info.txt');
      t.insert('redis_info', { file_id: f, section: 'Server', key: 'server_time_usec', value: String(Date.parse('2025-12-13T08:14:00Z') * 1000 + 123) });
    }, { kind: 'redis_info', captured_at: '2025-12-13T08:14:00Z', during_block: false, when: 'at_collection', captured_by: 'INFO server_time_usec' }],
    ['INFO without a clock: unknown, never assumed', (t) => {
      const f = t.file('redis/info.txt');
      t.insert('redis_info', { file_id: f, section: 'Server', key: 'uptime_in_seconds', value: '293496' });
    }, { kind: 'redis_info', captured_at: null, during_block: null, when: 'unknown' }],
    ['compose ps JSON: CreatedAt + RunningFor', (t) => {
      const f = t.file('ps/compose_ps.json');
      t.insert('containers', { file_id: f, source: 'compose_ps_json', name: 'cdb_ws', state: 'running', created_at: '2025-12-10T00:00:01.000Z', running_for: '3 days ago' });
    }, { kind: 'containers', captured_at: '2025-12-13T00:00:01Z', during_block: false, when: 'at_collection' }],
    ['a docker ps table inside a host report: the report\'s time', (t) => {
      const f = t.file('reports/report_20251211.md');
      t.insert('daily_report_values', { file_id: f, report_kind: 'daily_check', generated_at: '2025-12-11T20:30:11.000Z', key: 'Signals Today', value_num: 3 });
      t.insert('containers', { file_id: f, source: 'daily_check_ps', name: 'cdb_ws', state: 'restarting', status: 'Restarting (1) 5 seconds ago' });
    }, { kind: 'containers', captured_at: '2025-12-11T20:30:11Z', during_block: true, captured_by: "the report's generation time" }],
    ['a status JSON with a timestamp', (t) => {
      const f = t.file('status/risk.json');
      t.insert('service_status', { file_id: f, service: 'cdb_risk', key: 'timestamp', value: String(Date.parse('2025-12-09T12:00:00Z') / 1000) });
    }, { kind: 'status_json', captured_at: '2025-12-09T12:00:00Z', during_block: false, when: 'before_block' }],
    ['a console transcript with clocked lines', (t) => {
      const f = t.file('console/session.txt');
      t.insert('log_events', { file_id: f, kind: 'console_command', message: 'docker compose ps', ts: '2025-12-13T08:10:00.000Z' });
    }, { kind: 'console', captured_at: '2025-12-13T08:10:00Z', when: 'at_collection' }],
  ])('%s', (_n, setup, want) => {
    const t = new TestDb();
    setup(t);
    const s = listSnapshots(t.db, BLOCK);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject(want);
    // How the time was read is keyed text (shown in the report's language), or absent without a clock.
    if (s[0].captured_by === null) expect(s[0].texts).toBeUndefined();
    else expect(render('en', s[0].texts!.captured_by)).toBe(s[0].captured_by);
  });

  it.each<[string, (t: TestDb) => void, string]>([
    ['compose ps JSON', (t) => {
      t.insert('containers', { file_id: t.file('ps/compose_ps.json'), source: 'compose_ps_json', name: 'cdb_ws', state: 'running', created_at: '2025-12-10T00:00:01.000Z', running_for: '3 days ago' });
    }, 'CreatedAt + RunningFor ("3 days ago", auf den Tag genau)'],
    ['a MONITOR capture', (t) => {
      t.insert('redis_messages', { file_id: t.file('redis/monitor.txt'), source: 'monitor', channel: 'market_data', ts: '2025-12-11T14:21:55.120Z' });
    }, 'letztes monitor-Event'],
  ])('how the time was read, in German: %s', (_n, setup, want) => {
    const t = new TestDb();
    setup(t);
    expect(render('de', listSnapshots(t.db, BLOCK)[0].texts!.captured_by)).toBe(want);
  });

  it('the paper runner\'s JSONL event log is a log, not a snapshot', () => {
    const t = new TestDb();
    t.insert('redis_messages', { file_id: t.file('logs/events/events_20251210.jsonl'), source: 'jsonl', channel: 'signals', ts: '2025-12-10T01:00:00.000Z' });
    expect(listSnapshots(t.db, BLOCK)).toEqual([]);
  });

  it.each<[string | null, string]>([
    ['3 days ago', String(3 * 86_400_000)],
    ['About an hour ago', String(3_600_000)],
    ['45 minutes ago', String(45 * 60_000)],
    ['2 weeks ago', String(14 * 86_400_000)],
    [null, 'null'],
    ['yesterday', 'null'],
  ])('RunningFor %s → %s ms', (s, ms) => expect(String(runningForMs(s))).toBe(ms));

  it.each<[string, boolean, string, string]>([
    ['2025-12-13T08:14:30Z', false, 'at collection, 2025-12-13 08:14:30 UTC', 'bei der Sammlung, 13.12.2025 08:14:30 UTC'],
    ['2025-12-11T10:00:00Z', true, 'at 2025-12-11 10:00 UTC, during the block', 'um 11.12.2025 10:00 UTC, während des Blocks'],
    ['2025-12-09T10:00:00Z', false, 'before the block, 2025-12-09 10:00 UTC', 'vor dem Block, 09.12.2025 10:00 UTC'],
  ])('keyed label of a capture at %s', (at, during, en, de) => {
    const s = { kind: 'containers', file_id: 1, file: 'x', line: 1, captured_at: at, captured_by: null, during_block: during, when: 'unknown', first_event: null, last_event: null } as Snapshot;
    const t = captureText(s, BLOCK)!;
    expect([render('en', t), render('de', t)]).toEqual([en, de]);
  });
});
