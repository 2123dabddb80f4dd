/**
 * The reconciliation per day: every value a daily report printed beside the DB's count for the
 * window it really counted. Each pair has its own linear scale (a pair is what is compared), the
 * report bar solid, the DB bar hatched and outlined, both values and the verdict printed.
 */
import { formatDate } from '../../i18n/format.js';
import type { Lang } from '../../i18n/lang.js';
import { render, text as keyed, word } from '../../i18n/translate.js';
import type { ReportModel } from '../model.js';
import { count, fx, open, text } from './svg.js';

type Row = ReportModel['reconciliation'][number];

export const RECON_LAYOUT = { width: 720, left: 230, right: 190, top: 30, bar: 10, pairGap: 10 } as const;

function verdictWord(r: Row, lang: Lang): string {
  if (r.explanation) return word(lang, r.explanation === 'duplicate_rows' ? 'chart.recon.matches_both' : `chart.recon.${r.explanation}`);
  return word(lang, r.matches ? 'chart.recon.matches' : r.report_value === null || r.db_value === null ? 'chart.recon.not_evaluable' : 'chart.recon.differs');
}

export function reconciliationSvg(model: Pick<ReportModel, 'reconciliation'>, lang: Lang = 'en'): string {
  const w = (k: Parameters<typeof word>[1]) => word(lang, k);
  const value = (n: number | null) => (n === null ? w('report.na') : count(n, lang));
  const { width, left, right, top, bar, pairGap } = RECON_LAYOUT;
  const rows = model.reconciliation;
  const pairH = 2 * bar + 2 + pairGap;
  const height = top + Math.max(1, rows.length) * pairH + 10;
  const full = width - left - right;
  // The metric and report kind are the model's ids (signals, paper_runner), read as words.
  const label = (r: Row) => `${r.date ? formatDate(lang, r.date) : w('chart.recon.no_day')}${r.complete ? '' : ` ${w('chart.recon.partial')}`} ${r.metric.replace(/_/g, ' ')} · ${r.report_kind.replace(/_/g, ' ')}`;
  const desc =
    rows.length === 0
      ? w('chart.recon.none')
      : rows.map((r) => render(lang, keyed('chart.recon.desc_row', { label: label(r), report: value(r.report_value), db: value(r.db_value), verdict: verdictWord(r, lang) }))).join('; ') + '.';
  const out = [open('chart-reconciliation', width, height, w('chart.recon.title'), desc)];
  out.push(text(4, 14, w('chart.recon.title'), 'font-weight="bold" font-size="11"'));
  out.push(`<rect x="${fx(width - 190)}" y="5" width="12" height="9" fill="#3a3a3a"/>`);
  out.push(text(width - 174, 13, w('chart.recon.report')));
  out.push(`<rect x="${fx(width - 120)}" y="5" width="12" height="9" fill="url(#chart-reconciliation-hatch)" stroke="#000000" stroke-width="0.8"/>`);
  out.push(text(width - 104, 13, w('chart.recon.db')));
  if (rows.length === 0) out.push(text(width / 2, top + 14, w('chart.recon.none_short'), 'text-anchor="middle" font-size="12" font-weight="bold"'));
  rows.forEach((r, i) => {
    const y = top + i * pairH;
    const max = Math.max(r.report_value ?? 0, r.db_value ?? 0);
    const len = (n: number | null) => (n !== null && max > 0 ? (Math.max(0, n) / max) * full : 0);
    out.push(text(left - 6, y + bar + 2, label(r), 'text-anchor="end"'));
    out.push(`<rect class="recon-report" x="${fx(left)}" y="${fx(y)}" width="${fx(len(r.report_value))}" height="${fx(bar)}" fill="#3a3a3a"/>`);
    out.push(text(left + len(r.report_value) + 4, y + bar - 1, render(lang, keyed('chart.recon.report_value', { v: value(r.report_value) }))));
    const yd = y + bar + 2;
    out.push(`<rect class="recon-db" x="${fx(left)}" y="${fx(yd)}" width="${fx(len(r.db_value))}" height="${fx(bar)}" fill="url(#chart-reconciliation-hatch)" stroke="#000000" stroke-width="0.8"/>`);
    out.push(text(left + len(r.db_value) + 4, yd + bar - 1, render(lang, keyed('chart.recon.db_value', { v: value(r.db_value) }))));
    out.push(`<line x1="${fx(left)}" y1="${fx(y)}" x2="${fx(left)}" y2="${fx(yd + bar)}" stroke="#000000" stroke-width="1"/>`);
    out.push(text(width - 4, y + bar + 2, verdictWord(r, lang), `text-anchor="end"${r.matches ? '' : ' font-weight="bold"'}`));
  });
  out.push('</svg>');
  return out.join('');
}
