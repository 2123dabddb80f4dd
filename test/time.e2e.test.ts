import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, samples, tmp } from './helpers.js';

/** Samples of incidents in time (samples/make-time-samples.py): the break stage and its moment. */
interface TimeExpected {
  break_layer: string | null;
  break_stage?: string | null;
  break_at?: string | null;
  top_hypothesis: { layer: string; keywords: string[] } | null;
  /** The top hypothesis cites the dependency's own line, and its clients' errors as consequences. */
  top_cause?: { cause_evidence: string; consequence_evidence: string };
}

interface Report {
  flow: { break_layer: string | null; break_stage: string | null; break_at: string | null; break_reason: string | null };
  layers: { id: string; status: string }[];
  hypotheses: { layer: string; title: string; why: string | null; evidence: { file: string; line: number; text: string }[] }[];
}

const TIMED = samples().filter((s) => 'break_stage' in (s.expected as object));

function run(bundle: string): Report {
  const out = tmp('cdbf-time-');
  const r = cli(['run', bundle, '--out', out, '--db', join(out, 'case.db'), '--now', '2026-03-01T00:00:00Z']);
  expect([0, 1], r.stderr).toContain(r.status);
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
}

const FIVE_MIN = 5 * 60_000;

describe('incidents in time: break layer, stage and moment', () => {
  it('there are timed samples', () => expect(TIMED.length).toBeGreaterThan(0));

  it.each(TIMED.map((s) => ({ name: s.name, path: s.path, expected: s.expected as unknown as TimeExpected })))('$name', ({ path, expected }) => {
    const { flow, layers, hypotheses } = run(path);
    expect(flow.break_layer).toBe(expected.break_layer);
    expect(flow.break_stage, flow.break_reason ?? '').toBe(expected.break_stage ?? null);
    if (expected.break_at == null) expect(flow.break_at).toBeNull();
    else {
      expect(flow.break_at, 'break_at').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Math.abs(Date.parse(flow.break_at!) - Date.parse(expected.break_at))).toBeLessThanOrEqual(FIVE_MIN);
    }
    if (expected.break_layer === null) expect(layers.filter((l) => l.status === 'fail').map((l) => l.id)).toEqual([]);
    if (expected.top_hypothesis) {
      const top = hypotheses[0];
      expect(top.layer).toBe(expected.top_hypothesis.layer);
      expect(expected.top_hypothesis.keywords.some((k) => top.title.toLowerCase().includes(k.toLowerCase())), top.title).toBe(true);
    }
    if (expected.top_cause) {
      const top = hypotheses[0];
      expect(top.evidence.some((e) => e.text.includes(expected.top_cause!.cause_evidence)), 'the dependency\'s own line is cited').toBe(true);
      expect(top.evidence.some((e) => e.text.includes(expected.top_cause!.consequence_evidence)), 'the clients\' errors are cited as consequences').toBe(true);
    }
  });
});
