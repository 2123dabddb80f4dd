/**
 * Texts the rule helpers share (src/analysis/rule-kit.ts, src/analysis/rules/shared/): log
 * coverage, the reworded to-dos of contradicted-todos, where a variable is set. Keys start with `shared.`.
 */
export const en = {
  'shared.unknown_service': '(unknown service)',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'shared.unknown_service': '(unbekannter Dienst)',
};
