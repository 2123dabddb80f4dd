import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmp } from './helpers.js';

/** The benchmark's accounting, on a small size. Timing is printed by `npm run bench`, never asserted. */
describe('bench accounting', () => {
  it('every generated line and row is read and stored, per evidence kind', () => {
    const out = tmp('cdbf-bench-');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'bench.js'), '--log-mb', '2', '--dump-rows', '3000', '--redis-msgs', '1500', '--small-mb', '1', '--env-lines', '2000', '--many-files', '100', '--session-commands', '10', '--out', out, '--json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as {
      accounting: string | string[];
      results: { kind: string; rows: number; lines: number }[];
      packed: { kind: string; rows: number; lines: number; notes?: number }[];
    };
    expect(report.accounting).toBe('ok');
    // the packed bundles: a .env of 2,000 lines over 10 keys gives 2,000 settings and 10 notes
    const env = report.packed.find((x) => x.kind.startsWith('.env'))!;
    expect([env.rows, env.notes]).toEqual([2000, 10]);
    expect(report.packed.map((x) => x.kind.split(/[,:]/)[0])).toEqual(['.env', 'copied project folder', 'log in a zip whose header says 0 bytes', 'console session']);
    const byKind = Object.fromEntries(report.results.map((x) => [x.kind, x]));
    expect(byKind['psql CSV'].rows).toBe(3000);
    expect(byKind['psql CSV'].lines).toBe(3001);
    expect(byKind['pg_dump COPY'].rows).toBe(3000);
    expect(byKind['redis-cli SUBSCRIBE'].rows).toBe(1500);
    expect(byKind['redis-cli SUBSCRIBE'].lines).toBe(6 + 3 * 1500);
    const logs = byKind['container logs (compose --timestamps)'];
    const text = readFileSync(join(out, 'logs', 'docker_compose_logs.txt'), 'utf8');
    const physical = text.split('\n').length - 1;
    // A traceback is one record over 5 lines: records = lines - 4 per traceback header.
    const tracebacks = (text.match(/Traceback \(most recent call last\)/g) ?? []).length;
    expect(logs.lines).toBe(physical);
    expect(logs.rows).toBe(physical - 4 * tracebacks);
    // The same lines split into one file per service give the same records.
    const perService = report.results.find((x) => x.kind.startsWith('container logs, one file per service'))!;
    expect(perService.lines).toBe(physical);
    expect(perService.rows).toBe(logs.rows);
  }, 300_000);
});
