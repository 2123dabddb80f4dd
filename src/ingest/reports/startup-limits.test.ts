import { describe, expect, it } from 'vitest';
import { extractStartupLimits } from './startup-limits.js';

describe('extractStartupLimits', () => {
  it.each([
    ['cdb_risk', '   Max Position: 10.0%', 'MAX_POSITION_PCT', '0.1', 0.1, 'Max Position', '10.0%'],
    ['cdb_risk', '   Max Exposure: 50.0%', 'MAX_EXPOSURE_PCT', '0.5', 0.5, 'Max Exposure', '50.0%'],
    ['cdb_risk', '   Max Exposure: 30.000000000000004%', 'MAX_EXPOSURE_PCT', '0.3', 0.3, 'Max Exposure', '30.000000000000004%'],
    ['cdb_risk', '   Max Drawdown: 5.0%', 'MAX_DAILY_DRAWDOWN_PCT', '0.05', 0.05, 'Max Drawdown', '5.0%'],
    ['cdb_risk', '   Stop-Loss: 2.0%', 'STOP_LOSS_PCT', '0.02', 0.02, 'Stop-Loss', '2.0%'],
    ['cdb_risk', '   Max Position: 7.000000000000001%', 'MAX_POSITION_PCT', '0.07', 0.07, 'Max Position', '7.000000000000001%'],
    ['cdb_core', '   Schwelle: 3.0%', 'SIGNAL_THRESHOLD_PCT', '3', 3, 'Schwelle', '3.0%'],
    ['cdb_signal', '   Schwelle: 0.005%', 'SIGNAL_THRESHOLD_PCT', '0.005', 0.005, 'Schwelle', '0.005%'],
    ['cdb_core', '   Lookback: 15min', 'SIGNAL_LOOKBACK_MIN', '15', 15, 'Lookback', '15min'],
    ['cdb_core', '   Min. Volume: 100000.0', 'SIGNAL_MIN_VOLUME', '100000', 100000, 'Min. Volume', '100000.0'],
    ['cdb_signal', '   Min. Volume: 0.0', 'SIGNAL_MIN_VOLUME', '0', 0, 'Min. Volume', '0.0'],
    ['cdb_paper_runner', '  Duration:    14 days', 'PAPER_TRADING_DURATION_DAYS', '14', 14, 'Duration', '14 days'],
    ['cdb_ws', 'WEBSOCKET SERVICE - MODE: stub', 'WS_SOURCE', 'stub', null, 'WEBSOCKET SERVICE - MODE', 'stub'],
  ])('%s %j → %s=%s', (service, message, key, value, num, label, printed) => {
    const out = extractStartupLimits(service, message);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ key, value, num, label, printed });
  });

  it('names both exposure variables for Max Exposure and keeps the printed label', () => {
    const [r] = extractStartupLimits('cdb_risk', '   Max Exposure: 30.0%');
    expect(r.key).toBe('MAX_EXPOSURE_PCT');
    expect(r.altKeys).toEqual(['MAX_TOTAL_EXPOSURE_PCT']);
    expect(r.label).toBe('Max Exposure');
  });

  it('reads every line of a multi-line message', () => {
    const msg = '🚀 Risk-Manager gestartet\n   Max Position: 10.0%\n   Max Exposure: 50.0%\n   Max Drawdown: 5.0%\n   Stop-Loss: 2.0%';
    expect(extractStartupLimits('cdb_risk-1', msg).map((r) => [r.key, r.num])).toEqual([
      ['MAX_POSITION_PCT', 0.1],
      ['MAX_EXPOSURE_PCT', 0.5],
      ['MAX_DAILY_DRAWDOWN_PCT', 0.05],
      ['STOP_LOSS_PCT', 0.02],
    ]);
  });

  it('reads the B execution config line', () => {
    const out = extractStartupLimits('cdb_execution', 'Trading config: TRADING_MODE=paper DRY_RUN=True MOCK_TRADING=True');
    expect(out.map((r) => [r.key, r.value])).toEqual([
      ['TRADING_MODE', 'paper'],
      ['DRY_RUN', 'true'],
      ['MOCK_TRADING', 'true'],
    ]);
  });

  it.each([
    ['cdb_core', '   Max Exposure: 50.0%', 'a risk label in the signal engine'],
    ['cdb_risk', '   Schwelle: 3.0%', 'a signal label in the risk manager'],
    ['cdb_risk', '⚠️ Max Exposure erreicht: 5120.40 >= 5000.00', 'the exposure rejection, not the limit'],
    ['cdb_risk', 'Max Exposure: fifty%', 'a non-number'],
    ['cdb_risk', '', 'an empty message'],
  ])('%s %j yields nothing (%s)', (service, message) => {
    expect(extractStartupLimits(service, message)).toEqual([]);
  });

  it('applies every rule when the service is unknown', () => {
    expect(extractStartupLimits('', '   Stop-Loss: 2.0%').map((r) => r.key)).toEqual(['STOP_LOSS_PCT']);
  });
});
