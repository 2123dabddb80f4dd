/** Texts of the rule `trade-stats` (execution); keys start with the rule id. */
export const en = {
  'trade-stats.title': 'Trades: buys, sells, prices (mock fills)',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'trade-stats.title': 'Trades: Käufe, Verkäufe, Preise (Mock-Fills)',
};
