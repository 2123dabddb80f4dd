import { defineRule, type Evidence, type Finding, type Hypothesis, type RuleContext, type Said, type Status } from '../../define-rule.js';
import { findLogs, groupCoverage, groupEdgeRecord, K, fieldOf, logEdges, RUNNER, SIGNAL, tallyLogs, type LogRow } from '../shared/logs.js';
import { channelCoverage, coveredHours, dumpedTable, SIGNAL_TABLES } from '../shared/sources.js';
import { blockHours, blockSpan, count, hull, intersect, round, sampleEvidence, spanHours, Tally, type Span } from '../shared/util.js';
import { text, type Text } from '../../../i18n/translate.js';
import { tickSpan } from '../shared/ticks.js';

/** Hours of overlap without a single signal that make "no signals" a stopped flow, not a lull. */
const FAIL_HOURS = 6;

interface MarketActivity {
  rows: number;
  span: Span | null;
  /** How many per-tick processing errors the engine logged (one per tick when it fails on every message). */
  errors: { n: number };
  runnerProgress: LogRow[];
  evidence: Evidence[];
}

/** Where market data demonstrably reached the pipeline, and when. */
function marketActivity(ctx: RuleContext): MarketActivity {
  const r = tickSpan(ctx);
  const mdSpan = r.n > 0 && r.f && r.t ? { from: r.f, to: r.t } : null;
  // Per-tick processing errors prove the engine consumed ticks; the runner's progress lines prove traffic on its channels.
  // Only their count and first and last: counted by SQLite, the edges read through the class index.
  const e = logEdges(ctx, { group: SIGNAL, classes: K.mdError }, 1, 1);
  const errors = { n: e.n, first: e.head[0] ?? null, last: e.tail.at(-1) ?? e.head.at(-1) ?? null };
  const runnerProgress = findLogs(ctx, { group: RUNNER, classes: K.runnerEventsLogged });
  const spanOf = (rows: LogRow[]): Span | null => (rows.length && rows[0].ts ? { from: rows[0].ts, to: rows[rows.length - 1].ts! } : null);
  const errorSpan: Span | null = errors.first?.ts ? { from: errors.first.ts, to: errors.last!.ts! } : null;
  const first = ctx.db
    .prepare('SELECT file_id, line_no, symbol, price, ts FROM market_data WHERE in_block = 1 ORDER BY ts, id LIMIT 1')
    .get() as { file_id: number; line_no: number; symbol: string; price: number; ts: string } | undefined;
  const evidence: Evidence[] = [];
  if (first) evidence.push(ctx.evidence(first.file_id, first.line_no, `market_data ${first.symbol} @ ${first.price} (${first.ts})`));
  evidence.push(...sampleEvidence(ctx, errors.first ? [errors.first] : [], 1, 0), ...sampleEvidence(ctx, runnerProgress, 1, 1));
  return { rows: r.n, span: hull(mdSpan, errorSpan, spanOf(runnerProgress)), errors, runnerProgress, evidence };
}

/**
 * Signals per market-data event, both counted over the window the market data covers: a
 * one-minute capture divided into a whole block's signals is no rate. Signals are counted from
 * the signals table (or the log lines when they count more), inside that window only.
 */
function conversion(ctx: RuleContext, rows: number, logLines: number): { pct: number | null; note: Text | null } {
  const s = tickSpan(ctx);
  const w = { f: s.f, t: s.t, n: s.timed };
  if (!w.n || !w.f || !w.t) return { pct: null, note: null };
  const inWin = (sql: string) => (ctx.db.prepare(sql).get(w.f, w.t) as { n: number }).n;
  const sig = Math.max(
    rows ? inWin('SELECT COUNT(*) AS n FROM signals WHERE in_block = 1 AND ts >= ? AND ts <= ?') : 0,
    logLines ? inWin(`SELECT COUNT(*) AS n FROM log_events WHERE class IN (SELECT value FROM json_each('${JSON.stringify(K.signalGenerated)}')) AND ts >= ? AND ts <= ?`) : 0,
  );
  const spanMin = Math.max(1, Math.round((Date.parse(w.t) - Date.parse(w.f)) / 60_000));
  const share = (Date.parse(w.t) - Date.parse(w.f)) / Math.max(1, Date.parse(ctx.block.to) - Date.parse(ctx.block.from));
  const note =
    share < 0.5
      ? text('signal-generation.note.sample_conversion', { signals: sig, events: w.n, span: spanMin * 60 })
      : text('signal-generation.note.conversion', { signals: sig, events: w.n });
  return { pct: round((sig / w.n) * 100, 4), note };
}

