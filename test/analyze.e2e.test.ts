import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, samples, tmp, ROOT } from './helpers.js';

interface Report {
  flow: { break_layer: string | null; counts: Record<string, number> };
  layers: { id: string; status: string }[];
  hypotheses: { layer: string; title: string; why: string | null; evidence: { file: string; line: number; text: string }[] }[];
  verification: unknown[];
  todos: unknown[];
  kpis: unknown[];
}

function run(bundle: string, extra: string[] = [], cwd = ROOT): { out: string; report: Report; status: number; stdout: string } {
  const out = tmp('cdbf-report-');
  const r = cli(['run', bundle, '--out', out, '--db', join(out, 'case.db'), '--now', '2026-02-01T00:00:00Z', ...extra], { cwd });
  expect([0, 1], r.stderr).toContain(r.status);
  return { out, status: r.status, stdout: r.stdout, report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report };
}

const ALL = samples();

describe('each sample: break layer, top hypothesis and flow counts as in expected.json', () => {
  it.each(ALL)('$name', ({ path, expected }) => {
    const { report } = run(path);
    const layers = expected.break_layer_any_of ?? [expected.break_layer];
    expect(layers).toContain(report.flow.break_layer);
    if (expected.break_layer === null) {
      expect(report.layers.filter((l) => l.status === 'fail').map((l) => l.id)).toEqual([]);
    } else {
      const top = report.hypotheses[0];
      expect(top, 'a top hypothesis').toBeDefined();
      expect(top.layer).toBe(expected.top_hypothesis.layer);
      const text = `${top.title} ${top.why ?? ''}`.toLowerCase();
      expect(expected.top_hypothesis.keywords.some((k) => text.includes(k.toLowerCase())), `"${top.title}" names one of ${expected.top_hypothesis.keywords}`).toBe(true);
      expect(top.evidence.length, 'the top hypothesis cites evidence').toBeGreaterThan(0);
      for (const e of top.evidence) expect(e.line).toBeGreaterThanOrEqual(0);
    }
    for (const k of ['signals', 'risk_approved', 'risk_rejected', 'orders', 'trades', 'persisted_trades', 'market_data_events']) {
      const want = expected.counts[k];
      if (typeof want === 'number') expect(report.flow.counts[k], k).toBe(want);
    }
    expect(report.verification.length).toBeGreaterThan(0);
    expect(report.kpis.length).toBe(5);
  });
});

describe('reports are reproducible, safe and portable', () => {
  it('the same bundle gives byte-identical reports, from any working directory', () => {
    const s = ALL[0];
    const a = run(s.path);
    const b = run(s.path, [], tmp('cdbf-cwd-'));
    for (const f of ['report.json', 'report.md', 'report.html']) {
      expect(readFileSync(join(b.out, f)).equals(readFileSync(join(a.out, f))), f).toBe(true);
    }
  });

  it.each(ALL.filter((s) => (s.expected.secrets ?? []).length > 0))('no secret of $name reaches a report', ({ path, expected }) => {
    const { out } = run(path);
    for (const f of ['report.json', 'report.md', 'report.html']) {
      const text = readFileSync(join(out, f), 'utf8');
      for (const secret of expected.secrets ?? []) expect(text.includes(secret), `${f} holds ${secret.slice(0, 3)}…`).toBe(false);
    }
  });

  it.each([
    ['critical', 1],
    ['info', 1],
  ])('--fail-on %s sets the exit code on a failing block', (sev, code) => {
    const failing = ALL.find((s) => s.expected.break_layer !== null)!;
    expect(run(failing.path, ['--fail-on', sev]).status).toBe(code);
  });

  it('--fail-on critical exits 0 on the healthy block', () => {
    const healthy = ALL.find((s) => s.expected.break_layer === null)!;
    expect(run(healthy.path, ['--fail-on', 'critical']).status).toBe(0);
  });

  it('--fail-on with an unknown severity exits 2 and says what to do', () => {
    const r = cli(['run', ALL[0].path, '--fail-on', 'severe', '--out', tmp()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/info, low, medium, high, critical/);
  });
});

describe('trace, verify and compare on a sample', () => {
  it('verify runs a block\'s own plan on itself, and compare reports no change against itself', () => {
    const s = ALL.find((x) => x.expected.break_layer === null)!;
    const { out } = run(s.path);
    const v = cli(['verify', '--plan', join(out, 'report.json'), '--db', join(out, 'case.db'), '--json']);
    expect([0, 1]).toContain(v.status);
    const results = JSON.parse(v.stdout) as { status: string }[];
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => ['pass', 'fail', 'error'].includes(r.status))).toBe(true);
    expect(results.filter((r) => r.status === 'error')).toEqual([]);
    const c = JSON.parse(cli(['compare', join(out, 'report.json'), join(out, 'report.json'), '--json']).stdout) as { counts: { delta: number }[]; findings_new: string[] };
    expect(c.counts.every((x) => x.delta === 0)).toBe(true);
    expect(c.findings_new).toEqual([]);
  });

  it('query answers the runbook per-day signal query', () => {
    const s = ALL.find((x) => x.name === 'drawdown-runbook')!;
    const { out } = run(s.path);
    const q = cli(['query', '--db', join(out, 'case.db'), '--format', 'json', "SELECT DATE(timestamp) AS d, COUNT(*) AS n FROM trading_signals WHERE in_block = 1 GROUP BY 1 ORDER BY 1"]);
    expect(q.status, q.stderr).toBe(0);
    const rows = JSON.parse(q.stdout) as { d: string; n: number }[];
    expect(Object.fromEntries(rows.map((r) => [r.d, r.n]))).toEqual(s.expected.counts.signals_per_day);
  });
});
