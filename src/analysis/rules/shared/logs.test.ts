import { describe, expect, it } from 'vitest';
import { TestDb } from '../../testing.js';
import type { RuleContext } from '../../define-rule.js';
import { CATALOG, classes } from '../../../catalog/index.js';
import { classCountInBlock } from '../../../db/log-rollup.js';
import { rebuildHourly } from '../../../catalog/reclassify.js';
import { anyLog, distinctLogTexts, EXECUTION, fieldMemo, fieldOf, findLogs, groupCoverage, groupEdgeRecord, K, logEdges, REPORTS, RISK, SIGNAL, type LogQuery, type ServiceGroup } from './logs.js';
import { localToUtc, generatedMs } from './time-zones.js';
import { addLogs } from './testing.js';

const IN = '2025-11-27T10:00:00.000Z';

describe('findLogs', () => {
  it.each<[string, (t: TestDb) => void, number]>([
    ['a record of the service in the block', (t) => addLogs(t, 'cdb_risk', [[IN, '📨 Signal empfangen: BTC_USDT BUY']]), 1],
    ['not yet marked by the model builder (in_block NULL) counts by time', (t) => t.insert('log_events', { file_id: 1, line_no: 1, service: 'cdb_risk', ts: IN, message: '📨 Signal empfangen: BTC_USDT BUY', in_block: null }), 1],
    ['marked outside the block stays out', (t) => addLogs(t, 'cdb_risk', [[IN, '📨 Signal empfangen: BTC_USDT BUY']], { inBlock: 0 }), 0],
    ['before the block', (t) => addLogs(t, 'cdb_risk', [['2025-11-20T10:00:00.000Z', '📨 Signal empfangen: BTC_USDT BUY']]), 0],
    ['another service', (t) => addLogs(t, 'cdb_core', [[IN, '📨 Signal empfangen: BTC_USDT BUY']], { logger: 'signal_engine' }), 0],
    ['a POSIX signal number is not a trade signal', (t) => addLogs(t, 'cdb_risk', [[IN, 'Signal empfangen: 15']]), 0],
    ['a health poll never counts', (t) => addLogs(t, 'cdb_risk', [[IN, '📨 Signal empfangen: BTC_USDT BUY']], { kind: 'health_poll' }), 0],
    [
      'a bare capture without service name, found by its logger',
      (t) => {
        addLogs(t, 'cdb_risk', [['2025-11-26T00:00:00.000Z', 'Config validiert ✓']]);
        t.insert('log_events', { file_id: 1, line_no: 9, service: null, logger: 'risk_manager', ts: IN, message: '📨 Signal empfangen: BTC_USDT BUY', in_block: 1 });
      },
      1,
    ],
  ])('%s', (_n, setup, n) => {
    const t = new TestDb();
    t.file('logs/risk.log');
    setup(t);
    expect(findLogs(t.context(), { group: RISK, classes: K.riskReceived })).toHaveLength(n);
  });

  it('coverage falls back to the logger when no record carries the service name', () => {
    const t = new TestDb();
    t.file('logs/risk.log');
    t.insert('log_events', { file_id: 1, line_no: 1, service: null, logger: 'risk_manager', ts: '2025-11-26T00:00:00.000Z', message: 'a', in_block: 1 });
    t.insert('log_events', { file_id: 1, line_no: 2, service: null, logger: 'risk_manager', ts: '2025-11-27T12:00:00.000Z', message: 'b', in_block: 1 });
    const c = groupCoverage(t.context(), RISK)!;
    expect(c).toMatchObject({ from: '2025-11-26T00:00:00.000Z', to: '2025-11-27T12:00:00.000Z', records: 2 });
    expect(c.fraction).toBeCloseTo(0.5, 2);
  });
});

/**
 * Volume-drop lines (and a price-buffer line) of two engines in two files: ties in time across
 * the files and within one, a record without a time, one marked outside the block, one before
 * it, a health poll, one without a service found by its logger, and two volumes.
 */
