import { describe, expect, it } from 'vitest';
import { sentencesOf, spoken, TestDb } from '../../testing.js';
import { addLogs, addRows, times } from '../shared/testing.js';
import rule from './execution-orders.js';

interface S {
  approved?: number;
  execAlive?: boolean;
  execSubscribed?: boolean;
  numsub?: number;
  processing?: number;
  filled?: number;
  rejected?: number;
  rejectReason?: string;
  initFailure?: boolean;
}

function run(s: S, lang: 'en' | 'de' = 'en') {
  const t = new TestDb();
  const ts = times('2025-11-26T02:00:00.000Z', 200, 600_000);
  if (s.approved) addLogs(t, 'cdb_risk', ts.slice(0, s.approved).map((x) => [x, '✅ Order freigegeben: BTC_USDT BUY qty=350.0000']));
  if (s.execAlive) {
    addLogs(t, 'cdb_execution', [['2025-11-26T00:00:01.000Z', 'Starting execution_service v0.1.0']]);
    if (s.execSubscribed) addLogs(t, 'cdb_execution', [['2025-11-26T00:00:02.000Z', 'Subscribed to topic: orders']]);
    addLogs(t, 'cdb_execution', [['2025-11-28T23:00:00.000Z', '"GET /health HTTP/1.1" 200 -']], { kind: 'health_poll', logger: 'werkzeug' });
  }
  if (s.initFailure) {
    addLogs(t, 'cdb_execution', [
      ['2025-11-26T00:00:03.000Z', 'Redis Initialisierung fehlgeschlagen (1/5): Error -2 connecting to redis:6379. Name or service not known.', 'ERROR'],
      ['2025-11-26T00:00:09.000Z', 'Failed to initialize services, exiting', 'ERROR'],
    ]);
  }
  if (s.numsub != null) addRows(t, 'redis_kv', [{ kind: 'numsub', key: 'orders', value: String(s.numsub) }], 'redis/numsub.txt');
  if (s.processing) addLogs(t, 'cdb_execution', ts.slice(0, s.processing).map((x) => [x, 'Processing order: BTC_USDT BUY qty=350.0000']));
  if (s.filled) addLogs(t, 'cdb_execution', ts.slice(0, s.filled).map((x) => [x, 'Order filled: MOCK_1a2b3c4d at 50033.56']));
  if (s.rejected) {
    addLogs(t, 'cdb_execution', ts.slice(0, s.rejected).map((x) => [x, `Order rejected: MOCK_81360066 - ${s.rejectReason ?? 'Mock rejection: Insufficient liquidity'}`, 'WARNING']));
  }
  return spoken(rule.check(t.context({ era: 'B' })), lang);
}

