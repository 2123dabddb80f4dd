import { erasOf } from '../catalog/index.js';
import { rollupCovers } from '../db/log-rollup.js';
import type { DB } from '../db/open.js';
import { dayStartIn, localDate, offsetMinutes } from '../util/zones.js';
import { blockMarkers, type Marker } from './block-markers.js';
import type { SrcTable } from './src-tables.js';

export interface InferredBlock {
  from: string;
  to: string;
  fromEvidence: string;
  toEvidence: string;
  era: string | null;
  eraEvidence: string;
  dialect: string | null;
  dialectEvidence: string;
}

const DAY = 86_400_000;
/** A last day the evidence only touches in its first minutes (the midnight report) is not a block day. */
const EDGE_MINUTES = 15;

function span(db: DB, sql: string): { f: string | null; t: string | null; n: number } {
  return db.prepare(sql).get() as { f: string | null; t: string | null; n: number };
}

/**
 * The block window: the calendar days the logs cover (the runbook's 3-day block), in `zone`
 * (UTC unless the team's local days were inferred or set). Without logs that span a day, the
 * union of every timed source. Whole days, so per-day counts are the runbook's DATE(timestamp)
 * counts in that zone.
 */
export function inferBlock(db: DB, src: SrcTable[], zone = 'UTC'): InferredBlock {
  // Day arithmetic on local wall-clock ms: shift by the zone's offset, count days, shift back.
  const shift = (iso: string) => Date.parse(iso) + offsetMinutes(Date.parse(iso), zone) * 60_000;
  const dayStart = (iso: string): number => Date.parse(new Date(shift(iso)).toISOString().slice(0, 10) + 'T00:00:00Z');
  // log_hourly is counted during ingest: no scan of log_events (millions of rows in a noisy block).
  const logs = span(db, "SELECT MIN(first_ts) f, MAX(last_ts) t, COALESCE(SUM(n), 0) n FROM log_hourly WHERE hour IS NOT NULL AND kind <> 'health_poll'");
  let f: string | null = null;
  let t: string | null = null;
  let why = '';
  if (logs.n > 0 && logs.f && logs.t && Date.parse(logs.t) - Date.parse(logs.f) >= DAY * 0.5) {
    f = logs.f;
    t = logs.t;
    why = `span of ${logs.n} timed log records`;
  } else {
    const parts = ['signals', 'risk_decisions', 'orders', 'trades', 'market_data']
      .map((tb) => span(db, `SELECT MIN(ts) f, MAX(ts) t, COUNT(*) n FROM ${tb} WHERE ts IS NOT NULL`))
      .concat([logs])
      .filter((p) => p.n > 0 && p.f && p.t);
    for (const p of parts) {
      if (!f || p.f! < f) f = p.f;
      if (!t || p.t! > t) t = p.t;
    }
    why = 'span of all timed evidence (logs cover less than half a day)';
  }
  if (!f || !t) {
    const today = '1970-01-01T00:00:00.000Z';
    return {
      from: today, to: '1970-01-01T23:59:59.999Z', fromEvidence: 'no timed evidence', toEvidence: 'no timed evidence',
      ...eraAndDialect(db, src),
    };
  }
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const byMarkers = windowFromMarkers(blockMarkers(db), shift, dayStart, dayStart(f), dayStart(t));
  if (byMarkers) {
    return {
      from: new Date(dayStartIn(day(byMarkers.startDay), zone)).toISOString(),
      to: new Date(dayStartIn(day(byMarkers.endDay + DAY), zone) - 1).toISOString(),
      fromEvidence: byMarkers.fromEvidence,
      toEvidence: byMarkers.toEvidence,
      ...eraAndDialect(db, src),
    };
  }
  let endDay = dayStart(t);
  if (endDay > dayStart(f) && shift(t) - endDay < EDGE_MINUTES * 60_000) endDay -= DAY;
  let startDay = dayStart(f);
  let trimmed = '';
  const spanDays = Math.round((endDay - startDay) / DAY) + 1;
  if (spanDays > BLOCK_DAYS) {
    // Exports reach past the block (startup the day before, the analyst's download the morning
    // after): keep the runbook's block length where the evidence is densest.
    const weights = dayWeights(db, offsetMinutes(Date.parse(f), zone));
    let best = startDay;
    let bestW = -1;
    for (let d = startDay; d + (BLOCK_DAYS - 1) * DAY <= endDay; d += DAY) {
      let w = 0;
      for (let k = 0; k < BLOCK_DAYS; k++) w += weights.get(new Date(d + k * DAY).toISOString().slice(0, 10)) ?? 0;
      if (w > bestW) {
        bestW = w;
        best = d;
      }
    }
    trimmed = `; the evidence spans ${spanDays} days, the ${BLOCK_DAYS}-day window with the most activity was kept (set --from/--to to change)`;
    startDay = best;
    endDay = best + (BLOCK_DAYS - 1) * DAY;
  }
  return {
    from: new Date(dayStartIn(day(startDay), zone)).toISOString(),
    to: new Date(dayStartIn(day(endDay + DAY), zone) - 1).toISOString(),
    fromEvidence: `no explicit marker (runner banner, export range, daily reports, container starts); ${why}: first ${f}${trimmed}`,
    toEvidence: `no explicit marker; ${why}: last ${t}${trimmed}`,
    ...eraAndDialect(db, src),
  };
}

