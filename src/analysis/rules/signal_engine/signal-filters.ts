import {
  defineRule,
  type Evidence,
  type Finding,
  type Hypothesis,
  type Likelihood,
  type RuleContext,
  type Said,
  type Status,
  type Todo,
  type VerificationCheck,
} from '../../define-rule.js';
import { classes } from '../../../catalog/index.js';
import { tickChangesInBlock } from '../../../model/feed-ticks.js';
import { anyLog, distinctLogTexts, findLogs, K, fieldOf, logEdges, RISK } from '../shared/logs.js';
import { hasAnySettings, num, setting, settingEvidence, whereVarText, type SettingRow } from '../shared/settings.js';
import { count, redisWindow, round, sampleEvidence, weaken, worst } from '../shared/util.js';
import { text } from '../../../i18n/translate.js';
import { tickFields, tickSpan } from '../shared/ticks.js';

/** Code defaults (§7) that apply when the configuration was captured but does not set the variable. */
const DEFAULT_MIN_VOLUME = 100_000;
const DEFAULT_THRESHOLD_PCT = 3.0;

interface Effective {
  value: number | null;
  row: SettingRow | null;
  /** startup | inspect_env | env | default | unknown */
  source: string;
}

/**
 * The value the signal engine ran with. The code default applies only where the captured
 * configuration is the engine's whole environment: era A's root .env (env_file), or docker
 * inspect Env of the engine. A B/C .env only feeds compose interpolation, so its silence says nothing.
 */
function effective(ctx: RuleContext, key: string, fallback: number): Effective {
  const row = setting(ctx, key);
  if (row) return { value: num(row.value), row, source: row.source };
  const eraA = ctx.block.era === 'A' || ctx.block.era == null;
  const engineEnv = !!ctx.db
    .prepare("SELECT 1 FROM settings WHERE source = 'inspect_env' AND service IN ('cdb_core', 'cdb_signal') LIMIT 1")
    .get();
  return hasAnySettings(ctx) && (eraA || engineEnv) ? { value: fallback, row: null, source: 'default' } : { value: null, row: null, source: 'unknown' };
}

/**
 * How sure a setting is the one the process used: the startup print is what it used; inspect Env
 * what the container got; era A reads the root .env; in B/C a .env line may never reach it.
 */
/** Where a value came from: the settings source id as stored (startup, env, inspect_env), or that the code default applies. */
function sourceSaid(e: Effective): Said {
  return e.source === 'default' ? text('signal-filters.source.default') : e.source;
}

/** The engine's DEBUG line of a volume drop and the runbook's confidence wording (quoted, never translated). */
const VOLUME_TOO_LOW = 'Volume zu niedrig';
const CONFIDENCE_LINE = 'Signal below confidence threshold';

function settingTrust(ctx: RuleContext, e: Effective): number {
  if (e.source === 'startup' || e.source === 'inspect_env' || e.source === 'default') return 0;
  if (e.source === 'env' && (ctx.block.era === 'A' || ctx.block.era == null)) return 0;
  return 1;
}

function baseLikelihood(n: number): Likelihood {
  return n >= 100 ? 'very_likely' : n >= 10 ? 'likely' : 'possible';
}

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

/**
 * pct_change per tick. Era-A ticks carry it; B/C ticks do not (the engine's price buffer derives
 * it), so the tick-to-tick change per symbol is used as an approximation there.
 */
