import { defineRule, type Finding, type Hypothesis, type RuleContext, type Status, type Todo, type VerificationCheck } from '../../define-rule.js';
import {
  fraction,
  hasAnySettings,
  isUnreadVariable,
  num,
  settingEvidence,
  settingRows,
  whereVarText,
  type SettingRow,
} from '../shared/settings.js';
import { count, reEscape, round, worst } from '../shared/util.js';
import { text, type AnyText, type Param } from '../../../i18n/translate.js';

interface Limit {
  key: string;
  kind: 'fraction' | 'percent' | 'number';
  service: string;
  /** The startup banner label and how it prints the value. */
  label: string;
  defaultFor(era: string | null): number;
}

const LIMITS: Limit[] = [
  { key: 'MAX_POSITION_PCT', kind: 'fraction', service: 'cdb_risk', label: 'Max Position', defaultFor: () => 0.1 },
  { key: 'MAX_EXPOSURE_PCT', kind: 'fraction', service: 'cdb_risk', label: 'Max Exposure', defaultFor: (era) => (era === 'A' || era == null ? 0.5 : 0.3) },
  { key: 'MAX_DAILY_DRAWDOWN_PCT', kind: 'fraction', service: 'cdb_risk', label: 'Max Drawdown', defaultFor: () => 0.05 },
  { key: 'STOP_LOSS_PCT', kind: 'fraction', service: 'cdb_risk', label: 'Stop-Loss', defaultFor: () => 0.02 },
  { key: 'SIGNAL_THRESHOLD_PCT', kind: 'percent', service: 'cdb_core / cdb_signal', label: 'Schwelle', defaultFor: () => 3.0 },
  { key: 'SIGNAL_MIN_VOLUME', kind: 'number', service: 'cdb_core / cdb_signal', label: 'Min. Volume', defaultFor: () => 100_000 },
];

/** Why each unread variable does nothing, and what governs that behaviour instead (§7). */
const UNREAD_WHY: Record<string, () => AnyText> = {
  CIRCUIT_BREAKER_THRESHOLD_PCT: () => text('risk-limits-config.unread.CIRCUIT_BREAKER_THRESHOLD_PCT'),
  MAX_SLIPPAGE_PCT: () => text('risk-limits-config.unread.MAX_SLIPPAGE_PCT'),
  DATA_STALE_TIMEOUT_SEC: () => text('risk-limits-config.unread.DATA_STALE_TIMEOUT_SEC'),
  ACCOUNT_EQUITY: () => text('risk-limits-config.unread.ACCOUNT_EQUITY'),
  MIN_CONFIDENCE: () => text('risk-limits-config.unread.MIN_CONFIDENCE'),
  MIN_VOLUME_24H: () => text('risk-limits-config.unread.MIN_VOLUME_24H'),
  REDIS_MAXMEMORY: () => text('risk-limits-config.unread.REDIS_MAXMEMORY'),
  MAX_TOTAL_EXPOSURE_PCT: () => text('risk-limits-config.unread.MAX_TOTAL_EXPOSURE_PCT'),
};

/** Where the value in effect came from, as the report names it (the metric keeps the source id). */
function sourceText(source: string | number | null | undefined): Param {
  switch (source) {
    case 'startup':
      return text('risk-limits-config.source.startup');
    case 'inspect_env':
      return text('risk-limits-config.source.inspect_env');
    case 'env':
      return text('risk-limits-config.source.env');
    case 'code default':
      return text('risk-limits-config.source.default');
    default:
      return String(source ?? '?');
  }
}

function value(limit: Limit, r: SettingRow): number | null {
  return limit.kind === 'fraction' ? fraction(r.value) : num(r.value);
}

function printed(limit: Limit, v: number): string {
  if (limit.kind === 'fraction') return `${limit.label}: ${(v * 100).toFixed(1)}%`;
  if (limit.kind === 'percent') return `${limit.label}: ${v.toFixed(1)}%`;
  return `${limit.label}: ${v.toFixed(1)}`;
}

function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-9, Math.abs(b) * 1e-6);
}

/** A limit's value as a reader compares it with the banner: fractions in percent (one decimal, as the banner prints). */
function show(limit: Limit, v: number | null): Param {
  if (v == null) return '?';
  if (limit.kind === 'fraction') return text('risk-limits-config.percent', { v: round(v * 100, 1)! });
  return limit.kind === 'percent' ? text('risk-limits-config.percent', { v }) : v;
}

