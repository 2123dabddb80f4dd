/**
 * Runs the rules layer by layer and folds their results into layers, ranked hypotheses, to-dos
 * and verification checks. A rule that throws (or returns something malformed) is recorded in
 * `errors` and counts as not_evaluable; the run goes on ("fail forward").
 */
import { appendFileSync } from 'node:fs';
import { Redactor } from '../redact/secrets.js';
import {
  LAYERS,
  SEVERITIES,
  type Evidence,
  type LayerId,
  type Likelihood,
  type Metrics,
  type RuleContext,
  type RuleDef,
  type RuleResult,
  type Severity,
  type Status,
  type Todo,
  type VerificationCheck,
} from './define-rule.js';
import { cmp, envKeyOf, isUnreadSetting } from './rule-kit.js';
import { hasText, isText, mapParams, render, type AnyText, type Said } from '../i18n/translate.js';

/** The keyed texts behind an object's visible fields (field name → key and parameters), kept in report.json. */
export type Texts = Record<string, AnyText>;

export interface EngineFinding {
  /** `<rule>:<subject or 'main'>` — stable across runs and blocks (no counts, no times). */
  id: string;
  rule: string;
  subject: string;
  severity: Severity;
  message: string;
  evidence: Evidence[];
  texts?: Texts;
}

export interface RuleOutcome {
  id: string;
  layer: LayerId;
  title: string;
  status: Status;
  /** What evidence was missing (not_evaluable only). */
  missing: string | null;
  needs: string[];
  texts?: Texts;
}

export interface LayerOutcome {
  id: LayerId;
  status: Status;
  metrics: Metrics;
  /** Layer metric keys the rules declared as verdict metrics (`keyMetrics`), in rule order. */
  key_metrics: string[];
  metric_notes: Record<string, string>;
  findings: EngineFinding[];
  /** Keyed metric notes: `metric_notes.<key>` → text. */
  texts?: Texts;
  rules: RuleOutcome[];
}

export interface RankedHypothesis {
  cause: string;
  layer: LayerId;
  title: string;
  likelihood: Likelihood;
  evidence: Evidence[];
  why: string | null;
  /** Rules that proposed it. */
  rules: string[];
  texts?: Texts;
}

export type EngineTodo = Omit<Todo, 'title' | 'where'> & { title: string; where: string; texts?: Texts };
export type EngineCheck = Omit<VerificationCheck, 'title'> & { title: string; texts?: Texts };

export interface EngineError {
  rule: string;
  message: string;
}

export interface EngineResult {
  layers: LayerOutcome[];
  hypotheses: RankedHypothesis[];
  todos: EngineTodo[];
  verification: EngineCheck[];
  errors: EngineError[];
  rules: RuleOutcome[];
}

export const LIKELIHOODS: Likelihood[] = ['very_likely', 'likely', 'possible', 'unlikely'];
const STATUS_RANK: Record<Status, number> = { fail: 3, warn: 2, ok: 1, not_evaluable: 0 };
const PRIORITY_RANK: Record<Todo['priority'], number> = { high: 0, medium: 1, low: 2 };
const MAX_EVIDENCE_FINDING = 10;
const MAX_EVIDENCE_HYPOTHESIS = 12;
const STATUSES: Status[] = ['ok', 'warn', 'fail', 'not_evaluable'];
const OPS = ['>', '>=', '<', '<=', '==', '!='];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function likelihoodRank(l: Likelihood): number {
  return LIKELIHOODS.indexOf(l);
}

export function layerRank(l: LayerId): number {
  return LAYERS.indexOf(l);
}

/** Layer status: the worst evaluable rule status; not_evaluable only when no rule could be evaluated. */
export function aggregateStatus(statuses: Status[]): Status {
  let best: Status = 'not_evaluable';
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[best]) best = s;
  return best;
}

