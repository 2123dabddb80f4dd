/**
 * The funnel per day: for each block day, market data → signals → approved / rejected → orders →
 * trades → persisted, as labelled horizontal bars. Market data outnumbers every later stage by
 * orders of magnitude, so the bar length is logarithmic (said in the chart); the count is printed
 * beside each bar, so no number is read off a length.
 */
import type { Lang } from '../../i18n/lang.js';
import { formatDate } from '../../i18n/format.js';
import { word } from '../../i18n/translate.js';
import type { ReportModel } from '../model.js';
import { count, fx, open, text } from './svg.js';

/** The stages with the words of the report's flow table. */
const STAGES = [
  ['market_data_events', 'report.col.market_data'],
  ['signals', 'report.col.signals'],
  ['risk_approved', 'report.col.approved'],
  ['risk_rejected', 'report.col.rejected'],
  ['orders', 'report.col.orders'],
  ['trades', 'report.col.trades'],
  ['persisted_trades', 'report.col.persisted'],
] as const;

export const FUNNEL_LAYOUT = { width: 720, left: 150, right: 70, top: 30, bar: 11, gap: 3, dayGap: 20 } as const;

/** Bar length for a count on a log scale whose full width is `max`. */
export function logLength(n: number, max: number, full: number): number {
  return max > 0 && n > 0 ? (Math.log10(n + 1) / Math.log10(max + 1)) * full : 0;
}

export function funnelSvg(model: Pick<ReportModel, 'flow'>, lang: Lang = 'en'): string {
  const w = (k: Parameters<typeof word>[1]) => word(lang, k);
  const { width, left, right, top, bar, gap, dayGap } = FUNNEL_LAYOUT;
  const days = model.flow.per_day;
  const rowH = bar + gap;
  const dayH = dayGap + STAGES.length * rowH;
  const height = top + Math.max(1, days.length) * dayH + 10;
  const full = width - left - right;
  const max = Math.max(0, ...days.flatMap((d) => STAGES.map(([k]) => d[k])));
  const desc =
    days.length === 0
      ? w('chart.funnel.no_days')
      : // English lower-cases the column words inside a sentence; German nouns keep their capital.
        days.map((d) => `${formatDate(lang, d.date)}: ${STAGES.map(([k, l]) => `${lang === 'en' ? w(l).toLowerCase() : w(l)} ${count(d[k], lang)}`).join(', ')}`).join('; ') + '.';
  const out = [open('chart-funnel', width, height, w('chart.funnel.title_log'), desc)];
  out.push(text(4, 14, w('chart.funnel.title'), 'font-weight="bold" font-size="11"'));
  out.push(text(width - 4, 14, w('chart.funnel.scale'), 'text-anchor="end" fill="#444444"'));
  if (days.length === 0) out.push(text(width / 2, top + 20, w('report.no_block_days'), 'text-anchor="middle" font-size="12" font-weight="bold"'));
  days.forEach((d, di) => {
    const y0 = top + di * dayH;
    out.push(text(4, y0 + 12, formatDate(lang, d.date), 'font-weight="bold"'));
    STAGES.forEach(([k, key], si) => {
      const label = w(key);
      const y = y0 + dayGap + si * rowH - 6;
      const len = logLength(d[k], max, full);
      out.push(text(left - 6, y + bar - 2, label, 'text-anchor="end"'));
      out.push(`<rect class="funnel-bar" x="${fx(left)}" y="${fx(y)}" width="${fx(len)}" height="${fx(bar)}" fill="#3a3a3a"/>`);
      out.push(`<line x1="${fx(left)}" y1="${fx(y)}" x2="${fx(left)}" y2="${fx(y + bar)}" stroke="#000000" stroke-width="1"/>`);
      out.push(text(left + len + 4, y + bar - 2, count(d[k], lang)));
    });
  });
  out.push('</svg>');
  return out.join('');
}
