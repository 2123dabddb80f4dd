/**
 * `analyze`: what the runbook asks an analyst to do by hand, over the working database —
 * rules per layer, the funnel and break layer, KPIs, manifest and quarantine — as one
 * zod-validated report model. Deterministic: same database + same `now` → byte-identical JSON.
 */
import { CATALOG, CATALOG_VERSION } from '../catalog/index.js';
import { breakInTime, type TimeBreak } from './break-in-time.js';
import { linkCauses } from './causality.js';
import type Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { PARSERS } from '../ingest/registry.js';
import { catalogVersion, configRecord, sha, manifestSha256, rulesetSha256, templatesSha256, type RecordedOptions } from '../report/provenance.js';
import { LAYER_TITLES, REPORT_SCHEMA_VERSION, validateReport, type ReportModel } from '../report/model.js';
import { copySources } from '../ingest/copies.js';
import { withCacheAtMost } from '../db/open.js';
import { attachServices } from './evidence-services.js';
import { daysBetweenIn } from '../util/zones.js';
import { loadConfig } from './config.js';
import { makeRuleContext } from './context.js';
import { SEVERITIES, type Block, type KpiTargets, type Evidence, type RuleContext, type RuleDef, type Severity } from './define-rule.js';
import { aggregateStatus, maxSeverity, runEngine, severityRank, type Texts } from './engine.js';
import type { Said } from '../i18n/translate.js';
import { breakLayer, computeFlow } from './flow.js';
import { computeKpis } from './kpis.js';
import { listSnapshots } from './snapshots.js';
import { stageFloors } from './stage-floor.js';
import { reconcileOnce, type ReconRow } from './reconcile.js';
import { RULES } from './registry.js';
import { DEFAULT_LANG, type Lang } from '../i18n/lang.js';
import { localize } from '../i18n/localize.js';
import { buildTimeline } from './timeline.js';

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
  /** The byte-changing options as the user gave them, for report.json `provenance` (config is read from configPath). */
  recorded?: Partial<Omit<RecordedOptions, 'config'>>;
  /** The report's language (`--lang`); English by default. Recorded in provenance (it changes the bytes). */
  lang?: Lang;
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
  const zone = get('zone')?.value ?? 'UTC';
  evidence.zone = get('zone')?.evidence ?? null;
  return {
    block: { from, to, days: daysBetweenIn(from, endForDays, zone), era: get('era')?.value ?? null, dialect: get('dialect')?.value ?? null, zone },
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
  copies?: number;
  copy_of?: { path: string; records: number }[];
  previous_sha256?: string;
}

function manifestFiles(db: Database.Database): ManifestRow[] {
  const rows = db
    .prepare('SELECT id, path, sha256, bytes, parser, records, quarantined, status, lines, structural, message, copies, previous_sha256 FROM manifest ORDER BY path, id')
    .all() as (Omit<ManifestRow, 'previous_sha256' | 'copies' | 'copy_of'> & { id: number; copies: number; previous_sha256: string | null })[];
  const sources = copySources(db);
  // Copy fields only where a file repeats another's records, and the earlier hash only where a file
  // changed since an earlier ingest: other reports keep their bytes.
  return rows.map(({ id, copies, previous_sha256, ...r }) => ({
    ...r,
    ...(copies > 0 ? { copies, copy_of: sources.get(id) ?? [] } : {}),
    ...(previous_sha256 ? { previous_sha256 } : {}),
  }));
}

/** Log records per service and the share no catalog entry matched, from the hourly rollup (no scan of log_events). */
function classification(db: Database.Database, ctx: RuleContext): ReportModel['coverage']['classification'] {
  const rows = db
    .prepare(
      `SELECT COALESCE(service, '(unknown service)') AS service, SUM(n) AS records, COALESCE(SUM(CASE WHEN class IS NULL THEN n END), 0) AS unmatched
       FROM log_hourly GROUP BY 1 ORDER BY 1`,
    )
    .all() as { service: string; records: number; unmatched: number }[];
  // Few unmatched records among many: found through the class index; else the table order meets one soon.
  const inOrder = db.prepare('SELECT file_id, line_no FROM log_events WHERE service IS ? AND class IS NULL ORDER BY id LIMIT 1');
  const viaIndex = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'ix_log_events_class'").get()
    ? db.prepare('SELECT file_id, line_no FROM log_events INDEXED BY ix_log_events_class WHERE class IS NULL AND service IS ? ORDER BY id LIMIT 1')
    : null;
  return {
    catalog_version: CATALOG_VERSION,
    services: rows.map((r) => {
      const firstUnmatched = viaIndex && r.unmatched * 20 < r.records ? viaIndex : inOrder;
      const at = r.unmatched > 0 ? (firstUnmatched.get(r.service === '(unknown service)' ? null : r.service) as { file_id: number; line_no: number } | undefined) : undefined;
      return {
        service: r.service,
        records: r.records,
        unmatched: r.unmatched,
        unmatched_pct: r.records ? Math.round((1000 * r.unmatched) / r.records) / 10 : 0,
        example: at ? ctx.evidence(at.file_id, at.line_no) : null,
      };
    }),
  };
}

