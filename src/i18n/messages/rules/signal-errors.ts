/** Texts of the rule `signal-errors` (signal_engine); keys start with the rule id. */
export const en = {
  'signal-errors.title': 'Signal-engine exceptions per message',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'signal-errors.title': 'Exceptions der Signal-Engine pro Meldung',
};
