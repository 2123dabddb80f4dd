/** Texts of the rule `risk-state` (risk); keys start with the rule id. */
export const en = {
  'risk-state.title': 'Persisted risk state: exposure and circuit breaker that never reset',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'risk-state.title': 'Persistierter Risk-State: Exposure und Circuit Breaker, die nie zurückgesetzt werden',
};
