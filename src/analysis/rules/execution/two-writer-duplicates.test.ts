import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addDump, addRows, times } from '../shared/testing.js';
import rule, { parsePgTimestamp } from './two-writer-duplicates.js';

function run(opts: { orders?: number; twins?: boolean; dump?: boolean; outside?: number; trades?: number }, lang: 'en' | 'de' = 'en') {
  const t = new TestDb();
  const ts = times('2025-11-26T02:00:00.000Z', 100, 600_000);
  const n = opts.orders ?? 0;
  addRows(
    t,
    'orders',
    ts.slice(0, n).map((x, i) => ({
      ts: x,
      symbol: 'BTCUSDT',
      side: 'BUY',
      status: 'filled',
      writer: 'execution',
      twin_file_id: opts.twins ? 99 : null,
      twin_line_no: opts.twins ? i + 1 : null,
      source: 'db',
      in_block: 1,
    })),
  );
  if (opts.trades) addRows(t, 'trades', ts.slice(0, opts.trades).map((x) => ({ ts: x, symbol: 'BTCUSDT', side: 'BUY', writer: 'execution', source: 'db', in_block: 1 })));
  if (opts.dump) {
    const rows: Record<string, string | null>[] = [];
    for (const x of ts.slice(0, n)) {
      const pg = x.replace('T', ' ').replace('.000Z', '+00');
      rows.push({ id: String(rows.length + 1), status: 'filled', created_at: pg, order_id: 'MOCK_1' });
      if (opts.twins) rows.push({ id: String(rows.length + 1), status: 'pending', created_at: pg, order_id: null });
    }
    for (let i = 0; i < (opts.outside ?? 0); i++) rows.push({ id: String(rows.length + 1), status: 'pending', created_at: '2025-11-20 10:00:00+00', order_id: null });
    addDump(t, 'orders', ['id', 'status', 'created_at', 'order_id'], rows);
  }
  return spoken(rule.check(t.context()), lang);
}

describe('two-writer-duplicates', () => {
  it.each<[string, Parameters<typeof run>[0], number, number, string]>([
    ['twins from both writers, with dump', { orders: 30, twins: true, dump: true, outside: 5 }, 60, 30, 'low'],
    ['twins linked, no dump', { orders: 30, twins: true }, 60, 30, 'low'],
  ])('MUST fire (as information, never fail): %s', (_n, opts, raw, real, severity) => {
    const r = run(opts);
    expect(r.status).toBe('ok');
    expect(r.metrics).toMatchObject({ orders_raw_in_block: raw, orders_real: real });
    const f = r.findings!.find((x) => x.subject === 'orders')!;
    expect(f.severity).toBe(severity);
    expect(f.message).toMatch(/not a bug/);
  });

  it.each<[string, Parameters<typeof run>[0], string]>([
    ['single writer', { orders: 30, dump: true, trades: 10 }, 'ok'],
    ['no orders, no trades', {}, 'not_evaluable'],
  ])('MUST NOT fire: %s', (_n, opts, status) => {
    const r = run(opts);
    expect(r.status).toBe(status);
    expect(r.findings?.some((f) => f.severity !== 'info') ?? false).toBe(false);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('counts only dump rows inside the block and keeps the dump total', () => {
    const r = run({ orders: 10, twins: true, dump: true, outside: 7 });
    expect(r.metrics).toMatchObject({ orders_raw_in_block: 20, orders_dump_rows: 27, orders_twins: 10 });
  });

  it('the same table dumped in several formats counts once (the largest copy)', () => {
    const t = new TestDb();
    const rows = times('2025-11-26T02:00:00.000Z', 12, 60_000).map((x, i) => ({ id: String(i), created_at: x.replace('T', ' ').replace('.000Z', '+00') }));
    addDump(t, 'orders', ['id', 'created_at'], rows, 'dump/pg_dump.sql');
    addDump(t, 'orders', ['id', 'created_at'], rows, 'dump/orders.csv');
    addDump(t, 'orders', ['id', 'created_at'], rows.slice(0, 5), 'dump/partial.sql');
    addRows(t, 'orders', rows.slice(0, 6).map((r, i) => ({ ts: r.created_at, writer: 'execution', twin_file_id: 9, twin_line_no: i, source: 'db', in_block: 1 })));
    const r = spoken(rule.check(t.context()));
    expect(r.metrics).toMatchObject({ orders_raw_in_block: 12, orders_dump_rows: 12, orders_real: 6 });
    expect(r.findings![0].message).toContain('the largest of 3 copies');
    expect(spoken(rule.check(t.context()), 'de').findings![0].message).toContain('(12 im Dump, die größte von 3 Kopien)');
  });

  it.each<[string, Parameters<typeof run>[0], 'en' | 'de', string]>([
    [
      'twins with a dump',
      { orders: 30, twins: true, dump: true, outside: 5 },
      'en',
      "orders: 60 raw rows in the block (65 in the dump), 30 real orders after pairing the two writers' twins (30 twins; 30 by execution). Counts that read the table directly (Total Orders, Trades Today) are about 2× the real orders: expected with two writers, not a bug (§5.5).",
    ],
    [
      'twins with a dump',
      { orders: 30, twins: true, dump: true, outside: 5 },
      'de',
      'orders: 60 Rohzeilen im Block (65 im Dump), 30 echte Zeilen in orders nach dem Paaren der Zwillinge beider Writer (30 Zwillinge; 30 von execution). Zählungen, die die Tabelle direkt lesen (Total Orders, Trades Today), liegen etwa beim 2-Fachen der echten Zeilen in orders: mit zwei Writern erwartet, kein Fehler (§5.5).',
    ],
    ['a single writer, no dump', { trades: 10 }, 'en', "trades: 10 raw rows in the block, 10 real trades after pairing the two writers' twins (0 twins; 10 by execution)."],
  ])('says it in words: %s (%s)', (_n, opts, lang, sentence) => {
    expect(run(opts, lang).findings?.map((f) => f.message)).toContain(sentence);
  });

  it('says why it cannot evaluate', () => {
    expect(run({}, 'de').missing).toBe('keine Orders oder Trades (kanonisch oder als Dump) im Block');
  });

  it.each<[string, string | null]>([
    ['2025-11-30 14:02:05+00', '2025-11-30T14:02:05.000Z'],
    ['2026-01-16 10:00:18.5+00', '2026-01-16T10:00:18.500Z'],
    ['2025-11-30 15:02:05.604112+01', '2025-11-30T14:02:05.604Z'],
    ['2025-11-30 19:32:05+05:30', '2025-11-30T14:02:05.000Z'],
    ['2025-11-30T14:02:05Z', '2025-11-30T14:02:05.000Z'],
    ['not a time', null],
  ])('parsePgTimestamp(%j)', (text, expected) => {
    const ms = parsePgTimestamp(text);
    expect(ms == null ? null : new Date(ms).toISOString()).toBe(expected);
  });
});
