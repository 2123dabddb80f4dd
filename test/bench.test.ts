import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmp } from './helpers.js';

/** The benchmark's accounting, on a small size. Timing is printed by `npm run bench`, never asserted. */
describe('bench accounting', () => {
  it('every generated line and row is read and stored, per evidence kind; run is timed per phase beside its baselines', () => {
    const out = tmp('cdbf-bench-');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'bench.js'), '--size', '2', '--dump-rows', '3000', '--redis-msgs', '1500', '--env-lines', '2000', '--many-files', '100', '--session-commands', '10', '--out', out, '--json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    expect(r.status, r.stderr).toBe(0);
    const text0 = () => readFileSync(join(out, 'logs', 'docker_compose_logs.txt'), 'utf8');
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as {
      accounting: string | string[];
      notes: string[];
      endToEnd: { lines: number; records: number; runSeconds: number; phases: { phase: string; seconds: number; peakRssMB: number }[]; sqliteImportSeconds: number; lnavSeconds: number | null; baselineRuns: { sqlite3: { before: number; after: number }; lnav: { before: number; after: number } | null } };
      results: { kind: string; rows: number; lines: number }[];
      packed: { kind: string; rows: number; lines: number; notes?: number }[];
    };
    expect(report.accounting).toBe('ok');
    // the packed bundles: a .env of 2,000 lines over 10 keys gives 2,000 settings and 10 notes
    const env = report.packed.find((x) => x.kind.startsWith('.env'))!;
    expect([env.rows, env.notes]).toEqual([2000, 10]);
    expect(report.packed.map((x) => x.kind.split(/[,:]/)[0])).toEqual(['.env', 'copied project folder', 'log in a zip whose header says 0 bytes', 'console session']);
    const byKind = Object.fromEntries(report.results.map((x) => [x.kind.split(/[,(]/)[0].trim(), x]));
    expect(byKind['psql CSV'].rows).toBe(3000);
    expect(byKind['psql CSV'].lines).toBe(3001);
    // The dumped trades are also paired, matched and analysed, and that is timed and measured too.
    expect(byKind['the same trades'].rows).toBe(3000);
    expect(byKind['the same trades'].modelSeconds).toBeGreaterThan(0);
    expect(byKind['the same trades'].analyzeSeconds).toBeGreaterThan(0);
    expect(byKind['the same trades'].peakRssMB).toBeGreaterThanOrEqual(byKind['psql CSV'].peakRssMB);
    expect(byKind['pg_dump COPY'].rows).toBe(3000);
    expect(byKind['redis-cli SUBSCRIBE'].rows).toBe(1500);
    expect(byKind['redis-cli SUBSCRIBE'].lines).toBe(6 + 3 * 1500);
    // The same log with the feed failing on every tick: every line still read, the run's memory measured.
    const failing = byKind['feed failing on every tick'] as unknown as { rows: number; lines: number; failingLines: number; peakRssMB: number };
    expect(failing.failingLines).toBe((text0().match(/\[redis\] published market_data: /g) ?? []).length);
    expect(failing.failingLines).toBeGreaterThan(0);
    expect([failing.lines, failing.rows]).toEqual([report.endToEnd.lines, report.endToEnd.records]);
    expect(failing.peakRssMB).toBeGreaterThan(10);

    // The end-to-end run: era-B DEBUG lines, every one stored, each phase of run timed.
    const text = readFileSync(join(out, 'logs', 'docker_compose_logs.txt'), 'utf8');
    const physical = text.split('\n').length - 1;
    const tracebacks = (text.match(/Traceback \(most recent call last\)/g) ?? []).length;
    expect(text).toContain('[DEBUG] ws_service: [redis] published market_data: BTCUSDT @ ');
    expect(text).toContain('[DEBUG] signal_engine: BTCUSDT: pct_change calculated from price buffer (@ $');
    expect(text).toContain('"GET /health HTTP/1.1" 200 -');
    expect(text).toContain('"GET /metrics HTTP/1.1" 200 -');
    expect(report.endToEnd.lines).toBe(physical);
    expect(report.endToEnd.records).toBe(physical - 5 * tracebacks);
    expect(report.endToEnd.phases.map((p) => p.phase)).toEqual(['ingest', 'model build', 'analysis', 'render']);
    for (const p of report.endToEnd.phases) {
      expect(p.seconds, p.phase).toBeGreaterThan(0);
      expect(p.peakRssMB, p.phase).toBeGreaterThan(10);
    }
    const phaseSum = report.endToEnd.phases.reduce((a, p) => a + p.seconds, 0);
    expect(report.endToEnd.runSeconds).toBeGreaterThanOrEqual(phaseSum);
    expect(report.endToEnd.sqliteImportSeconds).toBeGreaterThan(0);
    // Each baseline ran once before the run and once after; the faster is the yardstick.
    const { sqlite3, lnav } = report.endToEnd.baselineRuns;
    expect(sqlite3.before).toBeGreaterThan(0);
    expect(sqlite3.after).toBeGreaterThan(0);
    expect(report.endToEnd.sqliteImportSeconds).toBe(Math.min(sqlite3.before, sqlite3.after));
    // lnav is a baseline only where Debian's package is installed; otherwise the bench says so.
    if (report.endToEnd.lnavSeconds === null) {
      expect(report.notes.join(' ')).toMatch(/lnav/);
      expect(lnav).toBeNull();
    } else {
      expect(report.notes.filter((n) => n.includes('did not parse every line'))).toEqual([]);
      expect(report.endToEnd.lnavSeconds).toBe(Math.min(lnav!.before, lnav!.after));
    }
    // A drift between a baseline's two runs is said when it is large, never silently averaged.
    for (const [name, b] of [['sqlite3', sqlite3], ['lnav', lnav]] as const) {
      if (b && Math.max(b.before, b.after) / Math.min(b.before, b.after) - 1 > 0.1) expect(report.notes.join(' ')).toContain(`${name} took`);
    }
    // The same lines split into one file per service give the same records.
    const perService = byKind['the same logs'];
    expect(perService.lines).toBe(physical);
    expect(perService.rows).toBe(report.endToEnd.records);
  }, 600_000);
});
