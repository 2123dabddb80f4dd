/** Texts of the rule `exceptions` (system); keys start with the rule id. */
export const en = {
  'exceptions.title': 'Exceptions, tracebacks and ERROR/CRITICAL records per service',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'exceptions.title': 'Exceptions, Tracebacks und ERROR/CRITICAL-Einträge pro Service',
};
