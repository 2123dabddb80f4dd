import {
  defineRule,
  type Finding,
  type Hypothesis,
  type Likelihood,
  type Status,
  type Todo,
  type VerificationCheck,
} from '../../define-rule.js';
import { findLogs, groupCoverage, K, fieldOf, RISK, tallyLogs } from '../shared/logs.js';
import { normalizeRiskReason, reasonCause } from '../../../catalog/risk-reasons.js';
import { whereVarText } from '../shared/settings.js';
import { count, pct, redisWindow, sampleEvidence, Tally, type EvidenceRow } from '../shared/util.js';
import { text, type AnyText, type Said } from '../../../i18n/translate.js';

interface Decision extends EvidenceRow {
  decision: string;
  reason_text: string | null;
  reason_code: string | null;
  ts: string | null;
  source: string | null;
  code: string;
  label: string;
}

/** The reason of a stored decision: the model's code when it is a known one, else the text. */
export function decisionReason(reasonCode: string | null, reasonText: string | null): { code: string; label: string } {
  const byCode = normalizeRiskReason(reasonCode);
  if (byCode.code !== 'other' && byCode.code !== 'unknown') {
    const byText = normalizeRiskReason(reasonText);
    return byText.code === byCode.code ? byText : byCode;
  }
  const byText = normalizeRiskReason(reasonText);
  return byText.code === 'unknown' ? byCode : byText;
}

/** The report's name of each reason class of src/catalog/risk-reasons.ts (a test keeps the English equal to its labels). */
const REASON_TEXTS: Record<string, () => AnyText> = {
  exposure: () => text('risk-decisions.reason.exposure'),
  drawdown: () => text('risk-decisions.reason.drawdown'),
  position_size: () => text('risk-decisions.reason.position_size'),
  missing_strategy_id: () => text('risk-decisions.reason.missing_strategy_id'),
  cooldown: () => text('risk-decisions.reason.cooldown'),
  no_allocation: () => text('risk-decisions.reason.no_allocation'),
  risk_off: () => text('risk-decisions.reason.risk_off'),
  bot_shutdown: () => text('risk-decisions.reason.bot_shutdown'),
  sizing_skip: () => text('risk-decisions.reason.sizing_skip'),
  kill_switch: () => text('risk-decisions.reason.kill_switch'),
  projected_exposure: () => text('risk-decisions.reason.projected_exposure'),
  slippage: () => text('risk-decisions.reason.slippage'),
  other: () => text('risk-decisions.reason.other'),
  unknown: () => text('risk-decisions.reason.unknown'),
};

const RC_TEXTS: Record<string, () => AnyText> = {
  RC_001: () => text('risk-decisions.rc.RC_001'),
  RC_002: () => text('risk-decisions.rc.RC_002'),
  RC_003: () => text('risk-decisions.rc.RC_003'),
  RC_004: () => text('risk-decisions.rc.RC_004'),
  RC_010: () => text('risk-decisions.rc.RC_010'),
  RC_020: () => text('risk-decisions.rc.RC_020'),
  RC_021: () => text('risk-decisions.rc.RC_021'),
  RC_022: () => text('risk-decisions.rc.RC_022'),
};

/** What a decision-contract code (`rc_002`) means, or null for a code the fork does not document. */
export function contractMeaning(code: string): AnyText | null {
  const make = RC_TEXTS[code.toUpperCase()];
  return make ? make() : null;
}

/** A reason class as the report names it: the catalog label as keyed text. */
export function reasonLabel(code: string): AnyText {
  if (code.startsWith('rc_')) {
    const meaning = contractMeaning(code);
    return meaning ? text('risk-decisions.reason.rc', { code: code.toUpperCase(), meaning }) : text('risk-decisions.reason.rc_unknown', { code: code.toUpperCase() });
  }
  return (REASON_TEXTS[code] ?? REASON_TEXTS.other)();
}

/** Log text that marks a rejection of this class, for the "expect 0 after the fix" check. */
export function reasonLogPattern(code: string): string | null {
  if (code.startsWith('rc_')) return `Decision contract BLOCK: ${code.toUpperCase()}`;
  const map: Record<string, string> = {
    exposure: 'Max Exposure erreicht',
    drawdown: 'Circuit Breaker! Daily Loss|Daily Drawdown exceeded',
    position_size: 'Position zu gro|Position Limit',
    missing_strategy_id: 'MISSING_STRATEGY_ID',
    cooldown: 'Signal blockiert: Cooldown aktiv',
    no_allocation: 'Signal blockiert: Keine Allokation',
    risk_off: 'Risk-Off Reduce-Only',
    bot_shutdown: 'Signal blockiert: Bot-Shutdown aktiv',
    sizing_skip: 'Signal SKIPPED',
    kill_switch: 'Kill-Switch',
    projected_exposure: 'HARD EXPOSURE GATE',
  };
  return map[code] ?? null;
}

