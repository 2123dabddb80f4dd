import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../model.js';
import { FUNNEL_LAYOUT, funnelSvg, logLength } from './funnel.js';

type Day = ReportModel['flow']['per_day'][number];
const day = (date: string, n: Partial<Day> = {}): Day => ({ date, market_data_events: 0, signals: 0, risk_approved: 0, risk_rejected: 0, orders: 0, trades: 0, persisted_trades: 0, ...n });
const svgFor = (per_day: Day[]) => funnelSvg({ flow: { per_day } as ReportModel['flow'] });

describe('funnel per day', () => {
  it.each<[string, Day[], number, string]>([
    ['three days', [day('2026-02-10', { market_data_events: 18340, signals: 45 }), day('2026-02-11', { signals: 1 }), day('2026-02-12')], 21, '2026-02-10: market data 18,340, signals 45'],
    ['one quiet day', [day('2026-02-10')], 7, '2026-02-10: market data 0, signals 0'],
    ['no days', [], 0, 'No block days.'],
  ])('%s: one bar per stage and day, the numbers in the text alternative', (_n, days, bars, desc) => {
    const svg = svgFor(days);
    expect((svg.match(/class="funnel-bar"/g) ?? []).length).toBe(bars);
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toContain(desc);
    if (days.length === 0) expect(svg).toContain('>no block days<');
  });

  it.each<[number, number, number]>([
    [0, 100, 0],
    [100, 100, 400],
    [9, 99, 200],
  ])('log length of %i with peak %i over 400 px is %f', (n, max, len) => {
    expect(logLength(n, max, 400)).toBeCloseTo(len, 6);
  });

  it('prints each count beside its bar', () => {
    const svg = svgFor([day('2026-02-10', { market_data_events: 18340, trades: 7 })]);
    expect(svg).toContain('>18,340</text>');
    expect(svg).toContain('>7</text>');
    expect(svg).toContain(`width="${FUNNEL_LAYOUT.width - FUNNEL_LAYOUT.left - FUNNEL_LAYOUT.right}"`);
  });
});

describe('funnel per day in German', () => {
  it('titles, stage words, days and counts in German; no English left', () => {
    const svg = funnelSvg({ flow: { per_day: [day('2026-02-10', { market_data_events: 18340, signals: 45 })] } as ReportModel['flow'] }, 'de');
    expect(svg).toContain('<title id="chart-funnel-t">Trichter pro Tag (logarithmisch)</title>');
    expect(svg).toContain('<desc id="chart-funnel-d">10.02.2026: Marktdaten 18.340, Signale 45, Genehmigt 0, Abgelehnt 0, Orders 0, Trades 0, Persistiert 0.</desc>');
    expect(svg).toContain('>18.340</text>');
    expect(svg).toContain('>Balkenlänge: logarithmisch; Anzahlen angegeben</text>');
    expect(svg).not.toMatch(/Funnel|log scale|Market data/);
    expect(funnelSvg({ flow: { per_day: [] } as unknown as ReportModel['flow'] }, 'de')).toContain('>keine Blocktage<');
  });
});
