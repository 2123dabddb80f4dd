/**
 * The paper runner's "Daily Report" block (evidence-formats §6.1), as text without any log prefix.
 * Used by the mail parser (report-mail) and, on log records of kind 'report', by the log ingest,
 * so it knows nothing about files: it maps the lines it is given to values with their line numbers.
 */

export interface ReportLine {
  text: string;
  lineNo: number;
}

export interface ReportValue {
  key: string;
  value_text: string;
  value_num: number | null;
  section: string | null;
  lineNo: number;
}

/** §6.1 regex, plus the two hard-coded System Health lines (their text is not a check, but it is printed). */
const VALUE_RE =
  /^\s*(Signals Today|Trades Today|Events Logged|Total Equity|Daily P&L|Realized P&L|Open Positions|Total Exposure|Date|Uptime|Days Remaining|Last Health Check|Redis|PostgreSQL):\s*(\S.*?)\s*$/;

/** `Report generation failed: <e>` is what _generate_daily_report returns instead of the block; `Daily report failed: <e>` is logged when logging or mailing the block raised. */
const FAILURE_RE = /^\s*(Report generation failed|Daily report failed):\s?(.*?)\s*$/;

const SECTION_RE = /^\s*(Portfolio|Trading Activity|System Health):\s*$/;

const UPTIME_RE = /^(\d+)\s+days?,\s*(\d+)\s+hours?$/;

/**
 * A number as the report prints it: `$100,000.00`, `-$12.50`, `$-12.50`, `0.00%` (percent as printed),
 * `66025`. Null when the text is not a plain number (`✅ Connected`, `23:57:55`, `2025-12-22`).
 */
export function parseReportNumber(text: string): number | null {
  const t = text.trim().replace(/\*\*/g, '');
  const m = /^([-+])?\s*\$?\s*([-+])?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*%?$/.exec(t);
  if (!m) return null;
  const sign = m[1] === '-' || m[2] === '-' ? -1 : 1;
  const n = Number(m[3].replace(/,/g, '') + (m[4] ?? ''));
  return Number.isFinite(n) ? sign * n : null;
}

/** Uptime `1 days, 9 hours` as total hours (the runner prints whole days and hours only). */
export function parseUptimeHours(text: string): number | null {
  const m = UPTIME_RE.exec(text.trim());
  return m ? Number(m[1]) * 24 + Number(m[2]) : null;
}

/** True when the text of one line is part of (or the failure form of) a paper-runner report. */
export function isPaperRunnerReportLine(text: string): boolean {
  return VALUE_RE.test(text) || FAILURE_RE.test(text) || /^\s*Paper Trading Daily Report\s*$/.test(text);
}

export function parsePaperRunnerReport(lines: readonly ReportLine[]): ReportValue[] {
  const out: ReportValue[] = [];
  let section: string = 'Report';
  for (const { text, lineNo } of lines) {
    const f = FAILURE_RE.exec(text);
    if (f) {
      out.push({ key: 'failure', value_text: f[2], value_num: null, section: 'Report', lineNo });
      continue;
    }
    const s = SECTION_RE.exec(text);
    if (s) {
      section = s[1];
      continue;
    }
    if (/^\s*Paper Trading Daily Report\s*$/.test(text)) {
      section = 'Report';
      continue;
    }
    const m = VALUE_RE.exec(text);
    if (!m) continue;
    const key = m[1];
    const valueText = m[2];
    let num: number | null = null;
    if (key === 'Uptime') num = parseUptimeHours(valueText);
    else if (key !== 'Date' && key !== 'Last Health Check' && key !== 'Redis' && key !== 'PostgreSQL') {
      num = parseReportNumber(valueText);
    }
    // Date/Uptime/Days Remaining belong to the head of the block even if a section line was lost.
    const sec = key === 'Date' || key === 'Uptime' || key === 'Days Remaining' ? 'Report' : section;
    out.push({ key, value_text: valueText, value_num: num, section: sec, lineNo });
  }
  return out;
}

/** The report's `Date:` value (UTC date of generation), if the block printed one. */
export function reportDateOf(values: readonly ReportValue[]): string | null {
  const d = values.find((v) => v.key === 'Date' && /^\d{4}-\d\d-\d\d$/.test(v.value_text));
  return d ? d.value_text : null;
}