export function pctValues(ctx: RuleContext): { values: number[]; derived: boolean } {
  // Read row by row, and without an object per row (pluck, raw): a B feed ticks every 100 ms, so
  // row objects are most of the time, and held at once hundreds of MB in a two-day bundle.
  const given: number[] = [];
  for (const p of ctx.db.prepare('SELECT pct_change FROM market_data WHERE in_block = 1 AND pct_change IS NOT NULL ORDER BY ts, id').pluck().iterate() as Iterable<number>) {
    given.push(p);
  }
  if (given.length) return { values: given, derived: false };
  // Ticks from the feed's DEBUG log: the model stored each one's change from the tick before
  // (TICK_CHANGE), so the changes are one column of the block's ticks. Their order differs from
  // the read below; every use of them (sort, count, max) is blind to order.
  const stored = tickChangesInBlock(ctx.db);
  if (stored) return { values: stored, derived: true };
  const values: number[] = [];
  // Prices alone (pluck) in (symbol, ts, id) order; how many ticks each symbol has (in the same
  // order: NULL first) says where one symbol's run ends and the next begins.
  const where = 'in_block = 1 AND price IS NOT NULL AND price > 0';
  const runs = ctx.db.prepare(`SELECT COUNT(*) FROM market_data WHERE ${where} GROUP BY symbol ORDER BY symbol`).pluck().all() as number[];
  let run = 0;
  let left = runs[0] ?? 0;
  let prev: number | null = null;
  for (const price of ctx.db.prepare(`SELECT price FROM market_data WHERE ${where} ORDER BY symbol, ts, id`).pluck().iterate() as Iterable<number>) {
    if (left === 0) {
      left = runs[++run];
      prev = null;
    }
    left--;
    if (prev !== null) values.push(((price - prev) / prev) * 100);
    prev = price;
  }
  return { values, derived: true };
}

/** The price-buffer DEBUG lines (B/C): the engine logged at DEBUG, so a filter drop would show. */
const PRICE_BUFFER_DEBUG = classes('signal.price_buffer.pct', 'signal.price_buffer.tick', 'signal.price_buffer.cold_start');

interface Drops {
  n: number;
  evidence: Evidence[];
  example: string;
  first: string | null;
  last: string | null;
  /** The volume the dropped ticks carried, when all agree: read only when asked (it reads every line's text). */
  volume: () => string | null;
}

/**
 * DEBUG lines of a class in the block: counted, with the first two and the last as evidence.
 * A DEBUG engine prints one per tick: the hourly rollup counts them, SQLite reads the edges
 * through the class index, and JS sees each distinct text once for the volumes.
 */
function debugDrops(ctx: RuleContext, cls: string[]): Drops {
  const { n, head, tail } = logEdges(ctx, { classes: cls }, 2, 1);
  const rows = [...head, ...tail];
  const l = tail[0] ?? head[head.length - 1] ?? null;
  const volume = () => {
    const volumes = new Set<string>();
    const add = (r: { class: string | null; message: string }) => {
      const v = fieldOf(r, 'volume');
      if (v != null) volumes.add(v);
      // Two different volumes already say they do not all agree: no need to read more of them.
      return volumes.size < 2;
    };
    // Every text is read (DISTINCT: no sort of the lines) until two volumes differ.
    if (n > 0) distinctLogTexts(ctx, { classes: cls }, add);
    return volumes.size === 1 ? [...volumes][0] : null;
  };
  return {
    n,
    evidence: rows.map((r) => ctx.evidence(r.file_id, r.line_no)),
    example: rows[0]?.message.split('\n')[0] ?? '',
    first: rows[0]?.ts ?? null,
    last: l?.ts ?? null,
    volume,
  };
}

