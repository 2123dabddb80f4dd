/** Texts of the rule `connectivity-failures` (system); keys start with the rule id. */
export const en = {
  'connectivity-failures.title': 'Authentication and connection failures (Redis, PostgreSQL), crash loops after sys.exit',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'connectivity-failures.title': 'Authentifizierungs- und Verbindungsfehler (Redis, PostgreSQL), Crash-Loops nach sys.exit',
};