/** The hourly flow as the report carries it. */
function flowHourly(db: Database.Database): ReportModel['flow']['hourly'] {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'flow_hourly'").get()) return [];
  return (db.prepare('SELECT hour, stage, class, n, source, in_block, observed FROM flow_hourly ORDER BY hour, stage, class').all() as {
    hour: string; stage: string; class: string; n: number; source: string; in_block: number; observed: number;
  }[]).map((r) => ({ ...r, in_block: r.in_block === 1, observed: r.observed === 1 }));
}

/** The first warning or error of the broken stage's layer at or after the stop: what went wrong first. */
function firstAnomaly(db: Database.Database, ctx: RuleContext, b: TimeBreak): Evidence[] {
  const ids = CATALOG.filter((e) => e.layer === b.layer && e.severity !== 'info').map((e) => e.id);
  const from = b.at ?? `${b.from_hour}:00:00.000Z`;
  const r = db
    .prepare(`SELECT file_id, line_no FROM log_events WHERE class IN (SELECT value FROM json_each(?)) AND ts >= ? ORDER BY ts, file_id, line_no LIMIT 1`)
    .get(JSON.stringify(ids), from) as { file_id: number; line_no: number } | undefined;
  return r ? [ctx.evidence(r.file_id, r.line_no)] : [];
}

function quarantineSummary(db: Database.Database, limit: number): ReportModel['quarantine'] {
  const total = (db.prepare('SELECT COUNT(*) AS n FROM quarantine').get() as { n: number }).n;
  const files = db.prepare('SELECT path AS file, COUNT(*) AS count FROM quarantine GROUP BY path ORDER BY path').all() as { file: string; count: number }[];
  const entries = db
    .prepare('SELECT path AS file, line, reason, excerpt FROM quarantine ORDER BY path, line, id LIMIT ?')
    .all(limit) as { file: string; line: number | null; reason: string; excerpt: string | null }[];
  return { total, files, entries, truncated: total > entries.length };
}

/**
 * The analysis' page cache. Its reads are index probes and short ranges; its sorts (a per-day
 * GROUP BY of 2,000,000 dumped trades) hold up to the cache before they spill, and at the
 * working database's 64 MB that one sort added ~45 MB to the peak of a `run`.
 */
const ANALYSIS_CACHE_KIB = 16_000;

export function analyze(db: Database.Database, opts: AnalyzeOptions): ReportModel {
  return withCacheAtMost(db, ANALYSIS_CACHE_KIB, () => analyzeAll(db, opts));
}

