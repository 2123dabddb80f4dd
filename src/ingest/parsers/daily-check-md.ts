import { defineParser, type Row } from '../define-parser.js';
import type { Line } from '../../bundle/types.js';
import { parseReportNumber } from '../reports/paper-runner-report.js';
import { headerLayout, tableRowValues, type Layout } from './compose-ps.js';
import { repairMojibake } from '../reports/mojibake.js';

/**
 * The host-side `daily_check.py` Markdown report (evidence-formats §6.2), or its console copy.
 * Its clock is the Windows host's local time (CET/CEST) with no zone printed, so generated_at stays
 * null unless a zone is printed; "Today" in its statistics is the DB's UTC CURRENT_DATE. Failures
 * (`❌ **Portfolio check failed**: ...`) are values too: they say the host had no DB credentials.
 * The Trading Statistics table is read by its header (`| Metric | Yesterday (2026-01-24) | Today | Total |`
 * in some copies): each value's key names its column, `Signals Yesterday (2026-01-24)`. The fenced
 * `docker compose ps` table of section 1 is container-status evidence, written to `containers`.
 */

const HOST_ZONE = 'host local (CET/CEST, assumed)';

const MARKS: [RegExp, 'ok' | 'warning' | 'failure', string][] = [
  [/^✅\uFE0F?/, 'ok', '✅'],
  [/^⚠\uFE0F?/, 'warning', '⚠️'],
  [/^❌\uFE0F?/, 'failure', '❌'],
];

function markOf(text: string): { kind: 'ok' | 'warning' | 'failure'; mark: string; rest: string } | null {
  const t = text.trimStart();
  for (const [re, kind, mark] of MARKS) {
    const m = re.exec(t);
    if (m) return { kind, mark, rest: t.slice(m[0].length).trim() };
  }
  return null;
}

function unbold(s: string): string {
  return s.replace(/\*\*/g, '').trim();
}

/** `2025-12-14 21:23:38` + optional printed zone → ISO UTC only when a zone is printed. */
function withZone(text: string): { iso: string | null; zone: string } {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.\d+)?\s*(Z|UTC|GMT|CET|CEST|[+-]\d\d:?\d\d)?\s*$/.exec(text.trim());
  if (!m || !m[3]) return { iso: null, zone: HOST_ZONE };
  const z = m[3];
  const offset = z === 'Z' || z === 'UTC' || z === 'GMT' ? '+00:00' : z === 'CET' ? '+01:00' : z === 'CEST' ? '+02:00' : z.includes(':') ? z : `${z.slice(0, 3)}:${z.slice(3)}`;
  const t = Date.parse(`${m[1]}T${m[2]}${offset}`);
  return { iso: Number.isNaN(t) ? null : new Date(t).toISOString(), zone: z };
}

const SECTION_RE = /^##\s+(?:\d+\.\s*)?(.+?)\s*$/;
const TABLE_SEP_RE = /^\|[\s|:-]+\|\s*$/;
const TABLE_HEAD_RE = /^\|\s*(Metric|Parameter)\s*\|/;

interface Pending {
  row: Row;
  text: string;
}

