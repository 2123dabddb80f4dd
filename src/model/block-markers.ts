import type { DB } from '../db/open.js';
import { anyLogOfKind, rollupCovers } from '../db/log-rollup.js';

/**
 * Explicit markers of the block window, read from what the evidence itself declares, so the
 * window is not biased by the incident (activity drops after a break; a window chosen by
 * activity drifts towards the days before it).
 *
 * Precedence, highest first (each end is decided by the highest marker that speaks to it):
 *  1. `runner`: the paper runner's start banner (`PAPER TRADING RUNNER INITIALIZED`, its
 *     `Start Time:` and `Duration:`), when it is the runner's first record (a banner after runner
 *     records is a restart, not the start of the run);
 *  2. `range`: an explicit range the analyst wrote: `--since X --until Y` on a console command
 *     line, or two dates in an export's file name (`compose_logs_2025-12-10_2025-12-12.txt`);
 *  3. `reports`: daily reports the runner writes at midnight: each closes the day before;
 *  4. `containers`: container start times (`docker inspect` StartedAt, compose ps CreatedAt).
 * A single date in a name (`events_20251205.jsonl`, `signal_since_2026-02-26.txt`) says which day
 * one file covers, not where the block starts or ends: it is no marker.
 */
export interface Marker {
  kind: 'runner' | 'range' | 'reports' | 'containers';
  /** First instant the marker puts in the block (ISO UTC), if it speaks to the start. */
  start: string | null;
  /** Last instant (ISO UTC, inclusive), if it speaks to the end. */
  end: string | null;
  /** Declared length in days (the runner's Duration), if any. */
  days: number | null;
  /** Why, with file:line. */
  why: string;
}

