import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RuleDef, RuleResult } from '../../define-rule.js';
import { TestDb } from '../../testing.js';
import { say } from '../../../i18n/translate.js';
import executionOrders from '../execution/execution-orders.js';
import executionPersistence from '../execution/execution-persistence.js';
import tradeStats from '../execution/trade-stats.js';
import twoWriterDuplicates from '../execution/two-writer-duplicates.js';
import dbCountsPerDay from '../reporting/db-counts-per-day.js';
import persistenceGaps from '../reporting/persistence-gaps.js';
import reportMissing from '../reporting/report-missing.js';
import reportReconciliation from '../reporting/report-reconciliation.js';
import riskDecisions from '../risk/risk-decisions.js';
import riskLimitsConfig from '../risk/risk-limits-config.js';
import riskState from '../risk/risk-state.js';
import signalErrors from '../signal_engine/signal-errors.js';
import signalFilters from '../signal_engine/signal-filters.js';
import signalGeneration from '../signal_engine/signal-generation.js';
import { UNREAD_VARIABLES } from './settings.js';
import { addDump, addLogs, addRows, addSettings, times } from './testing.js';

/** The signal, risk, execution and reporting rules, with the folder each lives in. */
const RULES: [RuleDef, string][] = [
  [signalGeneration, 'signal_engine'],
  [signalErrors, 'signal_engine'],
  [signalFilters, 'signal_engine'],
  [riskDecisions, 'risk'],
  [riskLimitsConfig, 'risk'],
  [riskState, 'risk'],
  [executionOrders, 'execution'],
  [executionPersistence, 'execution'],
  [twoWriterDuplicates, 'execution'],
  [tradeStats, 'execution'],
  [dbCountsPerDay, 'reporting'],
  [reportReconciliation, 'reporting'],
  [persistenceGaps, 'reporting'],
  [reportMissing, 'reporting'],
];

