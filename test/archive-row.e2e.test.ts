import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, SAMPLES, tmp } from './helpers.js';

describe('an ingested archive has a manifest row of its own', () => {
  it.each([['healthy-era-a.tgz'], ['persistence-era-b.zip']])('%s: its size and SHA-256 are in the report, beside its members', (file) => {
    const path = join(SAMPLES, file);
    const out = tmp('cdbf-archive-');
    const r = cli(['run', path, '--out', out, '--db', join(out, 'case.db'), '--format', 'json', '--quiet']);
    expect([0, 1], r.stderr).toContain(r.status);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { manifest: { files: { path: string; sha256: string; bytes: number; status: string; parser: string | null }[] } };
    const rows = report.manifest.files.filter((f) => f.status === 'archive');
    expect(rows).toEqual([
      expect.objectContaining({ path: file, bytes: statSync(path).size, sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), parser: null }),
    ]);
    expect(report.manifest.files.filter((f) => f.path.startsWith(`${file}!/`)).length).toBeGreaterThan(0);
  });
});
