/**
 * Which service needs which: the one place the analysis learns that a Redis or PostgreSQL fault
 * reaches a client. From the compose files of each era (formats doc §1, architecture doc): every
 * pipeline service talks pub/sub or streams through Redis; the writers, execution (it saves its
 * own orders), the paper runner, the reports service and (era C) risk's audit write PostgreSQL.
 */
import type { Era } from '../vocabulary.js';
import { ALLOC, CANDLES, DBW, EXEC, MARKET, POSTGRES, REDIS, REGIME, REPORTS, RISK, RUNNER, SIGNAL, WS } from './entries/services.js';

export interface Dependency {
  /** The dependency's compose service (its own log names the trigger). */
  service: string;
  /**
   * How its clients' error texts name it (`cdb_redis:6379`, `fe_sendauth`): a client's failure is
   * against this dependency when its text matches. Absent for a pipeline stage (its clients only
   * starve of its data).
   */
  mentions?: RegExp;
  /** Its clients per era. */
  clients: Record<Era, readonly string[]>;
}

const REDIS_CLIENTS_A = ['cdb_ws', 'cdb_core', ...RISK, ...EXEC, ...DBW, ...RUNNER];
const REDIS_CLIENTS_BC = [...WS, ...MARKET, ...SIGNAL, ...CANDLES, ...REGIME, ...ALLOC, ...RISK, ...EXEC, ...DBW, ...RUNNER];
const PG_CLIENTS_A = [...EXEC, ...DBW, ...RUNNER];
const PG_CLIENTS_B = [...EXEC, ...DBW, ...RUNNER, ...REPORTS];
// Era C's risk manager writes risk_events and the correlation ledger itself (formats doc §1, extra tables).
const PG_CLIENTS_C = [...PG_CLIENTS_B, ...RISK];

export const DEPENDENCIES: readonly Dependency[] = [
  {
    service: REDIS[0],
    mentions: /redis|:6379\b|NOAUTH|WRONGPASS/i,
    clients: { A: REDIS_CLIENTS_A, B: REDIS_CLIENTS_BC, C: REDIS_CLIENTS_BC, runbook: [...new Set([...REDIS_CLIENTS_A, ...REDIS_CLIENTS_BC])] },
  },
  {
    service: POSTGRES[0],
    mentions: /postgres|:5432\b|psycopg|fe_sendauth|password authentication failed|server closed the connection|connection already closed|Database/i,
    clients: { A: PG_CLIENTS_A, B: PG_CLIENTS_B, C: PG_CLIENTS_C, runbook: [...new Set([...PG_CLIENTS_A, ...PG_CLIENTS_C])] },
  },
  // The data flow: the signal engine consumes the feed's market_data, risk the signals, execution risk's orders.
  { service: WS[0], clients: { A: ['cdb_core'], B: SIGNAL, C: SIGNAL, runbook: SIGNAL } },
  ...MARKET.map((service) => ({ service, clients: { A: [], B: SIGNAL, C: SIGNAL, runbook: SIGNAL } })),
  ...SIGNAL.map((service) => ({ service, clients: { A: RISK, B: RISK, C: RISK, runbook: RISK } })),
  { service: RISK[0], clients: { A: EXEC, B: EXEC, C: EXEC, runbook: EXEC } },
];

/**
 * A client failure whose own text names its cause (a password that does not reach it, a host
 * name that does not resolve): the dependency is fine, so its log is no trigger to look for.
 */
export const CLIENT_SIDE_CAUSE = /Authentication required|NOAUTH|WRONGPASS|invalid password|fe_sendauth|password authentication failed|Name or service not known|Temporary failure in name resolution|Error -[23] connecting|could not translate host name/i;

/** The dependency a service is, if any. */
export function dependencyOf(service: string): Dependency | null {
  return DEPENDENCIES.find((d) => d.service === service) ?? null;
}

/** Does `client` depend on `service`? Unknown era: any era's list counts. */
export function dependsOn(client: string, service: string, era: Era | string | null): boolean {
  const d = dependencyOf(service);
  if (!d) return false;
  const lists = era && era in d.clients ? [d.clients[era as Era]] : Object.values(d.clients);
  return lists.some((l) => l.includes(client));
}