function todoFor(code: string, era: string | null): Todo | null {
  const cause = reasonCause(code);
  const t = (category: Todo['category'], title: AnyText, where: Said, effort: Todo['effort'] = 'quick_win'): Todo => ({
    category,
    title,
    priority: 'high',
    effort,
    where,
    cause,
  });
  switch (code) {
    case 'exposure':
    case 'projected_exposure':
    case 'rc_021':
      return t('RISK', text('risk-decisions.todo.exposure'), whereVarText(era, 'MAX_EXPOSURE_PCT', 'cdb_risk'));
    case 'drawdown':
    case 'rc_020':
      return t('RISK', text('risk-decisions.todo.drawdown'), whereVarText(era, 'MAX_DAILY_DRAWDOWN_PCT', 'cdb_risk'));
    case 'position_size':
      return t('CONFIG', text('risk-decisions.todo.position_size'), whereVarText(era, 'MAX_POSITION_PCT', 'cdb_risk'));
    case 'missing_strategy_id':
      return t('CONFIG', text('risk-decisions.todo.missing_strategy_id'), whereVarText(era, 'SIGNAL_STRATEGY_ID', 'cdb_signal'));
    case 'cooldown':
    case 'no_allocation':
      return t('CONFIG', text('risk-decisions.todo.allocation'), 'ALLOCATION_RULES_JSON / ALLOCATION_REGIME_MIN_STABLE_SECONDS (cdb_allocation)');
    case 'risk_off':
      return t('RISK', text('risk-decisions.todo.risk_off'), 'REGIME_* (cdb_regime)', 'larger');
    case 'bot_shutdown':
      return t('RISK', text('risk-decisions.todo.bot_shutdown'), 'stream.bot_shutdown (cdb_risk RISK_BOT_SHUTDOWN_STREAM)');
    case 'sizing_skip':
      return t('CODE', text('risk-decisions.todo.sizing_skip'), 'cdb_risk service.py, order sizing', 'larger');
    case 'kill_switch':
      return t('RISK', text('risk-decisions.todo.kill_switch'), 'cdb_risk kill switch', 'larger');
    case 'rc_002':
      return t('CODE', text('risk-decisions.todo.rc_002'), 'cdb_risk decision contract inputs / market_state', 'larger');
    case 'rc_003':
    case 'rc_004':
      return t('MONITORING', text('risk-decisions.todo.market_data_fresh'), 'cdb_market / cdb_ws feed', 'larger');
    default:
      if (code.startsWith('rc_')) return t('RISK', text('risk-decisions.todo.rc_other', { code: code.toUpperCase() }), 'cdb_risk decision contract', 'larger');
      return t('MONITORING', text('risk-decisions.todo.classify'), 'cdb_risk logs / alerts', 'larger');
  }
}

/**
 * How sure a dominant reason explains the blocking: many decisions and one clear reason make it
 * very likely; few decisions or mixed reasons weaken it.
 */
export function dominanceLikelihood(share: number, n: number): Likelihood {
  if (share >= 0.8 && n >= 20) return 'very_likely';
  if ((share >= 0.8 && n >= 5) || (share >= 0.5 && n >= 20)) return 'likely';
  return 'possible';
}

function reportWhere(era: string | null): string {
  return era === 'A' || era == null ? 'services/cdb_paper_runner/service.py (daily report)' : 'tools/paper_trading/service.py (daily report)';
}

