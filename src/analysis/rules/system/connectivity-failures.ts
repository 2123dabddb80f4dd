import { classes, classesWithSeverity } from '../../../catalog/index.js';
import { defineRule, type RuleContext, type RuleResult, type Evidence, type Finding, type Hypothesis, type LayerId, type Severity, type Todo, type VerificationCheck } from '../../define-rule.js';
import {
  blockMs, cmp, codePath, composeFile, coverageText, covers, eachLog, eachLogClassTextGroup, eachLogOfTexts, findLogs, isPipeline, likelihoodFromScore, logEvidence, PIPELINE_SERVICES,
  type LogClassTextGroup, type LogQuery, type LogRow,
} from '../../rule-kit.js';
import { hostNamed, reviewConnectionTodo } from '../shared/contradicted-todos.js';
import { RowDigest } from '../shared/row-digest.js';
import { MAX_TEXT_GROUPS, TextDigest } from '../shared/text-digest.js';
import { memoByText } from '../shared/text-memo.js';
import { text, type Said as SaidText, type Text } from '../../../i18n/translate.js';

const UNKNOWN = '(unknown service)';

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

/** The database a text names, or null when only the service can tell. */
function targetNamed(m: string): Target | null {
  if (/fe_sendauth|password authentication failed|psycopg|postgres|5432|server closed the connection|connection already closed|Database connection failed/i.test(m)) return 'postgres';
  if (/redis|6379|NOAUTH|WRONGPASS/i.test(m)) return 'redis';
  return null;
}

/** What a failure text says: its class, the database it names and whether it says the service never recovers. */
interface Said {
  klass: Klass;
  target: Target | null;
  neverRecovers: boolean;
}

function said(m: string): Said | null {
  const c = CLASSES.find((x) => x.re.test(m));
  return c ? { klass: c.klass, target: targetNamed(m), neverRecovers: NEVER_RECOVERS.test(m) } : null;
}

/** Above this many characters of failure texts the records are read without a text filter. */
const MAX_TEXT_CHARS = 4_000_000;

export interface Group {
  service: string;
  klass: Klass;
  target: Target;
  /** The group's records, digested: a failure repeated on every tick must not cost memory per record. */
  rows: RowDigest<LogRow> | TextDigest;
  /** A record saying the service never recovers by itself. */
  neverRecovers: boolean;
  recovered: boolean;
  persistent: boolean;
}

const dbName = (t: Target) => (t === 'postgres' ? 'PostgreSQL' : 'Redis');
const CAUSE: Record<Klass, (t: Target) => { cause: string; layer: LayerId; title: Text }> = {
  auth: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_auth`, layer: 'system', title: text('connectivity-failures.hyp.auth', { db: dbName(t) }) }),
  dns: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_unreachable`, layer: 'system', title: text('connectivity-failures.hyp.dns', { db: dbName(t) }) }),
  refused: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_unreachable`, layer: 'system', title: text('connectivity-failures.hyp.refused', { db: dbName(t) }) }),
  timeout: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_unreachable`, layer: 'system', title: text('connectivity-failures.hyp.timeout', { db: dbName(t) }) }),
  lost: () => ({ cause: 'system.db_connection_lost', layer: 'reporting', title: text('connectivity-failures.hyp.lost') }),
  init: (t) => ({ cause: `system.${t === 'postgres' ? 'postgres' : 'redis'}_unreachable`, layer: 'system', title: text('connectivity-failures.hyp.init', { db: dbName(t) }) }),
};

/** The host's own tools (a `psql` on the host) fail with their own texts, in report lines. */
const HOST_SIDE = /fe_sendauth|password authentication failed|connection to server at "localhost"/;

/**
 * The services' failure records grouped by service, class of failure and database; how many
 * records of the failure classes they log in all (failing or not); and the host side's failure
 * lines. Past `maxGroups` failing (class, kind, service, text) groups the records are read one by
 * one; the table test compares both ways.
 */
