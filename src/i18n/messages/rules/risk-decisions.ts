/** Texts of the rule `risk-decisions` (risk); keys start with the rule id. */
export const en = {
  'risk-decisions.title': 'Risk decisions: approved vs rejected and why',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'risk-decisions.title': 'Risk-Entscheidungen: genehmigt vs. abgelehnt und warum',
};
