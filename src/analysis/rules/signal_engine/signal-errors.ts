import { defineRule, type Finding, type Hypothesis, type Likelihood, type Status, type Todo, type VerificationCheck } from '../../define-rule.js';
import { findLogs, groupCoverage, K, fieldOf, SIGNAL } from '../shared/logs.js';
import { count, fmt, groupBy, round, sampleEvidence, spanHours, worst, type Span } from '../shared/util.js';

type Kind = 'market_data' | 'publishing' | 'invalid_json' | 'main_loop';

const KINDS: { kind: Kind; classes: readonly string[]; subject: string }[] = [
  { kind: 'market_data', classes: K.mdError, subject: 'market-data-processing' },
  { kind: 'publishing', classes: K.publishError, subject: 'signal-publishing' },
  { kind: 'invalid_json', classes: K.invalidJson, subject: 'invalid-json' },
  { kind: 'main_loop', classes: K.mainLoopError, subject: 'main-loop' },
];

/** `'pct_change'` (a Python KeyError repr) or `KeyError: 'pct_change'` names the missing field. */
export function missingField(detail: string): string | null {
  const m = /^(?:KeyError:\s*)?'([A-Za-z_]\w*)'\s*$/.exec(detail.trim());
  return m ? m[1] : null;
}

/** Errors that repeat for this long, at about the tick rate, stop the flow rather than drop a message. */
const REPEAT_HOURS = 1;

