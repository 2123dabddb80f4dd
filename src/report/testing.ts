/**
 * Fixed report models for renderer tests and the golden files: one incident block shaped like the
 * runbook's own example (risk rejects everything), with everything a report must surface — a
 * not-ingested file, quarantined lines, a rule error, a not-evaluable KPI — and one healthy block.
 * Hand-written rather than analysed from a sample so the golden files change only when the
 * renderer does.
 */
import { LAYER_TITLES, REPORT_SCHEMA_VERSION, validateReport, type ReportModel } from './model.js';

type Layer = ReportModel['layers'][number];
type Counts = ReportModel['flow']['counts'];

const LOG = 'logs/docker_compose_logs.txt';

function layer(id: Layer['id'], status: Layer['status'], metrics: Layer['metrics'], findings: Layer['findings'], rules: [string, Layer['status'], string | null][], key: string[] = [], notes: Record<string, string> = {}): Layer {
  return {
    id,
    title: LAYER_TITLES[id],
    status,
    metrics,
    key_metrics: key,
    metric_notes: notes,
    findings,
    rules: rules.map(([rid, st, missing]) => ({ id: rid, layer: id, title: `Rule ${rid}`, status: st, missing, needs: ['log_events'] })),
  };
}

function funnel(c: Counts): ReportModel['flow']['funnel'] {
  const stages: [ReportModel['flow']['funnel'][number]['stage'], Layer['id']][] = [
    ['market_data_events', 'market_data'],
    ['signals', 'signal_engine'],
    ['risk_approved', 'risk'],
    ['orders', 'execution'],
    ['trades', 'execution'],
    ['persisted_trades', 'reporting'],
  ];
  let prev: number | null = null;
  return stages.map(([stage, l]) => {
    const count = c[stage];
    const pct: number | null = prev === null || prev === 0 ? null : Math.round((count / prev) * 1000) / 10;
    prev = count;
    return { stage, layer: l, count, from_previous_pct: pct };
  });
}

