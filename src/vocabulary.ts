/**
 * Vocabulary every part of the tool may read (ingest, model, analysis, report): the six layers
 * of the runbook and the eras of the real system. Nothing here imports anything.
 */
export const LAYERS = ['system', 'market_data', 'signal_engine', 'risk', 'execution', 'reporting'] as const;
export type LayerId = (typeof LAYERS)[number];

/** Era A (legacy paper phase), B (new pipeline), C (fork: decision contract), and the runbook's dialect. */
export const ERAS = ['A', 'B', 'C', 'runbook'] as const;
export type Era = (typeof ERAS)[number];