/** The runbook tests in 3-day blocks. */
export const BLOCK_DAYS = 3;

const PRECEDENCE: Marker['kind'][] = ['runner', 'range', 'reports', 'containers'];

/**
 * Whole block days (local-midnight ms) from the explicit markers, or null when none applies.
 * A start mid-day (the runner started at 10:00, containers at 23:59) begins the block at the next
 * midnight: the runbook counts whole days. Each end is decided by the highest marker that speaks to
 * it; the other end follows from the block's length (the runner's Duration if shorter than the
 * runbook's 3 days), so a feed that dies on day 1 never shortens the block. A marker whose window
 * misses the evidence entirely (containers up for weeks) is set aside.
 */
export function windowFromMarkers(
  markers: Marker[],
  shift: (iso: string) => number,
  dayStart: (iso: string) => number,
  evFirstDay: number,
  evLastDay: number,
): { startDay: number; endDay: number; fromEvidence: string; toEvidence: string } | null {
  const roundUp = (iso: string) => {
    const d = dayStart(iso);
    return shift(iso) - d < EDGE_MINUTES * 60_000 ? d : d + DAY;
  };
  const roundDown = (iso: string) => {
    const d = dayStart(iso);
    return shift(iso) - d < EDGE_MINUTES * 60_000 && shift(iso) - d >= 0 ? d - DAY : d;
  };
  const setAside: string[] = [];
  const usable = markers.filter((m) => {
    const s = m.start ? roundUp(m.start) : null;
    const e = m.end ? roundDown(m.end) : null;
    // Outside the evidence altogether: a marker of another run, or a deploy long before the export.
    // A declared end past the export is the run going on after it: only a marker without a start is judged by its end.
    const ok = s !== null ? s <= evLastDay && s >= evFirstDay - DAY : e !== null && e >= evFirstDay && e <= evLastDay + DAY;
    if (!ok) setAside.push(s !== null || e !== null ? `${m.why} (outside the evidence's days)` : m.why);
    return ok;
  });
  const rank = (m: Marker) => PRECEDENCE.indexOf(m.kind);
  usable.sort((a, b) => rank(a) - rank(b));
  const startM = usable.find((m) => m.start);
  const endM = usable.find((m) => m.end);
  if (!startM && !endM) return null;
  const runner = usable.find((m) => m.kind === 'runner' && m.days);
  const len = Math.max(1, Math.min(BLOCK_DAYS, runner?.days ?? BLOCK_DAYS));
  const lenWhy = runner?.days
    ? runner.days > BLOCK_DAYS
      ? `the runner's Duration is ${runner.days} days, the runbook's block ${BLOCK_DAYS}`
      : `the runner's Duration: ${runner.days} days`
    : `the runbook's ${BLOCK_DAYS}-day block`;
  const others = (used: Marker[]) => {
    const rest = usable.filter((m) => !used.includes(m));
    return (rest.length ? `; also seen: ${rest.map((m) => m.why).join('; ')}` : '') + (setAside.length ? `; set aside: ${setAside.join('; ')}` : '');
  };
  // A marker that names both ends (an export range) keeps its own length.
  if (startM && startM === endM && startM.kind === 'range') {
    const s = roundUp(startM.start!);
    const e = roundDown(startM.end!);
    if (e >= s) return { startDay: s, endDay: e, fromEvidence: `${startM.why}${others([startM])}`, toEvidence: startM.why };
  }
  if (startM && (!endM || rank(startM) <= rank(endM))) {
    const s = roundUp(startM.start!);
    const e = s + (len - 1) * DAY;
    return { startDay: s, endDay: e, fromEvidence: `${startM.why}${others([startM])}`, toEvidence: `${len} days from the start (${lenWhy}), decided by the ${startM.kind} marker` };
  }
  const e = roundDown(endM!.end!);
  const s = e - (len - 1) * DAY;
  return { startDay: s, endDay: e, fromEvidence: `${len} days to the end (${lenWhy}), decided by the ${endM!.kind} marker${others([endM!])}`, toEvidence: endM!.why };
}

