import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { DEFAULT_TARGETS } from './context.js';
import { loadConfig, validateConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'cdbf-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('config', () => {
  it('defaults without a file', () => {
    expect(loadConfig()).toEqual({ targets: DEFAULT_TARGETS, overridden: [] });
  });

  it('overrides only the targets the file sets', () => {
    const c = loadConfig(file('ok.json', '\uFEFF{ "targets": { "trades": 5, "market_data_events": 2000 } }'));
    expect(c.targets).toEqual({ ...DEFAULT_TARGETS, trades: 5, market_data_events: 2000 });
    expect(c.overridden).toEqual(['trades', 'market_data_events']);
  });

  it.each([
    ['a wrong type', '{ "targets": { "trades": "ten" } }', /targets\.trades/, /must be a number/],
    ['an unknown target', '{ "targets": { "trade": 5 } }', /targets/, /unknown key "trade"/],
    ['an unknown top-level key', '{ "target": {} }', /\(top level\)/, /unknown key "target"/],
    ['a negative target', '{ "targets": { "risk_approved": -1 } }', /targets\.risk_approved/, /negative/],
    ['per-day above the total', '{ "targets": { "signals_total": 20 } }', /targets\.signals_per_day/, /signals_per_day \(30, default\) is above targets\.signals_total \(20, set in the file\)/],
    ['not JSON', '{ targets: 1 }', /bad\.json/, /not valid JSON/],
  ])('refuses %s, naming the file and the key', (name, text, where, what) => {
    const p = file(`bad.json`, text);
    let err: unknown;
    try {
      loadConfig(p);
    } catch (e) {
      err = e;
    }
    expect(err, name).toBeInstanceOf(UserError);
    const u = err as UserError;
    expect(u.where).toContain(p);
    expect(u.where).toMatch(where);
    expect(u.what).toMatch(what);
    expect(u.code).toBe('BAD_CONFIG');
  });

  it('a missing file is a UserError with a hint', () => {
    expect(() => loadConfig(join(dir, 'nope.json'))).toThrow(/cannot read the config file: ENOENT/);
  });

  it('per-day equal to the total is allowed', () => {
    expect(validateConfig({ targets: { signals_total: 30, signals_per_day: 30 } }, 'x.json').targets.signals_per_day).toBe(30);
  });
});
