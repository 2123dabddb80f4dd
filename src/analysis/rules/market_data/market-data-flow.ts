import { classes, patternOf } from '../../../catalog/index.js';
import { clocklessVerdicts } from '../../clockless.js';
import { reviewConnectionTodo, reviewWsUrlTodo } from '../shared/contradicted-todos.js';
import { fieldOf } from '../shared/logs.js';
import { defineRule, type RuleResult, type Evidence, type Finding, type Hypothesis, type Todo, type VerificationCheck } from '../../define-rule.js';
import {
  blockMs, codePath, composeFile, count, covers, findLogs, fmtDuration, likelihoodFromScore, effectiveSetting, spreadEvidence, type LogRow,
} from '../../rule-kit.js';
import { captureLabel, snapshotOf } from '../../snapshots.js';

/** Lines that say the feed publishes nothing (formats doc §3.1, §3.2, §2.5, §9). */
const STUB = classes('feed.stub_mode', 'feed.mode');
const NO_KLINES = classes('feed.no_data_yet');
const NOT_PUBLISHED = classes('feed.redis_unavailable_a', 'feed.will_not_publish', 'feed.publish_error', 'feed.publish_error_a', 'feed.dropping_trade');
/** The same lines as a pattern, for a verification check run on the next block. */
const NOT_PUBLISHED_RE = patternOf(...NOT_PUBLISHED);
const WS_SERVICES = ['cdb_ws', 'cdb_market', 'cdb_market_eth'];

interface Span {
  file_id: number;
  source: string | null;
  f: string;
  t: string;
  n: number;
}

function sampleNote(spans: Span[], spanMs: number, coverage: number): string {
  const sources = [...new Set(spans.map((x) => x.source))].sort().join('+');
  const span = spanMs < 1000 ? 'no measurable time span (its messages carry no times of their own)' : fmtDuration(spanMs);
  return `sample: ${sources} capture over ${span}, ${Math.round(coverage * 1000) / 10} % of the block`;
}

