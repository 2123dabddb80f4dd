import { defineRule, type Finding, type Hypothesis, type Likelihood, type RuleContext, type Status, type Todo, type VerificationCheck } from '../../define-rule.js';
import { DB_WRITER, EXECUTION, findLogs, groupCoverage, K, fieldOf, type LogRow, type ServiceGroup } from '../shared/logs.js';
import { classifyDbError, DB_ERROR_CAUSE as CAUSE, type FailureClass } from '../shared/db-errors.js';
import { dumpedTable, TRADE_TABLES } from '../shared/sources.js';
import { count, redisWindow, sampleEvidence, worst, type EvidenceRow } from '../shared/util.js';

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
  source: string;
}

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
    { n: log.length, rows: log as EvidenceRow[], source: 'execution log (Order filled)' },
    { n: red.length, rows: red.map((r) => ({ file_id: r.file_id, line_no: r.line_no, text: r.payload })), source: `redis ${red === oc ? 'order_results' : 'stream.fills'}` },
    { n: db, rows: [] as EvidenceRow[], source: 'orders (status filled)' },
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
    const persistedLog = findLogs(ctx, { group: [EXECUTION, DB_WRITER], classes: K.persistOk });
    const failures = findLogs(ctx, { group: [EXECUTION, DB_WRITER], classes: K.persistFailure });
    const pgErrors = findLogs(ctx, { group: POSTGRES, classes: K.pgSchemaError });
    const pgRestarts = findLogs(ctx, { group: POSTGRES, classes: K.pgReady });
    const writerCov = groupCoverage(ctx, DB_WRITER);
    const healthyWriter = ctx.db
      .prepare("SELECT file_id, line_no, status, health FROM containers WHERE (service = 'cdb_db_writer' OR name = 'cdb_db_writer') AND (health = 'healthy' OR state = 'running') ORDER BY file_id, line_no LIMIT 1")
      .get() as { file_id: number; line_no: number; status: string | null; health: string | null } | undefined;

    const persisted = tradesDump ? persistedDb : persistedLog.length;
    const byClass = new Map<FailureClass, LogRow[]>();
    const byEntity = new Map<string, number>();
    for (const r of [...failures, ...pgErrors]) {
      const c = classifyDbError(r.message);
      const g = byClass.get(c);
      if (g) g.push(r);
      else byClass.set(c, [r]);
      const entity = (fieldOf(r, 'what') ?? (r.class === 'audit.risk_event_persist_failed' ? 'risk_event' : r.service === 'cdb_postgres' ? 'postgres' : 'database')).toLowerCase();
      byEntity.set(entity, (byEntity.get(entity) ?? 0) + 1);
    }
    const metrics: Record<string, number | string | null> = {
      fills: f.n,
      fills_source: f.n ? f.source : null,
      trades_persisted: persisted,
      trades_persisted_source: tradesDump ? 'trades dump' : persistedLog.length ? 'persist log lines' : null,
      persist_failures: failures.length,
      postgres_errors: pgErrors.length,
    };
    for (const [c, rows] of [...byClass.entries()].sort()) metrics[`failures_${c}`] = rows.length;
    for (const [e, n] of [...byEntity.entries()].sort()) metrics[`failures_entity_${e}`] = n;
    const verification: VerificationCheck[] = [
      {
        id: 'trades-persisted',
        title: 'Executed trades are persisted',
        kind: 'sql',
        check: "SELECT COUNT(*) FROM trades WHERE source = 'db' AND in_block = 1",
        expect: { op: '>=', value: Math.max(1, Math.min(ctx.targets.trades, f.n || ctx.targets.trades)) },
      },
      { id: 'no-persist-failures', title: 'No persistence failures', kind: 'log', check: 'Failed to (save|persist) (trade|order|signal)', expect: { op: '==', value: 0 } },
    ];

    const canSeePersistence = !!tradesDump || persistedLog.length > 0 || !!writerCov;
    if (f.n === 0 && failures.length === 0 && pgErrors.length === 0) {
      return { status: 'not_evaluable', missing: 'no fills in the block (nothing to persist) and no persistence failures', metrics };
    }
    if (f.n > 0 && !canSeePersistence && failures.length === 0) {
      return { status: 'not_evaluable', missing: 'no trades dump and no db_writer / persist log lines to check the fills against', metrics };
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
        message: `${f.n} fills (${f.source}) but no trade persisted in the block${tradesDump ? ' (trades dump)' : ''}${failures.length ? `; ${failures.length} persistence failures logged` : ''}.`,
        evidence: [...sampleEvidence(ctx, f.rows, 1, 0), ...sampleEvidence(ctx, failures, 1, 1)],
      });
    } else if (partial) {
      status = 'warn';
      findings.push({
        subject: 'partially-persisted',
        severity: 'high',
        message: `Only ${persisted} of ${f.n} fills have a persisted trade.`,
        evidence: sampleEvidence(ctx, f.rows),
      });
    } else if (f.n > 0) {
      findings.push({ subject: 'persisted', severity: 'info', message: `${f.n} fills, ${persisted} trades persisted.`, evidence: [] });
    }

    const classes = [...byClass.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    const seenCauses = new Set<string>();
    for (const [cls, rows] of classes) {
      status = worst(status, 'warn');
      const detail = rows[0].message.split('\n')[0];
      findings.push({
        subject: `failures:${cls}`,
        severity: notPersisted ? 'high' : 'medium',
        message: `${rows.length} persistence failures (${cls}), e.g. ${detail.slice(0, 200)}`,
        evidence: sampleEvidence(ctx, rows),
      });
      const cause = CAUSE[cls];
      if (seenCauses.has(cause)) continue;
      seenCauses.add(cause);
      let likelihood: Likelihood = notPersisted ? (rows.length >= 10 ? 'very_likely' : 'likely') : rows.length >= 10 ? 'likely' : 'possible';
      const ev = sampleEvidence(ctx, rows);
      let why = `First failure: ${detail.slice(0, 200)}`;
      if (cls === 'connection') {
        if (pgRestarts.length) {
          ev.push(...sampleEvidence(ctx, pgRestarts, 1, 0));
          why += '. PostgreSQL restarted in the block; db_writer keeps one connection and never reconnects.';
          if (likelihood === 'likely') likelihood = 'very_likely';
        }
        if (healthyWriter) {
          ev.push(ctx.evidence(healthyWriter.file_id, healthyWriter.line_no, `cdb_db_writer ${healthyWriter.status ?? ''} ${healthyWriter.health ?? ''}`.trim()));
          why += ' The db_writer container still reports healthy: its health check cannot see this.';
        }
      }
      hypotheses.push({
        cause,
        title:
          cls === 'schema' || cls === 'constraint'
            ? 'The database schema rejects what the writers insert (migration not applied or values the schema forbids)'
            : cls === 'connection'
              ? 'The writer lost its database connection and never reconnected'
              : cls === 'duplicate'
                ? 'Inserts collide with existing rows (duplicate key)'
                : 'Inserts fail with a database error',
        likelihood,
        evidence: ev,
        why,
      });
      if (cls === 'schema') {
        todos.push({ category: 'CODE', title: `Apply the missing migration (${detail.match(/(column|relation) "[^"]+"( of relation "[^"]+")?/)?.[0] ?? 'missing column/table'})`, priority: 'high', effort: 'quick_win', where: schemaWhere(ctx.block.era), cause });
      } else if (cls === 'constraint') {
        todos.push({ category: 'CODE', title: 'Write values the schema accepts (lower-case side/signal_type, no NULL in NOT NULL columns)', priority: 'high', effort: 'larger', where: 'cdb_db_writer / cdb_execution insert code', cause });
      } else if (cls === 'connection') {
        todos.push(
          { category: 'CODE', title: 'Reconnect to PostgreSQL when the connection is closed instead of failing every insert', priority: 'high', effort: 'larger', where: 'cdb_db_writer db_writer.py (connection handling)', cause },
          { category: 'MONITORING', title: 'Alert on `Failed to persist` lines; restart cdb_db_writer after every PostgreSQL restart', priority: 'high', effort: 'quick_win', where: 'cdb_db_writer logs / compose restart policy', cause },
        );
      } else {
        todos.push({ category: 'CODE', title: 'Investigate the database errors of the writers', priority: 'medium', effort: 'larger', where: 'cdb_db_writer / cdb_execution', cause });
      }
    }
    if (notPersisted && !classes.length) {
      hypotheses.push({
        cause: 'execution.persistence_unknown',
        title: 'Fills are not written to the database for a reason the bundle does not show',
        likelihood: 'possible',
        evidence: sampleEvidence(ctx, f.rows),
        why: 'No `Failed to save/persist` line was captured; the db_writer log (stderr) may be missing from the bundle.',
      });
    }
    return { status, metrics, findings, hypotheses, todos, verification };
  },
});