function analyzeAll(db: Database.Database, opts: AnalyzeOptions): ReportModel {
  const { block, evidence } = readBlock(db);
  const targets = opts.targets ?? loadConfig(opts.configPath).targets;
  const ctx = makeRuleContext(db, block, targets);
  const result = runEngine(ctx, opts.rules ?? RULES);
  const flow = computeFlow(db, block);
  const floors = stageFloors(db, flow.counts, flow.sources, block);
  // The break fallback reads counts: a stage a later stage proves larger did not stop.
  const flooredCounts = { ...flow.counts };
  for (const f of floors) {
    if (f.stage === 'signals') flooredCounts.signals = f.at_least;
    if (f.stage === 'risk_approved') flooredCounts.risk_approved = f.at_least;
    if (f.stage === 'orders') flooredCounts.orders = f.at_least;
  }
  // The layer of the failure that stopped the flow: a system failure (crash loop, credentials, a
  // dependency) first; otherwise the first stage that stopped in time; otherwise the rules' verdict.
  const timeBreak = breakInTime(db, (f, l) => ctx.evidence(f, l));
  const systemFailed = result.layers.some((l) => l.id === 'system' && l.status === 'fail');
  const layers = result.layers.map((l) => ({
    id: l.id,
    title: LAYER_TITLES[l.id],
    status: l.status,
    metrics: l.metrics,
    key_metrics: l.key_metrics,
    metric_notes: l.metric_notes,
    findings: l.findings,
    rules: l.rules,
    texts: { title: { key: `layer.${l.id}`, params: {} }, ...l.texts },
  }));
  const brk = systemFailed ? 'system' : timeBreak ? timeBreak.layer : breakLayer(result.layers, flooredCounts, flow.sources);
  let reconciliation: ReconRow[] = [];
  try {
    reconciliation = reconcileOnce(ctx);
  } catch (e) {
    result.errors.push({ rule: 'reconciliation', message: e instanceof Error ? e.message : String(e) });
  }
  // A report that miscounts never explains a broken flow: its causes rank after the break's.
  const ranked = brk === null ? result.hypotheses : [...result.hypotheses.filter((h) => !onlyReconciliation(h.rules)), ...result.hypotheses.filter((h) => onlyReconciliation(h.rules))];
  // Causes before consequences: linked through the catalog's edges, in time; a cause ranks above what it caused.
  const hypotheses = linkCauses(db, block, ranked, (f, l) => ctx.evidence(f, l));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const l of layers) for (const f of l.findings) bySeverity[f.severity]++;

  const model: ReportModel = {
    schema_version: REPORT_SCHEMA_VERSION,
    lang: DEFAULT_LANG,
    tool: { name: opts.toolName ?? 'cdb-forensics', version: opts.toolVersion },
    generated_at: opts.now,
    block: { from: block.from, to: block.to, zone: block.zone ?? 'UTC', era: block.era, dialect: block.dialect, days: block.days, evidence },
    manifest: { files: manifestFiles(db) },
    quarantine: quarantineSummary(db, opts.quarantineEntries ?? 50),
    summary: { max_severity: maxSeverity(layers), findings: bySeverity, status: aggregateStatus(layers.map((l) => l.status)) },
    layers,
    flow: {
      break_layer: brk,
      break_stage: timeBreak?.stage ?? null,
      break_at: timeBreak?.at ?? null,
      break_reason: timeBreak?.reason ?? null,
      break_evidence: timeBreak ? [...timeBreak.evidence, ...firstAnomaly(db, ctx, timeBreak)] : [],
      hourly: flowHourly(db),
      counts: flow.counts,
      per_day: flow.per_day,
      sources: flow.sources,
      funnel: flow.funnel,
      floors,
      ...(timeBreak ? { texts: { break_reason: timeBreak.reasonText } } : {}),
    },
    hypotheses: hypotheses.map((h, i) => ({ rank: i + 1, ...h })),
    todos: result.todos.map((t) => ({ category: t.category, title: t.title, priority: t.priority, effort: t.effort, where: t.where, cause: t.cause ?? null, ...(t.texts ? { texts: t.texts } : {}) })),
    verification: result.verification,
    kpis: computeKpis(flow.counts, block.days.length, targets, flow.sources, floors, sampleNote(layers)),
    reconciliation,
    timeline: [],
    coverage: {
      rules_run: result.rules.length,
      evaluated: result.rules.filter((r) => r.status !== 'not_evaluable').length,
      not_evaluable: result.rules
        .filter((r) => r.status === 'not_evaluable')
        .map((r) => ({ rule: r.id, layer: r.layer, missing: r.missing ?? '', ...(r.texts?.missing ? { texts: { missing: r.texts.missing } } : {}) })),
      errors: result.errors,
      classification: classification(db, ctx),
    },
    snapshots: listSnapshots(db, block).map(({ file_id: _f, ...s }) => s),
  };
  model.timeline = buildTimeline(db, ctx, model.flow, reconciliation);
  const rules = opts.rules ?? RULES;
  const lang = opts.lang ?? DEFAULT_LANG;
  const { lang: _recordedLang, ...recorded } = opts.recorded ?? {};
  const options: RecordedOptions = { now: null, from: null, to: null, as: [], ...recorded, config: opts.targets ? { sha256: sha(JSON.stringify({ targets: opts.targets })), text: JSON.stringify({ targets: opts.targets }) } : configRecord(opts.configPath) };
  model.provenance = {
    tool_version: opts.toolVersion,
    manifest_sha256: manifestSha256(model.manifest.files),
    ruleset_sha256: rulesetSha256(rules, opts.toolVersion),
    catalog_version: catalogVersion(PARSERS),
    templates_sha256: templatesSha256(),
    options,
  };
  const withServices = attachServices(db, model);
  // Built in English, then rendered in the report's language from its keyed texts (as `report --lang` does).
  return validateReport(localize(withServices, lang));
}

/**
 * The market-data layer's note on its event count when that count is a sample (market-data-flow
 * says so, in English): its keyed text when the rule gave one, so the KPI note follows the language.
 */
function sampleNote(layers: { id: string; metric_notes: Record<string, string>; texts?: Texts }[]): Said | null {
  const layer = layers.find((l) => l.id === 'market_data');
  const note = layer?.metric_notes.events;
  return note && note.startsWith('sample') ? (layer?.texts?.['metric_notes.events'] ?? note) : null;
}

function onlyReconciliation(rules: string[]): boolean {
  return rules.length > 0 && rules.every((r) => r === 'report-reconciliation');
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
