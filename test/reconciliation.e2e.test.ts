import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, samples, tmp } from './helpers.js';

interface Row {
  report_kind: string;
  date: string | null;
  metric: string;
  report_value: number | null;
  db_value: number | null;
  matches: boolean;
  explanation: string | null;
  interpretation: string | null;
  evidence: { file: string; line: number }[];
}

interface Report {
  block: { from: string; to: string; zone: string; days: string[] };
  reconciliation: Row[];
  layers: { id: string; status: string; findings: { rule: string; severity: string }[] }[];
  hypotheses: { cause: string }[];
  flow: { break_layer: string | null };
}

interface Expected {
  block: { from: string; to: string };
  zone?: string;
  window?: { from: string; to: string };
  reconciliation?: Omit<Row, 'evidence'>[];
  reports?: { date: string; matching_window: string; signals_today: number; trades_today: number }[];
}

function run(path: string, lang: 'en' | 'de' = 'en'): Report {
  const out = tmp('cdbf-recon-');
  const r = cli(['run', path, '--out', out, '--db', join(out, 'case.db'), '--now', '2026-02-10T00:00:00Z', ...(lang === 'en' ? [] : ['--lang', lang])]);
  expect([0, 1], r.stderr).toContain(r.status);
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
}

const KEYS = ['report_kind', 'date', 'metric', 'report_value', 'db_value', 'matches', 'explanation', 'interpretation'] as const;
const project = (r: Omit<Row, 'evidence'>) => Object.fromEntries(KEYS.map((k) => [k, r[k]]));
const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) => JSON.stringify(a).localeCompare(JSON.stringify(b));

const ALL = samples().map((s) => ({ ...s, exp: s.expected as unknown as Expected }));
const RECON = ALL.filter((s) => s.exp.reconciliation);

describe('reconciliation samples: every row’s verdict, interpretation and values as the generator built them', () => {
  it.each(RECON)('$name', ({ path, exp }) => {
    const report = run(path);
    expect(report.reconciliation.map(project).sort(byKey)).toEqual(exp.reconciliation!.map(project).sort(byKey));
    for (const r of report.reconciliation) expect(r.evidence.length, `${r.report_kind} ${r.metric} ${r.date} cites its source`).toBeGreaterThan(0);
    // The block: the team's local days where two signs agree, else UTC days.
    expect(report.block.zone).toBe(exp.zone ?? 'UTC');
    expect(report.block.days[0]).toBe(exp.block.from);
    expect(report.block.days[report.block.days.length - 1]).toBe(exp.block.to);
    if (exp.window) expect([report.block.from, report.block.to]).toEqual([exp.window.from, exp.window.to]);
    // Reports never break the flow; consistent reports are never flagged.
    const reporting = report.layers.find((l) => l.id === 'reporting')!;
    expect(reporting.status).not.toBe('fail');
    const consistent = exp.reconciliation!.every((r) => r.matches || r.explanation === null);
    if (consistent) {
      expect(reporting.findings.filter((f) => f.rule === 'report-reconciliation' && f.severity !== 'info')).toEqual([]);
      expect(reporting.status).toBe('ok');
    }
  });
});

const WINDOW: Record<string, string> = { b_previous_day: 'previous_utc_day', c_runner_start_day: 'runner_start_day' };

describe('the incident samples: paper-runner reports reconciled to the window their expected file names', () => {
  it.each(ALL.filter((s) => (s.exp.reports ?? []).length > 0))('$name', ({ path, exp }) => {
    const report = run(path);
    for (const r of exp.reports!) {
      const signals = report.reconciliation.find((x) => x.report_kind === 'paper_runner' && x.metric === 'signals' && x.date === r.date);
      expect(signals, `signals row of ${r.date}`).toBeDefined();
      expect(signals!.report_value).toBe(r.signals_today);
      if (WINDOW[r.matching_window]) {
        expect(signals).toMatchObject({ matches: false, explanation: 'window', interpretation: WINDOW[r.matching_window], db_value: r.signals_today });
      } else {
        // "any (a, b and c all give 0)": a 0 that every window holds agrees with the DB.
        expect(signals).toMatchObject({ matches: true, explanation: null, db_value: 0 });
      }
    }
  });
});

type Worded = Row & { note: string | null; candidates: { label: string; texts?: unknown }[]; texts?: unknown };

describe('the reconciliation in German: the same rows, only the words differ', () => {
  it('recon-runner-restart', () => {
    const path = ALL.find((s) => s.name === 'recon-runner-restart')!.path;
    const en = run(path).reconciliation as Worded[];
    const de = run(path, 'de').reconciliation as Worded[];
    const facts = (rows: Worded[]) => rows.map(({ note: _n, candidates, ...r }) => ({ ...r, candidates: candidates.map(({ label: _l, ...c }) => c) }));
    expect(facts(de)).toEqual(facts(en));
    const reset = (rows: Worded[]) => rows.find((r) => r.metric === 'events_logged' && r.explanation === 'restart_reset')!.note;
    expect(reset(en)).toMatch(/^fell from [\d,]+ \(\d{4}-\d\d-\d\d\) to [\d,]+: the runner restarted in between$/);
    expect(reset(de)).toMatch(/^gefallen von [\d.]+ \(\d\d\.\d\d\.\d{4}\) auf [\d.]+: der Runner wurde dazwischen neu gestartet$/);
    const labels = (rows: Worded[]) => new Set(rows.flatMap((r) => r.candidates.map((c) => c.label.replace(/\d{4}-\d\d-\d\d|\d\d\.\d\d\.\d{4}/g, '#'))));
    expect([...labels(de)].sort()).toEqual(
      expect.arrayContaining(['24 Stunden bis zur Erzeugung', 'UTC-Tag #', 'vorheriger UTC-Tag #', 'Starttag des Runners # (laut seinem Start-Time-Banner)']),
    );
    expect([...labels(en)].sort()).toEqual(expect.arrayContaining(['the 24 hours up to generation', 'the UTC day #', "the runner's start day # (its Start Time banner)"]));
  });
});
