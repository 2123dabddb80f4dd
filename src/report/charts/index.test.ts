import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../model.js';
import { hourlyTable } from './index.js';

type Row = ReportModel['flow']['hourly'][number];
const row = (hour: string, stage: string, n: number, extra: Partial<Row> = {}): Row => ({ hour, stage, class: '', n, source: 'log', in_block: true, observed: true, ...extra });

function model(hourly: Row[], breakAt: string | null): Pick<ReportModel, 'block' | 'flow'> {
  return {
    block: { from: '2026-02-10T00:00:00.000Z', to: '2026-02-10T05:59:59.999Z', zone: 'UTC', era: null, dialect: null, days: ['2026-02-10'], evidence: {} },
    flow: { break_at: breakAt, break_stage: breakAt ? 'market_data' : null, hourly } as ReportModel['flow'],
  };
}

const six = ['00', '01', '02', '03', '04', '05'].map((h) => `2026-02-10T${h}`);

describe('hourly table (Markdown)', () => {
  it.each<[string, Row[], string | null, [string, string, string, string][]]>([
    [
      'steady hours fold into one row, the break hour and a restart stand alone',
      [...six.map((h, i) => row(h, 'market_data', i < 3 ? 1200 : 0)), row('2026-02-10T01', 'restarts', 2, { class: 'cdb_ws:feed.mode' })],
      '2026-02-10T03:10:00Z',
      [
        ['2026-02-10T00', '1,200', '', ''],
        ['2026-02-10T01', '1,200', '2 (cdb_ws)', ''],
        ['2026-02-10T02', '1,200', '', ''],
        ['2026-02-10T03', '0', '', 'break after 03:10:00 (market_data)'],
        ['2026-02-10T04 – 2026-02-10T05 (2 h)', '0', '', ''],
      ],
    ],
    ['no rows: every hour unobserved, one row', [], null, [['2026-02-10T00 – 2026-02-10T05 (6 h)', '–', '', '']]],
  ])('%s', (_n, hourly, breakAt, want) => {
    const t = hourlyTable(model(hourly, breakAt));
    expect(t.stages).toEqual(['Market data', 'Signals', 'Approvals', 'Rejections', 'Orders', 'Fills', 'Rows persisted']);
    expect(t.rows.map((r) => [r.hours, r.cells[0], r.restarts, r.note])).toEqual(want);
    for (const r of t.rows) expect(r.cells).toHaveLength(7);
  });
});

describe('hourly table (Markdown) in German', () => {
  it('stage words, hour ids, runs, counts and the break note in German', () => {
    const six = ['00', '01', '02', '03', '04', '05'].map((h) => `2026-02-10T${h}`);
    const hourly = [...six.map((h, i) => row(h, 'market_data', i < 3 ? 1200 : 0)), row('2026-02-10T01', 'restarts', 2, { class: 'cdb_ws:feed.mode' })];
    const t = hourlyTable(model(hourly, '2026-02-10T03:10:00Z'), 'de');
    expect(t.stages).toEqual(['Marktdaten', 'Signale', 'Genehmigungen', 'Ablehnungen', 'Orders', 'Fills', 'Persistierte Zeilen']);
    expect(t.rows.map((r) => [r.hours, r.cells[0], r.restarts, r.note])).toEqual([
      ['10.02.2026 00h', '1.200', '', ''],
      ['10.02.2026 01h', '1.200', '2 (cdb_ws)', ''],
      ['10.02.2026 02h', '1.200', '', ''],
      ['10.02.2026 03h', '0', '', 'Bruch nach 03:10:00 (market_data)'],
      ['10.02.2026 04h – 10.02.2026 05h (2 Std.)', '0', '', ''],
    ]);
  });
});
