/** Texts of the rule `risk-limits-config` (risk); keys start with the rule id. */
export const en = {
  'risk-limits-config.title': 'Limits in effect vs the configuration, and variables no service reads',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'risk-limits-config.title': 'Wirksame Limits vs. Konfiguration, und Variablen, die kein Service liest',
};
