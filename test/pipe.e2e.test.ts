import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, SAMPLES, cli, tmp } from './helpers.js';

/** Runs the CLI with stdout closed by the reader after its first chunk, as `| head -1` does. */
function firstChunkThenClose(args: string[], cwd: string): Promise<{ status: number | null; stderr: string; got: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd });
    let stderr = '';
    let got = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', (d: Buffer) => {
      got = d.toString();
      child.stdout.destroy();
    });
    child.on('close', (status) => resolve({ status, stderr, got }));
  });
}

describe('output piped into a reader that stops early', () => {
  const out = tmp('cdbf-pipe-');
  const run = cli(['run', join(SAMPLES, 'drawdown-runbook'), '--out', out, '--db', join(out, 'w.db'), '--now', '2025-11-29T08:00:00Z', '--quiet']);

  it.each([
    ['query with many rows', ['query', '--db', join(out, 'w.db'), 'SELECT * FROM log_events']],
    ['compare of two bundles', ['compare', join(SAMPLES, 'drawdown-runbook'), join(SAMPLES, 'exposure-stuck-era-a')]],
  ])('%s ends quietly (no EPIPE stack, exit 0)', async (_name, args) => {
    expect(run.status, run.stderr).toBeLessThan(2);
    // cwd: compare ingests bundles into ./.cdb-forensics, which must not land in the repository.
    const r = await firstChunkThenClose(args, out);
    expect(r.got.length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(r.status).toBe(0);
  });
});
