import { describe, expect, it } from 'vitest';
import { sentencesOf, spoken, TestDb } from '../../testing.js';
import { REASON_LABELS, RC_MEANINGS } from '../../../catalog/risk-reasons.js';
import { render } from '../../../i18n/translate.js';
import { addLogs, addRows, times } from '../shared/testing.js';
import rule, { decisionReason, dominanceLikelihood, reasonLabel } from './risk-decisions.js';

type D = [n: number, decision: 'approved' | 'rejected', text: string | null, code?: string | null];

/** Decisions as the model builder stores them; log-sourced ones also get their log line. */
function build(decisions: D[], opts: { source?: 'log' | 'db'; signals?: number; riskAlive?: boolean; received?: number } = {}): TestDb {
  const t = new TestDb();
  const source = opts.source ?? 'log';
  let clock = Date.parse('2025-11-26T01:00:00.000Z');
  for (const [n, decision, text, code] of decisions) {
    for (let i = 0; i < n; i++) {
      const ts = new Date((clock += 600_000)).toISOString();
      let file_id: number | null = null;
      let line_no: number | null = null;
      if (source === 'log') {
        const msg = decision === 'approved' ? '✅ Order freigegeben: BTC_USDT BUY qty=350.0000' : (text ?? '');
        [[file_id, line_no]] = addLogs(t, 'cdb_risk', [[ts, msg, decision === 'approved' ? 'INFO' : 'WARNING']]);
      }
      addRows(t, 'risk_decisions', [{ ts, symbol: 'BTCUSDT', side: 'BUY', decision, reason_text: text, reason_code: code ?? null, source, in_block: 1, file_id, line_no }]);
    }
  }
  if (opts.signals) {
    addRows(t, 'signals', times('2025-11-26T02:00:00.000Z', opts.signals, 600_000).map((ts) => ({ ts, symbol: 'BTCUSDT', side: 'BUY', source: 'db', in_block: 1 })));
  }
  if (opts.riskAlive) {
    addLogs(t, 'cdb_risk', [
      ['2025-11-26T00:00:01.000Z', '🚀 Risk-Manager gestartet'],
      ['2025-11-28T23:00:00.000Z', '"GET /health HTTP/1.1" 200 -'],
    ]);
  }
  if (opts.received) {
    addLogs(t, 'cdb_risk', times('2025-11-26T03:00:00.000Z', opts.received, 60_000).map((ts) => [ts, '📨 Signal empfangen: BTC_USDT BUY']));
  }
  return t;
}

const EXPOSURE = '⚠️ Max Exposure erreicht: 5120.40 >= 5000.00';

