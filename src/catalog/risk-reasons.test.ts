import { describe, expect, it } from 'vitest';
import { normalizeRiskReason, reasonCause } from './risk-reasons.js';

const CASES: [text: string | null, code: string][] = [
  // real era-A/B log lines (§3.4), with and without the alert wrapper
  ['⚠️ Max Exposure erreicht: 5120.40 >= 5000.00', 'exposure'],
  ['Alert: [WARNING] RISK_LIMIT: Max Exposure erreicht: 5120.40 >= 5000.00', 'exposure'],
  ['Max Exposure erreicht: 3100.00 >= 3000.00 (filled: 2900.00, pending: 200.00)', 'exposure'],
  ['🚨 Circuit Breaker! Daily Loss: -520.00 <= -500.00', 'drawdown'],
  ['Alert: [CRITICAL] CIRCUIT_BREAKER: Circuit Breaker! Daily Loss: -520.00 <= -500.00', 'drawdown'],
  ['Position zu groß: 800.00 > 1000.00', 'position_size'],
  ['Position zu gro├ƒ: 800.00 > 1000.00', 'position_size'],
  ['Alert: [WARNING] RISK_LIMIT: Position zu groß: 800.00 > 1000.00', 'position_size'],
  ['Signal blockiert: Cooldown aktiv', 'cooldown'],
  ['Signal blockiert: Keine Allokation', 'no_allocation'],
  ['Signal blockiert: Risk-Off Reduce-Only', 'risk_off'],
  ['Signal blockiert: Bot-Shutdown aktiv', 'bot_shutdown'],
  ['Signal SKIPPED: BTCUSDT BUY - Invalid price', 'sizing_skip'],
  ['Signal SKIPPED: BTCUSDT BUY - Sanity check failed (qty too large)', 'sizing_skip'],
  ['Signal blockiert durch Kill-Switch: manual stop', 'kill_switch'],
  ['⛔ HARD EXPOSURE GATE: Order rejected BEFORE publish. Projected exposure 0.61 > limit 0.50 (total: 1, pending: 0, new_order: 1, client_id: x)', 'projected_exposure'],
  ['Order blocked: projected exposure 0.61 > 0.50', 'projected_exposure'],
  ['Alert: [CRITICAL] MISSING_STRATEGY_ID: Signal ohne strategy_id abgelehnt', 'missing_strategy_id'],
  // decision contract (§5.2)
  ['Decision contract BLOCK: RC_002', 'rc_002'],
  ['Decision contract BLOCK: RC_021', 'rc_021'],
  ['RC_010', 'rc_010'],
  ['RC_099', 'rc_099'],
  // bare alert codes
  ['RISK_LIMIT', 'exposure'],
  ['CIRCUIT_BREAKER', 'drawdown'],
  ['MISSING_STRATEGY_ID', 'missing_strategy_id'],
  ['KILL_SWITCH_ACTIVE', 'kill_switch'],
  ['KILL_SWITCH_UNEVALUABLE', 'kill_switch'],
  ['EXPOSURE_LIMIT_PROJECTED', 'projected_exposure'],
  // runbook dialect (§3.6)
  ['Daily Drawdown exceeded (5.2% > 5.0%)', 'drawdown'],
  ['Position Limit', 'position_size'],
  ['Max exposure limit reached', 'exposure'],
  // test-only engine codes
  ['max_daily_drawdown_exceeded', 'drawdown'],
  ['max_exposure_reached', 'exposure'],
  ['position_size_zero_after_sizing', 'sizing_skip'],
  ['excessive_slippage', 'slippage'],
  // other spellings a model builder may already have stored
  ['circuit_breaker', 'drawdown'],
  // nothing usable
  ['', 'unknown'],
  [null, 'unknown'],
  ['   ', 'unknown'],
  ['Execution-Service meldete einen Fehler', 'other'],
  ['something else entirely', 'other'],
];

describe('normalizeRiskReason', () => {
  it.each(CASES)('%j -> %s', (text, code) => {
    const r = normalizeRiskReason(text);
    expect(r.code).toBe(code);
    expect(r.label.length).toBeGreaterThan(3);
  });

  it.each(CASES)('is idempotent for %j', (text) => {
    const once = normalizeRiskReason(text);
    expect(normalizeRiskReason(once.code).code).toBe(once.code);
  });

  it.each([
    ['Decision contract BLOCK: RC_002', 'RC_002: panic guard'],
    ['Decision contract BLOCK: RC_020', 'RC_020: daily drawdown'],
  ])('labels %s with the contract meaning', (text, label) => {
    expect(normalizeRiskReason(text).label.startsWith(label)).toBe(true);
  });

  it.each([
    ['exposure', 'risk.exposure_limit'],
    ['drawdown', 'risk.drawdown_limit'],
    ['missing_strategy_id', 'signal.missing_strategy_id'],
    ['rc_002', 'risk.contract_rc_002'],
    ['other', 'risk.rejects_unrecognised'],
  ])('cause of %s is %s', (code, cause) => {
    expect(reasonCause(code)).toBe(cause);
  });
});
