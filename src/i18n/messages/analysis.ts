/** Texts of the analysis outside the rules: the engine, break in time, causes, timeline, flow, KPIs, stage floors, captures, reconciliation, the summary story. */
export const en = {
  'engine.needs': 'needs {needs:list}',
  'engine.rule_failed': 'the rule failed: {message}',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'engine.needs': 'benötigt {needs:list}',
  'engine.rule_failed': 'die Regel ist fehlgeschlagen: {message}',
};
