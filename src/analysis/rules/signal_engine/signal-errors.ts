import { defineRule, type Finding, type Hypothesis, type Likelihood, type Status, type Todo, type VerificationCheck } from '../../define-rule.js';
import { countLogs, fieldMemo, fieldOf, groupCoverage, K, scanLogs, SIGNAL, type LogRow } from '../shared/logs.js';
import { RowDigest } from '../shared/row-digest.js';
import { count, round, sampleEvidence, spanHours, worst, type Span } from '../shared/util.js';
import { text } from '../../../i18n/translate.js';

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

/** The engine's own error lines (German, as it prints them): quoted in the findings, never translated. */
const MD_ERROR = 'Fehler bei Market-Data-Verarbeitung';
const PUBLISH_ERROR = 'Fehler beim Signal-Publishing';
const INVALID_JSON = 'Ungültiges JSON';
const MAIN_LOOP_ERROR = 'Fehler in Hauptschleife';

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
    if (!cov) return { status: 'not_evaluable', missing: text('signal-errors.missing') };

    // Digested as read: an engine failing on every tick logs one error per tick, a million in a block.
    const byKind = new Map<Kind, RowDigest<LogRow>>();
    // Market-data errors by their error text: one usually dominates (the same missing field every tick).
    const details = new Map<string, RowDigest<LogRow>>();
    let total = 0;
    const errorOf = fieldMemo('error');
    scanLogs(ctx, { group: SIGNAL, classes: KINDS.flatMap((k) => k.classes) }, (r) => {
      total++;
      const kind = KINDS.find((x) => x.classes.includes(r.class ?? ''))!.kind;
      let d = byKind.get(kind);
      if (!d) byKind.set(kind, (d = new RowDigest<LogRow>()));
      d.add(r);
      if (kind === 'market_data') {
        const detail = (errorOf(r) ?? '').split('\n')[0].trim();
        let g = details.get(detail);
        if (!g) details.set(detail, (g = new RowDigest<LogRow>()));
        g.add(r);
      }
    });

    const metrics: Record<string, number | string | null> = {
      market_data_errors: byKind.get('market_data')?.n ?? 0,
      publishing_errors: byKind.get('publishing')?.n ?? 0,
      invalid_json_errors: byKind.get('invalid_json')?.n ?? 0,
      main_loop_errors: byKind.get('main_loop')?.n ?? 0,
      signal_log_hours: round(spanHours(cov)),
    };
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [];
    let status: Status = 'ok';

    const md = byKind.get('market_data');
    if (md) {
      const [topDetail, topDigest] = [...details.entries()].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))[0];
      const topRows = topDigest.view();
      const field = missingField(topDetail);
      const span: Span = { from: md.first!.ts!, to: md.last!.ts! };
      const hours = spanHours(span);
      const ticks = count(ctx, 'SELECT COUNT(*) FROM market_data WHERE in_block = 1 AND ts >= ? AND ts <= ?', span.from, span.to);
      const ticksNoPct = count(ctx, 'SELECT COUNT(*) FROM market_data WHERE in_block = 1 AND ts >= ? AND ts <= ? AND pct_change IS NULL', span.from, span.to);
      const signalsInSpan =
        count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1 AND ts >= ? AND ts <= ?', span.from, span.to) +
        countLogs(ctx, { group: SIGNAL, span, classes: K.signalGenerated });
      const perHour = hours > 0 ? md.n / hours : md.n;
      // At the tick rate: about one error per tick where ticks are known, else at least one a minute.
      const atTickRate = ticks > 0 ? md.n >= ticks * 0.5 : perHour >= 60;
      const repeating = md.n >= 10 && atTickRate && hours >= REPEAT_HOURS;
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
          ? text('signal-errors.md_field', { field, n: md.n, line: `${MD_ERROR}: '${field}'`, hours, per_hour: perHour, signals: signalsInSpan })
          : text('signal-errors.md_other', { n: md.n, line: `${MD_ERROR}: ${topDetail}`, hours, per_hour: perHour, signals: signalsInSpan }),
        evidence: sampleEvidence(ctx, topRows),
      });
      const likelihood: Likelihood = md.n >= 100 && repeating ? 'very_likely' : md.n >= 10 ? 'likely' : 'possible';
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
          title: text('signal-errors.hyp.payload_missing_field', { field }),
          likelihood,
          evidence: hyEvidence,
          why: text(field === 'pct_change' ? 'signal-errors.why.payload_missing_pct_change' : 'signal-errors.why.payload_missing_field', {
            field,
            share: ticksNoPct ? text('signal-errors.why.share', { without: ticksNoPct, ticks }) : '',
          }),
        });
        todos.push({
          category: 'CODE',
          title: text('signal-errors.todo.handle_missing', { field }),
          priority: 'high',
          effort: 'larger',
          where: 'signal engine (cdb_core / cdb_signal) service.py, market-data handler; feed: cdb_ws payload',
          cause: 'signal.payload_missing_field',
        });
      } else {
        hypotheses.push({
          cause: 'signal.processing_exception',
          title: text('signal-errors.hyp.processing_exception'),
          likelihood,
          evidence: hyEvidence,
          // The error text as the engine wrote it (quoted evidence).
          why: text('signal-errors.why.processing_exception', { detail: topDetail || text('signal-errors.empty') }),
        });
        todos.push({
          category: 'CODE',
          title: text('signal-errors.todo.fix_exception'),
          priority: stops ? 'high' : 'medium',
          effort: 'larger',
          where: 'signal engine (cdb_core / cdb_signal) service.py, market-data handler',
          cause: 'signal.processing_exception',
        });
      }
      todos.push({
        category: 'MONITORING',
        title: text('signal-errors.todo.alert'),
        priority: 'medium',
        effort: 'larger',
        where: 'monitoring: cdb_core / cdb_signal ERROR rate',
      });
      verification.push({
        id: 'no-market-data-errors',
        title: text('signal-errors.check.no_market_data_errors'),
        kind: 'log',
        check: MD_ERROR,
        expect: { op: '==', value: 0 },
      });
    }

    const pubs = byKind.get('publishing');
    if (pubs) {
      const pub = pubs.view();
      status = worst(status, 'warn');
      findings.push({
        subject: 'signal-publishing',
        severity: pubs.n >= 10 ? 'high' : 'medium',
        message: text('signal-errors.publishing', { n: pubs.n, line: PUBLISH_ERROR }),
        evidence: sampleEvidence(ctx, pub),
      });
      hypotheses.push({
        cause: 'signal.publish_error',
        title: text('signal-errors.hyp.publish_error'),
        likelihood: pubs.n >= 10 ? 'likely' : 'possible',
        evidence: sampleEvidence(ctx, pub),
        // The library's error text, quoted as logged.
        why: (fieldOf(pub[0], 'error') ?? '').split('\n')[0],
      });
      verification.push({ id: 'no-publish-errors', title: text('signal-errors.check.no_publish_errors'), kind: 'log', check: PUBLISH_ERROR, expect: { op: '==', value: 0 } });
    }
    const jsons = byKind.get('invalid_json');
    if (jsons) {
      const json = jsons.view();
      status = worst(status, 'warn');
      findings.push({
        subject: 'invalid-json',
        severity: jsons.n >= 10 ? 'medium' : 'low',
        message: text('signal-errors.invalid_json', { n: jsons.n, line: INVALID_JSON }),
        evidence: sampleEvidence(ctx, json),
      });
      hypotheses.push({
        cause: 'signal.invalid_json',
        title: text('signal-errors.hyp.invalid_json'),
        likelihood: jsons.n >= 10 ? 'likely' : 'possible',
        evidence: sampleEvidence(ctx, json),
      });
    }
    const loops = byKind.get('main_loop');
    if (loops) {
      const loop = loops.view();
      status = worst(status, 'warn');
      findings.push({
        subject: 'main-loop',
        severity: loops.n >= 10 ? 'high' : 'medium',
        message: text('signal-errors.main_loop', { n: loops.n, line: MAIN_LOOP_ERROR }),
        evidence: sampleEvidence(ctx, loop),
      });
    }
    if (!total) {
      findings.push({
        subject: 'no-errors',
        severity: 'info',
        message: text('signal-errors.none', { hours: spanHours(cov) }),
        evidence: [],
      });
    }
    return { status, metrics, findings, hypotheses, todos, verification };
  },
});
