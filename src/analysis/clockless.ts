/**
 * Evidence without a clock, judged on content (issue 11 item 2). A log saved without `-t`
 * whose service prints no time of its own has no hour to put in the hourly flow, yet what it
 * says still counts: a feed log of nothing but reconnect errors and "no data yet" proves the
 * feed never delivered, whenever it was written.
 *
 * A source is one (file, service) whose records all lack a time. For a flow stage, such a source
 * shows the stage never worked when it holds failure lines of the stage's layer and not one
 * success line of the stage, and either a line in which the service itself says it has no data
 * or lines of other kinds beside the failures (so it is not an errors-only extract such as
 * `grep ERROR`, which drops success lines by construction). A clockless source with a success
 * line shows the stage worked at some time: never a break.
 */
import type Database from 'better-sqlite3';
import { CATALOG, fieldsOf, type CatalogEntry, type Stage } from '../catalog/index.js';
import type { LayerId } from '../vocabulary.js';
import { render, text, type Text } from '../i18n/translate.js';

/** The flow stages break-in-time names (each has a catalog name `break.stage.<id>`). */
export type StageId = 'market_data' | 'signals' | 'risk_approved' | 'orders' | 'fills' | 'persisted';
import { rollupCovers } from '../db/log-rollup.js';

/** A flow stage (break-in-time's chain) and the catalog stage whose info lines show it working. */
export const CONTENT_STAGES: { stage: StageId; catalogStage: Stage; layer: LayerId }[] = [
  { stage: 'market_data', catalogStage: 'market_data', layer: 'market_data' },
  { stage: 'signals', catalogStage: 'signal', layer: 'signal_engine' },
  { stage: 'risk_approved', catalogStage: 'risk', layer: 'risk' },
  { stage: 'orders', catalogStage: 'order', layer: 'execution' },
  { stage: 'fills', catalogStage: 'fill', layer: 'execution' },
  { stage: 'persisted', catalogStage: 'persist', layer: 'reporting' },
];

/** Lines in which a service says, in its own words, that it has nothing to pass on. */
const NO_DATA_STATEMENTS = new Set(['feed.no_data_yet', 'feed.will_not_publish', 'feed.no_messages_runbook', 'feed.redis_unavailable_a']);

/** Info lines of a stage that are not its output: a filter dropping input, a price buffer filling up. */
const notOutput = (e: CatalogEntry) => /^signal\.(filter|price_buffer)\./.test(e.id);

function successClasses(catalogStage: Stage): Set<string> {
  return new Set(CATALOG.filter((e) => e.stage === catalogStage && e.severity === 'info' && !notOutput(e)).map((e) => e.id));
}

function failureClasses(layer: LayerId): Set<string> {
  return new Set(CATALOG.filter((e) => e.layer === layer && e.severity !== 'info' && e.stage !== 'health' && e.stage !== 'noise').map((e) => e.id));
}

export interface ClocklessLine {
  class: string;
  n: number;
  file_id: number;
  line_no: number;
  message: string;
}

export interface ClocklessVerdict {
  stage: string;
  layer: LayerId;
  file_id: number;
  path: string;
  service: string | null;
  records: number;
  /** Failure lines per class, most frequent first, each with its first occurrence. */
  failures: ClocklessLine[];
  /** Attempt counters read from the failure lines (`attempt 1` … `attempt 60`), when they rise. */
  attempts: { first: number; last: number } | null;
  /** One sentence: judged on content, naming the lines (English; `reasonText` is its keyed text). */
  reason: string;
  reasonText: Text;
}

