import { defineRule, type Finding, type Hypothesis, type RuleContext, type Said, type Status, type Todo } from '../../define-rule.js';
import { classifyDbError, DB_ERROR_CAUSE } from '../shared/db-errors.js';
import { DB_WRITER, EXECUTION, fieldMemo, findLogs, groupCoverage, K, scanLogs, SIGNAL, type LogRow } from '../shared/logs.js';
import { RowDigest } from '../shared/row-digest.js';
import { dumpedTable, SIGNAL_TABLES, TRADE_TABLES } from '../shared/sources.js';
import { blockSpan, groupBy, intersect, iso, ms, redisWindow, sampleEvidence, type EvidenceRow, type Span } from '../shared/util.js';
import { text } from '../../../i18n/translate.js';

/** DB times come from the payload timestamp (epoch seconds), a little off the capture clock. */
const EDGE_MS = 5_000;

interface Side {
  source: Said;
  span: Span;
  count: number;
  rows: EvidenceRow[];
}

interface Gap {
  entity: 'signals' | 'trades';
  side: Side;
  db: number;
  missing: number;
}

/** Redis messages of one kind per capture file, each file with the span it covered. */
function redisSides(ctx: RuleContext, channels: string[], filter = '1'): Side[] {
  const ph = channels.map(() => '?').join(',');
  const rw = redisWindow(ctx);
  const rows = ctx.db
    .prepare(
      `SELECT file_id, line_no, channel, COALESCE(ts, payload_ts) AS ts, payload FROM redis_messages
       WHERE ${rw.sql} AND COALESCE(ts, payload_ts) IS NOT NULL AND channel IN (${ph}) AND ${filter} ORDER BY file_id, channel, 4, id`,
    )
    .all(...rw.params, ...channels) as { file_id: number; line_no: number; channel: string; ts: string; payload: string }[];
  const groups = groupBy(rows, (r) => `${r.file_id}|${r.channel}`);
  // One capture of the same event on two channels (B: signals + stream.signals) counts once: keep the busier channel per file.
  const perFile = new Map<number, typeof rows>();
  for (const [k, rs] of groups) {
    const f = Number(k.split('|')[0]);
    if ((perFile.get(f)?.length ?? 0) < rs.length) perFile.set(f, rs);
  }
  return [...perFile.values()].map((rs) => {
    const span: Span = { from: rs[0].ts, to: rs[rs.length - 1].ts };
    return { source: text('persistence-gaps.source.redis', { channel: rs[0].channel }), span, count: rs.length, rows: rs.map((r) => ({ file_id: r.file_id, line_no: r.line_no, text: r.payload })) };
  });
}

function logSide(rows: LogRow[], coverage: Span | null, source: Said): Side[] {
  if (!rows.length || !coverage) return [];
  return [{ source, span: coverage, count: rows.length, rows }];
}

/** Reasons in a row, `first; rest`, each still keyed. */
function joined(parts: Said[]): Said {
  return parts.reduceRight<Said | null>((rest, first) => (rest === null ? first : text('persistence-gaps.join', { first, rest })), null) ?? '';
}

