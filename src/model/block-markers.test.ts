import { describe, expect, it } from 'vitest';
import { TestDb } from '../analysis/testing.js';
import { rebuildHourly } from '../catalog/reclassify.js';
import { INDEX_SQL } from '../db/schema.js';
import { inferBlock } from './block.js';
import { firstRecordBefore } from './block-markers.js';

/** Logs of one service, `n` records per listed hour (log_hourly is what the span and activity read). */
function logs(t: TestDb, file: number, service: string, hours: string[], n = 10): void {
  for (const h of hours) t.insert('log_hourly', { file_id: file, service, hour: h, kind: 'app', level: 'INFO', n, first_ts: `${h}:00:04.000Z`, last_ts: `${h}:50:00.000Z` });
}

function hoursOf(days: string[], every = 1): string[] {
  const out: string[] = [];
  for (const d of days) for (let h = 0; h < 24; h += every) out.push(`${d}T${String(h).padStart(2, '0')}`);
  return out;
}

/** The runner's banner as the real runner prints it: a header record, then one record per field. */
function banner(t: TestDb, file: number, at: string, startTime: string, days: number | null): void {
  t.insert('log_events', { file_id: file, service: 'cdb_paper_runner', ts: at, kind: 'app', level: 'INFO', message: 'PAPER TRADING RUNNER INITIALIZED' });
  t.insert('log_events', { file_id: file, service: 'cdb_paper_runner', ts: at, kind: 'app', level: 'INFO', message: '='.repeat(60) });
  t.insert('log_events', { file_id: file, service: 'cdb_paper_runner', ts: at, kind: 'app', level: 'INFO', message: `  Start Time:  ${startTime}` });
  if (days !== null) t.insert('log_events', { file_id: file, service: 'cdb_paper_runner', ts: at, kind: 'app', level: 'INFO', message: `  Duration:    ${days} days` });
}

/** A log record and, as the writer counts it, its own group in the hourly rollup. */
function counted(t: TestDb, row: { file_id: number; service: string; ts: string; kind: string; level: string; message: string }): void {
  t.insert('log_events', row);
  const { class: klass } = t.db.prepare('SELECT class FROM log_events ORDER BY id DESC LIMIT 1').get() as { class: string | null };
  t.insert('log_hourly', { file_id: row.file_id, service: row.service, hour: row.ts.slice(0, 13), kind: row.kind, level: row.level, class: klass, n: 1, first_ts: row.ts, last_ts: row.ts });
}

type Setup = (t: TestDb) => void;

/** A feed that logs on day 1 only, and a runner that logs all three days: activity alone would pick the feed's day. */
const feedDiesDay1: Setup = (t) => {
  const f = t.file('logs/compose_logs.txt');
  logs(t, f, 'cdb_ws', hoursOf(['2026-02-10']), 500);
  logs(t, f, 'cdb_paper_runner', hoursOf(['2026-02-10', '2026-02-11', '2026-02-12', '2026-02-13'], 6), 1);
  // The stack came up the evening before the run (a busy startup day).
  logs(t, f, 'cdb_redis', hoursOf(['2026-02-09']), 5);
};
/** Evidence of one day only: without a marker the block is that day. */
const oneDay: Setup = (t) => {
  const f = t.file('logs/compose_logs.txt');
  logs(t, f, 'cdb_ws', hoursOf(['2026-02-10']), 500);
};
/** Five days of evidence, densest on the last three. */
const fiveDays: Setup = (t) => {
  const f = t.file('logs/compose_logs.txt');
  logs(t, f, 'cdb_ws', hoursOf(['2026-02-09', '2026-02-10'], 12), 1);
  logs(t, f, 'cdb_ws', hoursOf(['2026-02-11', '2026-02-12', '2026-02-13']), 100);
};

