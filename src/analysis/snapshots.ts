/**
 * Every capture and snapshot is a state at its own capture time: a `redis-cli SUBSCRIBE`/`MONITOR`
 * or `XRANGE` capture, `INFO`, `XLEN`/`PUBSUB NUMSUB` answers, `docker compose ps`/`inspect`, a
 * status JSON, a console transcript. One taken after the block's end shows the state at
 * collection — it is never block activity (the flow and KPIs count `in_block` rows only) — and one
 * taken before a repair is not the state at the end. Rules that read captures say which it is.
 *
 * The capture time is read from the capture itself, never guessed from the file's mtime:
 *  - pub/sub, MONITOR and stream captures: their clock (MONITOR stamps, stream ids, payload times);
 *    the capture ran until at least the last one;
 *  - INFO: `server_time_usec`;
 *  - compose ps JSON: CreatedAt plus RunningFor ("3 days ago"), to the unit RunningFor gives;
 *  - the host reports' `docker ps` tables: the report's own generation time;
 *  - a status JSON: its timestamp key, if it has one;
 *  - a console transcript: the clock of its prompt or output lines.
 * Otherwise the capture time is unknown (`captured_at: null`, `during_block: null`).
 */
import type Database from 'better-sqlite3';
import { anyLogOfKind } from '../db/log-rollup.js';

import { render, text, type Text } from '../i18n/translate.js';

export type SnapshotKind = 'redis_capture' | 'redis_info' | 'redis_kv' | 'containers' | 'status_json' | 'console';

export interface Snapshot {
  kind: SnapshotKind;
  file_id: number;
  file: string;
  /** First line of the capture in its file. */
  line: number;
  /** ISO UTC 'YYYY-MM-DDTHH:MM:SSZ', or null when the capture carries no clock. */
  captured_at: string | null;
  /** How captured_at was read. */
  captured_by: string | null;
  /** true: taken within the block; false: outside it (after it: the state at collection); null: unknown. */
  during_block: boolean | null;
  /** The same in words: a capture after the block is the state at collection. */
  when: 'during_block' | 'at_collection' | 'before_block' | 'unknown';
  /** The capture's own span, for captures of a stream of events (pub/sub, MONITOR, XRANGE). */
  first_event: string | null;
  last_event: string | null;
  /** The keyed text of `captured_by` (English above). */
  texts?: { captured_by: Text };
}

const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 };

/** "3 days ago", "About an hour ago", "45 minutes ago" → ms, or null. */
export function runningForMs(s: string | null): number | null {
  if (!s) return null;
  const m = /(?:(\d+)|an?|about an?)\s+(second|minute|hour|day|week|month)s?\b/i.exec(s.replace(/^about\s+/i, ''));
  if (!m) return null;
  return (m[1] ? Number(m[1]) : 1) * UNIT_MS[m[2].toLowerCase()];
}

