import { classes } from '../../../catalog/index.js';
import { defineRule, type Evidence, type Finding, type Hypothesis, type RuleResult, type Said, type Todo, type VerificationCheck } from '../../define-rule.js';
import { codePath, composeFile, count, eachLog, effectiveSetting, likelihoodFromScore, pct } from '../../rule-kit.js';
import { RowDigest } from '../shared/row-digest.js';
import { memoByText } from '../shared/text-memo.js';
import { captureText, snapshotOf } from '../../snapshots.js';
import { text } from '../../../i18n/translate.js';
import { firstBlockTick, tickFields, tickSpan } from '../shared/ticks.js';

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
    let n = tickSpan(ctx).n;
    let atCollection: Said | null = null;
    if (n < MIN_EVENTS) {
      const to = ctx.block.to.replace(/'/g, '');
      const after = ctx.db
        .prepare('SELECT file_id, COUNT(*) AS n FROM market_data WHERE in_block = 0 AND ts > ? GROUP BY file_id ORDER BY MAX(ts) DESC, file_id LIMIT 1')
        .get(to) as { file_id: number; n: number } | undefined;
      if (after && after.n >= MIN_EVENTS) {
        scope = `in_block = 0 AND ts > '${to}' AND file_id = ${after.file_id}`;
        n = after.n;
        atCollection = captureText(snapshotOf(ctx.db, ctx.block, after.file_id), ctx.block) ?? text('payload-fields.at_collection_after', { at: to });
      }
    }
    const said = (m: Said): Said => (atCollection ? text('payload-fields.at_collection_said', { at: atCollection, said: m }) : m);
    const afterBlock = atCollection ? text('payload-fields.after_block') : '';
    // The block's ticks are read once for every field count (shared with the other rules); a capture after it here.
    const inBlock = scope === 'in_block = 1' ? tickFields(ctx) : null;
    const volZero = inBlock ? inBlock.n - inBlock.volume + inBlock.volumeZero : count(ctx, `SELECT COUNT(*) FROM market_data WHERE ${scope} AND COALESCE(volume, 0) = 0`);
    const volNull = inBlock ? inBlock.n - inBlock.volume : count(ctx, `SELECT COUNT(*) FROM market_data WHERE ${scope} AND volume IS NULL`);
    const pctNull = inBlock ? inBlock.n - inBlock.pct : count(ctx, `SELECT COUNT(*) FROM market_data WHERE ${scope} AND pct_change IS NULL`);
    const bStyle = ctx.db
      .prepare(
        `SELECT file_id, line_no, payload FROM redis_messages WHERE channel = 'market_data' AND COALESCE(in_block, 1) = 1
         AND (${B_STYLE_LIKE.map(() => 'payload LIKE ?').join(' OR ')}) ORDER BY ts IS NULL, ts, file_id, line_no LIMIT 3`,
      )
      .all(...B_STYLE_LIKE.map((l) => `%${l}%`)) as { file_id: number; line_no: number; payload: string }[];
    // Per field, digested as read: a consumer failing on every tick logs a KeyError per tick.
    const byField = new Map<string, RowDigest>();
    let keyErrors = 0;
    const keyOf = memoByText((m) => KEY_ERROR_RE.exec(m)?.[1] ?? null);
    eachLog(ctx, { classes: classes('signal.error.market_data') }, (r) => {
      const f = keyOf(r.message);
      if (f === null) return;
      keyErrors++;
      let d = byField.get(f);
      if (!d) byField.set(f, (d = new RowDigest()));
      d.add(r);
    });
    if (n === 0 && keyErrors === 0) {
      return { status: 'not_evaluable', missing: text('payload-fields.missing') };
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
    for (const [field, rows] of [...byField.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const stops = rows.n >= MIN_EVENTS && signals === 0;
      if (stops) fail = true;
      findings.push({
        subject: `consumer.${field}`,
        severity: stops ? 'critical' : rows.n >= MIN_EVENTS ? 'high' : 'medium',
        message: text('payload-fields.consumer', { n: rows.n, field, stops: stops ? text('payload-fields.consumer.stops') : '' }),
        evidence: rows.spread(ctx),
      });
      let score = 2 + (rows.n >= MIN_EVENTS * 10 ? 1 : 0) + (bStyle.length ? 1 : 0) + (field === 'pct_change' && n > 0 && pctNull / n >= ALWAYS ? 1 : 0);
      if (signals > 0) score--;
      const ev: Evidence[] = [...rows.spread(ctx, 2), ...bStyle.slice(0, 1).map((b) => ctx.evidence(b.file_id, b.line_no, b.payload))];
      hypotheses.push({
        cause: `market_data.payload_missing_${field}`,
        title: bStyle.length ? text('payload-fields.hyp.b_style_missing', { field }) : text('payload-fields.hyp.missing', { field }),
        likelihood: likelihoodFromScore(score)!,
        evidence: ev,
      });
      todos.push({
        category: 'CODE',
        title: text('payload-fields.todo.handle_missing', { field }),
        priority: 'high',
        effort: 'larger',
        where: codePath(era, signalSvc),
        cause: `market_data.payload_missing_${field}`,
      });
    }
    if (keyErrors) {
      verification.push({ id: 'market_data.payload_errors', title: text('payload-fields.check.no_key_errors'), kind: 'log', check: 'Fehler bei Market-Data-Verarbeitung', expect: { op: '==', value: 0 } });
    }

    // --- volume always 0 or missing
    if (n >= MIN_EVENTS && volZero / n >= ALWAYS) {
      const sample = (
        inBlock
          ? firstBlockTick(ctx.db, 'file_id, line_no', tickSpan(ctx))
          : ctx.db.prepare(`SELECT file_id, line_no FROM market_data WHERE ${scope} ORDER BY ts IS NULL, ts, file_id, line_no LIMIT 1`).get()
      ) as { file_id: number; line_no: number };
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
          text(volNull === n ? 'payload-fields.volume_missing' : 'payload-fields.volume_zero', {
            share: pct(volZero, n),
            n,
            after: afterBlock,
            // The setting's value as configured (quoted, not reformatted).
            minimum: minVol ? text('payload-fields.volume.minimum', { min: minVol.value ?? '', key: minVol.key }) : text('payload-fields.volume.harmless'),
            by_design: minVol && byDesign ? text('payload-fields.volume.by_design', { era: era ?? '' }) : '',
          }),
        ),
        evidence: ev,
      });
      if (minVol && !byDesign) {
        hypotheses.push({
          cause: 'market_data.volume_zero',
          title: text('payload-fields.hyp.volume_zero'),
          likelihood: likelihoodFromScore(1 + 2 + (signals === 0 ? 1 : 0))!,
          evidence: ev,
        });
        todos.push({
          category: 'CONFIG',
          title: text('payload-fields.todo.min_volume'),
          priority: 'high',
          effort: 'quick_win',
          where: era === 'A' ? '.env SIGNAL_MIN_VOLUME' : `${composeFile(era)} ${signalSvc} environment SIGNAL_MIN_VOLUME`,
          cause: 'market_data.volume_zero',
        });
        verification.push({ id: 'market_data.volume', title: text('payload-fields.check.volume'), kind: 'sql', check: 'SELECT COUNT(*) FROM market_data WHERE in_block = 1 AND volume > 0', expect: { op: '>', value: 0 } });
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
          text('payload-fields.pct_change', {
            share: pct(pctNull, n),
            n,
            after: afterBlock,
            consumer: era === 'A' ? text('payload-fields.pct_change.era_a') : text('payload-fields.pct_change.era_bc'),
          }),
        ),
        evidence: bStyle.slice(0, 1).map((b) => ctx.evidence(b.file_id, b.line_no, b.payload)),
      });
    }
    if (bStyle.length && era === 'A' && !byField.size) {
      findings.push({
        subject: 'schema',
        severity: 'medium',
        message: text('payload-fields.schema'),
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
        consumer_key_errors: keyErrors,
        payload_scope: atCollection ? 'at_collection' : 'block',
      },
      findings,
      hypotheses,
      todos,
      verification,
    };
  },
});