function drops(): TestDb {
  const t = new TestDb();
  const a = t.file('logs/cdb_signal.log');
  const b = t.file('logs/cdb_core.log');
  const rec = (file: number, line: number, service: string | null, ts: string | null, message: string, extra: Record<string, unknown> = {}) =>
    t.insert('log_events', { file_id: file, line_no: line, service, logger: 'signal_engine', ts, level: 'DEBUG', message, kind: 'app', in_block: ts === null ? null : 1, ...extra });
  const v = (sym: string, vol: string) => `${sym}: Volume zu niedrig (${vol} < 100000.0)`;
  rec(b, 7, 'cdb_core', '2025-11-27T10:00:00.000Z', v('ETHUSDT', '0.0'));
  rec(a, 3, 'cdb_signal', '2025-11-27T10:00:00.000Z', v('BTCUSDT', '0.0'));
  rec(a, 2, 'cdb_signal', '2025-11-27T10:00:00.000Z', v('BTCUSDT', '0.0'));
  rec(a, 1, 'cdb_signal', null, v('BTCUSDT', '0.0'));
  rec(a, 4, 'cdb_signal', '2025-11-27T11:30:00.000Z', v('BTCUSDT', '0.0'), { in_block: 0 });
  rec(a, 5, 'cdb_signal', '2025-11-20T11:30:00.000Z', v('BTCUSDT', '5.5'));
  rec(a, 6, 'cdb_signal', '2025-11-27T12:00:00.000Z', v('BTCUSDT', '0.0'), { kind: 'health_poll' });
  rec(a, 8, null, '2025-11-27T12:30:00.000Z', v('SOLUSDT', '0.0'));
  rec(b, 9, 'cdb_core', '2025-11-28T01:00:00.000Z', v('ETHUSDT', '7.25'));
  rec(a, 10, 'cdb_signal', '2025-11-28T01:00:00.000Z', v('BTCUSDT', '0.0'));
  rec(b, 11, 'cdb_core', '2025-11-28T02:00:00.000Z', 'BTCUSDT: pct_change calculated from price buffer (@ $70463.80 → -0.0008%)');
  return t;
}

