/**
 * Rules that read captures and snapshots judge each at its own capture time: after the block it is
 * the state at collection (never block activity, and the finding says so); before a repair it is
 * not the state at the end.
 */
import { describe, expect, it } from 'vitest';
import type { RuleDef } from '../../define-rule.js';
import { spoken, TestDb } from '../../testing.js';
import { addLogs, addMarket, addSetting, at, BLOCK_TO, fileId } from '../../rule-testing.js';
import containerRestarts from '../system/container-restarts.js';
import redisMemory from '../system/redis-memory.js';
import uptime from '../system/uptime.js';
import marketDataFlow from '../market_data/market-data-flow.js';
import payloadFields from '../market_data/payload-fields.js';

type Setup = (t: TestDb) => void;
const AFTER = Date.parse(BLOCK_TO) + 8 * 3_600_000 + 14 * 60_000 + 1; // 2025-11-29 08:14Z, the analyst's collection

/** A docker ps table inside a host report (its clock is the report's generation time). */
function psInReport(t: TestDb, generated: string, svc: string, state: string, status: string): void {
  const f = fileId(t, `reports/report_${generated.slice(0, 10)}.md`);
  t.insert('daily_report_values', { file_id: f, report_kind: 'daily_check', generated_at: generated, key: 'Signals Today', value_num: 1 });
  t.insert('containers', { file_id: f, source: 'daily_check_ps', name: svc, service: svc, state, status });
}

function infoAt(t: TestDb, capturedMs: number, kv: Record<string, string>): void {
  const f = fileId(t, 'redis/info.txt');
  t.insert('redis_info', { file_id: f, section: 'Server', key: 'server_time_usec', value: String(capturedMs * 1000) });
  for (const [key, value] of Object.entries(kv)) t.insert('redis_info', { file_id: f, section: 'Memory', key, value });
}

describe('rules judge captures at their own capture time', () => {
  it.each<[string, RuleDef, Setup, string, RegExp, string | null, string]>([
    ['a restart loop in a snapshot taken before a repair is not the state at the end', containerRestarts, (t) => {
      psInReport(t, at(600), 'cdb_risk', 'restarting', 'Restarting (1) 5 seconds ago');
      addLogs(t, { service: 'cdb_risk', message: '📨 Signal empfangen: BTC_USDT BUY' }, 700, 4000, 30);
    }, 'restarting.cdb_risk', /^at 2025-11-26 10:00 UTC, during the block: cdb_risk was in a restart loop \(Restarting \(1\) 5 seconds ago\); its log after that runs on \(\d+ records until 2025-11-28 \d\d:\d\d UTC, 0 restarts\): not the state at the end of the block$/, 'medium', 'warn'],
    ['a restart loop in a snapshot with nothing after it stays the state at the end', containerRestarts, (t) => {
      psInReport(t, at(600), 'cdb_risk', 'restarting', 'Restarting (1) 5 seconds ago');
    }, 'restarting.cdb_risk', /^at 2025-11-26 10:00 UTC, during the block: cdb_risk is in a restart loop/, 'critical', 'fail'],
    ['a restart loop at collection says so', containerRestarts, (t) => {
      psInReport(t, new Date(AFTER).toISOString(), 'cdb_risk', 'restarting', 'Restarting (1) 5 seconds ago');
    }, 'restarting.cdb_risk', /^at collection, 2025-11-29 08:14 UTC: cdb_risk is in a restart loop/, 'critical', 'fail'],
    ['INFO at collection: memory is the state then', redisMemory, (t) => {
      infoAt(t, AFTER, { used_memory: '260000000', maxmemory: '268435456', maxmemory_policy: 'allkeys-lru', evicted_keys: '0' });
    }, 'used-memory', /^at collection, 2025-11-29 08:14 UTC: Redis uses 96\.9 % of maxmemory/, 'medium', 'warn'],
    ['INFO at collection, Redis restarted after the block: no restart in it', uptime, (t) => {
      infoAt(t, AFTER, { uptime_in_seconds: '3600' });
    }, 'redis-uptime', /^at collection, 2025-11-29 08:14 UTC: Redis has been up 1 h, since about 2025-11-29 07:14 UTC — after the block, not a restart in it$/, 'info', 'ok'],
    ['INFO at collection, Redis restarted inside the block: dated', uptime, (t) => {
      infoAt(t, AFTER, { uptime_in_seconds: String(2 * 86_400) });
    }, 'redis-uptime', /^at collection, 2025-11-29 08:14 UTC: Redis has been up 2 d.*since about 2025-11-27 08:14 UTC: it \(re\)started during the block/, 'medium', 'warn'],
    ['market data captured only after the block: payload fields are the state at collection', payloadFields, (t) => {
      for (let i = 0; i < 20; i++) addMarket(t, { ts: new Date(AFTER + i * 1000).toISOString(), volume: 0, file: 'redis/subscribe_after.txt' });
      addSetting(t, 'SIGNAL_MIN_VOLUME', '100000');
    }, 'volume', /^at collection, 2025-11-29 08:14:\d\d UTC: volume is 0 in 100 % of 20 market data events captured after the block, while the signal engine requires a volume of at least 100000/, 'critical', 'fail'],
    ['no market data in the block; a capture after it is named as such, never counted', marketDataFlow, (t) => {
      addLogs(t, { service: 'cdb_ws', message: 'Noch keine Daten – warte auf Klines' }, 10, 4300, 60);
      for (let i = 0; i < 5; i++) addMarket(t, { ts: new Date(AFTER + i * 1000).toISOString(), file: 'redis/subscribe_after.txt' });
    }, 'no-market-data', /at collection, 2025-11-29 08:14:\d\d UTC: a capture taken after the block shows 5 market_data messages — the feed published then, which is not block activity/, 'critical', 'fail'],
  ])('%s', (_n, rule, setup, subject, message, severity, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(rule.check(t.context()));
    const f = (r.findings ?? []).find((x) => x.subject === subject);
    expect(f, JSON.stringify(r.findings?.map((x) => x.subject))).toBeDefined();
    expect(f!.message).toMatch(message);
    if (severity) expect(f!.severity).toBe(severity);
    expect(r.status).toBe(status);
  });

  it('the market-data flow rule never counts a post-block capture as block events', () => {
    const t = new TestDb();
    for (let i = 0; i < 5; i++) addMarket(t, { ts: new Date(AFTER + i * 1000).toISOString(), file: 'redis/subscribe_after.txt' });
    const r = marketDataFlow.check(t.context());
    expect(r.metrics?.events ?? null).not.toBe(5);
  });
});
