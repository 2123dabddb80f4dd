import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, samples, tmp } from './helpers.js';

/**
 * A filter that drops input and says so only at DEBUG (issue 11 item 5): the engine's own
 * `Volume zu niedrig` lines are the direct evidence; without them the same block only supports
 * a weaker inference that DEBUG logging would confirm.
 */
interface DebugFilter {
  class_text: string;
  lines: number;
  setting: string;
  without_debug_likelihood: string;
}

interface Report {
  flow: { break_layer: string | null; break_stage: string | null };
  hypotheses: { layer: string; title: string; likelihood: string; why: string | null; cause?: string; evidence: { file: string; line: number; text: string }[] }[];
  todos: { title: string; where: string; cause: string | null }[];
}

const CASES = samples().filter((s) => 'debug_filter' in (s.expected as object));

function run(bundle: string): Report {
  const out = tmp('cdbf-debug-');
  const r = cli(['run', bundle, '--out', join(out, 'out'), '--db', join(out, 'case.db'), '--now', '2026-03-20T00:00:00Z']);
  expect([0, 1], r.stderr).toContain(r.status);
  return JSON.parse(readFileSync(join(out, 'out', 'report.json'), 'utf8')) as Report;
}

describe('a filter dropping input, seen only at DEBUG', () => {
  it('there is such a sample', () => expect(CASES.length).toBeGreaterThan(0));

  it.each(CASES.map((s) => ({ name: s.name, path: s.path, df: (s.expected as unknown as { debug_filter: DebugFilter }).debug_filter })))(
    '$name: the top hypothesis names the filter with its DEBUG lines; the to-do names the variable the engine reads',
    ({ path, df }) => {
      const r = run(path);
      expect(r.flow.break_layer).toBe('signal_engine');
      const top = r.hypotheses[0];
      expect(top.layer).toBe('signal_engine');
      expect(top.likelihood).toBe('very_likely');
      expect(top.title).toContain(df.class_text);
      expect(top.title).toContain(String(df.lines));
      expect(top.evidence.filter((e) => e.text.includes(df.class_text)).length).toBeGreaterThanOrEqual(2);
      expect(r.todos.some((t) => t.where.startsWith(df.setting) || t.where === `.env ${df.setting}`)).toBe(true);
      for (const t of r.todos) expect(`${t.title} ${t.where}`).not.toMatch(/MIN_VOLUME_24H|MIN_CONFIDENCE/);
    },
  );

  it.each(CASES.map((s) => ({ name: s.name, path: s.path, df: (s.expected as unknown as { debug_filter: DebugFilter }).debug_filter })))(
    '$name without the engine\'s DEBUG lines (LOG_LEVEL=INFO for the signal engine only): a weaker hypothesis that DEBUG would confirm',
    ({ path, df }) => {
      const dir = tmp('cdbf-nodebug-');
      mkdirSync(join(dir, 'logs'));
      const log = readFileSync(join(path, 'logs', 'compose_logs.txt'), 'utf8');
      const kept = log.split('\n').filter((l) => !/\[DEBUG\] signal_engine/.test(l));
      expect(kept.length).toBeLessThan(log.split('\n').length - df.lines);
      writeFileSync(join(dir, 'logs', 'compose_logs.txt'), kept.join('\n'));
      const r = run(dir);
      expect(r.hypotheses.some((h) => h.evidence.some((e) => e.text.includes(df.class_text)))).toBe(false);
      const vol = r.hypotheses.find((h) => /volume/i.test(h.title) && h.layer === 'signal_engine');
      expect(vol?.likelihood).toBe(df.without_debug_likelihood);
      expect(vol?.why).toMatch(/DEBUG logging would confirm it/);
      expect(r.hypotheses[0].likelihood).not.toBe('very_likely');
    },
  );
});
