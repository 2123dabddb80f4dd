import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addDump, addRows, times } from '../shared/testing.js';
import rule from './db-counts-per-day.js';

type PerDay = Record<string, { signals?: number; approved?: number; rejected?: number; trades?: number; twins?: number }>;

function runDb(perDay: PerDay, dump = false): TestDb {
  const t = new TestDb();
  for (const [day, c] of Object.entries(perDay)) {
    // Spread over the day, however many rows (all inside the UTC day).
    const n = Math.max(60, c.signals ?? 0, (c.approved ?? 0) + (c.rejected ?? 0), c.trades ?? 0);
    const ts = times(`${day}T00:30:00.000Z`, n, Math.floor((23 * 3_600_000) / n));
    addRows(t, 'signals', ts.slice(0, c.signals ?? 0).map((x) => ({ ts: x, symbol: 'BTCUSDT', side: 'BUY', source: 'db', in_block: 1 })));
    addRows(t, 'risk_decisions', ts.slice(0, c.approved ?? 0).map((x) => ({ ts: x, decision: 'approved', in_block: 1 })));
    addRows(t, 'risk_decisions', ts.slice(0, c.rejected ?? 0).map((x) => ({ ts: x, decision: 'rejected', reason_code: 'exposure', in_block: 1 })));
    addRows(
      t,
      'trades',
      ts.slice(0, c.trades ?? 0).map((x, i) => ({ ts: x, symbol: 'BTCUSDT', side: 'BUY', source: 'db', in_block: 1, twin_file_id: i < (c.twins ?? 0) ? 9 : null })),
    );
  }
  if (dump) addDump(t, 'signals', ['id']);
  return t;
}

function run(perDay: PerDay, dump = false) {
  const r = rule.check(runDb(perDay, dump).context());
  spoken(r, 'de'); // every case renders in German too (a missing parameter throws)
  return spoken(r);
}

describe('db-counts-per-day', () => {
  it('counts per UTC day as the runbook does', () => {
    const r = run({ '2025-11-26': { signals: 45, rejected: 45 }, '2025-11-27': { signals: 52, rejected: 50, approved: 2, trades: 2, twins: 2 }, '2025-11-28': { signals: 30, rejected: 30 } });
    expect(r.status).toBe('ok');
    expect(r.metrics).toMatchObject({
      'signals_2025-11-26': 45,
      'signals_2025-11-27': 52,
      'signals_2025-11-28': 30,
      'risk_approved_2025-11-27': 2,
      'risk_total_2025-11-27': 52,
      'trades_2025-11-27': 2,
      'trades_raw_2025-11-27': 4,
    });
    expect(r.findings![0].message).toContain('2025-11-27: signals 52, risk 2/52 approved, trades 2 (4 rows with twins)');
  });

  it.each<[string, Parameters<typeof run>[0], string, string | null]>([
    ['a silent day between active days', { '2025-11-26': { signals: 10 }, '2025-11-28': { signals: 10 } }, 'warn', 'silent-day'],
  ])('MUST fire: %s', (_n, perDay, status, subject) => {
    const r = run(perDay);
    expect(r.status).toBe(status);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
  });

  it.each<[string, Parameters<typeof run>[0], boolean, string]>([
    ['activity stops at the end (not a gap inside)', { '2025-11-26': { signals: 10 }, '2025-11-27': { signals: 10 } }, false, 'ok'],
    ['an empty dump: zero every day', {}, true, 'ok'],
    ['nothing at all', {}, false, 'not_evaluable'],
  ])('MUST NOT fire: %s', (_n, perDay, dump, status) => {
    const r = run(perDay, dump);
    expect(r.status).toBe(status);
    expect(r.findings?.some((f) => f.subject === 'silent-day') ?? false).toBe(false);
  });

  it('the verification query runs against the model', () => {
    const t = new TestDb();
    addRows(t, 'signals', times('2025-11-28T01:00:00.000Z', 31, 60_000).map((ts) => ({ ts, symbol: 'BTCUSDT', in_block: 1 })));
    const r = rule.check(t.context());
    const v = r.verification![0];
    const n = Object.values(t.db.prepare(v.check).get() as Record<string, number>)[0];
    expect(n).toBe(31);
  });

  it('says the per-day counts in German: dates, numbers and the optional twins part', () => {
    const r = rule.check(runDb({ '2025-11-26': { signals: 1200, rejected: 1200 }, '2025-11-27': { signals: 52, rejected: 50, approved: 2, trades: 2, twins: 2 } }).context());
    expect(spoken(r).findings![0].message).toBe(
      '2025-11-26: signals 1,200, risk 0/1,200 approved, trades 0; 2025-11-27: signals 52, risk 2/52 approved, trades 2 (4 rows with twins); 2025-11-28: signals 0, risk 0/0 approved, trades 0',
    );
    expect(spoken(r, 'de').findings![0].message).toBe(
      '26.11.2025: Signale 1.200, Risk 0/1.200 genehmigt, Trades 0; 27.11.2025: Signale 52, Risk 2/52 genehmigt, Trades 2 (4 Zeilen mit Zwillingen); 28.11.2025: Signale 0, Risk 0/0 genehmigt, Trades 0',
    );
  });

  it('a block in local days names both day sets, in either language', () => {
    const t = runDb({ '2025-11-26': { signals: 3 }, '2025-11-27': { signals: 4 } });
    const r = rule.check(t.context({ zone: 'Europe/Berlin' }));
    expect(spoken(r).findings![0].message).toMatch(/^Local days \(Europe\/Berlin\): 2025-11-26: signals 3, .*\. UTC days: 2025-11-26: signals 3, risk 0\/0 approved, trades 0; 2025-11-27: signals 4, risk 0\/0 approved, trades 0\.$/);
    expect(spoken(r, 'de').findings![0].message).toMatch(/^Lokale Tage \(Europe\/Berlin\): 26\.11\.2025: Signale 3, .*\. UTC-Tage: 26\.11\.2025: Signale 3, Risk 0\/0 genehmigt, Trades 0; 27\.11\.2025: Signale 4, Risk 0\/0 genehmigt, Trades 0\.$/);
  });

  it('the silent day is named as a date of the report language', () => {
    const r = rule.check(runDb({ '2025-11-26': { signals: 10 }, '2025-11-28': { signals: 10 } }).context());
    expect(spoken(r).findings!.find((f) => f.subject === 'silent-day')!.message).toBe(
      'No signal, decision or trade on 2025-11-27 between active days: a stop or a gap in the evidence.',
    );
    expect(spoken(r, 'de').findings!.find((f) => f.subject === 'silent-day')!.message).toBe(
      'Kein Signal, keine Entscheidung und kein Trade am 27.11.2025 zwischen aktiven Tagen: ein Stopp oder eine Lücke in den Belegen.',
    );
  });
});