/** The runbook example block: 127 signals, all rejected by the daily drawdown limit. */
export function incidentModel(): ReportModel {
  const counts: Counts = { market_data_events: 18340, signals: 127, risk_approved: 0, risk_rejected: 127, orders: 0, trades: 0, persisted_trades: 0 };
  const perDay = [
    { date: '2025-11-26', market_data_events: 6120, signals: 45, risk_approved: 0, risk_rejected: 45, orders: 0, trades: 0, persisted_trades: 0 },
    { date: '2025-11-27', market_data_events: 6198, signals: 52, risk_approved: 0, risk_rejected: 52, orders: 0, trades: 0, persisted_trades: 0 },
    { date: '2025-11-28', market_data_events: 6022, signals: 30, risk_approved: 0, risk_rejected: 30, orders: 0, trades: 0, persisted_trades: 0 },
  ];
  const drawdown = [
    { file: 'db/risk_events.csv', line: 2, text: 'rejected: Daily Drawdown exceeded (5.2% > 5.0%)' },
    { file: 'db/risk_events.csv', line: 3, text: 'rejected: Daily Drawdown exceeded (5.3% > 5.0%)' },
    { file: 'db/risk_events.csv', line: 128, text: 'rejected: Daily Drawdown exceeded (5.2% > 5.0%)' },
    { file: '.env', line: 23, text: 'MAX_DAILY_DRAWDOWN_PCT=0.05' },
  ];
  const model: ReportModel = {
    schema_version: REPORT_SCHEMA_VERSION,
    lang: 'en',
    tool: { name: 'cdb-forensics', version: '0.1.0' },
    generated_at: '2025-12-01T08:00:00.000Z',
    block: {
      from: '2025-11-26T00:00:00.000Z',
      to: '2025-11-28T23:59:59.999Z',
      zone: 'UTC',
      era: 'A',
      dialect: 'runbook',
      days: ['2025-11-26', '2025-11-27', '2025-11-28'],
      evidence: { from: 'first timed log record', to: 'last timed log record', era: 'container cdb_core', dialect: 'table risk_events' },
    },
    manifest: {
      files: [
        { path: '.env', sha256: '60bc2eacfb10389fd65dd8706f169ee70d0d7b721bb1aeb4d0fb96fd3988ef59', bytes: 1270, parser: 'dotenv', records: 30, quarantined: 0, status: 'ingested', lines: 42, structural: 12, message: null },
        { path: 'db/risk_events.csv', sha256: '455ca57bcf5f8561cb05bc7509529e5fcb1f4ef67e2ce4b643da63665feeb539', bytes: 9434, parser: 'psql-csv', records: 127, quarantined: 0, status: 'ingested', lines: 128, structural: 1, message: null },
        { path: LOG, sha256: 'ee51929261a9a319900b298627f030d1802af0ebad0e25e77200c187a8267ba2', bytes: 535451, parser: 'compose-logs', records: 3048, quarantined: 2, status: 'ingested', lines: 3125, structural: 75, message: null },
        { path: 'notes/operator-notes.docx', sha256: 'b13e9d6759cd0e1c2a77f2b0f4c8c1f6e3f9a1b2c3d4e5f60718293a4b5c6d7e', bytes: 20480, parser: null, records: 0, quarantined: 0, status: 'binary', lines: 0, structural: 0, message: 'binary file: not ingested — if it is evidence, export it as text' },
        { path: 'redis/subscribe_market_data.txt', sha256: '48801c760f4613b3b1c7a2e0a3a04a0b2c1d3e4f5a6b7c8d9e0f1a2b3c4d5e6f', bytes: 4096000, parser: 'redis-subscribe', records: 18340, quarantined: 1, status: 'partial', lines: 55024, structural: 36683, message: 'truncated gzip stream after 4096000 bytes' },
      ],
    },
    quarantine: {
      total: 3,
      files: [
        { file: LOG, count: 2 },
        { file: 'redis/subscribe_market_data.txt', count: 1 },
      ],
      entries: [
        { file: LOG, line: 812, reason: 'no container prefix ("name | ") on a compose log line', excerpt: 'Traceback (most recent call last): | File "service.py"' },
        { file: LOG, line: 813, reason: 'no container prefix ("name | ") on a compose log line', excerpt: '  KeyError: `pct_change`' },
        { file: 'redis/subscribe_market_data.txt', line: 55024, reason: 'incomplete reply at end of file', excerpt: null },
      ],
      truncated: false,
    },
    summary: { max_severity: 'critical', findings: { info: 1, low: 1, medium: 1, high: 1, critical: 1 }, status: 'fail' },
    layers: [
      layer('system', 'warn', { restarts_total: 0, containers_with_uptime: 9, uptime_avg_pct: 99.8, maxmemory_policy: 'allkeys-lru', evicted_keys: null }, [
        {
          id: 'redis-memory:maxmemory-lines',
          rule: 'redis-memory',
          subject: 'maxmemory-lines',
          severity: 'low',
          message: '3 "maxmemory reached" warnings on day 2 around 14:30 UTC',
          evidence: [{ file: LOG, line: 679, text: 'cdb_redis | 27 Nov 2025 14:30:02.118 # WARNING maxmemory reached' }],
        },
      ], [
        ['container-restarts', 'ok', null],
        ['redis-memory', 'warn', null],
      ], ['restarts_total', 'evicted_keys']),
      layer('market_data', 'ok', { events: 18340, events_per_min: 4.2, distinct_symbols: 47 }, [
        {
          id: 'market-data-flow:flow',
          rule: 'market-data-flow',
          subject: 'flow',
          severity: 'info',
          message: '18340 market_data events, 47 distinct symbols',
          evidence: [{ file: 'redis/subscribe_market_data.txt', line: 4, text: '{"symbol": "BTCUSDT", "price": 91234.5}' }],
        },
      ], [['market-data-flow', 'ok', null]], ['events', 'events_per_min'], { events: 'sample: 1-minute redis capture', events_per_min: 'sample: 1-minute redis capture' }),
      layer('signal_engine', 'warn', { signals: 127, conversion_rate_pct: 0.69 }, [
        {
          id: 'signal-filters:threshold',
          rule: 'signal-filters',
          subject: 'threshold',
          severity: 'medium',
          message: 'Only 0.69 % of market data events become signals | threshold SIGNAL_THRESHOLD_PCT=3',
          evidence: [{ file: '.env', line: 17, text: 'SIGNAL_THRESHOLD_PCT=3' }],
        },
      ], [['signal-filters', 'warn', null]], ['signals'], { signals: 'source: db' }),
      layer('risk', 'fail', { approved: 0, rejected: 127, approval_rate_pct: 0, top_reason: 'Daily Drawdown exceeded' }, [
        {
          id: 'risk-decisions:all-rejected',
          rule: 'risk-decisions',
          subject: 'all-rejected',
          severity: 'critical',
          message: 'Every one of 127 decisions is a rejection; nothing reaches execution.',
          evidence: drawdown,
        },
        {
          id: 'risk-decisions:reason:drawdown',
          rule: 'risk-decisions',
          subject: 'reason:drawdown',
          severity: 'high',
          message: 'Reject reason #1: Daily Drawdown exceeded — 127 of 127 rejections (100 %).',
          evidence: drawdown.slice(0, 1),
        },
      ], [
        ['risk-decisions', 'fail', null],
        ['risk-state', 'ok', null],
      ], ['approved', 'rejected', 'approval_rate_pct']),
      layer('execution', 'not_evaluable', { orders_published: 0, fills: null }, [], [['execution-orders', 'not_evaluable', 'no approved order in the block (nothing reached execution)']]),
      layer('reporting', 'ok', { reports_present: 3, mismatched: 0 }, [], [
        ['report-reconciliation', 'ok', null],
        ['persistence-gaps', 'not_evaluable', 'no trades dump'],
      ]),
    ],
    flow: {
      break_layer: 'risk',
      break_stage: 'risk_approved',
      break_at: null,
      break_reason: 'no risk approved in any of the 72 observed block hours while its upstream flowed (127 events)',
      break_evidence: [{ file: 'logs/docker_compose_logs.txt', line: 23, text: '2025-11-26 00:49:33,255 [WARNING] risk_manager: ❌ Signal rejected (sig_1001): Daily Drawdown exceeded (5.2% > 5.0%)' }],
      hourly: [
        { hour: '2025-11-26T00', stage: 'risk_approved', class: '', n: 0, source: 'db', in_block: true, observed: true },
        { hour: '2025-11-26T00', stage: 'signals', class: '', n: 2, source: 'db', in_block: true, observed: true },
        { hour: '2025-11-26T00', stage: 'market_data', class: '', n: 0, source: 'subscribe', in_block: true, observed: false },
        { hour: '2025-11-26T01', stage: 'market_data', class: '', n: 0, source: 'subscribe', in_block: true, observed: false },
        { hour: '2025-11-26T01', stage: 'risk_approved', class: '', n: 0, source: 'db', in_block: true, observed: true },
        { hour: '2025-11-26T01', stage: 'signals', class: '', n: 3, source: 'db', in_block: true, observed: true },
        { hour: '2025-11-26T02', stage: 'market_data', class: '', n: 260, source: 'subscribe', in_block: true, observed: true },
        { hour: '2025-11-26T02', stage: 'risk_approved', class: '', n: 0, source: 'db', in_block: true, observed: true },
        { hour: '2025-11-26T02', stage: 'signals', class: '', n: 2, source: 'db', in_block: true, observed: true },
      ],
      counts,
      per_day: perDay,
      sources: { market_data: 'subscribe', signals: 'db', risk_decisions: 'db', orders: 'none', trades: 'db' },
      funnel: funnel(counts),
      floors: [],
    },
    hypotheses: [
      {
        rank: 1,
        cause: 'risk.drawdown_limit',
        layer: 'risk',
        title: 'Daily drawdown limit too strict',
        likelihood: 'very_likely',
        evidence: drawdown,
        why: '127 of 127 rejections carry this reason and no signal was approved.',
        rules: ['risk-decisions'],
        started_at: '2025-11-26T00:49:33Z',
        consequence_of: null,
        consequences: [
          { cause: 'execution.no_orders', title: 'No order reaches execution', started_at: '2025-11-26T00:49:33Z', evidence: [drawdown[0]] },
        ],
        chain: 'Daily drawdown limit too strict (from 2025-11-26T00:49:33Z) → No order reaches execution (from 2025-11-26T00:49:33Z)',
      },
      {
        rank: 2,
        cause: 'signal.threshold',
        layer: 'signal_engine',
        title: 'Signal threshold too high',
        likelihood: 'possible',
        evidence: [{ file: '.env', line: 17, text: 'SIGNAL_THRESHOLD_PCT=3' }],
        why: null,
        rules: ['signal-filters'],
        started_at: null,
        consequence_of: null,
        consequences: [],
        chain: '',
      },
      {
        rank: 3,
        cause: 'system.redis_memory',
        layer: 'system',
        title: 'Redis memory pressure',
        likelihood: 'unlikely',
        evidence: [{ file: LOG, line: 679, text: 'cdb_redis | 27 Nov 2025 14:30:02.118 # WARNING maxmemory reached' }],
        why: 'only warnings, no measured impact on the event flow',
        rules: ['redis-memory'],
        started_at: '2025-11-27T14:30:02Z',
        consequence_of: null,
        consequences: [],
        chain: '',
      },
    ],
    todos: [
      { category: 'RISK', title: 'Check why the daily loss stays beyond the limit before raising MAX_DAILY_DRAWDOWN_PCT', priority: 'high', effort: 'quick_win', where: '.env line 23', cause: 'risk.drawdown_limit' },
      { category: 'CONFIG', title: 'Lower SIGNAL_THRESHOLD_PCT from 3 to 2', priority: 'medium', effort: 'quick_win', where: '.env line 17', cause: 'signal.threshold' },
      { category: 'MONITORING', title: 'Add the top reject reasons to the daily report', priority: 'medium', effort: 'larger', where: 'services/cdb_paper_runner/service.py', cause: null },
      { category: 'CODE', title: 'Log drawdown value, limit and delta on every rejection', priority: 'medium', effort: 'larger', where: 'services/cdb_risk/service.py lines 123-145', cause: null },
      { category: 'CONFIG', title: 'Raise --maxmemory of cdb_redis to 512mb', priority: 'low', effort: 'quick_win', where: 'docker-compose.yml cdb_redis command', cause: 'system.redis_memory' },
    ],
    verification: [
      { id: 'risk-approved', title: 'At least 10 approved signals', kind: 'sql', check: 'SELECT COUNT(*) FROM risk_events WHERE approved = 1 AND in_block = 1', expect: { op: '>=', value: 10 } },
      { id: 'no-drawdown-rejections', title: 'No "Daily Drawdown exceeded" rejections', kind: 'log', check: 'Daily Drawdown exceeded', expect: { op: '==', value: 0 } },
      { id: 'signals-total', title: 'Signals rise by about 30 %', kind: 'sql', check: 'SELECT COUNT(*) FROM trading_signals WHERE in_block = 1', expect: { op: '==', value: 165, tolerance: 15 } },
    ],
    kpis: [
      { metric: 'signals_total', label: 'Signals (total)', value: 127, target: 100, comparison: '>', status: 'ok', note: null },
      { metric: 'signals_per_day', label: 'Signals per day (mean)', value: 42.3, target: 30, comparison: '>', status: 'ok', note: '127 over 3 day(s)' },
      { metric: 'risk_approved', label: 'Approved by risk', value: 0, target: 10, comparison: '>', status: 'fail', note: null },
      { metric: 'trades', label: 'Paper trades executed', value: 0, target: 10, comparison: '>', status: 'fail', note: null },
      { metric: 'market_data_events', label: 'Market data events', value: 18340, target: 10000, comparison: '>', status: 'not_evaluable', note: 'sample: 1-minute redis capture — not graded against a whole-block target' },
    ],
    reconciliation: [
      {
        date: '2025-11-27', metric: 'signals', report_kind: 'paper_runner', report_value: 45, db_value: 45, matches: false, explanation: 'window',
        interpretation: 'previous_utc_day', interpretations_matching: ['previous_utc_day', 'rolling_24h', 'runner_start_day'], complete: false, close: false,
        counting: 'dedup', generated_at: '2025-11-27T00:00:00.057Z', zone: 'UTC (container clock)', note: null,
        candidates: [
          { interpretation: 'named_day_utc', from: '2025-11-27T00:00:00.000Z', to: '2025-11-27T00:00:00.057Z', raw: 0, dedup: 0, label: 'the UTC day 2025-11-27' },
          { interpretation: 'previous_utc_day', from: '2025-11-26T00:00:00.000Z', to: '2025-11-26T23:59:59.999Z', raw: 45, dedup: 45, label: 'the previous UTC day 2025-11-26' },
        ],
        evidence: [{ file: 'reports/daily_report_2025-11-27.eml', line: 26 }],
      },
      {
        date: null, metric: 'signals', report_kind: 'daily_check', report_value: null, db_value: null, matches: false, explanation: 'report_failed',
        interpretation: null, interpretations_matching: [], complete: true, close: false, counting: null, generated_at: '2025-11-28T20:12:00.000Z',
        zone: 'host local (CET/CEST, assumed)', note: 'Portfolio check failed: fe_sendauth: no password supplied <host>', candidates: [],
        evidence: [{ file: 'notes/report_20251128.md', line: 31 }],
      },
    ],
    timeline: [
      { at: '2025-11-26T00:00:12Z', kind: 'restart', service: 'cdb_risk', title: 'cdb_risk started', count: 1, evidence: [{ file: LOG, line: 4, text: '2025-11-26 00:00:12,001 [INFO] risk_manager: Risk Manager gestartet' }], clock: null },
      { at: '2025-11-26T00:49:33Z', kind: 'rejection_first', service: 'cdb_risk', title: 'first rejection for drawdown (127 in the block)', count: 1, evidence: [{ file: LOG, line: 23, text: '2025-11-26 00:49:33,255 [WARNING] risk_manager: ❌ Signal rejected (sig_1001): Daily Drawdown exceeded (5.2% > 5.0%)' }], clock: { label: 'application clock vs docker --timestamps stamp', offset_s: 3600 } },
      { at: '2025-11-28T20:12:00Z', kind: 'report', service: null, title: 'daily check report generated — it failed', count: 1, evidence: [{ file: 'notes/report_20251128.md', line: 31, text: 'Portfolio check failed: <script>alert(1)</script>' }], clock: { label: 'report header in host local (CET/CEST, assumed), shown in UTC', offset_s: null } },
    ],
    coverage: {
      rules_run: 10,
      evaluated: 7,
      not_evaluable: [
        { rule: 'execution-orders', layer: 'execution', missing: 'no approved order in the block (nothing reached execution)' },
        { rule: 'persistence-gaps', layer: 'reporting', missing: 'no trades dump' },
      ],
      errors: [{ rule: 'trade-stats', message: 'no such column: pnl' }],
      classification: {
        catalog_version: 1,
        services: [
          { service: 'cdb_risk', records: 554, unmatched: 0, unmatched_pct: 0, example: null },
          { service: 'cdb_ws', records: 374, unmatched: 2, unmatched_pct: 0.5, example: { file: 'logs/ws.log', line: 17, text: 'unknown <b>screener</b> line | with a pipe' } },
        ],
      },
    },
    snapshots: [
      { kind: 'redis_capture', file: 'redis/subscribe_market_data.txt', line: 1, captured_at: '2025-11-28T16:20:30Z', captured_by: 'last subscribe event', during_block: true, when: 'during_block', first_event: '2025-11-28T16:20:00Z', last_event: '2025-11-28T16:20:30Z' },
      { kind: 'containers', file: 'ps/compose_ps.json', line: 1, captured_at: '2025-11-29T08:14:00Z', captured_by: 'CreatedAt + RunningFor ("3 days ago", to the day)', during_block: false, when: 'at_collection', first_event: null, last_event: null },
      { kind: 'redis_info', file: 'redis/info.txt', line: 1, captured_at: null, captured_by: null, during_block: null, when: 'unknown', first_event: null, last_event: null },
    ],
  };
  return validateReport(model);
}