describe('execution-orders', () => {
  it.each<[string, S, string, string, string]>([
    ['approved, execution alive, NUMSUB orders short', { approved: 20, execAlive: true, execSubscribed: true, numsub: 2 }, 'fail', 'execution.not_subscribed', 'likely'],
    ['NUMSUB orders = 1', { approved: 20, execAlive: true, numsub: 1 }, 'fail', 'execution.not_subscribed', 'very_likely'],
    ['startup without the subscribe line', { approved: 20, execAlive: true }, 'fail', 'execution.not_subscribed', 'possible'],
    ['init failure', { approved: 20, execAlive: true, execSubscribed: true, initFailure: true }, 'fail', 'execution.init_failure', 'very_likely'],
    ['no execution log but NUMSUB short', { approved: 20, numsub: 2 }, 'warn', 'execution.not_subscribed', 'likely'],
    ['bot shutdown rejects every order', { approved: 20, execAlive: true, processing: 20, rejected: 20, rejectReason: 'Order blocked by bot shutdown' }, 'fail', 'execution.bot_shutdown', 'very_likely'],
    ['rejections far above the mock rate', { approved: 20, execAlive: true, processing: 20, filled: 10, rejected: 10 }, 'warn', 'execution.rejections_above_mock_rate', 'possible'],
  ])('MUST fire: %s', (_n, s, status, cause, likelihood) => {
    const r = run(s);
    expect(r.status).toBe(status);
    expect(r.hypotheses?.find((h) => h.cause === cause)?.likelihood).toBe(likelihood);
  });

  it.each<[string, S, string]>([
    ['healthy: every approval processed, ~5 % rejected', { approved: 20, execAlive: true, execSubscribed: true, numsub: 3, processing: 20, filled: 19, rejected: 1 }, 'ok'],
    ['nothing approved, nothing executed', { execAlive: true }, 'not_evaluable'],
    ['approvals but execution not observable', { approved: 20 }, 'not_evaluable'],
  ])('MUST NOT fire: %s', (_n, s, status) => {
    const r = run(s);
    expect(r.status).toBe(status);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('counts the funnel', () => {
    const r = run({ approved: 20, execAlive: true, numsub: 3, processing: 20, filled: 19, rejected: 1 });
    expect(r.metrics).toMatchObject({ approved: 20, processing_order: 20, filled: 19, rejected: 1, executed: 20, rejection_rate_pct: 5, numsub_orders: 3 });
  });

  it.each<[string, S, 'en' | 'de', string[]]>([
    [
      'NUMSUB orders = 1',
      { approved: 20, execAlive: true, numsub: 1 },
      'en',
      [
        '20 orders approved (0 published on orders) but execution processed none (20 approvals fall in time execution was observed).',
        'Execution is not subscribed to the orders channel',
        'PUBSUB NUMSUB orders shows 1 subscriber; execution, db_writer and the paper runner make 3.',
        'Restart cdb_execution and confirm `Subscribed to topic: orders` and PUBSUB NUMSUB orders = 3',
      ],
    ],
    [
      'NUMSUB orders = 2',
      { approved: 20, execAlive: true, execSubscribed: true, numsub: 2 },
      'de',
      [
        '20 Orders genehmigt (0 auf orders veröffentlicht), aber die Execution hat keine verarbeitet (20 Genehmigungen fallen in Zeit, in der die Execution beobachtet wurde).',
        'PUBSUB NUMSUB orders zeigt 2 Abonnenten; Execution, db_writer und Paper Runner ergeben 3.',
      ],
    ],
    ['no execution log but NUMSUB short', { approved: 1, numsub: 2 }, 'en', ['1 order approved (0 published on orders) but execution processed none.']],
    [
      'rejections far above the mock rate',
      { approved: 20, execAlive: true, processing: 20, filled: 10, rejected: 10 },
      'en',
      [
        '10 of 20 orders rejected (50 %; the mock executor rejects about 5 %). Top reason: Mock rejection: Insufficient liquidity (10).',
        'Top rejection reason: Mock rejection: Insufficient liquidity.',
        'Execution rejects far more orders than the mock rate',
      ],
    ],
    [
      'rejections without a written reason',
      { approved: 20, execAlive: true, processing: 20, filled: 16, rejected: 4, rejectReason: '' },
      'de',
      [
        '4 von 20 Orders abgelehnt (20 %; der Mock-Executor lehnt etwa 5 % ab). Häufigster Grund: unbekannt (4).',
      ],
    ],
    [
      'healthy funnel',
      { approved: 150, execAlive: true, execSubscribed: true, numsub: 3, processing: 150, filled: 143, rejected: 7 },
      'de',
      ['150 genehmigt, 150 `Processing order`, 143 gefüllt, 7 abgelehnt.'],
    ],
    ['approvals but execution not observable', { approved: 20 }, 'de', ['20 Genehmigungen; die Execution ist für ihre Zeit nicht beobachtbar.']],
  ])('says it in words: %s (%s)', (_n, s, lang, sentences) => {
    const r = run(s, lang);
    const said = sentencesOf(r);
    for (const x of sentences) expect(said).toContain(x);
  });

  it('says why it cannot evaluate', () => {
    expect(run({ approved: 20 }).missing).toBe('approvals exist but no execution logs, orders dump or order_results capture covers their time');
    expect(run({ execAlive: true }, 'de').missing).toBe('keine genehmigte Order im Block (nichts hat die Execution erreicht) und keine Execution-Aktivität');
  });

  it('without the NUMSUB capture the subscription cause weakens to an open question', () => {
    const withNumsub = run({ approved: 20, execAlive: true, execSubscribed: true, numsub: 2 });
    const without = run({ approved: 20, execAlive: true, execSubscribed: true });
    expect(withNumsub.hypotheses?.map((h) => h.cause)).toEqual(['execution.not_subscribed']);
    expect(without.hypotheses?.map((h) => [h.cause, h.likelihood])).toEqual([['execution.not_receiving', 'possible']]);
    expect(without.status).toBe('fail');
  });
});
