import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import parser, { inferService } from './status-json.js';

const RISK = {
  started_at: '2025-12-21T18:02:11.100000',
  signals_received: 120,
  orders_approved: 0,
  orders_blocked: 120,
  alerts_generated: 120,
  last_order_result: null,
  status: 'running',
  risk_state: { total_exposure: 5120.4, daily_pnl: 0.0, circuit_breaker: false, positions: { BTC_USDT: 0.1 }, last_prices: {} },
};

describe('status-json', () => {
  it('flattens a pretty-printed risk /status into cdb_risk rows', async () => {
    const text = JSON.stringify(RISK, null, 2);
    const run = await runParser(parser, text, 'status.json');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const kv = Object.fromEntries(run.rows.map((r) => [r.values.key, r.values.value]));
    expect(kv).toMatchObject({
      signals_received: '120',
      orders_approved: '0',
      orders_blocked: '120',
      last_order_result: null,
      'risk_state.total_exposure': '5120.4',
      'risk_state.circuit_breaker': 'false',
      'risk_state.positions.BTC_USDT': '0.1',
      'risk_state.last_prices': '{}',
    });
    expect(run.rows.every((r) => r.values.service === 'cdb_risk')).toBe(true);
    expect(run.rows[0].lines).toBe(text.split('\n').length);
    expect(run.rows.slice(1).every((r) => r.lines === 0)).toBe(true);
    const blocked = run.rows.find((r) => r.values.key === 'orders_blocked')!;
    expect(text.split('\n')[blocked.line - 1]).toContain('"orders_blocked"');
  });

  it.each([
    [{ events_logged: 66025, status: 'running' }, 'cdb_paper_runner', false],
    [{ signals_generated: 4, last_signal: { symbol: 'BTC_USDT' } }, 'cdb_core', true],
    [{ signals_generated: 4, last_signal: { symbol: 'BTCUSDT' } }, 'cdb_signal', true],
    [{ signals_generated: 0, last_signal: null }, 'cdb_signal', true],
    [{ service: 'risk_manager', orders_approved: 1 }, 'cdb_risk', false],
    [{ foo: 1 }, null, true],
  ])('service of %j is %s', (obj, service, noted) => {
    const r = inferService(obj);
    expect(r.service).toBe(service);
    expect(r.note !== undefined).toBe(noted);
  });

  it('handles several compact objects, a curl echo, and junk', async () => {
    const text = [
      '$ curl -s localhost:8002/status',
      JSON.stringify(RISK),
      '$ curl -s localhost:8004/status',
      JSON.stringify({ events_logged: 17, status: 'running' }),
      'curl: (7) Failed to connect',
      '',
    ].join('\n');
    const run = await runParser(parser, text, 'status.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.structural.command_echo).toBe(3);
    expect(run.rows.find((r) => r.values.key === 'events_logged')).toMatchObject({ line: 4, lines: 1, values: { service: 'cdb_paper_runner', value: '17' } });
    expect(run.quarantined).toEqual([]);
  });

  it('quarantines a broken object', async () => {
    const run = await runParser(parser, '{"orders_approved": 3,\n "risk_state": {\n', 'status.json');
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toEqual([]);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([1, 2]);
  });

  it.each([
    ['risk status', JSON.stringify(RISK), true],
    ['json-file log line', '{"log":"{\\"orders_approved\\": 3}\\n","stream":"stdout","time":"2025-12-21T23:59:49.25Z"}', false],
    ['compose ps json', '{"Name":"cdb_risk","State":"running","Status":"Up","Service":"cdb_risk"}', false],
    ['paper runner JSONL event', '{"timestamp": "2025-12-21T23:59:49", "channel": "signals", "event": {"signals_generated": 1}}', false],
  ])('sniff %s → %s', (_n, text, claimed) => {
    expect(parser.claims.sniff(headFromText(text)) !== null).toBe(claimed);
  });
});
