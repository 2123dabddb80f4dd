/**
 * The report's charts: pure functions of the report model returning inline SVG strings (HTML),
 * and the same numbers as compact rows for Markdown.
 */
import type { Lang } from '../../i18n/lang.js';
import { render, text } from '../../i18n/translate.js';
import { activeLang } from '../active-lang.js';
import type { ReportModel } from '../model.js';
import { funnelSvg } from './funnel.js';
import { hourId, hourlyCharts, hourlyData, type HourlyChart } from './hourly.js';
import { count } from './svg.js';
import { reconciliationSvg } from './reconciliation.js';

export { funnelSvg, hourlyCharts, reconciliationSvg, type HourlyChart };

export interface HourlyTableRow {
  /** `2026-02-10T00`, or `2026-02-10T05 – 2026-02-11T08 (28 h)` for a run of identical hours. */
  hours: string;
  /** One cell per stage of HOURLY_STAGES: the count, or "–" when no source covered the hour. */
  cells: string[];
  restarts: string;
  note: string;
}

function cell(n: number | null, lang: Lang): string {
  return n === null ? '–' : count(n, lang);
}

/**
 * The hourly chart's numbers as table rows, consecutive hours with the same counts (and no
 * restart or break among them) folded into one row, so 72 quiet hours do not print 72 lines.
 */
export function hourlyTable(model: Pick<ReportModel, 'block' | 'flow'>, lang: Lang = activeLang()): { stages: string[]; rows: HourlyTableRow[] } {
  const data = hourlyData(model, lang);
  const breakHour = data.breakAt ? data.breakAt.slice(0, 13) : null;
  const raw = data.hours.map((hour, i) => {
    const r = data.restarts.find((x) => x.hour === hour);
    return {
      hour,
      cells: data.series.map((s) => cell(s.hours[i].n, lang)),
      restarts: r ? `${count(r.n, lang)} (${r.services.join(', ')})` : '',
      note: hour === breakHour ? render(lang, text('chart.table.break_after', { time: data.breakAt!.slice(11, 19), stage: data.breakStage ?? text('chart.hourly.flow') })) : '',
    };
  });
  const rows: HourlyTableRow[] = [];
  let i = 0;
  while (i < raw.length) {
    let j = i;
    const same = (a: (typeof raw)[number], b: (typeof raw)[number]) => a.cells.join('|') === b.cells.join('|') && !a.restarts && !b.restarts && !a.note && !b.note;
    while (j + 1 < raw.length && same(raw[i], raw[j + 1])) j++;
    const hours = j === i ? hourId(raw[i].hour, lang) : render(lang, text('chart.table.run', { from: hourId(raw[i].hour, lang), to: hourId(raw[j].hour, lang), n: j - i + 1 }));
    rows.push({ hours, cells: raw[i].cells, restarts: raw[i].restarts, note: raw[i].note });
    i = j + 1;
  }
  return { stages: data.series.map((s) => s.label), rows };
}