/** Every clockless source that shows a flow stage never worked, in chain order. */
export function clocklessVerdicts(db: Database.Database): ClocklessVerdict[] {
  // Only files with a (file, service) of no hour in the hourly rollup can hold such a source (a
  // record with a time has its hour there): the records of the other files are not read.
  const candidates = rollupCovers(db)
    ? (db.prepare('SELECT DISTINCT file_id FROM (SELECT file_id FROM log_hourly GROUP BY file_id, service HAVING COUNT(hour) = 0) ORDER BY file_id').all() as { file_id: number }[]).map((r) => r.file_id)
    : (db.prepare('SELECT DISTINCT file_id FROM log_events ORDER BY file_id').all() as { file_id: number }[]).map((r) => r.file_id);
  if (!candidates.length) return [];
  const sources = db
    .prepare(
      `SELECT l.file_id AS file_id, l.service AS service, m.path AS path, COUNT(*) AS n
       FROM log_events l LEFT JOIN manifest m ON m.id = l.file_id
       WHERE l.file_id IN (SELECT value FROM json_each(?))
       GROUP BY l.file_id, l.service HAVING COUNT(l.ts) = 0 AND COUNT(l.docker_ts) = 0 ORDER BY l.file_id, l.service`,
    )
    .all(JSON.stringify(candidates)) as { file_id: number; service: string | null; path: string | null; n: number }[];
  if (!sources.length) return [];
  const byClass = db.prepare(
    `SELECT class, COUNT(*) AS n, MIN(line_no) AS line_no FROM log_events WHERE file_id = ? AND service IS ? AND class IS NOT NULL GROUP BY class`,
  );
  const lineAt = db.prepare('SELECT message FROM log_events WHERE file_id = ? AND line_no = ?');
  const attemptsOf = db.prepare('SELECT class, message FROM log_events WHERE file_id = ? AND service IS ? AND class IN (SELECT value FROM json_each(?)) ORDER BY line_no');
  const out: ClocklessVerdict[] = [];
  for (const c of CONTENT_STAGES) {
    const ok = successClasses(c.catalogStage);
    const bad = failureClasses(c.layer);
    for (const s of sources) {
      const counts = byClass.all(s.file_id, s.service) as { class: string; n: number; line_no: number }[];
      if (counts.some((r) => ok.has(r.class))) continue;
      const failures = counts.filter((r) => bad.has(r.class));
      const nFail = failures.reduce((a, r) => a + r.n, 0);
      if (nFail < 3) continue;
      const saysNoData = failures.some((r) => NO_DATA_STATEMENTS.has(r.class));
      const otherLines = s.n - nFail > 0;
      if (!saysNoData && !otherLines) continue;
      failures.sort((a, b) => b.n - a.n || a.line_no - b.line_no);
      const lines: ClocklessLine[] = failures.map((f) => ({
        class: f.class, n: f.n, file_id: s.file_id, line_no: f.line_no, message: (lineAt.get(s.file_id, f.line_no) as { message: string }).message,
      }));
      const attempts = risingAttempts(
        attemptsOf.all(s.file_id, s.service, JSON.stringify(failures.map((f) => f.class))) as { class: string; message: string }[],
      );
      const path = s.path ?? `file ${s.file_id}`;
      const reasonText = text('clockless.reason', {
        path,
        service: s.service ? text('clockless.service', { service: s.service }) : '',
        records: s.n,
        failures: nFail,
        layer: text(`layer.${c.layer}`),
        lines: lines.slice(0, 3).map((l) => text('clockless.line', { n: l.n, message: oneLine(l.message) })),
        others: lines.length > 3 ? text('clockless.others', { n: lines.length - 3 }) : '',
        attempts: attempts ? text('clockless.attempts', attempts) : '',
        stage: text(`break.stage.${c.stage}`),
      });
      out.push({ stage: c.stage, layer: c.layer, file_id: s.file_id, path, service: s.service, records: s.n, failures: lines, attempts, reason: render('en', reasonText), reasonText });
    }
  }
  return out;
}

function oneLine(s: string): string {
  const first = s.split('\n')[0];
  return first.length > 90 ? `${first.slice(0, 87)}...` : first;
}

/** The attempt counters of the lines, when they rise over the log (a loop that never succeeds). */
function risingAttempts(rows: { class: string; message: string }[]): { first: number; last: number } | null {
  const nums: number[] = [];
  for (const r of rows) {
    const a = fieldsOf(r.class, r.message)?.attempt;
    if (a !== undefined && /^\d+$/.test(a)) nums.push(Number(a));
  }
  if (nums.length < 3) return null;
  const first = nums[0];
  const last = nums[nums.length - 1];
  return last > first ? { first, last } : null;
}
