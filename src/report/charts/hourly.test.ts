import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../model.js';
import { blockHours, hourlyCharts, hourlyData, HOURLY_LAYOUT, hourlySvg, xOfInstant } from './hourly.js';

type Row = ReportModel['flow']['hourly'][number];
type Model = Pick<ReportModel, 'block' | 'flow'>;

const row = (hour: string, stage: string, n: number, extra: Partial<Row> = {}): Row => ({ hour, stage, class: '', n, source: 'log', in_block: true, observed: true, ...extra });

/** A one-day block (24 h): market data flows 0–9 h, stops after 09:30; signals never observed; a restart at 05 h. */
function model(over: Partial<Model['flow']> = {}): Model {
  const hours = blockHours({ from: '2026-02-10T00:00:00.000Z', to: '2026-02-10T23:59:59.999Z' });
  const hourly: Row[] = [];
  for (const [i, h] of hours.entries()) {
    hourly.push(row(h, 'market_data', i < 9 ? 30 : i === 9 ? 2 : 0));
    hourly.push(row(h, 'orders', 0));
  }
  hourly.push(row('2026-02-10T05', 'restarts', 1, { class: 'cdb_ws:feed.mode' }), row('2026-02-10T05', 'restarts', 1, { class: 'cdb_<b>x</b>:risk.started' }));
  // Outside the block: never drawn.
  hourly.push(row('2026-02-11T00', 'market_data', 99, { in_block: false }));
  return {
    block: { from: '2026-02-10T00:00:00.000Z', to: '2026-02-10T23:59:59.999Z', zone: 'UTC', era: null, dialect: null, days: ['2026-02-10'], evidence: {} },
    flow: {
      break_layer: 'market_data', break_stage: 'market_data', break_at: '2026-02-10T09:30:00Z', break_reason: 'stopped', break_evidence: [], hourly,
      counts: { market_data_events: 0, signals: 0, risk_approved: 0, risk_rejected: 0, orders: 0, trades: 0, persisted_trades: 0 },
      per_day: [], sources: { market_data: 'log', signals: 'none', risk_decisions: 'none', orders: 'log', trades: 'none' }, funnel: [],
      ...over,
    },
  };
}

const { width, left, right } = HOURLY_LAYOUT;
const plotW = width - left - right;
const svgOf = (m: Model, stage: string) => hourlyCharts(m).find((c) => c.stage === stage)!.svg;
const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('blockHours', () => {
  it.each<[string, string, number, string | undefined]>([
    ['2026-02-10T00:00:00.000Z', '2026-02-12T23:59:59.999Z', 72, '2026-02-10T00'],
    ['2026-02-09T23:00:00.000Z', '2026-02-10T22:59:59.999Z', 24, '2026-02-09T23'],
    ['2026-02-10T00:00:00.000Z', '2026-02-09T00:00:00.000Z', 0, undefined],
  ])('%s – %s has %i hours', (from, to, n, first) => {
    const h = blockHours({ from, to });
    expect(h).toHaveLength(n);
    expect(h[0]).toBe(first);
  });
});