/** Rejects results a rule could not have meant, so a bug in one rule surfaces as an error row. */
function checkResult(rule: RuleDef, r: unknown): RuleResult {
  if (!r || typeof r !== 'object') throw new Error('check() returned no result');
  const res = r as RuleResult;
  if (!STATUSES.includes(res.status)) throw new Error(`invalid status ${JSON.stringify(res.status)}`);
  for (const f of res.findings ?? []) {
    if (!SEVERITIES.includes(f.severity)) throw new Error(`finding with invalid severity ${JSON.stringify(f.severity)}`);
    if (!(typeof f.message === 'string' ? f.message !== '' : typeof f.message?.key === 'string')) throw new Error('finding without a message');
  }
  for (const h of res.hypotheses ?? []) {
    if (!LIKELIHOODS.includes(h.likelihood)) throw new Error(`hypothesis ${h.cause} with invalid likelihood ${JSON.stringify(h.likelihood)}`);
    if (!h.cause) throw new Error('hypothesis without a cause id');
  }
  for (const v of res.verification ?? []) {
    if (!v.id || !['sql', 'log'].includes(v.kind) || !OPS.includes(v.expect?.op) || !Number.isFinite(v.expect?.value) || typeof v.check !== 'string') {
      throw new Error(`malformed verification check ${JSON.stringify(v.id)}`);
    }
  }
  void rule;
  return res;
}

/**
 * A rule's words made safe and English: a keyed text has its string parameters redacted (log text
 * can carry a secret) and is rendered once in English, the language the model is built in; the
 * report's language is applied over the `texts` at the end (`localize`).
 */
class Sayer {
  constructor(private readonly redactor: Redactor) {}
  said(s: Said): { text: string; keyed: AnyText | null } {
    if (typeof s === 'string') return { text: this.redactor.text(s), keyed: null };
    const keyed = mapParams(s, (v) => this.redactor.text(v));
    return { text: this.redactor.text(render('en', keyed)), keyed };
  }
  /** The rendered fields plus `texts` for those that were keyed (absent when none was). */
  fields<F extends string>(parts: Record<F, Said | null | undefined>): Record<F, string | null> & { texts?: Texts } {
    const out = {} as Record<F, string | null> & { texts?: Texts };
    const texts: Texts = {};
    for (const [f, v] of Object.entries(parts) as [F, Said | null | undefined][]) {
      if (v === null || v === undefined) {
        out[f] = null as never;
        continue;
      }
      const r = this.said(v);
      out[f] = r.text as never;
      if (r.keyed) texts[f] = r.keyed;
    }
    if (Object.keys(texts).length > 0) out.texts = texts;
    return out;
  }
}

