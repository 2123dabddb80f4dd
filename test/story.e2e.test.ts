/**
 * Each sample's report tells its story: snapshot per sample of the break, the top hypothesis with
 * its file:line citations, and the Markdown summary (test/golden/samples/<name>.json; regenerate
 * with UPDATE_GOLDEN=1 and read the diff). Plus what must hold for every sample whatever the
 * snapshot says: the summary within 10 lines and naming the cause, no HTML entity in Markdown,
 * the timeline in time order with every entry cited, verdict metrics that exist.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/analysis/registry.js';
import { de as deCatalog, en as enCatalog } from '../src/i18n/messages/index.js';
import { cli, ROOT, samples, tmp } from './helpers.js';

const GOLDEN = join(ROOT, 'test', 'golden', 'samples');

/** Fixed stretches (3+ words) of the report's own English texts whose German differs: none may be in a German report. */
const OWN_STRETCHES = Object.entries(enCatalog as Record<string, string>)
  .filter(([k, en]) => /^(report|story|chart|status|likelihood|priority|effort|kpi|layer)\./.test(k) && (deCatalog as Record<string, string>)[k] !== en)
  .flatMap(([, en]) => en.split(/\{[^}]*\}/).map((p) => p.trim()))
  .filter((p) => p.split(/\s+/).length >= 3);

interface Ev {
  file: string;
  line: number;
}
interface Report {
  flow: { break_layer: string | null; break_stage: string | null; break_at: string | null };
  layers: { id: string; metrics: Record<string, unknown>; key_metrics: string[] }[];
  hypotheses: { cause: string; layer: string; title: string; chain?: string; evidence: Ev[] }[];
  timeline: { at: string; kind: string; evidence: Ev[] }[];
}

const ALL = samples();
const rendered = new Map<string, { out: string; json: Report; md: string; html: string }>();

function render(name: string, path: string) {
  const hit = rendered.get(name);
  if (hit) return hit;
  const out = tmp('cdbf-story-');
  const r = cli(['run', path, '--out', out, '--db', join(out, 'case.db'), '--now', '2026-02-01T00:00:00Z']);
  expect([0, 1], r.stderr).toContain(r.status);
  const got = { out, json: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report, md: readFileSync(join(out, 'report.md'), 'utf8'), html: readFileSync(join(out, 'report.html'), 'utf8') };
  rendered.set(name, got);
  return got;
}

function summary(md: string): string[] {
  const start = md.indexOf('## 1. Block summary\n');
  const end = md.indexOf('\n## ', start + 4);
  return md.slice(start, end).split('\n').filter((l) => l.startsWith('- '));
}

describe.each(ALL)('$name', ({ name, path }) => {
  it('matches its snapshot: break, top hypothesis with file:line citations, summary', () => {
    const { json, md } = render(name, path);
    const top = json.hypotheses[0];
    const snap = {
      break_layer: json.flow.break_layer,
      break_stage: json.flow.break_stage,
      break_at: json.flow.break_at,
      top_hypothesis: top ? { cause: top.cause, layer: top.layer, title: top.title, citations: top.evidence.map((e) => `${e.file}:${e.line}`) } : null,
      summary: summary(md),
    };
    const file = join(GOLDEN, `${name}.json`);
    const text = JSON.stringify(snap, null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
    }
    expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('opens with a summary of at most 10 lines that names what broke and the cause', () => {
    const { json, md, html } = render(name, path);
    const lines = summary(md);
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.some((l) => l.startsWith('- **What broke**: '))).toBe(true);
    const top = json.hypotheses[0];
    if (top) {
      const cause = top.chain ?? top.title;
      expect(lines.find((l) => l.startsWith('- **Cause**: '))).toBeDefined();
      expect(html).toContain(`<dt>Cause</dt><dd>${cause.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;')}`);
    }
  });

  it('writes Markdown without HTML entities', () => {
    expect(render(name, path).md).not.toMatch(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/i);
  });

  it('has a timeline in time order, every entry cited', () => {
    const { json } = render(name, path);
    const ats = json.timeline.map((e) => e.at);
    expect([...ats].sort()).toEqual(ats);
    for (const e of json.timeline.filter((x) => x.kind !== 'break')) expect(e.evidence.length, `${e.at} ${e.kind}`).toBeGreaterThan(0);
    if (json.flow.break_at) expect(json.timeline.some((e) => e.kind === 'break' && e.at === json.flow.break_at)).toBe(true);
  });

  it('lists verdict metrics that the layer has', () => {
    for (const l of render(name, path).json.layers) for (const k of l.key_metrics) expect(Object.keys(l.metrics)).toContain(k);
  });

  it('renders in German too (report --lang de): its own words German, nothing else changed', () => {
    const { out, md } = render(name, path);
    const de = join(out, 'de');
    const r = cli(['report', '--in', join(out, 'report.json'), '--out', de, '--lang', 'de']);
    expect(r.status, r.stderr).toBe(0);
    const mdDe = readFileSync(join(de, 'report.md'), 'utf8');
    const htmlDe = readFileSync(join(de, 'report.html'), 'utf8');
    const jsonDe = readFileSync(join(de, 'report.json'), 'utf8');
    expect(htmlDe).toMatch(/^<html lang="de">$/m);
    expect(mdDe).toMatch(/^## 1\. Block-Zusammenfassung$/m);
    // The same sections, tables and evidence: only words, numbers and dates differ.
    expect(mdDe.split('\n').filter((l) => l.startsWith('## ')).length).toBe(md.split('\n').filter((l) => l.startsWith('## ')).length);
    expect(mdDe.split('\n').filter((l) => l.startsWith('|')).length).toBe(md.split('\n').filter((l) => l.startsWith('|')).length);
    const cites = (s: string) => (s.match(/`[^`\n]+:\d+`/g) ?? []).sort();
    expect(cites(mdDe)).toEqual(cites(md));
    // No stretch of the report's own English words, except where the model itself carries it (a rule's text).
    const leaks = OWN_STRETCHES.filter((p) => (mdDe.includes(p) || htmlDe.includes(p)) && !jsonDe.includes(p));
    expect(leaks).toEqual([]);
  });
});

describe('verdict metrics across the samples', () => {
  it('every declared key metric is reported by its rule in some sample (no typo in a keyMetrics list)', () => {
    const seen = new Set<string>();
    for (const s of ALL) for (const l of render(s.name, s.path).json.layers) for (const k of Object.keys(l.metrics)) seen.add(k.replace(/^[a-z0-9-]+\./, ''));
    const missing = RULES.flatMap((r) => (r.keyMetrics ?? []).filter((k) => !seen.has(k)).map((k) => `${r.id}.${k}`));
    expect(missing).toEqual([]);
  });
});

describe('--todo-order on report', () => {
  it.each([
    ['priority', 0, /### 🔴 high priority/],
    ['category', 0, /### CONFIG/],
  ])('%s', (order, status, re) => {
    const { name, path } = ALL.find((s) => s.name === 'drawdown-runbook') ?? ALL[0];
    const src = render(name, path).out;
    const out = tmp('cdbf-todo-out-');
    const r = cli(['report', '--in', join(src, 'report.json'), '--out', out, '--format', 'md', '--todo-order', order]);
    expect(r.status, r.stderr).toBe(status);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(re);
  });

  it('refuses an unknown order', () => {
    const r = cli(['report', '--in', 'x.json', '--out', tmp(), '--todo-order', 'random']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/todo-order/);
  });
});
