import { classes, classesWithSeverity } from '../../../catalog/index.js';
import { defineRule, type RuleResult, type Evidence, type Finding, type Hypothesis, type LayerId, type Severity, type Todo, type VerificationCheck } from '../../define-rule.js';
import {
  blockMs, cmp, codePath, composeFile, coverageText, covers, findLogs, fmtDuration, isPipeline, likelihoodFromScore, logEvidence, PIPELINE_SERVICES,
  spreadEvidence, type LogRow,
} from '../../rule-kit.js';
import { reviewConnectionTodo } from '../shared/contradicted-todos.js';

type Klass = 'auth' | 'dns' | 'refused' | 'timeout' | 'lost' | 'init';
type Target = 'redis' | 'postgres' | 'unknown';

/** Library and service texts (formats doc §3.2, §2.5, §4.4); the first class that matches wins. */
const CLASSES: { klass: Klass; re: RegExp }[] = [
  {
    klass: 'auth',
    re: /Authentication required|NOAUTH|WRONGPASS|invalid password|fe_sendauth|password authentication failed|Auth validation FAILED|Redis password loaded: No\b/i,
  },
  {
    klass: 'dns',
    re: /Error -[23] connecting|Name or service not known|Temporary failure in name resolution/i,
  },
  { klass: 'refused', re: /connection refused/i },
  { klass: 'timeout', re: /Timeout connecting to server/i },
  { klass: 'lost', re: /server closed the connection unexpectedly|connection already closed/i },
  {
    klass: 'init',
    re: /Redis-Verbindung fehlgeschlagen|Redis Initialisierung fehlgeschlagen|PostgreSQL Initialisierung fehlgeschlagen|Failed to connect to (?:Redis|PostgreSQL)|(?:Redis|PostgreSQL|Database) connection failed|Failed to initialize services/i,
  },
];

/** Records that may carry a connection failure: every error or warning class, and the writer's password echo. */
const FAILURE_CLASSES = [...classesWithSeverity('error', 'warn'), ...classes('writer.password_loaded')];
/** Lines after which the service works again (formats doc §3.1). */
const RECOVERY = classes(
  'service.redis_connected_de', 'service.redis_connected_en', 'runner.redis_connected', 'feed.redis_connected', 'feed.redis_ok_a',
  'writer.pg_connected', 'runner.pg_connected', 'feed.connected', 'redis.ready', 'pg.ready',
);
/** Messages after which the process keeps running but never recovers by itself. */
const NEVER_RECOVERS_CLASSES = classes('feed.will_not_publish', 'feed.redis_unavailable_a', 'risk.auth_failed_cannot_start');
const NEVER_RECOVERS = /will NOT be published|nicht publiziert|Service cannot start|Auth validation FAILED/;

function targetOf(r: LogRow): Target {
  const m = r.message;
  if (/fe_sendauth|password authentication failed|psycopg|postgres|5432|server closed the connection|connection already closed|Database connection failed/i.test(m)) return 'postgres';
  if (/redis|6379|NOAUTH|WRONGPASS/i.test(m)) return 'redis';
  if (r.service === 'cdb_postgres') return 'postgres';
  return 'unknown';
}

interface Group {
  service: string;
  klass: Klass;
  target: Target;
  rows: LogRow[];
  recovered: boolean;
  persistent: boolean;
}

