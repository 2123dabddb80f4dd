/** Texts of the rule `signal-filters` (signal_engine); keys start with the rule id. */
export const en = {
  'signal-filters.title': 'Signal filters against the data: threshold, volume minimum, strategy id, confidence',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'signal-filters.title': 'Signalfilter gegen die Daten: Schwelle, Mindestvolumen, Strategie-ID, Konfidenz',
};
