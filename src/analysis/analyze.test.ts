import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { ReportSchema } from '../report/model.js';
import { analyze, exitCodeFor, parseSeverity, readBlock } from './analyze.js';
import { defineRule } from './define-rule.js';
import { TestDb } from './testing.js';
import { localize } from '../i18n/localize.js';
import { buildFlowHourly } from '../model/flow-hourly.js';
import { addContainer, addHealthPolls, addLog, addMarket, at, fileId } from './rule-testing.js';

const NOW = '2025-12-01T08:00:00.000Z';
const DAY = 1440;

function block(t: TestDb, era = 'A'): void {
  const put = t.db.prepare('INSERT OR REPLACE INTO block (key, value, evidence) VALUES (?, ?, ?)');
  put.run('from', '2025-11-26T00:00:00.000Z', 'test');
  put.run('to', '2025-11-28T23:59:59.999Z', 'test');
  put.run('era', era, 'test');
  put.run('dialect', 'real', 'test');
}

/** A healthy era-A block: data flows every hour from market data to persisted trades. */
function healthy(t: TestDb): void {
  block(t);
  for (const s of ['cdb_ws', 'cdb_core', 'cdb_risk', 'cdb_execution', 'cdb_db_writer', 'cdb_redis', 'cdb_postgres']) {
    addContainer(t, { name: s, service: s, state: 'running', status: 'Up 4 days (healthy)', health: 'healthy', running_for: '4 days ago', up_seconds: 4 * 86400, restart_count: 0 });
  }
  for (const s of ['cdb_ws', 'cdb_core', 'cdb_risk', 'cdb_execution', 'cdb_db_writer']) addHealthPolls(t, s, 0, 3 * DAY - 1, 30);
  const sig = fileId(t, 'postgres/signals.csv');
  const ord = fileId(t, 'postgres/orders.csv');
  const trd = fileId(t, 'postgres/trades.csv');
  for (let m = 0; m < 3 * DAY; m += 1) addMarket(t, { ts: at(m), symbol: m % 3 ? 'BTC_USDT' : 'ETH_USDT', file: 'events/events.jsonl', source: 'jsonl' });
  for (let m = 5, i = 0; m < 3 * DAY; m += 40, i++) {
    t.insert('signals', { ts: at(m), symbol: 'BTCUSDT', symbol_raw: 'BTC_USDT', side: 'BUY', signal_type: 'BUY', confidence: 0.35, price: 91234.5, source: 'db', file_id: sig, line_no: i + 2 });
    addLog(t, { service: 'cdb_core', ts: at(m), message: '✨ Signal generiert: BTC_USDT BUY @ $91234.50 (+3.45%, Confidence: 0.35)', logger: 'signal_engine' });
    addLog(t, { service: 'cdb_risk', ts: at(m + 0.01), message: '📨 Signal empfangen: BTC_USDT BUY', logger: 'risk_manager' });
    addLog(t, { service: 'cdb_risk', ts: at(m + 0.02), message: '✅ Order freigegeben: BTC_USDT BUY qty=350.0000', logger: 'risk_manager' });
    t.insert('risk_decisions', { ts: at(m + 0.02), symbol: 'BTCUSDT', side: 'BUY', decision: 'approved', source: 'log', file_id: fileId(t, 'logs/cdb_risk.log'), line_no: 1 });
    addLog(t, { service: 'cdb_execution', ts: at(m + 0.03), message: 'Processing order: BTC_USDT BUY qty=350.0000', logger: 'execution_service' });
    addLog(t, { service: 'cdb_execution', ts: at(m + 0.04), message: `Order filled: MOCK_${(0x1a2b3c00 + i).toString(16)} at 50033.56`, logger: 'execution_service' });
    t.insert('orders', { ts: at(m + 0.04), symbol: 'BTCUSDT', side: 'BUY', status: 'FILLED', order_id: `MOCK_${(0x1a2b3c00 + i).toString(16)}`, client_id: `BTC_USDT-${Math.floor(Date.parse(at(m)) / 1000)}`, writer: 'execution', source: 'db', file_id: ord, line_no: i + 2 });
    t.insert('trades', { ts: at(m + 0.04), timestamp: at(m + 0.04), symbol: 'BTCUSDT', side: 'BUY', price: 50033.56, size: 350, status: 'FILLED', order_id: `MOCK_${(0x1a2b3c00 + i).toString(16)}`, writer: 'execution', source: 'db', file_id: trd, line_no: i + 2 });
  }
  // The dumped tables the canonical rows came from (src_<name>, as the ingest writes them).
  for (const [name, cols] of [['signals', 'id, symbol, signal_type, price, confidence, timestamp'], ['orders', 'id, order_id, symbol, side, status, created_at'], ['trades', 'id, symbol, side, price, size, timestamp']] as const) {
    t.db.exec(`CREATE TABLE src_${name} (_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL, ${cols.split(', ').map((c) => `"${c}" TEXT`).join(', ')})`);
    t.db.prepare('INSERT INTO src_tables (name, original, columns) VALUES (?, ?, ?)').run(`src_${name}`, name, JSON.stringify(cols.split(', ')));
    t.db.exec(`INSERT INTO src_${name} (file_id, line_no, line_count, id, symbol) SELECT file_id, line_no, 1, id, symbol FROM ${name} WHERE source = 'db'`);
  }
  t.db.prepare("INSERT INTO block (key, value) VALUES ('source.market_data', 'jsonl'), ('source.signals', 'db'), ('source.risk_decisions', 'log'), ('source.orders', 'db'), ('source.trades', 'db')").run();
  t.db.prepare("UPDATE manifest SET sha256 = printf('%064d', id), bytes = 100 * id, records = 10, lines = 12, structural = 1, quarantined = 1").run();
  t.db.prepare("INSERT INTO quarantine (file_id, path, line, reason, excerpt) VALUES (?, 'postgres/trades.csv', 9, 'row has 7 fields, the header 8', '12,BTCUSDT,buy')").run(trd);
}