function cleanEvidence(redactor: Redactor, ev: Evidence[] | undefined, max: number): Evidence[] {
  const out: Evidence[] = [];
  const seen = new Set<string>();
  for (const e of ev ?? []) {
    const keyed = e.texts?.text && isText(e.texts.text) ? mapParams(e.texts.text, (v) => redactor.text(v)) : null;
    const c: Evidence = {
      file: String(e.file ?? '(unknown)'),
      line: Number.isFinite(e.line) ? Math.max(0, Math.trunc(e.line)) : 0,
      text: redactor.text(keyed ? render('en', keyed) : String(e.text ?? '')),
      ...(keyed ? { texts: { text: keyed } } : {}),
    };
    const key = `${c.file}\u0000${c.line}\u0000${c.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
    if (out.length >= max) break;
  }
  return out;
}

/** Metrics are numbers, text or null in the report: NaN/Infinity become null, anything else text. */
function metricValue(redactor: Redactor, v: unknown): number | string | null {
  if (v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return redactor.text(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return redactor.text(JSON.stringify(v) ?? '');
}

function evidenceCmp(a: Evidence, b: Evidence): number {
  return cmp(a.file, b.file) || a.line - b.line || cmp(a.text, b.text);
}

/** Rules in run order: layer order, then id. The registry is sorted, but the engine does not rely on it. */
export function orderRules(rules: RuleDef[]): RuleDef[] {
  return [...rules].sort((a, b) => layerRank(a.layer) - layerRank(b.layer) || cmp(a.id, b.id));
}

/**
 * For speed work: with CDB_FORENSICS_RULE_TIMES=<file>, each rule's check() milliseconds are
 * appended there (`ms<TAB>rule id` per line). Unset, nothing is timed or written.
 */
const ruleTimes = process.env.CDB_FORENSICS_RULE_TIMES;

export function runEngine(ctx: RuleContext, rules: RuleDef[]): EngineResult {
  const redactor = new Redactor();
  const sayer = new Sayer(redactor);
  const errors: EngineError[] = [];
  const outcomes: RuleOutcome[] = [];
  const layers = new Map<LayerId, LayerOutcome>();
  for (const l of LAYERS) layers.set(l, { id: l, status: 'not_evaluable', metrics: {}, key_metrics: [], metric_notes: {}, findings: [], rules: [] });
  const hyps = new Map<string, RankedHypothesis>();
  const todos = new Map<string, EngineTodo>();
  const checks = new Map<string, EngineCheck>();
  const ids = new Set<string>();

  for (const rule of orderRules(rules)) {
    const layer = layers.get(rule.layer);
    if (!layer) {
      errors.push({ rule: rule.id, message: `unknown layer ${rule.layer}` });
      continue;
    }
    let res: RuleResult;
    const t0 = ruleTimes ? performance.now() : 0;
    try {
      res = checkResult(rule, rule.check(ctx));
    } catch (e) {
      const message = redactor.text(e instanceof Error ? e.message : String(e));
      errors.push({ rule: rule.id, message });
      res = { status: 'not_evaluable', missing: { key: 'engine.rule_failed', params: { message } } };
    }
    if (ruleTimes) appendFileSync(ruleTimes, `${(performance.now() - t0).toFixed(1)}\t${rule.id}\n`);
    const said = sayer.fields({
      // A rule without a catalog fails the catalog tests; here it still runs, titled in English.
      title: hasText(`${rule.id}.title`) ? { key: `${rule.id}.title`, params: {} } : rule.title,
      missing: res.status === 'not_evaluable' ? (res.missing ?? { key: 'engine.needs', params: { needs: [...rule.needs] } }) : null,
    });
    const outcome: RuleOutcome = {
      id: rule.id,
      layer: rule.layer,
      title: said.title ?? rule.title,
      status: res.status,
      missing: said.missing,
      needs: [...rule.needs],
      ...(said.texts ? { texts: said.texts } : {}),
    };
    outcomes.push(outcome);
    layer.rules.push(outcome);

    for (const [k, v] of Object.entries(res.metrics ?? {}).sort(([a], [b]) => cmp(a, b))) {
      if (v === undefined) continue;
      const key = k in layer.metrics ? `${rule.id}.${k}` : k;
      layer.metrics[key] = metricValue(redactor, v);
      if (rule.keyMetrics?.includes(k)) layer.key_metrics.push(key);
      const note = res.metricNotes?.[k];
      if (note !== undefined && note !== '') {
        const r = sayer.said(note);
        layer.metric_notes[key] = r.text;
        if (r.keyed) (layer.texts ??= {})[`metric_notes.${key}`] = r.keyed;
      }
    }
    for (const f of res.findings ?? []) {
      const subject = (f.subject ?? 'main').trim() || 'main';
      let id = `${rule.id}:${subject}`;
      // Two findings on one subject are a rule bug; keep both, distinguishable and still stable.
      for (let n = 2; ids.has(id); n++) id = `${rule.id}:${subject}#${n}`;
      ids.add(id);
      layer.findings.push({
        id,
        rule: rule.id,
        subject,
        severity: f.severity,
        ...(() => {
          const { message, texts } = sayer.fields({ message: f.message });
          return { message: message!, evidence: cleanEvidence(redactor, f.evidence, MAX_EVIDENCE_FINDING), ...(texts ? { texts } : {}) };
        })(),
      });
    }
    for (const h of res.hypotheses ?? []) {
      const hl = h.layer ?? rule.layer;
      const ev = cleanEvidence(redactor, h.evidence, MAX_EVIDENCE_HYPOTHESIS);
      const prev = hyps.get(h.cause);
      const mine = sayer.fields({ title: h.title, why: h.why ?? null });
      if (!prev) {
        hyps.set(h.cause, { cause: h.cause, layer: hl, title: mine.title!, likelihood: h.likelihood, evidence: ev, why: mine.why, rules: [rule.id], ...(mine.texts ? { texts: mine.texts } : {}) });
        continue;
      }
      const better = likelihoodRank(h.likelihood) < likelihoodRank(prev.likelihood);
      const merged = cleanEvidence(redactor, better ? [...ev, ...prev.evidence] : [...prev.evidence, ...ev], MAX_EVIDENCE_HYPOTHESIS);
      const texts: Texts = {};
      const title = better ? mine.title! : prev.title;
      const titleText = better ? mine.texts?.title : prev.texts?.title;
      if (titleText) texts.title = titleText;
      const why = better && mine.why ? mine.why : prev.why;
      const whyText = better && mine.why ? mine.texts?.why : prev.texts?.why;
      if (whyText) texts.why = whyText;
      hyps.set(h.cause, {
        cause: h.cause,
        layer: better ? hl : prev.layer,
        title,
        likelihood: better ? h.likelihood : prev.likelihood,
        evidence: merged,
        why,
        rules: [...new Set([...prev.rules, rule.id])].sort(cmp),
        ...(Object.keys(texts).length > 0 ? { texts } : {}),
      });
    }
    for (const t of res.todos ?? []) {
      // A setting no service reads is never the fix (formats doc §7); offering it is a rule bug.
      const said = sayer.fields({ title: t.title, where: t.where });
      const envKey = envKeyOf(said.where!);
      if (envKey && isUnreadSetting(envKey, ctx.block.era)) {
        errors.push({ rule: rule.id, message: `dropped the to-do "${said.title}": ${envKey} is read by no service in era ${ctx.block.era ?? '?'}` });
        continue;
      }
      const key = `${t.category}\u0000${said.title}\u0000${said.where}`;
      const prev = todos.get(key);
      if (!prev || PRIORITY_RANK[t.priority] < PRIORITY_RANK[prev.priority]) {
        const { texts: _old, ...rest } = t as typeof t & { texts?: unknown };
        todos.set(key, { ...rest, title: said.title!, where: said.where!, ...(said.texts ? { texts: said.texts } : {}) });
      }
    }
    for (const v of res.verification ?? []) {
      if (checks.has(v.id)) continue;
      const expect: VerificationCheck['expect'] = { op: v.expect.op, value: v.expect.value };
      if (v.expect.tolerance !== undefined && Number.isFinite(v.expect.tolerance)) expect.tolerance = Math.abs(v.expect.tolerance);
      const said = sayer.fields({ title: v.title });
      checks.set(v.id, { id: v.id, title: said.title!, kind: v.kind, check: v.check, expect, ...(said.texts ? { texts: said.texts } : {}) });
    }
  }

  for (const layer of layers.values()) {
    layer.status = aggregateStatus(layer.rules.map((r) => r.status));
    layer.findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || cmp(a.rule, b.rule) || cmp(a.id, b.id));
  }
  const hypotheses = [...hyps.values()].sort(
    (a, b) => likelihoodRank(a.likelihood) - likelihoodRank(b.likelihood) || layerRank(a.layer) - layerRank(b.layer) || cmp(a.cause, b.cause),
  );
  for (const h of hypotheses) h.evidence.sort(evidenceCmp);
  return {
    layers: LAYERS.map((l) => layers.get(l)!),
    hypotheses,
    todos: [...todos.values()].sort(
      (a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || cmp(a.category, b.category) || cmp(a.title, b.title) || cmp(a.where, b.where),
    ),
    verification: [...checks.values()].sort((a, b) => cmp(a.id, b.id)),
    errors,
    rules: outcomes,
  };
}

/** The most severe finding in the result, or null when there are none. */
export function maxSeverity(layers: { findings: { severity: Severity }[] }[]): Severity | null {
  let best: Severity | null = null;
  for (const l of layers) for (const f of l.findings) if (best === null || severityRank(f.severity) > severityRank(best)) best = f.severity;
  return best;
}

/** `--fail-on <severity>`: true when any finding is at or above it (the CLI then exits 1). */
export function failsOn(layers: { findings: { severity: Severity }[] }[], threshold: Severity): boolean {
  const m = maxSeverity(layers);
  return m !== null && severityRank(m) >= severityRank(threshold);
}
