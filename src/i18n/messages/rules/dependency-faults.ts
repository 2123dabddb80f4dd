/** Texts of the rule `dependency-faults` (system); keys start with the rule id. */
export const en = {
  'dependency-faults.title': 'Redis or PostgreSQL cannot load or store its data (its own log), and the clients it takes down',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'dependency-faults.title': 'Redis oder PostgreSQL kann seine Daten nicht laden oder speichern (eigenes Log), und die Clients, die es mitreißt',
};
