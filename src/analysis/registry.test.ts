import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAYERS } from './define-rule.js';
import { RULES } from './registry.js';

const rulesDir = join(dirname(fileURLToPath(import.meta.url)), 'rules');

/** Every rule file on disk: rules/<layer>/<id>.ts (shared helpers live in rules/shared/). */
const onDisk = LAYERS.flatMap((layer) => {
  const d = join(rulesDir, layer);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => ({ layer, id: f.slice(0, -3), test: existsSync(join(d, f.replace(/\.ts$/, '.test.ts'))) }));
});

describe('rule registry', () => {
  it('registers every rule file exactly once', () => {
    expect(RULES.map((r) => `${r.layer}/${r.id}`).sort()).toEqual(onDisk.map((f) => `${f.layer}/${f.id}`).sort());
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('is sorted by layer, then id', () => {
    const sorted = [...RULES].sort((a, b) => LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer) || (a.id < b.id ? -1 : 1));
    expect(RULES.map((r) => r.id)).toEqual(sorted.map((r) => r.id));
  });

  it.each(onDisk.map((f) => [`${f.layer}/${f.id}`, f] as const))('%s has a test beside it and metadata', (_n, f) => {
    expect(f.test).toBe(true);
    const rule = RULES.find((r) => r.id === f.id);
    expect(rule?.layer).toBe(f.layer);
    expect(rule!.title.length).toBeGreaterThan(5);
    expect(rule!.needs.length).toBeGreaterThan(0);
  });

  it('covers the system and market_data layers', () => {
    for (const l of ['system', 'market_data'] as const) expect(RULES.filter((r) => r.layer === l).length).toBeGreaterThanOrEqual(3);
  });
});
