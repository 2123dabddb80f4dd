import { classes } from '../../../catalog/index.js';
import { DEPENDENCIES, dependsOn } from '../../../catalog/dependencies.js';
import { CLIENT_CONNECT_FAILURES } from '../../../catalog/edges.js';
import { defineRule, type Finding, type Hypothesis, type RuleContext, type RuleResult, type Todo } from '../../define-rule.js';
import { eachLog, findLogs, logEvidence, spreadEvidence } from '../../rule-kit.js';
import { memoByText } from '../shared/text-memo.js';
import { text, type Text } from '../../../i18n/translate.js';

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
  what: Text;
  /** Title when it never came back / when it came back. */
  down: Text;
  recovered: Text;
  todo: Omit<Todo, 'cause'>;
}

const FAULTS: Fault[] = [
  {
    service: 'cdb_redis', name: 'Redis', classes: classes('redis.aof_corrupt'), ready: classes('redis.ready'), cause: 'system.redis_storage',
    what: text('dependency-faults.redis.what'),
    down: text('dependency-faults.redis.down'),
    recovered: text('dependency-faults.redis.recovered'),
    todo: {
      category: 'CONFIG', priority: 'high', effort: 'quick_win', title: text('dependency-faults.redis.todo'),
      where: text('dependency-faults.redis.where'),
    },
  },
  {
    service: 'cdb_postgres', name: 'PostgreSQL', classes: classes('pg.crash_recovery'), ready: classes('pg.ready'), cause: 'system.postgres_recovery',
    what: text('dependency-faults.postgres.what'),
    down: text('dependency-faults.postgres.down'),
    recovered: text('dependency-faults.postgres.recovered'),
    todo: {
      category: 'MONITORING', priority: 'medium', effort: 'quick_win', title: text('dependency-faults.postgres.todo'),
      where: text('dependency-faults.postgres.where'),
    },
  },
];

const atTime = (ts: string | null): Text => (ts ? text('shared.at_time', { at: ts }) : text('shared.unknown_time'));

/**
 * The services whose connect failures against `dep` start at or after `from`, sorted. Read as a
 * stream: a client failing on every tick logs a million such lines, and only their services count.
 */
function clientsFailing(ctx: RuleContext, dep: string, mentions: RegExp | undefined, era: string | null, from: string): string[] {
  const names = new Set<string>();
  const mentioned = mentions ? memoByText((m) => mentions.test(m)) : () => true;
  eachLog(ctx, { classes: CLIENT_CONNECT_FAILURES }, (r) => {
    if (r.service !== null && r.ts !== null && r.ts >= from && !names.has(r.service) && dependsOn(r.service, dep, era) && mentioned(r.message)) names.add(r.service);
  });
  return [...names].sort();
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
      return { status: 'not_evaluable', missing: text('dependency-faults.missing') };
    }
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
      const names = first.ts ? clientsFailing(ctx, f.service, dep?.mentions, ctx.block.era, first.ts) : [];
      const down = !back;
      if (down) fail = true;
      const span = first.ts && last.ts && faults.length > 1 ? text('dependency-faults.span', { n: faults.length, d: (Date.parse(last.ts) - Date.parse(first.ts)) / 1000 }) : '';
      findings.push({
        subject: f.cause,
        severity: down ? 'critical' : 'high',
        message: text('dependency-faults.fault', {
          service: f.service,
          name: f.name,
          what: f.what,
          span,
          served: down ? text('dependency-faults.never_served') : text('dependency-faults.served_again', { at: back!.ts ?? '' }),
          clients: names.length ? text('dependency-faults.clients', { clients: names }) : '',
        }),
        evidence: [...spreadEvidence(ctx, faults, 2), ...(back ? [logEvidence(ctx, back)] : [])],
      });
      hypotheses.push({
        cause: f.cause,
        title: down ? f.down : f.recovered,
        // Its own line names the fault; clients failing against it from then on confirm it took them down.
        likelihood: names.length ? 'very_likely' : down ? 'likely' : 'possible',
        evidence: [logEvidence(ctx, first), ...(faults.length > 1 ? [logEvidence(ctx, last)] : [])],
        why: names.length
          ? text('dependency-faults.why_clients', { service: f.service, at: atTime(first.ts), clients: names, name: f.name })
          : text('dependency-faults.why', { service: f.service, at: atTime(first.ts) }),
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
