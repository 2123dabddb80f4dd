/** Texts of the rule `redis-memory` (system); keys start with the rule id. */
export const en = {
  'redis-memory.title': 'Redis memory pressure and evictions',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'redis-memory.title': 'Redis-Speicherdruck und Evictions',
};
