import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, CATALOG_VERSION } from '../src/catalog/index.js';
import { cli, samples, tmp } from './helpers.js';

const ALL = samples();
const IDS = new Set(CATALOG.map((e) => e.id));

function ingest(path: string): string {
  const db = join(tmp('cdbf-cat-'), 'case.db');
  const r = cli(['ingest', path, '--db', db]);
  expect(r.status, r.stderr).toBe(0);
  return db;
}

describe('every log record is classified once, at ingest', () => {
  it.each(ALL)('$name: every record of a known message has its catalog class', ({ path }) => {
    const db = new Database(ingest(path), { readonly: true });
    try {
      const classes = (db.prepare('SELECT DISTINCT class FROM log_events WHERE class IS NOT NULL ORDER BY 1').all() as { class: string }[]).map((r) => r.class);
      for (const c of classes) expect(IDS.has(c), c).toBe(true);
      // The samples hold only literal messages of the formats doc: none may stay unmatched.
      const unmatched = db.prepare('SELECT service, message FROM log_events WHERE class IS NULL ORDER BY id LIMIT 5').all();
      expect(unmatched).toEqual([]);
      // The hourly rollup counts the same classes as the records hold.
      const a = db.prepare('SELECT class, COUNT(*) AS n FROM log_events GROUP BY class ORDER BY class').all();
      const b = db.prepare('SELECT class, SUM(n) AS n FROM log_hourly GROUP BY class ORDER BY class').all();
      expect(b).toEqual(a);
      const stale = db.prepare('SELECT COUNT(*) AS n FROM manifest WHERE status = ? AND catalog_version IS NOT ?').get('ingested', CATALOG_VERSION) as { n: number };
      expect(stale.n).toBe(0);
    } finally {
      db.close();
    }
  });

  it('files classified under an older catalog are classified again on the next run, as a fresh ingest would', () => {
    const s = ALL.find((x) => x.name === 'drawdown-runbook')!;
    const file = ingest(s.path);
    const snapshot = (db: Database.Database) => ({
      classes: db.prepare('SELECT id, class FROM log_events ORDER BY id').all(),
      hourly: db.prepare('SELECT file_id, service, hour, kind, level, class, n, first_ts, last_ts FROM log_hourly ORDER BY file_id, hour, service, kind, level, class').all(),
    });
    const db = new Database(file);
    const before = snapshot(db);
    // What a database of an older catalog looks like: other classes, an older version.
    db.exec("UPDATE log_events SET class = 'obsolete.class'; UPDATE log_hourly SET class = 'obsolete.class'; UPDATE manifest SET catalog_version = 0");
    db.close();
    const r = cli(['ingest', s.path, '--db', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/classified again \(catalog version \d+\)/);
    const db2 = new Database(file, { readonly: true });
    try {
      expect(snapshot(db2)).toEqual(before);
    } finally {
      db2.close();
    }
  });

  it.each([
    ['decision-contract-era-c', 'C', /risk\.rejected\.decision_contract \(first logs\/cdb-blue_compose_logs\.txt:\d+\)/],
    ['exposure-stuck-era-a', 'A', /container cdb_core/],
    ['drawdown-runbook', 'A', /./],
  ])('%s: the era (%s) is decided from classes and tables and cites what decided it', (name, era, why) => {
    const s = ALL.find((x) => x.name === name)!;
    const dir = tmp('cdbf-era-');
    const r = cli(['run', s.path, '--db', join(dir, 'case.db'), '--out', join(dir, 'out'), '--now', '2026-12-01T00:00:00Z', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.block.era).toBe(era);
    expect(report.block.evidence.era).toMatch(why);
  });
});