/** A block where everything flowed: no break layer, nothing failed, nothing quarantined. */
export function healthyModel(): ReportModel {
  const counts: Counts = { market_data_events: 250000, signals: 180, risk_approved: 60, risk_rejected: 120, orders: 60, trades: 58, persisted_trades: 58 };
  const day = (date: string) => ({
    date,
    market_data_events: 125000,
    signals: 90,
    risk_approved: 30,
    risk_rejected: 60,
    orders: 30,
    trades: 29,
    persisted_trades: 29,
  });
  const m = incidentModel();
  const layers = m.layers.map((l) => ({ ...l, status: 'ok' as const, findings: [], rules: l.rules.map((r) => ({ ...r, status: 'ok' as const, missing: null })) }));
  return validateReport({
    ...m,
    block: { ...m.block, from: '2025-12-01T00:00:00.000Z', to: '2025-12-02T23:59:59.999Z', days: ['2025-12-01', '2025-12-02'] },
    manifest: { files: m.manifest.files.filter((f) => f.status === 'ingested').map((f) => ({ ...f, lines: f.lines - f.quarantined, quarantined: 0 })) },
    quarantine: { total: 0, files: [], entries: [], truncated: false },
    summary: { max_severity: null, findings: { info: 0, low: 0, medium: 0, high: 0, critical: 0 }, status: 'ok' },
    layers,
    flow: {
      break_layer: null,
      break_stage: null,
      break_at: null,
      break_reason: null,
      break_evidence: [],
      hourly: [],
      counts,
      per_day: [day('2025-12-01'), day('2025-12-02')],
      sources: { market_data: 'monitor', signals: 'db', risk_decisions: 'db', orders: 'db', trades: 'db' },
      funnel: funnel(counts),
      floors: [],
    },
    hypotheses: [],
    todos: [],
    verification: [],
    kpis: m.kpis.map((k) => ({ ...k, value: k.target + 1, status: 'ok' as const, note: null })),
    reconciliation: [],
    timeline: [],
    coverage: { rules_run: 10, evaluated: 10, not_evaluable: [], errors: [], classification: { catalog_version: 1, services: [] } },
    snapshots: [],
  });
}
