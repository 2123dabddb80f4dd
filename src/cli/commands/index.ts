import { analyzeCommand } from './analyze.js';
import { compareCommand } from './compare.js';
import { detectCommand } from './detect.js';
import { ingestCommand } from './ingest.js';
import { queryCommand } from './query.js';
import { replayCommand } from './replay.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { traceCommand } from './trace.js';
import { verifyCommand } from './verify.js';
import type { CommandDef } from './types.js';

/** In the order a new user meets them. */
export const commands: CommandDef[] = [runCommand, ingestCommand, detectCommand, analyzeCommand, reportCommand, traceCommand, verifyCommand, compareCommand, replayCommand, queryCommand];
