import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../model.js';
import { RECON_LAYOUT, reconciliationSvg } from './reconciliation.js';

type Row = ReportModel['reconciliation'][number];
const row = (o: Partial<Row>): Row => ({
  date: '2026-02-10', metric: 'signals', report_kind: 'paper_runner', report_value: 10, db_value: 10, matches: true, explanation: null, interpretation: 'named_day_utc',
  interpretations_matching: [], complete: true, close: true, counting: null, generated_at: null, zone: null, note: null, candidates: [], evidence: [], ...o,
});
const full = RECON_LAYOUT.width - RECON_LAYOUT.left - RECON_LAYOUT.right;
const widths = (svg: string, cls: string) => [...svg.matchAll(new RegExp(`class="${cls}"[^>]* width="([\\d.]+)"`, 'g'))].map((m) => Number(m[1]));

describe('reconciliation per day', () => {
  it.each<[string, Row, number, number, string]>([
    ['match', row({}), full, full, 'matches'],
    ['report twice the DB', row({ report_value: 20, db_value: 10, matches: false, explanation: 'duplicate_rows' }), full, full / 2, 'matches (both writers)'],
    ['report failed', row({ report_value: null, db_value: 8, matches: false, explanation: 'report_failed' }), 0, full, 'report failed'],
    ['DB unknown', row({ report_value: 5, db_value: null, matches: false }), full, 0, 'not evaluable'],
  ])('%s: report and DB bars on one scale, the verdict printed', (_n, r, reportW, dbW, verdict) => {
    const svg = reconciliationSvg({ reconciliation: [r] });
    expect(widths(svg, 'recon-report')[0]).toBeCloseTo(reportW, 0);
    expect(widths(svg, 'recon-db')[0]).toBeCloseTo(dbW, 0);
    expect(svg).toContain(`>${verdict}</text>`);
  });

  it('has a pair per row and says so when there is no report', () => {
    const svg = reconciliationSvg({ reconciliation: [row({}), row({ date: '2026-02-11', metric: 'trades' })] });
    expect(widths(svg, 'recon-report')).toHaveLength(2);
    expect(widths(svg, 'recon-db')).toHaveLength(2);
    expect(svg).toContain('2026-02-11 trades · paper runner: report 10, DB 10, matches');
    const none = reconciliationSvg({ reconciliation: [] });
    expect(none).toMatch(/^<svg [^>]*role="img"/);
    expect(none).toContain('>no daily report in the bundle<');
  });
});

describe('reconciliation per day in German', () => {
  it.each<[string, Row, string]>([
    ['match', row({}), 'stimmt'],
    ['both writers', row({ report_value: 20, matches: false, explanation: 'duplicate_rows' }), 'stimmt (beide Writer)'],
    ['report failed', row({ report_value: null, matches: false, explanation: 'report_failed' }), 'Report fehlgeschlagen'],
    ['DB unknown', row({ db_value: null, matches: false }), 'nicht auswertbar'],
    ['differs', row({ report_value: 12, matches: false }), 'weicht ab'],
  ])('%s: the verdict in German', (_n, r, verdict) => {
    expect(reconciliationSvg({ reconciliation: [r] }, 'de')).toContain(`>${verdict}</text>`);
  });

  it('describes each pair in German, with a German day and grouping', () => {
    const svg = reconciliationSvg({ reconciliation: [row({ complete: false, report_value: 1500, db_value: 1500 })] }, 'de');
    expect(svg).toContain('10.02.2026 (unvollständig) signals · paper runner: Report 1.500, DB 1.500, stimmt.');
    expect(svg).toContain('<title id="chart-reconciliation-t">Abgleich pro Tag: Report gegen DB</title>');
    expect(reconciliationSvg({ reconciliation: [] }, 'de')).toContain('>kein Daily-Report im Bundle<');
  });
});