describe('logEdges, anyLog and distinctLogTexts answer what scanLogs reads', () => {
  it.each<[string, Omit<LogQuery, 're'>, number, number, number]>([
    ['every drop in the block, first two and the last', { classes: K.volumeTooLow }, 2, 1, 6],
    ['first one, last three', { classes: K.volumeTooLow }, 1, 3, 6],
    ['more kept than there are', { classes: K.volumeTooLow }, 5, 5, 6],
    ['of the signal engine group (logger fallback included)', { group: SIGNAL, classes: K.volumeTooLow }, 2, 1, 6],
    ['a window that ends at a record', { classes: K.volumeTooLow, span: { from: '2025-11-27T10:00:00.000Z', to: '2025-11-27T12:30:00.000Z' } }, 2, 2, 5],
    ['any time, untimed records first', { classes: K.volumeTooLow, inBlock: false }, 2, 1, 9],
    ['two classes', { classes: [...K.volumeTooLow, 'signal.price_buffer.pct'] }, 2, 1, 7],
    ['a class without records', { classes: K.confidenceBelow }, 2, 1, 0],
    ['no class', { classes: [] }, 2, 1, 0],
  ])('%s', (_n, q, first, last, n) => {
    const ctx = drops().context();
    check(ctx, q, first, last, n);
  });

  // As an ingest leaves it: the hourly rollup kept, and the model build's marks (by time): the
  // count comes from the rollup, for a block that holds every record and for one that cuts hours.
  it.each<[string, Omit<LogQuery, 're'>, { from?: string; to?: string }]>([
    ['every drop in the block', { classes: K.volumeTooLow }, {}],
    ['two classes', { classes: [...K.volumeTooLow, 'signal.price_buffer.pct'] }, {}],
    ['a block whose edges cut hours', { classes: K.volumeTooLow }, { from: '2025-11-27T10:00:00.000Z', to: '2025-11-28T01:30:00.000Z' }],
    ['a block that ends at a record', { classes: K.volumeTooLow }, { from: '2025-11-20T11:30:00.000Z', to: '2025-11-27T12:30:00.000Z' }],
    ['a class without records', { classes: K.confidenceBelow }, {}],
    ['a class given by the kind (read from the records)', { classes: classes('http.health_poll') }, {}],
  ])('with the rollup: %s', (_n, q, block) => {
    const t = drops();
    const ctx = t.context(block);
    for (const f of [1, 2]) rebuildHourly(t.db, f);
    t.db.prepare('UPDATE log_events SET in_block = CASE WHEN ts IS NULL THEN NULL WHEN ts >= ? AND ts <= ? THEN 1 ELSE 0 END').run(ctx.block.from, ctx.block.to);
    expect(t.db.prepare('SELECT COUNT(*) FROM log_hourly').pluck().get()).toBeGreaterThan(0);
    const n = findLogs(ctx, q).length;
    check(ctx, q, 2, 1, n);
    // The rollup answers (the records' own count is the reference above).
    expect(classCountInBlock(t.db, q.classes, ctx.block.from, ctx.block.to)).toBe(q.classes.includes('http.health_poll') ? 0 : n);
  });

  function check(ctx: RuleContext, q: Omit<LogQuery, 're'>, first: number, last: number, n: number): void {
    const rows = findLogs(ctx, q);
    expect(rows).toHaveLength(n);
    const e = logEdges(ctx, q, first, last);
    expect(e.n).toBe(rows.length);
    expect(e.head).toEqual(rows.slice(0, first));
    expect(e.tail).toEqual(rows.slice(Math.max(first, rows.length - last)));
    expect(anyLog(ctx, q)).toBe(rows.length > 0);
    const texts = new Set<string>();
    distinctLogTexts(ctx, q, (r) => void texts.add(`${r.class}|${r.message}`));
    const want = [...new Set(rows.map((r) => `${r.class}|${r.message}`))].sort();
    expect([...texts].sort()).toEqual(want);
  }

  it('distinctLogTexts stops when told', () => {
    const seen: string[] = [];
    distinctLogTexts(drops().context(), { classes: K.volumeTooLow, inBlock: false }, (r) => (seen.push(r.message), seen.length < 2));
    expect(seen).toHaveLength(2);
  });
});

describe('time zones', () => {
  it.each<[string, string | null, string | null, string | null]>([
    ['local winter (CET)', '2025-12-14 21:23:38', null, '2025-12-14T20:23:38.000Z'],
    ['local summer (CEST)', '2025-07-14 21:23:38', null, '2025-07-14T19:23:38.000Z'],
    ['local just after midnight is the previous UTC day', '2025-12-15 00:30:00', null, '2025-12-14T23:30:00.000Z'],
    ['ISO with Z', '2025-12-22T00:00:00.029Z', null, '2025-12-22T00:00:00.029Z'],
    ['naive but said to be UTC', '2025-12-22 00:00:00', 'UTC', '2025-12-22T00:00:00.000Z'],
    ['unparsable', 'yesterday', null, null],
  ])('%s', (_n, text, zone, expected) => {
    const v = generatedMs(text, zone);
    expect(v == null ? null : new Date(v).toISOString()).toBe(expected);
  });

  it('localToUtc handles the spring-forward day', () => {
    expect(new Date(localToUtc('2026-03-29 12:00:00')!).toISOString()).toBe('2026-03-29T10:00:00.000Z');
  });
});

/**
 * Records of the stages in two files, once with the hourly rollup the ingest keeps and once
 * without (then every read is the plain query over the records): cdb_signal inside and outside
 * the block, without a time, and health polls; records without a service found by logger
 * (risk_manager: no record names cdb_risk); another service's records; a time tie across files.
 */