describe('block window from explicit markers', () => {
  it.each<[string, Setup[], [string, string], RegExp, RegExp]>([
    ['no marker: activity decides (one day of evidence)', [oneDay], ['2026-02-10', '2026-02-10'], /no explicit marker/, /no explicit marker/],
    ['runner banner with Duration: 3 days keeps 3 days although the evidence is one day', [oneDay, (t) => banner(t, 1, '2026-02-10T00:00:08.000Z', '2026-02-10T00:00:08.419777', 3)],
      ['2026-02-10', '2026-02-12'], /runner start banner logs\/compose_logs\.txt:1 .*Duration: 3 days/, /3 days from the start \(the runner's Duration: 3 days\)/],
    ['a feed that dies on day 1, no marker: activity drifts to the days around it', [feedDiesDay1], ['2026-02-09', '2026-02-11'], /most activity/, /most activity/],
    ['a feed that dies on day 1 does not pull the block towards it (runner, Duration: 3 days)', [feedDiesDay1, (t) => banner(t, 1, '2026-02-10T00:00:08.000Z', '2026-02-10T00:00:08.419777', 3)],
      ['2026-02-10', '2026-02-12'], /runner start banner/, /decided by the runner marker/],
    ['runner Duration: 14 days: the runbook block is 3 days', [fiveDays, (t) => banner(t, 1, '2026-02-09T00:01:00.000Z', '2026-02-09T00:01:00.000000', 14)],
      ['2026-02-09', '2026-02-11'], /runner start banner/, /runner's Duration is 14 days, the runbook's block 3/],
    ['runner Duration: 2 days: a 2-day block', [fiveDays, (t) => banner(t, 1, '2026-02-11T00:01:00.000Z', '2026-02-11T00:01:00.000000', 2)],
      ['2026-02-11', '2026-02-12'], /runner start banner/, /Duration: 2 days/],
    ['runner started at 10:00: the block starts at the next midnight', [fiveDays, (t) => banner(t, 1, '2026-02-09T10:00:01.000Z', '2026-02-09T10:00:01.447120', 14)],
      ['2026-02-10', '2026-02-12'], /Start Time 2026-02-09T10:00:01\.447Z/, /decided by the runner marker/],
    ['a banner after runner records is a restart, not the start (activity decides)', [fiveDays, (t) => {
      counted(t, { file_id: 1, service: 'cdb_paper_runner', ts: '2026-02-09T03:00:00.000Z', kind: 'app', level: 'INFO', message: '📊 Events logged: 100' });
      banner(t, 1, '2026-02-12T15:20:07.000Z', '2026-02-12T15:20:07.553120', 14);
    }], ['2026-02-11', '2026-02-13'], /no explicit marker/, /no explicit marker/],
    ['--since/--until on a console command line', [fiveDays, (t) => {
      const c = t.file('console/export.txt');
      t.insert('log_events', { file_id: c, line_no: 3, service: null, kind: 'console_command', message: 'docker compose logs -t --since 2026-02-10T00:00:00Z --until 2026-02-13T00:00:00Z > compose_logs.txt' });
      // As the writer counts it: an untimed console command in the hourly rollup.
      t.insert('log_hourly', { file_id: c, service: null, hour: null, kind: 'console_command', level: null, n: 1, first_ts: null, last_ts: null });
    }], ['2026-02-10', '2026-02-12'], /command line console\/export\.txt:3 \(--since 2026-02-10T00:00:00Z --until 2026-02-13T00:00:00Z\)/, /console\/export\.txt:3/],
    ['two dates in an export\'s file name (inclusive)', [fiveDays, (t) => { t.file('exports/compose_logs_2026-02-09_2026-02-11.txt'); }],
      ['2026-02-09', '2026-02-11'], /date range in the export's name exports\/compose_logs_2026-02-09_2026-02-11\.txt/, /compose_logs_2026-02-09_2026-02-11/],
    ['single dates in file names are no marker', [fiveDays, (t) => { t.file('logs/signal_since_2026-02-12.txt'); t.file('logs/events/events_20260209.jsonl'); }],
      ['2026-02-11', '2026-02-13'], /no explicit marker/, /no explicit marker/],
    ['the last midnight report closes the block\'s last day', [fiveDays, (t) => {
      const r = t.file('logs/runner.log');
      for (const d of ['2026-02-10', '2026-02-11', '2026-02-12']) t.insert('daily_report_values', { file_id: r, report_kind: 'paper_runner', report_date: d, generated_at: `${d}T00:00:00.040Z`, key: 'Signals Today', value_num: 3 });
    }], ['2026-02-09', '2026-02-11'], /3 days to the end .*decided by the reports marker/, /last daily report logs\/runner\.log:3 \(2026-02-12T00:00:00\.040Z\) closes 2026-02-11/],
    ['container start times: the day most containers started', [fiveDays, (t) => {
      const ps = t.file('ps/compose_ps.json');
      t.insert('containers', { file_id: ps, source: 'compose_ps_json', name: 'cdb_postgres', created_at: '2026-02-01T08:00:00.000Z' });
      for (const n of ['cdb_ws', 'cdb_signal', 'cdb_risk']) t.insert('containers', { file_id: ps, source: 'compose_ps_json', name: n, created_at: '2026-02-09T23:59:40.000Z' });
    }], ['2026-02-10', '2026-02-12'], /3 of 4 containers started on 2026-02-09, first cdb_ws CreatedAt 2026-02-09T23:59:40\.000Z \(ps\/compose_ps\.json:2\)/, /decided by the containers marker/],
    ['containers up since long before the evidence are set aside', [fiveDays, (t) => {
      const ps = t.file('ps/compose_ps.json');
      t.insert('containers', { file_id: ps, source: 'compose_ps_json', name: 'cdb_ws', created_at: '2025-11-01T08:00:00.000Z' });
    }], ['2026-02-11', '2026-02-13'], /no explicit marker/, /no explicit marker/],
    ['precedence: the runner banner over container starts', [fiveDays, (t) => {
      banner(t, 1, '2026-02-09T00:01:00.000Z', '2026-02-09T00:01:00.000000', 3);
      const ps = t.file('ps/compose_ps.json');
      t.insert('containers', { file_id: ps, source: 'compose_ps_json', name: 'cdb_ws', created_at: '2026-02-10T23:59:40.000Z' });
    }], ['2026-02-09', '2026-02-11'], /runner start banner .*also seen: container start times/, /decided by the runner marker/],
    ['precedence: an export range over container starts and reports', [fiveDays, (t) => {
      t.file('exports/logs_20260211-20260213.txt');
      const ps = t.file('ps/compose_ps.json');
      t.insert('containers', { file_id: ps, source: 'compose_ps_json', name: 'cdb_ws', created_at: '2026-02-08T23:59:40.000Z' });
    }], ['2026-02-11', '2026-02-13'], /date range in the export's name exports\/logs_20260211-20260213\.txt; also seen: container start times/, /logs_20260211-20260213/],
  ])('%s', (_n, setups, [from, to], fromWhy, toWhy) => {
    const t = new TestDb();
    for (const s of setups) s(t);
    const b = inferBlock(t.db, [], 'UTC');
    expect([b.from.slice(0, 10), b.to.slice(0, 10)]).toEqual([from, to]);
    expect(b.from.slice(10)).toBe('T00:00:00.000Z');
    expect(b.to.slice(10)).toBe('T23:59:59.999Z');
    expect(b.fromEvidence).toMatch(fromWhy);
    expect(b.toEvidence).toMatch(toWhy);
  });
});

describe("a service's first record before a time, through the class index and the rollup", () => {
  // Three services; classified and unclassified records; untimed lines; a time that is not ISO
  // text; equal times across classes and files (the first stored wins, as the scan's index gives it).
  const t = new TestDb();
  const a = t.file('logs/a.txt');
  const b = t.file('logs/b.txt');
  const rows: [number, string | null, string | null, string][] = [
    [a, 'cdb_ws', '2026-02-10T00:00:05.000Z', '[redis] published market_data: BTCUSDT @ 70457.94'],
    [a, 'cdb_paper_runner', '2026-02-10T00:00:08.000Z', 'PAPER TRADING RUNNER INITIALIZED'],
    [a, 'cdb_paper_runner', null, 'Traceback (most recent call last):'],
    [a, 'cdb_paper_runner', '2026-02-10T00:00:09.000Z', '📊 Events logged: 100'],
    [b, 'cdb_paper_runner', '2026-02-10T00:00:09.000Z', 'some line no catalog entry knows'],
    [b, 'cdb_paper_runner', '2026-02-10T00:00:07.500Z', 'PAPER TRADING RUNNER INITIALIZED'],
    [a, 'cdb_paper_runner', '2026-02-12T15:20:07.000Z', 'PAPER TRADING RUNNER INITIALIZED'],
    [b, 'cdb_ws', '2026-02-09 23:59:59', 'a time the rollup has no hour for'],
    [b, 'cdb_ws', '2026-02-10T00:00:05.000Z', 'an unclassified line at a classified line\'s time'],
    [a, null, '2026-02-09T12:00:00.000Z', 'a record of no service'],
    [b, 'cdb_risk', '2026-02-11T08:00:00.000Z', 'Risk approved'],
    [b, 'cdb_tie', '2026-02-10T01:00:00.000Z', '[redis] published market_data: ETHUSDT @ 2001.5'],
    [a, 'cdb_tie', '2026-02-10T01:00:00.000Z', 'stored second, unclassified, at the same time'],
  ];
  for (const [file_id, service, ts, message] of rows) t.insert('log_events', { file_id, service, ts, kind: 'app', level: 'INFO', message });
  rebuildHourly(t.db, a);
  rebuildHourly(t.db, b);
  const bounds = ['2026-02-09T00:00:00.000Z', '2026-02-09T23:59:59.999Z', '2026-02-10T00:00:05.000Z', '2026-02-10T00:00:07.600Z', '2026-02-10T00:00:09.001Z', '2026-02-13T00:00:00.000Z'];
  const cases = ['cdb_ws', 'cdb_paper_runner', 'cdb_risk', 'cdb_tie', null, 'cdb_absent'].flatMap((s) => bounds.map((bound) => ({ service: s, bound })));
  // The scan as the build ran it before: through a (service, ts) index, which orders equal times
  // by rowid. Answered first; then only the indexes the build keeps are left for the walk.
  t.db.exec('CREATE INDEX ix_reference ON log_events(service, ts)');
  const scan = t.db.prepare('SELECT m.path, l.line_no, l.ts FROM log_events l INDEXED BY ix_reference JOIN manifest m ON m.id = l.file_id WHERE l.service IS ? AND l.ts < ? ORDER BY l.ts LIMIT 1');
  const expected = cases.map(({ service, bound }) => scan.get(service, bound));
  t.db.exec('DROP INDEX ix_reference');
  t.db.exec(INDEX_SQL);
  const before = firstRecordBefore(t.db);
  it.each(cases.map((c, i) => ({ ...c, i })))('$service before $bound: the same record as the scan', ({ service, bound, i }) => {
    expect(before(service, bound)).toEqual(expected[i]);
  });
  it('the cases include found records, ties and the non-ISO time', () => {
    const found = cases.map(({ service, bound }) => before(service, bound)).filter((r) => r);
    expect(found.length).toBeGreaterThan(6);
    expect(before('cdb_ws', '2026-02-10T00:00:00.000Z')).toEqual({ path: 'logs/b.txt', line_no: 3, ts: '2026-02-09 23:59:59' });
    expect(before('cdb_tie', '2026-02-13T00:00:00.000Z')).toEqual({ path: 'logs/b.txt', line_no: 6, ts: '2026-02-10T01:00:00.000Z' });
    expect(before('cdb_paper_runner', '2026-02-10T00:00:09.001Z')).toEqual({ path: 'logs/b.txt', line_no: 2, ts: '2026-02-10T00:00:07.500Z' });
  });
});
