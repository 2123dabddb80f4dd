import { describe, expect, it } from 'vitest';
import { DEPENDENCIES, dependsOn } from './dependencies.js';
import { EDGES, edgeMatches } from './edges.js';
import { CATALOG } from './index.js';

const IDS = CATALOG.map((e) => e.id);
const expand = (end: string) => IDS.filter((id) => edgeMatches(end, id));

describe('causal edges', () => {
  it.each(EDGES.map((e, i) => ({ i, ...e })))('edge $i $from → $to names classes the catalog declares', ({ from, to, scope, maxDelaySec, why }) => {
    expect(expand(from).length, from).toBeGreaterThan(0);
    expect(expand(to).length, to).toBeGreaterThan(0);
    expect(['same-service', 'dependent']).toContain(scope);
    expect(maxDelaySec).toBeGreaterThan(0);
    expect(why.length).toBeGreaterThan(10);
  });

  it('no edge leads back to where it started (no cycle through the class graph)', () => {
    const next = new Map<string, Set<string>>();
    for (const e of EDGES) for (const f of expand(e.from)) for (const t of expand(e.to)) (next.get(f) ?? next.set(f, new Set()).get(f)!).add(t);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (c: string, path: string[]) => {
      if (state.get(c) === 'done') return;
      if (state.get(c) === 'open') {
        cycles.push([...path.slice(path.indexOf(c)), c].join(' → '));
        return;
      }
      state.set(c, 'open');
      for (const n of next.get(c) ?? []) visit(n, [...path, c]);
      state.set(c, 'done');
    };
    for (const c of next.keys()) visit(c, []);
    expect(cycles).toEqual([]);
  });

  it.each([
    ['risk.rejected.', 'risk.rejected.max_exposure', true],
    ['risk.rejected.', 'risk.approved', false],
    ['redis.aof_corrupt', 'redis.aof_corrupt', true],
    ['redis.aof', 'redis.aof_corrupt', false],
  ])('%s matches %s: %s', (end, cls, want) => expect(edgeMatches(end, cls)).toBe(want));

  it.each([
    ['cdb_signal', 'cdb_redis', 'B', true],
    ['cdb_core', 'cdb_redis', 'A', true],
    ['cdb_signal', 'cdb_redis', 'A', false],
    ['cdb_db_writer', 'cdb_postgres', 'B', true],
    ['cdb_risk', 'cdb_postgres', 'B', false],
    ['cdb_risk', 'cdb_postgres', 'C', true],
    ['cdb_risk', 'cdb_postgres', null, true],
    ['cdb_signal', 'cdb_ws', 'B', true],
    ['cdb_redis', 'cdb_signal', 'B', false],
  ])('%s depends on %s in era %s: %s', (client, service, era, want) => expect(dependsOn(client, service, era)).toBe(want));

  it('every dependency a client error can name is a service some catalog entry prints for', () => {
    for (const d of DEPENDENCIES.filter((x) => x.mentions)) expect(CATALOG.some((e) => e.services.includes(d.service)), d.service).toBe(true);
  });
});