/** Activity per day (UTC, or shifted by a zone's offset in minutes): log records that are not health polls, plus canonical rows. */
function dayWeights(db: DB, offset = 0): Map<string, number> {
  const m = `'${offset >= 0 ? '+' : '-'}${Math.abs(offset)} minutes'`;
  const rows = db
    .prepare(
      `SELECT d, SUM(n) AS n FROM (
         SELECT DATE(hour || ':00:00', ${m}) AS d, SUM(n) AS n FROM log_hourly WHERE hour IS NOT NULL AND kind <> 'health_poll' GROUP BY 1
         UNION ALL SELECT DATE(ts, ${m}), COUNT(*) FROM signals WHERE ts IS NOT NULL GROUP BY 1
         UNION ALL SELECT DATE(ts, ${m}), COUNT(*) FROM risk_decisions WHERE ts IS NOT NULL GROUP BY 1
         UNION ALL SELECT DATE(ts, ${m}), COUNT(*) FROM orders WHERE ts IS NOT NULL GROUP BY 1
         UNION ALL SELECT DATE(ts, ${m}), COUNT(*) FROM trades WHERE ts IS NOT NULL GROUP BY 1
       ) GROUP BY d ORDER BY d`,
    )
    .all() as { d: string; n: number }[];
  return new Map(rows.map((r) => [r.d, r.n]));
}

/**
 * One vote per message class present whose catalog entry names a single era (or B and C, which
 * votes B at least), with the count and the first record as the citation.
 */
function classVotes(db: DB): { era: string; why: string; n: number }[] {
  const present = db
    .prepare("SELECT class, SUM(n) AS n FROM log_hourly WHERE class IS NOT NULL GROUP BY class ORDER BY class")
    .all() as { class: string; n: number }[];
  // Timed records first, in time order, else the first untimed one: two queries, so that the
  // (class, ts) index finds the first record instead of sorting every record of the class.
  const firstTimed = db.prepare(
    'SELECT m.path, l.line_no FROM log_events l JOIN manifest m ON m.id = l.file_id WHERE l.class = ? AND l.ts IS NOT NULL ORDER BY l.ts, l.file_id, l.line_no LIMIT 1',
  );
  const firstUntimed = db.prepare(
    'SELECT m.path, l.line_no FROM log_events l JOIN manifest m ON m.id = l.file_id WHERE l.class = ? AND l.ts IS NULL ORDER BY l.file_id, l.line_no LIMIT 1',
  );
  const first = { get: (id: string): unknown => firstTimed.get(id) ?? firstUntimed.get(id) };
  const out: { era: string; why: string; n: number }[] = [];
  for (const { class: id, n } of present) {
    let eras: readonly string[];
    try {
      eras = erasOf(id);
    } catch {
      continue; // a class of a newer catalog than this build knows
    }
    const era = eras.length === 1 ? eras[0] : eras.length === 2 && eras.includes('B') && eras.includes('C') ? 'B' : null;
    if (!era) continue;
    const at = first.get(id) as { path: string; line_no: number } | undefined;
    out.push({ era, n, why: `${n} × ${id}${at ? ` (first ${at.path}:${at.line_no})` : ''}` });
  }
  return out;
}