describe('risk-decisions', () => {
  it.each<[string, D[], Parameters<typeof build>[1], string, string, string]>([
    ['all rejected for exposure', [[30, 'rejected', EXPOSURE]], {}, 'fail', 'risk.exposure_limit', 'very_likely'],
    ['runbook risk_events: Daily Drawdown exceeded', [[127, 'rejected', 'Daily Drawdown exceeded (5.2% > 5.0%)']], { source: 'db' }, 'fail', 'risk.drawdown_limit', 'very_likely'],
    ['pre-normalised code only', [[25, 'rejected', null, 'circuit_breaker']], { source: 'db' }, 'fail', 'risk.drawdown_limit', 'very_likely'],
    ['decision contract RC_002', [[30, 'rejected', 'Decision contract BLOCK: RC_002', 'rc_002']], {}, 'fail', 'risk.contract_rc_002', 'very_likely'],
    ['mixed reasons', [[12, 'rejected', EXPOSURE], [8, 'rejected', 'Signal blockiert: Cooldown aktiv']], {}, 'fail', 'risk.exposure_limit', 'likely'],
    ['only a few rejections', [[3, 'rejected', EXPOSURE]], {}, 'warn', 'risk.exposure_limit', 'possible'],
    ['approval rate below 5 %', [[1, 'approved', null], [40, 'rejected', 'Alert: [CRITICAL] MISSING_STRATEGY_ID: Signal ohne strategy_id abgelehnt']], {}, 'warn', 'signal.missing_strategy_id', 'likely'],
  ])('MUST fire: %s', (_n, decisions, opts, status, cause, likelihood) => {
    const r = spoken(rule.check(build(decisions, opts).context()));
    expect(r.status).toBe(status);
    expect(r.hypotheses?.[0]).toMatchObject({ cause, likelihood });
    expect(r.hypotheses![0].evidence.length).toBeGreaterThan(0);
  });

  it.each<[string, D[], Parameters<typeof build>[1], string]>([
    ['healthy approvals with a few exposure rejections', [[30, 'approved', null], [5, 'rejected', EXPOSURE]], {}, 'ok'],
    ['no evidence at all', [], {}, 'not_evaluable'],
    ['signals but no risk log to check them against', [], { signals: 20 }, 'not_evaluable'],
  ])('MUST NOT fire: %s', (_n, decisions, opts, status) => {
    const r = spoken(rule.check(build(decisions, opts).context()));
    expect(r.status).toBe(status);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('fails when signals flow while the risk log is silent', () => {
    const r = spoken(rule.check(build([], { signals: 20, riskAlive: true }).context()));
    expect(r.status).toBe('fail');
    expect(r.hypotheses?.[0].cause).toBe('risk.not_receiving_signals');
  });

  it('warns when signals were received but no outcome recorded', () => {
    const r = spoken(rule.check(build([], { received: 4 }).context()));
    expect(r.status).toBe('warn');
    expect(r.findings?.[0].subject).toBe('no-outcome');
  });

  it('counts, ranks reasons and gives the runbook checks', () => {
    const r = spoken(rule.check(build([[2, 'approved', null], [8, 'rejected', EXPOSURE], [3, 'rejected', 'Position zu groß: 1.00 > 2.00']]).context()));
    expect(r.metrics).toMatchObject({ decisions_total: 13, approved: 2, rejected: 11, reason_exposure: 8, reason_position_size: 3 });
    expect(r.findings?.map((f) => f.subject)).toEqual(['decisions', 'reason:exposure', 'reason:position_size']);
    expect(r.verification?.find((v) => v.id === 'risk-approved')).toMatchObject({
      kind: 'sql',
      check: 'SELECT COUNT(*) FROM risk_events WHERE approved = 1 AND in_block = 1',
      expect: { op: '>=', value: 10 },
    });
  });

  it('counts alert codes from the risk log when the alerts channel was not captured', () => {
    const r = spoken(rule.check(build([[1, 'approved', null], [40, 'rejected', 'Alert: [CRITICAL] MISSING_STRATEGY_ID: Signal ohne strategy_id abgelehnt']]).context()));
    expect(r.metrics).toMatchObject({ alert_MISSING_STRATEGY_ID: 40 });
    expect(r.findings?.find((f) => f.subject === 'alerts')?.message).toBe('Risk alerts by code: MISSING_STRATEGY_ID 40 (risk log).');
  });

  it('the exposure hypothesis weakens as rejections are removed', () => {
    const l = (n: number) => spoken(rule.check(build([[n, 'rejected', EXPOSURE]]).context())).hypotheses?.[0]?.likelihood;
    expect(l(30)).toBe('very_likely');
    expect(l(6)).toBe('likely');
    expect(l(2)).toBe('possible');
    expect(l(0)).toBeUndefined();
  });

  it('adds a log check that the dominant reason is gone, and never points a to-do at an unread variable', () => {
    const r = spoken(rule.check(build([[127, 'rejected', 'Daily Drawdown exceeded (5.2% > 5.0%)']], { source: 'db' }).context()));
    expect(r.verification?.some((v) => v.kind === 'log' && new RegExp(v.check).test('Daily Drawdown exceeded (5.2% > 5.0%)'))).toBe(true);
    for (const t of r.todos ?? []) expect(t.where).not.toMatch(/CIRCUIT_BREAKER_THRESHOLD_PCT|MIN_CONFIDENCE|MAX_TOTAL_EXPOSURE_PCT/);
    expect(r.todos?.[0].where).toBe('.env MAX_DAILY_DRAWDOWN_PCT');
  });

  it.each<[string, 'en' | 'de', D[], Parameters<typeof build>[1], string, string[]]>([
    [
      'every decision a rejection',
      'en',
      [[30, 'rejected', EXPOSURE]],
      {},
      'all-rejected',
      [
        'Every one of 30 decisions is a rejection; nothing reaches execution.',
        'Reject reason #1: Max exposure reached — 30 of 30 rejections (100 %).',
        'Risk rejects signals: Max exposure reached',
        '30 of 30 rejections (100 %) carry this reason and no signal was approved. An exposure that never falls points at persisted state (see risk-state).',
        'No "Max exposure reached" rejections',
      ],
    ],
    [
      'every decision a rejection',
      'de',
      [[30, 'rejected', EXPOSURE]],
      {},
      'all-rejected',
      [
        'Alle 30 Entscheidungen sind Ablehnungen; nichts erreicht die Execution.',
        'Reject-Grund #1: Max Exposure erreicht — 30 von 30 Ablehnungen (100 %).',
        'Risk lehnt Signale ab: Max Exposure erreicht',
        '30 von 30 Ablehnungen (100 %) tragen diesen Grund, und kein Signal wurde genehmigt. Eine Exposure, die nie sinkt, deutet auf persistierten State (siehe risk-state).',
        'Keine Ablehnungen „Max Exposure erreicht“',
      ],
    ],
    [
      'a decision-contract code and a low approval rate',
      'en',
      [[1, 'approved', null], [40, 'rejected', 'Decision contract BLOCK: RC_002', 'rc_002']],
      {},
      'low-approval',
      [
        '41 risk decisions: 1 approved, 40 rejected (approval 2.4 %); 0 `Signal empfangen` lines.',
        'Only 1 of 41 decisions approved (2.4 %).',
        'Risk rejects signals: RC_002: panic guard (return_1m <= -2, return_5m <= -5, |price_change_5m| > 10, or any of these inputs missing)',
        '40 of 40 rejections (100 %) carry this reason. Decision contract: panic guard (return_1m <= -2, return_5m <= -5, |price_change_5m| > 10, or any of these inputs missing).',
      ],
    ],
    [
      'a decision-contract code and a low approval rate',
      'de',
      [[1, 'approved', null], [40, 'rejected', 'Decision contract BLOCK: RC_002', 'rc_002']],
      {},
      'low-approval',
      [
        '41 Risk-Entscheidungen: 1 genehmigt, 40 abgelehnt (Approval-Rate 2,4 %); 0 Zeilen `Signal empfangen`.',
        'Nur 1 von 41 Entscheidungen genehmigt (2,4 %).',
        '40 von 40 Ablehnungen (100 %) tragen diesen Grund. Decision Contract: Panic Guard (return_1m <= -2, return_5m <= -5, |price_change_5m| > 10, oder eine dieser Eingaben fehlt).',
      ],
    ],
    ['one signal received without outcome', 'en', [], { received: 1 }, 'no-outcome', ['1 signal received by the risk manager, but no decision outcome was recorded for them.']],
    ['signals received without outcome', 'de', [], { received: 4 }, 'no-outcome', ['4 Signale vom Risk-Manager empfangen, aber für keines wurde ein Entscheidungsergebnis festgehalten.']],
    [
      'signals while the risk log is silent',
      'de',
      [],
      { signals: 20, riskAlive: true },
      'not-receiving',
      [
        '20 Signale wurden veröffentlicht, während das Risk-Log mitlief, aber der Risk-Manager hat kein `Signal empfangen` und keine Entscheidung geloggt.',
        'Der Risk-Manager empfängt die Signale nicht (nicht abonniert, anderer Kanal, abgestürzte Schleife)',
        'PUBSUB NUMSUB signals und das Abonnement des Risk-Managers prüfen (`Subscribed zu Topic: signals`)',
      ],
    ],
  ])('says it in words: %s (%s)', (_n, lang, decisions, opts, subject, sentences) => {
    const r = spoken(rule.check(build(decisions, opts).context()), lang);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
    const said = sentencesOf(r);
    for (const s of sentences) expect(said).toContain(s);
  });

  it('says why it cannot evaluate, in either language', () => {
    expect(spoken(rule.check(build([]).context())).missing).toBe('no risk decisions in the block: no cdb_risk logs, alerts or risk_events covering it');
    expect(spoken(rule.check(build([]).context()), 'de').missing).toBe('keine Risk-Entscheidungen im Block: keine cdb_risk-Logs, Alerts oder risk_events, die ihn abdecken');
  });

  // The report names a reason class as the reason catalog labels it; the keyed text must not drift from it.
  it.each(Object.keys(REASON_LABELS).map((c) => [c]))('reason %s is named as src/catalog labels it', (code) => {
    expect(render('en', reasonLabel(code))).toBe(REASON_LABELS[code]);
    expect(render('en', reasonLabel(code))).toBe(decisionReason(code, null).label);
  });

  it.each([...Object.keys(RC_MEANINGS), 'RC_099'].map((c) => [c]))('decision-contract code %s is named as src/catalog labels it', (code) => {
    expect(render('en', reasonLabel(code.toLowerCase()))).toBe(decisionReason(code.toLowerCase(), null).label);
  });

  it.each<[string | null, string | null, string]>([
    ['drawdown', 'Daily Drawdown exceeded (5.2% > 5.0%)', 'drawdown'],
    [null, 'Max Exposure erreicht: 1 >= 1', 'exposure'],
    ['rc_002', 'BLOCK', 'rc_002'],
    ['other', 'Signal blockiert: Keine Allokation', 'no_allocation'],
    [null, null, 'unknown'],
  ])('decisionReason(%j, %j) = %s', (code, text, expected) => {
    expect(decisionReason(code, text).code).toBe(expected);
  });

  it.each<[number, number, string]>([
    [1, 127, 'very_likely'],
    [0.9, 6, 'likely'],
    [0.5, 20, 'likely'],
    [0.5, 10, 'possible'],
  ])('dominanceLikelihood(%f, %i) = %s', (share, n, l) => {
    expect(dominanceLikelihood(share, n)).toBe(l);
  });
});
