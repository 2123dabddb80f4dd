/** Texts of the rule `trade-stats` (execution); keys start with the rule id. */
export const en = {
  'trade-stats.title': 'Trades: buys, sells, prices (mock fills)',
  'trade-stats.missing': 'no trades in the block and no trades dump',
  'trade-stats.summary': '{n:int} trades: {buys:int} buy, {sells:int} sell, average price {avg:number}{by_symbol}.',
  'trade-stats.by_symbol': ' ({symbols:list})',
  'trade-stats.below_target': '{n:int} trades in the block, below the target of {target:int}.',
  'trade-stats.mock_prices':
    "{mock:int} of {priced:int} fills sit at the mock executor's hard-coded price (BTC* 50 000, ETH* 3 000, others 100, ±0.1 % plus slippage){signal_avg}. Fill prices that differ from signal prices are expected in paper mode, not a bug (§5.4).",
  'trade-stats.signal_avg': '; signals for {symbol} average {avg:number}',
  'trade-stats.non_mock_prices': 'Only {mock:int} of {priced:int} fills sit at the mock prices: these fills may not come from the mock executor (live or synthetic data).',
  'trade-stats.buy_only': 'Only BUY trades: the signal engine has no SELL logic; SELLs appear only as auto-unwind orders (era B from mid-January 2026).',
  'trade-stats.check.trades_total': 'Executed paper trades reach the target',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'trade-stats.title': 'Trades: Käufe, Verkäufe, Preise (Mock-Fills)',
  'trade-stats.missing': 'keine Trades im Block und kein Dump der Trades-Tabelle',
  'trade-stats.summary': '{n:int} Trades: {buys:int} Kauf, {sells:int} Verkauf, Durchschnittspreis {avg:number}{by_symbol}.',
  'trade-stats.by_symbol': ' ({symbols:list})',
  'trade-stats.below_target': '{n:int} Trades im Block, unter dem Ziel von {target:int}.',
  'trade-stats.mock_prices':
    '{mock:int} von {priced:int} Fills liegen beim fest eingebauten Preis des Mock-Executors (BTC* 50 000, ETH* 3 000, sonst 100, ±0,1 % plus Slippage){signal_avg}. Fill-Preise, die von den Signalpreisen abweichen, sind im Paper-Modus erwartet, kein Fehler (§5.4).',
  'trade-stats.signal_avg': '; Signale für {symbol} liegen im Schnitt bei {avg:number}',
  'trade-stats.non_mock_prices': 'Nur {mock:int} von {priced:int} Fills liegen bei den Mock-Preisen: diese Fills stammen womöglich nicht vom Mock-Executor (Live- oder synthetische Daten).',
  'trade-stats.buy_only': 'Nur BUY-Trades: die Signal-Engine hat keine SELL-Logik; SELLs erscheinen nur als Auto-Unwind-Orders (Ära B ab Mitte Januar 2026).',
  'trade-stats.check.trades_total': 'Ausgeführte Paper-Trades erreichen das Ziel',
};
