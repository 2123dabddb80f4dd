import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS } from './context.js';
import type { FlowCounts } from './flow.js';
import { computeKpis } from './kpis.js';
import { render, text } from '../i18n/translate.js';

/** The runbook's example block: 127 signals, 0 approved, 0 trades, 18 340 market data events. */
const RUNBOOK: FlowCounts = { market_data_events: 18_340, signals: 127, risk_approved: 0, risk_rejected: 127, orders: 0, trades: 0, persisted_trades: 0 };
const ALL = { market_data: 'redis', signals: 'db', risk_decisions: 'db', orders: 'db', trades: 'db' };

describe('computeKpis', () => {
  it('reproduces the runbook KPI table with the default targets', () => {
    const k = computeKpis(RUNBOOK, 3, DEFAULT_TARGETS, ALL);
    expect(k.map((x) => [x.metric, x.value, x.target, x.status])).toEqual([
      ['signals_total', 127, 100, 'ok'],
      ['signals_per_day', 42.3, 30, 'ok'],
      ['risk_approved', 0, 10, 'fail'],
      ['trades', 0, 10, 'fail'],
      ['market_data_events', 18_340, 10_000, 'ok'],
    ]);
  });

  it.each([
    ['signals_total', 100, 'fail'], // "> 100": exactly the target is not enough
    ['signals_total', 101, 'ok'],
  ] as const)('%s = %i → %s', (metric, value, status) => {
    const k = computeKpis({ ...RUNBOOK, signals: value }, 3, DEFAULT_TARGETS, ALL);
    expect(k.find((x) => x.metric === metric)!.status).toBe(status);
  });

  it('config targets change the verdict', () => {
    const k = computeKpis(RUNBOOK, 3, { ...DEFAULT_TARGETS, signals_total: 500, trades: 0 }, ALL);
    expect(k.find((x) => x.metric === 'signals_total')!).toMatchObject({ target: 500, status: 'fail' });
    expect(k.find((x) => x.metric === 'trades')!).toMatchObject({ target: 0, status: 'fail' });
    const k2 = computeKpis({ ...RUNBOOK, trades: 1 }, 3, { ...DEFAULT_TARGETS, trades: 0 }, ALL);
    expect(k2.find((x) => x.metric === 'trades')!.status).toBe('ok');
  });

  it('without any market data capture the KPI is not evaluable, not failed', () => {
    const k = computeKpis({ ...RUNBOOK, market_data_events: 0 }, 3, DEFAULT_TARGETS, { ...ALL, market_data: 'none' });
    expect(k.find((x) => x.metric === 'market_data_events')!).toMatchObject({ value: null, status: 'not_evaluable' });
  });

  it('without risk decisions the published orders count as approvals', () => {
    const k = computeKpis({ ...RUNBOOK, orders: 12 }, 3, DEFAULT_TARGETS, { ...ALL, risk_decisions: 'none' });
    expect(k.find((x) => x.metric === 'risk_approved')!).toMatchObject({ value: 12, status: 'ok' });
  });

  it.each<[number, string | null, string, string | null]>([
    [64, 'sample: 1 min subscribe capture, 0 % of the block', 'not_evaluable', 'sample: 1 min subscribe capture, 0 % of the block — not graded against a whole-block target'],
    [18_340, null, 'ok', null],
    [64, null, 'fail', null],
  ])('market data %i (sample note %j): a sample is shown, never graded against the whole-block target', (n, sample, status, note) => {
    const k = computeKpis({ ...RUNBOOK, market_data_events: n }, 3, DEFAULT_TARGETS, ALL, [], sample);
    expect(k.find((x) => x.metric === 'market_data_events')!).toMatchObject({ value: n, status, note });
  });

  it('labels and notes are keyed: the German table says the same in the runbook\'s words', () => {
    const sample = text('kpi.sampled', { span: 60 });
    const k = computeKpis({ ...RUNBOOK, market_data_events: 64, orders: 12 }, 3, DEFAULT_TARGETS, { ...ALL, risk_decisions: 'none' }, [], sample);
    expect(k.map((x) => [x.label, x.note])).toEqual([
      ['Signals (total)', null],
      ['Signals per day (mean)', '127 over 3 days'],
      ['Approved by risk', 'no risk decisions in the evidence; counted the orders the risk service published'],
      ['Paper trades executed', null],
      ['Market data events', 'sampled: 1 min of capture, not graded against the block target — not graded against a whole-block target'],
    ]);
    expect(k.map((x) => [render('de', x.texts.label), x.texts.note ? render('de', x.texts.note) : null])).toEqual([
      ['Signale (gesamt)', null],
      ['Signale pro Tag (Mittel)', '127 über 3 Tage'],
      ['Vom Risk Layer genehmigt', 'keine Risk-Entscheidungen in den Belegen; gezählt wurden die Orders, die der Risk-Service veröffentlicht hat'],
      ['Ausgeführte Paper-Trades', null],
      ['Market-Data-Events', 'Stichprobe: 1 Min. Mitschnitt, nicht am Blockziel bewertet — nicht am Ziel für den ganzen Block bewertet'],
    ]);
  });
});
