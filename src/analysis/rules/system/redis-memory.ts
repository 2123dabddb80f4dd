import { classes } from '../../../catalog/index.js';
import { defineRule, type RuleContext, type RuleResult, type Evidence, type Finding, type Hypothesis, type Todo } from '../../define-rule.js';
import { composeFile, covers, eachLog, likelihoodFromScore, pct, settings, type LogRow } from '../../rule-kit.js';
import { RowDigest } from '../shared/row-digest.js';
import { captureText, snapshotOf } from '../../snapshots.js';
import { text, type Said, type Text } from '../../../i18n/translate.js';

interface InfoRow {
  file_id: number;
  line_no: number;
  key: string;
  value: string;
}

/** Used memory this close to maxmemory means allkeys-lru is about to evict (silently). */
const NEAR_FULL = 0.9;

/** The records of these classes, digested as read (what findLogs would list). */
function digest(ctx: RuleContext, cls: readonly string[]): RowDigest<LogRow> {
  const d = new RowDigest<LogRow>();
  eachLog(ctx, { classes: cls }, (r) => d.add(r));
  return d;
}

export default defineRule({
  id: 'redis-memory',
  layer: 'system',
  title: 'Redis memory pressure and evictions',
  needs: ['redis-cli INFO memory / stats (redis_info)', 'cdb_redis logs'],
  keyMetrics: ['used_pct', 'evicted_keys', 'maxmemory_log_lines'],
  check(ctx): RuleResult {
    const info = ctx.db
      .prepare(
        `SELECT file_id, line_no, key, value FROM redis_info
         WHERE key IN ('used_memory', 'maxmemory', 'evicted_keys', 'maxmemory_policy') ORDER BY file_id, line_no`,
      )
      .all() as InfoRow[];
    const max = (k: string): InfoRow | null => {
      let best: InfoRow | null = null;
      for (const r of info) if (r.key === k && (!best || Number(r.value) > Number(best.value))) best = r;
      return best;
    };
    const used = max('used_memory');
    const maxmem = info.find((r) => r.key === 'maxmemory') ?? null;
    const evicted = max('evicted_keys');
    const policy = info.find((r) => r.key === 'maxmemory_policy')?.value ?? null;
    // The runbook's "maxmemory reached" never comes from a real Redis (formats doc §2.5, §3.6).
    const runbookLines = digest(ctx, classes('redis.maxmemory_runbook'));
    // With maxmemory-policy noeviction, writers get OOM errors instead: one per write, so digested.
    const oom = digest(ctx, classes('redis.oom'));
    const maxmemSetting = settings(ctx, 'REDIS_MAXMEMORY');

    if (info.length === 0 && runbookLines.n === 0 && oom.n === 0 && !covers(ctx, 'cdb_redis')) {
      return { status: 'not_evaluable', missing: text('redis-memory.missing') };
    }
    const findings: Finding[] = [];
    const ev = (r: InfoRow): Evidence => ctx.evidence(r.file_id, r.line_no, `${r.key}:${r.value}`);
    // INFO is the state at its own capture time (at collection, after the block, it is not the block's).
    const at = (r: { file_id: number }, m: Text): Text => {
      const label = captureText(snapshotOf(ctx.db, ctx.block, r.file_id), ctx.block);
      return label ? text('redis-memory.captured', { at: label, said: m }) : m;
    };
    const policyOf: Said = policy ?? text('redis-memory.policy_unknown');
    const usedN = used ? Number(used.value) : null;
    const maxN = maxmem ? Number(maxmem.value) : null;
    const ratio = usedN !== null && maxN ? usedN / maxN : null;
    const evictedN = evicted ? Number(evicted.value) : null;
    let score = 0;
    const hev: Evidence[] = [];
    if (ratio !== null && ratio >= NEAR_FULL) {
      score += 1;
      findings.push({ subject: 'used-memory', severity: 'medium', message: at(used!, text('redis-memory.used', { pct: pct(usedN!, maxN!), used: usedN!, max: maxN!, policy: policyOf })), evidence: [ev(used!), ev(maxmem!)] });
      hev.push(ev(used!), ev(maxmem!));
    }
    // Streams exist from era B on; there allkeys-lru may evict stream keys as well.
    const streamsGone = ctx.db
      .prepare("SELECT file_id, line_no, key, value FROM redis_kv WHERE kind = 'xlen' AND key LIKE 'stream.%' AND TRIM(value) = '0' ORDER BY key, file_id, line_no")
      .all() as { file_id: number; line_no: number; key: string; value: string }[];
    const streamEviction = evictedN !== null && evictedN > 0 && streamsGone.length > 0;
    if (evictedN !== null && evictedN > 0) {
      score += 2;
      findings.push({
        subject: 'evictions',
        severity: streamEviction ? 'high' : 'medium',
        message: at(
          evicted!,
          text('redis-memory.evicted', {
            n: evictedN,
            policy: policyOf,
            streams: streamEviction ? text('redis-memory.streams_empty', { streams: streamsGone.map((s) => s.key) }) : '',
          }),
        ),
        evidence: [ev(evicted!), ...streamsGone.slice(0, 2).map((s) => ctx.evidence(s.file_id, s.line_no, `XLEN ${s.key} = ${s.value}`))],
      });
      hev.push(ev(evicted!));
      if (streamEviction) score += 1;
    }
    if (oom.n) {
      score += 2;
      findings.push({ subject: 'oom-errors', severity: 'high', message: text('redis-memory.oom', { n: oom.n }), evidence: oom.spread(ctx) });
      hev.push(...oom.spread(ctx, 2));
    }
    if (runbookLines.n) {
      score += 1;
      findings.push({
        subject: 'maxmemory-lines',
        severity: 'low',
        message: text('redis-memory.runbook_lines', { n: runbookLines.n }),
        evidence: runbookLines.spread(ctx),
      });
      hev.push(...runbookLines.spread(ctx, 2));
    }
    if (maxmemSetting.length) {
      const s = maxmemSetting[0];
      findings.push({
        subject: 'redis-maxmemory-setting',
        severity: 'info',
        message: text('redis-memory.unread_setting', { value: s.value ?? '' }),
        evidence: [ctx.evidence(s.file_id, s.line_no, `${s.key}=${s.value ?? ''}`)],
      });
    }
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const lk = likelihoodFromScore(score);
    if (lk) {
      hypotheses.push({
        cause: 'system.redis_memory',
        title: streamEviction ? text('redis-memory.hyp.stream_eviction') : text('redis-memory.hyp.pressure'),
        likelihood: lk,
        evidence: hev,
        why: score <= 1 ? text('redis-memory.hyp.why_warnings') : text('redis-memory.hyp.why_info'),
      });
      todos.push({
        category: 'CONFIG',
        title: text('redis-memory.todo.raise'),
        priority: streamEviction || oom.n ? 'high' : 'low',
        effort: 'quick_win',
        where: `${composeFile(ctx.block.era)} cdb_redis command (--maxmemory 256mb --maxmemory-policy allkeys-lru)`,
        cause: 'system.redis_memory',
      });
    }
    const fail = streamEviction;
    return {
      status: fail ? 'fail' : findings.some((f) => f.severity !== 'info') ? 'warn' : 'ok',
      metrics: {
        used_memory: usedN,
        maxmemory: maxN,
        used_pct: ratio === null ? null : Math.round(ratio * 1000) / 10,
        evicted_keys: evictedN,
        maxmemory_policy: policy,
        maxmemory_log_lines: runbookLines.n,
      },
      findings,
      hypotheses,
      todos,
      verification: [
        {
          id: 'system.redis_evictions',
          title: text('redis-memory.check.evictions'),
          kind: 'sql',
          check: "SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) FROM redis_info WHERE key = 'evicted_keys'",
          expect: { op: '==', value: 0 },
        },
      ],
    };
  },
});

