/**
 * The incident timeline: the block's key events in time order across services — restarts, the
 * first and last error of each class, the feed stopping and resuming, the first and last
 * rejection per reason, daily reports, the break — each with its source line.
 *
 * Read from the working database, where an event saved in two overlapping files is stored once
 * (the copies table holds the repeats), so every entry is one event, not one line per file.
 * Where a second clock of the same record disagrees (docker's `--timestamps` stamp against the
 * application time, a report header in host-local time) the entry carries the measured offset.
 */
import type Database from 'better-sqlite3';
import { CATALOG } from '../catalog/index.js';
import { RESTART_CLASSES } from '../model/flow-hourly.js';
import { Redactor } from '../redact/secrets.js';
import type { ReportModel } from '../report/model.js';
import type { Evidence, RuleContext } from './define-rule.js';
import { isZone, offsetMinutes } from '../util/zones.js';
import { mapParams, render, text, type Param, type Text } from '../i18n/translate.js';
import { stageName } from './break-in-time.js';
import type { StageId } from './clockless.js';
import { fileMaxTsBelow } from '../db/log-rollup.js';
import { feedGaps } from './rules/shared/market-gaps.js';
import { fileTickMaxIn } from './rules/shared/ticks.js';

export type TimelineEntry = ReportModel['timeline'][number];
type Kind = TimelineEntry['kind'];

/** Application time and docker stamp further apart than this are two clocks, not buffering (the clock-skew rule's threshold). */
export const CLOCK_SKEW_S = 5;
/** Starts of one service this close together are one start (a banner spans several lines). */
const SAME_START_MS = 60_000;
/** A gap in market data this long, while its file kept recording, is a stop of the feed (the market-data-silence rule's threshold). */
const FEED_GAP_MIN = 10;
/** Restarts listed one by one per service; a crash loop beyond that shows its first ones and its last, with the count. */
const MAX_RESTARTS_LISTED = 3;
const MAX_FEED_GAPS = 10;

const KIND_ORDER: Kind[] = ['break', 'feed_stop', 'restart', 'error_first', 'rejection_first', 'feed_resume', 'error_last', 'rejection_last', 'report'];

interface LogRow {
  ts: string;
  docker_ts: string | null;
  ts_text: string | null;
  service: string | null;
  class: string | null;
  file_id: number;
  line_no: number;
}

/** A second clock with its label's keyed text (the entry carries it as `texts['clock.label']`). */
type Clock = NonNullable<TimelineEntry['clock']> & { text: Text };

const STAGES: readonly string[] = ['market_data', 'signals', 'risk_approved', 'orders', 'fills', 'persisted'] satisfies StageId[];

function second(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}

/** The docker stamp's offset from the application time, when both exist and disagree. */
function clockOf(r: Pick<LogRow, 'ts' | 'docker_ts' | 'ts_text'>): Clock | null {
  if (!r.docker_ts || !r.ts_text) return null;
  const d = (Date.parse(r.ts) - Date.parse(r.docker_ts)) / 1000;
  if (!Number.isFinite(d) || Math.abs(d) <= CLOCK_SKEW_S) return null;
  const t = text('timeline.clock.docker');
  return { label: render('en', t), offset_s: Math.round(d * 10) / 10, text: t };
}

