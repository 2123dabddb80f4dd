import { classes, patternOf } from '../../../catalog/index.js';
import { clocklessVerdicts } from '../../clockless.js';
import { hostNamed, reviewConnectionTodo, reviewWsUrlTodo } from '../shared/contradicted-todos.js';
import { RowDigest } from '../shared/row-digest.js';
import { memoByText } from '../shared/text-memo.js';
import { TextDigest, type LogDigest } from '../shared/text-digest.js';
import { fieldOf } from '../shared/logs.js';
import { blockSpansSql } from '../../../model/market-minutes.js';
import { defineRule, type RuleResult, type Evidence, type Finding, type Hypothesis, type Said, type Todo, type VerificationCheck } from '../../define-rule.js';
import {
  blockMs, codePath, composeFile, count, covers, eachLog, findLogs, likelihoodFromScore, effectiveSetting, spreadEvidence, type LogRow,
} from '../../rule-kit.js';
import { captureText, snapshotOf } from '../../snapshots.js';
import { text, type Text } from '../../../i18n/translate.js';
import { firstBlockTick, tickFields, tickSpan } from '../shared/ticks.js';

/** Lines that say the feed publishes nothing (formats doc §3.1, §3.2, §2.5, §9). */
const STUB = classes('feed.stub_mode', 'feed.mode');
const NO_KLINES = classes('feed.no_data_yet');
const NOT_PUBLISHED = classes('feed.redis_unavailable_a', 'feed.will_not_publish', 'feed.publish_error', 'feed.publish_error_a', 'feed.dropping_trade');
/** The same lines as a pattern, for a verification check run on the next block. */
const NOT_PUBLISHED_RE = patternOf(...NOT_PUBLISHED);
const WS_SERVICES = ['cdb_ws', 'cdb_market', 'cdb_market_eth'];
/** `Noch keine Daten` lines a healthy feed prints while it waits for its first klines at start-up. */
const KLINES_AT_START = 60;

interface Span {
  file_id: number;
  source: string | null;
  f: string;
  t: string;
  n: number;
}

/** The `noKlines` line as the feed prints it (quoted, never translated). */
const NO_KLINES_TEXT = 'Noch keine Daten – warte auf Klines';

function sourcesOf(spans: Span[]): string {
  return [...new Set(spans.map((x) => x.source))].sort().join('+');
}

function sampleNote(spans: Span[], spanMs: number, coverage: number): Text {
  const sources = sourcesOf(spans);
  const pct = Math.round(coverage * 1000) / 10;
  return spanMs < 1000
    ? text('market-data-flow.note.sample_untimed', { sources, coverage: pct })
    : text('market-data-flow.note.sample', { sources, span: spanMs / 1000, coverage: pct });
}

/** Reasons joined as one sentence (`a; b; c`): nested, so each keeps its own key and language. */
function joined(parts: Said[]): Said {
  return parts.reduce((first, next) => text('market-data-flow.why.then', { first, next }));
}

