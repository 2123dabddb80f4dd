import { defineRule, type Evidence, type Finding, type RuleResult } from '../../define-rule.js';
import { blockMs, cmp, codePath, count, likelihoodFromScore } from '../../rule-kit.js';
import { text } from '../../../i18n/translate.js';
import { classesPassing, classIn, fileTsSpan, rollupCovers } from '../../../db/log-rollup.js';
import { fileGaps } from '../shared/market-gaps.js';
import { blockSpansSql } from '../../../model/market-minutes.js';

/** Market data arrives every minute (A, per symbol) or every 100 ms (B): 10 quiet minutes is a silence. */
export const SILENCE_MIN = 10;
const GAP_MS = SILENCE_MIN * 60_000;

export interface Gap {
  from: string;
  to: string;
  ms: number;
  fileId: number;
}

/** Silences are looked for only inside one source's span: between events, and from the source's
 *  first/last record to its first/last event. Outside the span the source did not look. */
interface Source {
  file_id: number;
  path: string;
  /** Time the source demonstrably listened: its first and last record of any kind. */
  f: string;
  t: string;
}

export default defineRule({
  id: 'market-data-silence',
  layer: 'market_data',
  title: `Silences of ${SILENCE_MIN}+ minutes in market data while the source kept listening`,
  needs: ['a timed market_data source: MONITOR capture, events JSONL, or cdb_ws DEBUG publish lines'],
  keyMetrics: ['longest_silence_min', 'silences'],
  check(ctx): RuleResult {
    const L = blockMs(ctx);
    // The log side of a source's span comes from the hourly rollup (fileTsSpan) rather than from
    // every record of its file; a database without the rollup is read as before.
    const viaRollup = rollupCovers(ctx.db);
    const logSide = viaRollup
      ? 'NULL AS lf, NULL AS lt'
      : `(SELECT MIN(l.ts) FROM log_events l WHERE l.file_id = m.file_id AND l.in_block = 1) AS lf,
         (SELECT MAX(l.ts) FROM log_events l WHERE l.file_id = m.file_id AND l.in_block = 1) AS lt`;
    // Each file's first and last tick in the block: from the model's per-minute rollup, not every tick.
    const spans = ctx.db.prepare(`SELECT file_id, f, t FROM ${blockSpansSql(ctx.db)} ORDER BY file_id`).all() as { file_id: number; f: string; t: string }[];
    const edgeOf = new Map(spans.map((e) => [e.file_id, e]));
    const sources = (
      ctx.db
        .prepare(
          `SELECT m.file_id AS file_id, COALESCE(f.path, '(file ' || m.file_id || ')') AS path,
                  MIN(m.f, COALESCE((SELECT MIN(r.ts) FROM redis_messages r WHERE r.file_id = m.file_id AND r.in_block = 1), m.f)) AS f,
                  MAX(m.t, COALESCE((SELECT MAX(r.ts) FROM redis_messages r WHERE r.file_id = m.file_id AND r.in_block = 1), m.t)) AS t,
                  ${logSide}
           FROM ${blockSpansSql(ctx.db)} m LEFT JOIN manifest f ON f.id = m.file_id
           ORDER BY path, m.file_id`,
        )
        .all() as (Source & { lf: string | null; lt: string | null })[]
    ).map(({ lf, lt, ...s }): Source => {
      // in_block = 1 is a time inside the block (the model build marks exactly that).
      const l = viaRollup ? fileTsSpan(ctx.db, s.file_id, ctx.block.from, ctx.block.to) : { f: lf, t: lt };
      return { ...s, f: l.f !== null && l.f < s.f ? l.f : s.f, t: l.t !== null && l.t > s.t ? l.t : s.t };
    });
    if (sources.length === 0) {
      return { status: 'not_evaluable', missing: text('market-data-silence.missing.untimed') };
    }
    const coveredMs = sources.reduce((a, s) => a + Math.max(0, Date.parse(s.t) - Date.parse(s.f)), 0);
    if (coveredMs < GAP_MS) {
      return {
        status: 'not_evaluable',
        missing: text('market-data-silence.missing.short', { covered: coveredMs / 1000, min: SILENCE_MIN }),
        metrics: { covered_minutes: Math.round(coveredMs / 60_000) },
      };
    }
    // Inner gaps come from SQL by minute (a B feed ticks every 100 ms: millions of rows); the edges
    // to the source's own span are added from the first and last event.
    const findings: Finding[] = [];
    let total = 0;
    let longest = 0;
    let healthyDuring = false;
    const hev: Evidence[] = [];
    // The classes of the feed's health polls (the rollup's): the polls are read through the (class, ts) index.
    const pollClasses = ((c) => (c === null ? { sql: '', params: [] as string[] } : classIn(c)))(classesPassing(ctx.db, "service IN ('cdb_ws', 'cdb_market') AND kind = 'health_poll'"));
    for (const s of sources) {
      const e = edgeOf.get(s.file_id)!;
      const inner = fileGaps(ctx.db, s.file_id, GAP_MS - 0.5);
      const gap = (from: string, to: string): Gap => ({ from, to, ms: Date.parse(to) - Date.parse(from), fileId: s.file_id });
      const gaps = [gap(s.f, e.f), ...inner.map((g) => gap(g.prev, g.ts)), gap(e.t, s.t)].filter((g) => g.ms >= GAP_MS);
      if (!gaps.length) continue;
      const sum = gaps.reduce((a, g) => a + g.ms, 0);
      total += sum;
      const big = gaps.reduce((a, g) => (g.ms > a.ms ? g : a));
      longest = Math.max(longest, big.ms);
      // Health polls prove the feed container answered during the silence; they are never activity.
      const polls = count(
        ctx,
        `SELECT COUNT(*) FROM log_events WHERE service IN ('cdb_ws', 'cdb_market') AND kind = 'health_poll' AND ts > ? AND ts < ?${pollClasses.sql}`,
        big.from,
        big.to,
        ...pollClasses.params,
      );
      if (polls > 0) healthyDuring = true;
      const before = ctx.db
        .prepare('SELECT file_id, line_no FROM market_data WHERE file_id = ? AND in_block = 1 AND ts <= ? ORDER BY ts DESC, line_no DESC LIMIT 1')
        .get(s.file_id, big.from) as { file_id: number; line_no: number } | undefined;
      const after = ctx.db
        .prepare('SELECT file_id, line_no FROM market_data WHERE file_id = ? AND in_block = 1 AND ts >= ? ORDER BY ts, line_no LIMIT 1')
        .get(s.file_id, big.to) as { file_id: number; line_no: number } | undefined;
      const ev: Evidence[] = [];
      ev.push(
        before
          ? ctx.evidence(before.file_id, before.line_no, text('market-data-silence.evidence.last_before', { at: big.from }))
          : ctx.evidence(s.file_id, 0, text('market-data-silence.evidence.starts_listening', { at: big.from })),
      );
      ev.push(
        after
          ? ctx.evidence(after.file_id, after.line_no, text('market-data-silence.evidence.first_after', { at: big.to }))
          : ctx.evidence(s.file_id, 0, text('market-data-silence.evidence.still_listening', { at: big.to })),
      );
      hev.push(...ev);
      findings.push({
        subject: `source:${s.path}`,
        severity: big.ms >= 3_600_000 ? 'high' : 'medium',
        message: text('market-data-silence.silences', {
          n: gaps.length,
          min: SILENCE_MIN,
          path: s.path,
          total: sum / 1000,
          longest: big.ms / 1000,
          from: big.from,
          to: big.to,
          polls: polls > 0 ? text('market-data-silence.silences.polls', { n: polls }) : '',
        }),
        evidence: ev,
      });
    }
    findings.sort((a, b) => cmp(a.subject!, b.subject!));
    const metrics = { covered_minutes: Math.round(coveredMs / 60_000), silent_minutes: Math.round(total / 60_000), longest_silence_min: Math.round(longest / 60_000), silences: findings.length };
    if (!findings.length) return { status: 'ok', metrics };
    const collapse = total >= L * 0.5;
    const score = 1 + (longest >= 3_600_000 ? 1 : 0) + (healthyDuring ? 1 : 0) + (collapse ? 1 : 0);
    return {
      status: collapse ? 'fail' : 'warn',
      metrics,
      findings,
      hypotheses: [
        {
          cause: 'market_data.feed_silent',
          title: text('market-data-silence.hyp.feed_silent'),
          likelihood: likelihoodFromScore(score)!,
          evidence: hev,
        },
      ],
      todos: [
        {
          category: 'MONITORING',
          title: text('market-data-silence.todo.alert', { min: SILENCE_MIN }),
          priority: collapse ? 'high' : 'medium',
          effort: 'larger',
          where: `${codePath(ctx.block.era, 'cdb_ws')} (/health) or a Prometheus rule on published events`,
          cause: 'market_data.feed_silent',
        },
      ],
      verification: [
        {
          id: 'market_data.max_silence',
          title: text('market-data-silence.check.max_silence', { min: SILENCE_MIN }),
          kind: 'sql',
          check:
            'SELECT COALESCE(MAX((julianday(ts) - julianday(prev)) * 1440), 0) FROM (SELECT ts, LAG(ts) OVER (ORDER BY ts) AS prev FROM market_data WHERE in_block = 1 AND ts IS NOT NULL)',
          expect: { op: '<', value: SILENCE_MIN },
        },
      ],
    };
  },
});
