import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inputKind } from './inputs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cdbf-inputs-'));

describe('inputKind tells a bundle, a working database and a report.json apart by content', () => {
  const db = join(dir, 'case.sqlite3.bak');
  new Database(db).exec('CREATE TABLE t (x)');
  const renamedReport = join(dir, 'block-12-report.txt');
  copyFileSync(join(ROOT, 'test/fixtures/report-v1-drawdown-runbook.json'), renamedReport);
  const jsonNotReport = join(dir, 'compose_ps.json');
  writeFileSync(jsonNotReport, '[{"Name":"cdb_core"}]');
  it.each([
    ['a directory', join(ROOT, 'samples/drawdown-runbook'), 'bundle'],
    ['a .tgz', join(ROOT, 'samples/healthy-era-a.tgz'), 'bundle'],
    ['a .zip', join(ROOT, 'samples/persistence-era-b.zip'), 'bundle'],
    ['a SQLite file with any name', db, 'db'],
    ['a report.json with any name', renamedReport, 'report'],
    ['JSON evidence (one file bundle)', jsonNotReport, 'bundle'],
  ])('%s', (_n, path, kind) => {
    expect(inputKind(path)).toBe(kind);
  });

  it('a missing path is a user error naming what to pass', () => {
    expect(() => inputKind(join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'NO_INPUT' }));
  });
});