export default defineRule({
  id: 'risk-decisions',
  layer: 'risk',
  title: 'Risk decisions: approved vs rejected and why',
  needs: ['risk_decisions (cdb_risk logs, alerts, risk_events)', 'cdb_risk logs for received signals'],
  keyMetrics: ['approved', 'rejected', 'approval_rate_pct'],
  check(ctx) {
    // Counted in one pass with a few rows kept for evidence: a noisy block holds millions of decisions.
    const rows = new Tally<Decision>();
    const approved = new Tally<Decision>();
    const rejected = new Tally<Decision>();
    const byReason = new Map<string, Tally<Decision>>();
    for (const r0 of ctx.db
      .prepare('SELECT decision, reason_text, reason_code, ts, file_id, line_no, source FROM risk_decisions WHERE in_block = 1 ORDER BY ts, id')
      .iterate() as Iterable<Omit<Decision, 'code' | 'label'>>) {
      const r: Decision = { ...r0, ...decisionReason(r0.reason_code, r0.reason_text), text: r0.source === 'log' ? undefined : `${r0.decision}: ${r0.reason_text ?? r0.reason_code ?? ''} (${r0.ts})` };
      rows.add(r);
      if (r.decision === 'approved') approved.add(r);
      else {
        rejected.add(r);
        let t = byReason.get(r.code);
        if (!t) byReason.set(r.code, (t = new Tally<Decision>()));
        t.add(r);
      }
    }
    const received = tallyLogs(ctx, { group: RISK, classes: K.riskReceived });
    const signals = count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1');
    const cov = groupCoverage(ctx, RISK);

    const reasons = [...byReason.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));

    const alertCodes = new Map<string, number>();
    const rw = redisWindow(ctx);
    const alertRows = ctx.db
      .prepare(`SELECT code, COUNT(*) AS n FROM redis_messages WHERE ${rw.sql} AND code IS NOT NULL AND code != '' GROUP BY code ORDER BY code`)
      .all(...rw.params) as { code: string; n: number }[];
    for (const a of alertRows) alertCodes.set(a.code, a.n);
    if (!alertRows.length) {
      for (const l of findLogs(ctx, { group: RISK, classes: K.alert })) {
        const c = l.class === 'risk.rejected.missing_strategy_id' ? 'MISSING_STRATEGY_ID' : fieldOf(l, 'code') ?? 'UNKNOWN';
        alertCodes.set(c, (alertCodes.get(c) ?? 0) + 1);
      }
    }

    const metrics: Record<string, number | string | null> = {
      decisions_total: rows.count,
      approved: approved.count,
      rejected: rejected.count,
      approval_rate_pct: pct(approved.count, rows.count),
      signals_received_log: received.count,
      signals_in_block: signals,
    };
    reasons.slice(0, 8).forEach(([code, rs]) => (metrics[`reason_${code}`] = rs.count));
    for (const [c, n] of [...alertCodes.entries()].sort()) metrics[`alert_${c}`] = n;

    const verification: VerificationCheck[] = [
      {
        id: 'risk-approved',
        title: text('risk-decisions.check.approved'),
        kind: 'sql',
        check: 'SELECT COUNT(*) FROM risk_events WHERE approved = 1 AND in_block = 1',
        expect: { op: '>=', value: ctx.targets.risk_approved },
      },
      {
        id: 'risk-approval-rate',
        title: text('risk-decisions.check.approval_rate'),
        kind: 'sql',
        check: 'SELECT 100.0 * SUM(approved) / COUNT(*) FROM risk_events WHERE in_block = 1',
        expect: { op: '>', value: 5 },
      },
    ];

    if (rows.count === 0) {
      if (received.count > 0) {
        return {
          status: 'warn',
          metrics,
          findings: [
            {
              subject: 'no-outcome',
              severity: 'medium',
              message: text('risk-decisions.no_outcome', { n: received.count }),
              evidence: sampleEvidence(ctx, received.sample),
            },
          ],
          verification,
        };
      }
      if (cov && signals > 0) {
        const inCov = count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1 AND ts >= ? AND ts <= ?', cov.from, cov.to);
        if (inCov > 0) {
          const sig = ctx.db
            .prepare('SELECT file_id, line_no, ts, symbol FROM signals WHERE in_block = 1 AND ts >= ? AND ts <= ? ORDER BY ts, id')
            .all(cov.from, cov.to) as { file_id: number; line_no: number; ts: string; symbol: string }[];
          const ev = sampleEvidence(ctx, sig.map((s) => ({ ...s, text: `signal ${s.symbol} (${s.ts})` })));
          const fail = inCov >= 10;
          return {
            status: fail ? 'fail' : 'warn',
            metrics: { ...metrics, signals_in_risk_log_span: inCov },
            findings: [
              {
                subject: 'not-receiving',
                severity: fail ? 'critical' : 'medium',
                message: text('risk-decisions.not_receiving', { n: inCov }),
                evidence: ev,
              },
            ],
            hypotheses: [
              {
                cause: 'risk.not_receiving_signals',
                title: text('risk-decisions.hyp.not_receiving'),
                likelihood: fail ? 'likely' : 'possible',
                evidence: ev,
                why: text('risk-decisions.hyp.not_receiving.why'),
              },
            ],
            todos: [
              {
                category: 'MONITORING',
                title: text('risk-decisions.todo.check_subscription'),
                priority: 'high',
                effort: 'quick_win',
                where: 'cdb_redis PUBSUB NUMSUB signals / cdb_risk startup log',
                cause: 'risk.not_receiving_signals',
              },
            ],
            verification,
          };
        }
      }
      return { status: 'not_evaluable', missing: text('risk-decisions.missing'), metrics };
    }

    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    let status: Status = 'ok';
    findings.push({
      subject: 'decisions',
      severity: 'info',
      message: text('risk-decisions.summary', { n: rows.count, approved: approved.count, rejected: rejected.count, rate: pct(approved.count, rows.count) ?? 0, received: received.count }),
      evidence: sampleEvidence(ctx, approved.count ? approved.sample : rows.sample, 1, 1),
    });

    if (alertCodes.size) {
      findings.push({
        subject: 'alerts',
        severity: 'info',
        message: text('risk-decisions.alerts', {
          codes: [...alertCodes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, n]) => text('risk-decisions.alert_code', { code, n })),
          where: alertRows.length ? text('risk-decisions.alerts.channel') : text('risk-decisions.alerts.log'),
        }),
        evidence: [],
      });
    }

    const allRejected = approved.count === 0;
    const lowApproval = !allRejected && rows.count >= 20 && approved.count / rows.count < 0.05;
    if (allRejected) {
      status = rejected.count >= 5 ? 'fail' : 'warn';
      findings.push({
        subject: 'all-rejected',
        severity: status === 'fail' ? 'critical' : 'medium',
        message: text('risk-decisions.all_rejected', { n: rejected.count }),
        evidence: sampleEvidence(ctx, rejected.sample),
      });
    } else if (lowApproval) {
      status = 'warn';
      findings.push({
        subject: 'low-approval',
        severity: 'medium',
        message: text('risk-decisions.low_approval', { approved: approved.count, n: rows.count, rate: pct(approved.count, rows.count) ?? 0 }),
        evidence: sampleEvidence(ctx, rejected.sample),
      });
    }

    reasons.slice(0, 3).forEach(([code, rs], i) => {
      const share = rs.count / rejected.count;
      const label = reasonLabel(code);
      findings.push({
        subject: `reason:${code}`,
        severity: i === 0 && (allRejected || lowApproval) ? 'high' : 'info',
        message: text('risk-decisions.reason', { i: i + 1, label, n: rs.count, rejected: rejected.count, share: share * 100 }),
        evidence: sampleEvidence(ctx, rs.sample),
      });
      if (!(allRejected || lowApproval)) return;
      if (i > 0 && share < 0.2) return;
      let likelihood = dominanceLikelihood(share, rejected.count);
      if (i > 0 || lowApproval) likelihood = likelihood === 'very_likely' ? 'likely' : 'possible';
      const rc = code.startsWith('rc_') ? contractMeaning(code) : null;
      hypotheses.push({
        cause: reasonCause(code),
        title: text('risk-decisions.hyp.rejects', { label }),
        likelihood,
        evidence: sampleEvidence(ctx, rs.sample),
        why: text('risk-decisions.hyp.rejects.why', {
          n: rs.count,
          rejected: rejected.count,
          share: share * 100,
          none_approved: allRejected ? text('risk-decisions.why.none_approved') : '',
          contract: rc ? text('risk-decisions.why.contract', { meaning: rc }) : '',
          exposure: code === 'exposure' ? text('risk-decisions.why.exposure') : '',
        }),
      });
      const todo = todoFor(code, ctx.block.era);
      if (todo) todos.push(i === 0 ? todo : { ...todo, priority: 'medium' });
      const pattern = reasonLogPattern(code);
      if (pattern && i === 0) {
        verification.push({ id: `no-${code}-rejections`, title: text('risk-decisions.check.no_reason', { label }), kind: 'log', check: pattern, expect: { op: '==', value: 0 } });
      }
    });
    if (allRejected || lowApproval) {
      todos.push({
        category: 'MONITORING',
        title: text('risk-decisions.todo.breakdown'),
        priority: 'medium',
        effort: 'larger',
        where: reportWhere(ctx.block.era),
      });
    }
    return { status, metrics, findings, hypotheses, todos, verification };
  },
});

