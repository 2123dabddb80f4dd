/**
 * Where the flow stopped in time, read from the hourly flow (model/flow-hourly.ts).
 *
 * A stage has stopped when, for at least `minHours` observed hours in a row, it runs below
 * `stopFraction` of its median rate over the hours its sources covered, while its upstream
 * stays at `upstreamFraction` of its own median or more. Hours no source of the stage covered
 * (the end of a `--tail` or `--since` log, a recreated container) are "not observed": they never
 * count towards a stop, and a run of low hours ends at them. A sparse stage needs a
 * longer run before silence means anything: the run must be long enough that its median rate
 * would have produced `minExpected` events (a Poisson zero of ≈ e^-10), so a quiet hour between
 * signals every 40 minutes is never a break.
 */
import type Database from 'better-sqlite3';
import { clocklessVerdicts, type StageId } from './clockless.js';
import { render, text, type Text } from '../i18n/translate.js';
import type { Evidence, LayerId } from './define-rule.js';
import { median } from '../util/stats.js';

export interface BreakConfig {
  stopFraction: number;
  upstreamFraction: number;
  minHours: number;
  minExpected: number;
}

export const DEFAULT_BREAK: BreakConfig = { stopFraction: 0.1, upstreamFraction: 0.5, minHours: 2, minExpected: 10 };

/** The stages that carry the flow, each with its upstream and its layer; persisted means trades rows. */
const CHAIN: { stage: StageId; classPrefix?: string; layer: LayerId }[] = [
  { stage: 'market_data', layer: 'market_data' },
  { stage: 'signals', layer: 'signal_engine' },
  { stage: 'risk_approved', layer: 'risk' },
  { stage: 'orders', layer: 'execution' },
  { stage: 'fills', layer: 'execution' },
  { stage: 'persisted', classPrefix: 'trades', layer: 'reporting' },
];

export interface TimeBreak {
  stage: string;
  layer: LayerId;
  /** The last normal event before the stop (`YYYY-MM-DDTHH:MM:SSZ`), or null when the stage never ran in the block. */
  at: string | null;
  /** First hour of the stop. */
  from_hour: string;
  /** First hour the stage ran normally again, or null when it never recovered in the block. */
  recovered_hour: string | null;
  outage_hours: number;
  /** English; `reasonText` is its keyed text (the report's `flow.texts.break_reason`). */
  reason: string;
  reasonText: Text;
  evidence: Evidence[];
  /** Judged on the content of a source without a clock (clockless.ts): no moment, no hours. */
  on_content?: boolean;
}

interface HourRow {
  hour: string;
  n: number;
  observed: number;
}


/**
 * The observed hours from the stage's first to its last event: its rate while it ran. A stage
 * that stops before the middle of the block would otherwise have a median of 0 and never stop.
 */
function runningSpan(observed: HourRow[]): HourRow[] {
  const first = observed.findIndex((r) => r.n > 0);
  if (first < 0) return observed;
  let last = observed.length - 1;
  while (observed[last].n === 0) last--;
  return observed.slice(first, last + 1);
}

function series(db: Database.Database, stage: string, classPrefix?: string): HourRow[] {
  const filter = classPrefix ? `AND (class = '' OR class LIKE '${classPrefix}%' OR class IN ('writer.trade_persisted', 'exec.saved_trade'))` : '';
  return db
    .prepare(
      `SELECT hour, SUM(n) AS n, MAX(observed) AS observed FROM flow_hourly WHERE stage = ? AND in_block = 1 AND hour <> 'outside' ${filter}
       GROUP BY hour ORDER BY hour`,
    )
    .all(stage) as HourRow[];
}

/**
 * Last event of a stage before the end of the first low hour, from the canonical table the stage
 * counts: a stage that stops part-way through an hour leaves that hour low, and its last events
 * in it are the last normal ones.
 */
function lastEventBefore(db: Database.Database, stage: string, hour: string): { ts: string; file_id: number; line_no: number } | null {
  const before = new Date(Date.parse(`${hour}:00:00.000Z`) + 3_600_000).toISOString();
  const sql: Record<string, string> = {
    market_data: 'SELECT ts, file_id, line_no FROM market_data WHERE ts < ? ORDER BY ts DESC LIMIT 1',
    signals: 'SELECT ts, file_id, line_no FROM signals WHERE ts < ? ORDER BY ts DESC LIMIT 1',
    risk_approved: "SELECT ts, file_id, line_no FROM risk_decisions WHERE decision = 'approved' AND ts < ? ORDER BY ts DESC LIMIT 1",
    orders: 'SELECT ts, file_id, line_no FROM orders WHERE ts < ? ORDER BY ts DESC LIMIT 1',
    fills: 'SELECT ts, file_id, line_no FROM trades WHERE ts < ? ORDER BY ts DESC LIMIT 1',
    persisted: "SELECT ts, file_id, line_no FROM trades WHERE source = 'db' AND ts < ? ORDER BY ts DESC LIMIT 1",
  };
  const r = db.prepare(sql[stage]).get(before) as { ts: string | null; file_id: number; line_no: number } | undefined;
  return r?.ts ? { ts: r.ts, file_id: r.file_id, line_no: r.line_no } : null;
}

/** A stage's name as the report's language says it. */
export function stageName(stage: StageId): Text {
  return text(`break.stage.${stage}`);
}

/** The reason in English and keyed. */
function said(t: Text): { reason: string; reasonText: Text } {
  return { reason: render('en', t), reasonText: t };
}

function isoSeconds(ts: string): string {
  return `${ts.slice(0, 19)}Z`;
}

/**
 * Where the flow broke: the stop in time, or — upstream of it, or where time shows none — a stage
 * that a source without a clock shows never worked. `evidenceOf` renders a (file, line) pointer
 * as the report does.
 */
