/** Texts of the rule `uptime` (system); keys start with the rule id. */
export const en = {
  'uptime.title': 'Uptime of containers and Redis against the block length',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'uptime.title': 'Laufzeit der Container und von Redis im Vergleich zur Blocklänge',
};
