import { describe, expect, it } from 'vitest';
import { Progress, type ProgressStream } from './progress.js';

/** A fake stderr: what was written, whether it claims to be a terminal, and a clock we move. */
function fake(isTTY: boolean | undefined, columns = 200) {
  const out: string[] = [];
  let t = 1_000;
  const stream: ProgressStream = { isTTY, columns, write: (s: string) => out.push(s) };
  return { out, stream, tick: (ms: number) => (t += ms), now: () => t };
}

describe('Progress', () => {
  it.each([
    { name: 'a terminal', isTTY: true, quiet: false, writes: true },
    { name: 'a terminal with --quiet', isTTY: true, quiet: true, writes: false },
    { name: 'a pipe', isTTY: false, quiet: false, writes: false },
    { name: 'a stream that says nothing about being a terminal', isTTY: undefined, quiet: false, writes: false },
  ])('$name: writes progress = $writes, and the phase is timed either way', ({ isTTY, quiet, writes }) => {
    const f = fake(isTTY);
    const p = new Progress(f.stream, { quiet, now: f.now });
    const ph = p.phase('ingest', 200e6, 'bytes');
    f.tick(500);
    ph.update(50e6, 'logs/compose.txt');
    f.tick(1500);
    ph.end();
    expect(f.out.length > 0).toBe(writes);
    expect(p.timings).toEqual([{ phase: 'ingest', start: 1_000, end: 3_000 }]);
  });

  it.each([
    { unit: 'bytes' as const, total: 200e6, done: 50e6, want: 'ingest: 50.0 MB of 200.0 MB (25 %) logs/compose.txt' },
    { unit: 'steps' as const, total: 40, done: 10, want: 'ingest: 10 of 40 steps (25 %) logs/compose.txt' },
    { unit: 'files' as const, total: 0, done: 7, want: 'ingest: 7 files logs/compose.txt' },
    { unit: 'bytes' as const, total: 2.5e9, done: 1.25e9, want: 'ingest: 1.25 GB of 2.50 GB (50 %) logs/compose.txt' },
  ])('a line names the phase and what is done of the total ($unit)', ({ unit, total, done, want }) => {
    const f = fake(true);
    const p = new Progress(f.stream, { now: f.now });
    const ph = p.phase('ingest', total, unit);
    f.tick(200);
    ph.update(done, 'logs/compose.txt');
    expect(f.out.at(-1)).toBe(`\r${want}\x1b[K`);
  });

  it('rewrites one line in place, at most every interval, and ends it with the seconds and a newline', () => {
    const f = fake(true);
    const p = new Progress(f.stream, { now: f.now, intervalMs: 100 });
    const ph = p.phase('analysis', 3);
    const n0 = f.out.length;
    ph.step('clock-skew');
    ph.step('uptime'); // same instant: throttled
    expect(f.out.length).toBe(n0);
    f.tick(150);
    ph.step('exceptions');
    expect(f.out.at(-1)).toBe('\ranalysis: 3 of 3 steps (100 %) exceptions\x1b[K');
    f.tick(1250);
    ph.end();
    expect(f.out.at(-1)).toBe('\ranalysis: 3 of 3 steps (100 %) 1.4 s\x1b[K\n');
    ph.update(1, 'late'); // after the end nothing more is written
    expect(f.out.at(-1)).toBe('\ranalysis: 3 of 3 steps (100 %) 1.4 s\x1b[K\n');
    expect(f.out.every((s) => s.startsWith('\r'))).toBe(true);
  });

  it('a new phase ends the open one; time() ends its phase when the work throws', async () => {
    const f = fake(false);
    const p = new Progress(f.stream, { now: f.now });
    p.phase('ingest');
    f.tick(10);
    p.phase('model build');
    f.tick(5);
    await expect(p.time('analysis', () => {
      f.tick(7);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(p.timings.map((t) => [t.phase, t.end - t.start])).toEqual([['ingest', 10], ['model build', 5], ['analysis', 7]]);
  });

  it('a line longer than the terminal is cut, so \\r can rewrite it', () => {
    const f = fake(true, 30);
    const p = new Progress(f.stream, { now: f.now });
    const ph = p.phase('ingest', 100, 'files');
    f.tick(200);
    ph.update(1, 'x'.repeat(100));
    const shown = f.out.at(-1)!.replace('\r', '').replace('\x1b[K', '');
    expect(shown.length).toBe(29);
    expect(shown.endsWith('…')).toBe(true);
  });
});
