import { defineParser, type Row } from '../define-parser.js';
import type { Line } from '../../bundle/types.js';
import { repairMojibake } from '../reports/mojibake.js';
import { isSecretSetting } from '../reports/secret-keys.js';

/**
 * The host-side `systemcheck.py` log (evidence-formats §6.2b), `logs/systemcheck_YYYYMMDD_HHMMSS.log`
 * or its console copy. Plain text in sections framed by lines of `=`; the run time is the header's
 * `Timestamp:` in host local time. Like daily_check.py it reads the host environment, so
 * `[FAIL] MISSING` variables and a failed PostgreSQL/Redis connection describe the shell that ran it;
 * its container list is container-status evidence (table `containers`, source `systemcheck`).
 *
 * Values go to daily_report_values (report_kind `systemcheck`): each variable and check line, the
 * disk figures, the summary counts; a connection error becomes a `failure` value spanning its lines.
 * Host variables are never written to `settings`: they say nothing about the containers.
 */

const HOST_ZONE = 'host local (CET/CEST, assumed)';
const RULE_RE = /^={20,}\s*$/;
const SECTION_RE = /^(?:(\d+)\.\s+)?([A-Z][A-Z0-9 &/()-]*[A-Z)])\s*$/;
const RESULT_RE = /^\[(OK|FAIL|WARN)\]\s+(.+?)\s*$/;
const ITEM_RE = /^\s{2,}(\S.*?)\s*:\s(.*?)\s*$/;
const ERROR_RE = /^\s{2,}((?:PostgreSQL|Redis|Docker Compose|Docker Check|Disk Space) Error):?\s?(.*)$/;
const REQUIRED_TABLES = ['signals', 'orders', 'trades', 'positions', 'portfolio_snapshots'];

function markOf(text: string): { mark: 'OK' | 'FAIL' | 'WARN'; rest: string } | null {
  const m = /^\[(OK|FAIL|WARN)\]\s*(.*)$/.exec(text.trim());
  return m ? { mark: m[1] as 'OK' | 'FAIL' | 'WARN', rest: m[2].trim() } : null;
}

interface Pending {
  row: Row;
  text: string;
}

