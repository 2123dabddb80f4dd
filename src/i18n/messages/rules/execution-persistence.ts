/** Texts of the rule `execution-persistence` (execution); keys start with the rule id. */
export const en = {
  'execution-persistence.title': 'Executed but not persisted',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'execution-persistence.title': 'Ausgeführt, aber nicht persistiert',
};
