import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('trace with an empty id', () => {
  it.each([[''], ['   '], ['\t']])('%j is a usage error, not a schema dump', (id) => {
    const r = cli(['trace', id, '--db', 'no-such.db']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[USAGE]: trace needs an id');
    expect(r.stderr).toContain('help: e.g. cdb-forensics trace sig_1001');
    expect(r.stderr).not.toContain('"code"');
    expect(r.stdout).toBe('');
  });
});