export default defineRule({
  id: 'signal-errors',
  layer: 'signal_engine',
  title: 'Signal-engine exceptions per message',
  needs: ['signal-engine logs (cdb_core / cdb_signal)'],
  keyMetrics: ['market_data_errors', 'main_loop_errors'],
  check(ctx) {
    const cov = groupCoverage(ctx, SIGNAL);
    if (!cov) return { status: 'not_evaluable', missing: 'no signal-engine logs (cdb_core / cdb_signal) inside the block' };

    const rows = findLogs(ctx, { group: SIGNAL, classes: KINDS.flatMap((k) => k.classes) });
    const byKind = groupBy(rows, (r) => KINDS.find((x) => x.classes.includes(r.class ?? ''))!.kind);

    const metrics: Record<string, number | string | null> = {
      market_data_errors: byKind.get('market_data')?.length ?? 0,
      publishing_errors: byKind.get('publishing')?.length ?? 0,
      invalid_json_errors: byKind.get('invalid_json')?.length ?? 0,
      main_loop_errors: byKind.get('main_loop')?.length ?? 0,
      signal_log_hours: round(spanHours(cov)),
    };
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [];
    let status: Status = 'ok';

    const md = byKind.get('market_data') ?? [];
    if (md.length) {
      // Group by the error text: one message usually dominates (the same missing field every tick).
      const details = groupBy(md, (r) => (fieldOf(r, 'error') ?? '').split('\n')[0].trim());
      const [topDetail, topRows] = [...details.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0];
      const field = missingField(topDetail);
      const span: Span = { from: md[0].ts!, to: md[md.length - 1].ts! };
      const hours = spanHours(span);
      const ticks = count(ctx, 'SELECT COUNT(*) FROM market_data WHERE in_block = 1 AND ts >= ? AND ts <= ?', span.from, span.to);
      const ticksNoPct = count(ctx, 'SELECT COUNT(*) FROM market_data WHERE in_block = 1 AND ts >= ? AND ts <= ? AND pct_change IS NULL', span.from, span.to);
      const signalsInSpan =
        count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1 AND ts >= ? AND ts <= ?', span.from, span.to) +
        findLogs(ctx, { group: SIGNAL, span, classes: K.signalGenerated }).length;
      const perHour = hours > 0 ? md.length / hours : md.length;
      // At the tick rate: about one error per tick where ticks are known, else at least one a minute.
      const atTickRate = ticks > 0 ? md.length >= ticks * 0.5 : perHour >= 60;
      const repeating = md.length >= 10 && atTickRate && hours >= REPEAT_HOURS;
      const stops = repeating && signalsInSpan === 0;
      Object.assign(metrics, {
        market_data_error_top: topDetail,
        market_data_error_missing_field: field,
        market_data_errors_per_hour: round(perHour),
        ticks_in_error_span: ticks,
        signals_in_error_span: signalsInSpan,
      });
      status = worst(status, stops ? 'fail' : 'warn');
      findings.push({
        subject: field ? `market-data-processing:${field}` : 'market-data-processing',
        severity: stops ? 'critical' : repeating ? 'high' : 'medium',
        message: field
          ? `Every market-data message fails with a missing field '${field}': ${md.length} × \`Fehler bei Market-Data-Verarbeitung: '${field}'\` over ${fmt(hours, 1)} h (${fmt(perHour, 0)}/h), ${signalsInSpan} signals meanwhile.`
          : `${md.length} × \`Fehler bei Market-Data-Verarbeitung: ${topDetail}\` over ${fmt(hours, 1)} h (${fmt(perHour, 0)}/h), ${signalsInSpan} signals meanwhile.`,
        evidence: sampleEvidence(ctx, topRows),
      });
      const likelihood: Likelihood = md.length >= 100 && repeating ? 'very_likely' : md.length >= 10 ? 'likely' : 'possible';
      const hyEvidence = sampleEvidence(ctx, topRows);
      if (field) {
        if (ticksNoPct > 0 && field === 'pct_change') {
          const t = ctx.db
            .prepare('SELECT file_id, line_no, symbol, price, ts FROM market_data WHERE in_block = 1 AND ts >= ? AND ts <= ? AND pct_change IS NULL ORDER BY ts, id LIMIT 1')
            .get(span.from, span.to) as { file_id: number; line_no: number; symbol: string; price: number; ts: string };
          hyEvidence.push(ctx.evidence(t.file_id, t.line_no, `market_data ${t.symbol} @ ${t.price} without pct_change (${t.ts})`));
        }
        hypotheses.push({
          cause: 'signal.payload_missing_field',
          title: `market_data ticks lack the field '${field}' the signal engine reads`,
          likelihood,
          evidence: hyEvidence,
          why:
            `The engine raises a KeyError for '${field}' once per message, so no tick reaches the signal logic` +
            (field === 'pct_change'
              ? '. Era-B/C ticks carry no pct_change (the price buffer computes it); an era-A consumer fed B-style ticks fails like this.'
              : '.') +
            (ticksNoPct ? ` ${ticksNoPct} of ${ticks} captured ticks in the span have no pct_change.` : ''),
        });
        todos.push({
          category: 'CODE',
          title: `Let the signal engine handle ticks without '${field}' (compute it from a price buffer) or feed it ticks that carry the field`,
          priority: 'high',
          effort: 'larger',
          where: 'signal engine (cdb_core / cdb_signal) service.py, market-data handler; feed: cdb_ws payload',
          cause: 'signal.payload_missing_field',
        });
      } else {
        hypotheses.push({
          cause: 'signal.processing_exception',
          title: 'An exception in the signal engine drops market-data messages',
          likelihood,
          evidence: hyEvidence,
          why: `Most frequent error text: ${topDetail || '(empty)'}.`,
        });
        todos.push({
          category: 'CODE',
          title: 'Fix the exception in the signal engine market-data handler',
          priority: stops ? 'high' : 'medium',
          effort: 'larger',
          where: 'signal engine (cdb_core / cdb_signal) service.py, market-data handler',
          cause: 'signal.processing_exception',
        });
      }
      todos.push({
        category: 'MONITORING',
        title: 'Alert when the signal engine logs processing errors at the tick rate',
        priority: 'medium',
        effort: 'larger',
        where: 'monitoring: cdb_core / cdb_signal ERROR rate',
      });
      verification.push({
        id: 'no-market-data-errors',
        title: 'No market-data processing errors',
        kind: 'log',
        check: 'Fehler bei Market-Data-Verarbeitung',
        expect: { op: '==', value: 0 },
      });
    }

    const pub = byKind.get('publishing') ?? [];
    if (pub.length) {
      status = worst(status, 'warn');
      findings.push({
        subject: 'signal-publishing',
        severity: pub.length >= 10 ? 'high' : 'medium',
        message: `${pub.length} × \`Fehler beim Signal-Publishing\`: generated signals did not reach Redis.`,
        evidence: sampleEvidence(ctx, pub),
      });
      hypotheses.push({
        cause: 'signal.publish_error',
        title: 'Signals are generated but publishing them to Redis fails',
        likelihood: pub.length >= 10 ? 'likely' : 'possible',
        evidence: sampleEvidence(ctx, pub),
        why: (fieldOf(pub[0], 'error') ?? '').split('\n')[0],
      });
      verification.push({ id: 'no-publish-errors', title: 'No signal publishing errors', kind: 'log', check: 'Fehler beim Signal-Publishing', expect: { op: '==', value: 0 } });
    }
    const json = byKind.get('invalid_json') ?? [];
    if (json.length) {
      status = worst(status, 'warn');
      findings.push({
        subject: 'invalid-json',
        severity: json.length >= 10 ? 'medium' : 'low',
        message: `${json.length} × \`Ungültiges JSON\` in the signal engine: market-data messages it could not decode.`,
        evidence: sampleEvidence(ctx, json),
      });
      hypotheses.push({
        cause: 'signal.invalid_json',
        title: 'Market-data messages arrive in a format the signal engine cannot decode',
        likelihood: json.length >= 10 ? 'likely' : 'possible',
        evidence: sampleEvidence(ctx, json),
      });
    }
    const loop = byKind.get('main_loop') ?? [];
    if (loop.length) {
      status = worst(status, 'warn');
      findings.push({
        subject: 'main-loop',
        severity: loop.length >= 10 ? 'high' : 'medium',
        message: `${loop.length} × \`Fehler in Hauptschleife\` in the signal engine.`,
        evidence: sampleEvidence(ctx, loop),
      });
    }
    if (!rows.length) {
      findings.push({
        subject: 'no-errors',
        severity: 'info',
        message: `No signal-engine processing errors in ${fmt(spanHours(cov), 1)} h of signal-engine logs.`,
        evidence: [],
      });
    }
    return { status, metrics, findings, hypotheses, todos, verification };
  },
});
