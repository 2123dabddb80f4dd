import { fieldsOf } from '../../../catalog/index.js';
import { defineRule, type Finding, type Hypothesis, type Likelihood, type RuleContext, type Status, type Todo, type VerificationCheck } from '../../define-rule.js';
import { findLogs, groupCoverage, K, fieldOf, RISK, scanLogs, type LogRow } from '../shared/logs.js';
import { fraction, num, setting } from '../shared/settings.js';
import { dayOf, extent, sampleEvidence, Tally, worst } from '../shared/util.js';
import { text } from '../../../i18n/translate.js';
import { decisionReason } from './risk-decisions.js';

const EPOCH = '1970-01-01T00:00:00.000Z';

/** A value that may be unknown, for a `{x:number}` placeholder (rendered as a dash). */
const orDash = (v: number | null): number => v ?? Number.NaN;

/** Non-alert copy of a blocked signal's lines: a blocked signal logs `Alert: ...` and `⚠️`/`🚨` (§3.4 counting rule). */
function withoutAlertCopies(rows: LogRow[]): LogRow[] {
  const plain = rows.filter((r) => !/^\s*Alert:/.test(r.message));
  return plain.length ? plain : rows;
}

interface ExposureLines {
  rows: Tally<LogRow>;
  /** The first line's exposure and limit. */
  first: readonly [number, number] | null;
  min: number | null;
  max: number | null;
}

/**
 * `Max Exposure erreicht` lines (one per rejected signal: millions in a stuck block), aggregated in
 * one pass. The risk service's own lines count; their `Alert:` copies only when there are no others.
 */
function exposureLines(ctx: RuleContext): ExposureLines {
  const make = (): ExposureLines => ({ rows: new Tally<LogRow>(), first: null, min: null, max: null });
  const plain = make();
  const copies = make();
  scanLogs(ctx, { group: RISK, classes: [...K.exposureReached, ...K.alert] }, (r) => {
    // The `Alert: [WARNING] RISK_LIMIT: Max Exposure erreicht: ...` wrapper carries the same text.
    const copy = r.class !== 'risk.rejected.max_exposure';
    const f = fieldsOf('risk.rejected.max_exposure', copy ? (fieldOf(r, 'text') ?? '') : r.message);
    if (!f) return;
    const agg = copy ? copies : plain;
    const v = [Number(f.exposure), Number(f.max)] as const;
    agg.rows.add(r);
    if (agg.first === null) {
      agg.first = v;
      agg.min = agg.max = v[0];
    } else {
      if (v[0] < agg.min!) agg.min = v[0];
      if (v[0] > agg.max!) agg.max = v[0];
    }
  });
  return plain.rows.count ? plain : copies;
}

function stateWhere(era: string | null): string {
  return era === 'A' || era == null ? 'Redis key risk_state:persistence (cdb_risk, TTL 7 days)' : 'cdb_risk persisted risk state (Redis / DB snapshot)';
}

interface Decisions {
  approved: number;
  rejected: number;
  byCode: Map<string, number>;
}

function decisions(ctx: RuleContext): Decisions {
  const rows = ctx.db
    .prepare('SELECT decision, reason_code, reason_text FROM risk_decisions WHERE in_block = 1 ORDER BY ts, id')
    .all() as { decision: string; reason_code: string | null; reason_text: string | null }[];
  const byCode = new Map<string, number>();
  let approved = 0;
  for (const r of rows) {
    if (r.decision === 'approved') {
      approved++;
      continue;
    }
    const c = decisionReason(r.reason_code, r.reason_text).code;
    byCode.set(c, (byCode.get(c) ?? 0) + 1);
  }
  return { approved, rejected: rows.length - approved, byCode };
}

