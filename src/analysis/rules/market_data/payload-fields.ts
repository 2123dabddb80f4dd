import { classes } from '../../../catalog/index.js';
import { defineRule, type Evidence, type Finding, type Hypothesis, type RuleResult, type Todo, type VerificationCheck } from '../../define-rule.js';
import { codePath, composeFile, count, effectiveSetting, findLogs, likelihoodFromScore, pct, spreadEvidence } from '../../rule-kit.js';
import { captureLabel, snapshotOf } from '../../snapshots.js';

/** `Fehler bei Market-Data-Verarbeitung: 'pct_change'` — a KeyError per message (formats doc §3.3). */
const KEY_ERROR_RE = /Fehler bei Market-Data-Verarbeitung: '(\w+)'/;
/** Era B/C ticks (formats doc §4.2): one aggregated trade, no pct_change, no volume. */
const B_STYLE_LIKE = ['"ts_ms"', '"trade_qty"', '"schema_version"'];
/** Share of events at which a field counts as "always" 0 or missing. */
const ALWAYS = 0.99;
const MIN_EVENTS = 10;

export default defineRule({
  id: 'payload-fields',
  layer: 'market_data',
  title: 'Market data payload fields: volume always 0, pct_change missing, B-style ticks to an A consumer',
  needs: ['market_data payloads (captures or canonical market_data)', 'signal engine logs'],
  keyMetrics: ['pct_change_missing_pct', 'consumer_key_errors'],
  check(ctx): RuleResult {
    // Payloads of the block; without enough of them, those of a capture taken after it — the state
    // at collection, never block activity, and every finding from it says so.
    let scope = 'in_block = 1';
    let n = count(ctx, `SELECT COUNT(*) FROM market_data WHERE ${scope}`);
    let atCollection: string | null = null;
    if (n < MIN_EVENTS) {
      const to = ctx.block.to.replace(/'/g, '');
      const after = ctx.db
        .prepare('SELECT file_id, COUNT(*) AS n FROM market_data WHERE in_block = 0 AND ts > ? GROUP BY file_id ORDER BY MAX(ts) DESC, file_id LIMIT 1')
        .get(to) as { file_id: number; n: number } | undefined;
      if (after && after.n >= MIN_EVENTS) {
        scope = `in_block = 0 AND ts > '${to}' AND file_id = ${after.file_id}`;
        n = after.n;
        atCollection = captureLabel(snapshotOf(ctx.db, ctx.block, after.file_id), ctx.block) ?? `at collection, after ${to.slice(0, 16)}Z`;
      }
    }
    const said = (m: string) => (atCollection ? `${atCollection}: ${m}` : m);
    const volZero = count(ctx, `SELECT COUNT(*) FROM market_data WHERE ${scope} AND COALESCE(volume, 0) = 0`);
    const volNull = count(ctx, `SELECT COUNT(*) FROM market_data WHERE ${scope} AND volume IS NULL`);
    const pctNull = count(ctx, `SELECT COUNT(*) FROM market_data WHERE ${scope} AND pct_change IS NULL`);
    const bStyle = ctx.db
      .prepare(
        `SELECT file_id, line_no, payload FROM redis_messages WHERE channel = 'market_data' AND COALESCE(in_block, 1) = 1
         AND (${B_STYLE_LIKE.map(() => 'payload LIKE ?').join(' OR ')}) ORDER BY ts IS NULL, ts, file_id, line_no LIMIT 3`,
      )
      .all(...B_STYLE_LIKE.map((l) => `%${l}%`)) as { file_id: number; line_no: number; payload: string }[];
    const keyErrors = findLogs(ctx, { classes: classes('signal.error.market_data'), re: KEY_ERROR_RE });
    if (n === 0 && keyErrors.length === 0) {
      return { status: 'not_evaluable', missing: 'no market data payloads in the block and no signal-engine processing errors' };
    }
    const signals = count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1');
    const mv = effectiveSetting(ctx, 'SIGNAL_MIN_VOLUME', ['cdb_core', 'cdb_signal']);
    const minVol = mv && Number(mv.value) > 0 ? mv : null;
    const era = ctx.block.era;
    const signalSvc = era === 'A' ? 'cdb_core' : 'cdb_signal';
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [];
    let fail = false;

    // --- the consumer fails per message on a missing field
    const byField = new Map<string, typeof keyErrors>();
    for (const r of keyErrors) {
      const f = KEY_ERROR_RE.exec(r.message)![1];
      if (!byField.has(f)) byField.set(f, []);
      byField.get(f)!.push(r);
    }
    for (const [field, rows] of [...byField.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const stops = rows.length >= MIN_EVENTS && signals === 0;
      if (stops) fail = true;
      findings.push({
        subject: `consumer.${field}`,
        severity: stops ? 'critical' : rows.length >= MIN_EVENTS ? 'high' : 'medium',
        message:
          `The signal engine failed ${rows.length} time(s) on market data without '${field}' (KeyError per message)` +
          (stops ? ' and generated no signal in the block: every tick is dropped' : ''),
        evidence: spreadEvidence(ctx, rows),
      });
      let score = 2 + (rows.length >= MIN_EVENTS * 10 ? 1 : 0) + (bStyle.length ? 1 : 0) + (field === 'pct_change' && n > 0 && pctNull / n >= ALWAYS ? 1 : 0);
      if (signals > 0) score--;
      const ev: Evidence[] = [...spreadEvidence(ctx, rows, 2), ...bStyle.slice(0, 1).map((b) => ctx.evidence(b.file_id, b.line_no, b.payload))];
      hypotheses.push({
        cause: `market_data.payload_missing_${field}`,
        title: bStyle.length
          ? `B-style ticks (no ${field}) reach an A-style signal engine that needs '${field}': every message fails`
          : `Market data lacks '${field}', which the signal engine needs: every message fails`,
        likelihood: likelihoodFromScore(score)!,
        evidence: ev,
      });
      todos.push({
        category: 'CODE',
        title: `Let the signal engine handle ticks without '${field}' (compute it from a price buffer) or run matching ws/signal versions`,
        priority: 'high',
        effort: 'larger',
        where: codePath(era, signalSvc),
        cause: `market_data.payload_missing_${field}`,
      });
    }
    if (keyErrors.length) {
      verification.push({ id: 'market_data.payload_errors', title: 'No KeyError on market data in the signal engine', kind: 'log', check: 'Fehler bei Market-Data-Verarbeitung', expect: { op: '==', value: 0 } });
    }

    // --- volume always 0 or missing
    if (n >= MIN_EVENTS && volZero / n >= ALWAYS) {
      const sample = ctx.db.prepare(`SELECT file_id, line_no FROM market_data WHERE ${scope} ORDER BY ts IS NULL, ts, file_id, line_no LIMIT 1`).get() as { file_id: number; line_no: number };
      const payload = ctx.db.prepare('SELECT payload FROM redis_messages WHERE file_id = ? AND line_no = ?').get(sample.file_id, sample.line_no) as { payload: string | null } | undefined;
      const ev: Evidence[] = [ctx.evidence(sample.file_id, sample.line_no, payload?.payload ?? undefined)];
      if (minVol) ev.push(ctx.evidence(minVol.file_id, minVol.line_no, `${minVol.key}=${minVol.value ?? ''}`));
      // B/C ticks carry no volume by design (§4.2): the feed is as built, the engine's minimum is the
      // fault, and signal-filters owns that cause (with the engine's own DEBUG lines where logged).
      const byDesign = (era === 'B' || era === 'C') && volNull === n;
      const blocks = !!minVol && signals === 0;
      if (blocks && !byDesign) fail = true;
      findings.push({
        subject: 'volume',
        severity: blocks ? (byDesign ? 'medium' : 'critical') : minVol ? 'high' : 'info',
        message: said(
          `volume is ${volNull === n ? 'missing' : '0'} in ${pct(volZero, n)} % of ${n} market data events${atCollection ? ' captured after the block' : ''}` +
            (minVol ? `, while the signal engine requires a volume of at least ${minVol.value} (${minVol.key}): its volume filter drops every tick` : ' (harmless while SIGNAL_MIN_VOLUME is 0)') +
            (minVol && byDesign ? ` (era ${era} ticks carry no volume by design: the fault is the engine's minimum, see the signal engine)` : ''),
        ),
        evidence: ev,
      });
      if (minVol && !byDesign) {
        hypotheses.push({
          cause: 'market_data.volume_zero',
          title: 'Ticks carry no volume, but the signal engine filters on a minimum volume',
          likelihood: likelihoodFromScore(1 + 2 + (signals === 0 ? 1 : 0))!,
          evidence: ev,
        });
        todos.push({
          category: 'CONFIG',
          title: 'Set SIGNAL_MIN_VOLUME=0 while the ticks carry no volume (MIN_VOLUME_24H is read by no service)',
          priority: 'high',
          effort: 'quick_win',
          where: era === 'A' ? '.env SIGNAL_MIN_VOLUME' : `${composeFile(era)} ${signalSvc} environment SIGNAL_MIN_VOLUME`,
          cause: 'market_data.volume_zero',
        });
        verification.push({ id: 'market_data.volume', title: 'Market data carries a volume', kind: 'sql', check: 'SELECT COUNT(*) FROM market_data WHERE in_block = 1 AND volume > 0', expect: { op: '>', value: 0 } });
      }
    }

    // --- pct_change missing (B ticks): only a fault for a consumer that needs it
    if (n >= MIN_EVENTS && pctNull / n >= ALWAYS && !byField.has('pct_change')) {
      // Signals in the block prove the engine got what it needed (the runbook's payloads carry none either).
      const signalsFlowed = count(ctx, 'SELECT COUNT(*) FROM signals WHERE in_block = 1') > 0;
      findings.push({
        subject: 'pct_change',
        severity: era === 'A' && !signalsFlowed ? 'medium' : 'info',
        message: said(
          `pct_change is missing in ${pct(pctNull, n)} % of ${n} market data events${atCollection ? ' captured after the block' : ''}` +
            (era === 'A' ? ': the era-A signal engine reads it from the payload' : ' (era B/C ticks have none; the signal engine computes it from its price buffer)'),
        ),
        evidence: bStyle.slice(0, 1).map((b) => ctx.evidence(b.file_id, b.line_no, b.payload)),
      });
    }
    if (bStyle.length && era === 'A' && !byField.size) {
      findings.push({
        subject: 'schema',
        severity: 'medium',
        message: 'B-style ticks (ts_ms, trade_qty, schema_version) on market_data in an era-A stack',
        evidence: bStyle.map((b) => ctx.evidence(b.file_id, b.line_no, b.payload)),
      });
    }
    return {
      status: fail ? 'fail' : findings.some((f) => f.severity !== 'info' && f.severity !== 'low') ? 'warn' : 'ok',
      metrics: {
        events_checked: n,
        volume_zero_pct: n ? pct(volZero, n) : null,
        pct_change_missing_pct: n ? pct(pctNull, n) : null,
        b_style_ticks: bStyle.length ? count(ctx, `SELECT COUNT(*) FROM redis_messages WHERE channel = 'market_data' AND COALESCE(in_block, 1) = 1 AND (payload LIKE '%"ts_ms"%' OR payload LIKE '%"trade_qty"%')`) : 0,
        consumer_key_errors: keyErrors.length,
        payload_scope: atCollection ? 'at_collection' : 'block',
      },
      findings,
      hypotheses,
      todos,
      verification,
    };
  },
});