export default defineRule({
  id: 'signal-generation',
  layer: 'signal_engine',
  title: 'Market data in, signals out',
  needs: ['signals (DB dump, Redis signals channel or signal-engine logs)', 'market_data or signal-engine / paper-runner logs'],
  keyMetrics: ['signals_total', 'signals_per_day', 'conversion_rate_pct'],
  check(ctx) {
    const signals = count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1');
    const generated = tallyLogs(ctx, { group: SIGNAL, classes: K.signalGenerated });
    const observed = Math.max(signals, generated.count);

    const dump = dumpedTable(ctx, SIGNAL_TABLES);
    const logCov = groupCoverage(ctx, SIGNAL);
    const redisCov = channelCoverage(ctx, ['signals', 'trading_signals']);
    const block = blockSpan(ctx);
    const spans: Span[] = [];
    if (dump) spans.push(block);
    if (logCov) spans.push(logCov);
    spans.push(...redisCov.spans);
    const covHours = Math.min(blockHours(ctx), coveredHours(spans.map((s) => intersect(s, block)).filter((s): s is Span => !!s)));
    const coverage = hull(...spans);

    const md = marketActivity(ctx);
    const conv = conversion(ctx, signals, generated.count);
    const days = dump ? ctx.block.days.length : covHours / 24;
    const perDay = days > 0 ? observed / days : null;
    const perHour = covHours > 0 ? observed / covHours : null;

    const metrics: Record<string, number | string | null> = {
      market_data_events: md.rows,
      signals_total: signals,
      signal_log_lines: generated.count,
      signals_per_day: round(perDay),
      signals_per_hour: round(perHour),
      conversion_rate_pct: conv.pct,
      signal_coverage_hours: round(covHours),
      market_activity_hours: round(spanHours(md.span)),
      signal_sources: [dump ? `dump:${dump}` : null, logCov ? 'logs' : null, redisCov.spans.length ? 'redis' : null].filter(Boolean).join(',') || null,
    };
    const verification = [
      {
        id: 'signals-total',
        title: text('signal-generation.check.signals_total'),
        kind: 'sql' as const,
        check: 'SELECT COUNT(*) FROM trading_signals WHERE in_block = 1',
        expect: { op: '>=' as const, value: ctx.targets.signals_total },
      },
      { id: 'signals-logged', title: text('signal-generation.check.signals_logged'), kind: 'log' as const, check: 'Signal generiert', expect: { op: '>' as const, value: 0 } },
    ];

    const metricNotes: Record<string, Said> = {
      market_data_events: text('signal-generation.note.market_data', { n: md.rows }),
      signals_total: text('signal-generation.note.signals'),
      signal_log_lines: text('signal-generation.note.signal_log_lines'),
    };
    if (conv.note) metricNotes.conversion_rate_pct = conv.note;
    if (observed === 0 && spans.length === 0) {
      return {
        status: 'not_evaluable',
        missing: text('signal-generation.missing'),
        metrics,
        metricNotes,
      };
    }

    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    let status: Status = 'ok';

    if (observed === 0) {
      const mdFlows = md.rows > 0 || md.errors.n > 0 || md.runnerProgress.length > 0;
      const aliveEvidence = aliveLines(ctx);
      if (!mdFlows) {
        status = 'warn';
        findings.push({
          subject: 'no-input',
          severity: 'high',
          message: text('signal-generation.no_input', { hours: covHours }),
          evidence: aliveEvidence,
        });
      } else {
        const overlap = md.span && coverage ? intersect(md.span, coverage) : null;
        const overlapHours = spanHours(overlap);
        const long = overlapHours >= Math.min(FAIL_HOURS, blockHours(ctx) / 2);
        status = long ? 'fail' : 'warn';
        findings.push({
          subject: 'no-signals',
          severity: long ? 'critical' : 'medium',
          message: long
            ? text('signal-generation.no_signals', {
                ticks: md.rows,
                errors: md.errors.n ? text('signal-generation.no_signals.errors', { n: md.errors.n }) : '',
                hours: overlapHours,
              })
            : text('signal-generation.lull', { hours: overlapHours }),
          evidence: [...md.evidence, ...aliveEvidence].slice(0, 5),
        });
        if (long && md.errors.n === 0) {
          hypotheses.push({
            cause: 'signal.filter_drops_all',
            title: text('signal-generation.hyp.filter_drops_all'),
            likelihood: 'possible',
            evidence: [...md.evidence, ...aliveEvidence].slice(0, 4),
            why: text('signal-generation.why.filter_drops_all'),
          });
        }
      }
    } else {
      const coversBlock = !!dump || (logCov?.fraction ?? 0) >= 0.9;
      const lowRate = perDay != null && perDay < ctx.targets.signals_per_day;
      const lowTotal = coversBlock && observed < ctx.targets.signals_total;
      // Each risk decision is of a signal: more decisions than signals prove the signal source short,
      // and a short source grades nothing low (the flow reports the stage as "at least" the decisions).
      const decided = count(ctx, 'SELECT COUNT(*) FROM risk_decisions WHERE in_block = 1');
      if ((lowRate || lowTotal) && decided > observed) {
        metrics.signals_at_least = decided;
        findings.push({
          subject: 'signals-bounded',
          severity: 'info',
          message: text('signal-generation.bounded', { observed, decided }),
          evidence: sampleEvidence(ctx, signalRows(ctx, generated)),
        });
      } else if (lowRate || lowTotal) {
        status = 'warn';
        findings.push({
          subject: 'below-target',
          severity: 'medium',
          message: text('signal-generation.below_target', {
            n: observed,
            per_day: perDay ?? Number.NaN,
            per_hour: perHour ?? Number.NaN,
            target_total: ctx.targets.signals_total,
            target_day: ctx.targets.signals_per_day,
          }),
          evidence: sampleEvidence(ctx, signalRows(ctx, generated)),
        });
      } else {
        findings.push({
          subject: 'signals',
          severity: 'info',
          message: text('signal-generation.signals', { n: observed, per_day: perDay ?? Number.NaN, events: md.rows }),
          evidence: sampleEvidence(ctx, signalRows(ctx, generated)),
        });
      }
    }
    return { status, metrics, metricNotes, findings, hypotheses, verification };
  },
});

