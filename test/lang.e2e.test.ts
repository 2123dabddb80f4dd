/**
 * `--lang de` end to end on a bundled sample: the run's summary, report.md and report.html speak
 * German, with the same break layer, hypotheses (by cause id) and counts as the English run; and
 * `report --lang de` on the English report.json gives the bytes `run --lang de` gave.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, SAMPLES, tmp } from './helpers.js';

const NOW = '2025-11-29T08:00:00Z';
const bundle = join(SAMPLES, 'drawdown-runbook');
let dir: string;
const out: Record<'en' | 'de' | 'rerendered', { stdout: string; md: string; html: string; json: Record<string, unknown> }> = {} as never;

function read(o: string) {
  return { md: readFileSync(join(o, 'report.md'), 'utf8'), html: readFileSync(join(o, 'report.html'), 'utf8'), json: JSON.parse(readFileSync(join(o, 'report.json'), 'utf8')) as Record<string, unknown> };
}

beforeAll(() => {
  dir = tmp('cdbf-lang-');
  for (const lang of ['en', 'de'] as const) {
    const r = cli(['run', bundle, '--db', join(dir, `${lang}.db`), '--out', join(dir, lang), '--now', NOW, '--lang', lang]);
    expect(r.status, r.stderr).toBe(0);
    out[lang] = { stdout: r.stdout, ...read(join(dir, lang)) };
  }
  const r = cli(['report', '--in', join(dir, 'en', 'report.json'), '--out', join(dir, 'rerendered'), '--lang', 'de']);
  expect(r.status, r.stderr).toBe(0);
  out.rerendered = { stdout: r.stdout, ...read(join(dir, 'rerendered')) };
}, 120_000);

describe('run --lang de on drawdown-runbook', () => {
  it.each<[string, RegExp, RegExp]>([
    ['ingest line', /^\d+ Datei\(en\) eingelesen in .* \(\d+ gelesen, \d+ unverändert, \d+ Zeile\(n\) in Quarantäne\)$/m, /^\d+ file\(s\) ingested into /m],
    ['block line with German days', /^Block 26\.11\.2025 … 28\.11\.2025, Ära /m, /^block 2025-11-26 … 2025-11-28, era /m],
    ['break layer (an id, as in report.json)', /^Bruch-Schicht: risk$/m, /^break layer: risk$/m],
    ['top hypothesis with its likelihood', /^Top-Hypothese: .+ \((sehr wahrscheinlich|wahrscheinlich|möglich|unwahrscheinlich)\)$/m, /^top hypothesis: .+ \((very likely|likely|possible|unlikely)\)$/m],
    ['the files written', /^geschrieben: .*report\.md$/m, /^wrote .*report\.md$/m],
  ])('stdout: the %s in German', (_n, german, english) => {
    expect(out.de.stdout).toMatch(german);
    expect(out.de.stdout).not.toMatch(english);
    expect(out.en.stdout).toMatch(english);
  });

  it('writes German reports: the runbook headings, <html lang="de">, lang in report.json', () => {
    expect(out.de.md).toMatch(/^## 1\. Block-Zusammenfassung$/m);
    expect(out.de.md).toMatch(/^## 6\. Verifikationsplan für den nächsten Block$/m);
    expect(out.de.md).not.toMatch(/^## \d\. (Block summary|Observations per layer)/m);
    expect(out.de.html).toMatch(/^<html lang="de">$/m);
    expect(out.en.html).toMatch(/^<html lang="en">$/m);
    expect(out.de.json.lang).toBe('de');
  });

  it('finds the same: break layer, hypotheses by cause, flow counts, citations', () => {
    const pick = (j: Record<string, unknown>) => {
      const flow = j.flow as { break_layer: unknown; counts: unknown };
      const hyps = j.hypotheses as { cause: string; evidence: unknown }[];
      return { break_layer: flow.break_layer, counts: flow.counts, causes: hyps.map((h) => h.cause), evidence: hyps.map((h) => h.evidence) };
    };
    expect(pick(out.de.json)).toEqual(pick(out.en.json));
  });

  it('report --lang de on the English report.json renders the bytes run --lang de wrote', () => {
    expect(out.rerendered.md).toBe(out.de.md);
    expect(out.rerendered.html).toBe(out.de.html);
    expect(out.rerendered.stdout).toMatch(/^geschrieben: .*report\.md$/m);
  });
});
