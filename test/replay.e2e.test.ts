import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT, samples, SAMPLES, tmp } from './helpers.js';

const V1 = join(ROOT, 'test', 'fixtures', 'report-v1-drawdown-runbook.json');
const DRAWDOWN = join(SAMPLES, 'drawdown-runbook');

function run(bundle: string, out: string, extra: string[] = []): string {
  const r = cli(['run', bundle, '--out', out, '--db', join(out, 'case.db'), '--format', 'json', '--quiet', ...extra]);
  expect([0, 1], r.stderr).toContain(r.status);
  return join(out, 'report.json');
}

describe('replay', () => {
  it.each(samples().map((s) => [s.name, s.path]))('%s replays identical: evidence, rules, templates, bytes', (_name, path) => {
    const report = run(path, tmp('cdbf-replay-'), ['--now', '2026-02-01T00:00:00Z']);
    const prov = JSON.parse(readFileSync(report, 'utf8')).provenance;
    expect(prov.options.now).toBe('2026-02-01T00:00:00Z');
    expect(prov.manifest_sha256).toMatch(/^[0-9a-f]{64}$/);
    const r = cli(['replay', report, path]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('evidence: identical');
    expect(r.stdout).toContain('rules: identical');
    expect(r.stdout).toContain('templates: identical');
    expect(r.stdout).toContain('report bytes: identical');
  });

  it('one changed byte in a copy of a sample is changed evidence naming the file', () => {
    const work = tmp('cdbf-replay-byte-');
    const bundle = join(work, 'bundle');
    cpSync(DRAWDOWN, bundle, { recursive: true });
    const report = run(bundle, join(work, 'out'), ['--config', writeConfig(work)]);
    const file = join(bundle, 'db', 'trading_signals.csv');
    const buf = readFileSync(file);
    const at = buf.indexOf('0.88');
    buf[at + 3] = '7'.charCodeAt(0); // 0.88 → 0.87: same size, different bytes
    writeFileSync(file, buf);
    const r = cli(['replay', report, bundle, '--json']);
    expect(r.status, r.stderr).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.evidence.same).toBe(false);
    expect(j.evidence.changed.map((c: { path: string }) => c.path)).toEqual(['db/trading_signals.csv']);
    expect(j.evidence.added).toEqual([]);
    expect(j.rules.same).toBe(true);
    expect(j.options.config.text).toContain('"signals_total": 500');
    const text = cli(['replay', report, bundle]);
    expect(text.stdout).toMatch(/evidence: CHANGED \(1 file/);
    expect(text.stdout).toContain('changed: db/trading_signals.csv');
  });

  it('a report of schema version 1 (no provenance) replays with defaults and says so', () => {
    const r = cli(['replay', V1, DRAWDOWN]);
    expect(r.status).toBe(1); // its bytes cannot be v2's
    expect(r.stdout).toContain('schema version 1 and no provenance');
    expect(r.stdout).toContain('before the hourly flow and the break in time');
    expect(r.stdout).toContain('replayed with defaults');
    expect(r.stdout).toContain('evidence: identical');
    expect(r.stdout).toMatch(/report bytes: DIFFER \(sections: schema_version, [^)]*provenance/);
  });
});

function writeConfig(dir: string): string {
  const p = join(dir, 'targets.json');
  writeFileSync(p, '{ "targets": { "signals_total": 500 } }\n');
  return p;
}

describe('compare, verify and report take a bundle, a working database or a report.json', () => {
  const cwd = tmp('cdbf-sides-');
  let db = '';
  let v2 = '';
  beforeAll(() => {
    const out = join(cwd, 'out');
    v2 = run(DRAWDOWN, out, ['--now', '2025-11-29T08:00:00Z']);
    db = join(out, 'case.db');
  }, 120_000);

  it('report renders a schema-version-1 report.json', () => {
    const out = join(cwd, 'rendered');
    const r = cli(['report', '--in', V1, '--out', out, '--format', 'md']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('schema version 1 and no provenance');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('Daily Drawdown');
  });

  it('a newer schema version is refused with the version named', () => {
    const p = join(cwd, 'future.json');
    writeFileSync(p, JSON.stringify({ ...JSON.parse(readFileSync(V1, 'utf8')), schema_version: 99 }));
    const r = cli(['compare', p, V1]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('schema version 99');
  });

  it.each([
    ['bundle', 'bundle'],
    ['db', 'report-v1'],
    ['report-v2', 'bundle'],
    ['report-v1', 'report-v2'],
  ])('compare %s with %s of the same block: no change', (a, b) => {
    const side = (k: string) => (k === 'bundle' ? DRAWDOWN : k === 'db' ? db : k === 'report-v1' ? V1 : v2);
    const r = cli(['compare', side(a), side(b), '--json'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    // The v1 report was written before reconciliation named its findings by metric (schema 3): its
    // reconciliation findings carry the old ids; everything else must be the same.
    const changedSince = (ids: string[]) => (a === 'report-v1' || b === 'report-v1' ? ids.filter((id) => !id.startsWith('report-reconciliation:')) : ids);
    expect(changedSince(c.findings_new)).toEqual([]);
    expect(changedSince(c.findings_gone)).toEqual([]);
    expect(c.counts.filter((x: { delta: number }) => x.delta !== 0)).toEqual([]);
    expect(c.a.break_layer).toBe('risk');
    if (a === 'bundle') expect(existsSync(join(cwd, '.cdb-forensics', 'drawdown_runbook.db')), 'a bundle is ingested into the default working DB').toBe(true);
  });

  it('compare names what differs between two blocks', () => {
    const r = cli(['compare', V1, join(SAMPLES, 'healthy-era-a.tgz'), '--json'], { cwd });
    expect(r.status, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.a.break_layer).toBe('risk');
    expect(c.b.break_layer).toBe(null);
    expect(c.counts.find((x: { metric: string }) => x.metric === 'risk_rejected').a).toBe(127);
  });

  it.each([
    ['report-v1', 'db'],
    ['report-v2', 'bundle'],
    ['db', 'db'],
    ['bundle', 'bundle'],
  ])('verify --plan %s --db %s runs the plan', (plan, next) => {
    const side = (k: string) => (k === 'bundle' ? DRAWDOWN : k === 'db' ? db : k === 'report-v1' ? V1 : v2);
    const r = cli(['verify', '--plan', side(plan), '--db', side(next), '--json'], { cwd });
    expect([0, 1], r.stderr).toContain(r.status);
    const results = JSON.parse(r.stdout) as { id: string; status: string; value: number | null }[];
    expect(results.length).toBeGreaterThan(0);
    // the same block as its own next block: nothing changed, so the drawdown check still fails
    expect(results.find((x) => x.id.includes('approved'))?.value).toBe(0);
    expect(r.status).toBe(1);
  });

  it('verify --db with a report.json is refused: SQL needs evidence', () => {
    const r = cli(['verify', '--plan', V1, '--db', V1], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('must be evidence to run SQL on');
  });
});
