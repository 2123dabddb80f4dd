/**
 * Every catalog, one explicit list: the report's core words and one catalog per rule (keys start
 * with the rule id, so a rule's texts live beside each other and two catalogs cannot collide).
 * `catalogs.test.ts` fails naming the keys when a rule has no catalog or a language lacks a key.
 */
import * as core from './core.js';
import * as analysis from './analysis.js';
import * as report from './report.js';
import * as cli from './cli.js';
import * as reconcile from './reconcile.js';
import * as rulesShared from './rules-shared.js';
import * as clockSkew from './rules/clock-skew.js';
import * as connectivityFailures from './rules/connectivity-failures.js';
import * as containerRestarts from './rules/container-restarts.js';
import * as dependencyFaults from './rules/dependency-faults.js';
import * as exceptions from './rules/exceptions.js';
import * as reconnectLoops from './rules/reconnect-loops.js';
import * as redisMemory from './rules/redis-memory.js';
import * as uptime from './rules/uptime.js';
import * as marketDataFlow from './rules/market-data-flow.js';
import * as marketDataSilence from './rules/market-data-silence.js';
import * as payloadFields from './rules/payload-fields.js';
import * as signalErrors from './rules/signal-errors.js';
import * as signalFilters from './rules/signal-filters.js';
import * as signalGeneration from './rules/signal-generation.js';
import * as riskDecisions from './rules/risk-decisions.js';
import * as riskLimitsConfig from './rules/risk-limits-config.js';
import * as riskState from './rules/risk-state.js';
import * as executionOrders from './rules/execution-orders.js';
import * as executionPersistence from './rules/execution-persistence.js';
import * as tradeStats from './rules/trade-stats.js';
import * as twoWriterDuplicates from './rules/two-writer-duplicates.js';
import * as dbCountsPerDay from './rules/db-counts-per-day.js';
import * as persistenceGaps from './rules/persistence-gaps.js';
import * as reportMissing from './rules/report-missing.js';
import * as reportReconciliation from './rules/report-reconciliation.js';

/** The rule catalogs by rule id (the registry test checks every registered rule has one). */
export const RULE_CATALOGS = { 'clock-skew': clockSkew, 'connectivity-failures': connectivityFailures, 'container-restarts': containerRestarts, 'dependency-faults': dependencyFaults, 'exceptions': exceptions, 'reconnect-loops': reconnectLoops, 'redis-memory': redisMemory, 'uptime': uptime, 'market-data-flow': marketDataFlow, 'market-data-silence': marketDataSilence, 'payload-fields': payloadFields, 'signal-errors': signalErrors, 'signal-filters': signalFilters, 'signal-generation': signalGeneration, 'risk-decisions': riskDecisions, 'risk-limits-config': riskLimitsConfig, 'risk-state': riskState, 'execution-orders': executionOrders, 'execution-persistence': executionPersistence, 'trade-stats': tradeStats, 'two-writer-duplicates': twoWriterDuplicates, 'db-counts-per-day': dbCountsPerDay, 'persistence-gaps': persistenceGaps, 'report-missing': reportMissing, 'report-reconciliation': reportReconciliation } as const;

/** Area catalogs by name, for the collision check. */
export const AREA_CATALOGS = { core, analysis, report, cli, reconcile, 'rules-shared': rulesShared, ...RULE_CATALOGS } as const;

export const en = {
  ...core.en,
  ...analysis.en,
  ...report.en,
  ...cli.en,
  ...reconcile.en,
  ...rulesShared.en,
  ...clockSkew.en,
  ...connectivityFailures.en,
  ...containerRestarts.en,
  ...dependencyFaults.en,
  ...exceptions.en,
  ...reconnectLoops.en,
  ...redisMemory.en,
  ...uptime.en,
  ...marketDataFlow.en,
  ...marketDataSilence.en,
  ...payloadFields.en,
  ...signalErrors.en,
  ...signalFilters.en,
  ...signalGeneration.en,
  ...riskDecisions.en,
  ...riskLimitsConfig.en,
  ...riskState.en,
  ...executionOrders.en,
  ...executionPersistence.en,
  ...tradeStats.en,
  ...twoWriterDuplicates.en,
  ...dbCountsPerDay.en,
  ...persistenceGaps.en,
  ...reportMissing.en,
  ...reportReconciliation.en,
} as const;

export type MessageKey = keyof typeof en;

/**
 * Keys whose German text is the English one on purpose: the runbook's German pages keep these
 * names (its layer headings are "Market Data / Screener", "Risk Layer"…). Any other German text
 * equal to the English one of more than two words is an untranslated sentence (a test fails).
 */
export const SAME_IN_BOTH: ReadonlySet<string> = new Set<MessageKey>([
  'layer.system',
  'layer.market_data',
  'layer.signal_engine',
  'layer.risk',
  'layer.execution',
  'layer.reporting',
  // Analysis: an arrow between causes, and a count before a quoted log line.
  'causality.arrow',
  'clockless.line',
  // Skeletons of placeholders and quoted names only: their words come in as nested texts.
  'connectivity-failures.failures',
  'dependency-faults.fault',
  'exceptions.critical',
  // Only placeholders and arrows: the flow line of the block summary (its parts are translated).
  'story.flow',
]);

export const de: Record<MessageKey, string> = {
  ...core.de,
  ...analysis.de,
  ...report.de,
  ...cli.de,
  ...reconcile.de,
  ...rulesShared.de,
  ...clockSkew.de,
  ...connectivityFailures.de,
  ...containerRestarts.de,
  ...dependencyFaults.de,
  ...exceptions.de,
  ...reconnectLoops.de,
  ...redisMemory.de,
  ...uptime.de,
  ...marketDataFlow.de,
  ...marketDataSilence.de,
  ...payloadFields.de,
  ...signalErrors.de,
  ...signalFilters.de,
  ...signalGeneration.de,
  ...riskDecisions.de,
  ...riskLimitsConfig.de,
  ...riskState.de,
  ...executionOrders.de,
  ...executionPersistence.de,
  ...tradeStats.de,
  ...twoWriterDuplicates.de,
  ...dbCountsPerDay.de,
  ...persistenceGaps.de,
  ...reportMissing.de,
  ...reportReconciliation.de,
};
