/** Texts of the rule `signal-generation` (signal_engine); keys start with the rule id. */
export const en = {
  'signal-generation.title': 'Market data in, signals out',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'signal-generation.title': 'Marktdaten rein, Signale raus',
};