function eraAndDialect(db: DB, src: SrcTable[]): Pick<InferredBlock, 'era' | 'eraEvidence' | 'dialect' | 'dialectEvidence'> {
  // The services that logged, from the rollup when it accounts for the records (the same set: it
  // counts every stored record by service), else from the records themselves.
  const logged = rollupCovers(db) ? 'SELECT DISTINCT service FROM log_hourly WHERE service IS NOT NULL' : 'SELECT DISTINCT service FROM log_events WHERE service IS NOT NULL';
  const services = new Set(
    (db.prepare(`${logged} UNION SELECT DISTINCT service FROM containers WHERE service IS NOT NULL UNION SELECT DISTINCT name FROM containers WHERE name IS NOT NULL`).all() as { service: string }[]).map((r) => r.service),
  );
  const projects = new Set((db.prepare('SELECT DISTINCT project FROM containers WHERE project IS NOT NULL').all() as { project: string }[]).map((r) => r.project));
  const votes: { era: string; why: string }[] = [];
  if (services.has('cdb_market') || projects.has('cdb-blue') || projects.has('cdb-red')) votes.push({ era: 'C', why: 'cdb_market container or cdb-blue/cdb-red project' });
  if (src.some((s) => s.kind === 'risk_events_fork' || s.kind === 'blocked_decisions')) votes.push({ era: 'C', why: 'fork tables risk_events(decision, reason_code)/blocked_decisions' });
  for (const s of ['cdb_signal', 'cdb_candles', 'cdb_regime', 'cdb_allocation']) if (services.has(s)) votes.push({ era: 'B', why: `container ${s}` });
  if (services.has('cdb_core')) votes.push({ era: 'A', why: 'container cdb_core' });
  const md = db.prepare("SELECT payload FROM redis_messages WHERE channel = 'market_data' AND payload IS NOT NULL ORDER BY file_id, line_no LIMIT 1").get() as { payload: string } | undefined;
  if (md) {
    if (/"ts_ms"|"schema_version"/.test(md.payload)) votes.push({ era: 'B', why: 'market_data payload with ts_ms/schema_version' });
    else if (/"pct_change"/.test(md.payload) && /"interval"/.test(md.payload)) votes.push({ era: 'A', why: 'market_data payload with pct_change/interval' });
  }
  const sig = db.prepare("SELECT symbol_raw FROM signals WHERE symbol_raw IS NOT NULL ORDER BY id LIMIT 1").get() as { symbol_raw: string } | undefined;
  if (sig && /_/.test(sig.symbol_raw)) votes.push({ era: 'A', why: `futures symbol ${sig.symbol_raw}` });
  // Message classes that only one era's code prints (each catalog entry names its eras), cited by their first record.
  const classEras = classVotes(db);
  for (const v of classEras.filter((c) => c.era !== 'runbook')) votes.push(v);
  // Structural tells outrank payload tells; the newest era named wins (C implies B's containers too).
  const rank = { C: 3, B: 2, A: 1 } as Record<string, number>;
  const era = votes.length ? votes.map((v) => v.era).sort((a, b) => rank[b] - rank[a])[0] : null;
  const eraEvidence = votes.filter((v) => v.era === era).map((v) => v.why).join('; ') || 'no era tells in the evidence';

  const dv: string[] = [];
  const srcNames = new Set(src.map((s) => s.original));
  if (srcNames.has('trading_signals')) dv.push('table trading_signals');
  if (src.some((s) => s.kind === 'risk_events_runbook')) dv.push('table risk_events(approved, reason)');
  const ch = db.prepare("SELECT DISTINCT channel FROM redis_messages WHERE channel IN ('trading_signals','risk_approved_trades') ORDER BY channel").all() as { channel: string }[];
  for (const c of ch) dv.push(`channel ${c.channel}`);
  const rb = classEras.filter((c) => c.era === 'runbook');
  if (rb.length > 0) dv.push(`${rb.reduce((a, c) => a + c.n, 0)} runbook-only log strings (${rb.map((c) => c.why).join('; ')})`);
  return { era, eraEvidence, dialect: dv.length ? 'runbook' : 'real', dialectEvidence: dv.length ? dv.join('; ') : 'only real-system names' };
}

export interface InferredZone {
  zone: string;
  evidence: string;
}

/** The zone host-side reports are written in (daily_check.py / systemcheck.py on the Windows host). */
const HOST_ZONE = 'Europe/Berlin';
const SIGN_MINUTES = 10;

/**
 * The team's local zone for the block, only when two independent signs agree (a CET header alone
 * proves nothing: every host report has one):
 *  1. an export starts at local midnight (within minutes), not at UTC midnight;
 *  2. a host report's day count equals the DB's count over the local day and not the UTC day.
 * Null otherwise: the block stays in UTC days. Issue 11 reworks the block window (explicit markers
 * first); this is the seam it replaces.
 */
