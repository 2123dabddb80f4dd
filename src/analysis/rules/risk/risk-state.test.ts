import { describe, expect, it } from 'vitest';
import { sentencesOf, spoken, TestDb } from '../../testing.js';
import { addLogs, addRows, times } from '../shared/testing.js';
import rule from './risk-state.js';

interface S {
  load?: string | null;
  loadAt?: string;
  fresh?: string;
  exposures?: number[];
  approved?: number;
  breaker?: { day: string; n: number; text?: string }[];
  healthOnly?: boolean;
}

function run(s: S, lang: 'en' | 'de' = 'en') {
  const t = new TestDb();
  if (s.load) addLogs(t, 'cdb_risk', [[s.loadAt ?? '2025-11-25T20:00:00.000Z', s.load]], { inBlock: 0 });
  if (s.fresh) addLogs(t, 'cdb_risk', [[s.fresh, 'Kein persistierter Risk-State gefunden - starte mit frischem State']]);
  (s.exposures ?? []).forEach((e, i) => {
    const ts = new Date(Date.parse('2025-11-26T01:00:00.000Z') + i * 1_800_000).toISOString();
    const msg = `Max Exposure erreicht: ${e.toFixed(2)} >= 5000.00`;
    addLogs(t, 'cdb_risk', [
      [ts, '📨 Signal empfangen: BTC_USDT BUY'],
      [ts, `Alert: [WARNING] RISK_LIMIT: ${msg}`, 'WARNING'],
      [ts, `⚠️ ${msg}`, 'WARNING'],
    ]);
    addRows(t, 'risk_decisions', [{ ts, decision: 'rejected', reason_text: msg, reason_code: 'exposure', source: 'log', in_block: 1 }]);
  });
  for (const b of s.breaker ?? []) {
    times(`${b.day}T02:00:00.000Z`, b.n, 3_600_000).forEach((ts) => {
      const msg = b.text ?? 'Circuit Breaker! Daily Loss: -520.00 <= -500.00';
      addLogs(t, 'cdb_risk', [[ts, `Alert: [CRITICAL] CIRCUIT_BREAKER: ${msg}`, 'WARNING'], [ts, `🚨 ${msg}`, 'WARNING']]);
      addRows(t, 'risk_decisions', [{ ts, decision: 'rejected', reason_text: msg, source: 'log', in_block: 1 }]);
    });
  }
  if (s.approved) {
    addRows(t, 'risk_decisions', times('2025-11-27T01:00:00.000Z', s.approved, 60_000).map((ts) => ({ ts, decision: 'approved', source: 'log', in_block: 1 })));
  }
  if (s.healthOnly) addLogs(t, 'cdb_risk', [['2025-11-26T00:00:10.000Z', '🚀 Risk-Manager gestartet']]);
  return spoken(rule.check(t.context()), lang);
}

const LOAD_STUCK = 'Risk-State aus Redis geladen: exposure=5120.40 positions=3 pnl=0.00';
const STUCK = Array(30).fill(5120.4);

