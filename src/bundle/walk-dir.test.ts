import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkDir } from './walk-dir.js';

let root: string;
let outside: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cdbf-walk-'));
  outside = mkdtempSync(join(tmpdir(), 'cdbf-outside-'));
  writeFileSync(join(outside, 'secret.log'), 'must not be listed\n');
  mkdirSync(join(root, 'b', 'deep'), { recursive: true });
  mkdirSync(join(root, 'A'));
  writeFileSync(join(root, '.env'), 'X=1\n');
  writeFileSync(join(root, 'b', 'deep', 'z.log'), 'z\n');
  writeFileSync(join(root, 'b', 'a.log'), 'abc\n');
  writeFileSync(join(root, 'A', 'upper.txt'), '');
  writeFileSync(join(root, 'B.txt'), 'x');
  symlinkSync(outside, join(root, 'outside-dir'));
  symlinkSync(join(outside, 'secret.log'), join(root, 'b', 'secret-link.log'));
  symlinkSync('missing-target', join(root, 'dangling'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('walkDir', () => {
  it('lists regular files sorted by code unit, hidden ones included', async () => {
    const l = await walkDir(root);
    expect(l.files.map((f) => f.relPath)).toEqual(['.env', 'A/upper.txt', 'B.txt', 'b/a.log', 'b/deep/z.log']);
    expect(l.files.find((f) => f.relPath === 'b/a.log')).toMatchObject({ bytes: 4, abs: join(root, 'b', 'a.log') });
    expect(l.files.every((f) => !Number.isNaN(Date.parse(f.mtime)))).toBe(true);
  });

  it.each([
    ['outside-dir', /^symbolic link to .*cdbf-outside-.* — not followed/],
    ['b/secret-link.log', /^symbolic link to .*secret\.log — not followed/],
    ['dangling', /^symbolic link to missing-target — not followed/],
  ])('refuses the link %s with its target and never follows it', async (path, reason) => {
    const l = await walkDir(root);
    expect(l.refused.find((r) => r.path === path)?.reason).toMatch(reason);
    expect(l.files.some((f) => f.relPath.includes('secret'))).toBe(false);
  });

  it('reports an unreadable root instead of throwing', async () => {
    const l = await walkDir(join(root, 'no-such-dir'));
    expect(l.files).toEqual([]);
    expect(l.refused).toEqual([{ path: '.', reason: expect.stringMatching(/^directory cannot be read \(ENOENT\)/) }]);
  });
});
