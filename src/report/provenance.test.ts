import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../analysis/registry.js';
import { PARSERS } from '../ingest/registry.js';
import { catalogVersion, manifestSha256, rulesetSha256, templatesSha256 } from './provenance.js';

const files = [
  { path: 'db/a.csv', bytes: 10, sha256: 'aa' },
  { path: 'logs/b.txt', bytes: 20, sha256: 'bb' },
  { path: 'x.bin', bytes: null, sha256: null },
];

describe('provenance hashes', () => {
  it('the manifest hash ignores row order and changes with any path, size or file hash', () => {
    const h = manifestSha256(files);
    expect(manifestSha256([...files].reverse())).toBe(h);
    expect.soft(manifestSha256([{ ...files[0], sha256: 'ab' }, files[1], files[2]])).not.toBe(h);
    expect.soft(manifestSha256([{ ...files[0], bytes: 11 }, files[1], files[2]])).not.toBe(h);
    expect.soft(manifestSha256([{ ...files[0], path: 'db/A.csv' }, files[1], files[2]])).not.toBe(h);
    expect.soft(manifestSha256(files.slice(0, 2))).not.toBe(h);
  });

  it('the rule-set hash changes with the rules and the tool version, not their order', () => {
    const h = rulesetSha256(RULES, '1.0.0');
    expect(rulesetSha256([...RULES].reverse(), '1.0.0')).toBe(h);
    expect(rulesetSha256(RULES.slice(1), '1.0.0')).not.toBe(h);
    expect(rulesetSha256(RULES, '1.0.1')).not.toBe(h);
  });

  it('the parser catalog names the parser versions', () => {
    const v = catalogVersion(PARSERS);
    expect(v).toMatch(/^parsers-[0-9a-f]{16}$/);
    expect(catalogVersion(PARSERS.map((p, i) => (i === 0 ? { ...p, version: p.version + 1 } : p)))).not.toBe(v);
  });

  it('the templates hash covers names and bytes of every file, partials too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdbf-tpl-'));
    mkdirSync(join(dir, 'partials'));
    writeFileSync(join(dir, 'report.md.hbs'), 'a');
    writeFileSync(join(dir, 'partials', 'x.hbs'), 'b');
    const h = templatesSha256(dir);
    writeFileSync(join(dir, 'partials', 'x.hbs'), 'c');
    const h2 = templatesSha256(dir);
    expect(h2).not.toBe(h);
    writeFileSync(join(dir, 'partials', 'y.hbs'), '');
    expect(templatesSha256(dir)).not.toBe(h2);
    expect(templatesSha256()).toMatch(/^[0-9a-f]{64}$/);
  });
});
