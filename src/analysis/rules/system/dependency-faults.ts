import { classes } from '../../../catalog/index.js';
import { DEPENDENCIES, dependsOn } from '../../../catalog/dependencies.js';
import { CLIENT_CONNECT_FAILURES } from '../../../catalog/edges.js';
import { defineRule, type Finding, type Hypothesis, type RuleResult, type Todo } from '../../define-rule.js';
import { findLogs, fmtDuration, logEvidence, spreadEvidence, type LogRow } from '../../rule-kit.js';

/**
 * A dependency's own lines saying it cannot start or store. When its clients fail against it,
 * this is the fault to name (with its own line as evidence); their refusals and restarts are its
 * consequences (linked in src/analysis/causality.ts through the catalog's edges).
 */
interface Fault {
  service: string;
  name: string;
  classes: string[];
  /** The line after which it serves again. */
  ready: string[];
  cause: string;
  /** What its own line says, after its name. */
  what: string;
  /** Title when it never came back / when it came back. */
  down: string;
  recovered: string;
  todo: Omit<Todo, 'cause'>;
}

const FAULTS: Fault[] = [
  {
    service: 'cdb_redis', name: 'Redis', classes: classes('redis.aof_corrupt'), ready: classes('redis.ready'), cause: 'system.redis_storage',
    what: 'could not load its append-only file (AOF)',
    down: 'Redis could not load its append-only file (AOF) and never started: every client is refused',
    recovered: 'Redis could not load its append-only file (AOF) and was down until it was repaired',
    todo: {
      category: 'CONFIG', priority: 'high', effort: 'quick_win', title: 'Back up the Redis AOF, then repair it with `redis-check-aof --fix <appendonly.aof.manifest>` and start cdb_redis again',
      where: 'cdb_redis data volume (appendonlydir/)',
    },
  },
  {
    service: 'cdb_postgres', name: 'PostgreSQL', classes: classes('pg.crash_recovery'), ready: classes('pg.ready'), cause: 'system.postgres_recovery',
    what: 'was not shut down cleanly and had to recover',
    down: 'PostgreSQL was not shut down cleanly and did not come back from its recovery: its clients cannot connect',
    recovered: 'PostgreSQL was not shut down cleanly and had to recover; clients were refused while it did',
    todo: {
      category: 'MONITORING', priority: 'medium', effort: 'quick_win', title: 'Stop the stack with `docker compose stop` (not a host power-off) so PostgreSQL shuts down cleanly; alert on "automatic recovery in progress"',
      where: 'Docker host shutdown procedure',
    },
  },
];

function clientsFailing(rows: LogRow[], dep: string, mentions: RegExp | undefined, era: string | null, from: string): LogRow[] {
  return rows.filter((r) => r.service !== null && r.ts !== null && r.ts >= from && dependsOn(r.service, dep, era) && (!mentions || mentions.test(r.message)));
}

export default defineRule({
  id: 'dependency-faults',
  layer: 'system',
  title: 'Redis or PostgreSQL cannot load or store its data (its own log), and the clients it takes down',
  needs: ['cdb_redis or cdb_postgres logs (log_events)'],
  keyMetrics: ['dependency_faults'],
  check(ctx): RuleResult {
    const own = findLogs(ctx, { classes: FAULTS.map((f) => f.ready[0]).concat(FAULTS.flatMap((f) => f.classes)), services: FAULTS.map((f) => f.service) });
    const logged = FAULTS.filter((f) => ctx.logCoverage(f.service));
    if (logged.length === 0 && own.length === 0) {
      return { status: 'not_evaluable', missing: 'no cdb_redis or cdb_postgres log in the bundle: a dependency that cannot start says why only in its own log' };
    }
    const failures = findLogs(ctx, { classes: CLIENT_CONNECT_FAILURES });
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    let fail = false;
    for (const f of FAULTS) {
      const faults = own.filter((r) => r.service === f.service && f.classes.includes(r.class ?? ''));
      if (!faults.length) continue;
      const first = faults[0];
      const last = faults[faults.length - 1];
      const back = own.find((r) => r.service === f.service && f.ready.includes(r.class ?? '') && r.ts !== null && last.ts !== null && r.ts > last.ts);
      const dep = DEPENDENCIES.find((d) => d.service === f.service);
      const clients = first.ts ? clientsFailing(failures, f.service, dep?.mentions, ctx.block.era, first.ts) : [];
      const names = [...new Set(clients.map((r) => r.service!))].sort();
      const down = !back;
      if (down) fail = true;
      const span = first.ts && last.ts && faults.length > 1 ? ` (${faults.length} times over ${fmtDuration(Date.parse(last.ts) - Date.parse(first.ts))})` : '';
      findings.push({
        subject: f.cause,
        severity: down ? 'critical' : 'high',
        message:
          `${f.service}: ${f.name} ${f.what}${span}` +
          (down ? '; it never served again in the evidence' : `; it served again from ${back!.ts}`) +
          (names.length ? `. Clients failing against it from then on: ${names.join(', ')}` : ''),
        evidence: [...spreadEvidence(ctx, faults, 2), ...(back ? [logEvidence(ctx, back)] : [])],
      });
      hypotheses.push({
        cause: f.cause,
        title: down ? f.down : f.recovered,
        // Its own line names the fault; clients failing against it from then on confirm it took them down.
        likelihood: names.length ? 'very_likely' : down ? 'likely' : 'possible',
        evidence: [logEvidence(ctx, first), ...(faults.length > 1 ? [logEvidence(ctx, last)] : [])],
        why:
          `${f.service}'s own log says why it failed (first at ${first.ts ?? 'an unknown time'})` +
          (names.length ? `; ${names.join(', ')} fail to connect to ${f.name} from then on: consequences, not causes.` : '.'),
      });
      todos.push({ ...f.todo, cause: f.cause });
    }
    if (!findings.length) return { status: 'ok', metrics: { dependency_faults: 0 } };
    return {
      status: fail ? 'fail' : 'warn',
      metrics: { dependency_faults: findings.length },
      findings,
      hypotheses,
      todos,
    };
  },
});
