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
import { en as EN, de as DE } from '../src/i18n/messages/index.js';
import { unkeyedTexts } from '../src/i18n/unkeyed.js';
import { cli, ROOT, samples, tmp } from './helpers.js';

const GOLDEN = join(ROOT, 'test', 'golden', 'samples');

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

/** The same analysis in German (`analyze --lang de` on the sample's working database). */
const german = new Map<string, { out: string; json: Report & Record<string, unknown>; md: string; html: string }>();
function renderDe(name: string, path: string) {
  const hit = german.get(name);
  if (hit) return hit;
  const en = render(name, path);
  const out = tmp('cdbf-story-de-');
  const r = cli(['analyze', '--db', join(en.out, 'case.db'), '--out', out, '--now', '2026-02-01T00:00:00Z', '--lang', 'de']);
  expect([0, 1], r.stderr).toContain(r.status);
  const got = { out, json: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), md: readFileSync(join(out, 'report.md'), 'utf8'), html: readFileSync(join(out, 'report.html'), 'utf8') };
  german.set(name, got);
  return got;
}

/**
 * English sentences a German report must not contain: the literal runs (3+ words) of every English
 * text whose German differs. Quoted evidence is German or technical, so a hit is an untranslated string.
 */
const ENGLISH_RUNS = [
  ...new Set(
    Object.entries(EN)
      .filter(([k, v]) => (DE as Record<string, string>)[k] !== v)
      .flatMap(([, v]) => v.split(/\{[^}]*\}/))
      .map((run) => run.trim())
      // Three words of prose at least: a run of names, variables and symbols ("; SIGNAL_MIN_VOLUME =") reads the same in German.
      .filter((run) => run.split(/\s+/).filter((w) => /^[a-zäöüß]{2,}[,.:;]?$/i.test(w) && w !== w.toUpperCase()).length >= 3 && run.length >= 15),
  ),
];

/** What must be the same in any language: ids, counts, statuses and the cited lines. */
function facts(j: Record<string, any>) {
  return {
    flow: { break_layer: j.flow.break_layer, break_stage: j.flow.break_stage, break_at: j.flow.break_at, counts: j.flow.counts, per_day: j.flow.per_day },
    layers: j.layers.map((l: any) => ({ id: l.id, status: l.status, metrics: l.metrics, findings: l.findings.map((f: any) => [f.id, f.severity, f.evidence.map((e: any) => `${e.file}:${e.line}`)]) })),
    hypotheses: j.hypotheses.map((h: any) => [h.rank, h.cause, h.layer, h.likelihood, h.consequence_of, h.evidence.map((e: any) => `${e.file}:${e.line}`)]),
    // A where in words is keyed (its key and parameters are the fact); a path or `.env KEY` is as written.
    todos: j.todos.map((t: any) => [t.category, t.priority, t.effort, t.texts?.where ?? t.where, t.cause]),
    verification: j.verification.map((v: any) => [v.id, v.kind, v.check, v.expect]),
    kpis: j.kpis.map((k: any) => [k.metric, k.value, k.target, k.status]),
    reconciliation: j.reconciliation.map((r: any) => [r.metric, r.report_value, r.db_value, r.matches, r.explanation]),
    timeline: j.timeline.map((e: any) => [e.at, e.kind, e.service, e.count]),
  };
}

function summary(md: string): string[] {
  const start = md.search(/^## 1\. .*$/m);
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
      summary_de: summary(renderDe(name, path).md),
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

  it('in German: the same break, causes, counts and citations as in English', () => {
    const en = render(name, path).json as unknown as Record<string, unknown>;
    const de = renderDe(name, path).json;
    expect(de.lang).toBe('de');
    expect(facts(de)).toEqual(facts(en));
  });

  it('in German: every visible sentence is keyed, and none is left in English', () => {
    const { json, md, html } = renderDe(name, path);
    expect(unkeyedTexts(json)).toEqual([]);
    expect(ENGLISH_RUNS.filter((run) => md.includes(run))).toEqual([]);
    expect(html).toMatch(/<html lang="de"/);
  });

  it('in German: the same sections, table rows and cited lines as in English', () => {
    const { md } = render(name, path);
    const { md: mdDe, html: htmlDe } = renderDe(name, path);
    expect(htmlDe).toMatch(/^<html lang="de">$/m);
    expect(mdDe).toMatch(/^## 1\. Block-Zusammenfassung$/m);
    // Only words, numbers and dates differ.
    expect(mdDe.split('\n').filter((l) => l.startsWith('## ')).length).toBe(md.split('\n').filter((l) => l.startsWith('## ')).length);
    expect(mdDe.split('\n').filter((l) => l.startsWith('|')).length).toBe(md.split('\n').filter((l) => l.startsWith('|')).length);
    const cites = (s: string) => (s.match(/`[^`\n]+:\d+`/g) ?? []).sort();
    expect(cites(mdDe)).toEqual(cites(md));
  });

  it('report --lang de renders the English report.json to the same bytes as analyze --lang de', () => {
    const de = renderDe(name, path);
    const out = tmp('cdbf-story-relang-');
    const r = cli(['report', '--in', join(render(name, path).out, 'report.json'), '--out', out, '--lang', 'de']);
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['report.json', 'report.md', 'report.html']) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(de.out, f), 'utf8'));
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
