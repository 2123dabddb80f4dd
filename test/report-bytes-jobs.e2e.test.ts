import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, samples, tmp } from './helpers.js';

/**
 * Speed work must not change a report: every sample gives the same report bytes whether its files
 * are parsed on one thread or on several. The default (no --jobs) parses a bundle under 16 MB on
 * one thread, the path `--jobs 1` takes; `--jobs 3` forces the worker threads and the merge.
 */
function reports(bundle: string, jobs: string[]): Record<string, Buffer> {
  const out = tmp('cdbf-jobs-');
  const r = cli(['run', bundle, '--out', out, '--db', join(out, 'case.db'), '--now', '2026-02-01T00:00:00Z', '--quiet', ...jobs]);
  expect([0, 1], r.stderr).toContain(r.status);
  return Object.fromEntries(['report.json', 'report.md', 'report.html'].map((f) => [f, readFileSync(join(out, f))]));
}

describe('report bytes do not depend on the number of parse threads', () => {
  it.each(samples())('$name: the default and --jobs 3 give the same report.json, .md and .html', ({ path }) => {
    const serial = reports(path, []);
    const parallel = reports(path, ['--jobs', '3']);
    for (const f of Object.keys(serial)) {
      expect(parallel[f].length, f).toBeGreaterThan(0);
      expect(parallel[f].equals(serial[f]), `${f} differs between the default and --jobs 3`).toBe(true);
    }
  }, 300_000);
});
