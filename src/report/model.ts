/**
 * report.json — the machine contract of an analysis. The names of the issue's contract are kept
 * (tool, block, manifest, layers, flow, hypotheses, todos, verification, kpis); everything else
 * is additive. The model is validated with this schema before anything is written.
 */
import { z } from 'zod';
import { LAYERS } from '../analysis/define-rule.js';
import { LANGS } from '../i18n/lang.js';

export const REPORT_SCHEMA_VERSION = 5;
/** Every schema version this cdb-forensics reads (replay, compare, verify, report). */
export const READABLE_SCHEMA_VERSIONS = [1, 2, 3, 4, 5] as const;

const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
const Status = z.enum(['ok', 'warn', 'fail', 'not_evaluable']);
const Likelihood = z.enum(['very_likely', 'likely', 'possible', 'unlikely']);
const Layer = z.enum(LAYERS);
const Count = z.number().int().nonnegative();

/**
 * (v5) The keyed texts behind an object's visible fields: field name (or `field.<key>` inside a
 * record) → catalog key and parameters. The rendered fields are in the report's `lang`; `report
 * --lang` renders them again from these. Parameters are plain JSON (text, numbers, lists, nested texts).
 */
export const TextSchema = z.strictObject({ key: z.string().min(1), params: z.record(z.string(), z.unknown()) });
const Texts = z.record(z.string(), TextSchema).optional();

export const EvidenceSchema = z.strictObject({
  file: z.string(),
  line: z.number().int().nonnegative(),
  text: z.string(),
  /** v4: the service the cited line's log record belongs to (from the working database), when one does. */
  service: z.string().optional(),
  /** (v5) When the text describes a row in the tool's words: its keyed text. */
  texts: z.strictObject({ text: TextSchema }).optional(),
});

export const FindingSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+:.+$/, 'finding ids are <rule>:<subject>'),
  rule: z.string(),
  subject: z.string(),
  severity: Severity,
  message: z.string().min(1),
  evidence: z.array(EvidenceSchema),
  texts: Texts,
});

export const RuleOutcomeSchema = z.strictObject({
  id: z.string(),
  layer: Layer,
  title: z.string(),
  status: Status,
  missing: z.string().nullable(),
  needs: z.array(z.string()),
  texts: Texts,
});

export const LayerSchema = z.strictObject({
  id: Layer,
  title: z.string(),
  status: Status,
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  findings: z.array(FindingSchema),
  rules: z.array(RuleOutcomeSchema),
  /** (v4) The metrics the layer's rules grade their verdict on (keys of `metrics`), in rule order; the rest is detail. */
  key_metrics: z.array(z.string()),
  /** (v4) What a metric's value stands for when it is not a whole-block count: `sample: …`, its source. */
  metric_notes: z.record(z.string(), z.string()),
  texts: Texts,
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
  /** The first stage that stopped while its upstream kept flowing (from the hourly flow), and the last normal event before it. */
  break_stage: z.string().nullable(),
  break_at: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/).nullable(),
  break_reason: z.string().nullable(),
  /** The last normal event and the first anomalous one. */
  break_evidence: z.array(EvidenceSchema),
  hourly: z.array(
    z.strictObject({
      hour: z.string().regex(/^(\d{4}-\d\d-\d\dT\d\d|outside)$/),
      stage: z.string(),
      class: z.string(),
      n: Count,
      source: z.string(),
      in_block: z.boolean(),
      observed: z.boolean(),
    }),
  ),
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
  /**
   * Stages a later stage proves larger than their own source shows (a signal log saved with
   * --since, a capture started late): the count is at least `at_least`; `note` names the short source.
   */
  floors: z.array(
    z.strictObject({
      stage: z.enum(['signals', 'risk_approved', 'orders']),
      count: Count,
      at_least: Count,
      implied_by: z.enum(['risk_decisions', 'orders', 'trades']),
      source: z.string(),
      note: z.string(),
      texts: Texts,
    }),
  ),
  texts: Texts,
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
  /** v4: the first anomalous record of the cause (null: not known, or a report before v4). */
  started_at: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/).nullable(),
  /** v4: the cause id this hypothesis is a consequence of (linked through a catalog edge). */
  consequence_of: z.string().nullable(),
  consequences: z.array(
    z.strictObject({ cause: z.string(), title: z.string(), started_at: z.string().nullable(), evidence: z.array(EvidenceSchema), texts: Texts }),
  ),
  /** v4: one sentence, cause → consequences, or "... (trigger not in the bundle)"; empty when nothing is linked. */
  chain: z.string(),
  texts: Texts,
});

export const TodoSchema = z.strictObject({
  category: z.enum(['CONFIG', 'CODE', 'MONITORING', 'RISK']),
  title: z.string(),
  priority: z.enum(['high', 'medium', 'low']),
  effort: z.enum(['quick_win', 'larger']),
  where: z.string(),
  cause: z.string().nullable(),
  texts: Texts,
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
  texts: Texts,
});

export const KpiSchema = z.strictObject({
  metric: z.enum(['signals_total', 'signals_per_day', 'risk_approved', 'trades', 'market_data_events']),
  label: z.string(),
  value: z.number().nullable(),
  target: z.number().nonnegative(),
  comparison: z.literal('>'),
  status: z.enum(['ok', 'fail', 'not_evaluable']),
  note: z.string().nullable(),
  texts: Texts,
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
  /**
   * Present only when the file repeats records of other files (the same log saved twice): how many
   * of its records copy an event stored from another file, and from which. Its `records` exclude them.
   */
  copies: Count.optional(),
  copy_of: z.array(z.strictObject({ path: z.string(), records: Count })).optional(),
  /** The file's hash at an earlier ingest, when it changed since (it was read again). */
  previous_sha256: z.string().optional(),
});

