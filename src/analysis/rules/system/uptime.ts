import { defineRule, type RuleResult, type Evidence, type Finding, type Hypothesis } from '../../define-rule.js';
import { blockMs, cmp, isPipeline, likelihoodFromScore, pct } from '../../rule-kit.js';
import { captureText, snapshotOf } from '../../snapshots.js';
import { text as say, type Text } from '../../../i18n/translate.js';

const UNIT_S: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2592000, year: 31536000 };

/** Docker's coarse durations: `Less than a second`, `About a minute`, `About an hour`, `22 hours`, `3 days`... (seconds). */
export function parseDockerDuration(text: string | null | undefined): number | null {
  if (!text) return null;
  const t = text.trim().replace(/\s+ago$/i, '');
  if (/^less than a second/i.test(t)) return 0;
  const about = /^about an? (second|minute|hour|day|week|month|year)/i.exec(t);
  if (about) return UNIT_S[about[1].toLowerCase()];
  const m = /^(\d+)\s+(second|minute|hour|day|week|month|year)s?\b/i.exec(t);
  return m ? Number(m[1]) * UNIT_S[m[2].toLowerCase()] : null;
}

/** A restart after creation must exceed docker's rounding (one unit of the larger figure) to count. */
function restartedAfterCreate(createdAgo: number, up: number): boolean {
  const unit = createdAgo >= 2 * 86400 ? 86400 : createdAgo >= 2 * 3600 ? 3600 : createdAgo >= 2 * 60 ? 60 : 1;
  return createdAgo - up > Math.max(300, unit);
}

interface Row {
  file_id: number;
  line_no: number;
  name: string | null;
  service: string | null;
  state: string | null;
  status: string | null;
  running_for: string | null;
  created_at: string | null;
  started_at: string | null;
  up_seconds: number | null;
}

