import {
  defineRule,
  type Evidence,
  type Finding,
  type Hypothesis,
  type Likelihood,
  type RuleContext,
  type Status,
  type Todo,
  type VerificationCheck,
} from '../../define-rule.js';
import { reviewConnectionTodo, type Dependency } from '../shared/contradicted-todos.js';
import { EXECUTION, findLogs, groupCoverage, groupEdgeRecord, K, fieldOf, RISK, tallyLogs, type LogRow } from '../shared/logs.js';
import { channelCoverage, dumpedTable, ORDER_TABLES } from '../shared/sources.js';
import { text } from '../../../i18n/translate.js';
import { count, groupBy, intersect, pct, redisWindow, sampleEvidence, worst, type EvidenceRow, type Span } from '../shared/util.js';

/** Subscribers `orders` should have: execution, db_writer, paper runner (§4.1). */
const EXPECTED_ORDER_SUBSCRIBERS = 3;
/** The mock executor rejects about 5 % by design (§3.5). */
const MOCK_REJECT_RATE = 0.05;

interface ResultCounts {
  filled: number;
  rejected: number;
  rows: EvidenceRow[];
  reasons: Map<string, number>;
}

/** Execution results on Redis: B publishes each to three places, so take the busiest channel, not the sum. */
function redisResults(ctx: RuleContext): ResultCounts {
  const rw = redisWindow(ctx);
  const rows = ctx.db
    .prepare(
      `SELECT channel, file_id, line_no, payload, UPPER(COALESCE(status, '')) AS status, reason FROM redis_messages
       WHERE ${rw.sql} AND channel IN ('order_results', 'stream.fills', 'stream.order_results') ORDER BY COALESCE(ts, payload_ts), id`,
    )
    .all(...rw.params) as { channel: string; file_id: number; line_no: number; payload: string; status: string; reason: string | null }[];
  const byChannel = groupBy(rows, (r) => r.channel);
  const best = [...byChannel.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const reasons = new Map<string, number>();
  for (const r of best.filter((x) => x.status !== 'FILLED')) {
    const reason = r.reason ?? /"error_message":\s*"([^"]*)"/.exec(r.payload ?? '')?.[1] ?? r.status;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return {
    filled: best.filter((r) => r.status === 'FILLED').length,
    rejected: best.filter((r) => r.status === 'REJECTED' || r.status === 'ERROR').length,
    rows: best.map((r) => ({ file_id: r.file_id, line_no: r.line_no, text: r.payload })),
    reasons,
  };
}

function inSpan<T extends { ts: string | null }>(rows: T[], span: Span | null): T[] {
  if (!span) return rows;
  return rows.filter((r) => r.ts != null && r.ts >= span.from && r.ts <= span.to);
}

