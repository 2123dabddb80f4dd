/**
 * Events per hour over the block, one chart per pipeline stage, from the report's hourly flow.
 * A chart is drawn for every stage, healthy or empty: an hour no source covered is hatched (it is
 * not a zero), the break is a dashed line at its minute, restarts are ticks under the axis.
 */
import { formatDate, formatDateTime } from '../../i18n/format.js';
import type { Lang } from '../../i18n/lang.js';
import { render, text as keyed, word } from '../../i18n/translate.js';
import type { ReportModel } from '../model.js';
import { count, esc, fx, open, text } from './svg.js';

type Model = Pick<ReportModel, 'block' | 'flow'>;

/** The stages an analyst follows, in pipeline order; their words are `chart.stage.<id>`. */
export const HOURLY_STAGES = ['market_data', 'signals', 'risk_approved', 'risk_rejected', 'orders', 'fills', 'persisted'] as const;

export type HourlyStage = (typeof HOURLY_STAGES)[number];

/** A stage's chart label in `lang` ("Approvals" / "Genehmigungen"). */
export function hourlyStageLabel(stage: HourlyStage, lang: Lang = 'en'): string {
  return word(lang, `chart.stage.${stage}`);
}

const HOUR_MS = 3_600_000;

export interface HourCell {
  hour: string;
  /** Events in the hour; null when no source of the stage covered it. */
  n: number | null;
}

export interface HourlySeries {
  stage: HourlyStage;
  label: string;
  sources: string[];
  hours: HourCell[];
}

export interface Restart {
  hour: string;
  n: number;
  /** `cdb_risk` from the restart class `cdb_risk:risk.started`, sorted, once each. */
  services: string[];
}

export interface HourlyData {
  /** Every UTC hour of the block, `YYYY-MM-DDTHH`. */
  hours: string[];
  series: HourlySeries[];
  restarts: Restart[];
  breakAt: string | null;
  breakStage: string | null;
}

