/**
 * Message patterns of the real services (formats doc §3), anchored on the ASCII part of each
 * message so mojibake'd emoji (`âœ…`, `Ô£à`) still match.
 */

/** `📨 Signal empfangen: BTC_USDT BUY` — not the POSIX `Signal empfangen: 15` at shutdown. */
export const RISK_SIGNAL_RECEIVED = /Signal empfangen: ([A-Za-z0-9_\-/]{3,}) (BUY|SELL)\b/i;
export const RISK_APPROVED = /Order freigegeben: ([A-Za-z0-9_\-/]{3,}) (BUY|SELL)(?: qty=([\d.]+))?/i;

/**
 * Rejection outcome lines, one per blocked signal (the counting rule of §3.4: never count the
 * `Alert: ...` wrapper and the outcome line both). MISSING_STRATEGY_ID logs only the Alert line.
 */
export const RISK_REJECTIONS: RegExp[] = [
  /^(?!Alert:).*Max Exposure erreicht:/,
  /^(?!Alert:).*Circuit Breaker! Daily Loss:/,
  /^(?!Alert:).*Position zu gro/,
  /^Alert: \[\w+\] MISSING_STRATEGY_ID:/,
  /Signal blockiert(?: durch Kill-Switch)?:/,
  /Signal SKIPPED:/,
  /HARD EXPOSURE GATE:/,
  /Decision contract BLOCK: RC_\d+/,
  // runbook dialect (§3.6)
  /Daily Drawdown exceeded/i,
  /^(?!Alert:).*\bPosition Limit\b/,
];

export const SIGNAL_GENERATED = /Signal generiert: ([A-Za-z0-9_\-/]{3,}) (BUY|SELL) @ \$?([\d.,]+)(?: \(([+-]?[\d.]+)%(?:, Confidence: ([\d.]+))?\))?/i;
export const EXEC_PROCESSING = /Processing order: ([A-Za-z0-9_\-/]{3,}) (BUY|SELL)(?: qty=([\d.]+))?/i;
export const EXEC_FILLED = /Order filled: (\S+) at ([\d.]+)/;
export const EXEC_REJECTED = /Order rejected: (\S+)(?: - (.*))?/;
export const WS_PUBLISHED = /\[redis\] published market_data: ([A-Za-z0-9_\-/]{3,}) @ ([\d.]+)/;
