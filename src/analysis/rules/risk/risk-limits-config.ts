import { defineRule, type Finding, type Hypothesis, type RuleContext, type Status, type Todo, type VerificationCheck } from '../../define-rule.js';
import {
  fraction,
  hasAnySettings,
  isUnreadVariable,
  num,
  settingEvidence,
  settingRows,
  whereVar,
  type SettingRow,
} from '../shared/settings.js';
import { count, fmt, reEscape, worst } from '../shared/util.js';

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
const UNREAD_WHY: Record<string, string> = {
  CIRCUIT_BREAKER_THRESHOLD_PCT: 'the circuit breaker trips at TEST_BALANCE × MAX_DAILY_DRAWDOWN_PCT',
  MAX_SLIPPAGE_PCT: 'no service checks slippage (mock fills only)',
  DATA_STALE_TIMEOUT_SEC: 'no service checks data staleness by this variable',
  ACCOUNT_EQUITY: 'all limits are based on TEST_BALANCE',
  MIN_CONFIDENCE: 'no confidence filter exists; the signal filters are SIGNAL_THRESHOLD_PCT and SIGNAL_MIN_VOLUME',
  MIN_VOLUME_24H: 'the volume minimum is SIGNAL_MIN_VOLUME',
  REDIS_MAXMEMORY: 'Redis takes --maxmemory from its compose command line',
  MAX_TOTAL_EXPOSURE_PCT: 'the era-A risk manager reads MAX_EXPOSURE_PCT only',
};

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

function show(limit: Limit, v: number | null): string {
  if (v == null) return '?';
  return limit.kind === 'fraction' ? `${fmt(v * 100, 1)} %` : limit.kind === 'percent' ? `${fmt(v)} %` : fmt(v);
}

export default defineRule({
  id: 'risk-limits-config',
  layer: 'risk',
  title: 'Limits in effect vs the configuration, and variables no service reads',
  needs: ['settings: .env, docker inspect Env, limits printed at startup'],
  keyMetrics: ['unread_variable_count'],
  check(ctx: RuleContext) {
    if (!hasAnySettings(ctx)) return { status: 'not_evaluable', missing: 'no configuration captured (.env, docker inspect, startup banners)' };
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
          message: `${limit.key}: the ${ref.source === 'startup' ? `service printed ${show(limit, refValue)} at startup` : `container got ${show(limit, refValue)}`} but ${other.source === 'env' ? '.env' : 'docker inspect'} says ${show(limit, v)}: the configured value is not the one in effect.`,
          evidence: ev,
        });
        hypotheses.push({
          cause: 'risk.limits_not_applied',
          title: 'The configured limits are not the ones the services run with',
          likelihood: ref.source === 'startup' ? 'likely' : 'possible',
          evidence: ev,
          why:
            era === 'A' || era == null
              ? 'Era A reads .env through env_file only when the container is created: an edited .env needs `docker compose up -d` (recreate), not a restart.'
              : 'In eras B/C compose sets `environment:` per service; a .env line reaches a container only through interpolation in the compose file.',
        });
        todos.push({
          category: 'CONFIG',
          title: `Recreate ${limit.service} so ${limit.key} = ${show(limit, v)} applies, then check the startup banner`,
          priority: 'medium',
          effort: 'quick_win',
          where: whereVar(era, limit.key, limit.service),
          cause: 'risk.limits_not_applied',
        });
        verification.push({
          id: `startup-${limit.key.toLowerCase()}`,
          title: `${limit.service} prints the configured ${limit.key} at startup`,
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
          message: `MAX_TOTAL_EXPOSURE_PCT = ${r.value} is ignored in era A; the risk manager reads MAX_EXPOSURE_PCT, in effect ${show(LIMITS[1], effective)} (${metrics.effective_MAX_EXPOSURE_PCT_source}).`,
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
            title: 'The exposure limit was set through a variable era A does not read',
            likelihood: 'likely',
            evidence: ev,
            why: `The intended ${show(LIMITS[1], intended)} never applies; the limit in effect is ${show(LIMITS[1], effective)}, and ${exposureRejections} signals were rejected on exposure.`,
          });
        }
        todos.push({
          category: 'CONFIG',
          title: `Set the exposure limit through MAX_EXPOSURE_PCT (era A ignores MAX_TOTAL_EXPOSURE_PCT)`,
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
        message: `${r.key} = ${r.value} is read by no service: changing it has no effect (${UNREAD_WHY[r.key] ?? 'see §7'}).`,
        evidence: [settingEvidence(ctx, r)],
      });
    }
    const plainUnread = unreadKeys.filter((k) => k !== 'MAX_TOTAL_EXPOSURE_PCT');
    if (plainUnread.length) {
      todos.push({
        category: 'CONFIG',
        title: `Remove or mark variables no service reads (${plainUnread.join(', ')}) so nobody tunes them`,
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

