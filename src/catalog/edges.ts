/**
 * Causal edges between event classes: the only ways the analysis may call one anomaly the
 * consequence of another (src/analysis/causality.ts). An edge says "a record of class `from`
 * can make records of class `to` start within `maxDelaySec`", in the same service or in a
 * service that depends on the first one (src/catalog/dependencies.ts).
 *
 * `from`/`to` are a class id or a class-id prefix ending in `.` (`risk.rejected.`).
 * edges.test.ts checks that every edge names classes the catalog declares and that the edges
 * form no cycle.
 */

export type EdgeScope = 'same-service' | 'dependent';

export interface CausalEdge {
  from: string;
  to: string;
  scope: EdgeScope;
  /** How long after the cause starts its consequence may start (docker's restart backoff, a client's retry loop). */
  maxDelaySec: number;
  why: string;
}

/** A client's failure to reach Redis or PostgreSQL (its own message, or a library text inside another). */
export const CLIENT_CONNECT_FAILURES = [
  'service.redis_connect_failed', 'exec.redis_init_failed', 'exec.init_failed', 'feed.redis_connection_failed', 'feed.redis_unavailable_a',
  'writer.connect_failed', 'runner.connect_failed', 'net.connection_refused', 'net.timeout',
] as const;

/** What a client does while its dependency is gone: publishes, reads and writes that fail. */
const CLIENT_REDIS_ERRORS = [
  'feed.will_not_publish', 'feed.publish_error', 'feed.publish_error_a', 'feed.dropping_trade', 'signal.error.publish', 'signal.error.main_loop',
  'risk.stream_error', 'risk.error.order_publish', 'risk.error.alert_publish', 'exec.loop_error', 'writer.event_loop_error', 'redis.oom',
] as const;

const CLIENT_PG_ERRORS = [
  'pg.auth_failed', 'pg.connection_lost', 'writer.persist_failed', 'exec.save_failed', 'exec.database_error', 'audit.risk_event_persist_failed',
  'runner.health_check_failed', 'runner.daily_report_failed', 'report.generation_failed',
] as const;

/**
 * Signs that a process (re)started, as the hourly flow counts them: a banner, or a line printed
 * only at start. A second one in a service is a restart.
 */
export const RESTART_SIGNS = [
  'risk.started', 'signal.started', 'exec.starting', 'writer.starting', 'runner.initialized', 'redis.starting', 'feed.mode', 'feed.fetching_symbols',
  'pipeline.service_started', 'reports.service_started', 'risk.auth_failed_cannot_start',
] as const;
const CLIENT_RESTARTS = RESTART_SIGNS.filter((c) => c !== 'redis.starting');

/** Redis's own lines saying it cannot load or store its data. */
export const REDIS_OWN_FAULTS = ['redis.aof_corrupt', 'redis.maxmemory_runbook'] as const;
/** PostgreSQL's own lines saying it refused a login or lost its state. */
export const POSTGRES_OWN_FAULTS = ['pg.crash_recovery', 'pg.initdb'] as const;

/** The feed's own failures to get market data at all (a bad URL, a refused handshake, a stub mode). */
const FEED_FAULTS = ['feed.invalid_ws_url', 'feed.ws_error', 'feed.unknown_mode', 'feed.stub_mode', 'feed.loop_error'] as const;
const FEED_SYMPTOMS = ['feed.no_data_yet', 'feed.reconnecting', 'feed.ws_chunk_reconnect', 'feed.ws_disconnected', 'feed.ws_close', 'feed.connection_closed', 'feed.no_messages_runbook'] as const;

const BACKOFF = 15 * 60; // docker's restart backoff grows to minutes; a client restarted later still fails at its start
const RETRY = 10 * 60;

function each(from: readonly string[], to: readonly string[], scope: EdgeScope, maxDelaySec: number, why: string): CausalEdge[] {
  return from.flatMap((f) => to.map((t) => ({ from: f, to: t, scope, maxDelaySec, why })));
}

