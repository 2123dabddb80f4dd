import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, samples, tmp } from './helpers.js';

/**
 * Speed work must not change a report: every sample gives the same report bytes whether its files
 * are parsed on one thread or on several. The default (no --jobs) parses a bundle under 16 MB on
 * one thread, the path `--jobs 1` takes; `--jobs 3` forces the worker threads and the merge, and a
 * small CDB_FORENSICS_SPLIT_MIN_BYTES makes a lone log be read in pieces and joined.
 */
function reports(bundle: string, jobs: string[], env?: Record<string, string>): Record<string, Buffer> {
  const out = tmp('cdbf-jobs-');
  const r = cli(['run', bundle, '--out', out, '--db', join(out, 'case.db'), '--now', '2026-02-01T00:00:00Z', '--quiet', ...jobs], { env });
  expect([0, 1], r.stderr).toContain(r.status);
  return Object.fromEntries(['report.json', 'report.md', 'report.html'].map((f) => [f, readFileSync(join(out, f))]));
}

describe('report bytes do not depend on the number of parse threads', () => {
  it.each(samples())('$name: the default, --jobs 3 and logs read in pieces give the same report.json, .md and .html', ({ path }) => {
    const serial = reports(path, []);
    const parallel = reports(path, ['--jobs', '3']);
    for (const f of Object.keys(serial)) {
      expect(parallel[f].length, f).toBeGreaterThan(0);
      expect(parallel[f].equals(serial[f]), `${f} differs between the default and --jobs 3`).toBe(true);
    }
    // Every log of a directory bundle over 3 KB read in pieces (split.ts), as a large log is.
    // (The default --jobs: a bundle this small is parsed on one thread, which then reads its large logs in pieces.)
    const pieces = reports(path, [], { CDB_FORENSICS_SPLIT_MIN_BYTES: '1500', CDB_FORENSICS_TRACE_SPLIT: '1' });
    for (const f of Object.keys(serial)) expect(pieces[f].equals(serial[f]), `${f} differs when logs are read in pieces`).toBe(true);
  }, 300_000);
});