describe('risk-state', () => {
  it.each<[string, S, string, string, string]>([
    ['loaded exposure at the limit, every rejection the same exposure', { load: LOAD_STUCK, exposures: STUCK }, 'fail', 'risk.exposure_state_stuck', 'very_likely'],
    ['loaded at the limit, exposure drifting', { load: LOAD_STUCK, exposures: STUCK.map((v, i) => v + 40 + i) }, 'fail', 'risk.exposure_state_stuck', 'likely'],
    ['no load line captured, constant exposure', { exposures: STUCK }, 'warn', 'risk.exposure_state_stuck', 'possible'],
    ['breaker on three days with the same loss', { breaker: [{ day: '2025-11-26', n: 5 }, { day: '2025-11-27', n: 5 }, { day: '2025-11-28', n: 5 }] }, 'fail', 'risk.daily_pnl_not_reset', 'very_likely'],
    [
      'runbook drawdown wording on three days',
      { breaker: ['2025-11-26', '2025-11-27', '2025-11-28'].map((day) => ({ day, n: 4, text: 'Daily Drawdown exceeded (5.2% > 5.0%)' })) },
      'fail',
      'risk.daily_pnl_not_reset',
      'likely',
    ],
  ])('MUST fire: %s', (_n, s, status, cause, likelihood) => {
    const r = run(s);
    expect(r.status).toBe(status);
    expect(r.hypotheses?.find((h) => h.cause === cause)?.likelihood).toBe(likelihood);
  });

  it.each<[string, S, string]>([
    ['fresh state loaded, approvals flow', { load: 'Risk-State aus Redis geladen: exposure=0.00 positions=0 pnl=0.00', approved: 20, healthOnly: true }, 'ok'],
    ['a few exposure rejections among approvals', { exposures: [5010, 5020, 5030], approved: 20 }, 'ok'],
    ['breaker on a single day', { breaker: [{ day: '2025-11-27', n: 3 }] }, 'warn'],
  ])('MUST NOT fire: %s', (_n, s, status) => {
    const r = run(s);
    expect(r.status).toBe(status);
    expect((r.hypotheses ?? []).filter((h) => h.likelihood !== 'unlikely')).toHaveLength(0);
  });

  it('is not evaluable without risk logs', () => {
    expect(run({}).status).toBe('not_evaluable');
  });

  it('counts a blocked signal once (not its Alert copy) and shows the load line as evidence', () => {
    const r = run({ load: LOAD_STUCK, exposures: STUCK });
    expect(r.metrics).toMatchObject({ exposure_rejection_lines: 30, loaded_exposure: 5120.4, exposure_limit: 5000 });
    const h = r.hypotheses!.find((x) => x.cause === 'risk.exposure_state_stuck')!;
    expect(h.evidence[0].text).toContain('Risk-State aus Redis geladen');
    expect(r.todos?.[0]).toMatchObject({ category: 'RISK', where: 'Redis key risk_state:persistence (cdb_risk, TTL 7 days)' });
  });

  it.each<[string, S, 'en' | 'de', string[]]>([
    [
      'exposure stuck at the loaded value',
      { load: LOAD_STUCK, exposures: STUCK },
      'en',
      [
        'Risk state loaded from Redis: exposure 5,120.4 ≥ limit 5,000, pnl 0.',
        'Exposure stays at 5,120.4 against the limit 5,000 in 30 rejections, no signal approved; the state was loaded from Redis with exposure 5,120.4.',
        'With no approval nothing can lower the exposure, so every later signal is rejected with the same value; the value came from `Risk-State aus Redis geladen` at startup.',
        'Reset the persisted risk state before the next block (exposure 5,120.4 vs limit 5,000)',
        'No "Max Exposure erreicht" rejections',
      ],
    ],
    [
      'exposure stuck at the loaded value',
      { load: LOAD_STUCK, exposures: STUCK },
      'de',
      [
        'Risk-State aus Redis geladen: Exposure 5.120,4 ≥ Limit 5.000, PnL 0.',
        'Exposure bleibt bei 5.120,4 gegenüber dem Limit 5.000 in 30 Ablehnungen, kein Signal genehmigt; der State wurde mit Exposure 5.120,4 aus Redis geladen.',
        'Den persistierten Risk-State vor dem nächsten Block zurücksetzen (Exposure 5.120,4 vs. Limit 5.000)',
      ],
    ],
    [
      'drifting exposure, no load line, a reset',
      { exposures: STUCK.map((v, i) => v + i * 10) },
      'en',
      [
        'Exposure ranges 5,120.4–5,410.4 against the limit 5,000 in 30 rejections, no signal approved.',
      ],
    ],
    [
      'constant exposure without a load line',
      { exposures: STUCK },
      'de',
      [
        'Ohne Genehmigung kann nichts die Exposure senken, also wird jedes spätere Signal mit demselben Wert abgelehnt; keine State-Load-Zeile wurde erfasst, die Herkunft der Exposure ist also nicht belegt.',
      ],
    ],
    [
      'breaker on three days',
      { breaker: [{ day: '2025-11-26', n: 5 }, { day: '2025-11-27', n: 5 }, { day: '2025-11-28', n: 5 }] },
      'en',
      ['The daily-loss limit blocks signals on 3 UTC days (2025-11-26, 2025-11-27, 2025-11-28) with the same value -520: the daily P&L is not reset at the day change.'],
    ],
    [
      'breaker on three days',
      { breaker: [{ day: '2025-11-26', n: 5 }, { day: '2025-11-27', n: 5 }, { day: '2025-11-28', n: 5 }] },
      'de',
      ['Das Tagesverlust-Limit blockiert Signale an 3 UTC-Tagen (26.11.2025, 27.11.2025, 28.11.2025) mit demselben Wert -520: der Tages-P&L wird beim Tageswechsel nicht zurückgesetzt.'],
    ],
    ['breaker on one day', { breaker: [{ day: '2025-11-27', n: 1 }] }, 'en', ['The daily-loss limit (circuit breaker) blocked 1 signal on 2025-11-27.']],
    ['breaker on one day', { breaker: [{ day: '2025-11-27', n: 3 }] }, 'de', ['Das Tagesverlust-Limit (Circuit Breaker) hat 3 Signale am 27.11.2025 blockiert.']],
    ['a healthy state', { load: 'Risk-State aus Redis geladen: exposure=0.00 positions=0 pnl=0.00', approved: 20, healthOnly: true }, 'de', ['Risk-State aus Redis geladen: Exposure 0 (Limit 5.000), PnL 0.']],
  ])('says it in words: %s (%s)', (_n, s, lang, sentences) => {
    const r = run(s, lang);
    const said = sentencesOf(r);
    for (const x of sentences) expect(said).toContain(x);
  });

  it('a fresh start after the load removes the load as evidence', () => {
    const withLoad = run({ load: LOAD_STUCK, exposures: STUCK });
    const freshAfter = run({ load: LOAD_STUCK, exposures: STUCK, fresh: '2025-11-26T00:30:00.000Z' });
    expect(withLoad.hypotheses![0].likelihood).toBe('very_likely');
    expect(freshAfter.hypotheses![0].likelihood).toBe('possible');
  });
});