export default defineRule({
  id: 'market-data-flow',
  layer: 'market_data',
  title: 'Market data reaches Redis: events per minute, symbols, a sample — or why nothing is published',
  needs: ['a market_data capture (SUBSCRIBE / MONITOR / paper-runner events JSONL) or cdb_ws logs', 'or a signals table to infer from'],
  keyMetrics: ['events', 'events_per_min', 'capture_coverage_pct'],
  check(ctx): RuleResult {
    const L = blockMs(ctx);
    const n = tickSpan(ctx).n;
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [
      {
        id: 'market_data.events',
        title: text('market-data-flow.check.events', { target: ctx.targets.market_data_events }),
        kind: 'sql',
        check: 'SELECT COUNT(*) FROM market_data WHERE in_block = 1',
        expect: { op: '>', value: ctx.targets.market_data_events },
      },
    ];
    const era = ctx.block.era;

    if (n > 0) {
      const symbols = tickFields(ctx).symbols;
      // A capture's span is the time it listened, seen through all its messages, not only market data.
      const spans = ctx.db
        .prepare(
          // Each file's ticks in the block from the model's per-minute rollup, not every tick.
          `SELECT m.file_id AS file_id, m.source AS source,
                  MIN(m.f, COALESCE((SELECT MIN(r.ts) FROM redis_messages r WHERE r.file_id = m.file_id AND r.in_block = 1), m.f)) AS f,
                  MAX(m.t, COALESCE((SELECT MAX(r.ts) FROM redis_messages r WHERE r.file_id = m.file_id AND r.in_block = 1), m.t)) AS t,
                  m.n AS n
           FROM ${blockSpansSql(ctx.db)} m ORDER BY m.file_id`,
        )
        .all() as Span[];
      const spanMs = spans.reduce((a, s) => a + Math.max(0, Date.parse(s.t) - Date.parse(s.f)), 0);
      const timedN = spans.reduce((a, s) => a + s.n, 0);
      const perMin = spanMs >= 1000 ? Math.round((timedN / (spanMs / 60_000)) * 10) / 10 : null;
      const sample = firstBlockTick(ctx.db, 'file_id, line_no, ts, symbol, price, source', tickSpan(ctx)) as {
        file_id: number;
        line_no: number;
        ts: string | null;
        symbol: string;
        price: number | null;
        source: string;
      };
      const payload = ctx.db.prepare('SELECT payload FROM redis_messages WHERE file_id = ? AND line_no = ? LIMIT 1').get(sample.file_id, sample.line_no) as { payload: string | null } | undefined;
      const sampleEv = ctx.evidence(sample.file_id, sample.line_no, payload?.payload ?? undefined);
      const coverage = spanMs / L;
      findings.push({
        subject: 'flow',
        severity: 'info',
        message: text('market-data-flow.flow', {
          n,
          symbols,
          rate: perMin !== null ? text('market-data-flow.flow.rate', { per_min: perMin, span: spanMs / 1000 }) : '',
          partial: coverage < 0.5 ? text('market-data-flow.flow.partial', { span: spanMs / 1000, block: L / 1000 }) : '',
          symbol: sample.symbol,
          price: sample.price ?? Number.NaN,
          when: sample.ts ? text('market-data-flow.flow.at', { at: sample.ts }) : text('market-data-flow.flow.at_unknown'),
        }),
        evidence: [sampleEv],
      });
      return {
        status: 'ok',
        metrics: { events: n, distinct_symbols: symbols, events_per_min: perMin, capture_minutes: Math.round(spanMs / 60_000), capture_coverage_pct: Math.round(coverage * 1000) / 10 },
        // A Redis capture over less than half the block is a sample: its total is no block volume.
        // (A log that stops showing ticks is the incident itself, not a sample.)
        metricNotes:
          coverage < 0.5 && spans.every((x) => x.source !== 'log' && x.source !== 'db')
            ? { events: sampleNote(spans, spanMs, coverage), events_per_min: text('market-data-flow.note.rate', { span: spanMs / 1000 }) }
            : { events: text('market-data-flow.note.source', { sources: sourcesOf(spans) }) },
        findings,
        verification,
      };
    }

    // --- no market data in the block: find out whether that is a finding or a gap in the evidence
    const signals = count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1');
    const signalSource = (ctx.db.prepare("SELECT value FROM block WHERE key = 'source.signals'").get() as { value: string | null } | undefined)?.value ?? null;
    const stub = findLogs(ctx, { classes: STUB }).filter((r) => r.class === 'feed.stub_mode' || (fieldOf(r, 'mode') ?? '').toLowerCase() === 'stub');
    const wsSource = effectiveSetting(ctx, 'WS_SOURCE', WS_SERVICES);
    const wsSourceStub = wsSource && (wsSource.value ?? '').trim().toLowerCase() === 'stub' ? [wsSource] : [];
    // A feed that never gets its klines says so on every loop: digested, not held.
    const noKlines = new RowDigest<LogRow>();
    eachLog(ctx, { classes: NO_KLINES }, (r) => noKlines.add(r));
    // A feed that drops every trade while Redis is away logs one line per tick, of one text: SQLite
    // counts the texts and finds the edges (TextDigest). Era A's `dropping trade` lines carry the
    // trade, so their texts differ: those are read and digested, not held.
    const hostOf = memoByText((m) => hostNamed(m));
    const byText = TextDigest.of(ctx, { classes: NOT_PUBLISHED }, hostOf);
    let notPublished: LogDigest;
    const notPublishedBy = new Set<string>();
    if (byText) {
      notPublished = byText;
      for (const s of byText.services) notPublishedBy.add(s ?? 'cdb_ws');
    } else {
      const rows = new RowDigest<LogRow>((r) => hostOf(r.message));
      eachLog(ctx, { classes: NOT_PUBLISHED }, (r) => {
        rows.add(r);
        notPublishedBy.add(r.service ?? 'cdb_ws');
      });
      notPublished = rows;
    }
    const listeners = ctx.db
      .prepare(
        `SELECT file_id, MIN(source) AS source, MIN(ts) AS f, MAX(ts) AS t, COUNT(*) AS n FROM redis_messages
         WHERE in_block = 1 AND ts IS NOT NULL AND source IN ('monitor', 'jsonl') GROUP BY file_id ORDER BY file_id`,
      )
      .all() as Span[];
    const listenedMs = listeners.reduce((a, s) => a + Math.max(0, Date.parse(s.t) - Date.parse(s.f)), 0);
    const eventsZero = ctx.db
      .prepare(
        `SELECT file_id, line_no, value_text FROM daily_report_values WHERE key = 'Events Logged' AND value_num = 0
         AND (report_date IS NULL OR report_date BETWEEN ? AND ?) ORDER BY file_id, line_no`,
      )
      .all(ctx.block.days[0] ?? '', ctx.block.days[ctx.block.days.length - 1] ?? '') as { file_id: number; line_no: number; value_text: string }[];
    const wsLogged = WS_SERVICES.some((s) => ctx.logCoverage(s) !== null);
    const wsUp = ctx.db
      .prepare(`SELECT file_id FROM containers WHERE COALESCE(service, name) IN ('cdb_ws', 'cdb_market') AND (state = 'running' OR status LIKE 'Up%') ORDER BY file_id, line_no LIMIT 1`)
      .get() as { file_id: number } | undefined;
    const wsAlive = wsLogged || !!wsUp;
    // A compose ps is the state at its capture time: "running" at collection is not "running in the block".
    const wsUpAt = !wsLogged && wsUp ? captureText(snapshotOf(ctx.db, ctx.block, wsUp.file_id), ctx.block) : null;
    // A capture after the block: the state at collection, never block activity, but it says whether the feed publishes now.
    const afterCap = ctx.db
      .prepare('SELECT file_id, COUNT(*) AS n FROM market_data WHERE in_block = 0 AND ts > ? GROUP BY file_id ORDER BY MAX(ts) DESC, file_id LIMIT 1')
      .get(ctx.block.to) as { file_id: number; n: number } | undefined;

    if (signals > 0) {
      return {
        status: 'ok',
        metrics: { events: null, distinct_symbols: null, events_per_min: null, inferred_from_signals: signals },
        findings: [
          {
            subject: 'flow',
            severity: 'info',
            message: text('market-data-flow.inferred', { signals }),
            evidence: [],
          },
        ],
        verification,
      };
    }

    const hasAnything =
      stub.length + noKlines.n + notPublished.n + wsSourceStub.length + listeners.length + eventsZero.length > 0 ||
      WS_SERVICES.some((s) => ctx.logCoverage(s) !== null) ||
      (signalSource !== null && signalSource !== 'none');
    if (!hasAnything) {
      return {
        status: 'not_evaluable',
        missing: text('market-data-flow.missing'),
      };
    }

    const noKlinesSpan = noKlines.n > 1 && noKlines.first!.ts && noKlines.last!.ts ? Date.parse(noKlines.last!.ts) - Date.parse(noKlines.first!.ts) : 0;
    // A feed log without a clock cannot span the block, but its content can prove the feed never delivered.
    const onContent = clocklessVerdicts(ctx.db).find((v) => v.stage === 'market_data') ?? null;
    const strong =
      stub.length > 0 || notPublished.n > 0 || eventsZero.length > 0 || listenedMs >= L * 0.5 || (noKlines.n >= 3 && noKlinesSpan >= L * 0.5) || onContent !== null;
    const ev = (rows: LogRow[]) => spreadEvidence(ctx, rows, 2);
    const base: Evidence[] = [];
    if (listeners.length) {
      const l = listeners[0];
      base.push(ctx.evidence(l.file_id, 0, text('market-data-flow.evidence.capture_none', { source: l.source, n: l.n, from: l.f, to: l.t })));
    }
    for (const e of eventsZero.slice(0, 1)) base.push(ctx.evidence(e.file_id, e.line_no, `Events Logged: ${e.value_text}`));

    const why: Said[] = [];
    if (stub.length) why.push(text('market-data-flow.why.stub', { n: stub.length }));
    if (wsSourceStub.length) why.push(text('market-data-flow.why.ws_source_stub'));
    if (notPublished.n) why.push(text('market-data-flow.why.not_published', { n: notPublished.n }));
    if (noKlines.n) why.push(text('market-data-flow.why.no_klines', { line: NO_KLINES_TEXT, n: noKlines.n }));
    if (listeners.length) why.push(text('market-data-flow.why.listeners', { sources: listeners.map((l) => l.source).join('/'), span: listenedMs / 1000 }));
    if (eventsZero.length) why.push(text('market-data-flow.why.events_zero'));
    if (onContent) why.push(onContent.reasonText);
    if (!why.length) why.push(text('market-data-flow.why.nothing'));
    if (afterCap) {
      const at = captureText(snapshotOf(ctx.db, ctx.block, afterCap.file_id), ctx.block) ?? text('market-data-flow.at_collection');
      why.push(text('market-data-flow.why.after_block', { at, n: afterCap.n }));
    }

    findings.push({
      subject: 'no-market-data',
      severity: strong ? 'critical' : 'medium',
      message: text('market-data-flow.none', {
        while_up: wsAlive ? text('market-data-flow.none.while_up', { at: wsUpAt ? text('market-data-flow.none.while_up_at', { at: wsUpAt }) : '' }) : '',
        why: joined(why),
      }),
      evidence: [...ev(stub), ...notPublished.spread(ctx, 2), ...noKlines.spread(ctx, 2), ...base, ...wsSourceStub.slice(0, 1).map((s) => ctx.evidence(s.file_id, s.line_no, `${s.key}=${s.value ?? ''}`))],
    });

    // --- hypotheses: each independent piece of evidence adds strength
    const stubScore = (stub.length ? 3 : 0) + (wsSourceStub.length && era !== 'A' ? 2 : 0);
    if (stubScore > 0) {
      hypotheses.push({
        cause: 'market_data.stub_mode',
        title: text('market-data-flow.hyp.stub_mode'),
        likelihood: likelihoodFromScore(stubScore + 1)!,
        evidence: [...ev(stub), ...wsSourceStub.slice(0, 2).map((s) => ctx.evidence(s.file_id, s.line_no, `${s.key}=${s.value ?? ''}`))],
      });
      todos.push({
        category: 'CONFIG', title: text('market-data-flow.todo.ws_source'), priority: 'high', effort: 'quick_win',
        where: `${composeFile(era === 'A' ? 'B' : era)} cdb_ws environment WS_SOURCE`, cause: 'market_data.stub_mode',
      });
      verification.push({ id: 'market_data.no_stub', title: text('market-data-flow.check.no_stub'), kind: 'log', check: 'STUB mode', expect: { op: '==', value: 0 } });
    }
    if (notPublished.n) {
      hypotheses.push({
        cause: 'market_data.redis_publish_failed',
        title: text('market-data-flow.hyp.redis_publish_failed'),
        likelihood: likelihoodFromScore(3 + (notPublished.n >= 3 ? 1 : 0))!,
        evidence: notPublished.spread(ctx, 2),
      });
      const todo = reviewConnectionTodo(
        ctx,
        {
          category: 'CONFIG', title: text('market-data-flow.todo.redis_connection'), priority: 'high', effort: 'quick_win',
          where: era === 'A' ? '.env REDIS_HOST / REDIS_PASSWORD (env_file of cdb_ws)' : `${composeFile(era)} cdb_ws environment REDIS_HOST, secret redis_password`,
          cause: 'market_data.redis_publish_failed',
        },
        // Sorted: the same list whichever way the records were counted.
        { dependency: 'redis', services: [...notPublishedBy].sort(), failing: notPublished.representatives(), asserts: 'connection' },
      );
      todos.push(todo);
      verification.push({ id: 'market_data.published', title: text('market-data-flow.check.published'), kind: 'log', check: NOT_PUBLISHED_RE.source, expect: { op: '==', value: 0 } });
    }
    if (noKlines.n) {
      const s = 1 + (noKlines.n >= 3 ? 1 : 0) + (noKlinesSpan >= L * 0.5 || onContent ? 1 : 0) + (covers(ctx, 'cdb_ws') ? 1 : 0);
      hypotheses.push({
        cause: 'market_data.no_klines',
        title: text('market-data-flow.hyp.no_klines'),
        likelihood: likelihoodFromScore(s)!,
        evidence: noKlines.spread(ctx, 2),
      });
      todos.push(
        reviewWsUrlTodo(ctx, {
          category: 'CONFIG', title: text('market-data-flow.todo.ws_url'), priority: 'high', effort: 'quick_win',
          where: '.env MEXC_WS_URL', cause: 'market_data.no_klines',
        }),
      );
      verification.push({ id: 'market_data.klines', title: text('market-data-flow.check.klines', { max: KLINES_AT_START }), kind: 'log', check: 'Noch keine Daten', expect: { op: '<=', value: KLINES_AT_START } });
    }
    const silentScore = (listenedMs >= L * 0.5 ? 2 : listeners.length ? 1 : 0) + (eventsZero.length ? 1 : 0) + (wsAlive ? 1 : 0);
    if (silentScore >= 2 || (!stubScore && !notPublished.n && !noKlines.n)) {
      hypotheses.push({
        cause: 'market_data.feed_silent',
        title: text('market-data-flow.hyp.feed_silent'),
        likelihood: likelihoodFromScore(Math.max(1, silentScore))!,
        evidence: base,
      });
    }
    todos.push({
      category: 'MONITORING', title: text('market-data-flow.todo.health'), priority: 'medium', effort: 'larger',
      where: `${codePath(era, 'cdb_ws')} (/health)`,
    });
    return {
      status: strong ? 'fail' : 'warn',
      metrics: {
        events: 0, distinct_symbols: 0, events_per_min: 0, stub_lines: stub.length, no_data_lines: noKlines.n, not_published_lines: notPublished.n,
        listening_capture_minutes: Math.round(listenedMs / 60_000),
      },
      findings,
      hypotheses,
      todos,
      verification,
    };
  },
});

