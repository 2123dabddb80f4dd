/**
 * One vocabulary for why the risk manager blocked a signal, whatever wrote the reason: the real
 * German log lines (§3.4), alert codes, the fork's decision-contract codes (§5.2), the runbook's
 * English strings (§3.6) and the test-only engine codes. Pure: the model builder and the rules
 * both call it, so a reason counts under the same code everywhere.
 *
 * The function is idempotent: normalising a returned code gives the same code back, so a
 * `reason_code` column that already holds a code can be passed through again safely.
 */

export interface RiskReason {
  /** Stable code: `exposure`, `drawdown`, `position_size`, ..., `rc_002`, `other`, `unknown`. */
  code: string;
  /** Short human label. */
  label: string;
}

/** Decision-contract reason codes of the fork (§5.2). */
export const RC_MEANINGS: Record<string, string> = {
  RC_001: 'circuit breaker or bad/stale regime',
  RC_002: 'panic guard (return_1m <= -2, return_5m <= -5, |price_change_5m| > 10, or any of these inputs missing)',
  RC_003: 'market data stale > 5 s',
  RC_004: 'market data silent > 30 s',
  RC_010: 'momentum too weak (pct_change_15m < 3.0 or volume_15m < 0.165)',
  RC_020: 'daily drawdown >= 5 %',
  RC_021: 'exposure >= 50 %',
  RC_022: 'slippage > 1 %',
};

export const REASON_LABELS: Record<string, string> = {
  exposure: 'Max exposure reached',
  drawdown: 'Daily loss / drawdown limit (circuit breaker)',
  position_size: 'Position size limit',
  missing_strategy_id: 'Signal without strategy_id',
  cooldown: 'Allocation cooldown active',
  no_allocation: 'No allocation for the strategy',
  risk_off: 'Regime risk-off (reduce-only)',
  bot_shutdown: 'Bot shutdown active',
  sizing_skip: 'Order sizing skipped (invalid price or sanity check)',
  kill_switch: 'Kill switch',
  projected_exposure: 'Projected exposure above the hard gate',
  slippage: 'Slippage limit',
  other: 'Unrecognised reason',
  unknown: 'No reason recorded',
};

/** Ordered: the first match wins, so specific texts come before the generic words they contain. */
const PATTERNS: { code: string; re: RegExp }[] = [
  { code: 'projected_exposure', re: /HARD EXPOSURE GATE|projected[ _]exposure|EXPOSURE_LIMIT_PROJECTED/i },
  { code: 'kill_switch', re: /kill[ _-]?switch/i },
  { code: 'missing_strategy_id', re: /MISSING_STRATEGY_ID|ohne strategy_id|missing strategy[ _-]?id/i },
  { code: 'bot_shutdown', re: /bot[ _-]?shutdown/i },
  { code: 'risk_off', re: /risk[ _-]?off|reduce[ _-]?only/i },
  { code: 'cooldown', re: /cooldown/i },
  { code: 'no_allocation', re: /Keine Allokation|no[ _]allocation|zero allocation/i },
  { code: 'sizing_skip', re: /Signal SKIPPED|sizing[ _]skip|SANITY CHECK FAILED|Sanity check failed|position_size_zero_after_sizing/i },
  { code: 'drawdown', re: /circuit[ _-]?breaker|Daily Loss|drawdown/i },
  { code: 'position_size', re: /Position zu gro|position[ _-]?(?:limit|size)|MAX_POSITION/i },
  { code: 'exposure', re: /exposure/i },
  { code: 'slippage', re: /slippage/i },
  // A bare alert code: the position check can never fire (§3.4), so RISK_LIMIT means exposure.
  { code: 'exposure', re: /\bRISK_LIMIT\b/ },
  { code: 'sizing_skip', re: /\bSKIPPED\b/ },
];

const RC_RE = /\bRC_?0*(\d{1,3})\b/i;

export function normalizeRiskReason(text: string | null | undefined): RiskReason {
  const t = (text ?? '').trim();
  if (t === '') return { code: 'unknown', label: REASON_LABELS.unknown };
  const rc = RC_RE.exec(t);
  if (rc) {
    const key = `RC_${rc[1].padStart(3, '0')}`;
    const meaning = RC_MEANINGS[key];
    return { code: key.toLowerCase(), label: meaning ? `${key}: ${meaning}` : `${key}: decision-contract block` };
  }
  for (const p of PATTERNS) {
    if (p.re.test(t)) return { code: p.code, label: REASON_LABELS[p.code] };
  }
  if (/^other$/i.test(t)) return { code: 'other', label: REASON_LABELS.other };
  if (/^unknown$/i.test(t)) return { code: 'unknown', label: REASON_LABELS.unknown };
  return { code: 'other', label: REASON_LABELS.other };
}

/** The hypothesis cause a dominant rejection reason points at. */
export function reasonCause(code: string): string {
  if (code.startsWith('rc_')) return `risk.contract_${code}`;
  const map: Record<string, string> = {
    exposure: 'risk.exposure_limit',
    drawdown: 'risk.drawdown_limit',
    position_size: 'risk.position_limit',
    missing_strategy_id: 'signal.missing_strategy_id',
    cooldown: 'risk.allocation_cooldown',
    no_allocation: 'risk.no_allocation',
    risk_off: 'risk.regime_risk_off',
    bot_shutdown: 'risk.bot_shutdown',
    sizing_skip: 'risk.sizing_skip',
    kill_switch: 'risk.kill_switch',
    projected_exposure: 'risk.projected_exposure',
    slippage: 'risk.slippage_limit',
  };
  return map[code] ?? 'risk.rejects_unrecognised';
}
