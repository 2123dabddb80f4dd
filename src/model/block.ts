import { erasOf } from '../catalog/index.js';
import type { DB } from '../db/open.js';
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

function dayStart(iso: string): number {
  return Date.parse(iso.slice(0, 10) + 'T00:00:00Z');
}

/**
 * The block window: the UTC days the logs cover (the runbook's 3-day block). Without logs
 * that span a day, the union of every timed source. Whole UTC days, so per-day counts are
 * the runbook's DATE(timestamp) counts.
 */
export function inferBlock(db: DB, src: SrcTable[]): InferredBlock {
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
  let endDay = dayStart(t);
  if (endDay > dayStart(f) && Date.parse(t) - endDay < EDGE_MINUTES * 60_000) endDay -= DAY;
  let startDay = dayStart(f);
  let trimmed = '';
  const spanDays = Math.round((endDay - startDay) / DAY) + 1;
  if (spanDays > BLOCK_DAYS) {
    // Exports reach past the block (startup the day before, the analyst's download the morning
    // after): keep the runbook's block length where the evidence is densest.
    const weights = dayWeights(db);
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
    from: new Date(startDay).toISOString(),
    to: new Date(endDay + DAY - 1).toISOString(),
    fromEvidence: `${why}: first ${f}${trimmed}`,
    toEvidence: `${why}: last ${t}${trimmed}`,
    ...eraAndDialect(db, src),
  };
}

/** The runbook tests in 3-day blocks. */
export const BLOCK_DAYS = 3;

/** Activity per UTC day: log records that are not health polls, plus canonical rows. */
function dayWeights(db: DB): Map<string, number> {
  const rows = db
    .prepare(
      `SELECT d, SUM(n) AS n FROM (
         SELECT substr(hour, 1, 10) AS d, SUM(n) AS n FROM log_hourly WHERE hour IS NOT NULL AND kind <> 'health_poll' GROUP BY 1
         UNION ALL SELECT DATE(ts), COUNT(*) FROM signals WHERE ts IS NOT NULL GROUP BY 1
         UNION ALL SELECT DATE(ts), COUNT(*) FROM risk_decisions WHERE ts IS NOT NULL GROUP BY 1
         UNION ALL SELECT DATE(ts), COUNT(*) FROM orders WHERE ts IS NOT NULL GROUP BY 1
         UNION ALL SELECT DATE(ts), COUNT(*) FROM trades WHERE ts IS NOT NULL GROUP BY 1
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
  const first = db.prepare(
    'SELECT m.path, l.line_no FROM log_events l JOIN manifest m ON m.id = l.file_id WHERE l.class = ? ORDER BY l.ts IS NULL, l.ts, l.file_id, l.line_no LIMIT 1',
  );
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
  const services = new Set(
    (db.prepare('SELECT DISTINCT service FROM log_events WHERE service IS NOT NULL UNION SELECT DISTINCT service FROM containers WHERE service IS NOT NULL UNION SELECT DISTINCT name FROM containers WHERE name IS NOT NULL').all() as { service: string }[]).map((r) => r.service),
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
