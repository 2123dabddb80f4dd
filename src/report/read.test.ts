import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readReportFile } from './read.js';

const V1 = fileURLToPath(new URL('../../test/fixtures/report-v1-drawdown-runbook.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cdbf-read-'));
const write = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};

describe('readReportFile', () => {
  it('reads the committed schema-1 report (the version before provenance) and says what it lacks', () => {
    const r = readReportFile(V1);
    expect(r.version).toBe(1);
    expect(r.model.provenance).toBeUndefined();
    expect(r.model.flow.counts.risk_rejected).toBe(127);
    expect(r.model.verification.length).toBeGreaterThan(0);
    expect(r.notes).toEqual([
      'report.json has schema version 1 and no provenance',
      'report.json has schema version 1, before the hourly flow and the break in time, reconciliation rows, the event catalog',
    ]);
    // What it lacked reads as "not known", never as "nothing happened".
    expect(r.model.flow.break_stage).toBeNull();
    expect(r.model.flow.hourly).toEqual([]);
    expect(r.model.coverage.classification).toEqual({ catalog_version: null, services: [] });
    expect(r.bytes.equals(readFileSync(V1))).toBe(true);
  });

  const v1 = JSON.parse(readFileSync(V1, 'utf8'));
  it.each([
    ['newer.json', { ...v1, schema_version: 5 }, 'REPORT_NEWER', 'schema version 5; this cdb-forensics reads up to 4'],
    ['zero.json', { ...v1, schema_version: 0 }, 'BAD_REPORT', 'unknown report.json schema version 0'],
    ['none.json', { tool: v1.tool }, 'BAD_REPORT', 'no schema_version'],
    ['broken.json', '{"schema_version": 1,', 'BAD_REPORT', 'not JSON'],
    ['edited.json', { ...v1, flow: { ...v1.flow, counts: { ...v1.flow.counts, signals: -1 } } }, 'BAD_REPORT', 'not valid at flow.counts.signals'],
  ])('%s is refused', (name, value, code, what) => {
    const p = write(name, value);
    expect(() => readReportFile(p)).toThrow(expect.objectContaining({ code, what: expect.stringContaining(what), where: p }));
  });
});
