import { classes } from '../../../catalog/index.js';
import { defineRule, type RuleResult, type Finding, type Hypothesis, type Severity, type Todo } from '../../define-rule.js';
import { cmp, codePath, composeFile, coverageText, covers, eachLog, findLogs, likelihoodFromScore, type LogRow } from '../../rule-kit.js';
import { RowDigest } from '../shared/row-digest.js';
import { memoByText } from '../shared/text-memo.js';
import { text } from '../../../i18n/translate.js';
import { reviewWsUrlTodo } from '../shared/contradicted-todos.js';

/** Reconnect and retry lines (formats doc §2.5, §3.2; runbook strings of §3.6). */
const RETRY_CLASSES = classes(
  'feed.ws_disconnected', 'feed.ws_connecting', 'feed.ws_chunk_reconnect', 'feed.reconnecting', 'feed.connection_closed', 'feed.loop_error',
  'feed.retrying_subscription_runbook', 'feed.no_messages_runbook', 'exec.loop_error', 'writer.event_loop_error', 'risk.stream_error',
);
const CONNECTED_CLASSES = classes('feed.connected', 'service.redis_connected_en', 'service.redis_connected_de');
const RE = /\[WS\] Disconnected \(attempt \d+\)|\[WS\] Connecting chunk \(attempt (?:[2-9]|\d{2,})\)|Chunk reconnect #\d+|\[ws\] reconnecting in|\[ws\] connection (?:closed|error)|retrying subscription|no messages received|Error in (?:message|event) loop|-Stream Fehler/i;
const ATTEMPT = /\(attempt (\d+)\)|reconnect #(\d+)/i;

/** A rising run of attempt numbers this long, or this many retries, is a loop rather than a hiccup. */
const LOOP_RUN = 5;
const LOOP_LINES = 20;

function attemptIn(message: string): number | null {
  const m = ATTEMPT.exec(message);
  return m ? Number(m[1] ?? m[2]) : null;
}

/** The longest run of strictly rising attempt numbers (a reset to 1 means a successful connect in between). */
export function longestRisingRun(nums: number[]): number {
  let best = 0;
  let run = 0;
  let prev = -Infinity;
  for (const n of nums) {
    run = n > prev ? run + 1 : 1;
    prev = n;
    best = Math.max(best, run);
  }
  return best;
}

/**
 * A service's retry lines as they are read: a loop can log a line per message for hours, so the
 * attempt numbers are followed as a stream (their maximum, longestRisingRun and the last
 * LOOP_RUN of them) and the lines digested.
 */
class Retries {
  readonly rows = new RowDigest<LogRow>();
  maxAttempt = 0;
  run = 0;
  private current = 0;
  private prev = -Infinity;
  /** The attempt numbers of the last LOOP_RUN lines (null: the line names none). */
  readonly lastAttempts: (number | null)[] = [];

  add(r: LogRow, attempt: number | null): void {
    this.rows.add(r);
    if (this.lastAttempts.length === LOOP_RUN) this.lastAttempts.shift();
    this.lastAttempts.push(attempt);
    if (attempt === null) return;
    this.maxAttempt = Math.max(this.maxAttempt, attempt);
    this.current = attempt > this.prev ? this.current + 1 : 1;
    this.prev = attempt;
    this.run = Math.max(this.run, this.current);
  }
}

