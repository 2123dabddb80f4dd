import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, SAMPLES, tmp } from './helpers.js';

const BUNDLE = join(SAMPLES, 'drawdown-runbook');
const PHASES = ['ingest:', 'model build:', 'analysis:', 'render:'];
const hasScript = existsSync('/usr/bin/script');

function runArgs(out: string, extra: string[] = []): string[] {
  return ['run', BUNDLE, '--out', out, '--db', join(out, 'case.db'), '--now', '2025-11-29T08:00:00Z', ...extra];
}

/** `run` under a pseudo-terminal (util-linux `script`): what a user at a terminal sees. */
function runOnTty(args: string[]): { status: number; text: string } {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const r = spawnSync('script', ['-qec', [process.execPath, BIN, ...args].map(q).join(' '), '/dev/null'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status ?? -1, text: r.stdout };
}

describe('progress on stderr', () => {
  it('stderr that is not a terminal gets no progress bytes', () => {
    const out = tmp('cdbf-progress-');
    const r = cli(runArgs(out));
    expect([0, 1]).toContain(r.status);
    expect(r.stderr).not.toContain('\r');
    for (const p of PHASES) expect(r.stderr).not.toContain(p);
  });

  it.skipIf(!hasScript)('a terminal sees every phase by name, each ended with its seconds; the report is the same bytes', () => {
    const quiet = tmp('cdbf-progress-');
    const piped = cli(runArgs(quiet));
    const out = tmp('cdbf-progress-');
    const r = runOnTty(runArgs(out));
    expect([0, 1], r.text).toContain(r.status);
    for (const p of PHASES) expect(r.text, p).toMatch(new RegExp(`\\r${p}[^\\r\\n]* \\d+\\.\\d s\\x1b\\[K\\r?\\n`));
    expect(r.text).toMatch(/\ringest: [\d.]+ MB of [\d.]+ MB/);
    expect(r.text).toMatch(/\ranalysis: \d+ of \d+ steps/);
    expect([0, 1]).toContain(piped.status);
    for (const f of ['report.json', 'report.md', 'report.html']) expect(readFileSync(join(out, f)).equals(readFileSync(join(quiet, f))), f).toBe(true);
  });

  it.skipIf(!hasScript)('--quiet on a terminal: no progress', () => {
    const out = tmp('cdbf-progress-');
    const r = runOnTty(runArgs(out, ['--quiet']));
    expect([0, 1], r.text).toContain(r.status);
    expect(r.text).not.toContain('\r' + 'ingest');
    for (const p of PHASES) expect(r.text).not.toContain(p);
  });
});