const DATE = String.raw`(20\d\d)-?([01]\d)-?([0-3]\d)`;
const NAME_RANGE = new RegExp(String.raw`(?:^|[^\d])${DATE}(?:[T_ ]?\d\d[:\-]?\d\d(?:[:\-]?\d\d)?)?(?:_|-|\.\.|_to_|-to-|_bis_|_until_|__|--)${DATE}(?:[^\d]|$)`);
const ISO_ARG = String.raw`(\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:?\d\d)?)`;
const SINCE = new RegExp(String.raw`--since[= ]["']?${ISO_ARG}`);
const UNTIL = new RegExp(String.raw`--until[= ]["']?${ISO_ARG}`);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A date or date-time argument as docker reads it (UTC unless it names an offset). */
function parseArg(s: string): number | null {
  const t = /^\d{4}-\d\d-\d\d$/.test(s) ? `${s}T00:00:00Z` : /(Z|[+-]\d\d:?\d\d)$/.test(s) ? s.replace(' ', 'T') : `${s.replace(' ', 'T')}Z`;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

function validDay(y: string, m: string, d: string): number | null {
  const ms = Date.parse(`${y}-${m}-${d}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== `${y}-${m}-${d}` ? null : ms;
}

/** The runner's first start banner, unless the runner logged before it (then it is a restart). */
function runnerMarker(db: DB): Marker | null {
  const banners = db
    .prepare(
      `SELECT l.file_id, l.line_no, l.ts, l.service, l.message, m.path FROM log_events l JOIN manifest m ON m.id = l.file_id
       WHERE l.class = 'runner.initialized' AND l.ts IS NOT NULL ORDER BY l.ts, l.file_id, l.line_no`,
    )
    .all() as { file_id: number; line_no: number; ts: string; service: string | null; message: string; path: string }[];
  const field = db.prepare(
    `SELECT line_no, message FROM log_events WHERE file_id = ? AND line_no > ? AND line_no <= ? + 12 AND class = 'runner.banner_field' ORDER BY line_no`,
  );
  const before = firstRecordBefore(db);
  const restarts: string[] = [];
  for (const b of banners) {
    // A banner more than a few minutes after the runner's first record is a restart inside the export.
    const earlier = before(b.service, iso(Date.parse(b.ts) - 5 * 60_000));
    if (earlier) {
      restarts.push(`${b.path}:${b.line_no} is a restart (the runner logged before it, ${earlier.path}:${earlier.line_no} at ${earlier.ts})`);
      continue;
    }
    const text = [b.message, ...(field.all(b.file_id, b.line_no, b.line_no) as { message: string }[]).map((f) => f.message)].join('\n');
    const st = /Start Time:\s*(\d{4}-\d\d-\d\d[T ][\d:.]+)/.exec(text);
    const dur = /Duration:\s*(\d+)\s*days?/.exec(text);
    // The runner prints container time without a zone; containers run in UTC. The record's own clock backs it up.
    let start = st ? parseArg(st[1].replace(/(\.\d{3})\d+$/, '$1')) : null;
    if (start === null || Math.abs(start - Date.parse(b.ts)) > 6 * 3_600_000) start = Date.parse(b.ts);
    const days = dur ? Number(dur[1]) : null;
    return {
      kind: 'runner',
      start: iso(start),
      end: days ? iso(start + days * 86_400_000 - 1) : null,
      days,
      why: `paper runner start banner ${b.path}:${b.line_no} (Start Time ${iso(start)}${days ? `, Duration: ${days} days` : ', no Duration line'})`,
    };
  }
  return restarts.length ? { kind: 'runner', start: null, end: null, days: null, why: restarts[0] } : null;
}

type Earlier = { path: string; line_no: number; ts: string };

/**
 * `SELECT m.path, l.line_no, l.ts FROM log_events l JOIN manifest m ON m.id = l.file_id
 * WHERE l.service IS ? AND l.ts < ? ORDER BY l.ts LIMIT 1` (the earliest record, the first stored
 * of equal times), read through the `(class, ts)` index: one short walk per class the service
 * logged, starting at the class's first time in the rollup. A class with records the rollup has no
 * hour for (no time, or a time that is not ISO text) is walked from its start.
 */
export function firstRecordBefore(db: DB): (service: string | null, below: string) => Earlier | undefined {
  if (!rollupCovers(db)) {
    const scan = db.prepare('SELECT m.path, l.line_no, l.ts FROM log_events l JOIN manifest m ON m.id = l.file_id WHERE l.service IS ? AND l.ts < ? ORDER BY l.ts LIMIT 1');
    return (service, below) => scan.get(service, below) as Earlier | undefined;
  }
  const classes = db.prepare('SELECT class, MIN(first_ts) AS f, MAX(hour IS NULL) AS untimed FROM log_hourly WHERE service IS ? GROUP BY class ORDER BY class');
  const walk = db.prepare(
    'SELECT l.id, m.path, l.line_no, l.ts FROM log_events l JOIN manifest m ON m.id = l.file_id WHERE l.class IS ? AND l.ts >= ? AND l.ts < ? AND l.service IS ? ORDER BY l.ts, l.id LIMIT 1',
  );
  return (service, below) => {
    let best: (Earlier & { id: number }) | undefined;
    for (const c of classes.all(service) as { class: string | null; f: string | null; untimed: number }[]) {
      const from = c.untimed ? '' : c.f;
      if (from === null || from >= below) continue;
      const r = walk.get(c.class, from, below, service) as (Earlier & { id: number }) | undefined;
      if (r && (!best || r.ts < best.ts || (r.ts === best.ts && r.id < best.id))) best = r;
    }
    return best && { path: best.path, line_no: best.line_no, ts: best.ts };
  };
}

/** `--since X --until Y` on a console command line, or two dates in a file name. */
function rangeMarker(db: DB): Marker | null {
  // The rollup says whether any console commands exist: a bundle without a session is not scanned for them.
  const cmds = anyLogOfKind(db, ['console_command'])
    ? (db
        .prepare(
          `SELECT m.path, l.line_no, l.message FROM log_events l JOIN manifest m ON m.id = l.file_id
           WHERE l.kind = 'console_command' AND l.message LIKE '%--since%' AND l.message LIKE '%--until%' ORDER BY l.file_id, l.line_no`,
        )
        .all() as { path: string; line_no: number; message: string }[])
    : [];
  for (const c of cmds) {
    const s = SINCE.exec(c.message);
    const u = UNTIL.exec(c.message);
    const f = s ? parseArg(s[1]) : null;
    const t = u ? parseArg(u[1]) : null;
    if (f !== null && t !== null && t > f) {
      return { kind: 'range', start: iso(f), end: iso(t - 1), days: null, why: `export range on the command line ${c.path}:${c.line_no} (--since ${s![1]} --until ${u![1]})` };
    }
  }
  const paths = (db.prepare('SELECT path FROM manifest ORDER BY path').all() as { path: string }[]).map((r) => r.path);
  for (const p of paths) {
    const name = p.slice(p.lastIndexOf('/') + 1);
    const m = NAME_RANGE.exec(name);
    if (!m) continue;
    const f = validDay(m[1], m[2], m[3]);
    const t = validDay(m[4], m[5], m[6]);
    // Inclusive: a name `_2025-12-10_2025-12-12` covers three days.
    if (f !== null && t !== null && t > f && t - f <= 31 * 86_400_000) {
      return { kind: 'range', start: iso(f), end: iso(t + 86_400_000 - 1), days: null, why: `date range in the export's name ${p}` };
    }
  }
  return null;
}

