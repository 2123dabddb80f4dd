/** Texts of the rule `market-data-silence` (market_data); keys start with the rule id. */
export const en = {
  'market-data-silence.title': 'Silences of 10+ minutes in market data while the source kept listening',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'market-data-silence.title': 'Stille von 10+ Minuten in den Marktdaten, während die Quelle weiter lauschte',
};