export function failureGroups(ctx: RuleContext, maxGroups = MAX_TEXT_GROUPS): { hits: number; groups: Map<string, Group>; hostSide: LogRow[] } {
  const q: LogQuery = { classes: FAILURE_CLASSES, excludeKinds: ['report'] };
  const groups = new Map<string, Group>();
  // Report lines are the host side's: the same pass over the failure classes tells their texts apart.
  const hostTexts = new Set<string>();
  const hostClasses = new Set<string>();
  // Each distinct text is tested once, in SQLite's count of the records per class, service and
  // text (a failure logged on every tick is one text a million times). Few failing groups: their
  // counts and times answer, and only the cited records are read (TextDigest). Many: the records
  // of the failing texts are read back one by one.
  let hits = 0;
  let chars = 0;
  let failing: Map<string, Said> | null = new Map();
  let counted: LogClassTextGroup[] | null = [];
  const saidOnce = memoByText(said);
  eachLogClassTextGroup(ctx, { ...q, excludeKinds: undefined }, (g) => {
    if (g.kind === 'report') {
      if (HOST_SIDE.test(g.message)) {
        hostTexts.add(g.message);
        hostClasses.add(g.class);
      }
      return;
    }
    hits += g.n;
    if (!failing) return;
    const s = saidOnce(g.message);
    if (!s) return;
    if (!failing.has(g.message)) {
      chars += g.message.length;
      if (chars > MAX_TEXT_CHARS) {
        failing = null;
        counted = null;
        return;
      }
      failing.set(g.message, s);
    }
    if (counted && counted.length === maxGroups) counted = null;
    counted?.push(g);
  });
  const texts = failing as Map<string, Said> | null;
  const saidOf = texts ? (m: string) => texts.get(m) ?? null : saidOnce;
  const hostOf = memoByText((m) => hostNamed(m));
  const keyOf = (service: string | null, c: Said) => {
    const target = c.target ?? (service === 'cdb_postgres' ? 'postgres' : 'unknown');
    return { service: service ?? UNKNOWN, target, key: `${service ?? UNKNOWN}\u0000${c.klass}\u0000${target}` };
  };
  const counts = counted as LogClassTextGroup[] | null;
  if (counts) {
    const parts = new Map<string, { service: string; klass: Klass; target: Target; groups: LogClassTextGroup[]; neverRecovers: boolean }>();
    for (const cg of counts) {
      const c = texts!.get(cg.message)!;
      const k = keyOf(cg.service, c);
      let p = parts.get(k.key);
      if (!p) parts.set(k.key, (p = { service: k.service, klass: c.klass, target: k.target, groups: [], neverRecovers: false }));
      p.groups.push(cg);
      if (c.neverRecovers) p.neverRecovers = true;
    }
    for (const [key, p] of parts) {
      // The group's own classes, services (null: none named) and texts: the same records, fewer index entries to look at.
      const gq: LogQuery = {
        ...q,
        classes: [...new Set(p.groups.map((x) => x.class))],
        services: [...new Set(p.groups.map((x) => x.service))],
        messages: [...new Set(p.groups.map((x) => x.message))],
      };
      const rows = TextDigest.ofGroups(ctx, gq, p.groups, p.klass === 'dns' ? hostOf : undefined);
      groups.set(key, { service: p.service, klass: p.klass, target: p.target, rows, neverRecovers: p.neverRecovers, recovered: false, persistent: false });
    }
  } else {
    const visit = (r: LogRow) => {
      const c = saidOf(r.message);
      if (!c) return;
      const k = keyOf(r.service, c);
      let g = groups.get(k.key);
      if (!g) {
        // A DNS failure's to-do weighs the hosts its lines name (reviewConnectionTodo).
        const rows = new RowDigest<LogRow>(c.klass === 'dns' ? (x) => hostOf(x.message) : undefined);
        groups.set(k.key, (g = { service: k.service, klass: c.klass, target: k.target, rows, neverRecovers: false, recovered: false, persistent: false }));
      }
      (g.rows as RowDigest<LogRow>).add(r);
      if (c.neverRecovers) g.neverRecovers = true;
    };
    if (texts) eachLogOfTexts(ctx, q, [...texts.keys()], visit);
    else eachLog(ctx, q, visit);
  }
  const hostSide = hostTexts.size ? findLogs(ctx, { classes: [...hostClasses], kinds: ['report'], messages: [...hostTexts], re: HOST_SIDE }) : [];
  return { hits, groups, hostSide };
}

