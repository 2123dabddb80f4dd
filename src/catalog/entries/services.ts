import type { Era } from '../../vocabulary.js';

/** Compose service names of the real stack (formats doc §1), grouped as the catalog names them. */
export const SIGNAL = ['cdb_core', 'cdb_signal'];
export const RISK = ['cdb_risk'];
export const EXEC = ['cdb_execution'];
export const DBW = ['cdb_db_writer'];
export const RUNNER = ['cdb_paper_runner'];
export const WS = ['cdb_ws'];
export const MARKET = ['cdb_market', 'cdb_market_eth'];
export const CANDLES = ['cdb_candles'];
export const REGIME = ['cdb_regime'];
export const ALLOC = ['cdb_allocation'];
export const REPORTS = ['cdb_reports'];
export const REDIS = ['cdb_redis'];
export const POSTGRES = ['cdb_postgres'];
export const MONITORING = ['cdb_prometheus', 'cdb_grafana', 'cdb_loki', 'cdb_promtail', 'cdb_alertmanager', 'cdb_postgres_exporter', 'cdb_redis_exporter', 'cdb_cadvisor'];
/** Any service: library and framework texts. */
export const ALL = ['*'];

export const ABC: Era[] = ['A', 'B', 'C'];
export const BC: Era[] = ['B', 'C'];
export const A: Era[] = ['A'];
export const C: Era[] = ['C'];
export const RUNBOOK: Era[] = ['runbook'];
/** Texts of real services that runbook-style bundles carry as well. */
export const ALL_ERAS: Era[] = ['A', 'B', 'C', 'runbook'];
