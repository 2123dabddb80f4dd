import { describe, expect, it } from 'vitest';
import { TestDb } from '../../testing.js';
import { findLogs, groupCoverage, K, RISK } from './logs.js';
import { localToUtc, generatedMs } from './time-zones.js';
import { addLogs } from './testing.js';

const IN = '2025-11-27T10:00:00.000Z';

describe('findLogs', () => {
  it.each<[string, (t: TestDb) => void, number]>([
    ['a record of the service in the block', (t) => addLogs(t, 'cdb_risk', [[IN, '📨 Signal empfangen: BTC_USDT BUY']]), 1],
    ['not yet marked by the model builder (in_block NULL) counts by time', (t) => t.insert('log_events', { file_id: 1, line_no: 1, service: 'cdb_risk', ts: IN, message: '📨 Signal empfangen: BTC_USDT BUY', in_block: null }), 1],
    ['marked outside the block stays out', (t) => addLogs(t, 'cdb_risk', [[IN, '📨 Signal empfangen: BTC_USDT BUY']], { inBlock: 0 }), 0],
    ['before the block', (t) => addLogs(t, 'cdb_risk', [['2025-11-20T10:00:00.000Z', '📨 Signal empfangen: BTC_USDT BUY']]), 0],
    ['another service', (t) => addLogs(t, 'cdb_core', [[IN, '📨 Signal empfangen: BTC_USDT BUY']], { logger: 'signal_engine' }), 0],
    ['a POSIX signal number is not a trade signal', (t) => addLogs(t, 'cdb_risk', [[IN, 'Signal empfangen: 15']]), 0],
    ['a health poll never counts', (t) => addLogs(t, 'cdb_risk', [[IN, '📨 Signal empfangen: BTC_USDT BUY']], { kind: 'health_poll' }), 0],
    [
      'a bare capture without service name, found by its logger',
      (t) => {
        addLogs(t, 'cdb_risk', [['2025-11-26T00:00:00.000Z', 'Config validiert ✓']]);
        t.insert('log_events', { file_id: 1, line_no: 9, service: null, logger: 'risk_manager', ts: IN, message: '📨 Signal empfangen: BTC_USDT BUY', in_block: 1 });
      },
      1,
    ],
  ])('%s', (_n, setup, n) => {
    const t = new TestDb();
    t.file('logs/risk.log');
    setup(t);
    expect(findLogs(t.context(), { group: RISK, classes: K.riskReceived })).toHaveLength(n);
  });

  it('coverage falls back to the logger when no record carries the service name', () => {
    const t = new TestDb();
    t.file('logs/risk.log');
    t.insert('log_events', { file_id: 1, line_no: 1, service: null, logger: 'risk_manager', ts: '2025-11-26T00:00:00.000Z', message: 'a', in_block: 1 });
    t.insert('log_events', { file_id: 1, line_no: 2, service: null, logger: 'risk_manager', ts: '2025-11-27T12:00:00.000Z', message: 'b', in_block: 1 });
    const c = groupCoverage(t.context(), RISK)!;
    expect(c).toMatchObject({ from: '2025-11-26T00:00:00.000Z', to: '2025-11-27T12:00:00.000Z', records: 2 });
    expect(c.fraction).toBeCloseTo(0.5, 2);
  });
});

describe('time zones', () => {
  it.each<[string, string | null, string | null, string | null]>([
    ['local winter (CET)', '2025-12-14 21:23:38', null, '2025-12-14T20:23:38.000Z'],
    ['local summer (CEST)', '2025-07-14 21:23:38', null, '2025-07-14T19:23:38.000Z'],
    ['local just after midnight is the previous UTC day', '2025-12-15 00:30:00', null, '2025-12-14T23:30:00.000Z'],
    ['ISO with Z', '2025-12-22T00:00:00.029Z', null, '2025-12-22T00:00:00.029Z'],
    ['naive but said to be UTC', '2025-12-22 00:00:00', 'UTC', '2025-12-22T00:00:00.000Z'],
    ['unparsable', 'yesterday', null, null],
  ])('%s', (_n, text, zone, expected) => {
    const v = generatedMs(text, zone);
    expect(v == null ? null : new Date(v).toISOString()).toBe(expected);
  });

  it('localToUtc handles the spring-forward day', () => {
    expect(new Date(localToUtc('2026-03-29 12:00:00')!).toISOString()).toBe('2026-03-29T10:00:00.000Z');
  });
});
