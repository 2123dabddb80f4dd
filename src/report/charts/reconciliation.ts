/**
 * The reconciliation per day: every value a daily report printed beside the DB's count for the
 * window it really counted. Each pair has its own linear scale (a pair is what is compared), the
 * report bar solid, the DB bar hatched and outlined, both values and the verdict printed.
 */
import type { ReportModel } from '../model.js';
import { count, fx, open, text } from './svg.js';

type Row = ReportModel['reconciliation'][number];

export const RECON_LAYOUT = { width: 720, left: 230, right: 190, top: 30, bar: 10, pairGap: 10 } as const;

function verdictWord(r: Row): string {
  if (r.explanation) return r.explanation === 'duplicate_rows' ? 'matches (both writers)' : r.explanation.replace(/_/g, ' ');
  return r.matches ? 'matches' : r.report_value === null || r.db_value === null ? 'not evaluable' : 'differs';
}

function value(n: number | null): string {
  return n === null ? 'n/a' : count(n);
}

export function reconciliationSvg(model: Pick<ReportModel, 'reconciliation'>): string {
  const { width, left, right, top, bar, pairGap } = RECON_LAYOUT;
  const rows = model.reconciliation;
  const pairH = 2 * bar + 2 + pairGap;
  const height = top + Math.max(1, rows.length) * pairH + 10;
  const full = width - left - right;
  const label = (r: Row) => `${r.date ?? 'no day'}${r.complete ? '' : ' (partial)'} ${r.metric.replace(/_/g, ' ')} · ${r.report_kind.replace(/_/g, ' ')}`;
  const desc =
    rows.length === 0
      ? 'No daily report in the bundle: nothing to reconcile.'
      : rows.map((r) => `${label(r)}: report ${value(r.report_value)}, DB ${value(r.db_value)}, ${verdictWord(r)}`).join('; ') + '.';
  const out = [open('chart-reconciliation', width, height, 'Reconciliation per day: report vs DB', desc)];
  out.push(text(4, 14, 'Reconciliation per day: report vs DB', 'font-weight="bold" font-size="11"'));
  out.push(`<rect x="${fx(width - 190)}" y="5" width="12" height="9" fill="#3a3a3a"/>`);
  out.push(text(width - 174, 13, 'report'));
  out.push(`<rect x="${fx(width - 120)}" y="5" width="12" height="9" fill="url(#chart-reconciliation-hatch)" stroke="#000000" stroke-width="0.8"/>`);
  out.push(text(width - 104, 13, 'DB'));
  if (rows.length === 0) out.push(text(width / 2, top + 14, 'no daily report in the bundle', 'text-anchor="middle" font-size="12" font-weight="bold"'));
  rows.forEach((r, i) => {
    const y = top + i * pairH;
    const max = Math.max(r.report_value ?? 0, r.db_value ?? 0);
    const len = (n: number | null) => (n !== null && max > 0 ? (Math.max(0, n) / max) * full : 0);
    out.push(text(left - 6, y + bar + 2, label(r), 'text-anchor="end"'));
    out.push(`<rect class="recon-report" x="${fx(left)}" y="${fx(y)}" width="${fx(len(r.report_value))}" height="${fx(bar)}" fill="#3a3a3a"/>`);
    out.push(text(left + len(r.report_value) + 4, y + bar - 1, `report ${value(r.report_value)}`));
    const yd = y + bar + 2;
    out.push(`<rect class="recon-db" x="${fx(left)}" y="${fx(yd)}" width="${fx(len(r.db_value))}" height="${fx(bar)}" fill="url(#chart-reconciliation-hatch)" stroke="#000000" stroke-width="0.8"/>`);
    out.push(text(left + len(r.db_value) + 4, yd + bar - 1, `DB ${value(r.db_value)}`));
    out.push(`<line x1="${fx(left)}" y1="${fx(y)}" x2="${fx(left)}" y2="${fx(yd + bar)}" stroke="#000000" stroke-width="1"/>`);
    out.push(text(width - 4, y + bar + 2, verdictWord(r), `text-anchor="end"${r.matches ? '' : ' font-weight="bold"'}`));
  });
  out.push('</svg>');
  return out.join('');
}