describe('hourly chart', () => {
  it.each([['market_data'], ['signals'], ['risk_approved'], ['risk_rejected'], ['orders'], ['fills'], ['persisted']])('%s: one element per block hour, a role and a text alternative', (stage) => {
    const svg = svgOf(model(), stage);
    expect(count(svg, /<rect class="hour /g)).toBe(24);
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toMatch(/<title id="[^"]+-t">[^<]+<\/title><desc id="[^"]+-d">[^<]+<\/desc>/);
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it.each<[string, number, number, string]>([
    // [stage, bars, unobserved hours, words inside the chart]
    ['market_data', 24, 0, ''],
    ['orders', 24, 0, '>no events<'],
    ['signals', 0, 24, '>not observed: no source of this stage covers the block<'],
  ])('%s: %i bars, %i hatched hours', (stage, bars, hatched, words) => {
    const svg = svgOf(model(), stage);
    expect(count(svg, /class="hour bar"/g)).toBe(bars);
    expect(count(svg, /class="hour unobserved"/g)).toBe(hatched);
    if (words) expect(svg).toContain(words);
    else expect(svg).not.toMatch(/>no events<|>not observed/);
  });

  it.each<[string, number | null]>([
    ['2026-02-10T09:30:00Z', left + (9.5 / 24) * plotW],
    ['2026-02-10T00:00:00Z', left],
    ['2026-02-11T00:00:00Z', left + plotW],
    ['2026-02-11T00:00:01Z', null],
    ['2026-02-09T23:59:59Z', null],
  ])('the break at %s is at x %s', (at, x) => {
    const hours = blockHours(model().block);
    const got = xOfInstant(hours, at);
    if (x === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(x, 6);
  });

  it('draws the break marker at its minute on every stage chart, and none without a break', () => {
    const x = (left + (9.5 / 24) * plotW).toFixed(1).replace(/\.0$/, '');
    for (const c of hourlyCharts(model())) expect(c.svg).toContain(`<line class="break" x1="${x}"`);
    for (const c of hourlyCharts(model({ break_at: null, break_stage: null }))) expect(c.svg).not.toContain('class="break"');
  });

  it('bars scale to the peak: a 30-event hour fills the plot, a 2-event hour is 1/15 of it', () => {
    const svg = svgOf(model(), 'market_data');
    const heights = [...svg.matchAll(/class="hour bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    const plotH = HOURLY_LAYOUT.height - HOURLY_LAYOUT.top - HOURLY_LAYOUT.bottom;
    expect(heights.slice(0, 9)).toEqual(Array(9).fill(plotH));
    expect(heights[9]).toBeCloseTo((2 / 30) * plotH, 1);
    expect(heights.slice(10)).toEqual(Array(14).fill(0));
  });

  it('restarts are one tick per hour, their service names escaped', () => {
    const svg = svgOf(model(), 'orders');
    expect(count(svg, /class="restart"/g)).toBe(1);
    expect(svg).toContain('2026-02-10T05: 2 restarts (cdb_&lt;b&gt;x&lt;/b&gt;, cdb_ws)');
    expect(svg).not.toContain('<b>');
  });

  it('a stage total comes from its class rows when it has no stage-wide row', () => {
    const m = model({ hourly: [row('2026-02-10T03', 'persisted', 3, { class: 'exec.saved_order' }), row('2026-02-10T03', 'persisted', 4, { class: 'exec.saved_trade' })] });
    const s = hourlyData(m).series.find((x) => x.stage === 'persisted')!;
    expect(s.hours[3]).toEqual({ hour: '2026-02-10T03', n: 7 });
    expect(s.hours[2].n).toBeNull();
  });

  it('is the same bytes every time, with no float noise', () => {
    const a = hourlyCharts(model()).map((c) => c.svg).join('');
    expect(hourlyCharts(model()).map((c) => c.svg).join('')).toBe(a);
    expect(a).not.toMatch(/\d\.\d{2,}/);
    expect(a).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('an empty block still draws a chart that says so', () => {
    const m = model({ hourly: [] });
    const data = hourlyData(m);
    const svg = hourlySvg(data.series[0], data);
    expect(svg).toContain('>not observed: no source of this stage covers the block<');
    expect(svg).toContain('no source in the bundle');
  });
});

describe('hourly chart in German', () => {
  it('titles, text alternative, hour ids, the break and restarts in German', () => {
    const charts = hourlyCharts(model(), 'de');
    const md = charts.find((c) => c.stage === 'market_data')!;
    expect(md.label).toBe('Marktdaten');
    expect(md.svg).toContain('<title id="chart-hourly-market-data-t">Marktdaten pro Stunde</title>');
    expect(md.svg).toContain('Marktdaten pro UTC-Stunde, 10.02.2026 00h bis 10.02.2026 23h (24 Std.); Quelle log; 272 Events, Spitze 30 um 10.02.2026 00h; Bruch (market_data) nach 10.02.2026 09:30 UTC; 2 Neustarts in 1 Stunde.');
    expect(md.svg).toContain('>Bruch 10.02. 09:30 UTC</text>');
    expect(md.svg).toContain('<title>10.02.2026 05h: 2 Neustarts (cdb_&lt;b&gt;x&lt;/b&gt;, cdb_ws)</title>');
    const signals = charts.find((c) => c.stage === 'signals')!.svg;
    expect(signals).toContain('>nicht beobachtet: keine Quelle dieser Stufe deckt den Block ab<');
    expect(signals).toContain('<title>10.02.2026 00h: nicht beobachtet</title>');
    expect(charts.map((c) => c.svg).join('')).not.toMatch(/per hour|not observed|restarts? \(|>break /);
  });
});
