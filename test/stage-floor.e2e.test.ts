import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, samples, tmp } from './helpers.js';

interface Report {
  flow: { counts: Record<string, number>; floors: { stage: string; count: number; at_least: number; implied_by: string; note: string }[] };
  kpis: { metric: string; value: number | null; status: string; note: string | null }[];
  layers: { id: string; status: string; findings: { severity: string; message: string }[] }[];
}

function run(bundle: string): Report {
  const out = tmp('cdbf-floor-');
  const r = cli(['run', bundle, '--out', out, '--db', join(out, 'case.db'), '--now', '2026-03-01T00:00:00Z']);
  expect([0, 1], r.stderr).toContain(r.status);
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
}

describe('stage floors end to end', () => {
  it('since-healthy-era-b: the signal log saved with --since is bounded by the approvals, and no KPI fails from it', () => {
    const s = samples().find((x) => x.name === 'since-healthy-era-b')!;
    const r = run(s.path);
    const approved = s.expected.counts.risk_approved as number;
    // The raw count stays what the short source shows (the sample's check: 72 saved signal lines).
    expect(r.flow.counts.signals).toBe(72);
    expect(r.flow.floors).toEqual([
      expect.objectContaining({ stage: 'signals', count: 72, at_least: approved, implied_by: 'risk_decisions' }),
    ]);
    expect(r.flow.floors[0].note).toMatch(new RegExp(`^≥ ${approved}, implied by risk decisions .*logs/signal_since_2026-02-26\\.txt covers only from 2026-02-26 `));
    const sig = r.kpis.find((k) => k.metric === 'signals_total')!;
    expect(sig).toMatchObject({ value: approved, status: 'ok' });
    expect(sig.note).toMatch(/implied by risk decisions/);
    expect(r.kpis.find((k) => k.metric === 'signals_per_day')!.status).toBe('ok');
    expect(r.layers.find((l) => l.id === 'signal_engine')!.status).not.toBe('fail');
  });

  it('healthy-era-a: a consistent funnel has no floor', () => {
    expect(run(samples().find((x) => x.name === 'healthy-era-a')!.path).flow.floors).toEqual([]);
  });

  it('recon-consistent: without any risk-decision source the published orders bound the approvals; the signals dump already holds them', () => {
    const s = samples().find((x) => x.name === 'recon-consistent')!;
    const r = run(s.path);
    const orders = s.expected.counts.orders as number;
    expect(r.flow.floors).toEqual([expect.objectContaining({ stage: 'risk_approved', count: 0, at_least: orders, implied_by: 'orders' })]);
    expect(r.flow.floors[0].note).toMatch(/no risk_decisions record in the block/);
  });
});
