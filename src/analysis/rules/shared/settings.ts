import type { Evidence, RuleContext } from '../../define-rule.js';
import { say, text, type Said } from '../../../i18n/translate.js';

/**
 * Configuration look-ups over the `settings` table (.env lines, docker inspect Env, the limits a
 * service printed at startup). The startup print is what the process really used, so it ranks
 * first; inspect Env is what the container got; the .env file is only what someone wrote.
 */

export type SettingSource = 'startup' | 'inspect_env' | 'env';
const SOURCE_RANK: Record<string, number> = { startup: 0, inspect_env: 1, env: 2 };

export interface SettingRow {
  source: string;
  service: string | null;
  key: string;
  value: string | null;
  file_id: number;
  line_no: number;
}

/** Startup banners print labels (`Max Exposure: 50.0%`); a parser may keep the label as key. */
const STARTUP_LABELS: Record<string, string[]> = {
  MAX_POSITION_PCT: ['Max Position'],
  MAX_EXPOSURE_PCT: ['Max Exposure'],
  MAX_DAILY_DRAWDOWN_PCT: ['Max Drawdown'],
  STOP_LOSS_PCT: ['Stop-Loss', 'Stop Loss'],
  SIGNAL_THRESHOLD_PCT: ['Schwelle'],
  SIGNAL_LOOKBACK_MIN: ['Lookback'],
  SIGNAL_MIN_VOLUME: ['Min. Volume', 'Min Volume'],
};

/** Every row for a variable, best source first, then file order. */
export function settingRows(ctx: RuleContext, key: string): SettingRow[] {
  const keys = [key, ...(STARTUP_LABELS[key] ?? [])];
  const rows = ctx.db
    .prepare(
      `SELECT source, service, key, value, file_id, line_no FROM settings WHERE key IN (${keys.map(() => '?').join(',')}) ORDER BY file_id, line_no`,
    )
    .all(...keys) as SettingRow[];
  return rows
    .map((r) => ({ ...r, key }))
    .sort((a, b) => (SOURCE_RANK[a.source] ?? 9) - (SOURCE_RANK[b.source] ?? 9) || a.file_id - b.file_id || a.line_no - b.line_no);
}

/** The most authoritative row for a variable, optionally only from some sources. */
export function setting(ctx: RuleContext, key: string, sources?: SettingSource[]): SettingRow | null {
  const rows = settingRows(ctx, key).filter((r) => !sources || sources.includes(r.source as SettingSource));
  return rows[0] ?? null;
}

export function hasAnySettings(ctx: RuleContext): boolean {
  return !!ctx.db.prepare('SELECT 1 FROM settings LIMIT 1').get();
}

/** A plain number out of a setting value (`3.0%`, `"0.05"`, `100000.0`); null when it is not one. */
export function num(value: string | null | undefined): number | null {
  if (value == null) return null;
  const m = /-?\d+(?:\.\d+)?(?:e-?\d+)?/i.exec(value.replace(/["']/g, '').trim());
  if (!m) return null;
  const n = Number(m[0]);
  return Number.isFinite(n) ? n : null;
}

/**
 * A `*_PCT` limit as a fraction. .env holds fractions (`0.50`); the startup banner prints percent
 * (`50.0%`). A value with `%`, or above 1, is read as percent: no limit here is meant above 100 %.
 */
export function fraction(value: string | null | undefined): number | null {
  const n = num(value);
  if (n == null) return null;
  return value!.includes('%') || n > 1 ? n / 100 : n;
}

export function settingEvidence(ctx: RuleContext, r: SettingRow): Evidence {
  const setting = `${r.key}=${r.value ?? ''}`;
  return ctx.evidence(r.file_id, r.line_no, r.source === 'startup' ? text('shared.evidence.printed_at_startup', { setting }) : setting);
}

/**
 * Variables no service reads (§7). Explaining behaviour through them is wrong, and a to-do that
 * edits them changes nothing. `MAX_TOTAL_EXPOSURE_PCT` is read by the era-B risk manager only.
 */
export const UNREAD_VARIABLES = [
  'CIRCUIT_BREAKER_THRESHOLD_PCT',
  'MAX_SLIPPAGE_PCT',
  'DATA_STALE_TIMEOUT_SEC',
  'ACCOUNT_EQUITY',
  'MIN_CONFIDENCE',
  'MIN_VOLUME_24H',
  'REDIS_MAXMEMORY',
] as const;

export function isUnreadVariable(key: string, era: string | null): boolean {
  if ((UNREAD_VARIABLES as readonly string[]).includes(key)) return true;
  return key === 'MAX_TOTAL_EXPOSURE_PCT' && era === 'A';
}

/**
 * Where an analyst changes a variable: era A reads the root `.env` through `env_file`; B/C set
 * `environment:` per service in the compose files (a `.env` there only feeds interpolation).
 */
export function whereVarText(era: string | null, key: string, service: string): Said {
  // `.env KEY` stays a plain string: it is a path, and the engine reads the variable out of it.
  return era === 'A' || era == null ? `.env ${key}` : text('shared.where.var_compose', { key, service });
}

