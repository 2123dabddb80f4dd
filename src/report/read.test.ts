import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readReportFile } from './read.js';
import { incidentModel } from './testing.js';

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
      'report.json has schema version 1, before the hourly flow and the break in time, reconciliation rows, the event catalog, causes linked to their consequences, stage floors (counts a later stage proves), capture times of snapshots, the incident timeline, the verdict metrics per layer, keyed texts (report --lang translates only headings and labels)',
    ]);
    expect(r.model.hypotheses.length).toBeGreaterThan(0);
    for (const h of r.model.hypotheses) expect(h).toMatchObject({ started_at: null, consequence_of: null, consequences: [], chain: '' });
    expect(r.model.timeline).toEqual([]);
    expect(r.model.layers.every((l) => l.key_metrics.length === 0 && Object.keys(l.metric_notes).length === 0)).toBe(true);
    // What it lacked reads as "not known", never as "nothing happened".
    expect(r.model.flow.break_stage).toBeNull();
    expect(r.model.flow.hourly).toEqual([]);
    expect(r.model.coverage.classification).toEqual({ catalog_version: null, services: [] });
    expect(r.bytes.equals(readFileSync(V1))).toBe(true);
  });

  it('reads a schema-3 report (before the timeline and the verdict metrics) with them as "not known"', () => {
    const m = structuredClone(incidentModel()) as Record<string, unknown> & { layers: Record<string, unknown>[] };
    m.schema_version = 3;
    delete m.timeline;
    for (const l of m.layers) {
      delete l.key_metrics;
      delete l.metric_notes;
    }
    const r = readReportFile(write('v3.json', m));
    expect(r.version).toBe(3);
    expect(r.notes).toContain('report.json has schema version 3, before the incident timeline, the verdict metrics per layer');
    expect(r.model.timeline).toEqual([]);
    expect(r.model.layers.map((l) => l.key_metrics)).toEqual(m.layers.map(() => []));
  });

  const v1 = JSON.parse(readFileSync(V1, 'utf8'));
  it.each([
    ['newer.json', { ...v1, schema_version: 6 }, 'REPORT_NEWER', 'schema version 6; this cdb-forensics reads up to 5'],
    ['zero.json', { ...v1, schema_version: 0 }, 'BAD_REPORT', 'unknown report.json schema version 0'],
    ['none.json', { tool: v1.tool }, 'BAD_REPORT', 'no schema_version'],
    ['broken.json', '{"schema_version": 1,', 'BAD_REPORT', 'not JSON'],
    ['edited.json', { ...v1, flow: { ...v1.flow, counts: { ...v1.flow.counts, signals: -1 } } }, 'BAD_REPORT', 'not valid at flow.counts.signals'],
  ])('%s is refused', (name, value, code, what) => {
    const p = write(name, value);
    expect(() => readReportFile(p)).toThrow(expect.objectContaining({ code, what: expect.stringContaining(what), where: p }));
  });
});