export default defineRule({
  id: 'uptime',
  layer: 'system',
  title: 'Uptime of containers and Redis against the block length',
  needs: ['docker compose ps / inspect (containers)', 'redis-cli INFO server (uptime_in_seconds)'],
  keyMetrics: ['uptime_avg_pct', 'restarted_containers'],
  check(ctx): RuleResult {
    const L = blockMs(ctx) / 1000;
    const rows = ctx.db
      .prepare('SELECT file_id, line_no, name, service, state, status, running_for, created_at, started_at, up_seconds FROM containers ORDER BY COALESCE(service, name), file_id, line_no')
      .all() as Row[];
    const redisUp = ctx.db
      .prepare("SELECT file_id, line_no, value FROM redis_info WHERE key = 'uptime_in_seconds' ORDER BY file_id, line_no")
      .all() as { file_id: number; line_no: number; value: string }[];
    if (rows.length === 0 && redisUp.length === 0) {
      return { status: 'not_evaluable', missing: say('uptime.missing') };
    }
    const findings: Finding[] = [];
    const hev: Evidence[] = [];
    let restarts = 0;
    const ups: number[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const svc = r.service ?? r.name ?? '?';
      if (seen.has(svc)) continue;
      const up = r.up_seconds ?? (/^Up /i.test(r.status ?? '') ? parseDockerDuration((r.status ?? '').replace(/^Up\s+/i, '').replace(/\s*\(.*$/, '')) : null);
      if (up === null) continue;
      seen.add(svc);
      ups.push(Math.min(1, up / L));
      const created = parseDockerDuration(r.running_for);
      const started = r.started_at ? Date.parse(r.started_at) : NaN;
      const text = `${r.name ?? svc} created ${r.running_for ?? r.created_at ?? '?'}, ${r.status ?? `up ${up} s`}`;
      let why: Text | null = null;
      if (!Number.isNaN(started) && started > Date.parse(ctx.block.from) + 600_000 && started <= Date.parse(ctx.block.to)) {
        why = say('uptime.started_inside', { at: new Date(started).toISOString() });
      } else if (created !== null && restartedAfterCreate(created, up)) {
        why = say('uptime.created_ago', { created, up });
        // With the capture's own time the restart has a date: one after the block is no restart in it.
        const snap = snapshotOf(ctx.db, ctx.block, r.file_id);
        if (snap?.captured_at) {
          const at = Date.parse(snap.captured_at) - up * 1000;
          const label = captureText(snap, ctx.block);
          if (at > Date.parse(ctx.block.to)) {
            findings.push({
              subject: `restarted-after-block.${svc}`,
              severity: 'info',
              message: say('uptime.restarted_after_block', { label: label ?? '', service: svc, why, at: new Date(at).toISOString() }),
              evidence: [ctx.evidence(r.file_id, r.line_no, text)],
            });
            why = null;
          } else why = say('uptime.restarted_at', { label: label ?? '', why, at: new Date(at).toISOString() });
        }
      }
      if (why) {
        restarts++;
        const ev = ctx.evidence(r.file_id, r.line_no, text);
        findings.push({ subject: `restarted.${svc}`, severity: isPipeline(svc) ? 'medium' : 'low', message: say('uptime.restarted', { service: svc, why }), evidence: [ev] });
        hev.push(ev);
      }
    }
    let redisRestart = false;
    const ru = redisUp.length ? redisUp.reduce((a, b) => (Number(a.value) <= Number(b.value) ? a : b)) : null;
    const ruSnap = ru ? snapshotOf(ctx.db, ctx.block, ru.file_id) : undefined;
    const ruStart = ru && ruSnap?.captured_at ? Date.parse(ruSnap.captured_at) - Number(ru.value) * 1000 : null;
    if (ru && ruStart !== null && (ruStart > Date.parse(ctx.block.to) || ruStart < Date.parse(ctx.block.from) + 600_000)) {
      // INFO with its own clock: Redis started before the block (up all of it) or after it (a restart at collection).
      if (ruStart > Date.parse(ctx.block.to)) {
        findings.push({
          subject: 'redis-uptime',
          severity: 'info',
          message: say('uptime.redis_after_block', { label: captureText(ruSnap, ctx.block) ?? '', up: Number(ru.value), since: new Date(ruStart).toISOString() }),
          evidence: [ctx.evidence(ru.file_id, ru.line_no, `uptime_in_seconds:${ru.value}`)],
        });
      }
    } else if (ru && (ruStart !== null || Number(ru.value) < L * 0.98)) {
      redisRestart = true;
      const ev = ctx.evidence(ru.file_id, ru.line_no, `uptime_in_seconds:${ru.value}`);
      findings.push({
        subject: 'redis-uptime',
        severity: 'medium',
        message:
          ruStart !== null
            ? say('uptime.redis_restarted_since', { label: captureText(ruSnap, ctx.block) ?? '', up: Number(ru.value), since: new Date(ruStart).toISOString() })
            : say('uptime.redis_restarted', { up: Number(ru.value), block: L }),
        evidence: [ev],
      });
      hev.push(ev);
    }
    const hypotheses: Hypothesis[] = [];
    const score = Math.min(2, restarts) + (redisRestart ? 1 : 0);
    const lk = likelihoodFromScore(score);
    if (lk && score >= 1) {
      hypotheses.push({
        cause: 'system.restart_during_block',
        title: say('uptime.hyp.restarted'),
        likelihood: lk,
        evidence: hev,
      });
    }
    const uptimeAvg = ups.length ? pct(ups.reduce((a, b) => a + b, 0), ups.length) : null;
    return {
      status: findings.some((f) => f.severity !== 'low' && f.severity !== 'info') ? 'warn' : 'ok',
      metrics: {
        containers_with_uptime: ups.length,
        uptime_avg_pct: uptimeAvg,
        restarted_containers: restarts,
        redis_uptime_h: ru ? Math.round((Number(ru.value) / 3600) * 10) / 10 : null,
      },
      findings: findings.sort((a, b) => cmp(a.subject!, b.subject!)),
      hypotheses,
    };
  },
});
