/** Texts of the rule `report-missing` (reporting); keys start with the rule id. */
export const en = {
  'report-missing.title': 'Block days without a daily report',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'report-missing.title': 'Blocktage ohne Daily-Report',
};
