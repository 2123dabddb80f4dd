import { defineRule, type RuleResult, type Evidence, type Finding, type Hypothesis, type Todo } from '../../define-rule.js';
import { composeFile, likelihoodFromScore, logEvidence } from '../../rule-kit.js';
import { text } from '../../../i18n/translate.js';

const UNKNOWN = '(unknown service)';
import { SKEW_S } from '../../../db/clock-skew-sums.js';
import { classesPassing, edgeRecord, skewByService, type SkewAggregate } from '../../../db/log-rollup.js';


type Agg = SkewAggregate;

export default defineRule({
  id: 'clock-skew',
  layer: 'system',
  title: 'Clock skew between application time (asctime) and the docker timestamp',
  needs: ['logs captured with docker --timestamps (log_events.docker_ts next to the asctime)'],
  keyMetrics: ['max_skew_s', 'services_skewed'],
  check(ctx): RuleResult {
    const d = '(julianday(ts) - julianday(docker_ts)) * 86400.0';
    // From the per-hour sums kept at ingest, not a scan of every record.
    const aggs: Agg[] = skewByService(ctx.db, ctx.block.from, ctx.block.to);
    if (aggs.length === 0) {
      return { status: 'not_evaluable', missing: text('clock-skew.missing') };
    }
    const findings: Finding[] = [];
    const hev: Evidence[] = [];
    let tzOffset = false;
    for (const a of aggs) {
      // Most records of the service must be off: a single late line is buffering, not a clock.
      if (a.skewed * 2 <= a.n) continue;
      const skewedSql = `COALESCE(service, '(unknown service)') = ? AND ts IS NOT NULL AND docker_ts IS NOT NULL AND ts_text IS NOT NULL AND COALESCE(in_block, 1) = 1 AND ABS(${d}) > ${SKEW_S}`;
      // The service's classes (the rollup's), each read from its first time on through the (class, ts) index.
      const own = classesPassing(ctx.db, "COALESCE(service, '(unknown service)') = ?", a.service);
      const first = (
        own === null
          ? ctx.db.prepare(`SELECT file_id, line_no FROM log_events WHERE ${skewedSql} ORDER BY ts, file_id, line_no LIMIT 1`).get(a.service)
          : edgeRecord(ctx.db, own, skewedSql, [a.service], 'ASC')
      ) as { file_id: number; line_no: number };
      const hours = a.avg / 3600;
      const whole = Math.abs(hours) >= 0.9 && Math.abs(hours - Math.round(hours)) * 3600 <= 90;
      if (whole) tzOffset = true;
      const ev = logEvidence(ctx, first);
      const service = a.service === UNKNOWN ? text('shared.unknown_service') : a.service;
      findings.push({
        subject: a.service,
        severity: whole ? 'high' : Math.abs(a.avg) > 60 ? 'medium' : 'low',
        message: whole
          ? text('clock-skew.tz_offset', { service, hours: Math.round(hours), skewed: a.skewed, n: a.n })
          : text('clock-skew.drift', { service, avg: Math.round(a.avg * 10) / 10, lo: Math.round(a.lo), hi: Math.round(a.hi), skewed: a.skewed, n: a.n }),
        evidence: [ev],
      });
      hev.push(ev);
    }
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    if (findings.length) {
      const score = 2 + (tzOffset ? 1 : 0) + (findings.length >= 2 ? 1 : 0);
      hypotheses.push({
        cause: 'system.clock_skew',
        title: tzOffset ? text('clock-skew.hyp.local_time') : text('clock-skew.hyp.drift'),
        likelihood: likelihoodFromScore(score)!,
        evidence: hev,
      });
      todos.push(
        tzOffset
          ? { category: 'CONFIG', title: text('clock-skew.todo.utc'), priority: 'medium', effort: 'quick_win', where: `${composeFile(ctx.block.era)} environment TZ`, cause: 'system.clock_skew' }
          : { category: 'MONITORING', title: text('clock-skew.todo.resync'), priority: 'low', effort: 'quick_win', where: text('clock-skew.where.host'), cause: 'system.clock_skew' },
      );
    }
    return {
      status: findings.some((f) => f.severity !== 'low') ? 'warn' : 'ok',
      metrics: {
        records_with_both_clocks: aggs.reduce((a, b) => a + b.n, 0),
        services_skewed: findings.length,
        max_skew_s: Math.round(Math.max(...aggs.map((a) => Math.max(Math.abs(a.lo), Math.abs(a.hi)))) * 10) / 10,
      },
      findings,
      hypotheses,
      todos,
      verification: [
        {
          id: 'system.clock_skew',
          title: text('clock-skew.check.agree', { s: SKEW_S }),
          kind: 'sql',
          check: `SELECT COUNT(*) FROM log_events WHERE ts IS NOT NULL AND docker_ts IS NOT NULL AND ts_text IS NOT NULL AND ABS(${d}) > ${SKEW_S}`,
          expect: { op: '==', value: 0 },
        },
      ],
    };
  },
});