export function inferZone(db: DB): InferredZone | null {
  const host = db.prepare("SELECT 1 FROM daily_report_values WHERE zone LIKE '%CET%' OR zone LIKE '%host%' LIMIT 1").get();
  if (!host) return null;
  const zone = HOST_ZONE;
  const midnight = exportAtLocalMidnight(db, zone);
  const byLocalDay = reportsMatchLocalDay(db, zone);
  if (!midnight || !byLocalDay) return null;
  return { zone, evidence: `${midnight}; ${byLocalDay}` };
}

function exportAtLocalMidnight(db: DB, zone: string): string | null {
  const firsts = db
    .prepare(
      `SELECT f.file_id, m.path, f.ts FROM (
         SELECT file_id, MIN(first_ts) AS ts FROM log_hourly WHERE first_ts IS NOT NULL AND kind <> 'health_poll' GROUP BY file_id
         UNION ALL SELECT file_id, MIN(ts) FROM signals WHERE source = 'db' AND ts IS NOT NULL GROUP BY file_id
         UNION ALL SELECT file_id, MIN(ts) FROM orders WHERE source = 'db' AND ts IS NOT NULL GROUP BY file_id
         UNION ALL SELECT file_id, MIN(ts) FROM trades WHERE source = 'db' AND ts IS NOT NULL GROUP BY file_id
       ) f JOIN manifest m ON m.id = f.file_id ORDER BY m.path, f.ts`,
    )
    .all() as { file_id: number; path: string; ts: string }[];
  for (const r of firsts) {
    const t = Date.parse(r.ts);
    const local = t - dayStartIn(localDate(t, zone), zone);
    const utc = t - Date.parse(`${r.ts.slice(0, 10)}T00:00:00.000Z`);
    if (local < SIGN_MINUTES * 60_000 && utc >= SIGN_MINUTES * 60_000) return `${r.path} starts at ${r.ts}, local midnight in ${zone}`;
  }
  return null;
}

function reportsMatchLocalDay(db: DB, zone: string): string | null {
  const rows = db
    .prepare(
      `SELECT m.path, v.line_no, v.key, v.value_num FROM daily_report_values v JOIN manifest m ON m.id = v.file_id
       WHERE (v.zone LIKE '%CET%' OR v.zone LIKE '%host%') AND v.value_num IS NOT NULL AND (v.key LIKE 'Signals Yesterday (%' OR v.key LIKE 'Trades Yesterday (%')
       ORDER BY m.path, v.line_no`,
    )
    .all() as { path: string; line_no: number; key: string; value_num: number }[];
  const count = db.prepare("SELECT COUNT(*) AS n, COUNT(*) + COUNT(twin_file_id) AS raw FROM trades WHERE source = 'db' AND ts >= ? AND ts < ?");
  const countSignals = db.prepare("SELECT COUNT(*) AS n, COUNT(*) AS raw FROM signals WHERE source = 'db' AND ts >= ? AND ts < ?");
  let local: string | null = null;
  for (const r of rows) {
    const m = /^(Signals|Trades) Yesterday \((\d{4}-\d\d-\d\d)\)$/.exec(r.key);
    if (!m) continue;
    const st = m[1] === 'Signals' ? countSignals : count;
    const next = new Date(Date.parse(`${m[2]}T00:00:00.000Z`) + DAY).toISOString().slice(0, 10);
    const iso = (ms: number) => new Date(ms).toISOString();
    const l = st.get(iso(dayStartIn(m[2], zone)), iso(dayStartIn(next, zone))) as { n: number; raw: number };
    const u = st.get(`${m[2]}T00:00:00.000Z`, `${next}T00:00:00.000Z`) as { n: number; raw: number };
    const inLocal = r.value_num === l.n || r.value_num === l.raw;
    const inUtc = r.value_num === u.n || r.value_num === u.raw;
    // A report that matches the UTC day is a vote against; 0 = 0 is no vote at all.
    if (inUtc && !inLocal) return null;
    if (inLocal && !inUtc && r.value_num !== 0 && !local) local = `${r.path}:${r.line_no} ${r.key} ${r.value_num} equals the DB's local day (UTC day: ${u.n})`;
  }
  return local;
}