export default defineParser({
  id: 'systemcheck-log',
  title: 'systemcheck.py log (host side)',
  version: 1,
  kind: 'report',
  tables: ['daily_report_values', 'containers'],
  specificity: 70,
  claims: {
    sniff(head) {
      if (head.lines.some((l) => /^CLAIRE DE BINARE - SYSTEMCHECK\s*$/.test(l.trim()))) return { confidence: 95, reason: '"CLAIRE DE BINARE - SYSTEMCHECK" header of systemcheck.py' };
      if (head.lines.some((l) => /^\d\.\s+ENV-VARIABLEN CHECK\s*$/.test(l)) && head.lines.some((l) => RULE_RE.test(l))) {
        return { confidence: 85, reason: 'systemcheck.py sections (ENV-VARIABLEN CHECK between = rules)' };
      }
      return null;
    },
  },
  async *parse(input, ctx) {
    let reportDate: string | null = null;
    let generatedText: string | null = null;
    let section: string | null = null;
    let pending: Pending | null = null;

    const make = (line: Line, key: string, valueText: string | null, num: number | null, lines = 1): Row => ({
      table: 'daily_report_values',
      line: line.lineNo,
      lines,
      values: {
        report_kind: 'systemcheck',
        report_date: reportDate,
        generated_at: null,
        generated_text: generatedText,
        zone: HOST_ZONE,
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

      // A libpq error runs over several lines until the check's own [OK]/[FAIL] line.
      if (pending) {
        if (!RESULT_RE.test(text) && !RULE_RE.test(text) && text.trim() !== '') {
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
      if (RULE_RE.test(text)) {
        ctx.structural('rule');
        continue;
      }
      let m: RegExpExecArray | null;
      if (/^CLAIRE DE BINARE - SYSTEMCHECK\s*$/.test(text.trim())) {
        ctx.structural('header');
        continue;
      }
      if ((m = /^Timestamp:\s*(\d{4})(\d\d)(\d\d)_(\d\d)(\d\d)(\d\d)\s*$/.exec(text.trim()))) {
        reportDate = `${m[1]}-${m[2]}-${m[3]}`;
        generatedText = `${reportDate} ${m[4]}:${m[5]}:${m[6]}`;
        ctx.structural('header');
        continue;
      }
      if (!/^\s/.test(text) && !text.startsWith('[') && (m = SECTION_RE.exec(text.trim()))) {
        section = m[2];
        ctx.structural('heading');
        continue;
      }
      if ((m = RESULT_RE.exec(text))) {
        // `[FAIL] 4 CHECKS FAILED - ...` / `[OK] ALL CHECKS PASSED - ...` closes the summary.
        const key = /CHECKS (FAILED|PASSED)/.test(m[2]) ? 'result' : 'check';
        yield make(line, key, m[2], m[1] === 'OK' ? 1 : m[1] === 'FAIL' ? 0 : null);
        continue;
      }
      if ((m = ERROR_RE.exec(text))) {
        pending = { row: make(line, 'failure', null, null), text: `${m[1]}: ${m[2]}`.trim() };
        continue;
      }
      if ((m = /^\s+Log saved to:/.exec(text))) {
        ctx.structural('log_saved_to');
        continue;
      }
      if ((m = /^\s+(Passed|Failed|Total):\s+(\d+)\s*$/.exec(text))) {
        yield make(line, `Checks ${m[1]}`, m[2], Number(m[2]));
        continue;
      }
      if ((m = /^\s+(Total|Used|Free):\s+(\d+(?:\.\d+)?)\s*GB\s*$/.exec(text))) {
        yield make(line, `Disk ${m[1]}`, `${m[2]} GB`, Number(m[2]));
        continue;
      }
      if ((m = /^\s+Checking:\s*(.+?)\s*$/.exec(text))) {
        yield make(line, 'Disk Checked', m[1], null);
        continue;
      }
      if ((m = /^\s+Tables found:\s*(.*?)\s*$/.exec(text))) {
        const tables = m[1].split(',').map((s) => s.trim()).filter(Boolean);
        yield make(line, 'Tables Found', m[1], REQUIRED_TABLES.filter((t) => tables.includes(t)).length);
        continue;
      }
      if ((m = /^\s+\[(OK|FAIL)\]\s+([a-z_]+)\s*$/.exec(text))) {
        yield make(line, `Table ${m[2]}`, m[1], m[1] === 'OK' ? 1 : 0);
        continue;
      }
      if ((m = /^\s+\[(OK|FAIL)\]\s+((?:Sufficient|Insufficient) space.*?)\s*$/.exec(text))) {
        yield make(line, 'Disk Verdict', m[2], m[1] === 'OK' ? 1 : 0);
        continue;
      }
      if ((m = /^\s*\[WARN\]\s+(.*?)\s*$/.exec(text))) {
        yield make(line, 'warning', m[1], null);
        continue;
      }
      if ((m = /^\s+(Skipped .*|Docker Compose Timeout|Running containers: \d+)\s*$/.exec(text))) {
        yield make(line, 'note', m[1], null);
        continue;
      }
      if ((m = ITEM_RE.exec(text))) {
        const name = m[1];
        const value = m[2];
        const mark = markOf(value);
        if (/DOCKER CONTAINER/.test(section ?? '') && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
          const running = /^Running$/i.test(value);
          yield {
            table: 'containers',
            line: line.lineNo,
            lines: 1,
            values: { source: 'systemcheck', name, service: name, state: running ? 'running' : null, status: mark ? mark.rest : value },
          };
          continue;
        }
        if (/ENV-VARIABLEN/.test(section ?? '') && /^[A-Z][A-Z0-9_]*$/.test(name)) {
          // The script masks *PASSWORD*/*SECRET*/*KEY*; anything else secret-like is masked here, never stored.
          const shown = mark ? mark.rest : isSecretSetting(name, value) && value !== '***MASKED***' ? '‹masked›' : value;
          yield make(line, name, shown, null);
          continue;
        }
        const num = !mark && /^-?\d+(\.\d+)?(\s|$)/.test(value) ? Number(/^-?\d+(?:\.\d+)?/.exec(value)![0]) : null;
        yield make(line, name, mark ? mark.rest : value, mark ? (mark.mark === 'OK' ? 1 : mark.mark === 'FAIL' ? 0 : null) : num);
        continue;
      }
      ctx.quarantine(line.lineNo, 'line not recognised in a systemcheck.py log', text);
    }
    const done = flush();
    if (done) yield done;
  },
});