/** The UTC hours the block spans, first to last (a block of three UTC days has 72). */
export function blockHours(block: { from: string; to: string }): string[] {
  const from = Date.parse(block.from);
  const to = Date.parse(block.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return [];
  const out: string[] = [];
  for (let t = Math.floor(from / HOUR_MS) * HOUR_MS; t <= to; t += HOUR_MS) out.push(new Date(t).toISOString().slice(0, 13));
  return out;
}

/**
 * Per stage and block hour: the stage's total (its '' class row, else the sum of its class rows)
 * or null when no row of the stage says a source covered the hour.
 */
export function hourlyData(model: Model, lang: Lang = 'en'): HourlyData {
  const hours = blockHours(model.block);
  const inHours = new Set(hours);
  const rows = model.flow.hourly.filter((r) => inHours.has(r.hour));
  const series = HOURLY_STAGES.map((stage): HourlySeries => {
    const label = hourlyStageLabel(stage, lang);
    const own = rows.filter((r) => r.stage === stage);
    const sources = [...new Set(own.map((r) => r.source))].sort();
    const cells = hours.map((hour): HourCell => {
      const at = own.filter((r) => r.hour === hour);
      if (!at.some((r) => r.observed)) return { hour, n: null };
      const total = at.find((r) => r.class === '');
      return { hour, n: total ? total.n : at.reduce((s, r) => s + r.n, 0) };
    });
    return { stage, label, sources, hours: cells };
  });
  const byHour = new Map<string, { n: number; services: Set<string> }>();
  for (const r of rows) {
    if (r.stage !== 'restarts' || r.class === '' || r.n <= 0) continue;
    let e = byHour.get(r.hour);
    if (!e) byHour.set(r.hour, (e = { n: 0, services: new Set() }));
    e.n += r.n;
    e.services.add(r.class.split(':')[0]);
  }
  const restarts = [...byHour.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([hour, e]) => ({ hour, n: e.n, services: [...e.services].sort() }));
  return { hours, series, restarts, breakAt: model.flow.break_at, breakStage: model.flow.break_stage };
}

/** Geometry shared by the chart and its tests. */
export const HOURLY_LAYOUT = { width: 720, height: 140, left: 48, right: 12, top: 30, bottom: 40 } as const;

/** The x of an instant on the hour axis (hours[0] at the left edge), or null outside the block. */
export function xOfInstant(hours: string[], iso: string): number | null {
  if (hours.length === 0) return null;
  const t0 = Date.parse(`${hours[0]}:00:00Z`);
  const t = Date.parse(iso);
  const span = hours.length * HOUR_MS;
  if (!Number.isFinite(t) || t < t0 || t > t0 + span) return null;
  const { width, left, right } = HOURLY_LAYOUT;
  return left + ((t - t0) / span) * (width - left - right);
}

/**
 * An hour id as a chart or the hourly table writes it: English keeps `2026-02-10T05` (the id
 * report.json uses), German writes the day its way (`10.02.2026 05h`).
 */
export function hourId(h: string, lang: Lang = 'en'): string {
  return lang === 'en' || !/^\d{4}-\d\d-\d\dT\d\d$/.test(h) ? h : `${formatDate(lang, h.slice(0, 10))} ${h.slice(11)}h`;
}

function describe(s: HourlySeries, data: HourlyData, lang: Lang): string {
  const say = (t: Parameters<typeof render>[1]) => render(lang, t);
  const observed = s.hours.filter((h) => h.n !== null);
  const total = observed.reduce((a, h) => a + (h.n ?? 0), 0);
  const first = data.hours[0];
  const last = data.hours[data.hours.length - 1];
  const parts = [say(keyed('chart.hourly.desc_head', { stage: s.label, from: first ? hourId(first, lang) : '–', to: last ? hourId(last, lang) : '–', n: data.hours.length }))];
  parts.push(s.sources.length ? say(keyed('chart.hourly.source', { sources: s.sources.join(', ') })) : word(lang, 'chart.hourly.no_source'));
  if (observed.length === 0) parts.push(word(lang, 'chart.hourly.no_hour_observed'));
  else if (total === 0) parts.push(word(lang, 'chart.hourly.no_events'));
  else {
    const peak = observed.reduce((a, h) => ((h.n ?? 0) > (a.n ?? 0) ? h : a));
    parts.push(say(keyed('chart.hourly.events_peak', { total: count(total, lang), peak: count(peak.n ?? 0, lang), hour: hourId(peak.hour, lang) })));
  }
  const gaps = s.hours.length - observed.length;
  if (gaps > 0 && observed.length > 0) parts.push(say(keyed('chart.hourly.gaps', { n: gaps })));
  if (data.breakAt) parts.push(say(keyed('chart.hourly.break_after', { stage: data.breakStage ?? keyed('chart.hourly.flow'), at: lang === 'en' ? data.breakAt : formatDateTime(lang, data.breakAt) })));
  const r = data.restarts.reduce((a, x) => a + x.n, 0);
  if (r > 0) parts.push(say(keyed('chart.hourly.restarts', { n: r, h: data.restarts.length })));
  // The text alternative is a list of statements, one per clause, in either language.
  return parts.join('; ') + '.';
}

/** One stage's chart as an inline SVG. */
export function hourlySvg(s: HourlySeries, data: HourlyData, lang: Lang = 'en'): string {
  const say = (t: Parameters<typeof render>[1]) => render(lang, t);
  const { width, height, left, right, top, bottom } = HOURLY_LAYOUT;
  const id = `chart-hourly-${s.stage.replace(/_/g, '-')}`;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const base = top + plotH;
  const n = data.hours.length;
  const step = n > 0 ? plotW / n : plotW;
  const observed = s.hours.filter((h) => h.n !== null);
  const max = Math.max(0, ...observed.map((h) => h.n ?? 0));
  const total = observed.reduce((a, h) => a + (h.n ?? 0), 0);
  const title = say(keyed('chart.hourly.title', { stage: s.label }));
  const out: string[] = [open(id, width, height, title, describe(s, data, lang))];
  out.push(text(4, 13, title, 'font-weight="bold" font-size="11"'));
  out.push(text(width - right, 13, s.sources.length ? say(keyed('chart.hourly.source_label', { sources: s.sources.join(', ') })) : word(lang, 'chart.hourly.no_source_label'), 'text-anchor="end" fill="#444444"'));
  // y scale: 0 and the peak.
  out.push(text(left - 4, base, '0', 'text-anchor="end"'));
  if (max > 0) {
    out.push(text(left - 4, top + 8, count(max, lang), 'text-anchor="end"'));
    out.push(`<line x1="${fx(left)}" y1="${fx(top)}" x2="${fx(left + plotW)}" y2="${fx(top)}" stroke="#d0d0d0" stroke-width="0.5"/>`);
  }
  // Hours: the hatch for not observed, a bar (maybe zero high) for observed; one element per hour.
  out.push('<g class="hours">');
  s.hours.forEach((h, i) => {
    const x = left + i * step;
    if (h.n === null) {
      out.push(`<rect class="hour unobserved" x="${fx(x)}" y="${fx(top)}" width="${fx(step)}" height="${fx(plotH)}" fill="url(#${id}-hatch)"><title>${esc(say(keyed('chart.hourly.hour_not_observed', { hour: hourId(h.hour, lang) })))}</title></rect>`);
    } else {
      const bh = max > 0 ? (h.n / max) * plotH : 0;
      out.push(`<rect class="hour bar" x="${fx(x + step * 0.1)}" y="${fx(base - bh)}" width="${fx(step * 0.8)}" height="${fx(bh)}" fill="#3a3a3a"><title>${esc(hourId(h.hour, lang))}: ${count(h.n, lang)}</title></rect>`);
    }
  });
  out.push('</g>');
  // Axis, day boundaries with their date.
  out.push(`<line x1="${fx(left)}" y1="${fx(base)}" x2="${fx(left + plotW)}" y2="${fx(base)}" stroke="#000000" stroke-width="1"/>`);
  data.hours.forEach((h, i) => {
    if (!h.endsWith('T00') && i !== 0) return;
    const x = left + i * step;
    out.push(`<line x1="${fx(x)}" y1="${fx(top)}" x2="${fx(x)}" y2="${fx(base + 4)}" stroke="#b0b0b0" stroke-width="0.5" stroke-dasharray="1 2"/>`);
    out.push(text(x + 2, base + 26, `${formatDate(lang, h.slice(0, 10))} ${h.slice(11)}h`, 'fill="#444444"'));
  });
  // Restarts: a tick under the axis per hour with one.
  for (const r of data.restarts) {
    const i = data.hours.indexOf(r.hour);
    if (i < 0) continue;
    const x = left + (i + 0.5) * step;
    out.push(
      `<path class="restart" d="M${fx(x)} ${fx(base + 3)} l3 7 h-6 z" fill="#000000"><title>${esc(say(keyed('chart.hourly.hour_restarts', { hour: hourId(r.hour, lang), n: r.n, services: r.services.join(', ') })))}</title></path>`,
    );
  }
  // The break: a dashed line at its minute, on every stage's chart so they read together.
  const bx = data.breakAt ? xOfInstant(data.hours, data.breakAt) : null;
  if (bx !== null && data.breakAt) {
    out.push(`<line class="break" x1="${fx(bx)}" y1="${fx(top - 10)}" x2="${fx(bx)}" y2="${fx(base)}" stroke="#000000" stroke-width="1.5" stroke-dasharray="5 3"/>`);
    // The label sits above the plot, beside the line, so no bar hides it.
    const at = lang === 'en' ? data.breakAt.slice(5, 16).replace('T', ' ') : `${data.breakAt.slice(8, 10)}.${data.breakAt.slice(5, 7)}. ${data.breakAt.slice(11, 16)}`;
    const label = say(keyed('chart.hourly.break_label', { at }));
    const anchor = bx > left + plotW * 0.8 ? 'end' : 'start';
    out.push(text(anchor === 'end' ? bx - 3 : bx + 3, top - 3, label, `text-anchor="${anchor}" font-weight="bold"`));
  }
  if (observed.length === 0 || total === 0) {
    out.push(
      text(left + plotW / 2, top + plotH / 2 + 4, word(lang, observed.length === 0 ? 'chart.hourly.not_observed' : 'chart.hourly.no_events'), 'text-anchor="middle" font-size="12" font-weight="bold"'),
    );
  }
  out.push('</svg>');
  return out.join('');
}

export interface HourlyChart {
  stage: HourlyStage;
  label: string;
  svg: string;
}

export function hourlyCharts(model: Model, lang: Lang = 'en'): HourlyChart[] {
  const data = hourlyData(model, lang);
  return data.series.map((s) => ({ stage: s.stage, label: s.label, svg: hourlySvg(s, data, lang) }));
}
