import { defineRule, type Finding, type Hypothesis, type Likelihood, type RuleContext, type Status, type Todo, type VerificationCheck } from '../../define-rule.js';
import { countLogs, DB_WRITER, EXECUTION, fieldMemo, findLogs, groupCoverage, K, scanLogs, type LogRow, type ServiceGroup } from '../shared/logs.js';
import { RowDigest } from '../shared/row-digest.js';
import { memoByText } from '../shared/text-memo.js';
import { classifyDbError, DB_ERROR_CAUSE as CAUSE, type FailureClass } from '../shared/db-errors.js';
import { dumpedTable, TRADE_TABLES } from '../shared/sources.js';
import { count, redisWindow, sampleEvidence, worst, type EvidenceRow } from '../shared/util.js';
import { text, type AnyText } from '../../../i18n/translate.js';

const POSTGRES: ServiceGroup = { name: 'cdb_postgres', services: ['cdb_postgres'], loggers: [] };

export { classifyDbError };

function schemaWhere(era: string | null): string {
  return era === 'A' || era == null
    ? 'backoffice/docs/DATABASE_SCHEMA.sql + migrations, applied to the running DB (initdb only runs on an empty volume)'
    : 'infrastructure/database/schema.sql + migrations, applied to the running DB (initdb only runs on an empty volume)';
}

interface Fills {
  n: number;
  rows: EvidenceRow[];
  /** Which evidence counted the fills: an id for the metric, words for the report. */
  source: string;
  said: AnyText;
}

const CLASS_TEXT: Record<FailureClass, () => AnyText> = {
  schema: () => text('execution-persistence.class.schema'),
  constraint: () => text('execution-persistence.class.constraint'),
  connection: () => text('execution-persistence.class.connection'),
  duplicate: () => text('execution-persistence.class.duplicate'),
  other: () => text('execution-persistence.class.other'),
};

function fills(ctx: RuleContext): Fills {
  const log = findLogs(ctx, { group: EXECUTION, classes: K.execFilled });
  const rw = redisWindow(ctx);
  const redis = ctx.db
    .prepare(
      `SELECT channel, file_id, line_no, payload FROM redis_messages WHERE ${rw.sql} AND channel IN ('order_results', 'stream.fills')
       AND UPPER(COALESCE(status, '')) = 'FILLED' ORDER BY COALESCE(ts, payload_ts), id`,
    )
    .all(...rw.params) as { channel: string; file_id: number; line_no: number; payload: string }[];
  // B writes each fill to order_results and stream.fills: count the busier one.
  const oc = redis.filter((r) => r.channel === 'order_results');
  const sf = redis.filter((r) => r.channel === 'stream.fills');
  const red = oc.length >= sf.length ? oc : sf;
  const db = count(ctx, "SELECT COUNT(*) FROM orders WHERE in_block = 1 AND LOWER(status) = 'filled'");
  const best = [
    { n: log.length, rows: log as EvidenceRow[], source: 'execution log (Order filled)', said: text('execution-persistence.source.log') },
    {
      n: red.length,
      rows: red.map((r) => ({ file_id: r.file_id, line_no: r.line_no, text: r.payload })),
      source: `redis ${red === oc ? 'order_results' : 'stream.fills'}`,
      said: text('execution-persistence.source.redis', { channel: red === oc ? 'order_results' : 'stream.fills' }),
    },
    { n: db, rows: [] as EvidenceRow[], source: 'orders (status filled)', said: text('execution-persistence.source.orders') },
  ].sort((a, b) => b.n - a.n)[0];
  return best;
}

