/**
 * Every rule, one explicit list sorted by layer (LAYERS order) then id, as ESLint's lib/rules/index.js.
 * registry.test.ts fails when a rule file under rules/<layer>/ is missing here, has no test beside
 * it, or its id/layer disagree with its file name/folder.
 */
import type { RuleDef } from './define-rule.js';
import clockSkew from './rules/system/clock-skew.js';
import connectivityFailures from './rules/system/connectivity-failures.js';
import containerRestarts from './rules/system/container-restarts.js';
import dependencyFaults from './rules/system/dependency-faults.js';
import exceptions from './rules/system/exceptions.js';
import reconnectLoops from './rules/system/reconnect-loops.js';
import redisMemory from './rules/system/redis-memory.js';
import uptime from './rules/system/uptime.js';
import marketDataFlow from './rules/market_data/market-data-flow.js';
import marketDataSilence from './rules/market_data/market-data-silence.js';
import payloadFields from './rules/market_data/payload-fields.js';
import signalErrors from './rules/signal_engine/signal-errors.js';
import signalFilters from './rules/signal_engine/signal-filters.js';
import signalGeneration from './rules/signal_engine/signal-generation.js';
import riskDecisions from './rules/risk/risk-decisions.js';
import riskLimitsConfig from './rules/risk/risk-limits-config.js';
import riskState from './rules/risk/risk-state.js';
import executionOrders from './rules/execution/execution-orders.js';
import executionPersistence from './rules/execution/execution-persistence.js';
import tradeStats from './rules/execution/trade-stats.js';
import twoWriterDuplicates from './rules/execution/two-writer-duplicates.js';
import dbCountsPerDay from './rules/reporting/db-counts-per-day.js';
import persistenceGaps from './rules/reporting/persistence-gaps.js';
import reportMissing from './rules/reporting/report-missing.js';
import reportReconciliation from './rules/reporting/report-reconciliation.js';

export const RULES: RuleDef[] = [
  // system
  clockSkew,
  connectivityFailures,
  containerRestarts,
  dependencyFaults,
  exceptions,
  reconnectLoops,
  redisMemory,
  uptime,
  // market_data
  marketDataFlow,
  marketDataSilence,
  payloadFields,
  // signal_engine
  signalErrors,
  signalFilters,
  signalGeneration,
  // risk
  riskDecisions,
  riskLimitsConfig,
  riskState,
  // execution
  executionOrders,
  executionPersistence,
  tradeStats,
  twoWriterDuplicates,
  // reporting
  dbCountsPerDay,
  persistenceGaps,
  reportMissing,
  reportReconciliation,
];
