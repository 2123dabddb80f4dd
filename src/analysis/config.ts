/**
 * The analysis config file: KPI targets overriding the runbook defaults.
 *
 *   { "targets": { "signals_total": 100, "signals_per_day": 30, "risk_approved": 10,
 *                  "trades": 10, "market_data_events": 10000 } }
 *
 * Validated in two passes (as changesets does): the shape with zod, then the meaning
 * (non-negative, per-day target not above the block total). Errors name the file and the key.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { KpiTargets } from './define-rule.js';
import { DEFAULT_TARGETS } from './context.js';

const TargetValue = z.number({ error: 'must be a number' });

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  targets: z
    .strictObject({
      signals_total: TargetValue.optional(),
      signals_per_day: TargetValue.optional(),
      risk_approved: TargetValue.optional(),
      trades: TargetValue.optional(),
      market_data_events: TargetValue.optional(),
    })
    .optional(),
});

export type AnalysisConfig = z.infer<typeof ConfigSchema>;

export interface LoadedConfig {
  targets: KpiTargets;
  /** Which targets the file set (the rest are runbook defaults). */
  overridden: (keyof KpiTargets)[];
}

const KEYS = Object.keys(DEFAULT_TARGETS) as (keyof KpiTargets)[];

function keyPath(path: PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

/** Pass 1 + 2 on an already-parsed value; `file` is only used in messages. */
export function validateConfig(value: unknown, file: string): LoadedConfig {
  const parsed = ConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    let what = issue.message;
    if (issue.code === 'unrecognized_keys') {
      what = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const at = keyPath(issue.path);
    throw new UserError(
      'BAD_CONFIG',
      `config ${at}: ${what}`,
      `${file} → ${at}`,
      `allowed: { "targets": { ${KEYS.map((k) => `"${k}": <number>`).join(', ')} } }`,
    );
  }
  const set = parsed.data.targets ?? {};
  const targets: KpiTargets = { ...DEFAULT_TARGETS };
  const overridden: (keyof KpiTargets)[] = [];
  for (const k of KEYS) {
    const v = set[k];
    if (v === undefined) continue;
    if (v < 0) {
      throw new UserError('BAD_CONFIG', `config targets.${k} is negative (${v})`, `${file} → targets.${k}`, 'targets are counts: use 0 or more');
    }
    targets[k] = v;
    overridden.push(k);
  }
  if (targets.signals_per_day > targets.signals_total) {
    const src = (k: keyof KpiTargets) => (overridden.includes(k) ? 'set in the file' : 'default');
    throw new UserError(
      'BAD_CONFIG',
      `config targets.signals_per_day (${targets.signals_per_day}, ${src('signals_per_day')}) is above targets.signals_total (${targets.signals_total}, ${src('signals_total')})`,
      `${file} → targets.signals_per_day`,
      'a per-day target cannot exceed the target for the whole block; lower signals_per_day or raise signals_total',
    );
  }
  return { targets, overridden };
}

/** Read and validate a JSON config file; without a path, the runbook defaults. */
export function loadConfig(path?: string): LoadedConfig {
  if (!path) return { targets: { ...DEFAULT_TARGETS }, overridden: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError('CONFIG_READ', `cannot read the config file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path, 'check the path given with --config');
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UserError('BAD_CONFIG', `the config file is not valid JSON: ${(e as Error).message}`, path, 'write it as JSON, e.g. { "targets": { "trades": 5 } }');
  }
  return validateConfig(value, path);
}