/** The healthy block whose signals stop at noon of its second day (the feed keeps flowing), with the signal service restarting every 10 minutes from then. */
function brokenAtSignals(t: TestDb): void {
  healthy(t);
  const stop = at(DAY + 720);
  for (const table of ['signals', 'risk_decisions', 'orders', 'trades']) t.db.prepare(`DELETE FROM ${table} WHERE ts >= ?`).run(stop);
  t.db.prepare("DELETE FROM log_events WHERE ts >= ? AND service IN ('cdb_core', 'cdb_risk', 'cdb_execution')").run(stop);
  for (let m = DAY + 730; m < DAY + 900; m += 10) addLog(t, { service: 'cdb_core', ts: at(m), message: '🚀 Signal-Engine gestartet', logger: 'signal_engine' });
  t.db.exec('DELETE FROM log_hourly');
  t.db.exec(`INSERT INTO log_hourly (file_id, service, hour, kind, level, class, n, first_ts, last_ts)
    SELECT file_id, service, substr(ts, 1, 13), kind, level, class, COUNT(*), MIN(ts), MAX(ts) FROM log_events WHERE ts IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6`);
  buildFlowHourly(t.db, '2025-11-26T00:00:00.000Z', '2025-11-28T23:59:59.999Z');
}

describe('analyze', () => {
  it('localize(model, de): the break, the cause chain, the timeline and the KPIs in German, with the same numbers', () => {
    const t = new TestDb();
    brokenAtSignals(t);
    const en = analyze(t.db, { now: NOW, toolVersion: '0.1.0' });
    const de = localize(en, 'de');
    expect(() => ReportSchema.parse(JSON.parse(JSON.stringify(de)))).not.toThrow();
    expect(en.flow.break_reason).toBe('signals ran below 10 % of its median 1.5/h for 36 h from 2025-11-27 12:00 UTC while its upstream kept flowing; never recovered in the block');
    expect(de.flow.break_reason).toBe('Stufe Signale lief ab 27.11.2025 12:00 UTC 36 Std. lang unter 10 % ihres Medians von 1,5/h, während der Upstream weiter floss; lief im Block nicht wieder an');
    const loop = (m: typeof en) => m.hypotheses.find((h) => h.cause === 'system.crash_loop')!;
    expect(loop(en).chain).toMatch(/ \(from 2025-11-27 12:10 UTC\); why: nothing in the bundle shows what set it off \(trigger not in the bundle\)$/);
    expect(loop(de).chain).toMatch(/ \(ab 27\.11\.2025 12:10 UTC\); Grund: nichts im Bundle zeigt, was es ausgelöst hat \(Auslöser nicht im Bundle\)$/);
    expect(de.timeline.map((e) => [e.kind, e.title])).toEqual([
      ['break', `der Fluss brach ab: Stufe Signale stand nach diesem Ereignis still — ${de.flow.break_reason}`],
      ['restart', 'cdb_core gestartet (Start 1 von 17)'],
      ['restart', 'cdb_core gestartet (Start 2 von 17)'],
      ['restart', 'cdb_core gestartet (Start 3 von 17)'],
      ['restart', 'cdb_core gestartet — der letzte von 17 Starts im Block (13 dazwischen nicht aufgeführt)'],
    ]);
    expect(de.kpis.map((k) => [k.label, k.value, k.note])).toEqual([
      ['Signale (gesamt)', 54, null],
      ['Signale pro Tag (Mittel)', 18, '54 über 3 Tage'],
      ['Vom Risk Layer genehmigt', 54, null],
      ['Ausgeführte Paper-Trades', 54, null],
      ['Market-Data-Events', 4320, null],
    ]);
    // Only the words change: every count, time, id and citation is the English report's.
    const facts = (m: typeof en) => ({
      flow: { ...m.flow, break_reason: null, floors: m.flow.floors.map((f) => ({ ...f, note: '' })) },
      hypotheses: m.hypotheses.map((h) => [h.rank, h.cause, h.started_at, h.consequence_of, h.evidence]),
      timeline: m.timeline.map((e) => [e.at, e.kind, e.service, e.count, e.evidence]),
      kpis: m.kpis.map((k) => [k.metric, k.value, k.target, k.status]),
    });
    expect(facts(de)).toEqual(facts(en));
    // English, localized again from the German, is the English report.
    expect(JSON.stringify(localize(de, 'en'))).toBe(JSON.stringify(en));
  });

  it('builds a report model that passes zod, with manifest, quarantine and coverage', () => {
    const t = new TestDb();
    healthy(t);
    const m = analyze(t.db, { now: NOW, toolVersion: '0.1.0' });
    expect(() => ReportSchema.parse(JSON.parse(JSON.stringify(m)))).not.toThrow();
    expect(m.tool).toEqual({ name: 'cdb-forensics', version: '0.1.0' });
    expect(m.generated_at).toBe(NOW);
    expect(m.block).toMatchObject({ from: '2025-11-26T00:00:00.000Z', days: ['2025-11-26', '2025-11-27', '2025-11-28'], era: 'A', dialect: 'real' });
    expect(m.manifest.files.map((f) => f.path)).toEqual([...m.manifest.files.map((f) => f.path)].sort());
    expect(m.manifest.files[0]).toMatchObject({ records: 10, quarantined: 1, lines: 12, structural: 1 });
    expect(m.quarantine).toMatchObject({ total: 1, files: [{ file: 'postgres/trades.csv', count: 1 }], truncated: false });
    expect(m.layers.map((l) => l.id)).toEqual(['system', 'market_data', 'signal_engine', 'risk', 'execution', 'reporting']);
    expect(m.coverage.rules_run).toBeGreaterThanOrEqual(10);
    expect(m.coverage.errors).toEqual([]);
  });

  it('a healthy block has no break layer and no failing layer', () => {
    const t = new TestDb();
    healthy(t);
    const m = analyze(t.db, { now: NOW, toolVersion: '0.1.0' });
    const failing = m.layers.filter((l) => l.status === 'fail').map((l) => `${l.id}: ${l.findings.map((f) => f.message).join(' | ')}`);
    expect(failing).toEqual([]);
    expect(m.flow.break_layer).toBeNull();
    expect(m.flow.counts).toMatchObject({ market_data_events: 3 * DAY, signals: 108, risk_approved: 108, orders: 108, trades: 108, persisted_trades: 108 });
    expect(m.kpis.map((k) => [k.metric, k.status])).toEqual([
      ['signals_total', 'ok'],
      ['signals_per_day', 'ok'],
      ['risk_approved', 'ok'],
      ['trades', 'ok'],
      ['market_data_events', 'fail'], // 4 320 events: below the runbook's 10 000
    ]);
  });

  it('is byte-identical across two runs', () => {
    const t = new TestDb();
    healthy(t);
    const a = JSON.stringify(analyze(t.db, { now: NOW, toolVersion: '0.1.0' }));
    const b = JSON.stringify(analyze(t.db, { now: NOW, toolVersion: '0.1.0' }));
    expect(a).toBe(b);
  });

  it('a stub-mode feed breaks the flow at market_data and ranks that cause first', () => {
    const t = new TestDb();
    block(t, 'B');
    addContainer(t, { name: 'cdb_ws', service: 'cdb_ws', state: 'running', status: 'Up 3 days (healthy)', health: 'healthy' });
    addHealthPolls(t, 'cdb_ws', 0, 3 * DAY - 1, 30);
    addLog(t, { service: 'cdb_ws', ts: at(1), message: 'STUB mode: No external WS connections' });
    addHealthPolls(t, 'cdb_signal', 0, 3 * DAY - 1, 30);
    t.db.prepare("INSERT INTO block (key, value) VALUES ('source.signals', 'db')").run();
    const m = analyze(t.db, { now: NOW, toolVersion: '0.1.0' });
    expect(m.flow.break_layer).toBe('market_data');
    expect(m.hypotheses[0]).toMatchObject({ rank: 1, cause: 'market_data.stub_mode', layer: 'market_data' });
    expect(m.todos[0].where).toContain('WS_SOURCE');
    expect(exitCodeFor(m, 'critical')).toBe(1);
  });

  it('a rule that throws is recorded in coverage and the report is still written', () => {
    const t = new TestDb();
    healthy(t);
    const boom = defineRule({ id: 'boom', layer: 'risk', title: 'throws', needs: ['x'], check: () => { throw new Error('kaputt'); } });
    const ok = defineRule({ id: 'fine', layer: 'risk', title: 'fine', needs: ['x'], check: () => ({ status: 'ok' }) });
    const m = analyze(t.db, { now: NOW, toolVersion: '0.1.0', rules: [boom, ok] });
    expect(m.coverage.errors).toEqual([{ rule: 'boom', message: 'kaputt' }]);
    expect(m.coverage.not_evaluable).toEqual([{ rule: 'boom', layer: 'risk', missing: 'the rule failed: kaputt', texts: { missing: { key: 'engine.rule_failed', params: { message: 'kaputt' } } } }]);
    expect(m.layers.find((l) => l.id === 'risk')!.status).toBe('ok');
  });

  it('KPI targets from the config (given directly)', () => {
    const t = new TestDb();
    healthy(t);
    const m = analyze(t.db, { now: NOW, toolVersion: '0.1.0', targets: { signals_total: 1000, signals_per_day: 30, risk_approved: 10, trades: 10, market_data_events: 10 } });
    expect(m.kpis.find((k) => k.metric === 'signals_total')).toMatchObject({ value: 108, target: 1000, status: 'fail' });
  });

  it('reads KPI targets from a config file and refuses a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdbf-analyze-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify({ targets: { trades: 500 } }));
    writeFileSync(bad, JSON.stringify({ targets: { trades: -5 } }));
    const t = new TestDb();
    healthy(t);
    const m = analyze(t.db, { now: NOW, toolVersion: '0.1.0', configPath: good });
    expect(m.kpis.find((k) => k.metric === 'trades')).toMatchObject({ target: 500, status: 'fail' });
    expect(() => analyze(t.db, { now: NOW, toolVersion: '0.1.0', configPath: bad })).toThrow(UserError);
  });

  it('refuses a database without a block window', () => {
    const t = new TestDb();
    expect(() => readBlock(t.db)).toThrow(UserError);
    expect(() => analyze(t.db, { now: NOW, toolVersion: '0.1.0' })).toThrow(/no block window/);
  });

  it('derives the block days; an end at midnight closes the previous day', () => {
    const t = new TestDb();
    const put = t.db.prepare('INSERT INTO block (key, value) VALUES (?, ?)');
    put.run('from', '2025-11-26T00:00:00.000Z');
    put.run('to', '2025-11-29T00:00:00.000Z');
    expect(readBlock(t.db).block.days).toEqual(['2025-11-26', '2025-11-27', '2025-11-28']);
  });

  it.each([
    ['high', 'high', 1],
    ['high', 'critical', 0],
    [null, 'info', 0],
  ] as const)('exit code with max severity %s and --fail-on %s is %i', (max, failOn, code) => {
    const t = new TestDb();
    block(t);
    const m = analyze(t.db, { now: NOW, toolVersion: '0', rules: [] });
    m.summary.max_severity = max;
    expect(exitCodeFor(m, parseSeverity(failOn))).toBe(code);
  });

  it('parseSeverity refuses an unknown severity', () => {
    expect(() => parseSeverity('severe')).toThrow(/must be one of info, low, medium, high, critical/);
  });
});