export default defineRule({
  id: 'risk-limits-config',
  layer: 'risk',
  title: 'Limits in effect vs the configuration, and variables no service reads',
  needs: ['settings: .env, docker inspect Env, limits printed at startup'],
  keyMetrics: ['unread_variable_count'],
  check(ctx: RuleContext) {
    if (!hasAnySettings(ctx)) return { status: 'not_evaluable', missing: text('risk-limits-config.missing') };
    const era = ctx.block.era;
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [];
    const metrics: Record<string, number | string | null> = {};
    let status: Status = 'ok';

    for (const limit of LIMITS) {
      const rows = settingRows(ctx, limit.key);
      const bySource = (s: string) => rows.find((r) => r.source === s) ?? null;
      const ref = bySource('startup') ?? bySource('inspect_env');
      const eff = ref ?? bySource('env');
      const effValue = eff ? value(limit, eff) : limit.defaultFor(era);
      metrics[`effective_${limit.key}`] = effValue;
      metrics[`effective_${limit.key}_source`] = eff ? eff.source : 'code default';
      if (!ref) continue;
      const refValue = value(limit, ref);
      for (const other of rows.filter((r) => (r.source === 'env' || r.source === 'inspect_env') && r !== ref)) {
        const v = value(limit, other);
        if (refValue == null || v == null || same(refValue, v)) continue;
        status = worst(status, 'warn');
        const ev = [settingEvidence(ctx, ref), settingEvidence(ctx, other)];
        findings.push({
          subject: `limit:${limit.key}`,
          severity: 'medium',
          message: text('risk-limits-config.mismatch', {
            key: limit.key,
            ref: ref.source === 'startup' ? text('risk-limits-config.ref.startup', { v: show(limit, refValue) }) : text('risk-limits-config.ref.inspect', { v: show(limit, refValue) }),
            other: other.source === 'env' ? '.env' : 'docker inspect',
            v: show(limit, v),
          }),
          evidence: ev,
        });
        hypotheses.push({
          cause: 'risk.limits_not_applied',
          title: text('risk-limits-config.hyp.limits_not_applied'),
          likelihood: ref.source === 'startup' ? 'likely' : 'possible',
          evidence: ev,
          why: era === 'A' || era == null ? text('risk-limits-config.hyp.limits_not_applied.why_a') : text('risk-limits-config.hyp.limits_not_applied.why_bc'),
        });
        todos.push({
          category: 'CONFIG',
          title: text('risk-limits-config.todo.recreate', { service: limit.service, key: limit.key, v: show(limit, v) }),
          priority: 'medium',
          effort: 'quick_win',
          where: whereVarText(era, limit.key, limit.service),
          cause: 'risk.limits_not_applied',
        });
        verification.push({
          id: `startup-${limit.key.toLowerCase()}`,
          title: text('risk-limits-config.check.startup', { service: limit.service, key: limit.key }),
          kind: 'log',
          check: reEscape(printed(limit, v)),
          expect: { op: '>=', value: 1 },
        });
        break;
      }
    }

    // Variables that some file sets but no service reads (or, MAX_TOTAL_EXPOSURE_PCT, not in era A).
    const unread = ctx.db
      .prepare("SELECT source, service, key, value, file_id, line_no FROM settings WHERE source IN ('env', 'inspect_env') ORDER BY key, file_id, line_no")
      .all() as SettingRow[];
    const seen = new Set<string>();
    const unreadKeys: string[] = [];
    for (const r of unread) {
      if (seen.has(r.key) || !isUnreadVariable(r.key, era)) continue;
      seen.add(r.key);
      unreadKeys.push(r.key);
      if (r.key === 'MAX_TOTAL_EXPOSURE_PCT') {
        const intended = fraction(r.value);
        const effective = metrics.effective_MAX_EXPOSURE_PCT as number | null;
        const differs = intended != null && effective != null && !same(intended, effective);
        status = worst(status, differs ? 'warn' : 'ok');
        const exp = settingRows(ctx, 'MAX_EXPOSURE_PCT')[0];
        const ev = [settingEvidence(ctx, r), ...(exp ? [settingEvidence(ctx, exp)] : [])];
        findings.push({
          subject: 'unread:MAX_TOTAL_EXPOSURE_PCT',
          severity: differs ? 'medium' : 'low',
          message: text('risk-limits-config.total_exposure_ignored', {
            value: r.value ?? '',
            effective: show(LIMITS[1], effective),
            source: sourceText(metrics.effective_MAX_EXPOSURE_PCT_source),
          }),
          evidence: ev,
        });
        // It explains behaviour only where the exposure limit decided something in the block.
        const exposureRejections = count(
          ctx,
          "SELECT COUNT(*) FROM risk_decisions WHERE in_block = 1 AND decision = 'rejected' AND reason_code IN ('exposure', 'projected_exposure', 'rc_021')",
        );
        metrics.exposure_rejections = exposureRejections;
        if (differs && exposureRejections > 0) {
          hypotheses.push({
            cause: 'risk.wrong_variable_name',
            title: text('risk-limits-config.hyp.wrong_variable'),
            likelihood: 'likely',
            evidence: ev,
            why: text('risk-limits-config.hyp.wrong_variable.why', { intended: show(LIMITS[1], intended), effective: show(LIMITS[1], effective), n: exposureRejections }),
          });
        }
        todos.push({
          category: 'CONFIG',
          title: text('risk-limits-config.todo.use_max_exposure'),
          priority: differs && exposureRejections > 0 ? 'medium' : 'low',
          effort: 'quick_win',
          where: '.env MAX_EXPOSURE_PCT',
          cause: differs && exposureRejections > 0 ? 'risk.wrong_variable_name' : undefined,
        });
        continue;
      }
      findings.push({
        subject: `unread:${r.key}`,
        severity: 'low',
        message: text('risk-limits-config.unread', { key: r.key, value: r.value ?? '', why: UNREAD_WHY[r.key]?.() ?? text('risk-limits-config.unread.other') }),
        evidence: [settingEvidence(ctx, r)],
      });
    }
    const plainUnread = unreadKeys.filter((k) => k !== 'MAX_TOTAL_EXPOSURE_PCT');
    if (plainUnread.length) {
      todos.push({
        category: 'CONFIG',
        title: text('risk-limits-config.todo.remove_unread', { keys: plainUnread }),
        priority: 'low',
        effort: 'quick_win',
        where: '.env',
      });
    }
    metrics.unread_variables = unreadKeys.length ? unreadKeys.join(',') : null;
    metrics.unread_variable_count = unreadKeys.length;
    return { status, metrics, findings, hypotheses, todos, verification };
  },
});