export default defineRule({
  id: 'execution-persistence',
  layer: 'execution',
  title: 'Executed but not persisted',
  needs: ['fills (execution log, order_results / stream.fills, orders)', 'trades dump or db_writer / execution logs'],
  keyMetrics: ['persist_failures', 'trades_persisted'],
  check(ctx) {
    const f = fills(ctx);
    const tradesDump = dumpedTable(ctx, TRADE_TABLES);
    const persistedDb = count(ctx, "SELECT COUNT(*) FROM trades WHERE in_block = 1 AND source = 'db'");
    const persistedLog = countLogs(ctx, { group: [EXECUTION, DB_WRITER], classes: K.persistOk });
    const pgRestarts = findLogs(ctx, { group: POSTGRES, classes: K.pgReady });
    const writerCov = groupCoverage(ctx, DB_WRITER);
    const healthyWriter = ctx.db
      .prepare("SELECT file_id, line_no, status, health FROM containers WHERE (service = 'cdb_db_writer' OR name = 'cdb_db_writer') AND (health = 'healthy' OR state = 'running') ORDER BY file_id, line_no LIMIT 1")
      .get() as { file_id: number; line_no: number; status: string | null; health: string | null } | undefined;

    const persisted = tradesDump ? persistedDb : persistedLog;
    // A writer failing on every insert logs a line per message: the failure lines are digested as
    // read (writer and execution lines first, then postgres' own), each text classified once.
    const byClass = new Map<FailureClass, RowDigest<LogRow>>();
    const byEntity = new Map<string, number>();
    const classOf = memoByText(classifyDbError);
    const what = fieldMemo('what');
    const failures = new RowDigest<LogRow>();
    const pgErrors = new RowDigest<LogRow>();
    const add = (list: RowDigest<LogRow>) => (r: LogRow) => {
      list.add(r);
      const c = classOf(r.message);
      let g = byClass.get(c);
      if (!g) byClass.set(c, (g = new RowDigest<LogRow>()));
      g.add(r);
      const entity = (what(r) ?? (r.class === 'audit.risk_event_persist_failed' ? 'risk_event' : r.service === 'cdb_postgres' ? 'postgres' : 'database')).toLowerCase();
      byEntity.set(entity, (byEntity.get(entity) ?? 0) + 1);
    };
    scanLogs(ctx, { group: [EXECUTION, DB_WRITER], classes: K.persistFailure }, add(failures));
    scanLogs(ctx, { group: POSTGRES, classes: K.pgSchemaError }, add(pgErrors));
    const metrics: Record<string, number | string | null> = {
      fills: f.n,
      fills_source: f.n ? f.source : null,
      trades_persisted: persisted,
      trades_persisted_source: tradesDump ? 'trades dump' : persistedLog ? 'persist log lines' : null,
      persist_failures: failures.n,
      postgres_errors: pgErrors.n,
    };
    for (const [c, rows] of [...byClass.entries()].sort()) metrics[`failures_${c}`] = rows.n;
    for (const [e, n] of [...byEntity.entries()].sort()) metrics[`failures_entity_${e}`] = n;
    const verification: VerificationCheck[] = [
      {
        id: 'trades-persisted',
        title: text('execution-persistence.check.persisted'),
        kind: 'sql',
        check: "SELECT COUNT(*) FROM trades WHERE source = 'db' AND in_block = 1",
        expect: { op: '>=', value: Math.max(1, Math.min(ctx.targets.trades, f.n || ctx.targets.trades)) },
      },
      { id: 'no-persist-failures', title: text('execution-persistence.check.no_failures'), kind: 'log', check: 'Failed to (save|persist) (trade|order|signal)', expect: { op: '==', value: 0 } },
    ];

    const canSeePersistence = !!tradesDump || persistedLog > 0 || !!writerCov;
    if (f.n === 0 && failures.n === 0 && pgErrors.n === 0) {
      return { status: 'not_evaluable', missing: text('execution-persistence.missing.nothing'), metrics };
    }
    if (f.n > 0 && !canSeePersistence && failures.n === 0) {
      return { status: 'not_evaluable', missing: text('execution-persistence.missing.unobservable'), metrics };
    }

    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    let status: Status = 'ok';
    const notPersisted = f.n > 0 && persisted === 0;
    const partial = f.n >= 10 && persisted > 0 && persisted < f.n * 0.5 && !!tradesDump;

    if (notPersisted) {
      status = 'fail';
      findings.push({
        subject: 'not-persisted',
        severity: 'critical',
        message: text('execution-persistence.not_persisted', {
          n: f.n,
          source: f.said,
          dump: tradesDump ? text('execution-persistence.not_persisted.dump') : '',
          failures: failures.n ? text('execution-persistence.not_persisted.failures', { n: failures.n }) : '',
        }),
        evidence: [...sampleEvidence(ctx, f.rows, 1, 0), ...sampleEvidence(ctx, failures.view(), 1, 1)],
      });
    } else if (partial) {
      status = 'warn';
      findings.push({
        subject: 'partially-persisted',
        severity: 'high',
        message: text('execution-persistence.partial', { persisted, n: f.n }),
        evidence: sampleEvidence(ctx, f.rows),
      });
    } else if (f.n > 0) {
      findings.push({ subject: 'persisted', severity: 'info', message: text('execution-persistence.persisted', { n: f.n, persisted }), evidence: [] });
    }

    const classes = [...byClass.entries()].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]));
    const seenCauses = new Set<string>();
    for (const [cls, rows] of classes) {
      status = worst(status, 'warn');
      const detail = rows.first!.message.split('\n')[0];
      findings.push({
        subject: `failures:${cls}`,
        severity: notPersisted ? 'high' : 'medium',
        message: text('execution-persistence.failures', { n: rows.n, cls: CLASS_TEXT[cls](), detail: detail.slice(0, 200) }),
        evidence: sampleEvidence(ctx, rows.view()),
      });
      const cause = CAUSE[cls];
      if (seenCauses.has(cause)) continue;
      seenCauses.add(cause);
      let likelihood: Likelihood = notPersisted ? (rows.n >= 10 ? 'very_likely' : 'likely') : rows.n >= 10 ? 'likely' : 'possible';
      const ev = sampleEvidence(ctx, rows.view());
      let pgRestart: AnyText | '' = '';
      let healthy: AnyText | '' = '';
      if (cls === 'connection') {
        if (pgRestarts.length) {
          ev.push(...sampleEvidence(ctx, pgRestarts, 1, 0));
          pgRestart = text('execution-persistence.why.pg_restart');
          if (likelihood === 'likely') likelihood = 'very_likely';
        }
        if (healthyWriter) {
          ev.push(ctx.evidence(healthyWriter.file_id, healthyWriter.line_no, `cdb_db_writer ${healthyWriter.status ?? ''} ${healthyWriter.health ?? ''}`.trim()));
          healthy = text('execution-persistence.why.healthy');
        }
      }
      const why = text('execution-persistence.why.first_failure', { detail: detail.slice(0, 200), pg_restart: pgRestart, healthy });
      hypotheses.push({
        cause,
        title:
          cls === 'schema' || cls === 'constraint'
            ? text('execution-persistence.hyp.schema')
            : cls === 'connection'
              ? text('execution-persistence.hyp.connection')
              : cls === 'duplicate'
                ? text('execution-persistence.hyp.duplicate')
                : text('execution-persistence.hyp.other'),
        likelihood,
        evidence: ev,
        why,
      });
      if (cls === 'schema') {
        todos.push({ category: 'CODE', title: text('execution-persistence.todo.migration', { what: detail.match(/(column|relation) "[^"]+"( of relation "[^"]+")?/)?.[0] ?? text('execution-persistence.todo.migration.unknown') }), priority: 'high', effort: 'quick_win', where: schemaWhere(ctx.block.era), cause });
      } else if (cls === 'constraint') {
        todos.push({ category: 'CODE', title: text('execution-persistence.todo.constraint'), priority: 'high', effort: 'larger', where: 'cdb_db_writer / cdb_execution insert code', cause });
      } else if (cls === 'connection') {
        todos.push(
          { category: 'CODE', title: text('execution-persistence.todo.reconnect'), priority: 'high', effort: 'larger', where: 'cdb_db_writer db_writer.py (connection handling)', cause },
          { category: 'MONITORING', title: text('execution-persistence.todo.alert'), priority: 'high', effort: 'quick_win', where: 'cdb_db_writer logs / compose restart policy', cause },
        );
      } else {
        todos.push({ category: 'CODE', title: text('execution-persistence.todo.investigate'), priority: 'medium', effort: 'larger', where: 'cdb_db_writer / cdb_execution', cause });
      }
    }
    if (notPersisted && !classes.length) {
      hypotheses.push({
        cause: 'execution.persistence_unknown',
        title: text('execution-persistence.hyp.unknown'),
        likelihood: 'possible',
        evidence: sampleEvidence(ctx, f.rows),
        why: text('execution-persistence.hyp.unknown.why'),
      });
    }
    return { status, metrics, findings, hypotheses, todos, verification };
  },
});