function dbCount(ctx: RuleContext, table: 'signals' | 'trades', span: Span): number {
  const from = iso(ms(span.from) - EDGE_MS);
  const to = iso(ms(span.to) + EDGE_MS);
  return (ctx.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE source = 'db' AND ts >= ? AND ts <= ?`).get(from, to) as { n: number }).n;
}

export default defineRule({
  id: 'persistence-gaps',
  layer: 'reporting',
  title: 'Signals and trades seen in Redis or logs but missing from the DB (same time span)',
  needs: ['DB dump of signals / trades', 'Redis captures or logs covering the same time'],
  keyMetrics: ['signals_missing_from_db', 'trades_missing_from_db'],
  check(ctx) {
    const block = blockSpan(ctx);
    const comparisons: Gap[] = [];
    const signalDump = dumpedTable(ctx, SIGNAL_TABLES);
    const tradeDump = dumpedTable(ctx, TRADE_TABLES);

    if (signalDump) {
      const sides = [
        ...redisSides(ctx, ['signals', 'stream.signals', 'trading_signals']),
        ...logSide(findLogs(ctx, { group: SIGNAL, classes: K.signalGenerated }), intersect(groupCoverage(ctx, SIGNAL), block), text('persistence-gaps.source.signal_log')),
      ];
      for (const side of sides) {
        const db = dbCount(ctx, 'signals', side.span);
        comparisons.push({ entity: 'signals', side, db, missing: Math.max(0, side.count - db) });
      }
    }
    if (tradeDump) {
      const sides = [
        ...redisSides(ctx, ['order_results', 'stream.fills'], "UPPER(COALESCE(status, '')) = 'FILLED'"),
        ...logSide(findLogs(ctx, { group: EXECUTION, classes: K.execFilled }), intersect(groupCoverage(ctx, EXECUTION), block), text('persistence-gaps.source.execution_log')),
      ];
      for (const side of sides) {
        const db = dbCount(ctx, 'trades', side.span);
        comparisons.push({ entity: 'trades', side, db, missing: Math.max(0, side.count - db) });
      }
    }
    if (!comparisons.length) {
      return {
        status: 'not_evaluable',
        missing: !signalDump && !tradeDump ? text('persistence-gaps.missing.no_dump') : text('persistence-gaps.missing.no_side'),
      };
    }

    const metrics: Record<string, number | string | null> = {};
    for (const e of ['signals', 'trades'] as const) {
      const cs = comparisons.filter((c) => c.entity === e);
      if (!cs.length) continue;
      metrics[`${e}_seen`] = cs.reduce((s, c) => s + c.side.count, 0);
      metrics[`${e}_in_db_same_span`] = cs.reduce((s, c) => s + c.db, 0);
      metrics[`${e}_missing_from_db`] = cs.reduce((s, c) => s + c.missing, 0);
    }
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    let status: Status = 'ok';
    for (const e of ['signals', 'trades'] as const) {
      const gaps = comparisons.filter((c) => c.entity === e && c.missing > Math.max(2, c.side.count * 0.05));
      const cs = comparisons.filter((c) => c.entity === e);
      if (!cs.length) continue;
      const entity = text(e === 'signals' ? 'persistence-gaps.entity.signals' : 'persistence-gaps.entity.trades');
      if (!gaps.length) {
        findings.push({
          subject: e,
          severity: 'info',
          message: text('persistence-gaps.same', { entity, sides: joined(cs.map((c) => text('persistence-gaps.same_side', { n: c.side.count, source: c.side.source, db: c.db }))) }),
          evidence: [],
        });
        continue;
      }
      status = 'warn';
      const worstGap = gaps.sort((a, b) => b.missing - a.missing)[0];
      findings.push({
        subject: e,
        severity: worstGap.db === 0 ? 'high' : 'medium',
        message: text('persistence-gaps.gaps', {
          gaps: joined(gaps.map((g) => text('persistence-gaps.gap', { n: g.side.count, entity, source: g.side.source, from: g.side.span.from, to: g.side.span.to, db: g.db }))),
        }),
        evidence: sampleEvidence(ctx, worstGap.side.rows),
      });
      // Why: the writers' own failure lines, if the bundle has them.
      const what = e === 'signals' ? 'signal' : 'trade';
      // A writer failing on every insert logs a line per message: digested, not held.
      const failures = new RowDigest<LogRow>();
      const whatOf = fieldMemo('what');
      scanLogs(ctx, { group: [DB_WRITER, EXECUTION], classes: K.persistFailure }, (r) => {
        if ((whatOf(r) ?? (r.class === 'audit.risk_event_persist_failed' ? 'risk_event' : '')).toLowerCase() === what) failures.add(r);
      });
      if (failures.n) {
        const first = failures.first!;
        const cls = classifyDbError(first.message);
        hypotheses.push({
          cause: DB_ERROR_CAUSE[cls],
          title: text('persistence-gaps.h.insert_fails', { entity, cls }),
          likelihood: failures.n >= 10 ? 'very_likely' : 'likely',
          evidence: sampleEvidence(ctx, failures.view()),
          why: first.message.split('\n')[0].slice(0, 200),
        });
      } else {
        const numsub = ctx.db
          .prepare("SELECT value, file_id, line_no FROM redis_kv WHERE kind = 'numsub' AND key = ? ORDER BY file_id, line_no")
          .get(e === 'signals' ? 'signals' : 'order_results') as { value: string; file_id: number; line_no: number } | undefined;
        const short = numsub != null && Number(numsub.value) < 3;
        hypotheses.push({
          cause: short ? 'execution.db_writer_not_subscribed' : 'reporting.persistence_gap',
          title: short ? text('persistence-gaps.h.not_subscribed', { channel: e === 'signals' ? 'signals' : 'order_results' }) : text('persistence-gaps.h.gap', { entity }),
          likelihood: short ? 'likely' : 'possible',
          evidence: [
            ...sampleEvidence(ctx, worstGap.side.rows, 1, 0),
            ...(numsub ? [ctx.evidence(numsub.file_id, numsub.line_no, `PUBSUB NUMSUB ${e === 'signals' ? 'signals' : 'order_results'} = ${numsub.value}`)] : []),
          ],
          why: short ? text('persistence-gaps.why.not_subscribed') : text('persistence-gaps.why.gap'),
        });
      }
      todos.push({
        category: 'MONITORING',
        title: text('persistence-gaps.todo.compare', { entity }),
        priority: 'medium',
        effort: 'larger',
        where: 'cdb_db_writer / monitoring',
      });
    }
    return { status, metrics, findings, hypotheses, todos };
  },
});
