/** Texts of the rule `db-counts-per-day` (reporting); keys start with the rule id. */
export const en = {
  'db-counts-per-day.title': 'Signals, risk decisions and trades per UTC day (the runbook queries)',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'db-counts-per-day.title': 'Signale, Risk-Entscheidungen und Trades pro UTC-Tag (die Runbook-Abfragen)',
};
