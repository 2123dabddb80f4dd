/** Texts of the rule `report-reconciliation` (reporting); keys start with the rule id. */
export const en = {
  'report-reconciliation.title': 'Daily report values vs DB counts over the windows the reports really count',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'report-reconciliation.title': 'Werte der Daily-Reports vs. DB-Counts über die Zeitfenster, die die Reports wirklich zählen',
};
