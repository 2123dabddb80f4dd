/**
 * report.json — the machine contract of an analysis. The names of the issue's contract are kept
 * (tool, block, manifest, layers, flow, hypotheses, todos, verification, kpis); everything else
 * is additive. The model is validated with this schema before anything is written.
 */
import { z } from 'zod';
import { LAYERS } from '../analysis/define-rule.js';

export const REPORT_SCHEMA_VERSION = 1;

const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
const Status = z.enum(['ok', 'warn', 'fail', 'not_evaluable']);
const Likelihood = z.enum(['very_likely', 'likely', 'possible', 'unlikely']);
const Layer = z.enum(LAYERS);
const Count = z.number().int().nonnegative();

export const EvidenceSchema = z.strictObject({
  file: z.string(),
  line: z.number().int().nonnegative(),
  text: z.string(),
});

export const FindingSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+:.+$/, 'finding ids are <rule>:<subject>'),
  rule: z.string(),
  subject: z.string(),
  severity: Severity,
  message: z.string().min(1),
  evidence: z.array(EvidenceSchema),
});

export const RuleOutcomeSchema = z.strictObject({
  id: z.string(),
  layer: Layer,
  title: z.string(),
  status: Status,
  missing: z.string().nullable(),
  needs: z.array(z.string()),
});

export const LayerSchema = z.strictObject({
  id: Layer,
  title: z.string(),
  status: Status,
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  findings: z.array(FindingSchema),
  rules: z.array(RuleOutcomeSchema),
});

const CountsShape = {
  market_data_events: Count,
  signals: Count,
  risk_approved: Count,
  risk_rejected: Count,
  orders: Count,
  trades: Count,
  persisted_trades: Count,
};

export const FlowSchema = z.strictObject({
  break_layer: Layer.nullable(),
  counts: z.strictObject(CountsShape),
  per_day: z.array(z.strictObject({ date: z.string().regex(/^\d{4}-\d\d-\d\d$/), ...CountsShape })),
  sources: z.strictObject({ market_data: z.string(), signals: z.string(), risk_decisions: z.string(), orders: z.string(), trades: z.string() }),
  funnel: z.array(
    z.strictObject({
      stage: z.enum(['market_data_events', 'signals', 'risk_approved', 'risk_rejected', 'orders', 'trades', 'persisted_trades']),
      layer: Layer,
      count: Count,
      from_previous_pct: z.number().nullable(),
    }),
  ),
});

export const HypothesisSchema = z.strictObject({
  rank: z.number().int().positive(),
  cause: z.string(),
  layer: Layer,
  title: z.string(),
  likelihood: Likelihood,
  evidence: z.array(EvidenceSchema),
  why: z.string().nullable(),
  rules: z.array(z.string()),
});

export const TodoSchema = z.strictObject({
  category: z.enum(['CONFIG', 'CODE', 'MONITORING', 'RISK']),
  title: z.string(),
  priority: z.enum(['high', 'medium', 'low']),
  effort: z.enum(['quick_win', 'larger']),
  where: z.string(),
  cause: z.string().nullable(),
});

export const VerificationSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  kind: z.enum(['sql', 'log']),
  check: z.string(),
  expect: z.strictObject({
    op: z.enum(['>', '>=', '<', '<=', '==', '!=']),
    value: z.number(),
    tolerance: z.number().nonnegative().optional(),
  }),
});

export const KpiSchema = z.strictObject({
  metric: z.enum(['signals_total', 'signals_per_day', 'risk_approved', 'trades', 'market_data_events']),
  label: z.string(),
  value: z.number().nullable(),
  target: z.number().nonnegative(),
  comparison: z.literal('>'),
  status: z.enum(['ok', 'fail', 'not_evaluable']),
  note: z.string().nullable(),
});

export const ManifestFileSchema = z.strictObject({
  path: z.string(),
  sha256: z.string().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
  parser: z.string().nullable(),
  records: Count,
  quarantined: Count,
  status: z.string(),
  lines: Count,
  structural: Count,
  message: z.string().nullable(),
  /** The file's hash at an earlier ingest, when it changed since (it was read again). */
  previous_sha256: z.string().optional(),
});

export const ReportSchema = z.strictObject({
  schema_version: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  generated_at: z.string(),
  block: z.strictObject({
    from: z.string(),
    to: z.string(),
    era: z.string().nullable(),
    dialect: z.string().nullable(),
    days: z.array(z.string()),
    evidence: z.record(z.string(), z.string().nullable()),
  }),
  manifest: z.strictObject({ files: z.array(ManifestFileSchema) }),
  quarantine: z.strictObject({
    total: Count,
    files: z.array(z.strictObject({ file: z.string(), count: Count })),
    entries: z.array(z.strictObject({ file: z.string(), line: z.number().int().nullable(), reason: z.string(), excerpt: z.string().nullable() })),
    truncated: z.boolean(),
  }),
  summary: z.strictObject({
    max_severity: Severity.nullable(),
    findings: z.strictObject({ info: Count, low: Count, medium: Count, high: Count, critical: Count }),
    status: Status,
  }),
  layers: z.array(LayerSchema).length(LAYERS.length),
  flow: FlowSchema,
  hypotheses: z.array(HypothesisSchema),
  todos: z.array(TodoSchema),
  verification: z.array(VerificationSchema),
  kpis: z.array(KpiSchema),
  coverage: z.strictObject({
    rules_run: Count,
    evaluated: Count,
    not_evaluable: z.array(z.strictObject({ rule: z.string(), layer: Layer, missing: z.string() })),
    errors: z.array(z.strictObject({ rule: z.string(), message: z.string() })),
  }),
});

export type ReportModel = z.infer<typeof ReportSchema>;

/** Validate a model before it is written; a failure is a bug in cdb-forensics, named by path. */
export function validateReport(model: unknown): ReportModel {
  const r = ReportSchema.safeParse(model);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`report model invalid at ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export const LAYER_TITLES: Record<(typeof LAYERS)[number], string> = {
  system: 'System & Connectivity',
  market_data: 'Market Data / Screener',
  signal_engine: 'Signal Engine',
  risk: 'Risk Layer',
  execution: 'Paper Runner / Execution',
  reporting: 'Database & Reporting',
};