export const EDGES: readonly CausalEdge[] = [
  // A dependency that cannot start or store: its clients are refused, their reads and writes fail, and they crash-loop.
  ...each(REDIS_OWN_FAULTS, CLIENT_CONNECT_FAILURES, 'dependent', BACKOFF, 'a Redis that cannot load or store its data refuses its clients'),
  ...each(REDIS_OWN_FAULTS, CLIENT_REDIS_ERRORS, 'dependent', BACKOFF, 'a client whose Redis is gone cannot publish or read'),
  ...each(REDIS_OWN_FAULTS, CLIENT_RESTARTS, 'dependent', BACKOFF, 'clients exit when Redis refuses them at start, and docker restarts them'),
  ...each(REDIS_OWN_FAULTS, ['redis.starting'], 'same-service', BACKOFF, 'Redis exits on a file it cannot load and docker restarts it'),
  ...each(POSTGRES_OWN_FAULTS, CLIENT_CONNECT_FAILURES, 'dependent', BACKOFF, 'a PostgreSQL in recovery or re-initialised refuses or drops its clients'),
  ...each(POSTGRES_OWN_FAULTS, CLIENT_PG_ERRORS, 'dependent', BACKOFF, 'writers lose their connection or their tables while PostgreSQL recovers or is re-initialised'),
  ...each(['pg.auth_failed'], ['writer.connect_failed', 'runner.connect_failed', 'writer.persist_failed', 'exec.save_failed', 'exec.database_error', 'runner.daily_report_failed', 'report.generation_failed'], 'dependent', BACKOFF,
    'PostgreSQL refuses the login, so its clients cannot connect or write'),
  // A client that cannot reach its dependency exits (sys.exit) and is restarted: the crash loop is its consequence.
  ...each(CLIENT_CONNECT_FAILURES, CLIENT_RESTARTS, 'same-service', BACKOFF, 'a service that cannot connect at start exits and docker restarts it'),
  ...each(['net.dns_failed', 'redis.auth_failed'], [...CLIENT_RESTARTS, ...CLIENT_REDIS_ERRORS], 'same-service', BACKOFF, 'a service that cannot resolve or log in to Redis exits or cannot publish'),
  ...each(['pg.connection_lost'], ['writer.persist_failed', 'exec.save_failed', 'exec.database_error', 'audit.risk_event_persist_failed'], 'same-service', RETRY,
    'a writer keeps its one lost connection: every later insert fails'),
  ...each(['python.traceback', 'python.thread_exception', 'service.config_error'], CLIENT_RESTARTS, 'same-service', BACKOFF, 'a service that dies on an exception or a bad config is restarted by docker'),
  // The feed: no connection, no market data; no market data, no signals.
  ...each(FEED_FAULTS, FEED_SYMPTOMS, 'same-service', RETRY, 'a feed that cannot connect keeps reconnecting and receives nothing'),
  ...each([...FEED_FAULTS, ...FEED_SYMPTOMS], ['signal.error.market_data'], 'dependent', RETRY, 'the signal engine starves or reads broken market data'),
  // Risk: the bot-shutdown state blocks every later order.
  ...each(['risk.bot_shutdown_event'], ['risk.rejected.bot_shutdown'], 'same-service', RETRY, 'risk rejects every signal while the bot is shut down'),
  ...each(['risk.bot_shutdown_event'], ['exec.bot_shutdown_active'], 'dependent', RETRY, 'execution refuses orders while the bot is shut down'),
  ...each(['risk.state.load_failed'], ['risk.rejected.'], 'same-service', RETRY, 'risk decides on a state it could not load'),
  ...each(['risk.allocation_bootstrap_failed'], ['risk.rejected.no_allocation'], 'same-service', RETRY, 'without a bootstrap allocation every signal lacks one'),
];

/**
 * Classes that are never a cause in themselves, only a sign of one: a restart, a feed that
 * reconnects or receives nothing. When no anomaly in the bundle explains them, the chain says
 * the trigger is not in the bundle.
 */
export const SYMPTOMS: readonly string[] = [...CLIENT_RESTARTS, ...FEED_SYMPTOMS];

/** Does a class match an edge end (an id, or a prefix ending in `.`)? */
export function edgeMatches(end: string, cls: string): boolean {
  return end.endsWith('.') ? cls.startsWith(end) : cls === end;
}
