import { LOG_STORED_COLUMNS } from './log-shape.js';

/**
 * The raw evidence tables parsers write into (one row per record, each with its source file
 * and first line). The canonical model (src/model/) is derived from these.
 * Times: `ts` columns are ISO 8601 UTC text with milliseconds (`2025-11-30T14:02:11.907Z`);
 * `*_text` keeps the original text; `ts_zone` names the zone that was assumed to read it.
 * These are the columns as readers see them: log_events stores five of them packed and
 * reads them through generated columns (src/db/log-shape.ts): a copy of its rows names
 * `storedColumns('log_events')`, never these.
 */
export const RAW_TABLES: Record<string, { columns: Record<string, 'TEXT' | 'REAL' | 'INTEGER'>; doc: string }> = {
  log_events: {
    doc: 'One record per log entry (multi-line records joined with \\n in `message`).',
    columns: {
      service: 'TEXT', // compose service / container name without `-1` (cdb_risk)
      ts: 'TEXT', // best UTC time: application asctime read as UTC, else the docker stamp
      ts_text: 'TEXT', // original application time text, if any
      ts_zone: 'TEXT', // 'UTC (assumed)' (containers set no TZ) | 'UTC' | null
      docker_ts: 'TEXT', // docker --timestamps / json-file `time`, ISO UTC
      level: 'TEXT', // DEBUG|INFO|WARNING|ERROR|CRITICAL (postgres: LOG/ERROR/FATAL; redis: notice/warning...)
      logger: 'TEXT',
      message: 'TEXT',
      kind: 'TEXT', // app | health_poll | print | redis | postgres | wrapper | report | continuation | stderr_block | console_command | console_output
      format: 'TEXT', // bracket | dash | plain-name | ws-nomillis | print | werkzeug | redis | postgres | reports-print | unformatted
      stream: 'TEXT', // stdout | stderr | null
      class: 'TEXT', // event class of src/catalog (risk.approved, feed.ws_error, ...); null = no entry matched
    },
  },
  redis_messages: {
    doc: 'One row per pub/sub message, MONITOR command, stream entry or paper-runner JSONL event.',
    columns: {
      source: 'TEXT', // subscribe | psubscribe | monitor | xrange | jsonl
      channel: 'TEXT', // channel or stream key
      pattern: 'TEXT',
      command: 'TEXT', // MONITOR command (PUBLISH, XADD, ...)
      ts: 'TEXT', // capture clock: MONITOR time, stream-id time, JSONL timestamp (ISO UTC)
      stream_id: 'TEXT',
      payload: 'TEXT', // JSON text as published (secrets redacted)
      msg_type: 'TEXT',
      symbol: 'TEXT', // as published (BTC_USDT)
      price: 'REAL',
      volume: 'REAL',
      pct_change: 'REAL',
      side: 'TEXT',
      signal_type: 'TEXT',
      confidence: 'REAL',
      signal_id: 'TEXT',
      strategy_id: 'TEXT',
      order_id: 'TEXT',
      client_id: 'TEXT',
      status: 'TEXT',
      reason: 'TEXT',
      approved: 'INTEGER',
      code: 'TEXT', // alert code
      level: 'TEXT', // alert level
      quantity: 'REAL',
      payload_ts: 'TEXT', // payload timestamp / ts_ms as ISO UTC
    },
  },
  redis_info: {
    doc: 'redis-cli INFO key/value pairs.',
    columns: { section: 'TEXT', key: 'TEXT', value: 'TEXT' },
  },
  redis_kv: {
    doc: 'Small redis-cli answers: XLEN, XINFO STREAM fields, PUBSUB NUMSUB/CHANNELS/NUMPAT.',
    columns: { kind: 'TEXT', key: 'TEXT', field: 'TEXT', value: 'TEXT' },
  },
  daily_report_values: {
    doc: 'One row per value printed in a daily report (paper runner block or mail, daily_check.py Markdown, cdb_reports).',
    columns: {
      report_kind: 'TEXT', // paper_runner | daily_check | cdb_reports
      report_date: 'TEXT', // YYYY-MM-DD as printed
      generated_at: 'TEXT', // ISO UTC when the zone is known, else as printed
      generated_text: 'TEXT',
      zone: 'TEXT', // zone as printed / assumed
      section: 'TEXT',
      key: 'TEXT', // Signals Today, Trades Today, Events Logged, ...
      value_text: 'TEXT',
      value_num: 'REAL',
      derived: 'INTEGER', // 1 when the model builder extracted it from a log record (rebuilt on every build)
    },
  },
  containers: {
    doc: 'Container state from docker compose ps (table or JSON), docker inspect, /status JSON.',
    columns: {
      source: 'TEXT', // compose_ps_table | compose_ps_json | inspect
      name: 'TEXT',
      service: 'TEXT',
      project: 'TEXT',
      image: 'TEXT',
      state: 'TEXT', // running | exited | restarting | ...
      status: 'TEXT', // as printed
      health: 'TEXT', // healthy | unhealthy | starting | null
      exit_code: 'INTEGER',
      running_for: 'TEXT',
      created_at: 'TEXT',
      started_at: 'TEXT',
      restart_count: 'INTEGER',
      up_seconds: 'REAL', // parsed from "Up 4 hours" (approximate)
    },
  },
  settings: {
    doc: 'Configuration: .env lines, docker inspect Env, limits the services printed at startup.',
    columns: {
      source: 'TEXT', // env | inspect_env | startup
      service: 'TEXT',
      key: 'TEXT',
      value: 'TEXT', // secret values are replaced by ‹redacted:xxxxxxxx›
      is_secret: 'INTEGER',
      derived: 'INTEGER', // 1 when the model builder extracted it from a log record (startup limits)
    },
  },
  service_status: {
    doc: 'Counters from a service /status JSON (signals_generated, orders_approved, ...).',
    columns: { service: 'TEXT', key: 'TEXT', value: 'TEXT' },
  },
};

/**
 * Columns whose values a parser builds itself from a closed vocabulary or a strict time pattern
 * (never free text copied from the evidence). The writer does not pass them through secret
 * redaction: they cannot hold a credential, and a numeric password must not rewrite a timestamp.
 */
export const CONSTRUCTED_COLUMNS: Record<string, ReadonlySet<string>> = {
  log_events: new Set(['ts', 'ts_text', 'ts_zone', 'docker_ts', 'level', 'kind', 'format', 'stream', 'class']),
  redis_messages: new Set(['source', 'ts', 'payload_ts']),
};

/** The stored columns of a raw table, `id` left out: what a copy of its rows from one table into another names. */
export function storedColumns(table: string): string[] {
  if (table === 'log_events') return [...LOG_STORED_COLUMNS];
  return ['file_id', 'line_no', 'line_count', ...Object.keys(RAW_TABLES[table].columns), 'in_block'];
}
