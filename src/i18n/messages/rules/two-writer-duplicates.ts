/** Texts of the rule `two-writer-duplicates` (execution); keys start with the rule id. */
export const en = {
  'two-writer-duplicates.title': 'Two writers: raw vs deduplicated orders and trades',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'two-writer-duplicates.title': 'Zwei Writer: Orders und Trades roh vs. dedupliziert',
};