export default defineRule({
  id: 'market-data-flow',
  layer: 'market_data',
  title: 'Market data reaches Redis: events per minute, symbols, a sample — or why nothing is published',
  needs: ['a market_data capture (SUBSCRIBE / MONITOR / paper-runner events JSONL) or cdb_ws logs', 'or a signals table to infer from'],
  keyMetrics: ['events', 'events_per_min', 'capture_coverage_pct'],
  check(ctx): RuleResult {
    const L = blockMs(ctx);
    const n = count(ctx, 'SELECT COUNT(*) FROM market_data WHERE in_block = 1');
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [
      {
        id: 'market_data.events',
        title: `More than ${ctx.targets.market_data_events} market_data events in the next block`,
        kind: 'sql',
        check: 'SELECT COUNT(*) FROM market_data WHERE in_block = 1',
        expect: { op: '>', value: ctx.targets.market_data_events },
      },
    ];
    const era = ctx.block.era;

    if (n > 0) {
      const symbols = count(ctx, 'SELECT COUNT(DISTINCT symbol) FROM market_data WHERE in_block = 1');
      // A capture's span is the time it listened, seen through all its messages, not only market data.
      const spans = ctx.db
        .prepare(
          `SELECT m.file_id AS file_id, MIN(m.source) AS source,
                  MIN(MIN(m.ts), COALESCE((SELECT MIN(r.ts) FROM redis_messages r WHERE r.file_id = m.file_id AND r.in_block = 1), MIN(m.ts))) AS f,
                  MAX(MAX(m.ts), COALESCE((SELECT MAX(r.ts) FROM redis_messages r WHERE r.file_id = m.file_id AND r.in_block = 1), MAX(m.ts))) AS t,
                  COUNT(*) AS n
           FROM market_data m WHERE m.in_block = 1 AND m.ts IS NOT NULL GROUP BY m.file_id ORDER BY m.file_id`,
        )
        .all() as Span[];
      const spanMs = spans.reduce((a, s) => a + Math.max(0, Date.parse(s.t) - Date.parse(s.f)), 0);
      const timedN = spans.reduce((a, s) => a + s.n, 0);
      const perMin = spanMs >= 1000 ? Math.round((timedN / (spanMs / 60_000)) * 10) / 10 : null;
      const sample = ctx.db
        .prepare('SELECT file_id, line_no, ts, symbol, price, source FROM market_data WHERE in_block = 1 ORDER BY ts IS NULL, ts, file_id, line_no LIMIT 1')
        .get() as { file_id: number; line_no: number; ts: string | null; symbol: string; price: number | null; source: string };
      const payload = ctx.db.prepare('SELECT payload FROM redis_messages WHERE file_id = ? AND line_no = ? LIMIT 1').get(sample.file_id, sample.line_no) as { payload: string | null } | undefined;
      const sampleEv = ctx.evidence(sample.file_id, sample.line_no, payload?.payload ?? undefined);
      const coverage = spanMs / L;
      findings.push({
        subject: 'flow',
        severity: 'info',
        message:
          `${n} market_data event(s) in the block, ${symbols} distinct symbol(s)` +
          (perMin !== null ? `, ${perMin} events/min over ${fmtDuration(spanMs)} of capture` : '') +
          (coverage < 0.5 ? ` (the capture spans ${fmtDuration(spanMs)} of the ${fmtDuration(L)} block: the total is a sample, not the block's volume)` : '') +
          `; sample: ${sample.symbol} @ ${sample.price ?? '?'} at ${sample.ts ?? 'unknown time'}`,
        evidence: [sampleEv],
      });
      return {
        status: 'ok',
        metrics: { events: n, distinct_symbols: symbols, events_per_min: perMin, capture_minutes: Math.round(spanMs / 60_000), capture_coverage_pct: Math.round(coverage * 1000) / 10 },
        // A Redis capture over less than half the block is a sample: its total is no block volume.
        // (A log that stops showing ticks is the incident itself, not a sample.)
        metricNotes: coverage < 0.5 && spans.every((x) => x.source !== 'log' && x.source !== 'db') ? { events: sampleNote(spans, spanMs, coverage), events_per_min: `rate over the ${fmtDuration(spanMs)} captured` } : { events: `source: ${[...new Set(spans.map((x) => x.source))].sort().join('+')}` },
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
    const noKlines = findLogs(ctx, { classes: NO_KLINES });
    const notPublished = findLogs(ctx, { classes: NOT_PUBLISHED });
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
    const wsUpAt = !wsLogged && wsUp ? captureLabel(snapshotOf(ctx.db, ctx.block, wsUp.file_id), ctx.block) : null;
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
            message: `No market_data capture in the bundle, but ${signals} signal(s) in the block prove that market data reached the signal engine`,
            evidence: [],
          },
        ],
        verification,
      };
    }

    const hasAnything =
      stub.length + noKlines.length + notPublished.length + wsSourceStub.length + listeners.length + eventsZero.length > 0 ||
      WS_SERVICES.some((s) => ctx.logCoverage(s) !== null) ||
      (signalSource !== null && signalSource !== 'none');
    if (!hasAnything) {
      return {
        status: 'not_evaluable',
        missing: 'no market_data capture (SUBSCRIBE/MONITOR/events JSONL), no cdb_ws logs and no signals table to infer from',
      };
    }

    const noKlinesSpan = noKlines.length > 1 && noKlines[0].ts && noKlines[noKlines.length - 1].ts ? Date.parse(noKlines[noKlines.length - 1].ts!) - Date.parse(noKlines[0].ts!) : 0;
    // A feed log without a clock cannot span the block, but its content can prove the feed never delivered.
    const onContent = clocklessVerdicts(ctx.db).find((v) => v.stage === 'market_data') ?? null;
    const strong =
      stub.length > 0 || notPublished.length > 0 || eventsZero.length > 0 || listenedMs >= L * 0.5 || (noKlines.length >= 3 && noKlinesSpan >= L * 0.5) || onContent !== null;
    const ev = (rows: LogRow[]) => spreadEvidence(ctx, rows, 2);
    const base: Evidence[] = [];
    if (listeners.length) {
      const l = listeners[0];
      base.push(ctx.evidence(l.file_id, 0, `${l.source} capture with ${l.n} message(s) from ${l.f} to ${l.t}, none on market_data`));
    }
    for (const e of eventsZero.slice(0, 1)) base.push(ctx.evidence(e.file_id, e.line_no, `Events Logged: ${e.value_text}`));

    const why: string[] = [];
    if (stub.length) why.push(`cdb_ws runs in STUB mode (${stub.length} line(s))`);
    if (wsSourceStub.length) why.push('WS_SOURCE=stub in the configuration');
    if (notPublished.length) why.push(`the feed says it does not publish (${notPublished.length} line(s))`);
    if (noKlines.length) why.push(`"Noch keine Daten – warte auf Klines" ×${noKlines.length}`);
    if (listeners.length) why.push(`${listeners.map((l) => l.source).join('/')} capture(s) over ${fmtDuration(listenedMs)} saw other channels but no market_data`);
    if (eventsZero.length) why.push('the paper runner reports Events Logged: 0');
    if (onContent) why.push(onContent.reason);
    if (!why.length) why.push('no capture, log line or signal shows market data in the block');
    if (afterCap) {
      const at = captureLabel(snapshotOf(ctx.db, ctx.block, afterCap.file_id), ctx.block) ?? 'at collection';
      why.push(`${at}: a capture taken after the block shows ${afterCap.n} market_data message(s) — the feed published then, which is not block activity`);
    }

    findings.push({
      subject: 'no-market-data',
      severity: strong ? 'critical' : 'medium',
      message: `No market data in the block${wsAlive ? ` while the feed container was running/healthy${wsUpAt ? ` (${wsUpAt})` : ''}` : ''}: ${why.join('; ')}`,
      evidence: [...ev(stub), ...ev(notPublished), ...ev(noKlines), ...base, ...wsSourceStub.slice(0, 1).map((s) => ctx.evidence(s.file_id, s.line_no, `${s.key}=${s.value ?? ''}`))],
    });

    // --- hypotheses: each independent piece of evidence adds strength
    const stubScore = (stub.length ? 3 : 0) + (wsSourceStub.length && era !== 'A' ? 2 : 0);
    if (stubScore > 0) {
      hypotheses.push({
        cause: 'market_data.stub_mode',
        title: 'cdb_ws runs in stub mode (WS_SOURCE=stub, the code default): it publishes nothing, yet /health stays green',
        likelihood: likelihoodFromScore(stubScore + 1)!,
        evidence: [...ev(stub), ...wsSourceStub.slice(0, 2).map((s) => ctx.evidence(s.file_id, s.line_no, `${s.key}=${s.value ?? ''}`))],
      });
      todos.push({
        category: 'CONFIG', title: 'Set WS_SOURCE=mexc_pb for cdb_ws (the default `stub` publishes nothing)', priority: 'high', effort: 'quick_win',
        where: `${composeFile(era === 'A' ? 'B' : era)} cdb_ws environment WS_SOURCE`, cause: 'market_data.stub_mode',
      });
      verification.push({ id: 'market_data.no_stub', title: 'cdb_ws does not start in STUB mode', kind: 'log', check: 'STUB mode', expect: { op: '==', value: 0 } });
    }
    if (notPublished.length) {
      hypotheses.push({
        cause: 'market_data.redis_publish_failed',
        title: 'The feed receives data but cannot publish it to Redis',
        likelihood: likelihoodFromScore(3 + (notPublished.length >= 3 ? 1 : 0))!,
        evidence: ev(notPublished),
      });
      const todo = reviewConnectionTodo(
        ctx,
        {
          category: 'CONFIG', title: 'Give cdb_ws a working Redis connection (host and password)', priority: 'high', effort: 'quick_win',
          where: era === 'A' ? '.env REDIS_HOST / REDIS_PASSWORD (env_file of cdb_ws)' : `${composeFile(era)} cdb_ws environment REDIS_HOST, secret redis_password`,
          cause: 'market_data.redis_publish_failed',
        },
        { dependency: 'redis', services: [...new Set(notPublished.map((r) => r.service ?? 'cdb_ws'))], failing: notPublished, asserts: 'connection' },
      );
      todos.push(todo);
      verification.push({ id: 'market_data.published', title: 'No "not published" lines from the feed', kind: 'log', check: NOT_PUBLISHED_RE.source, expect: { op: '==', value: 0 } });
    }
    if (noKlines.length) {
      const s = 1 + (noKlines.length >= 3 ? 1 : 0) + (noKlinesSpan >= L * 0.5 || onContent ? 1 : 0) + (covers(ctx, 'cdb_ws') ? 1 : 0);
      hypotheses.push({
        cause: 'market_data.no_klines',
        title: 'The MEXC WebSocket delivers no klines (URL, proxy or subscription problem)',
        likelihood: likelihoodFromScore(s)!,
        evidence: ev(noKlines),
      });
      todos.push(
        reviewWsUrlTodo(ctx, {
          category: 'CONFIG', title: 'Check MEXC_WS_URL/WS_URL and the proxy for cdb_ws (ws:// or wss://; unset HTTPS_PROXY for WS)', priority: 'high', effort: 'quick_win',
          where: '.env MEXC_WS_URL', cause: 'market_data.no_klines',
        }),
      );
      verification.push({ id: 'market_data.klines', title: 'cdb_ws waits for klines only at start-up (≤ 60 lines in the block)', kind: 'log', check: 'Noch keine Daten', expect: { op: '<=', value: 60 } });
    }
    const silentScore = (listenedMs >= L * 0.5 ? 2 : listeners.length ? 1 : 0) + (eventsZero.length ? 1 : 0) + (wsAlive ? 1 : 0);
    if (silentScore >= 2 || (!stubScore && !notPublished.length && !noKlines.length)) {
      hypotheses.push({
        cause: 'market_data.feed_silent',
        title: 'The market-data feed is connected but silent: nothing reaches the market_data channel',
        likelihood: likelihoodFromScore(Math.max(1, silentScore))!,
        evidence: base,
      });
    }
    todos.push({
      category: 'MONITORING', title: 'Make the feed health fail when no market_data was published for 5 minutes (it answers 200 without data)', priority: 'medium', effort: 'larger',
      where: `${codePath(era, 'cdb_ws')} (/health)`,
    });
    return {
      status: strong ? 'fail' : 'warn',
      metrics: {
        events: 0, distinct_symbols: 0, events_per_min: 0, stub_lines: stub.length, no_data_lines: noKlines.length, not_published_lines: notPublished.length,
        listening_capture_minutes: Math.round(listenedMs / 60_000),
      },
      findings,
      hypotheses,
      todos,
      verification,
    };
  },
});

