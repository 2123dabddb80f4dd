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
  /**
   * The top hypothesis: its own line (a dependency's, for a dependency fault), when it started,
   * and the anomalies linked to it as consequences (each by a text its evidence holds, and its start).
   */
  top_cause?: { cause_evidence?: string; started_at?: string; consequences?: { evidence: string; started_at: string }[] };
}

interface Report {
  flow: { break_layer: string | null; break_stage: string | null; break_at: string | null; break_reason: string | null };
  layers: { id: string; status: string }[];
  hypotheses: {
    cause: string;
    layer: string;
    title: string;
    why: string | null;
    evidence: { file: string; line: number; text: string }[];
    started_at: string | null;
    consequence_of: string | null;
    consequences: { cause: string; title: string; started_at: string | null; evidence: { file: string; line: number; text: string }[] }[];
    chain: string;
  }[];
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
      const want = expected.top_cause;
      const near = (got: string | null, truth: string, what: string) => {
        expect(got, what).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(Math.abs(Date.parse(got!) - Date.parse(truth)), `${what}: ${got} vs ${truth}`).toBeLessThanOrEqual(FIVE_MIN);
      };
      expect(top.consequence_of, 'the top hypothesis is a cause, not a consequence').toBeNull();
      if (want.cause_evidence) expect(top.evidence.some((e) => e.text.includes(want.cause_evidence!)), "the cause's own line is cited").toBe(true);
      if (want.started_at) near(top.started_at, want.started_at, 'started_at');
      for (const c of want.consequences ?? []) {
        const linked = top.consequences.find((x) => x.evidence.some((e) => e.text.includes(c.evidence)));
        expect(linked, `a consequence citing "${c.evidence}" (has: ${top.consequences.map((x) => x.cause).join(', ')})`).toBeTruthy();
        near(linked!.started_at, c.started_at, `${linked!.cause} started_at`);
        // Each consequence is also a hypothesis of its own, ranked below its cause and pointing back to it.
        const own = hypotheses.findIndex((h) => h.cause === linked!.cause);
        expect(own).toBeGreaterThan(0);
        expect(hypotheses[own].consequence_of).toBe(top.cause);
      }
      if (want.consequences?.length) expect(top.chain).toContain(' → ');
    }
  });
});