/** A healthy era-A block: ticks, signals, approvals, fills with twins, persisted trades, matching reports. */
function healthy(): TestDb {
  const t = new TestDb();
  addSettings(t, [
    { key: 'SIGNAL_THRESHOLD_PCT', value: '2.0' },
    { key: 'SIGNAL_MIN_VOLUME', value: '0' },
    { key: 'MAX_EXPOSURE_PCT', value: '0.50' },
    { key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.05' },
  ]);
  for (const name of ['signals', 'orders', 'trades']) addDump(t, name, ['id', 'timestamp']);
  const ticks = times('2025-11-26T00:00:00.000Z', 72 * 12, 300_000);
  addRows(t, 'market_data', ticks.map((ts, i) => ({ ts, symbol: 'BTC_USDT', price: 91000, volume: 10, pct_change: (i % 40) / 10, source: 'redis', in_block: 1 })), 'redis/md.txt');
  const sig = times('2025-11-26T00:10:00.000Z', 150, 1_700_000);
  addRows(t, 'signals', sig.map((ts) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', price: 91000, source: 'db', in_block: 1 })), 'dump/signals.sql');
  addLogs(t, 'cdb_core', [['2025-11-26T00:00:01.000Z', '🚀 Signal-Engine gestartet'], ...sig.map((ts) => [ts, '✨ Signal generiert: BTC_USDT BUY @ $91000.00 (+3.45%, Confidence: 0.35)'] as [string, string])]);
  addLogs(t, 'cdb_risk', [
    ['2025-11-25T20:00:00.000Z', 'Risk-State aus Redis geladen: exposure=0.00 positions=0 pnl=0.00'],
    ...sig.flatMap((ts, i) => [
      [ts, '📨 Signal empfangen: BTC_USDT BUY'] as [string, string],
      [ts, i % 10 === 9 ? '⚠️ Max Exposure erreicht: 5010.00 >= 5000.00' : '✅ Order freigegeben: BTC_USDT BUY qty=350.0000'] as [string, string],
    ]),
  ]);
  addRows(
    t,
    'risk_decisions',
    sig.map((ts, i) => ({ ts, decision: i % 10 === 9 ? 'rejected' : 'approved', reason_text: i % 10 === 9 ? 'Max Exposure erreicht: 5010.00 >= 5000.00' : null, source: 'log', in_block: 1 })),
  );
  const approved = sig.filter((_, i) => i % 10 !== 9);
  addRows(t, 'redis_kv', [{ kind: 'numsub', key: 'orders', value: '3' }], 'redis/numsub.txt');
  addLogs(t, 'cdb_execution', [
    ['2025-11-26T00:00:02.000Z', 'Starting execution_service v0.1.0'],
    ['2025-11-26T00:00:03.000Z', 'Subscribed to topic: orders'],
    ...approved.flatMap((ts) => [
      [ts, 'Processing order: BTC_USDT BUY qty=350.0000'] as [string, string],
      [ts, 'Order filled: MOCK_1a2b3c4d at 50033.56'] as [string, string],
    ]),
  ]);
  addRows(t, 'orders', approved.map((ts, i) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', status: 'filled', writer: 'execution', twin_file_id: 99, twin_line_no: i, source: 'db', in_block: 1 })));
  addRows(t, 'trades', approved.map((ts, i) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', price: 50033.56, writer: 'execution', twin_file_id: 98, twin_line_no: i, source: 'db', in_block: 1 })));
  addLogs(t, 'cdb_paper_runner', times('2025-11-25T22:00:00.000Z', 150, 1_800_000).map((ts, i) => [ts, `📊 Events logged: ${(i + 1) * 100}`]));
  for (const d of ['2025-11-26', '2025-11-27', '2025-11-28']) addLogs(t, 'cdb_paper_runner', [[`${d}T00:00:00.029Z`, 'DAILY REPORT']]);
  return t;
}

const all = (f: (rule: RuleDef, r: RuleResult) => void, db: () => TestDb) => {
  for (const [rule] of RULES) f(rule, rule.check(db().context()));
};

describe('signal / risk / execution / reporting rules: contracts', () => {
  it.each(RULES)('%#: id is the file name, layer the folder, metadata first', (rule, folder) => {
    const file = fileURLToPath(new URL(`../${folder}/${rule.id}.ts`, import.meta.url));
    const src = readFileSync(file, 'utf8');
    expect(src).toContain('export default defineRule({');
    expect(rule.layer).toBe(folder);
    expect(Object.keys(rule).slice(0, 4)).toEqual(['id', 'layer', 'title', 'needs']);
    expect(rule.needs.length).toBeGreaterThan(0);
  });

  it.each(RULES)('%#: an empty bundle is not evaluable, with the reason', (rule) => {
    const r = rule.check(new TestDb().context());
    expect(r.status).toBe('not_evaluable');
    expect(r.missing).toBeTruthy();
  });

  it('a healthy block gives no fail anywhere', () => {
    all((rule, r) => expect([rule.id, r.status]).not.toEqual([rule.id, 'fail']), healthy);
  });

  it('subjects carry no times, are unique per rule; to-dos never point at a variable no service reads', () => {
    const check = (rule: RuleDef, r: RuleResult) => {
      const subjects = (r.findings ?? []).map((f) => f.subject ?? '');
      expect(new Set(subjects).size, rule.id).toBe(subjects.length);
      for (const s of subjects) expect(s, rule.id).not.toMatch(/\d{4}-\d\d-\d\d|\d\d:\d\d/);
      for (const t of r.todos ?? []) for (const v of UNREAD_VARIABLES) expect(say('en', t.where), rule.id).not.toContain(v);
    };
    all(check, healthy);
  });

  it('verification checks run: SQL returns one number over the model, log checks compile', () => {
    const db = healthy();
    const seen = new Set<string>();
    for (const [rule] of RULES) {
      for (const v of rule.check(db.context()).verification ?? []) {
        seen.add(v.kind);
        if (v.kind === 'sql') {
          const row = db.db.prepare(v.check).get() as Record<string, unknown>;
          expect(Object.values(row), `${rule.id}:${v.id}`).toHaveLength(1);
          expect(typeof Object.values(row)[0], `${rule.id}:${v.id}`).toBe('number');
        } else {
          expect(() => new RegExp(v.check)).not.toThrow();
        }
      }
    }
    expect([...seen].sort()).toEqual(['log', 'sql']);
  });
});
