/** Texts of the rule `payload-fields` (market_data); keys start with the rule id. */
export const en = {
  'payload-fields.title': 'Market data payload fields: volume always 0, pct_change missing, B-style ticks to an A consumer',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'payload-fields.title': 'Payload-Felder der Marktdaten: volume immer 0, pct_change fehlt, Ticks im B-Format an einen A-Consumer',
};