export default defineRule({
  id: 'signal-filters',
  layer: 'signal_engine',
  title: 'Signal filters against the data: threshold, volume minimum, strategy id, confidence',
  needs: ['settings (.env, docker inspect Env, startup banner)', 'market_data', 'risk / signal logs, alerts'],
  keyMetrics: ['ticks_passing_threshold', 'signal_threshold_pct'],
  check(ctx) {
    const signals = count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1');
    const ticks = tickSpan(ctx).n;
    const volKnown = tickFields(ctx).volume;
    const minVol = effective(ctx, 'SIGNAL_MIN_VOLUME', DEFAULT_MIN_VOLUME);
    const thr = effective(ctx, 'SIGNAL_THRESHOLD_PCT', DEFAULT_THRESHOLD_PCT);
    const confidenceLines = findLogs(ctx, { classes: K.confidenceBelow });
    const minConfidence = setting(ctx, 'MIN_CONFIDENCE');
    const strategy = setting(ctx, 'SIGNAL_STRATEGY_ID');
    const missingAlertLogs = findLogs(ctx, { group: RISK, classes: K.missingStrategy });
    const rw = redisWindow(ctx);
    const missingAlertMsgs = ctx.db
      .prepare(`SELECT file_id, line_no, payload FROM redis_messages WHERE ${rw.sql} AND code = 'MISSING_STRATEGY_ID' ORDER BY COALESCE(ts, payload_ts), id`)
      .all(...rw.params) as { file_id: number; line_no: number; payload: string }[];
    const missingDecisions = count(ctx, "SELECT COUNT(*) FROM risk_decisions WHERE in_block = 1 AND reason_code = 'missing_strategy_id'");
    const missingCount = Math.max(missingAlertLogs.length, missingAlertMsgs.length, missingDecisions);

    if (ticks === 0 && minVol.source === 'unknown' && !confidenceLines.length && !missingCount && !strategy) {
      return { status: 'not_evaluable', missing: text('signal-filters.missing') };
    }

    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [];
    let status: Status = 'ok';
    const metrics: Record<string, number | string | null> = {
      signals: signals,
      ticks,
      signal_min_volume: minVol.value,
      signal_min_volume_source: minVol.source,
      signal_threshold_pct: thr.value,
      signal_threshold_source: thr.source,
      confidence_threshold_lines: confidenceLines.length,
      missing_strategy_id_rejections: missingCount,
    };
    const settingEv = (e: Effective): Evidence[] => (e.row ? [settingEvidence(ctx, e.row)] : []);

    // The engine's own DEBUG lines of a filter dropping input (§2.6, §3.3): direct evidence when present.
    const drops = debugDrops(ctx, K.volumeTooLow);
    const debugOn = drops.n > 0 || anyLog(ctx, { classes: PRICE_BUFFER_DEBUG });
    metrics.volume_filter_debug_lines = drops.n;
    const { values: pctVals, derived: pctDerived } = ticks > 0 ? pctValues(ctx) : { values: [] as number[], derived: false };
    // The real engine checks the volume only for a tick that passed the momentum threshold.
    const passKnown = thr.value != null && !pctDerived && pctVals.some((v) => v >= thr.value!);

    if (drops.n > 0 && signals === 0) {
      status = worst(status, 'fail');
      const ev = [...drops.evidence, ...settingEv(minVol)];
      findings.push({
        subject: 'volume-filter-drops',
        severity: 'critical',
        message: text('signal-filters.drops', {
          n: drops.n,
          example: drops.example,
          span: drops.first && drops.last ? text('signal-filters.drops.span', { first: drops.first, last: drops.last }) : '',
          setting: minVol.value != null ? text('signal-filters.drops.setting', { value: minVol.value, source: sourceSaid(minVol) }) : '',
        }),
        evidence: ev,
      });
      hypotheses.push({
        cause: 'signal.filter_volume_zero',
        title: text('signal-filters.hyp.volume_drops', {
          n: drops.n,
          line: VOLUME_TOO_LOW,
          limit: minVol.value != null ? text('signal-filters.limit.value', { value: minVol.value }) : text('signal-filters.limit.unknown'),
        }),
        likelihood: 'very_likely',
        evidence: ev,
        why: text('signal-filters.why.volume_drops'),
      });
      // The volume as the DEBUG lines print it (quoted).
      const volume = drops.volume();
      todos.push({
        category: 'CONFIG',
        title: text('signal-filters.todo.min_volume_drops', { carry: volume != null ? text('signal-filters.todo.min_volume_drops.carry', { volume }) : '' }),
        priority: 'high',
        effort: 'quick_win',
        where: whereVarText(ctx.block.era, 'SIGNAL_MIN_VOLUME', ctx.block.era === 'A' ? 'cdb_core' : 'cdb_signal'),
        cause: 'signal.filter_volume_zero',
      });
    } else if (minVol.value != null && minVol.value > 0 && ticks > 0) {
      // Volume minimum vs volume in the payloads (era A published volume 0.0 until a fix; B/C publish none).
      const below = count(ctx, 'SELECT COUNT(*) FROM market_data WHERE in_block = 1 AND (volume IS NULL OR volume < ?)', minVol.value);
      const maxVol = tickFields(ctx).maxVolume;
      metrics.ticks_below_min_volume = below;
      metrics.volume_max = maxVol;
      if (below === ticks) {
        // With signals in the block the filter cannot have dropped every tick: the setting seen is not the one in effect.
        if (signals === 0) status = worst(status, 'warn');
        const sample = ctx.db.prepare('SELECT file_id, line_no, symbol, volume, ts FROM market_data WHERE in_block = 1 ORDER BY ts, id LIMIT 1').get() as {
          file_id: number;
          line_no: number;
          symbol: string;
          volume: number | null;
          ts: string;
        };
        const ev = [
          ...settingEv(minVol),
          ctx.evidence(sample.file_id, sample.line_no, `market_data ${sample.symbol} volume=${sample.volume ?? '(absent)'} (${sample.ts})`),
        ];
        findings.push({
          subject: 'volume-minimum',
          severity: signals === 0 ? 'high' : 'info',
          message: text('signal-filters.volume_minimum', {
            value: minVol.value,
            source: sourceSaid(minVol),
            ticks,
            what: volKnown === 0 ? text('signal-filters.volume_minimum.no_field') : text('signal-filters.volume_minimum.below', { max: maxVol ?? Number.NaN }),
            yet: signals ? text('signal-filters.volume_minimum.yet', { signals }) : '',
          }),
          evidence: ev,
        });
        if (signals === 0) {
          let likelihood = weaken(baseLikelihood(ticks), settingTrust(ctx, minVol) + (minVol.source === 'default' ? 1 : 0));
          // DEBUG was on and not one drop was logged: the volume filter dropped nothing.
          if (debugOn) likelihood = 'unlikely';
          // No tick is known to reach the volume check (B changes are only approximated): the setting alone cannot tell.
          else if (!passKnown && likelihood !== 'unlikely') likelihood = 'possible';
          hypotheses.push({
            cause: 'signal.filter_volume_zero',
            title: text('signal-filters.hyp.volume_minimum'),
            likelihood,
            evidence: ev,
            why: debugOn
              ? text('signal-filters.why.debug_on')
              : text(passKnown ? 'signal-filters.why.info_pass_known' : 'signal-filters.why.info_pass_unknown', {
                  confirm: ctx.block.era === 'A' ? text('signal-filters.why.confirm_a') : text('signal-filters.why.confirm_bc'),
                }),
          });
          if (!debugOn) {
            todos.push({
              category: 'CONFIG',
              title: text('signal-filters.todo.min_volume'),
              priority: 'high',
              effort: 'quick_win',
              where: whereVarText(ctx.block.era, 'SIGNAL_MIN_VOLUME', 'cdb_core / cdb_signal'),
              cause: 'signal.filter_volume_zero',
            });
          }
        }
      }
    }

    // Threshold vs the observed pct_change distribution: how many ticks would pass.
    if (thr.value != null && ticks > 0) {
      const values = pctVals;
      const derived = pctDerived;
      const sorted = [...values].sort((a, b) => a - b);
      const passing = values.filter((v) => v >= thr.value!).length;
      Object.assign(metrics, {
        pct_change_basis: values.length ? (derived ? 'tick-to-tick (derived)' : 'payload') : null,
        ticks_with_pct_change: values.length,
        ticks_passing_threshold: passing,
        pct_change_max: round(sorted[sorted.length - 1] ?? null, 4),
        pct_change_p99: round(quantile(sorted, 0.99), 4),
      });
      // A `Volume zu niedrig` line is printed only for a tick that passed the threshold.
      if (values.length >= 10 && passing === 0 && drops.n === 0) {
        if (signals === 0) status = worst(status, 'warn');
        const ev = settingEv(thr);
        findings.push({
          subject: 'threshold',
          severity: signals === 0 ? 'high' : 'info',
          message: text('signal-filters.threshold', {
            value: thr.value,
            source: sourceSaid(thr),
            n: values.length,
            basis: derived ? text('signal-filters.basis.derived') : text('signal-filters.basis.payload'),
            max: sorted[sorted.length - 1] ?? Number.NaN,
            p99: quantile(sorted, 0.99) ?? Number.NaN,
          }),
          evidence: ev,
        });
        if (signals === 0) {
          let l = weaken(baseLikelihood(values.length), settingTrust(ctx, thr) + (thr.source === 'default' ? 1 : 0));
          // A tick-to-tick change only approximates the price-buffer change the B/C engine compares.
          if (derived && l !== 'unlikely') l = 'possible';
          hypotheses.push({
            cause: 'signal.threshold_too_high',
            title: text('signal-filters.hyp.threshold'),
            likelihood: l,
            evidence: ev,
            why: text('signal-filters.why.threshold'),
          });
          todos.push({
            category: 'CONFIG',
            title: text('signal-filters.todo.threshold', { p99: quantile(sorted, 0.99) ?? Number.NaN }),
            priority: 'medium',
            effort: 'quick_win',
            where: whereVarText(ctx.block.era, 'SIGNAL_THRESHOLD_PCT', 'cdb_core / cdb_signal'),
            cause: 'signal.threshold_too_high',
          });
        }
      } else if (values.length >= 100) {
        findings.push({
          subject: 'threshold',
          severity: 'info',
          message: text('signal-filters.passing', { passing, n: values.length, share: (passing / values.length) * 100, value: thr.value }),
          evidence: settingEv(thr),
        });
      }
    }
    if (findings.some((f) => f.subject === 'volume-minimum' || f.subject === 'threshold') && hypotheses.length) {
      verification.push({
        id: 'signals-after-filter-fix',
        title: text('signal-filters.check.signals_after_fix'),
        kind: 'sql',
        check: 'SELECT COUNT(*) FROM trading_signals WHERE in_block = 1',
        expect: { op: '>=', value: ctx.targets.signals_total },
      });
    }

    // Runbook confidence wording: no real service emits it and none reads MIN_CONFIDENCE.
    if (confidenceLines.length || (minConfidence && signals === 0)) {
      const ev = [...sampleEvidence(ctx, confidenceLines), ...(minConfidence ? [settingEvidence(ctx, minConfidence)] : [])];
      findings.push({
        subject: 'confidence-threshold',
        severity: confidenceLines.length ? 'low' : 'info',
        message: text('signal-filters.confidence', {
          lines: confidenceLines.length ? text('signal-filters.confidence.lines', { n: confidenceLines.length, line: CONFIDENCE_LINE }) : '',
        }),
        evidence: ev,
      });
      hypotheses.push({
        cause: 'signal.confidence_threshold',
        title: text('signal-filters.hyp.confidence'),
        likelihood: 'unlikely',
        evidence: ev,
        why: text('signal-filters.why.confidence'),
      });
    }

    // Empty SIGNAL_STRATEGY_ID (B/C): the risk manager rejects every signal with MISSING_STRATEGY_ID.
    const strategyEmpty = strategy != null && (strategy.value ?? '').replace(/["']/g, '').trim() === '';
    if (missingCount > 0 || (strategyEmpty && ctx.block.era !== 'A')) {
      status = worst(status, 'warn');
      const ev = [
        ...sampleEvidence(ctx, missingAlertLogs.length ? missingAlertLogs : missingAlertMsgs.map((m) => ({ ...m, text: m.payload }))),
        ...(strategy ? [settingEvidence(ctx, strategy)] : []),
      ];
      findings.push({
        subject: 'strategy-id',
        severity: missingCount > 0 ? 'high' : 'medium',
        message:
          missingCount > 0
            ? text('signal-filters.strategy.rejected', { n: missingCount, empty: strategyEmpty ? text('signal-filters.strategy.rejected.empty') : '' })
            : text('signal-filters.strategy.empty'),
        evidence: ev,
      });
      let l: Likelihood = missingCount >= 10 && strategyEmpty ? 'very_likely' : missingCount >= 10 || (strategyEmpty && missingCount > 0) ? 'likely' : 'possible';
      if (signals > 0 && missingCount === 0 && count(ctx, "SELECT COUNT(*) FROM risk_decisions WHERE in_block = 1 AND decision = 'approved'") > 0) l = 'unlikely';
      hypotheses.push({
        cause: 'signal.missing_strategy_id',
        title: text('signal-filters.hyp.strategy'),
        likelihood: l,
        evidence: ev,
      });
      todos.push({
        category: 'CONFIG',
        title: text('signal-filters.todo.strategy'),
        priority: 'high',
        effort: 'quick_win',
        where: whereVarText(ctx.block.era, 'SIGNAL_STRATEGY_ID', 'cdb_signal'),
        cause: 'signal.missing_strategy_id',
      });
      verification.push({ id: 'no-missing-strategy', title: text('signal-filters.check.no_missing_strategy'), kind: 'log', check: 'MISSING_STRATEGY_ID', expect: { op: '==', value: 0 } });
    }

    return { status, metrics, findings, hypotheses, todos, verification };
  },
});