export default defineRule({
  id: 'reconnect-loops',
  layer: 'system',
  title: 'Reconnect loops (MEXC WebSocket, Redis message loops)',
  needs: ['cdb_ws logs', 'cdb_execution / cdb_db_writer logs'],
  keyMetrics: ['services_looping', 'reconnect_lines'],
  check(ctx): RuleResult {
    const attempt = memoByText(attemptIn);
    const retry = memoByText((m) => RE.test(m));
    const per = new Map<string, Retries>();
    let lines = 0;
    eachLog(ctx, { classes: RETRY_CLASSES }, (r) => {
      if (!retry(r.message)) return;
      lines++;
      const s = r.service ?? '(unknown service)';
      let p = per.get(s);
      if (!p) per.set(s, (p = new Retries()));
      p.add(r, attempt(r.message));
    });
    if (lines === 0) {
      if (!covers(ctx, 'cdb_ws') && !covers(ctx, 'cdb_execution') && !covers(ctx, 'cdb_db_writer')) {
        return { status: 'not_evaluable', missing: text('reconnect-loops.missing', { coverage: coverageText(ctx, 'cdb_ws') }) };
      }
      return { status: 'ok', metrics: { reconnect_lines: 0, max_attempt: 0 } };
    }
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    let maxAttempt = 0;
    let loopSeen = false;
    for (const [svc, p] of [...per.entries()].sort(([a], [b]) => cmp(a, b))) {
      const list = p.rows;
      const maxA = p.maxAttempt;
      maxAttempt = Math.max(maxAttempt, maxA);
      const run = p.run;
      const loop = run >= LOOP_RUN || list.n >= LOOP_LINES;
      // Still looping at the end: no successful connect after the last retry.
      const last = list.last!;
      const after = last.ts
        ? findLogs(ctx, { classes: CONNECTED_CLASSES, services: [svc] }).filter((r) => r.ts !== null && r.ts > last.ts!)
        : [];
      const stillLooping = loop && after.length === 0 && !p.lastAttempts.every((a) => (a ?? 2) <= 1);
      const span = list.timed > 1 ? Date.parse(list.lastTs!) - Date.parse(list.firstTs!) : 0;
      const severity: Severity = loop ? (stillLooping ? 'high' : 'medium') : 'low';
      if (loop) loopSeen = true;
      findings.push({
        subject: svc,
        severity,
        message: text('reconnect-loops.lines', {
          service: svc === '(unknown service)' ? text('shared.unknown_service') : svc,
          n: list.n,
          span: span ? text('reconnect-loops.over', { d: span / 1000 }) : '',
          attempts: maxA ? text('reconnect-loops.attempts', { max: maxA, run }) : '',
          loop: loop ? (stillLooping ? text('reconnect-loops.loop_not_ended') : text('reconnect-loops.loop')) : '',
        }),
        evidence: list.spread(ctx),
      });
      if (loop) {
        let score = 2;
        if (maxA >= 10 || list.n >= 5 * LOOP_LINES) score++;
        if (stillLooping) score++;
        const ws = svc === 'cdb_ws' || svc === 'cdb_market';
        hypotheses.push({
          cause: ws ? 'market_data.ws_reconnect_loop' : `system.reconnect_loop.${svc}`,
          layer: ws ? 'market_data' : 'system',
          title: ws ? text('reconnect-loops.hyp.ws') : text('reconnect-loops.hyp.loop', { service: svc }),
          likelihood: likelihoodFromScore(score)!,
          evidence: list.spread(ctx, 3),
        });
        if (ws) {
          const todo: Todo = {
            category: 'CONFIG',
            title: ctx.block.era === 'A' ? text('reconnect-loops.todo.ws_url') : text('reconnect-loops.todo.reachability'),
            priority: 'high',
            effort: 'quick_win',
            where: ctx.block.era === 'A' ? '.env MEXC_WS_URL' : text('reconnect-loops.where.ws_env', { compose: composeFile(ctx.block.era) }),
            cause: 'market_data.ws_reconnect_loop',
          };
          todos.push(ctx.block.era === 'A' ? reviewWsUrlTodo(ctx, todo) : todo);
        } else {
          todos.push({ category: 'CODE', title: text('reconnect-loops.todo.back_off', { service: svc }), priority: 'medium', effort: 'larger', where: codePath(ctx.block.era, svc), cause: `system.reconnect_loop.${svc}` });
        }
      }
    }
    if (loopSeen) {
      todos.push({ category: 'MONITORING', title: text('reconnect-loops.todo.alert'), priority: 'medium', effort: 'larger', where: codePath(ctx.block.era, 'cdb_ws') + ' (/health)' });
    }
    return {
      status: loopSeen ? 'warn' : 'ok',
      metrics: { reconnect_lines: lines, max_attempt: maxAttempt, services_looping: hypotheses.length },
      findings,
      hypotheses,
      todos,
      verification: [
        {
          id: 'system.ws_reconnects',
          title: text('reconnect-loops.check.reconnects', { n: 10 }),
          kind: 'log',
          check: '\\[WS\\] Disconnected \\(attempt|\\[ws\\] reconnecting in',
          expect: { op: '<', value: 10 },
        },
      ],
    };
  },
});
