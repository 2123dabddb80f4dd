import { afterEach, describe, expect, it } from 'vitest';
import { PARALLEL_MIN_BYTES } from '../ingest/parallel.js';
import { BackgroundCheckpoints } from './checkpointer.js';

describe('BackgroundCheckpoints.wanted', () => {
  const saved = process.env.CDB_FORENSICS_BG_CHECKPOINT;
  afterEach(() => {
    if (saved === undefined) delete process.env.CDB_FORENSICS_BG_CHECKPOINT;
    else process.env.CDB_FORENSICS_BG_CHECKPOINT = saved;
  });

  it.each([
    ['a bundle read on several threads', PARALLEL_MIN_BYTES, 2, undefined, true],
    ['a bundle just under the parallel threshold', PARALLEL_MIN_BYTES - 1, 2, undefined, false],
    ['one thread: nothing runs beside the writer', 10 * PARALLEL_MIN_BYTES, 1, undefined, false],
    ['forced on for a small bundle', 1, 1, '1', true],
    ['forced off for a large one', 10 * PARALLEL_MIN_BYTES, 3, '0', false],
    ['an unknown override is ignored', PARALLEL_MIN_BYTES, 2, 'yes', true],
  ])('%s', (_what, bytes, jobs, env, want) => {
    if (env === undefined) delete process.env.CDB_FORENSICS_BG_CHECKPOINT;
    else process.env.CDB_FORENSICS_BG_CHECKPOINT = env;
    expect(BackgroundCheckpoints.wanted(bytes, jobs)).toBe(want);
  });
});
