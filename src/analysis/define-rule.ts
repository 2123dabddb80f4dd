import type Database from 'better-sqlite3';

import type { LayerId } from '../vocabulary.js';
import type { AnyText, Said } from '../i18n/translate.js';
export type { Said } from '../i18n/translate.js';
export { LAYERS, type LayerId } from '../vocabulary.js';
export type Status = 'ok' | 'warn' | 'fail' | 'not_evaluable';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
export type Likelihood = 'very_likely' | 'likely' | 'possible' | 'unlikely';

/** A pointer into the bundle: the file's display path, the 1-based line, the (redacted) text. */
export interface Evidence {
  file: string;
  line: number;
  text: string;
  /** When the text is the tool's own words about a row (not the line as written): its keyed text. */
  texts?: { text: AnyText };
}

export interface Finding {
  /** What the finding is about (service, symbol, reason code...). With the rule id it forms the stable id; never put counts or times in it. */
  subject?: string;
  severity: Severity;
  /** Keyed text (`text('<rule>.<id>', params)`): the report renders it in its language. */
  message: Said;
  evidence: Evidence[];
}

export interface Hypothesis {
  /** Stable id of the cause class, e.g. `risk.drawdown_limit`, used to merge and to test. */
  cause: string;
  title: Said;
  likelihood: Likelihood;
  evidence: Evidence[];
  /** Optional reasoning shown under the hypothesis. */
  why?: Said;
  /** The layer the cause belongs to, when it is not the rule's own layer. */
  layer?: LayerId;
}

export type TodoCategory = 'CONFIG' | 'CODE' | 'MONITORING' | 'RISK';
export interface Todo {
  category: TodoCategory;
  title: Said;
  priority: 'high' | 'medium' | 'low';
  effort: 'quick_win' | 'larger';
  /**
   * Where to change it: `.env MAX_EXPOSURE_PCT`, `services/cdb_risk/service.py`, ... A path or
   * variable is a plain string; a place described in words is keyed text like the title.
   */
  where: Said;
  /** The hypothesis cause this addresses, if any. */
  cause?: string;
}

export interface Expectation {
  op: '>' | '>=' | '<' | '<=' | '==' | '!=';
  value: number;
  tolerance?: number;
}

export interface VerificationCheck {
  id: string;
  title: Said;
  /** sql: a query over the canonical model returning one number; log: a JS regex source matched against log_events.message (count of matches). */
  kind: 'sql' | 'log';
  check: string;
  expect: Expectation;
}

export type Metrics = Record<string, number | string | null>;

export interface RuleResult {
  status: Status;
  /** Why the rule could not be evaluated (status not_evaluable): what evidence was missing. */
  missing?: Said;
  metrics?: Metrics;
  /**
   * Per metric, what its value stands for when it is not a whole-block count from one source:
   * `sample: 1-minute redis capture`, `source: logs`. Shown next to the value.
   */
  metricNotes?: Record<string, Said>;
  findings?: Finding[];
  hypotheses?: Hypothesis[];
  todos?: Todo[];
  verification?: VerificationCheck[];
}

export interface Block {
  from: string;
  to: string;
  /** UTC dates (YYYY-MM-DD) the block covers, in order. */
  days: string[];
  era: string | null;
  dialect: string | null;
  /** IANA zone whose calendar days the block covers ('UTC' unless inferred or set with --tz). */
  zone?: string | null;
}

export interface KpiTargets {
  signals_total: number;
  signals_per_day: number;
  risk_approved: number;
  trades: number;
  market_data_events: number;
}

export interface RuleContext {
  db: Database.Database;
  block: Block;
  targets: KpiTargets;
  /** Evidence for a row of any table with file_id/line_no: resolves the path and the stored (redacted) text. */
  evidence(fileId: number | null | undefined, line: number | null | undefined, text?: Said): Evidence;
  /** The time span a service's logs cover inside the block (null when there are no logs of that service). */
  logCoverage(service: string): { from: string; to: string; records: number; fraction: number } | null;
}

export interface RuleDef {
  id: string;
  layer: LayerId;
  /** English title; the report shows the catalog's `<id>.title` (a test keeps the two equal). */
  title: string;
  /** Human-readable evidence the rule needs (tables, services, captures); shown when it is not evaluable. */
  needs: string[];
  /**
   * The metrics (names in the rule's `metrics`) its status is graded on: the report shows these in
   * the layer's body and moves the rest to the appendix. Declared here, not chosen by the template.
   */
  keyMetrics?: readonly string[];
  check(ctx: RuleContext): RuleResult;
}

export function defineRule(def: RuleDef): RuleDef {
  if (!/^[a-z0-9-]+$/.test(def.id)) throw new Error(`rule id must be kebab-case: ${def.id}`);
  return def;
}