function sec(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

export function listSnapshots(db: Database.Database, block: { from: string; to: string }): Snapshot[] {
  const out: Snapshot[] = [];
  const from = Date.parse(block.from);
  const to = Date.parse(block.to);
  const judge = (captured: number | null, first: number | null): boolean | null => {
    if (captured === null) return null;
    // A capture of events that began within the block saw the block, even if it ran past its end.
    if (first !== null && first >= from && first <= to) return true;
    return captured >= from && captured <= to;
  };
  const path = db.prepare('SELECT path FROM manifest WHERE id = ?');
  const add = (kind: SnapshotKind, file_id: number, line: number, captured: number | null, by: Text | null, first: number | null = null, last: number | null = null) => {
    const said = captured === null ? null : by;
    out.push({
      kind,
      file_id,
      file: (path.get(file_id) as { path: string } | undefined)?.path ?? `file#${file_id}`,
      line,
      captured_at: captured === null ? null : sec(captured),
      captured_by: said ? render('en', said) : null,
      during_block: judge(captured, first),
      when: captured === null ? 'unknown' : judge(captured, first) ? 'during_block' : captured > to ? 'at_collection' : 'before_block',
      first_event: first === null ? null : sec(first),
      last_event: last === null ? null : sec(last),
      ...(said ? { texts: { captured_by: said } } : {}),
    });
  };

  // Redis captures; the paper runner's JSONL event log is a log, not a capture.
  for (const r of db
    .prepare(
      `SELECT file_id, MIN(line_no) AS line, MIN(source) AS source, MIN(COALESCE(ts, payload_ts)) AS f, MAX(COALESCE(ts, payload_ts)) AS l
       FROM redis_messages WHERE source <> 'jsonl' GROUP BY file_id ORDER BY file_id`,
    )
    .all() as { file_id: number; line: number; source: string; f: string | null; l: string | null }[]) {
    const f = r.f ? Date.parse(r.f) : null;
    const l = r.l ? Date.parse(r.l) : null;
    add('redis_capture', r.file_id, r.line, l, l === null ? null : text('snapshot.by.last_event', { source: r.source }), f, l);
  }

  for (const r of db
    .prepare(
      `SELECT file_id, MIN(line_no) AS line, MAX(CASE WHEN key = 'server_time_usec' THEN value END) AS usec FROM redis_info GROUP BY file_id ORDER BY file_id`,
    )
    .all() as { file_id: number; line: number; usec: string | null }[]) {
    const t = r.usec && /^\d{13,}$/.test(r.usec.trim()) ? Math.floor(Number(r.usec.trim()) / 1000) : null;
    add('redis_info', r.file_id, r.line, t, text('snapshot.by.info'));
  }

  for (const r of db.prepare('SELECT file_id, MIN(line_no) AS line FROM redis_kv GROUP BY file_id ORDER BY file_id').all() as { file_id: number; line: number }[]) {
    add('redis_kv', r.file_id, r.line, null, null);
  }

  const reportTime = db.prepare("SELECT MAX(generated_at) AS g FROM daily_report_values WHERE file_id = ? AND generated_at LIKE '____-__-__T%'");
  for (const r of db
    .prepare('SELECT file_id, MIN(line_no) AS line, MIN(source) AS source FROM containers GROUP BY file_id ORDER BY file_id')
    .all() as { file_id: number; line: number; source: string }[]) {
    let t: number | null = null;
    let by: Text | null = null;
    const rep = reportTime.get(r.file_id) as { g: string | null };
    if (rep.g) {
      t = Date.parse(rep.g);
      by = text('snapshot.by.report');
    } else {
      // compose ps JSON: CreatedAt + RunningFor of each container; the latest is the closest bound.
      const rows = db.prepare('SELECT created_at, running_for FROM containers WHERE file_id = ? AND created_at IS NOT NULL AND running_for IS NOT NULL').all(r.file_id) as {
        created_at: string;
        running_for: string;
      }[];
      for (const c of rows) {
        const ms = runningForMs(c.running_for);
        if (ms === null) continue;
        const at = Date.parse(c.created_at) + ms;
        if (t === null || at > t) {
          t = at;
          by = text('snapshot.by.running_for', {
            running_for: c.running_for,
            precision: /day|week|month/i.test(c.running_for) ? text('snapshot.precision.day') : text('snapshot.precision.hour'),
          });
        }
      }
    }
    add('containers', r.file_id, r.line, t, by);
  }

  for (const r of db
    .prepare(
      `SELECT file_id, MIN(line_no) AS line, MAX(CASE WHEN lower(key) IN ('timestamp', 'time', 'now', 'checked_at', 'generated_at') THEN value END) AS ts FROM service_status GROUP BY file_id ORDER BY file_id`,
    )
    .all() as { file_id: number; line: number; ts: string | null }[]) {
    let t: number | null = null;
    if (r.ts) {
      const v = r.ts.trim().replace(/^"|"$/g, '');
      t = /^\d{10}(\.\d+)?$/.test(v) ? Math.floor(Number(v) * 1000) : /^\d{13}$/.test(v) ? Number(v) : /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(v) ? Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(v) ? v.replace(' ', 'T') : `${v.replace(' ', 'T')}Z`) : null;
      if (t !== null && Number.isNaN(t)) t = null;
    }
    add('status_json', r.file_id, r.line, t, t === null ? null : text('snapshot.by.timestamp'));
  }

  // The rollup says whether any console lines exist: a bundle without a session is not scanned for them.
  const consoleLines = anyLogOfKind(db, ['console_command', 'console_output'])
    ? (db
        .prepare(`SELECT file_id, MIN(line_no) AS line, MIN(ts) AS f, MAX(ts) AS l FROM log_events WHERE kind IN ('console_command', 'console_output') GROUP BY file_id ORDER BY file_id`)
        .all() as { file_id: number; line: number; f: string | null; l: string | null }[])
    : [];
  for (const r of consoleLines) {
    const f = r.f ? Date.parse(r.f) : null;
    const l = r.l ? Date.parse(r.l) : null;
    add('console', r.file_id, r.line, l, l === null ? null : text('snapshot.by.lines'), f, l);
  }
  return out;
}

/**
 * How a finding names a capture's time, in the report's language: "at collection, 2025-12-13 08:14 UTC"
 * after the block, "at 2025-12-12 10:00 UTC, during the block" within it, "before the block, …" before
 * it, or null when the capture carries no clock.
 */
export function captureText(s: Snapshot | undefined, block: { to: string; from: string }): Text | null {
  if (!s || !s.captured_at) return null;
  const at = s.captured_at;
  const t = Date.parse(at);
  if (t > Date.parse(block.to)) return text('snapshot.at_collection', { at });
  if (t < Date.parse(block.from)) return text('snapshot.before_block', { at });
  return s.during_block ? text('snapshot.during_block', { at }) : text('snapshot.at', { at });
}

const cache = new WeakMap<Database.Database, { key: string; list: Snapshot[] }>();

/** The snapshot of one evidence file (cached per database and block). */
export function snapshotOf(db: Database.Database, block: { from: string; to: string }, fileId: number): Snapshot | undefined {
  // Rows written on this connection since (a test adding rows) make the list stale.
  const changes = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  const key = `${block.from}|${block.to}|${changes}`;
  let c = cache.get(db);
  if (!c || c.key !== key) {
    c = { key, list: listSnapshots(db, block) };
    cache.set(db, c);
  }
  return c.list.find((s) => s.file_id === fileId);
}