const CAUSE: Record<Klass, (t: Target) => { cause: string; layer: LayerId; title: string }> = {
  auth: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_auth`, layer: 'system', title: `${t === 'postgres' ? 'PostgreSQL' : 'Redis'} credentials do not reach the services that need them` }),
  dns: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_unreachable`, layer: 'system', title: `Services cannot resolve the ${t === 'postgres' ? 'PostgreSQL' : 'Redis'} host (wrong *_HOST; the era-A default \`redis\` does not resolve)` }),
  refused: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_unreachable`, layer: 'system', title: `${t === 'postgres' ? 'PostgreSQL' : 'Redis'} refuses connections (down, restarting or not yet up)` }),
  timeout: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_unreachable`, layer: 'system', title: `Connections to ${t === 'postgres' ? 'PostgreSQL' : 'Redis'} time out` }),
  lost: () => ({ cause: 'system.db_connection_lost', layer: 'reporting', title: 'A writer lost its PostgreSQL connection and never reconnected: inserts fail while the container stays healthy' }),
  init: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_unreachable`, layer: 'system', title: `Services fail to connect to ${t === 'postgres' ? 'PostgreSQL' : 'Redis'} at start and exit (crash loop)` }),
};

export default defineRule({
  id: 'connectivity-failures',
  layer: 'system',
  title: 'Authentication and connection failures (Redis, PostgreSQL), crash loops after sys.exit',
  needs: ['service logs (log_events)'],
  keyMetrics: ['connection_failures', 'auth_failures'],
  check(ctx): RuleResult {
    const L = blockMs(ctx);
    const hits = findLogs(ctx, { classes: FAILURE_CLASSES, excludeKinds: ['report'] });
    const hostSide = findLogs(ctx, { classes: FAILURE_CLASSES, re: /fe_sendauth|password authentication failed|connection to server at "localhost"/ }).filter(
      (r) => r.kind === 'report',
    );
    const groups = new Map<string, Group>();
    for (const r of hits) {
      const c = CLASSES.find((x) => x.re.test(r.message));
      if (!c) continue;
      const service = r.service ?? '(unknown service)';
      const target = targetOf(r);
      const key = `${service}\u0000${c.klass}\u0000${target}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { service, klass: c.klass, target, rows: [], recovered: false, persistent: false }));
      g.rows.push(r);
    }
    const services = [...new Set([...groups.values()].map((g) => g.service))];
    const recoveries = services.length
      ? findLogs(ctx, { classes: RECOVERY, services })
      : [];
    // `Service will continue but market_data will NOT be published!` is its own line after the error.
    const stuckLines = services.length
      ? findLogs(ctx, { classes: NEVER_RECOVERS_CLASSES, services })
      : [];
    for (const g of groups.values()) {
      const last = g.rows[g.rows.length - 1];
      g.recovered = !!last.ts && recoveries.some((r) => r.service === g.service && r.ts !== null && r.ts > last.ts!);
      const timed = g.rows.filter((r) => r.ts);
      const spread = timed.length > 1 ? Date.parse(timed[timed.length - 1].ts!) - Date.parse(timed[0].ts!) : 0;
      const stuck = g.rows.some((r) => NEVER_RECOVERS.test(r.message)) || (!g.recovered && stuckLines.some((r) => r.service === g.service));
      g.persistent = isPipeline(g.service) && g.klass !== 'lost' && !g.recovered && ((g.rows.length >= 3 && spread >= L * 0.5) || stuck);
    }

    if (groups.size === 0) {
      const covered = PIPELINE_SERVICES.filter((s) => covers(ctx, s));
      const findings: Finding[] = hostSide.length
        ? [{ subject: 'host-env', severity: 'info', message: 'daily_check.py could not reach PostgreSQL from the host (no POSTGRES_* in the host env): a host problem, not a pipeline fault', evidence: [logEvidence(ctx, hostSide[0])] }]
        : [];
      if (covered.length === 0) {
        return {
          status: 'not_evaluable',
          missing: `no pipeline service log covers enough of the block to show the absence of connection errors (${['cdb_risk', 'cdb_ws', 'cdb_execution'].map((s) => coverageText(ctx, s)).join('; ')})`,
          findings,
        };
      }
      return { status: 'ok', metrics: { connection_failures: 0, auth_failures: 0 }, findings };
    }

    const findings: Finding[] = [];
    const hyp = new Map<string, { h: Hypothesis; score: number }>();
    const todos: Todo[] = [];
    const sorted = [...groups.values()].sort((a, b) => cmp(a.service, b.service) || cmp(a.klass, b.klass) || cmp(a.target, b.target));
    for (const g of sorted) {
      const n = g.rows.length;
      const severity: Severity = g.persistent ? 'critical' : g.klass === 'auth' || g.klass === 'dns' || g.klass === 'lost' ? 'high' : n >= 3 ? 'medium' : 'low';
      const timed = g.rows.filter((r) => r.ts);
      const span = timed.length > 1 ? ` over ${fmtDuration(Date.parse(timed[timed.length - 1].ts!) - Date.parse(timed[0].ts!))}` : '';
      const what = { auth: 'authentication failure', dns: 'host name resolution failure', refused: 'connection refused', timeout: 'connection timeout', lost: 'lost database connection', init: 'failed connection at start' }[g.klass];
      findings.push({
        subject: `${g.service}.${g.target}-${g.klass}`,
        severity,
        message:
          `${g.service}: ${n} × ${what} (${g.target === 'unknown' ? 'target unknown' : g.target})${span}` +
          (g.persistent ? ' — it recurs through the block and never recovers: the service is effectively down' : g.recovered ? '; recovered afterwards' : ''),
        evidence: spreadEvidence(ctx, g.rows),
      });
      const c = CAUSE[g.klass](g.target);
      let score = 2;
      if (n >= 3) score++;
      if (g.persistent) score++;
      if (g.recovered && !g.persistent) score--;
      const prev = hyp.get(c.cause);
      const ev: Evidence[] = spreadEvidence(ctx, g.rows, 2);
      if (!prev) hyp.set(c.cause, { h: { cause: c.cause, layer: c.layer, title: c.title, likelihood: 'unlikely', evidence: ev }, score });
      else {
        prev.score = Math.max(prev.score, score);
        prev.h.evidence.push(...ev);
      }
    }
    // Several services failing the same way is stronger than one.
    for (const [cause, v] of hyp) {
      const svcs = new Set(sorted.filter((g) => CAUSE[g.klass](g.target).cause === cause).map((g) => g.service));
      if (svcs.size >= 2) v.score++;
    }
    const hypotheses: Hypothesis[] = [];
    for (const { h, score } of hyp.values()) {
      const lk = likelihoodFromScore(score);
      if (lk) hypotheses.push({ ...h, likelihood: lk });
    }

    const era = ctx.block.era;
    const compose = composeFile(era);
    const svcList = (pred: (g: Group) => boolean) => [...new Set(sorted.filter(pred).map((g) => g.service))].join(', ');
    if (sorted.some((g) => g.klass === 'auth' && g.target !== 'postgres')) {
      todos.push({
        category: 'CONFIG', title: `Make the Redis password reach ${svcList((g) => g.klass === 'auth' && g.target !== 'postgres')}`, priority: 'high', effort: 'quick_win',
        where: era === 'A' ? '.env REDIS_PASSWORD (root .env, loaded by every service through env_file in docker-compose.yml)' : `Docker secret redis_password (${compose} secrets → /run/secrets/redis_password)`,
        cause: 'system.redis_auth',
      });
    }
    if (sorted.some((g) => g.klass === 'auth' && g.target === 'postgres')) {
      todos.push({
        category: 'CONFIG', title: `Make the PostgreSQL password reach ${svcList((g) => g.klass === 'auth' && g.target === 'postgres')}`, priority: 'high', effort: 'quick_win',
        where: era === 'A' ? '.env POSTGRES_PASSWORD (root .env via env_file)' : `Docker secret postgres_password (${compose} secrets → /run/secrets/postgres_password)`,
        cause: 'system.postgres_auth',
      });
    }
    if (sorted.some((g) => g.klass === 'dns')) {
      const pg = sorted.some((g) => g.klass === 'dns' && g.target === 'postgres');
      const dns = sorted.filter((g) => g.klass === 'dns' && (g.target === 'postgres') === pg);
      const todo = reviewConnectionTodo(
        ctx,
        {
          category: 'CONFIG', title: `Set ${pg ? 'POSTGRES_HOST=cdb_postgres' : 'REDIS_HOST=cdb_redis'} for ${svcList((g) => g.klass === 'dns')} (code defaults like \`redis\`/\`localhost\` are wrong inside the stack)`,
          priority: 'high', effort: 'quick_win', where: era === 'A' ? `.env ${pg ? 'POSTGRES_HOST' : 'REDIS_HOST'}` : `${compose} environment ${pg ? 'POSTGRES_HOST' : 'REDIS_HOST'}`,
          cause: pg ? 'system.postgres_unreachable' : 'system.redis_unreachable',
        },
        { dependency: pg ? 'postgres' : 'redis', services: [...new Set(dns.map((g) => g.service))], failing: dns.flatMap((g) => g.rows), asserts: 'host' },
      );
      todos.push(todo);
    }
    if (sorted.some((g) => g.klass === 'refused' || g.klass === 'init' || g.klass === 'timeout')) {
      todos.push({
        category: 'CONFIG', title: 'Start services only after cdb_redis/cdb_postgres are healthy (depends_on: condition: service_healthy)', priority: 'medium', effort: 'quick_win',
        where: `${compose} depends_on`, cause: sorted.some((g) => g.target === 'postgres') ? 'system.postgres_unreachable' : 'system.redis_unreachable',
      });
    }
    if (sorted.some((g) => g.klass === 'lost')) {
      todos.push({
        category: 'CODE', title: `Reconnect to PostgreSQL after a lost connection in ${svcList((g) => g.klass === 'lost')} (it keeps one connection and never reconnects)`,
        priority: 'high', effort: 'larger', where: codePath(era, sorted.find((g) => g.klass === 'lost')!.service), cause: 'system.db_connection_lost',
      });
    }
    const verification: VerificationCheck[] = [
      { id: 'system.auth_failures', title: 'No Redis/PostgreSQL authentication failures in the next block', kind: 'log', check: 'Authentication required|NOAUTH|WRONGPASS|fe_sendauth|password authentication failed', expect: { op: '==', value: 0 } },
      { id: 'system.connect_failures', title: 'No failed connections at service start in the next block', kind: 'log', check: 'Redis-Verbindung fehlgeschlagen|Initialisierung fehlgeschlagen|Failed to connect to (Redis|PostgreSQL)|Error -[23] connecting', expect: { op: '==', value: 0 } },
    ];
    if (sorted.some((g) => g.klass === 'lost')) {
      verification.push({ id: 'system.db_connection_lost', title: 'No lost database connections in the next block', kind: 'log', check: 'server closed the connection unexpectedly|connection already closed', expect: { op: '==', value: 0 } });
    }
    if (hostSide.length) {
      findings.push({ subject: 'host-env', severity: 'info', message: 'daily_check.py could not reach PostgreSQL from the host (no POSTGRES_* in the host env): a host problem, not a pipeline fault', evidence: [logEvidence(ctx, hostSide[0])] });
    }
    const fail = sorted.some((g) => g.persistent);
    return {
      status: fail ? 'fail' : findings.some((f) => f.severity !== 'info' && f.severity !== 'low') ? 'warn' : 'ok',
      metrics: {
        connection_failures: hits.length,
        auth_failures: sorted.filter((g) => g.klass === 'auth').reduce((a, g) => a + g.rows.length, 0),
        services_affected: new Set(sorted.map((g) => g.service)).size,
        persistent_failures: sorted.filter((g) => g.persistent).length,
      },
      findings,
      hypotheses,
      todos,
      verification,
    };
  },
});