export default defineRule({
  id: 'execution-orders',
  layer: 'execution',
  title: 'Approved orders vs orders executed',
  needs: ['risk approvals (risk_decisions / cdb_risk logs)', 'cdb_execution logs, orders dump or order_results capture', 'PUBSUB NUMSUB'],
  keyMetrics: ['orders_published', 'rejection_rate_pct'],
  check(ctx) {
    const approvedRows = ctx.db
      .prepare("SELECT ts, file_id, line_no, source FROM risk_decisions WHERE in_block = 1 AND decision = 'approved' ORDER BY ts, id")
      .all() as (EvidenceRow & { ts: string | null; source: string | null })[];
    const approvedLog = findLogs(ctx, { group: RISK, classes: K.riskApproved });
    const approvals: (EvidenceRow & { ts: string | null })[] = approvedLog.length >= approvedRows.length ? approvedLog : approvedRows;
    const rw = redisWindow(ctx);
    const published = count(ctx, `SELECT COUNT(*) FROM redis_messages WHERE ${rw.sql} AND channel IN ('orders', 'stream.orders')`, ...rw.params);

    // One line per order: counted, with a few kept for evidence.
    const processing = tallyLogs(ctx, { group: EXECUTION, classes: K.execProcessing });
    const filledLog = tallyLogs(ctx, { group: EXECUTION, classes: K.execFilled });
    const rejectedLog = findLogs(ctx, { group: EXECUTION, classes: K.execRejected });
    const results = redisResults(ctx);
    // Only execution sets filled/rejected (db_writer rows stay pending), so the status alone tells an executed order,
    // also where the writer is unknown (runbook-style dumps).
    const execOrders = ctx.db
      .prepare("SELECT LOWER(COALESCE(status, '')) AS status, COUNT(*) AS n FROM orders WHERE in_block = 1 GROUP BY 1 ORDER BY 1")
      .all() as { status: string; n: number }[];
    const dbFilled = execOrders.find((r) => r.status === 'filled')?.n ?? 0;
    const dbRejected = execOrders.find((r) => r.status === 'rejected')?.n ?? 0;
    const trades = count(ctx, 'SELECT COUNT(*) FROM trades WHERE in_block = 1');

    const filled = Math.max(filledLog.count, results.filled, dbFilled, trades);
    const rejected = Math.max(rejectedLog.length, results.rejected, dbRejected);
    const executed = Math.max(processing.count, filled + rejected);

    const execCov = groupCoverage(ctx, EXECUTION);
    const ordersDump = dumpedTable(ctx, ORDER_TABLES);
    const resultCov = channelCoverage(ctx, ['order_results']);
    const numsub = ctx.db.prepare("SELECT key, value, file_id, line_no FROM redis_kv WHERE kind = 'numsub' AND key = 'orders' ORDER BY file_id, line_no").get() as
      | { key: string; value: string; file_id: number; line_no: number }
      | undefined;
    const numsubValue = numsub ? Number(numsub.value) : null;

    const metrics: Record<string, number | string | null> = {
      approved: approvals.length,
      orders_published: published,
      processing_order: processing.count,
      filled,
      rejected,
      executed,
      rejection_rate_pct: pct(rejected, filled + rejected),
      numsub_orders: numsubValue,
    };
    const verification: VerificationCheck[] = [
      { id: 'processing-orders', title: text('execution-orders.check.processing'), kind: 'log', check: 'Processing order', expect: { op: '>=', value: 1 } },
      {
        id: 'executed-orders',
        title: text('execution-orders.check.executed'),
        kind: 'sql',
        check: "SELECT COUNT(*) FROM orders WHERE status IN ('filled', 'rejected') AND in_block = 1",
        expect: { op: '>=', value: ctx.targets.trades },
      },
    ];

    if (approvals.length === 0 && executed === 0) {
      return { status: 'not_evaluable', missing: text('execution-orders.missing'), metrics, verification };
    }

    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    let status: Status = 'ok';

    // Only compare approvals with executions where the execution side was observable.
    const observed: Span | null = execCov ?? resultCov.hull ?? (ordersDump ? { from: ctx.block.from, to: ctx.block.to } : null);
    const approvalsSeen = observed ? inSpan(approvals, intersect(observed, { from: ctx.block.from, to: ctx.block.to })) : [];
    metrics.approved_while_execution_observed = approvalsSeen.length;

    const causes = stopCauses(ctx, numsub, numsubValue);
    if (approvals.length > 0 && executed === 0) {
      const covered = approvalsSeen.length > 0;
      status = covered ? 'fail' : numsubValue != null && numsubValue < EXPECTED_ORDER_SUBSCRIBERS ? 'warn' : 'not_evaluable';
      if (status === 'not_evaluable') {
        return {
          status,
          missing: text('execution-orders.missing.not_observable'),
          metrics,
          findings: [{ subject: 'not-executed', severity: 'medium', message: text('execution-orders.not_observable', { n: approvals.length }), evidence: sampleEvidence(ctx, approvals) }],
          verification,
        };
      }
      findings.push({
        subject: 'not-executed',
        severity: covered ? 'critical' : 'high',
        message: text('execution-orders.not_executed', {
          n: approvals.length,
          published,
          covered: covered ? text('execution-orders.not_executed.covered', { n: approvalsSeen.length }) : '',
        }),
        evidence: [...sampleEvidence(ctx, approvals), ...(execCov ? aliveLine(ctx) : [])],
      });
      for (const c of causes) {
        hypotheses.push(c.hypothesis);
        todos.push(c.todo);
      }
      if (!causes.length) {
        hypotheses.push({
          cause: 'execution.not_receiving',
          title: text('execution-orders.hyp.not_receiving'),
          likelihood: 'possible',
          evidence: sampleEvidence(ctx, approvals),
          why: text('execution-orders.hyp.not_receiving.why'),
        });
        todos.push({
          category: 'MONITORING',
          title: text('execution-orders.todo.capture_numsub'),
          priority: 'high',
          effort: 'quick_win',
          where: 'cdb_redis PUBSUB NUMSUB orders / cdb_execution logs',
          cause: 'execution.not_receiving',
        });
      }
    } else if (approvalsSeen.length >= 10 && executed < approvalsSeen.length * 0.5) {
      status = 'warn';
      findings.push({
        subject: 'partially-executed',
        severity: 'high',
        message: text('execution-orders.partially_executed', { executed, seen: approvalsSeen.length }),
        evidence: sampleEvidence(ctx, approvalsSeen),
      });
      for (const c of causes) {
        hypotheses.push({ ...c.hypothesis, likelihood: weaker(c.hypothesis.likelihood) });
        todos.push(c.todo);
      }
    } else {
      findings.push({
        subject: 'executed',
        severity: 'info',
        message: text('execution-orders.executed', { approved: approvals.length, processing: processing.count, filled, rejected }),
        evidence: sampleEvidence(ctx, processing.count ? processing.sample : filledLog.sample, 1, 1),
      });
    }

    // Rejections beyond the mock executor's ~5 %.
    const n = filled + rejected;
    const rate = n ? rejected / n : 0;
    if (n >= 10 && rate > 0.15) {
      const reasons = rejectionReasons(rejectedLog, results);
      const [topReason, topCount] = [...reasons.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ['', 0];
      // The reason is quoted as the executor wrote it; only "none written" is the tool's own word.
      const reasonSaid = topReason === '' ? text('execution-orders.reason_unknown') : topReason;
      const stops = rate >= 0.9;
      status = worst(status, stops ? 'fail' : n >= 20 ? 'warn' : 'ok');
      const ev = sampleEvidence(ctx, rejectedLog.length ? rejectedLog : results.rows);
      findings.push({
        subject: 'rejection-rate',
        severity: stops ? 'critical' : 'medium',
        message: text('execution-orders.rejection_rate', { rejected, n, rate: rate * 100, mock: MOCK_REJECT_RATE * 100, reason: reasonSaid, count: topCount }),
        evidence: ev,
      });
      const shutdown = /bot shutdown/i.test(topReason);
      hypotheses.push({
        cause: shutdown ? 'execution.bot_shutdown' : 'execution.rejections_above_mock_rate',
        title: shutdown ? text('execution-orders.hyp.bot_shutdown') : text('execution-orders.hyp.rejections_above_mock'),
        likelihood: shutdown ? (stops ? 'very_likely' : 'likely') : 'possible',
        evidence: ev,
        why: text('execution-orders.hyp.top_reason', { reason: reasonSaid }),
      });
      verification.push({
        id: 'rejection-rate',
        title: text('execution-orders.check.rejection_rate'),
        kind: 'sql',
        check: "SELECT 100.0 * SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) / COUNT(*) FROM orders WHERE status IN ('filled', 'rejected') AND in_block = 1",
        expect: { op: '<=', value: 10 },
      });
    }
    return { status, metrics, findings, hypotheses, todos, verification };
  },
});

function weaker(l: Likelihood): Likelihood {
  return l === 'very_likely' ? 'likely' : 'possible';
}

/**
 * The to-do for a failed initialisation: its connection settings, unless the service connected to
 * that dependency in the block (then host and credentials are right: reworded, shared helper).
 */
function initTodo(ctx: RuleContext, init: LogRow[]): Todo {
  const todo: Todo = {
    category: 'CONFIG',
    title: text('execution-orders.todo.connection_settings'),
    priority: 'high',
    effort: 'quick_win',
    where: 'cdb_execution environment (REDIS_HOST, POSTGRES_HOST, credentials)',
    cause: 'execution.init_failure',
  };
  const deps = new Set(init.map((r) => (/PostgreSQL|postgres|5432|psycopg/i.test(r.message) ? 'postgres' : /Redis|6379/i.test(r.message) ? 'redis' : 'unknown')));
  if (deps.size !== 1 || deps.has('unknown')) return todo;
  const dependency = [...deps][0] as Dependency;
  return reviewConnectionTodo(ctx, todo, { dependency, services: [...new Set(init.map((r) => r.service ?? 'cdb_execution'))], failing: init, asserts: 'connection' });
}

function rejectionReasons(rejectedLog: LogRow[], results: ResultCounts): Map<string, number> {
  if (!rejectedLog.length) return results.reasons;
  const m = new Map<string, number>();
  for (const r of rejectedLog) {
    const reason = (fieldOf(r, 'reason') ?? '').split('\n')[0].trim();
    m.set(reason, (m.get(reason) ?? 0) + 1);
  }
  return m;
}

function aliveLine(ctx: RuleContext): Evidence[] {
  const r = groupEdgeRecord(ctx, EXECUTION, 'DESC');
  return r ? [ctx.evidence(r.file_id, r.line_no)] : [];
}

/** The §9 reasons approved orders go unexecuted, each only where the bundle shows it. */
function stopCauses(
  ctx: RuleContext,
  numsub: { file_id: number; line_no: number; value: string } | undefined,
  numsubValue: number | null,
): { hypothesis: Hypothesis; todo: Todo }[] {
  const out: { hypothesis: Hypothesis; todo: Todo }[] = [];
  const upToEnd = { from: '1970-01-01T00:00:00.000Z', to: ctx.block.to };
  const startups = findLogs(ctx, { group: EXECUTION, span: upToEnd, classes: K.execStartup });
  const subscribed = findLogs(ctx, { group: EXECUTION, span: upToEnd, classes: K.execSubscribed });
  if (numsubValue != null && numsubValue < EXPECTED_ORDER_SUBSCRIBERS) {
    const ev = [ctx.evidence(numsub!.file_id, numsub!.line_no, `PUBSUB NUMSUB orders = ${numsubValue}`)];
    out.push({
      hypothesis: {
        cause: 'execution.not_subscribed',
        title: text('execution-orders.hyp.not_subscribed'),
        likelihood: numsubValue <= 1 ? 'very_likely' : 'likely',
        evidence: ev,
        why: text('execution-orders.hyp.not_subscribed.numsub', { n: numsubValue, expected: EXPECTED_ORDER_SUBSCRIBERS }),
      },
      todo: {
        category: 'CODE',
        title: text('execution-orders.todo.restart_subscribe'),
        priority: 'high',
        effort: 'quick_win',
        where: 'cdb_execution (subscription to orders)',
        cause: 'execution.not_subscribed',
      },
    });
  } else if (startups.length && !subscribed.length) {
    out.push({
      hypothesis: {
        cause: 'execution.not_subscribed',
        title: text('execution-orders.hyp.not_subscribed'),
        likelihood: 'possible',
        evidence: sampleEvidence(ctx, startups, 1, 0),
        why: text('execution-orders.hyp.not_subscribed.no_line'),
      },
      todo: {
        category: 'CODE',
        title: text('execution-orders.todo.restart_subscribe'),
        priority: 'high',
        effort: 'quick_win',
        where: 'cdb_execution (subscription to orders)',
        cause: 'execution.not_subscribed',
      },
    });
  }
  const init = findLogs(ctx, { group: EXECUTION, span: upToEnd, classes: K.execInitFailure });
  if (init.length) {
    const loopAfter = findLogs(ctx, { group: EXECUTION, span: { from: init[init.length - 1].ts ?? upToEnd.from, to: ctx.block.to }, classes: K.execLoopStarted });
    out.push({
      hypothesis: {
        cause: 'execution.init_failure',
        title: text('execution-orders.hyp.init_failure'),
        likelihood: loopAfter.length ? 'possible' : 'very_likely',
        evidence: sampleEvidence(ctx, init),
        why: (init[0].message.split('\n')[0] ?? '').slice(0, 200),
      },
      todo: initTodo(ctx, init),
    });
  }
  const shutdown = findLogs(ctx, { group: EXECUTION, classes: K.execBotShutdown });
  if (shutdown.length) {
    out.push({
      hypothesis: { cause: 'execution.bot_shutdown', title: text('execution-orders.hyp.bot_shutdown'), likelihood: 'likely', evidence: sampleEvidence(ctx, shutdown) },
      todo: {
        category: 'RISK',
        title: text('execution-orders.todo.clear_shutdown'),
        priority: 'high',
        effort: 'quick_win',
        where: 'stream.bot_shutdown (STREAM_BOT_SHUTDOWN, cdb_execution)',
        cause: 'execution.bot_shutdown',
      },
    });
  }
  const publishErr = findLogs(ctx, { group: RISK, classes: K.orderPublishError });
  if (publishErr.length) {
    out.push({
      hypothesis: { cause: 'risk.order_publish_failed', title: text('execution-orders.hyp.publish_failed'), likelihood: 'likely', evidence: sampleEvidence(ctx, publishErr) },
      todo: { category: 'CODE', title: text('execution-orders.todo.fix_publishing'), priority: 'high', effort: 'larger', where: 'cdb_risk service.py, order publishing', cause: 'risk.order_publish_failed' },
    });
  }
  return out;
}
