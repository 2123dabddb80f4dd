import { describe, expect, it } from 'vitest';
import type { LayerId, Status } from './define-rule.js';
import { breakLayer, computeFlow, type FlowCounts } from './flow.js';
import { TestDb } from './testing.js';
import { addMarket, at } from './rule-testing.js';

const BLOCK = { from: '2025-11-26T00:00:00.000Z', to: '2025-11-28T23:59:59.999Z', days: ['2025-11-26', '2025-11-27', '2025-11-28'], era: 'A', dialect: 'real' };
const DAY = 1440;

function layers(s: Partial<Record<LayerId, Status>>): { id: LayerId; status: Status }[] {
  return (['system', 'market_data', 'signal_engine', 'risk', 'execution', 'reporting'] as LayerId[]).map((id) => ({ id, status: s[id] ?? 'ok' }));
}

const COUNTS: FlowCounts = { market_data_events: 100, signals: 10, risk_approved: 5, risk_rejected: 5, orders: 5, trades: 5, persisted_trades: 5 };

describe('computeFlow', () => {
  it('counts the funnel per block day from the canonical tables, in-block rows only', () => {
    const t = new TestDb();
    for (const m of [10, 20, DAY + 5]) addMarket(t, { ts: at(m) });
    for (const [m, ib] of [[30, 1], [DAY + 30, 1], [2 * DAY + 30, 1], [-100, 0]] as const) t.insert('signals', { ts: at(m), symbol: 'BTCUSDT', source: 'db', in_block: ib });
    t.insert('risk_decisions', { ts: at(31), decision: 'approved', source: 'log' });
    t.insert('risk_decisions', { ts: at(DAY + 31), decision: 'rejected', source: 'log' });
    t.insert('orders', { ts: at(32), symbol: 'BTCUSDT', writer: 'execution', source: 'db' });
    t.insert('trades', { ts: at(33), symbol: 'BTCUSDT', writer: 'execution', source: 'db' });
    t.insert('trades', { ts: at(34), symbol: 'ETHUSDT', writer: 'execution', source: 'log' });
    t.db.prepare("INSERT INTO block (key, value) VALUES ('source.trades', 'db+log')").run();
    const f = computeFlow(t.db, BLOCK);
    expect(f.counts).toEqual({ market_data_events: 3, signals: 3, risk_approved: 1, risk_rejected: 1, orders: 1, trades: 2, persisted_trades: 1 });
    expect(f.per_day).toEqual([
      { date: '2025-11-26', market_data_events: 2, signals: 1, risk_approved: 1, risk_rejected: 0, orders: 1, trades: 2, persisted_trades: 1 },
      { date: '2025-11-27', market_data_events: 1, signals: 1, risk_approved: 0, risk_rejected: 1, orders: 0, trades: 0, persisted_trades: 0 },
      { date: '2025-11-28', market_data_events: 0, signals: 1, risk_approved: 0, risk_rejected: 0, orders: 0, trades: 0, persisted_trades: 0 },
    ]);
    expect(f.sources.trades).toBe('db+log');
    expect(f.sources.signals).toBe('db');
    expect(f.funnel.map((s) => [s.stage, s.count, s.from_previous_pct])).toEqual([
      ['market_data_events', 3, null],
      ['signals', 3, 100],
      ['risk_approved', 1, 33.3],
      ['orders', 1, 100],
      ['trades', 2, 200],
      ['persisted_trades', 1, 50],
    ]);
  });

  it('lists every block day even when nothing happened', () => {
    const f = computeFlow(new TestDb().db, BLOCK);
    expect(f.per_day.map((d) => d.date)).toEqual(BLOCK.days);
    expect(f.sources).toEqual({ market_data: 'none', signals: 'none', risk_decisions: 'none', orders: 'none', trades: 'none' });
  });
});

describe('breakLayer', () => {
  it.each<[string, Partial<Record<LayerId, Status>>, LayerId | null]>([
    ['all ok', {}, null],
    ['ok and warn only', { system: 'warn', risk: 'warn' }, null],
    ['the earliest failing layer wins', { risk: 'fail', market_data: 'fail', execution: 'fail' }, 'market_data'],
    ['system before everything', { system: 'fail', signal_engine: 'fail' }, 'system'],
    ['a failing reporting layer alone', { reporting: 'fail' }, 'reporting'],
    ['not evaluable layers with a healthy funnel', { system: 'not_evaluable', risk: 'not_evaluable' }, null],
  ])('%s', (_n, s, expected) => {
    expect(breakLayer(layers(s), COUNTS)).toBe(expected);
  });

  it('where a layer could not be evaluated, the funnel speaks for it', () => {
    const allRejected = { ...COUNTS, risk_approved: 0, orders: 0, trades: 0, persisted_trades: 0 };
    expect(breakLayer(layers({ risk: 'not_evaluable' }), allRejected)).toBe('risk');
    expect(breakLayer(layers({ risk: 'warn' }), allRejected)).toBeNull();
    const notPersisted = { ...COUNTS, persisted_trades: 0 };
    expect(breakLayer(layers({ reporting: 'not_evaluable' }), notPersisted, { trades: 'db+log' })).toBe('reporting');
    // without a DB dump, nothing could have been persisted as far as the bundle shows
    expect(breakLayer(layers({ reporting: 'not_evaluable' }), notPersisted, { trades: 'log' })).toBeNull();
  });
});
