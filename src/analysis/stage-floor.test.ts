import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS } from './context.js';
import type { FlowCounts } from './flow.js';
import { computeKpis } from './kpis.js';
import { stageFloors } from './stage-floor.js';
import { TestDb } from './testing.js';
import { render } from '../i18n/translate.js';

const BLOCK = { from: '2026-02-24T00:00:00.000Z', to: '2026-02-26T23:59:59.999Z' };
const SOURCES = { market_data: 'log', signals: 'log', risk_decisions: 'log', orders: 'log', trades: 'log' };
const C = (c: Partial<FlowCounts>): FlowCounts => ({ market_data_events: 2000, signals: 0, risk_approved: 0, risk_rejected: 0, orders: 0, trades: 0, persisted_trades: 0, ...c });

/** Rows of a stage in the block, spread over [from, to] in one file of one service. */
function rows(t: TestDb, table: string, path: string, service: string, n: number, from: string, to: string, extra: Record<string, unknown> = {}): void {
  const f = t.file(path);
  t.insert('log_events', { file_id: f, line_no: 1, service, ts: from, kind: 'app', message: 'x' });
  const a = Date.parse(from);
  const step = n > 1 ? (Date.parse(to) - a) / (n - 1) : 0;
  for (let i = 0; i < n; i++) t.insert(table, { file_id: f, line_no: i + 2, ts: new Date(a + i * step).toISOString(), in_block: 1, source: 'log', ...extra });
}

describe('stage floors: no stage below what a later stage proves', () => {
  it.each<[string, Partial<FlowCounts>, (t: TestDb) => void, [string, number, number, string][], RegExp[]]>([
    ['a signal log saved with --since: approvals bound the signals', { signals: 72, risk_approved: 216, orders: 216, trades: 216 },
      (t) => rows(t, 'signals', 'logs/signal_since.txt', 'cdb_signal', 72, '2026-02-26T00:11:04.000Z', '2026-02-26T23:50:00.000Z'),
      [['signals', 72, 216, 'risk_decisions']], [/^≥ 216, implied by risk decisions \(216 approved, 0 rejected.*cdb_signal's log logs\/signal_since\.txt covers only from 2026-02-26 00:11:04 UTC$/]],
    ['rejections are decisions on signals too', { signals: 10, risk_approved: 5, risk_rejected: 40, orders: 5, trades: 5 },
      (t) => rows(t, 'signals', 'logs/core.txt', 'cdb_core', 10, '2026-02-24T00:10:00.000Z', '2026-02-24T12:00:00.000Z'),
      [['signals', 10, 45, 'risk_decisions']], [/5 approved, 40 rejected.*covers only until 2026-02-24 12:00 UTC/]],
    ['fills prove orders, orders prove approvals, approvals prove signals', { signals: 3, risk_approved: 3, orders: 3, trades: 30 },
      () => {}, [['orders', 3, 30, 'trades'], ['risk_approved', 3, 30, 'trades'], ['signals', 3, 30, 'trades']], [/no orders record in the block/, /30 orders/, /30 approved/]],
    ['auto-unwind SELLs are orders without an approval', { signals: 10, risk_approved: 10, orders: 14, trades: 14 },
      (t) => { for (let i = 0; i < 4; i++) t.insert('orders', { ts: '2026-02-25T10:00:00.000Z', side: 'SELL', client_id: `paper-unwind-MOCK_${i}`, in_block: 1, source: 'log' }); },
      [], []],
    ['a consistent funnel has no floor', { signals: 300, risk_approved: 216, risk_rejected: 84, orders: 216, trades: 216 }, () => {}, [], []],
    ['a stage with no source at all is bounded too', { signals: 0, risk_approved: 50, orders: 50, trades: 50 }, () => {},
      [['signals', 0, 50, 'risk_decisions']], [/no signals record in the block/]],
  ])('%s', (_n, counts, setup, want, notes) => {
    const t = new TestDb();
    setup(t);
    const floors = stageFloors(t.db, C(counts), SOURCES, BLOCK);
    expect(floors.map((f) => [f.stage, f.count, f.at_least, f.implied_by])).toEqual(want);
    notes.forEach((re, i) => expect(floors[i].note).toMatch(re));
    // The English note is the keyed text rendered: `localize` can say it again in German.
    for (const f of floors) expect(render('en', f.texts.note)).toBe(f.note);
  });

  it('the note in German: counts, the short log and its window in the runbook\'s words', () => {
    const t = new TestDb();
    rows(t, 'signals', 'logs/signal_since.txt', 'cdb_signal', 72, '2026-02-26T00:11:04.000Z', '2026-02-26T23:50:00.000Z');
    const [f] = stageFloors(t.db, C({ signals: 72, risk_approved: 1216, orders: 1216, trades: 1216 }), SOURCES, BLOCK);
    expect(render('de', f.texts.note)).toBe(
      '≥ 1.216, belegt durch Risk-Entscheidungen (1.216 genehmigt, 0 abgelehnt; jede entscheidet über ein Signal); Log von cdb_signal logs/signal_since.txt deckt nur ab 26.02.2026 00:11:04 UTC ab',
    );
    const k = computeKpis(C({ signals: 72, risk_approved: 1216, orders: 1216, trades: 1216 }), 3, DEFAULT_TARGETS, SOURCES, [f]);
    expect(render('de', k[1].texts.note!)).toMatch(/^≥ 405,3 pro Tag: ≥ 1\.216, belegt durch/);
    expect(k[1].note).toMatch(/^≥ 405\.3 per day: ≥ 1,216, implied by/);
  });

  it.each<[string, Partial<FlowCounts>, [string, number | null, string][]]>([
    ['the bound beats the target: ok, not a fail from the short log', { signals: 72, risk_approved: 216, orders: 216, trades: 216 },
      [['signals_total', 216, 'ok'], ['signals_per_day', 72, 'ok'], ['risk_approved', 216, 'ok']]],
    ['the bound is below the target: not evaluable, never fail', { signals: 20, risk_approved: 60, orders: 60, trades: 60 },
      [['signals_total', 60, 'not_evaluable'], ['signals_per_day', 20, 'not_evaluable'], ['risk_approved', 60, 'ok']]],
    ['no floor: the count is graded as it is', { signals: 60, risk_approved: 60, orders: 60, trades: 60 },
      [['signals_total', 60, 'fail'], ['signals_per_day', 20, 'fail'], ['risk_approved', 60, 'ok']]],
  ])('KPIs: %s', (_n, counts, want) => {
    const t = new TestDb();
    const c = C(counts);
    const k = computeKpis(c, 3, DEFAULT_TARGETS, SOURCES, stageFloors(t.db, c, SOURCES, BLOCK));
    expect(want.map(([m]) => { const x = k.find((y) => y.metric === m)!; return [m, x.value, x.status]; })).toEqual(want);
    if (c.signals < c.risk_approved) expect(k[0].note).toMatch(/^≥ \d+, implied by risk decisions/);
  });
});
