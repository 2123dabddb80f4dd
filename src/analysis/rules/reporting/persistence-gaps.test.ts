import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addDump, addLogs, addRows, times } from '../shared/testing.js';
import rule from './persistence-gaps.js';

const CAPTURE = times('2025-11-27T10:00:00.000Z', 30, 60_000);

interface S {
  signalDump?: boolean;
  tradeDump?: boolean;
  redisSignals?: string[];
  alsoStream?: boolean;
  dbSignals?: string[];
  fills?: number;
  dbTrades?: number;
  failures?: number;
  numsub?: number;
}

function setup(s: S): TestDb {
  const t = new TestDb();
  if (s.signalDump) addDump(t, 'signals', ['id', 'timestamp']);
  if (s.tradeDump) addDump(t, 'trades', ['id', 'timestamp']);
  for (const ch of s.alsoStream ? ['signals', 'stream.signals'] : ['signals']) {
    addRows(
      t,
      'redis_messages',
      (s.redisSignals ?? []).map((ts) => ({ source: ch === 'signals' ? 'subscribe' : 'xrange', channel: ch, ts, payload: '{"type": "signal", "symbol": "BTCUSDT"}', in_block: 1 })),
      'redis/capture.txt',
    );
  }
  addRows(
    t,
    'signals',
    (s.dbSignals ?? []).map((ts) => ({ ts: new Date(Date.parse(ts) - 1000).toISOString(), symbol: 'BTCUSDT', side: 'BUY', source: 'db', in_block: 1 })),
  );
  if (s.fills) {
    addRows(
      t,
      'redis_messages',
      CAPTURE.slice(0, s.fills).map((ts) => ({ source: 'subscribe', channel: 'order_results', status: 'FILLED', ts, payload: '{"type": "order_result", "status": "FILLED"}', in_block: 1 })),
      'redis/results.txt',
    );
  }
  if (s.dbTrades) addRows(t, 'trades', CAPTURE.slice(0, s.dbTrades).map((ts) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', source: 'db', in_block: 1 })));
  if (s.failures) {
    addLogs(
      t,
      'cdb_db_writer',
      CAPTURE.slice(0, s.failures).map((ts) => [ts, 'Failed to persist signal: null value in column "signal_type" of relation "signals" violates not-null constraint', 'ERROR']),
    );
  }
  if (s.numsub != null) addRows(t, 'redis_kv', [{ kind: 'numsub', key: 'signals', value: String(s.numsub) }], 'redis/numsub.txt');
  return t;
}

function run(s: S) {
  const r = rule.check(setup(s).context());
  spoken(r, 'de'); // every case renders in German too (a missing parameter throws)
  return spoken(r);
}

const outside = times('2025-11-26T01:00:00.000Z', 100, 60_000);

describe('persistence-gaps', () => {
  it.each<[string, S, string, string]>([
    ['signals on Redis, a third in the DB', { signalDump: true, redisSignals: CAPTURE, dbSignals: CAPTURE.slice(0, 10) }, 'reporting.persistence_gap', 'possible'],
    ['db_writer insert failures name the cause', { signalDump: true, redisSignals: CAPTURE, dbSignals: CAPTURE.slice(0, 10), failures: 12 }, 'execution.persistence_schema', 'very_likely'],
    ['db_writer not subscribed', { signalDump: true, redisSignals: CAPTURE, numsub: 2 }, 'execution.db_writer_not_subscribed', 'likely'],
    ['fills on order_results, no trade in the DB', { tradeDump: true, fills: 20 }, 'reporting.persistence_gap', 'possible'],
  ])('MUST fire: %s', (_n, s, cause, likelihood) => {
    const r = run(s);
    expect(r.status).toBe('warn');
    expect(r.hypotheses?.find((h) => h.cause === cause)?.likelihood).toBe(likelihood);
    expect(r.findings?.some((f) => f.severity === 'medium' || f.severity === 'high')).toBe(true);
  });

  it.each<[string, S, string]>([
    ['every signal persisted (payload time 1 s before capture)', { signalDump: true, redisSignals: CAPTURE, dbSignals: CAPTURE }, 'ok'],
    ['B: each signal on the channel and the stream counts once', { signalDump: true, redisSignals: CAPTURE, alsoStream: true, dbSignals: CAPTURE }, 'ok'],
    ['DB rows outside the capture do not matter', { signalDump: true, redisSignals: CAPTURE, dbSignals: [...CAPTURE, ...outside] }, 'ok'],
    ['every fill persisted', { tradeDump: true, fills: 20, dbTrades: 20 }, 'ok'],
    ['no DB dump', { redisSignals: CAPTURE }, 'not_evaluable'],
    ['a dump but nothing to compare with', { signalDump: true, dbSignals: CAPTURE }, 'not_evaluable'],
  ])('MUST NOT fire: %s', (_n, s, status) => {
    const r = run(s);
    expect(r.status).toBe(status);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('the cause weakens when the failure lines are removed', () => {
    const withFailures = run({ signalDump: true, redisSignals: CAPTURE, dbSignals: CAPTURE.slice(0, 10), failures: 3 });
    const without = run({ signalDump: true, redisSignals: CAPTURE, dbSignals: CAPTURE.slice(0, 10) });
    expect(withFailures.hypotheses?.[0]).toMatchObject({ cause: 'execution.persistence_schema', likelihood: 'likely' });
    expect(without.hypotheses?.[0]).toMatchObject({ cause: 'reporting.persistence_gap', likelihood: 'possible' });
    expect(without.metrics).toMatchObject({ signals_seen: 30, signals_in_db_same_span: 10, signals_missing_from_db: 20 });
  });

  it('names the gap with its span and sources, in either language', () => {
    const r = rule.check(setup({ signalDump: true, redisSignals: CAPTURE, dbSignals: CAPTURE.slice(0, 10) }).context());
    const en = spoken(r);
    const de = spoken(r, 'de');
    expect(en.findings?.find((f) => f.subject === 'signals')?.message).toBe(
      '30 signals in redis signals (2025-11-27 10:00 UTC – 2025-11-27 10:29 UTC) but only 10 in the DB over the same span.',
    );
    expect(de.findings?.find((f) => f.subject === 'signals')?.message).toBe(
      '30 Signale laut Redis signals (27.11.2025 10:00 UTC – 27.11.2025 10:29 UTC), aber nur 10 in der DB über denselben Zeitraum.',
    );
    expect(en.hypotheses?.[0].title).toBe('signals reach Redis but not the DB');
    expect(de.hypotheses?.[0].title).toBe('Signale erreichen Redis, aber nicht die DB');
    expect(de.todos?.[0].title).toBe('Counts der Signale aus Redis täglich mit der DB vergleichen und bei Lücken alarmieren');
  });

  it('a writer failure names its class; the quoted failure line stays as logged', () => {
    const r = rule.check(setup({ signalDump: true, redisSignals: CAPTURE, dbSignals: CAPTURE.slice(0, 10), failures: 12 }).context());
    expect(spoken(r).hypotheses?.[0]).toMatchObject({ title: "signals are not persisted: the writer's inserts fail (constraint)" });
    expect(spoken(r, 'de').hypotheses?.[0]).toMatchObject({
      title: 'Signale werden nicht persistiert: die Inserts des Writers schlagen fehl (constraint)',
      why: 'Failed to persist signal: null value in column "signal_type" of relation "signals" violates not-null constraint',
    });
  });

  it('several sources are joined, each with its count', () => {
    const r = rule.check(setup({ signalDump: true, redisSignals: CAPTURE, dbSignals: CAPTURE }).context());
    expect(spoken(r).findings?.[0].message).toBe('signals: 30 in redis signals, 30 in the DB over the same span.');
    expect(spoken(r, 'de').findings?.[0].message).toBe('Signale: 30 laut Redis signals, 30 in der DB über denselben Zeitraum.');
  });
});