/**
 * What produced the report, so a postmortem can be replayed months later (v2). Hashes: the
 * evidence manifest (path, bytes, sha256 of every file), the rule set (ids, layers, tool version),
 * the templates; options: every option that changes the report's bytes, as given.
 */
export const ProvenanceSchema = z.strictObject({
  tool_version: z.string(),
  manifest_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  ruleset_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  catalog_version: z.string(),
  templates_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  options: z.record(z.string(), z.unknown()),
});

const Interpretation = z.enum(['named_day_utc', 'previous_utc_day', 'local_day', 'day_elapsed', 'rolling_24h', 'runner_start_day', 'since_process_start', 'all_rows', 'unfiltered', 'wrong_table']);
const Day = z.string().regex(/^\d{4}-\d\d-\d\d$/);

/** One value a report printed, the DB's counts under every window it may have counted, and the verdict. */
export const ReconciliationSchema = z.strictObject({
  date: Day.nullable(),
  metric: z.enum(['signals', 'trades', 'orders', 'orders_filled', 'orders_rejected', 'orders_cancelled', 'events_logged', 'db_tables']),
  report_kind: z.enum(['paper_runner', 'daily_check', 'cdb_reports', 'systemcheck']),
  report_value: z.number().nullable(),
  db_value: z.number().int().nullable(),
  matches: z.boolean(),
  explanation: z.enum(['window', 'timezone', 'restart_reset', 'duplicate_rows', 'query_bug', 'report_failed', 'unexplained']).nullable(),
  interpretation: Interpretation.nullable(),
  interpretations_matching: z.array(Interpretation),
  complete: z.boolean(),
  close: z.boolean(),
  counting: z.enum(['raw', 'dedup']).nullable(),
  generated_at: z.string().nullable(),
  zone: z.string().nullable(),
  note: z.string().nullable(),
  candidates: z.array(
    z.strictObject({ interpretation: Interpretation, from: z.string().nullable(), to: z.string(), raw: Count, dedup: Count, label: z.string(), texts: Texts }),
  ),
  evidence: z.array(z.strictObject({ file: z.string(), line: z.number().int().nonnegative() })),
  texts: Texts,
});

const TS = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

/**
 * (v4) One key event of the block: the story in time order across services. Duplicates from files
 * saved twice are one entry (the working database keeps each event once); `clock` flags a second
 * clock of the same record that disagrees, with the measured offset.
 */
export const TimelineEntrySchema = z.strictObject({
  at: TS,
  kind: z.enum(['restart', 'error_first', 'error_last', 'feed_stop', 'feed_resume', 'rejection_first', 'rejection_last', 'report', 'break']),
  service: z.string().nullable(),
  title: z.string(),
  /** How many events this entry stands for (restarts of a crash loop, errors of a class). */
  count: Count,
  evidence: z.array(EvidenceSchema),
  clock: z.strictObject({ label: z.string(), offset_s: z.number().nullable() }).nullable(),
  texts: Texts,
});

export const ReportSchema = z.strictObject({
  schema_version: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(REPORT_SCHEMA_VERSION)]),
  /** (v5) The language the visible text is written in; `en` for older reports. */
  lang: z.enum(LANGS),
  /** Absent in schema version 1. */
  provenance: ProvenanceSchema.optional(),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  generated_at: z.string(),
  block: z.strictObject({
    from: z.string(),
    to: z.string(),
    /** IANA zone whose calendar days the block covers (UTC unless inferred or set with --tz). */
    zone: z.string(),
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
  reconciliation: z.array(ReconciliationSchema),
  timeline: z.array(TimelineEntrySchema),
  coverage: z.strictObject({
    rules_run: Count,
    evaluated: Count,
    not_evaluable: z.array(z.strictObject({ rule: z.string(), layer: Layer, missing: z.string(), texts: Texts })),
    errors: z.array(z.strictObject({ rule: z.string(), message: z.string() })),
    /** Per service, how many log records no entry of the event catalog matched: a gap in the catalog shows here. */
    classification: z.strictObject({
      /** null in a report read from schema version 1 or 2, which did not classify records. */
      catalog_version: z.number().int().positive().nullable(),
      services: z.array(
        z.strictObject({
          service: z.string(),
          records: Count,
          unmatched: Count,
          unmatched_pct: z.number().min(0).max(100),
          example: EvidenceSchema.nullable(),
        }),
      ),
    }),
  }),
  /**
   * Every capture and snapshot (Redis captures, INFO, XLEN/NUMSUB, compose ps/inspect, status JSON,
   * console transcripts) with its own capture time: `during_block` false after the block is the
   * state at collection, never block activity; null when the capture carries no clock.
   */
  snapshots: z.array(
    z.strictObject({
      kind: z.enum(['redis_capture', 'redis_info', 'redis_kv', 'containers', 'status_json', 'console']),
      file: z.string(),
      line: z.number().int().nonnegative(),
      captured_at: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/).nullable(),
      captured_by: z.string().nullable(),
      during_block: z.boolean().nullable(),
      /** The same in words: a capture after the block is the state at collection. */
      when: z.enum(['during_block', 'at_collection', 'before_block', 'unknown']),
      first_event: z.string().nullable(),
      last_event: z.string().nullable(),
      texts: Texts,
    }),
  ),
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
