import { describe, expect, it } from 'vitest';
import { analyze } from '../analysis/analyze.js';
import { TestDb } from '../analysis/testing.js';
import { validateReport, type ReportModel } from './model.js';

function model(): ReportModel {
  const t = new TestDb();
  const put = t.db.prepare('INSERT INTO block (key, value) VALUES (?, ?)');
  put.run('from', '2025-11-26T00:00:00.000Z');
  put.run('to', '2025-11-28T23:59:59.999Z');
  return analyze(t.db, { now: '2025-12-01T00:00:00.000Z', toolVersion: '0.1.0' });
}

const RECON = {
  date: '2025-11-27', metric: 'signals', report_kind: 'paper_runner', report_value: 45, db_value: 45, matches: false, explanation: 'window',
  interpretation: 'previous_utc_day', interpretations_matching: ['previous_utc_day'], complete: false, close: false, counting: 'dedup',
  generated_at: '2025-11-27T00:00:00.057Z', zone: 'UTC', note: null, candidates: [], evidence: [{ file: 'a.eml', line: 26 }],
};

describe('report model', () => {
  it('an analysis of an empty bundle is a valid model: everything not evaluable, nothing failed', () => {
    const m = model();
    expect(m.layers.every((l) => l.status === 'not_evaluable')).toBe(true);
    expect(m.flow.break_layer).toBeNull();
    expect(m.coverage.evaluated).toBe(0);
    expect(m.coverage.not_evaluable.every((n) => n.missing.length > 0)).toBe(true);
    expect(m.kpis.every((k) => k.status === 'not_evaluable')).toBe(true);
    expect(m.reconciliation).toEqual([]);
    expect(m.block.zone).toBe('UTC');
  });

  it('a reconciliation row in the contract shape is valid', () => {
    const m = JSON.parse(JSON.stringify(model()));
    m.reconciliation.push(RECON);
    expect(validateReport(m).reconciliation).toHaveLength(1);
  });

  it.each<[string, (m: Record<string, any>) => void, RegExp]>([
    ['a missing contract field', (m) => delete m.flow.break_layer, /flow\.break_layer/],
    ['an unknown layer', (m) => (m.layers[0].id = 'database'), /layers\.0\.id/],
    ['a finding without a rule-scoped id', (m) => m.layers[0].findings.push({ id: 'x', rule: 'r', subject: 's', severity: 'low', message: 'm', evidence: [] }), /layers\.0\.findings\.0\.id/],
    ['a likelihood outside the scale', (m) => m.hypotheses.push({ rank: 1, cause: 'c', layer: 'system', title: 't', likelihood: 'certain', evidence: [], why: null, rules: [] }), /hypotheses\.0\.likelihood/],
    ['an extra key', (m) => (m.surprise = 1), /surprise|Unrecognized/i],
    ['a negative count', (m) => (m.flow.counts.trades = -1), /flow\.counts\.trades/],
    ['a reconciliation explanation outside the list', (m) => m.reconciliation.push({ ...RECON, explanation: 'clock_skew' }), /reconciliation\.0\.explanation/],
    ['a reconciliation row without a metric id', (m) => m.reconciliation.push({ ...RECON, metric: 'Signals Today' }), /reconciliation\.0\.metric/],
    ['a DB count that is not an integer', (m) => m.reconciliation.push({ ...RECON, db_value: 4.5 }), /reconciliation\.0\.db_value/],
    ['a block without its zone', (m) => delete m.block.zone, /block\.zone/],
  ])('refuses %s', (_n, mutate, re) => {
    const m = JSON.parse(JSON.stringify(model()));
    mutate(m);
    expect(() => validateReport(m)).toThrow(re);
  });
});