export function breakInTime(
  db: Database.Database,
  evidenceOf: (fileId: number, line: number) => Evidence,
  cfg: BreakConfig = DEFAULT_BREAK,
): TimeBreak | null {
  const timed = breakInFlow(db, evidenceOf, cfg);
  const onContent = breakOnContent(db, evidenceOf);
  if (!onContent) return timed;
  if (!timed) return onContent;
  const order = (stage: string) => CHAIN.findIndex((c) => c.stage === stage);
  return order(onContent.stage) < order(timed.stage) ? onContent : timed;
}

/**
 * The first stage (in chain order) that a clockless source shows never worked, when no source
 * shows that stage working in the block: `break_at` null, the reason naming the lines.
 */
export function breakOnContent(db: Database.Database, evidenceOf: (fileId: number, line: number) => Evidence): TimeBreak | null {
  const verdicts = clocklessVerdicts(db);
  if (!verdicts.length) return null;
  const hasFlow = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'flow_hourly'").get() !== undefined;
  const inBlock = hasFlow ? db.prepare("SELECT COALESCE(SUM(n), 0) AS n FROM flow_hourly WHERE stage = ? AND in_block = 1 AND hour <> 'outside'") : null;
  for (const c of CHAIN) {
    const v = verdicts.find((x) => x.stage === c.stage);
    if (!v) continue;
    // Another source shows the stage working in the block: the clockless one is a part, not the whole.
    if (inBlock && (inBlock.get(c.stage) as { n: number }).n > 0) continue;
    const firstHour = hasFlow
      ? ((db.prepare("SELECT MIN(hour) AS h FROM flow_hourly WHERE in_block = 1 AND hour <> 'outside'").get() as { h: string | null }).h ?? '')
      : '';
    return {
      stage: c.stage, layer: c.layer, at: null, from_hour: firstHour, recovered_hour: null, outage_hours: 0, on_content: true,
      reason: v.reason,
      reasonText: v.reasonText,
      evidence: v.failures.slice(0, 4).map((f) => evidenceOf(f.file_id, f.line_no)),
    };
  }
  return null;
}

/**
 * The earliest stage that stopped while its upstream kept flowing (ties: the earlier stage in the
 * pipeline), or null.
 */
function breakInFlow(
  db: Database.Database,
  evidenceOf: (fileId: number, line: number) => Evidence,
  cfg: BreakConfig,
): TimeBreak | null {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'flow_hourly'").get()) return null;
  const found: (TimeBreak & { order: number })[] = [];
  type Upstream = { rows: Map<string, HourRow>; med: number };
  let upstream = null as Upstream | null;
  CHAIN.forEach((c, order) => {
    const rows = series(db, c.stage, c.classPrefix);
    const observed = rows.filter((r) => r.observed);
    const med = median(runningSpan(observed).map((r) => r.n));
    const up = upstream;
    upstream = { rows: new Map(rows.map((r) => [r.hour, r])), med };
    if (!observed.length) return;
    if (up) {
      const upTotal = [...up.rows.values()].filter((r) => r.observed).reduce((a, r) => a + r.n, 0);
      const total = observed.reduce((a, r) => a + r.n, 0);
      if (total === 0 && upTotal >= cfg.minExpected && up.med > 0) {
        found.push({
          order, stage: c.stage, layer: c.layer, at: null, from_hour: observed[0].hour, recovered_hour: null, outage_hours: observed.length,
          ...said(text('break.no_flow', { stage: stageName(c.stage), hours: observed.length, events: upTotal })), evidence: [],
        });
        return;
      }
    }
    scan(c, order, observed, rows, med, up);
  });

  function scan(c: (typeof CHAIN)[number], order: number, observed: HourRow[], rows: HourRow[], med: number, up: Upstream | null) {
    if (med <= 0 || observed.length < cfg.minHours) return;
    const need = Math.max(cfg.minHours, Math.ceil(cfg.minExpected / med));
    let run: HourRow[] = [];
    for (const r of rows) {
      const low = r.observed && r.n < cfg.stopFraction * med;
      const upOk = !up || ((up.rows.get(r.hour)?.observed ?? 0) === 1 && (up.rows.get(r.hour)?.n ?? 0) >= cfg.upstreamFraction * up.med);
      if (low && upOk) {
        run.push(r);
        continue;
      }
      if (run.length >= need) break;
      run = [];
    }
    if (run.length < need) return;
    const fromHour = run[0].hour;
    const idx = rows.findIndex((r) => r.hour === fromHour);
    const rec = rows.slice(idx + run.length).find((r) => r.observed && r.n >= cfg.upstreamFraction * med) ?? null;
    const outage = rec ? rows.slice(idx).findIndex((r) => r === rec) : rows.length - idx;
    const last = lastEventBefore(db, c.stage, fromHour);
    found.push({
      order, stage: c.stage, layer: c.layer, at: last ? isoSeconds(last.ts) : null, from_hour: fromHour, recovered_hour: rec?.hour ?? null, outage_hours: outage,
      ...said(
        text('break.stopped', {
          stage: stageName(c.stage),
          pct: Math.round(cfg.stopFraction * 100),
          median: med,
          hours: run.length,
          from: `${fromHour}:00:00Z`,
          upstream: up ? text('break.upstream_flowing') : '',
          recovery: rec ? text('break.back_at', { at: `${rec.hour}:00:00Z` }) : text('break.never_recovered'),
        }),
      ),
      evidence: last ? [evidenceOf(last.file_id, last.line_no)] : [],
    });
  }

  if (!found.length) return null;
  found.sort((a, b) => (a.from_hour < b.from_hour ? -1 : a.from_hour > b.from_hour ? 1 : a.order - b.order));
  const { order: _order, ...best } = found[0];
  return best;
}
