/** Texts of the rule `execution-orders` (execution); keys start with the rule id. */
export const en = {
  'execution-orders.title': 'Approved orders vs orders executed',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'execution-orders.title': 'Genehmigte Orders vs. ausgeführte Orders',
};