/** The runner's daily reports, written just after midnight: the last one closes the block's last day. */
function reportsMarker(db: DB): Marker | null {
  const r = db
    .prepare(
      `SELECT m.path, v.line_no, v.generated_at FROM daily_report_values v JOIN manifest m ON m.id = v.file_id
       WHERE v.report_kind = 'paper_runner' AND v.generated_at LIKE '____-__-__T00:%' AND substr(v.generated_at, 15, 2) < '15'
       ORDER BY v.generated_at DESC, v.file_id, v.line_no LIMIT 1`,
    )
    .get() as { path: string; line_no: number; generated_at: string } | undefined;
  if (!r) return null;
  const closed = Date.parse(`${r.generated_at.slice(0, 10)}T00:00:00Z`) - 1;
  return { kind: 'reports', start: null, end: iso(closed), days: null, why: `last daily report ${r.path}:${r.line_no} (${r.generated_at}) closes ${iso(closed).slice(0, 10)}` };
}

/** Container start times: the day most containers were (re)started on, the earliest start that day. */
function containersMarker(db: DB): Marker | null {
  const rows = db
    .prepare(
      `SELECT m.path, c.line_no, c.name, COALESCE(c.started_at, c.created_at) AS t, CASE WHEN c.started_at IS NOT NULL THEN 'StartedAt' ELSE 'CreatedAt' END AS what
       FROM containers c JOIN manifest m ON m.id = c.file_id WHERE COALESCE(c.started_at, c.created_at) LIKE '____-__-__T%' ORDER BY t, c.file_id, c.line_no`,
    )
    .all() as { path: string; line_no: number; name: string; t: string; what: string }[];
  if (!rows.length) return null;
  // A container recreated mid-block starts later, one up for weeks earlier: the deploy is the day most of them share.
  const byDay = new Map<string, typeof rows>();
  for (const r of rows) {
    const d = r.t.slice(0, 10);
    byDay.set(d, [...(byDay.get(d) ?? []), r]);
  }
  let best: typeof rows = [];
  for (const list of byDay.values()) if (list.length > best.length) best = list;
  const first = best[0];
  return {
    kind: 'containers',
    start: first.t,
    end: null,
    days: null,
    why: `container start times: ${best.length} of ${rows.length} containers started on ${first.t.slice(0, 10)}, first ${first.name} ${first.what} ${first.t} (${first.path}:${first.line_no})`,
  };
}

/** Every marker the evidence holds, highest precedence first. */
export function blockMarkers(db: DB): Marker[] {
  return [runnerMarker(db), rangeMarker(db), reportsMarker(db), containersMarker(db)].filter((m): m is Marker => m !== null);
}