export default defineRule({
  id: 'connectivity-failures',
  layer: 'system',
  title: 'Authentication and connection failures (Redis, PostgreSQL), crash loops after sys.exit',
  needs: ['service logs (log_events)'],
  keyMetrics: ['connection_failures', 'auth_failures'],
  check(ctx): RuleResult {
    const L = blockMs(ctx);
    const { hits, groups, hostSide } = failureGroups(ctx);
    const services = [...new Set([...groups.values()].map((g) => g.service))];
    // Per service the time of its last recovery line and whether it said it stops for good: no list of lines.
    const lastRecovery = new Map<string, string>();
    if (services.length) {
      eachLog(ctx, { classes: RECOVERY, services }, (r) => {
        if (r.service === null || r.ts === null) return;
        const prev = lastRecovery.get(r.service);
        if (prev === undefined || r.ts > prev) lastRecovery.set(r.service, r.ts);
      });
    }
    // `Service will continue but market_data will NOT be published!` is its own line after the error.
    const stuckServices = new Set<string | null>();
    if (services.length) eachLog(ctx, { classes: NEVER_RECOVERS_CLASSES, services }, (r) => stuckServices.add(r.service));
    for (const g of groups.values()) {
      const last = g.rows.last!;
      const recovery = lastRecovery.get(g.service);
      g.recovered = !!last.ts && recovery !== undefined && recovery > last.ts;
      const spread = g.rows.timed > 1 ? Date.parse(g.rows.lastTs!) - Date.parse(g.rows.firstTs!) : 0;
      const stuck = g.neverRecovers || (!g.recovered && stuckServices.has(g.service));
      g.persistent = isPipeline(g.service) && g.klass !== 'lost' && !g.recovered && ((g.rows.n >= 3 && spread >= L * 0.5) || stuck);
    }

    if (groups.size === 0) {
      const covered = PIPELINE_SERVICES.filter((s) => covers(ctx, s));
      const findings: Finding[] = hostSide.length
        ? [{ subject: 'host-env', severity: 'info', message: text('connectivity-failures.host_env'), evidence: [logEvidence(ctx, hostSide[0])] }]
        : [];
      if (covered.length === 0) {
        return {
          status: 'not_evaluable',
          missing: text('connectivity-failures.missing', { coverage: ['cdb_risk', 'cdb_ws', 'cdb_execution'].map((s) => coverageText(ctx, s)) }),
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
      const n = g.rows.n;
      const severity: Severity = g.persistent ? 'critical' : g.klass === 'auth' || g.klass === 'dns' || g.klass === 'lost' ? 'high' : n >= 3 ? 'medium' : 'low';
      const span = g.rows.timed > 1 ? text('connectivity-failures.over', { d: (Date.parse(g.rows.lastTs!) - Date.parse(g.rows.firstTs!)) / 1000 }) : '';
      findings.push({
        subject: `${g.service}.${g.target}-${g.klass}`,
        severity,
        message: text('connectivity-failures.failures', {
          service: g.service === UNKNOWN ? text('shared.unknown_service') : g.service,
          n,
          what: text(`connectivity-failures.what.${g.klass}`),
          target: g.target === 'unknown' ? text('connectivity-failures.target_unknown') : g.target,
          span,
          outcome: g.persistent ? text('connectivity-failures.never_recovers') : g.recovered ? text('connectivity-failures.recovered') : '',
        }),
        evidence: g.rows.spread(ctx),
      });
      const c = CAUSE[g.klass](g.target);
      let score = 2;
      if (n >= 3) score++;
      if (g.persistent) score++;
      if (g.recovered && !g.persistent) score--;
      const prev = hyp.get(c.cause);
      const ev: Evidence[] = g.rows.spread(ctx, 2);
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
    const svcList = (pred: (g: Group) => boolean): SaidText[] => [...new Set(sorted.filter(pred).map((g) => g.service))].map((x) => (x === UNKNOWN ? text('shared.unknown_service') : x));
    if (sorted.some((g) => g.klass === 'auth' && g.target !== 'postgres')) {
      todos.push({
        category: 'CONFIG', title: text('connectivity-failures.todo.password', { db: 'Redis', services: svcList((g) => g.klass === 'auth' && g.target !== 'postgres') }), priority: 'high', effort: 'quick_win',
        where: era === 'A' ? text('connectivity-failures.where.redis_password_a') : text('connectivity-failures.where.secret', { secret: 'redis_password', compose }),
        cause: 'system.redis_auth',
      });
    }
    if (sorted.some((g) => g.klass === 'auth' && g.target === 'postgres')) {
      todos.push({
        category: 'CONFIG', title: text('connectivity-failures.todo.password', { db: 'PostgreSQL', services: svcList((g) => g.klass === 'auth' && g.target === 'postgres') }), priority: 'high', effort: 'quick_win',
        where: era === 'A' ? text('connectivity-failures.where.postgres_password_a') : text('connectivity-failures.where.secret', { secret: 'postgres_password', compose }),
        cause: 'system.postgres_auth',
      });
    }
    if (sorted.some((g) => g.klass === 'dns')) {
      const pg = sorted.some((g) => g.klass === 'dns' && g.target === 'postgres');
      const dns = sorted.filter((g) => g.klass === 'dns' && (g.target === 'postgres') === pg);
      const todo = reviewConnectionTodo(
        ctx,
        {
          category: 'CONFIG', title: text('connectivity-failures.todo.set_host', { setting: pg ? 'POSTGRES_HOST=cdb_postgres' : 'REDIS_HOST=cdb_redis', services: svcList((g) => g.klass === 'dns') }),
          priority: 'high', effort: 'quick_win', where: era === 'A' ? `.env ${pg ? 'POSTGRES_HOST' : 'REDIS_HOST'}` : `${compose} environment ${pg ? 'POSTGRES_HOST' : 'REDIS_HOST'}`,
          cause: pg ? 'system.postgres_unreachable' : 'system.redis_unreachable',
        },
        { dependency: pg ? 'postgres' : 'redis', services: [...new Set(dns.map((g) => g.service))], failing: dns.flatMap((g) => g.rows.representatives()), asserts: 'host' },
      );
      todos.push(todo);
    }
    if (sorted.some((g) => g.klass === 'refused' || g.klass === 'init' || g.klass === 'timeout')) {
      todos.push({
        category: 'CONFIG', title: text('connectivity-failures.todo.depends_on'), priority: 'medium', effort: 'quick_win',
        where: `${compose} depends_on`, cause: sorted.some((g) => g.target === 'postgres') ? 'system.postgres_unreachable' : 'system.redis_unreachable',
      });
    }
    if (sorted.some((g) => g.klass === 'lost')) {
      todos.push({
        category: 'CODE', title: text('connectivity-failures.todo.reconnect', { services: svcList((g) => g.klass === 'lost') }),
        priority: 'high', effort: 'larger', where: codePath(era, sorted.find((g) => g.klass === 'lost')!.service), cause: 'system.db_connection_lost',
      });
    }
    const verification: VerificationCheck[] = [
      { id: 'system.auth_failures', title: text('connectivity-failures.check.auth'), kind: 'log', check: 'Authentication required|NOAUTH|WRONGPASS|fe_sendauth|password authentication failed', expect: { op: '==', value: 0 } },
      { id: 'system.connect_failures', title: text('connectivity-failures.check.connect'), kind: 'log', check: 'Redis-Verbindung fehlgeschlagen|Initialisierung fehlgeschlagen|Failed to connect to (Redis|PostgreSQL)|Error -[23] connecting', expect: { op: '==', value: 0 } },
    ];
    if (sorted.some((g) => g.klass === 'lost')) {
      verification.push({ id: 'system.db_connection_lost', title: text('connectivity-failures.check.lost'), kind: 'log', check: 'server closed the connection unexpectedly|connection already closed', expect: { op: '==', value: 0 } });
    }
    if (hostSide.length) {
      findings.push({ subject: 'host-env', severity: 'info', message: text('connectivity-failures.host_env'), evidence: [logEvidence(ctx, hostSide[0])] });
    }
    const fail = sorted.some((g) => g.persistent);
    return {
      status: fail ? 'fail' : findings.some((f) => f.severity !== 'info' && f.severity !== 'low') ? 'warn' : 'ok',
      metrics: {
        connection_failures: hits,
        auth_failures: sorted.filter((g) => g.klass === 'auth').reduce((a, g) => a + g.rows.n, 0),
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