/** First and last record of the signal engine in the block (health polls included): it was alive and captured. */
function aliveLines(ctx: RuleContext): Evidence[] {
  const q = (dir: 'ASC' | 'DESC') => groupEdgeRecord(ctx, SIGNAL, dir);
  const out: Evidence[] = [];
  const a = q('ASC');
  const b = q('DESC');
  if (a) out.push(ctx.evidence(a.file_id, a.line_no));
  if (b && (!a || b.file_id !== a.file_id || b.line_no !== a.line_no)) out.push(ctx.evidence(b.file_id, b.line_no));
  return out;
}

/** A few generated-signal lines (or signal rows) for evidence: the first two and the last, as sampleEvidence takes them. */
function signalRows(ctx: RuleContext, generated: Tally<LogRow>): { file_id: number | null; line_no: number | null; text?: string }[] {
  if (generated.count) return generated.sample;
  const t = new Tally<{ file_id: number; line_no: number; text: string }>();
  for (const r of ctx.db
    .prepare('SELECT file_id, line_no, ts, symbol, side, price, source FROM signals WHERE in_block = 1 ORDER BY ts, id')
    .iterate() as Iterable<{ file_id: number; line_no: number; ts: string; symbol: string; side: string; price: number; source: string }>) {
    t.add({ file_id: r.file_id, line_no: r.line_no, text: `signal ${r.symbol} ${r.side ?? ''} @ ${r.price ?? '?'} (${r.ts}, ${r.source})` });
  }
  return t.sample;
}
