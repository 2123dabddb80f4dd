import { describe, expect, it } from 'vitest';
import type { RuleContext } from '../../define-rule.js';
import { spreadEvidence, type LogRow } from '../../rule-kit.js';
import { sampleEvidence } from './util.js';
import { seededRandom } from '../../../util/seeded-random.js';
import { hostNamed } from './contradicted-todos.js';
import { RowDigest } from './row-digest.js';

/** Evidence that names the pointer it was made from, so picks can be compared. */
const ctx = { evidence: (file: number, line: number) => ({ file: `f${file}`, line }) } as unknown as RuleContext;

const HOSTS = ['Error -2 connecting to redis:6379. Name or service not known.', 'Error -3 connecting to cdb_redis:6379. Temporary failure in name resolution.', '[redis] not connected, dropping trade: {"symbol": "BTCUSDT"}'];

/** A list as findLogs returns it: pointers in scan order, some records without a time. */
function list(seed: number, n: number): LogRow[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1, file_id: 1 + Math.floor(rnd() * 3), line_no: 1 + i * 2 + Math.floor(rnd() * 2), service: rnd() < 0.5 ? 'cdb_ws' : null,
    ts: rnd() < 0.2 ? null : new Date(Date.UTC(2026, 1, 9) + i * 1000).toISOString(), docker_ts: null, level: 'ERROR', logger: null,
    message: HOSTS[Math.floor(rnd() * HOSTS.length)], kind: 'app', class: 'x',
  }));
}

const CASES = [0, 1, 2, 3, 4, 5, 63, 64, 65, 1000].flatMap((n) => [1, 2].map((seed) => [n, seed] as const));

describe('RowDigest answers as the list it was fed', () => {
  it.each(CASES)('%i records (seed %i): count, edges, times, spread evidence, distinct hosts', (n, seed) => {
    const rows = list(seed, n);
    const d = new RowDigest<LogRow>((r) => hostNamed(r.message));
    for (const r of rows) d.add(r);
    expect(d.n).toBe(rows.length);
    expect(d.first).toBe(rows[0] ?? null);
    expect(d.last).toBe(rows[rows.length - 1] ?? null);
    const timed = rows.filter((r) => r.ts);
    expect([d.timed, d.firstTs, d.lastTs]).toEqual([timed.length, timed[0]?.ts ?? null, timed[timed.length - 1]?.ts ?? null]);
    for (const max of [2, 3]) expect(d.spread(ctx, max)).toEqual(spreadEvidence(ctx, rows, max));
    for (const first of [0, 1, 2, 3]) for (const last of [0, 1, 2, 3]) expect(sampleEvidence(ctx, d.view(), first, last)).toEqual(sampleEvidence(ctx, rows, first, last));
    const named = (xs: LogRow[]) => [...new Set(xs.map((r) => hostNamed(r.message)).filter((h) => !!h))];
    const reps = d.representatives();
    expect(reps[0]).toBe(rows[0]);
    expect(named(reps)).toEqual(named(rows));
    // Each one once, in the list's order.
    expect(reps.map((r) => rows.indexOf(r))).toEqual([...new Set(reps.map((r) => rows.indexOf(r)))].sort((a, b) => a - b));
  });

  it('without a key, the representatives are the first record alone', () => {
    const rows = list(3, 50);
    const d = new RowDigest<LogRow>();
    for (const r of rows) d.add(r);
    expect(d.representatives()).toEqual([rows[0]]);
  });
});
