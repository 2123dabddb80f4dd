/**
 * `analyze`: what the runbook asks an analyst to do by hand, over the working database —
 * rules per layer, the funnel and break layer, KPIs, manifest and quarantine — as one
 * zod-validated report model. Deterministic: same database + same `now` → byte-identical JSON.
 */
import type Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { LAYER_TITLES, REPORT_SCHEMA_VERSION, validateReport, type ReportModel } from '../report/model.js';
import { daysBetween } from '../util/time.js';
import { loadConfig } from './config.js';
import { makeRuleContext } from './context.js';
import { SEVERITIES, type Block, type KpiTargets, type RuleDef, type Severity } from './define-rule.js';
import { aggregateStatus, maxSeverity, runEngine, severityRank } from './engine.js';
import { breakLayer, computeFlow } from './flow.js';
import { computeKpis } from './kpis.js';
import { RULES } from './registry.js';

export interface AnalyzeOptions {
  /** ISO time written as generated_at; injected so runs are reproducible. */
  now: string;
  /** JSON config with KPI targets (validated; errors are UserErrors naming file and key). */
  configPath?: string;
  toolVersion: string;
  toolName?: string;
  /** Targets given directly (tests); wins over configPath. */
  targets?: KpiTargets;
  /** The rule set (tests); default: the registry. */
  rules?: RuleDef[];
  /** How many quarantined lines to list in the report (all are counted). */
  quarantineEntries?: number;
}

export interface BlockInfo {
  block: Block;
  evidence: Record<string, string | null>;
}

/** The block window the model build stored (`block` table: from, to, era, dialect). */
export function readBlock(db: Database.Database): BlockInfo {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'block'").get();
  const rows = hasTable
    ? (db.prepare('SELECT key, value, evidence FROM block ORDER BY key').all() as { key: string; value: string | null; evidence: string | null }[])
    : [];
  const get = (k: string) => rows.find((r) => r.key === k);
  const from = get('from')?.value;
  const to = get('to')?.value;
  if (!from || !to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) {
    throw new UserError(
      'NO_BLOCK',
      'the working database has no block window (the canonical model was not built)',
      'table block (keys from, to)',
      'run `cdb-forensics ingest <bundle>` first; it builds the model and infers the block, or set it with --from/--to',
    );
  }
  // An end exactly at midnight closes the previous day.
  const endForDays = /T00:00:00(\.000)?Z$/.test(to) && to > from ? new Date(Date.parse(to) - 1).toISOString() : to;
  const evidence: Record<string, string | null> = {};
  for (const k of ['from', 'to', 'era', 'dialect']) evidence[k] = get(k)?.evidence ?? null;
  return {
    block: { from, to, days: daysBetween(from, endForDays), era: get('era')?.value ?? null, dialect: get('dialect')?.value ?? null },
    evidence,
  };
}

interface ManifestRow {
  path: string;
  sha256: string | null;
  bytes: number | null;
  parser: string | null;
  records: number;
  quarantined: number;
  status: string;
  lines: number;
  structural: number;
  message: string | null;
  previous_sha256?: string;
}

function manifestFiles(db: Database.Database): ManifestRow[] {
  const rows = db
    .prepare('SELECT path, sha256, bytes, parser, records, quarantined, status, lines, structural, message, previous_sha256 FROM manifest ORDER BY path, id')
    .all() as (Omit<ManifestRow, 'previous_sha256'> & { previous_sha256: string | null })[];
  // Only a file that changed since an earlier ingest carries the hash it had then.
  return rows.map(({ previous_sha256, ...r }) => (previous_sha256 ? { ...r, previous_sha256 } : r));
}

function quarantineSummary(db: Database.Database, limit: number): ReportModel['quarantine'] {
  const total = (db.prepare('SELECT COUNT(*) AS n FROM quarantine').get() as { n: number }).n;
  const files = db.prepare('SELECT path AS file, COUNT(*) AS count FROM quarantine GROUP BY path ORDER BY path').all() as { file: string; count: number }[];
  const entries = db
    .prepare('SELECT path AS file, line, reason, excerpt FROM quarantine ORDER BY path, line, id LIMIT ?')
    .all(limit) as { file: string; line: number | null; reason: string; excerpt: string | null }[];
  return { total, files, entries, truncated: total > entries.length };
}

export function analyze(db: Database.Database, opts: AnalyzeOptions): ReportModel {
  const { block, evidence } = readBlock(db);
  const targets = opts.targets ?? loadConfig(opts.configPath).targets;
  const ctx = makeRuleContext(db, block, targets);
  const result = runEngine(ctx, opts.rules ?? RULES);
  const flow = computeFlow(db, block);
  const layers = result.layers.map((l) => ({ id: l.id, title: LAYER_TITLES[l.id], status: l.status, metrics: l.metrics, findings: l.findings, rules: l.rules }));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const l of layers) for (const f of l.findings) bySeverity[f.severity]++;

  const model: ReportModel = {
    schema_version: REPORT_SCHEMA_VERSION,
    tool: { name: opts.toolName ?? 'cdb-forensics', version: opts.toolVersion },
    generated_at: opts.now,
    block: { from: block.from, to: block.to, era: block.era, dialect: block.dialect, days: block.days, evidence },
    manifest: { files: manifestFiles(db) },
    quarantine: quarantineSummary(db, opts.quarantineEntries ?? 50),
    summary: { max_severity: maxSeverity(layers), findings: bySeverity, status: aggregateStatus(layers.map((l) => l.status)) },
    layers,
    flow: {
      break_layer: breakLayer(result.layers, flow.counts, flow.sources),
      counts: flow.counts,
      per_day: flow.per_day,
      sources: flow.sources,
      funnel: flow.funnel,
    },
    hypotheses: result.hypotheses.map((h, i) => ({ rank: i + 1, ...h })),
    todos: result.todos.map((t) => ({ category: t.category, title: t.title, priority: t.priority, effort: t.effort, where: t.where, cause: t.cause ?? null })),
    verification: result.verification,
    kpis: computeKpis(flow.counts, block.days.length, targets, flow.sources),
    coverage: {
      rules_run: result.rules.length,
      evaluated: result.rules.filter((r) => r.status !== 'not_evaluable').length,
      not_evaluable: result.rules.filter((r) => r.status === 'not_evaluable').map((r) => ({ rule: r.id, layer: r.layer, missing: r.missing ?? '' })),
      errors: result.errors,
    },
  };
  return validateReport(model);
}

/** Parse `--fail-on <severity>`. */
export function parseSeverity(value: string, flag = '--fail-on'): Severity {
  const v = value.trim().toLowerCase() as Severity;
  if (!SEVERITIES.includes(v)) {
    throw new UserError('BAD_SEVERITY', `${flag} must be one of ${SEVERITIES.join(', ')}, not "${value}"`, flag, `e.g. ${flag} high`);
  }
  return v;
}

/** The exit code `analyze --fail-on` asks for: 1 when a finding is at or above the threshold. */
export function exitCodeFor(model: ReportModel, failOn: Severity | undefined): 0 | 1 {
  if (!failOn || model.summary.max_severity === null) return 0;
  return severityRank(model.summary.max_severity) >= severityRank(failOn) ? 1 : 0;
}
