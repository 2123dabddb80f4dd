/**
 * Issue 9 end to end: the same evidence saved more than once is stored once, and a block another
 * writer printed between INFO lines is a record of its own. Each derived sample is compared with
 * the sample it was made from (samples/make-samples.py): same events, same counts, same findings.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, samples, tmp } from './helpers.js';

interface Finding {
  id: string;
  severity: string;
  message: string;
  evidence: { file: string; line: number; text: string }[];
}
interface Report {
  flow: { break_layer: string | null; counts: Record<string, number> };
  layers: { id: string; status: string; findings: Finding[] }[];
  hypotheses: { cause: string; title: string }[];
  manifest: { files: { path: string; records: number; copies?: number; copy_of?: { path: string; records: number }[] }[] };
}

const ALL = samples();
const byName = (n: string) => ALL.find((s) => s.name === n)!;

const cache = new Map<string, { report: Report; db: Database.Database; md: string }>();
function run(name: string) {
  let r = cache.get(name);
  if (!r) {
    const out = tmp('cdbf-copies-');
    const res = cli(['run', byName(name).path, '--out', out, '--db', join(out, 'case.db'), '--now', '2026-02-01T00:00:00Z']);
    expect([0, 1], res.stderr).toContain(res.status);
    r = {
      report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report,
      md: readFileSync(join(out, 'report.md'), 'utf8'),
      db: new Database(join(out, 'case.db'), { readonly: true }),
    };
    cache.set(name, r);
  }
  return r;
}

const findings = (r: Report) => r.layers.flatMap((l) => l.findings.map((f) => `${f.severity} ${f.id}`)).sort();

/** Every stored log event as comparable text, without where it came from. */
function events(db: Database.Database): string[] {
  return (db.prepare('SELECT service, ts, level, logger, kind, message FROM log_events').raw().all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
}

describe('the same log saved in two and in three files counts each event once', () => {
  it.each([
    ['copies-since-era-a', 'healthy-era-a'],
    ['copies-three-era-a', 'exposure-stuck-era-a'],
  ])('%s stores exactly the events of %s and reports the same', (name, origin) => {
    const a = run(name);
    const o = run(origin);
    // The break is cited in whichever copy keeps the events (the first by path): same line, same text.
    const cite = (f: typeof a.report.flow) => ({ ...f, break_evidence: (f as unknown as { break_evidence: { line: number; text: string }[] }).break_evidence.map((e) => [e.line, e.text]) });
    expect(cite(a.report.flow)).toEqual(cite(o.report.flow));
    // No finding more or less: no doubled restart, approval or rejection, no persistence gap.
    expect(findings(a.report)).toEqual(findings(o.report));
    expect(a.report.hypotheses.map((h) => h.cause)).toEqual(o.report.hypotheses.map((h) => h.cause));
    expect(events(a.db)).toEqual(events(o.db));
    const hourly = (db: Database.Database) => db.prepare('SELECT service, hour, kind, level, SUM(n) AS n FROM log_hourly GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4').all();
    expect(hourly(a.db)).toEqual(hourly(o.db));
  });

  it.each([
    ['copies-since-era-a', { 'logs/compose_logs_since24h_timestamps.txt': ['compose_logs.txt'] }],
    ['copies-three-era-a', { 'logs/risk.log': ['logs/risk (1).log'], 'logs/saved-again/risk.txt': ['logs/risk (1).log'] }],
  ] as const)('%s: each copy file is all copies of the first file in path order, every line accounted for', (name, copyFiles) => {
    const { db, report, md } = run(name);
    const rows = db.prepare('SELECT id, path, lines, records, record_lines, structural, quarantined, copies, copy_lines FROM manifest ORDER BY path').all() as {
      id: number; path: string; lines: number; records: number; record_lines: number; structural: number; quarantined: number; copies: number; copy_lines: number;
    }[];
    for (const r of rows) expect(r.record_lines + r.structural + r.quarantined + r.copy_lines, r.path).toBe(r.lines);
    for (const r of rows) {
      const of = (copyFiles as Record<string, readonly string[]>)[r.path];
      if (!of) {
        expect(r.copies, r.path).toBe(0);
        continue;
      }
      expect(r.records, `${r.path} keeps no event of its own`).toBe(0);
      expect(r.copies, r.path).toBeGreaterThan(0);
      // Each copy row points at a stored event of the named file, and no event is the target twice from one file.
      const targets = db
        .prepare('SELECT m.path, COUNT(*) AS n, COUNT(DISTINCT c.event_id) AS d FROM copies c JOIN log_events e ON e.id = c.event_id JOIN manifest m ON m.id = e.file_id WHERE c.file_id = ? GROUP BY 1')
        .all(r.id) as { path: string; n: number; d: number }[];
      expect(targets.map((t) => t.path)).toEqual(of);
      expect(targets.reduce((a, t) => a + t.n, 0)).toBe(r.copies);
      for (const t of targets) expect(t.d).toBe(t.n);
      const entry = report.manifest.files.find((f) => f.path === r.path)!;
      expect(entry).toMatchObject({ records: 0, copies: r.copies, copy_of: of.map((p) => ({ path: p, records: r.copies })) });
      expect(md).toContain(`\`${r.path}\`: ${r.copies.toLocaleString('en-US')} records already stored from \`${of[0]}\``);
    }
    expect(report.manifest.files.filter((f) => f.copies !== undefined).map((f) => f.path).sort()).toEqual(Object.keys(copyFiles).sort());
  });

  it('a copy with docker stamps matches the export without them, the stamp kept on the copy', () => {
    const { db } = run('copies-since-era-a');
    const r = db
      .prepare(
        `SELECT COUNT(*) AS n, SUM(c.docker_ts IS NOT NULL) AS stamped, SUM(e.docker_ts IS NULL) AS plain, SUM(e.message = c.message) AS same
         FROM copy_log_events c JOIN copies k ON k.tbl = 'log_events' AND k.file_id = c.file_id AND k.line_no = c.line_no JOIN log_events e ON e.id = k.event_id`,
      )
      .get() as { n: number; stamped: number; plain: number; same: number };
    expect(r.n).toBeGreaterThan(500);
    expect(r).toEqual({ n: r.n, stamped: r.n, plain: r.n, same: r.n });
  });
});

describe('a headerless stderr traceback between INFO lines is a record of its own', () => {
  it('no error is attributed to the INFO line, and the flow is that of the healthy block', () => {
    const a = run('stderr-traceback-era-a');
    const o = run('healthy-era-a');
    expect(a.report.flow).toEqual(o.report.flow);
    const q = "SELECT COUNT(*) AS n, SUM(message LIKE '%Traceback%' OR message LIKE '%Exception occurred%') AS glued FROM log_events WHERE message LIKE '✅ Trade persisted:%'";
    const persisted = a.db.prepare(q).get() as { n: number; glued: number };
    expect(persisted).toEqual({ n: (o.db.prepare(q).get() as { n: number }).n, glued: 0 });
    expect(persisted.n).toBeGreaterThan(100);
    // The six blocks, each right after a Trade persisted line of the same container.
    const blocks = a.db
      .prepare(
        `SELECT b.line_no, b.line_count, b.level, b.format, (SELECT p.message FROM log_events p WHERE p.file_id = b.file_id AND p.service = b.service AND p.line_no < b.line_no ORDER BY p.line_no DESC LIMIT 1) AS before
         FROM log_events b WHERE b.kind = 'stderr_block' ORDER BY b.line_no`,
      )
      .all() as { line_no: number; line_count: number; level: string | null; format: string; before: string }[];
    expect(blocks.map((b) => [b.line_count, b.level, b.format])).toEqual([...Array(5).fill([19, null, 'unformatted']), [6, null, 'unformatted']]);
    // Each block has its own catalog class: socketserver's client resets, and one uncaught traceback.
    const classes = a.db.prepare("SELECT class FROM log_events WHERE kind = 'stderr_block' ORDER BY line_no").all().map((r) => (r as { class: string }).class);
    expect(classes).toEqual([...Array(5).fill('http.request_exception'), 'python.traceback']);
    for (const b of blocks) expect(b.before).toMatch(/^✅ Trade persisted:/);
    // What differs from the healthy block is only the uncaught traceback, cited where it starts; the
    // socketserver blocks (a client that hung up) are warnings of their own class, not errors.
    const extra = findings(a.report).filter((f) => !findings(o.report).includes(f));
    expect(extra).toEqual(['medium exceptions:cdb_db_writer']);
    const f = a.report.layers.flatMap((l) => l.findings).find((x) => x.id === 'exceptions:cdb_db_writer')!;
    expect(f.message).not.toMatch(/Trade persisted/);
    expect(f.message).toMatch(/BrokenPipeError/);
    expect(f.message).toMatch(/^cdb_db_writer: 1 ERROR\/CRITICAL record/);
    const starts = new Set(blocks.map((b) => b.line_no));
    for (const e of f.evidence) expect(starts.has(e.line), `${e.file}:${e.line} ${e.text}`).toBe(true);
    expect(findings(o.report).filter((x) => !findings(a.report).includes(x))).toEqual([]);
  });
});

describe('re-ingesting a bundle with copies', () => {
  it('changes nothing when nothing changed, and gives the same events when a copy file is read again', () => {
    const dbPath = join(tmp('cdbf-copies-re-'), 'case.db');
    const path = byName('copies-since-era-a').path;
    const ingest = () => {
      const r = cli(['ingest', path, '--db', dbPath, '--jobs', '1']);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const state = () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return {
          events: events(db),
          copies: db.prepare('SELECT c.tbl, c.file_id, c.line_no, c.line_count, e.file_id AS of_file, e.line_no AS of_line FROM copies c JOIN log_events e ON e.id = c.event_id ORDER BY 1, 2, 3').all(),
          manifest: db.prepare('SELECT path, records, record_lines, copies, copy_lines FROM manifest ORDER BY path').all(),
          hourly: db.prepare('SELECT file_id, service, hour, kind, level, n, first_ts, last_ts FROM log_hourly ORDER BY 1, 2, 3, 4, 5').all(),
        };
      } finally {
        db.close();
      }
    };
    ingest();
    const first = state();
    expect(ingest()).toMatch(/\b8 unchanged; 0 rows/);
    expect(state()).toEqual(first);
    for (const file of ['logs/compose_logs_since24h_timestamps.txt', 'compose_logs.txt']) {
      const rw = new Database(dbPath);
      rw.prepare('UPDATE manifest SET parser_version = 0 WHERE path = ?').run(file);
      rw.close();
      expect(ingest()).toMatch(/\b7 unchanged/);
      expect(state(), `after reading ${file} again`).toEqual(first);
    }
  });
});
