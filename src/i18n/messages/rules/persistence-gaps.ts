/** Texts of the rule `persistence-gaps` (reporting); keys start with the rule id. */
export const en = {
  'persistence-gaps.title': 'Signals and trades seen in Redis or logs but missing from the DB (same time span)',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'persistence-gaps.title': 'Signale und Trades, die in Redis oder Logs zu sehen sind, aber in der DB fehlen (gleicher Zeitraum)',
};