export default defineRule({
  id: 'risk-state',
  layer: 'risk',
  title: 'Persisted risk state: exposure and circuit breaker that never reset',
  needs: ['cdb_risk logs (state load, exposure / circuit-breaker lines)', 'risk_decisions'],
  keyMetrics: ['circuit_breaker_lines', 'exposure_rejection_lines', 'state_resets'],
  check(ctx) {
    const cov = groupCoverage(ctx, RISK);
    // The state a block runs with may have been loaded at a start before the block.
    const upToEnd = { from: EPOCH, to: ctx.block.to };
    const loads = findLogs(ctx, { group: RISK, span: upToEnd, classes: K.riskStateLoaded });
    const fresh = findLogs(ctx, { group: RISK, span: upToEnd, classes: K.riskStateFresh });
    const resets = findLogs(ctx, { group: RISK, classes: K.riskStateReset });
    const loadFailed = findLogs(ctx, { group: RISK, classes: K.riskStateLoadFailed });
    const exp = exposureLines(ctx);
    const exposure = exp.rows;
    const breaker = withoutAlertCopies(
      findLogs(ctx, { group: RISK, classes: [...K.circuitBreaker, ...K.runbookDrawdown] }),
    );
    const statusCb = ctx.db
      .prepare("SELECT service, key, value FROM service_status WHERE key LIKE '%circuit_breaker%' ORDER BY service, key")
      .all() as { service: string; key: string; value: string }[];

    if (!cov && !loads.length && !exposure.count && !breaker.length) {
      return { status: 'not_evaluable', missing: text('risk-state.missing') };
    }

    const d = decisions(ctx);
    const lastLoad = loads.length ? loads[loads.length - 1] : null;
    const lastFresh = fresh.length ? fresh[fresh.length - 1] : null;
    // A later "fresh state" start replaces an earlier load.
    const load = lastLoad && (!lastFresh || (lastFresh.ts ?? '') < (lastLoad.ts ?? '')) ? lastLoad : null;
    const loaded = load ? fieldsOf('risk.state.loaded', load.message) : null;
    const loadedExposure = loaded?.exposure != null ? Number(loaded.exposure) : null;
    const loadedPnl = loaded?.pnl != null ? Number(loaded.pnl) : null;

    const balance = num(setting(ctx, 'TEST_BALANCE')?.value) ?? 10_000;
    const pctLimit = fraction(setting(ctx, 'MAX_EXPOSURE_PCT')?.value) ?? (ctx.block.era === 'A' || ctx.block.era == null ? 0.5 : 0.3);
    const limit = exp.first ? exp.first[1] : balance * pctLimit;
    const expMin = exp.min;
    const expMax = exp.max;

    const metrics: Record<string, number | string | null> = {
      state_loads: loads.length,
      loaded_exposure: loadedExposure,
      loaded_pnl: loadedPnl,
      exposure_limit: limit,
      exposure_rejection_lines: exposure.count,
      exposure_min: expMin,
      exposure_max: expMax,
      circuit_breaker_lines: breaker.length,
      state_resets: resets.length,
      approved: d.approved,
      rejected: d.rejected,
    };
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [];
    let status: Status = 'ok';

    // Exposure loaded from Redis at or above the limit and never released.
    const exposureRejected = d.byCode.get('exposure') ?? 0;
    const allExposure = d.approved === 0 && d.rejected > 0 && exposureRejected === d.rejected;
    const loadedAtLimit = loadedExposure != null && loadedExposure >= limit;
    const constant = expMin != null && expMax != null && exposure.count >= 3 && expMax - expMin <= Math.max(0.01, limit * 0.001);
    const matchesLoad = loadedExposure != null && expMin != null && Math.abs(expMin - loadedExposure) <= Math.max(0.01, limit * 0.005);
    const resetAfterLoad = resets.some((r) => !load || (r.ts ?? '') > (load.ts ?? ''));
    if (load) {
      findings.push({
        subject: 'state-loaded',
        severity: loadedAtLimit ? 'high' : 'info',
        message: text('risk-state.state_loaded', {
          exposure: orDash(loadedExposure),
          limit: loadedAtLimit ? text('risk-state.state_loaded.at_limit', { limit }) : text('risk-state.state_loaded.limit', { limit }),
          pnl: orDash(loadedPnl),
        }),
        evidence: sampleEvidence(ctx, [load], 1, 0),
      });
    }
    if (exposure.count && (allExposure || (loadedAtLimit && d.approved === 0))) {
      let likelihood: Likelihood;
      if (loadedAtLimit && allExposure && (constant || matchesLoad)) likelihood = 'very_likely';
      else if (loadedAtLimit && allExposure) likelihood = 'likely';
      else if (allExposure && constant) likelihood = 'possible';
      else likelihood = 'unlikely';
      if (resetAfterLoad && likelihood !== 'unlikely') likelihood = likelihood === 'very_likely' ? 'likely' : 'possible';
      const ev = [...(load ? sampleEvidence(ctx, [load], 1, 0) : []), ...sampleEvidence(ctx, exposure.sample, 1, 1)];
      findings.push({
        subject: 'exposure-stuck',
        severity: likelihood === 'very_likely' || likelihood === 'likely' ? 'critical' : 'medium',
        message: text('risk-state.exposure_stuck', {
          range: constant ? text('risk-state.range.constant', { v: orDash(expMin) }) : text('risk-state.range.between', { min: orDash(expMin), max: orDash(expMax) }),
          limit,
          n: exposure.count,
          none_approved: d.approved === 0 ? text('risk-state.none_approved') : '',
          loaded: load ? text('risk-state.loaded_with', { v: orDash(loadedExposure) }) : '',
        }),
        evidence: ev,
      });
      hypotheses.push({
        cause: 'risk.exposure_state_stuck',
        title: text('risk-state.hyp.exposure_stuck'),
        likelihood,
        evidence: ev,
        why: text('risk-state.hyp.exposure_stuck.why', {
          origin: load ? text('risk-state.why.origin_loaded') : text('risk-state.why.origin_unproven'),
          reset: resetAfterLoad ? text('risk-state.why.reset_after_load') : '',
        }),
      });
      if (likelihood === 'very_likely' || likelihood === 'likely') status = worst(status, 'fail');
      else status = worst(status, 'warn');
      todos.push(
        {
          category: 'RISK',
          title: text('risk-state.todo.reset_state', { exposure: orDash(loadedExposure ?? expMin), limit }),
          priority: 'high',
          effort: 'quick_win',
          where: stateWhere(ctx.block.era),
          cause: 'risk.exposure_state_stuck',
        },
        {
          category: 'CODE',
          title: text('risk-state.todo.recompute'),
          priority: 'medium',
          effort: 'larger',
          where: 'cdb_risk service.py, risk-state load / exposure bookkeeping',
          cause: 'risk.exposure_state_stuck',
        },
      );
      verification.push({ id: 'no-exposure-rejections', title: text('risk-state.check.no_exposure'), kind: 'log', check: 'Max Exposure erreicht', expect: { op: '==', value: 0 } });
    }

    // Circuit breaker / daily drawdown that survives the UTC day change.
    if (breaker.length) {
      const values = breaker.map((r) => {
        const v = r.class === 'risk.rejected.circuit_breaker' ? fieldOf(r, 'pnl') : fieldOf(r, 'drawdown');
        return v != null ? Number(v) : null;
      });
      const days = [...new Set(breaker.map((r) => (r.ts ? dayOf(r.ts) : null)).filter((x): x is string => !!x))].sort();
      const nums = values.filter((v): v is number => v != null);
      const cbRange = extent(nums);
      const cbConstant = nums.length >= 2 && cbRange![1] - cbRange![0] <= 0.01 * Math.max(1, Math.abs(nums[0]));
      const drawdownRejected = d.byCode.get('drawdown') ?? 0;
      const allDrawdown = d.approved === 0 && d.rejected > 0 && drawdownRejected === d.rejected;
      metrics.circuit_breaker_days = days.length;
      metrics.circuit_breaker_value = nums.length ? nums[0] : null;
      const ev = [...sampleEvidence(ctx, breaker, 1, 1), ...statusCb.slice(0, 1).map(() => ctx.evidence(null, null, `/status ${statusCb[0].key}=${statusCb[0].value}`))];
      if (days.length >= 2) {
        let likelihood: Likelihood = cbConstant ? (days.length >= 3 && allDrawdown ? 'very_likely' : 'likely') : 'possible';
        // Runbook wording is never logged by a real service (§3.6): its repeated value may be a template, not a state.
        if (breaker.every((r) => r.class !== 'risk.rejected.circuit_breaker') && likelihood === 'very_likely') likelihood = 'likely';
        if (!allDrawdown && d.approved > 0) likelihood = 'unlikely';
        findings.push({
          subject: 'circuit-breaker-days',
          severity: likelihood === 'very_likely' || likelihood === 'likely' ? 'high' : 'medium',
          message: text('risk-state.cb_days', {
            n: days.length,
            days: days.map((day) => text('risk-state.day', { d: day })),
            same_value: cbConstant ? text('risk-state.same_value', { v: nums[0] }) : '',
          }),
          evidence: ev,
        });
        hypotheses.push({
          cause: 'risk.daily_pnl_not_reset',
          title: text('risk-state.hyp.daily_pnl'),
          likelihood,
          evidence: ev,
          why: text('risk-state.hyp.daily_pnl.why'),
        });
        status = worst(status, allDrawdown && (likelihood === 'very_likely' || likelihood === 'likely') ? 'fail' : 'warn');
        todos.push({
          category: 'RISK',
          title: text('risk-state.todo.reset_daily'),
          priority: 'high',
          effort: 'quick_win',
          where: stateWhere(ctx.block.era),
          cause: 'risk.daily_pnl_not_reset',
        });
      } else {
        findings.push({
          subject: 'circuit-breaker',
          severity: 'medium',
          message: text('risk-state.cb_once', { n: breaker.length, day: days[0] ? text('risk-state.on_day', { d: days[0] }) : text('risk-state.on_one_day') }),
          evidence: ev,
        });
        status = worst(status, 'warn');
      }
    }

    if (loadFailed.length) {
      findings.push({
        subject: 'state-load-failed',
        severity: 'low',
        message: text('risk-state.load_failed', { n: loadFailed.length }),
        evidence: sampleEvidence(ctx, loadFailed, 1, 0),
      });
    }
    if (!findings.length) {
      findings.push({ subject: 'state', severity: 'info', message: text('risk-state.no_problem'), evidence: [] });
    }
    return { status, metrics, findings, hypotheses, todos, verification };
  },
});