export function buildTimeline(db: Database.Database, ctx: RuleContext, flow: Pick<ReportModel['flow'], 'break_at' | 'break_stage' | 'break_reason' | 'break_evidence' | 'texts'>, reconciliation: ReportModel['reconciliation']): TimelineEntry[] {
  const redactor = new Redactor();
  const out: (TimelineEntry & { sortTs: string })[] = [];
  const { from, to } = ctx.block;
  const ev = (fileId: number, line: number) => {
    const e = ctx.evidence(fileId, line);
    return { ...e, text: redactor.text(e.text) };
  };
  const push = (sortTs: string, kind: Kind, who: string | Text | null, title: Text, count: number, evidence: Evidence[], clocked: Clock | null = null) => {
    const t = mapParams(title, (v) => redactor.text(v));
    const clock = clocked ? { label: clocked.label, offset_s: clocked.offset_s } : null;
    const service = who === null || typeof who === 'string' ? who : render('en', who);
    const texts = { title: t, ...(who !== null && typeof who !== 'string' ? { service: who } : {}), ...(clocked ? { 'clock.label': clocked.text } : {}) };
    out.push({ sortTs, at: second(sortTs), kind, service, title: redactor.text(render('en', t)), count, evidence, clock, texts });
  };
  // A record without a service is named in the report's language.
  const serviceOf = (s: string | null): string | Text => s ?? text('timeline.unknown_service');
  const hasLogs = !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'log_events'").get();

  if (hasLogs) {
    // Restarts: startup banners and "cannot start" lines, one start per service per minute.
    const starts = db
      .prepare(
        `SELECT ts, docker_ts, ts_text, service, class, file_id, line_no FROM log_events
         WHERE class IN (SELECT value FROM json_each(?)) AND ts >= ? AND ts < ? ORDER BY service, ts, file_id, line_no`,
      )
      .all(JSON.stringify(RESTART_CLASSES), from, to) as LogRow[];
    const byService = new Map<string, LogRow[]>();
    for (const r of starts) {
      const key = r.service ?? '';
      const list = byService.get(key) ?? [];
      const prev = list[list.length - 1];
      if (!prev || Date.parse(r.ts) - Date.parse(prev.ts) > SAME_START_MS) list.push(r);
      byService.set(key, list);
    }
    for (const [key, list] of byService) {
      const service = serviceOf(key || null);
      const shown = list.length <= MAX_RESTARTS_LISTED + 1 ? list : [...list.slice(0, MAX_RESTARTS_LISTED), list[list.length - 1]];
      shown.forEach((r, i) => {
        const last = list.length > shown.length && i === shown.length - 1;
        const title = last
          ? text('timeline.restart_last', { service, n: list.length, between: list.length - shown.length })
          : list.length > 1
            ? text('timeline.restart_nth', { service, i: list.indexOf(r) + 1, n: list.length })
            : text('timeline.restart', { service });
        push(r.ts, 'restart', service, title, last ? list.length - shown.length + 1 : 1, [ev(r.file_id, r.line_no)], clockOf(r));
      });
    }

    // First and last error of each class, per service.
    const errorClasses = CATALOG.filter((e) => e.severity === 'error').map((e) => e.id);
    const groups = db
      .prepare(
        `SELECT service, class, COUNT(*) AS n, MIN(ts) AS first, MAX(ts) AS last FROM log_events
         WHERE class IN (SELECT value FROM json_each(?)) AND ts >= ? AND ts < ? GROUP BY service, class ORDER BY service, class`,
      )
      .all(JSON.stringify(errorClasses), from, to) as { service: string | null; class: string; n: number; first: string; last: string }[];
    const at = db.prepare(`SELECT ts, docker_ts, ts_text, service, class, file_id, line_no FROM log_events WHERE service IS ? AND class = ? AND ts = ? ORDER BY file_id, line_no LIMIT 1`);
    for (const g of groups) {
      const service = serviceOf(g.service);
      const f = at.get(g.service, g.class, g.first) as LogRow;
      push(f.ts, 'error_first', service, g.n > 1 ? text('timeline.error_first', { service, class: g.class, n: g.n }) : text('timeline.error_only', { service, class: g.class }), 1, [ev(f.file_id, f.line_no)], clockOf(f));
      if (g.n > 1) {
        const l = at.get(g.service, g.class, g.last) as LogRow;
        push(l.ts, 'error_last', service, text('timeline.error_last', { service, class: g.class }), 1, [ev(l.file_id, l.line_no)], clockOf(l));
      }
    }

    // The feed stops (and resumes) while its file kept recording other lines.
    const gaps = feedGaps(db, from, to, FEED_GAP_MIN, MAX_FEED_GAPS);
    for (const g of gaps) {
      push(g.prev_ts, 'feed_stop', null, text('timeline.feed_gap', { gap: wholeMinutes(g.minutes) }), 1, [ev(g.file_id, g.prev_line)]);
      push(g.ts, 'feed_resume', null, text('timeline.feed_resume', { gap: wholeMinutes(g.minutes) }), 1, [ev(g.file_id, g.line_no)]);
    }
    // The file's last record before the end comes from the hourly rollup, not a read of every record.
    // The feed's last tick per file from the model's per-minute rollup, not a read of every tick.
    const tails = (fileTickMaxIn(db, from, to) as { file_id: number; last_ts: string }[]).map((t) => ({ ...t, file_end: fileMaxTsBelow(db, t.file_id, to) }));
    const lineAt = db.prepare('SELECT line_no FROM market_data WHERE file_id = ? AND ts = ? ORDER BY line_no DESC LIMIT 1');
    for (const t of tails) {
      if (!t.file_end) continue;
      const gap = (Date.parse(t.file_end) - Date.parse(t.last_ts)) / 60_000;
      if (gap < FEED_GAP_MIN) continue;
      const line = (lineAt.get(t.file_id, t.last_ts) as { line_no: number }).line_no;
      push(t.last_ts, 'feed_stop', null, text('timeline.feed_tail', { gap: wholeMinutes(gap) }), 1, [ev(t.file_id, line)]);
    }
  }

  // First and last rejection per reason.
  const rej = db
    .prepare(
      `SELECT COALESCE(reason_code, 'unknown') AS reason, COUNT(*) AS n, MIN(ts) AS first, MAX(ts) AS last FROM risk_decisions
       WHERE decision = 'rejected' AND ts >= ? AND ts < ? GROUP BY 1 ORDER BY 1`,
    )
    .all(from, to) as { reason: string; n: number; first: string; last: string }[];
  const rejAt = db.prepare(`SELECT file_id, line_no, reason_text FROM risk_decisions WHERE decision = 'rejected' AND COALESCE(reason_code, 'unknown') = ? AND ts = ? ORDER BY file_id, line_no LIMIT 1`);
  // A log line has its own text; a dump row gets its reason, so the entry reads without opening the file.
  const rejEv = (r: { file_id: number; line_no: number; reason_text: string | null }) => {
    const e = ev(r.file_id, r.line_no);
    return e.text || !r.reason_text ? e : { ...e, text: redactor.text(`rejected: ${r.reason_text}`) };
  };
  for (const r of rej) {
    const f = rejAt.get(r.reason, r.first) as { file_id: number; line_no: number; reason_text: string | null };
    push(r.first, 'rejection_first', 'cdb_risk', r.n > 1 ? text('timeline.rejection_first', { reason: r.reason, n: r.n }) : text('timeline.rejection_only', { reason: r.reason }), 1, [rejEv(f)]);
    if (r.n > 1) {
      const l = rejAt.get(r.reason, r.last) as { file_id: number; line_no: number; reason_text: string | null };
      push(r.last, 'rejection_last', 'cdb_risk', text('timeline.rejection_last', { reason: r.reason }), 1, [rejEv(l)]);
    }
  }

  // Daily reports: one entry per report generated, however many values it printed.
  const fileId = db.prepare('SELECT id FROM manifest WHERE path = ? ORDER BY id LIMIT 1');
  const seen = new Set<string>();
  for (const r of reconciliation) {
    if (!r.generated_at || r.generated_at < from || r.generated_at >= to) continue;
    const key = `${r.report_kind}\u0000${r.generated_at}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const first = r.evidence[r.evidence.length - 1] ?? r.evidence[0];
    const id = first ? (fileId.get(first.file) as { id: number } | undefined)?.id : undefined;
    const evidence = first ? [id !== undefined ? ev(id, first.line) : { file: first.file, line: first.line, text: '' }] : [];
    push(r.generated_at, 'report', null, text('timeline.report', {
        kind: r.report_kind.replace(/_/g, ' '),
        for_date: r.date ? text('timeline.report_for', { date: r.date }) : '',
        failed: r.explanation === 'report_failed' ? text('timeline.report_failed') : '',
      }), 1, evidence, headerClock(r.zone, r.generated_at));
  }

  if (flow.break_at) {
    const stage: Param = flow.break_stage === null ? text('timeline.a_stage') : STAGES.includes(flow.break_stage) ? stageName(flow.break_stage as StageId) : flow.break_stage;
    const reason: Param | null = flow.texts?.break_reason ?? (flow.break_reason || null);
    const title = reason ? text('timeline.break', { stage, reason }) : text('timeline.break_plain', { stage });
    push(`${flow.break_at.slice(0, 19)}.999Z`, 'break', null, title, 1, flow.break_evidence.slice(0, 2));
  }

  out.sort((a, b) => (a.sortTs < b.sortTs ? -1 : a.sortTs > b.sortTs ? 1 : 0) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || cmpStr(a.service ?? '', b.service ?? '') || cmpStr(a.title, b.title));
  return out.map(({ sortTs: _s, ...e }) => e);
}

/**
 * A report header written in host-local time: the entry is shown in UTC, flagged with how far the
 * header's clock is ahead of UTC at that moment (measured for the zone the reconciliation named).
 */
export function headerClock(zone: string | null, at: string): Clock | null {
  if (zone === null || !/local/i.test(zone)) return null;
  const iana = /CET|CEST|Europe\/Berlin/.test(zone) ? 'Europe/Berlin' : (zone.match(/\b([A-Z][a-z]+\/[A-Za-z_]+)\b/)?.[1] ?? null);
  const t = text('timeline.clock.header', { zone });
  const label = render('en', t);
  if (!iana || !isZone(iana)) return { label, offset_s: null, text: t };
  return { label, offset_s: offsetMinutes(Date.parse(at), iana) * 60, text: t };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A gap in minutes as whole minutes in seconds, for a `{gap:duration}` (95 → 1 h 35 min; 12.5 → 13 min). */
function wholeMinutes(m: number): number {
  return Math.round(m) * 60;
}