function stages(rollup: boolean): TestDb {
  const t = new TestDb();
  const a = t.file('logs/a.log');
  const b = t.file('logs/b.log');
  let line = 0;
  const rec = (file: number, service: string | null, logger: string, ts: string | null, message: string, kind = 'app') =>
    t.insert('log_events', { file_id: file, line_no: ++line, service, logger, ts, level: 'INFO', message, kind, in_block: ts === null ? null : ts >= '2025-11-26' && ts < '2025-11-29' ? 1 : 0 });
  rec(a, 'cdb_signal', 'signal_engine', '2025-11-25T23:00:00.000Z', 'BTCUSDT: Volume zu niedrig (0.0 < 100000.0)');
  rec(a, 'cdb_signal', 'signal_engine', '2025-11-26T08:00:00.000Z', 'tick');
  rec(b, 'cdb_signal', 'signal_engine', '2025-11-26T08:00:00.000Z', 'BTCUSDT: Volume zu niedrig (0.0 < 100000.0)');
  rec(a, null, 'signal_engine', '2025-11-27T10:00:00.000Z', 'Fehler beim Signal-Publishing: Connection closed by server.');
  rec(a, 'cdb_signal', 'signal_engine', null, 'untimed');
  rec(b, 'cdb_signal', 'signal_engine', '2025-11-28T23:00:00.000Z', '127.0.0.1 - - [20/Nov/2025 18:59:40] "GET /health HTTP/1.1" 200 -', 'health_poll');
  rec(b, 'cdb_signal', 'signal_engine', '2025-11-29T01:00:00.000Z', 'after the block');
  rec(a, null, 'risk_manager', '2025-11-26T12:00:00.000Z', '📨 Signal empfangen: BTC_USDT BUY');
  rec(b, null, 'risk_manager', '2025-11-28T12:00:00.000Z', 'risk tick');
  rec(b, 'cdb_ws', 'ws_service', '2025-11-27T00:00:00.000Z', 'ws tick');
  if (rollup) for (const f of [a, b]) rebuildHourly(t.db, f);
  return t;
}

describe('a stage\'s records read through its classes (the rollup) are the plain query\'s', () => {
  it.each<[string, ServiceGroup, { from?: string; to?: string }, boolean]>([
    ['by service, the whole block', SIGNAL, {}, true],
    ['by service, a block that cuts the records', SIGNAL, { from: '2025-11-26T08:00:00.000Z', to: '2025-11-27T10:00:00.000Z' }, true],
    ['by logger only (no record names the service)', RISK, {}, true],
    ['by logger only, a later block', RISK, { from: '2025-11-27T00:00:00.000Z' }, true],
    ['a stage without records', EXECUTION, {}, false],
    ['a stage without loggers', REPORTS, {}, false],
    ['a block with no record', SIGNAL, { from: '2025-12-01T00:00:00.000Z', to: '2025-12-02T00:00:00.000Z' }, false],
  ])('%s', (_n, group, block, found) => {
    const [withRollup, plain] = [stages(true).context(block), stages(false).context(block)];
    expect(withRollup.db.prepare('SELECT COUNT(*) FROM log_hourly').pluck().get()).toBeGreaterThan(0);
    expect(groupCoverage(withRollup, group)).toEqual(groupCoverage(plain, group));
    for (const dir of ['ASC', 'DESC'] as const) expect(groupEdgeRecord(withRollup, group, dir), dir).toEqual(groupEdgeRecord(plain, group, dir));
    expect(!!groupEdgeRecord(withRollup, group, 'ASC')).toBe(found);
    expect(!!groupCoverage(withRollup, group)).toBe(found);
  });
});

describe('fieldMemo answers as fieldOf', () => {
  // Every catalog sample under its own class and under another's, twice over (the second time from memory), and untyped records.
  const samples = CATALOG.flatMap((e) => Object.values(e.samples).flat().map((message) => ({ class: e.id as string | null, message })));
  const records = [
    ...samples,
    ...samples.map((r, i) => ({ class: samples[(i + 7) % samples.length].class, message: r.message })),
    { class: null, message: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" },
    { class: 'signal.error.market_data', message: '' },
  ];
  it.each(['error', 'what', 'symbol', 'host'])('field %s', (name) => {
    const memo = fieldMemo(name);
    for (const r of [...records, ...records]) expect(memo(r)).toBe(fieldOf(r, name));
    // Not vacuous: the field is found in some record.
    expect(records.some((r) => fieldOf(r, name) !== null)).toBe(true);
  });
});