export default defineParser({
  id: 'daily-check-md',
  title: 'daily_check.py Markdown report (host side)',
  version: 2,
  kind: 'report',
  tables: ['daily_report_values', 'containers'],
  specificity: 70,
  claims: {
    sniff(head) {
      const lines = head.lines.map(repairMojibake);
      if (lines.some((l) => /^#\s+Daily Report\s*-\s*\d{4}-\d\d-\d\d/.test(l))) return { confidence: 92, reason: '"# Daily Report - YYYY-MM-DD" header of daily_check.py' };
      if (lines.some((l) => /^#\s+.*Claire de Binare - Daily Check/.test(l))) return { confidence: 90, reason: '"Claire de Binare - Daily Check" title' };
      if (lines.some((l) => /^##\s+\d+\.\s+Portfolio Summary/.test(l)) && lines.some((l) => /^##\s+\d+\.\s+(Trading Statistics|Risk Limits)/.test(l))) {
        return { confidence: 75, reason: 'daily_check.py section headings' };
      }
      return null;
    },
  },
  async *parse(input, ctx) {
    let reportDate: string | null = null;
    let generatedText: string | null = null;
    let generatedAt: string | null = null;
    let zone: string = HOST_ZONE;
    let section: string | null = null;
    let inFence = false;
    let inFront = false;
    let pending: Pending | null = null;
    let statColumns: string[] | null = null;
    let psLayout: Layout | null = null;

    const setGenerated = (text: string): void => {
      if (generatedText !== null) return;
      generatedText = text.trim();
      const z = withZone(text);
      generatedAt = z.iso;
      zone = z.zone;
      if (!reportDate) reportDate = /^(\d{4}-\d\d-\d\d)/.exec(generatedText)?.[1] ?? null;
    };
    const make = (line: Line, key: string, valueText: string, num: number | null, lines = 1): Row => ({
      table: 'daily_report_values',
      line: line.lineNo,
      lines,
      values: {
        report_kind: 'daily_check',
        report_date: reportDate,
        generated_at: generatedAt,
        generated_text: generatedText,
        zone,
        section,
        key,
        value_text: valueText,
        value_num: num,
      },
    });
    const flush = (): Row | null => {
      if (!pending) return null;
      const p: Pending = pending;
      pending = null;
      p.row.values.value_text = p.text;
      return p.row;
    };

    for await (const raw of input.lines()) {
      const text = repairMojibake(raw.lineNo === 1 ? raw.text.replace(/^\uFEFF/, '') : raw.text);
      const line: Line = { text, lineNo: raw.lineNo };

      if (raw.lineNo === 1 && /^---\s*$/.test(text)) {
        inFront = true;
        ctx.structural('front_matter');
        continue;
      }
      if (inFront) {
        if (/^(---|\.\.\.)\s*$/.test(text)) inFront = false;
        ctx.structural('front_matter');
        continue;
      }
      if (/^\s*```/.test(text)) {
        const done = flush();
        if (done) yield done;
        inFence = !inFence;
        ctx.structural('markdown_fence');
        continue;
      }
      if (inFence) {
        const layout: Layout | null = psLayout ? null : headerLayout(text);
        if (layout) psLayout = layout;
        const values = !layout && psLayout ? tableRowValues(psLayout, text) : null;
        if (values) yield { table: 'containers', line: line.lineNo, lines: 1, values: { ...values, source: 'daily_check_ps' } };
        else ctx.structural('embedded_compose_ps');
        continue;
      }

      // A failure text can run over several lines (psycopg2 errors carry newlines and tab-indented hints).
      if (pending) {
        const ends =
          text.trim() === '' || /^#/.test(text) || /^---\s*$/.test(text) || /^\|/.test(text) || markOf(text) !== null || /^-\s+\*\*/.test(text);
        if (!ends) {
          pending.text = `${pending.text}\n${text.trim()}`;
          pending.row.lines++;
          continue;
        }
        const done = flush();
        if (done) yield done;
      }

      if (text.trim() === '') {
        ctx.structural('blank');
        continue;
      }
      let m: RegExpExecArray | null;
      if ((m = /^#\s+Daily Report\s*-\s*(\d{4}-\d\d-\d\d)\s*$/.exec(text))) {
        reportDate = m[1];
        ctx.structural('report_header');
        continue;
      }
      if ((m = /^Generated:\s*(.+)$/.exec(text))) {
        setGenerated(m[1]);
        ctx.structural('report_header');
        continue;
      }
      if (/^#\s+.*Daily Check\s*$/.test(text)) {
        ctx.structural('report_header');
        continue;
      }
      if ((m = /^\*\*Date\*\*:\s*(.+)$/.exec(text))) {
        setGenerated(m[1]);
        ctx.structural('report_header');
        continue;
      }
      if (/^\*\*Report generated\*\*:/.test(text) || /^📝\s*Report saved:/.test(text)) {
        ctx.structural('report_header');
        continue;
      }
      if ((m = SECTION_RE.exec(text))) {
        section = m[1];
        ctx.structural('heading');
        continue;
      }
      if (/^---\s*$/.test(text)) {
        ctx.structural('rule');
        continue;
      }
      if (TABLE_HEAD_RE.test(text) && section === 'Trading Statistics') {
        statColumns = text.trim().slice(1, -1).split('|').map(unbold).slice(1);
        ctx.structural('table_header');
        continue;
      }
      if (TABLE_HEAD_RE.test(text) || TABLE_SEP_RE.test(text)) {
        ctx.structural('table_header');
        continue;
      }
      if (/^\|.*\|\s*$/.test(text)) {
        const cells = text.trim().slice(1, -1).split('|').map(unbold);
        if (section === 'Trading Statistics' && cells.length >= 3) {
          const cols = statColumns && statColumns.length === cells.length - 1 ? statColumns : ['Today', 'Total'];
          for (let c = 1; c < cells.length && c <= cols.length; c++) {
            yield make(line, `${cells[0]} ${cols[c - 1]}`, cells[c], parseReportNumber(cells[c]), c === 1 ? 1 : 0);
          }
        } else if (section === 'Risk Limits' && cells.length === 3) {
          const mark = markOf(cells[2]);
          yield make(line, cells[0], cells[1], parseReportNumber(cells[1]));
          yield make(line, `${cells[0]} status`, mark?.mark ?? cells[2], mark ? (mark.kind === 'ok' ? 1 : 0) : null, 0);
        } else if (cells.length === 2) {
          yield make(line, cells[0], cells[1], parseReportNumber(cells[1]));
        } else if (cells.length > 2) {
          yield make(line, cells[0], cells.slice(1).join(' | '), null);
        } else {
          ctx.quarantine(line.lineNo, 'table row with a single cell', text);
        }
        continue;
      }
      if ((m = /^-\s+\*\*(Total|Used|Free)\*\*:\s*(.+?)\s*$/.exec(text))) {
        const num = /^([\d.]+)/.exec(m[2]);
        yield make(line, `Disk ${m[1]}`, m[2], num ? Number(num[1]) : null);
        continue;
      }
      const mark = markOf(text);
      if (mark) {
        const msg = unbold(mark.rest);
        if (mark.kind === 'failure') {
          pending = { row: make(line, 'failure', msg, null), text: msg };
        } else {
          yield make(line, mark.kind, msg, null);
          const b = /^(\d+) backup\(s\) in last 24h/.exec(msg);
          if (b) yield make(line, 'Backups Last 24h', b[1], Number(b[1]), 0);
        }
        continue;
      }
      if (/^Recent backups:\s*$/.test(text) || /^\s+Run:\s/.test(text)) {
        ctx.structural('backup_hint');
        continue;
      }
      if ((m = /^\s+-\s+(.+?\.zip\b.*)$/.exec(text))) {
        yield make(line, 'Backup File', m[1], null);
        continue;
      }
      ctx.quarantine(line.lineNo, 'line not recognised in a daily_check.py report', text);
    }
    const done = flush();
    if (done) yield done;
  },
});
