/** Texts of the rule `market-data-flow` (market_data); keys start with the rule id. */
export const en = {
  'market-data-flow.title': 'Market data reaches Redis: events per minute, symbols, a sample — or why nothing is published',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'market-data-flow.title': 'Marktdaten erreichen Redis: Events pro Minute, Symbole, eine Stichprobe — oder warum nichts veröffentlicht wird',
};
