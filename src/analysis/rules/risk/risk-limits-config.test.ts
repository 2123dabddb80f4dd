import { describe, expect, it } from 'vitest';
import { TestDb } from '../../testing.js';
import { addSettings } from '../shared/testing.js';
import rule from './risk-limits-config.js';

type Row = { key: string; value: string; source?: string; service?: string };

function run(rows: Row[], era = 'A') {
  const t = new TestDb();
  addSettings(t, rows.filter((r) => (r.source ?? 'env') === 'env'));
  addSettings(t, rows.filter((r) => r.source === 'startup'), 'logs/cdb_risk.log');
  addSettings(t, rows.filter((r) => r.source === 'inspect_env'), 'inspect/cdb_risk.json');
  return rule.check(t.context({ era }));
}

const startup = (key: string, value: string): Row => ({ key, value, source: 'startup', service: 'cdb_risk' });

describe('risk-limits-config', () => {
  it.each<[string, Row[], string, string, string]>([
    ['startup banner differs from .env', [{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }, startup('MAX_EXPOSURE_PCT', '50.0%')], 'A', 'limit:MAX_EXPOSURE_PCT', 'warn'],
    ['inspect Env differs from .env', [{ key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.08' }, { key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.05', source: 'inspect_env' }], 'A', 'limit:MAX_DAILY_DRAWDOWN_PCT', 'warn'],
    ['era A sets the exposure through MAX_TOTAL_EXPOSURE_PCT', [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }], 'A', 'unread:MAX_TOTAL_EXPOSURE_PCT', 'warn'],
    ['CIRCUIT_BREAKER_THRESHOLD_PCT is read by no service', [{ key: 'CIRCUIT_BREAKER_THRESHOLD_PCT', value: '0.10' }], 'A', 'unread:CIRCUIT_BREAKER_THRESHOLD_PCT', 'ok'],
    ['runbook-only MIN_CONFIDENCE', [{ key: 'MIN_CONFIDENCE', value: '0.60' }], 'B', 'unread:MIN_CONFIDENCE', 'ok'],
    ['REDIS_MAXMEMORY', [{ key: 'REDIS_MAXMEMORY', value: '256mb' }], 'A', 'unread:REDIS_MAXMEMORY', 'ok'],
  ])('MUST fire: %s', (_n, rows, era, subject, status) => {
    const r = run(rows, era);
    expect(r.status).toBe(status);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
  });

  it.each<[string, Row[], string]>([
    ['startup equals .env (percent vs fraction)', [{ key: 'MAX_EXPOSURE_PCT', value: '0.50' }, startup('MAX_EXPOSURE_PCT', '50.0%'), startup('MAX_DAILY_DRAWDOWN_PCT', '5.0%'), { key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.05' }], 'A'],
    ['era B reads MAX_TOTAL_EXPOSURE_PCT', [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }], 'B'],
    ['era A sets both names to the same value', [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.50' }, { key: 'MAX_EXPOSURE_PCT', value: '0.50' }], 'A'],
    ['signal threshold as printed', [{ key: 'SIGNAL_THRESHOLD_PCT', value: '3.0' }, startup('SIGNAL_THRESHOLD_PCT', '3.0%')], 'A'],
  ])('MUST NOT fire: %s', (_n, rows, era) => {
    const r = run(rows, era);
    expect(r.status).toBe('ok');
    expect(r.findings?.filter((f) => f.severity !== 'low' && f.severity !== 'info') ?? []).toHaveLength(0);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('is not evaluable without configuration', () => {
    expect(rule.check(new TestDb().context()).status).toBe('not_evaluable');
  });

  it('names the variable era A really reads and points the to-do at it', () => {
    const r = run([{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }]);
    expect(r.metrics).toMatchObject({ effective_MAX_EXPOSURE_PCT: 0.5, effective_MAX_EXPOSURE_PCT_source: 'code default' });
    expect(r.findings![0].message).toMatch(/reads MAX_EXPOSURE_PCT, in effect 50 %/);
    expect(r.todos?.[0]).toMatchObject({ where: '.env MAX_EXPOSURE_PCT', priority: 'low' });
  });

  it('the wrong-name cause needs exposure rejections in the block', () => {
    const t = new TestDb();
    addSettings(t, [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }]);
    const without = rule.check(t.context({ era: 'A' }));
    expect(without.hypotheses ?? []).toHaveLength(0);
    t.insert('risk_decisions', { ts: '2025-11-27T10:00:00.000Z', decision: 'rejected', reason_code: 'exposure', in_block: 1 });
    const withRejections = rule.check(t.context({ era: 'A' }));
    expect(withRejections.hypotheses?.[0]).toMatchObject({ cause: 'risk.wrong_variable_name', likelihood: 'likely' });
    expect(withRejections.todos?.[0]).toMatchObject({ cause: 'risk.wrong_variable_name', priority: 'medium' });
  });

  it('the mismatch hypothesis is weaker without the startup banner', () => {
    const withBanner = run([{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }, startup('MAX_EXPOSURE_PCT', '50.0%')]);
    const inspectOnly = run([{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }, { key: 'MAX_EXPOSURE_PCT', value: '0.50', source: 'inspect_env' }]);
    const envOnly = run([{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }]);
    expect(withBanner.hypotheses?.[0]).toMatchObject({ cause: 'risk.limits_not_applied', likelihood: 'likely' });
    expect(inspectOnly.hypotheses?.[0]).toMatchObject({ cause: 'risk.limits_not_applied', likelihood: 'possible' });
    expect(envOnly.hypotheses ?? []).toHaveLength(0);
  });

  it('verifies the fix through the startup banner and never edits an unread variable', () => {
    const r = run([
      { key: 'MAX_EXPOSURE_PCT', value: '0.30' },
      startup('MAX_EXPOSURE_PCT', '50.0%'),
      { key: 'CIRCUIT_BREAKER_THRESHOLD_PCT', value: '0.10' },
      { key: 'MIN_CONFIDENCE', value: '0.6' },
    ]);
    const v = r.verification!.find((x) => x.id === 'startup-max_exposure_pct')!;
    expect(new RegExp(v.check).test('   Max Exposure: 30.0%')).toBe(true);
    for (const t of r.todos ?? []) expect(t.where).not.toMatch(/CIRCUIT_BREAKER_THRESHOLD_PCT|MIN_CONFIDENCE/);
  });
});
