/** Texts of the rule `container-restarts` (system); keys start with the rule id. */
export const en = {
  'container-restarts.title': 'Restarts, crash loops and exited containers per service',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'container-restarts.title': 'Neustarts, Crash-Loops und beendete Container pro Service',
};
