import { detectCommand } from './detect.js';
import { ingestCommand } from './ingest.js';
import { queryCommand } from './query.js';
import type { CommandDef } from './types.js';

export const commands: CommandDef[] = [ingestCommand, detectCommand, queryCommand];
