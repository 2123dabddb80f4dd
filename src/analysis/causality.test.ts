import { describe, expect, it } from 'vitest';
import { isSteady, linkCauses, Records, type LinkedHypothesis } from './causality.js';
import { RESTART_SIGNS } from '../catalog/edges.js';
import { rebuildHourly } from '../catalog/reclassify.js';
import type { Evidence } from './define-rule.js';
import type { RankedHypothesis } from './engine.js';
import { TestDb } from './testing.js';
import { addLog, at, fileId } from './rule-testing.js';
import { render, text } from '../i18n/translate.js';

const AOF = 'Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>';
const REFUSED = 'Redis-Verbindung fehlgeschlagen: Error 111 connecting to cdb_redis:6379. Connection refused.';
const BLOCK = { from: '2025-11-26T00:00:00.000Z', to: '2025-11-28T23:59:59.999Z', days: ['2025-11-26', '2025-11-27', '2025-11-28'], era: 'B', dialect: 'real' };

/** A log line at a minute of the block (negative: before it); returns its evidence pointer. */
function line(t: TestDb, service: string, minute: number, message: string, level = 'ERROR'): Evidence {
  const file = `logs/${service}.log`;
  const n = (t.db.prepare('SELECT COUNT(*) AS n FROM log_events WHERE file_id = ?').get(fileId(t, file)) as { n: number }).n + 1;
  addLog(t, { service, ts: at(minute), message, level, file, line: n, kind: service === 'cdb_redis' ? 'redis' : 'app' });
  return { file, line: n, text: message };
}

function hyp(cause: string, evidence: Evidence[], title = cause): RankedHypothesis {
  return { cause, layer: 'system', title, likelihood: 'likely', evidence, why: null, rules: ['test'] };
}

/** As ingest does: the hourly rollup the steadiness test reads. */
function rollup(t: TestDb): void {
  t.db.exec('DELETE FROM log_hourly');
  t.db.exec(`INSERT INTO log_hourly (file_id, service, hour, kind, level, class, n, first_ts, last_ts)
    SELECT file_id, service, substr(ts, 1, 13), kind, level, class, COUNT(*), MIN(ts), MAX(ts) FROM log_events WHERE ts IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6`);
}

function link(t: TestDb, hs: RankedHypothesis[]): LinkedHypothesis[] {
  rollup(t);
  const ev = (f: number, l: number): Evidence => {
    const r = t.db.prepare('SELECT m.path AS file, e.message AS text FROM log_events e JOIN manifest m ON m.id = e.file_id WHERE e.file_id = ? AND e.line_no = ?').get(f, l) as { file: string; text: string };
    return { file: r.file, line: l, text: r.text };
  };
  return linkCauses(t.db, BLOCK, hs, ev);
}

/** The Redis fault at minute 600, and two clients refused `delay` minutes later (the consequence ranked first by the engine). */
function redisAndClients(t: TestDb, delay: number): RankedHypothesis[] {
  const own = line(t, 'cdb_redis', 600, AOF, 'WARNING');
  const c1 = line(t, 'cdb_signal', 600 + delay, REFUSED);
  const c2 = line(t, 'cdb_risk', 600 + delay, REFUSED);
  return [hyp('system.redis_unreachable', [c1, c2], 'Redis refuses connections'), hyp('system.redis_storage', [own], 'Redis could not load its AOF')];
}

describe('linkCauses', () => {
  const cases: [string, (t: TestDb) => RankedHypothesis[], { order: string[]; links: Record<string, string | null> }][] = [
    ['an edge and a start within its delay link, the cause ranks first', (t) => redisAndClients(t, 1), {
      order: ['system.redis_storage', 'system.redis_unreachable'], links: { 'system.redis_unreachable': 'system.redis_storage' } }],
    ['a start beyond the edge\'s delay does not link', (t) => redisAndClients(t, 120), {
      order: ['system.redis_unreachable', 'system.redis_storage'], links: { 'system.redis_unreachable': null } }],
    ['a start before the cause does not link', (t) => redisAndClients(t, -30), {
      order: ['system.redis_unreachable', 'system.redis_storage'], links: { 'system.redis_unreachable': null } }],
    ['no declared edge, no link (a risk rejection right after a Redis fault)', (t) => {
      const own = line(t, 'cdb_redis', 600, AOF, 'WARNING');
      const rej = line(t, 'cdb_risk', 601, '⚠️ Max Exposure erreicht: 5120.40 >= 5000.00', 'WARNING');
      return [hyp('risk.max_exposure', [rej]), hyp('system.redis_storage', [own])];
    }, { order: ['risk.max_exposure', 'system.redis_storage'], links: { 'risk.max_exposure': null } }],
    ['a restart banner a moment before the fault line of the same start still links (clock slack)', (t) => {
      const start = line(t, 'cdb_redis', -60, 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', 'WARNING');
      line(t, 'cdb_redis', 600, 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', 'WARNING');
      const own = line(t, 'cdb_redis', 600.001, AOF, 'WARNING');
      return [hyp('system.crash_loop', [start]), hyp('system.redis_storage', [own])];
    }, { order: ['system.redis_storage', 'system.crash_loop'], links: { 'system.crash_loop': 'system.redis_storage' } }],
    ['an anomaly steady from the first covered hour explains nothing that changes in the block', (t) => {
      let own: Evidence | null = null;
      for (let m = 0; m <= 4300; m += 30) {
        const e = line(t, 'cdb_redis', m, AOF, 'WARNING');
        own ??= e;
      }
      // One refusal right after (within the edge's delay), then a surge from the second day: a change in the block.
      const c1 = line(t, 'cdb_signal', 1, REFUSED);
      for (let m = 2400; m <= 4300; m += 5) line(t, 'cdb_signal', m, REFUSED);
      return [hyp('system.redis_unreachable', [c1]), hyp('system.redis_storage', [own!])];
    }, { order: ['system.redis_unreachable', 'system.redis_storage'], links: { 'system.redis_unreachable': null } }],
    ['the same, but the refusals are as steady as the fault: it explains them', (t) => {
      let own: Evidence | null = null;
      for (let m = 0; m <= 4300; m += 30) {
        const e = line(t, 'cdb_redis', m, AOF, 'WARNING');
        own ??= e;
      }
      let c1: Evidence | null = null;
      for (let m = 1; m <= 4300; m += 30) {
        const e = line(t, 'cdb_signal', m, REFUSED);
        c1 ??= e;
      }
      return [hyp('system.redis_unreachable', [c1!]), hyp('system.redis_storage', [own!])];
    }, { order: ['system.redis_storage', 'system.redis_unreachable'], links: { 'system.redis_unreachable': 'system.redis_storage' } }],
  ];

  it.each(cases)('%s', (_n, setup, want) => {
    const t = new TestDb();
    const out = link(t, setup(t));
    expect(out.map((h) => h.cause)).toEqual(want.order);
    for (const [cause, of] of Object.entries(want.links)) {
      const h = out.find((x) => x.cause === cause)!;
      expect(h.consequence_of).toBe(of);
      if (of) {
        const c = out.find((x) => x.cause === of)!;
        expect(c.consequences.map((x) => x.cause)).toEqual([cause]);
        expect(c.consequences[0].started_at).toBe(h.started_at);
        expect(c.consequences[0].evidence.length).toBeGreaterThan(0);
        expect(h.chain).toContain(c.title);
      }
    }
  });

  it("a consequence's evidence starts at its start: a crash loop's first, normal start is not cited", () => {
    const t = new TestDb();
    const first = line(t, 'cdb_redis', -60, 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', 'WARNING');
    const again = line(t, 'cdb_redis', 600, 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', 'WARNING');
    const own = line(t, 'cdb_redis', 600.001, AOF, 'WARNING');
    const out = link(t, [hyp('system.crash_loop', [first, again]), hyp('system.redis_storage', [own])]);
    expect(out[0].consequences[0].evidence.map((e) => e.line)).toEqual([again.line]);
  });

  it('started_at is the first anomalous record of the pair, not the first one the evidence cites', () => {
    const t = new TestDb();
    line(t, 'cdb_signal', 30, REFUSED);
    const later = line(t, 'cdb_signal', 900, REFUSED);
    const [h] = link(t, [hyp('system.redis_unreachable', [later])]);
    expect(h.started_at).toBe('2025-11-26T00:30:00Z');
  });

  it('a steady cause says so in its chain', () => {
    const t = new TestDb();
    const setup = cases.find((c) => c[0].startsWith('an anomaly steady'))![1];
    const out = link(t, setup(t));
    expect(out.find((h) => h.cause === 'system.redis_storage')!.chain).toMatch(/already steady before the block/);
  });

  const triggers: [string, (t: TestDb) => void, RegExp, string | null][] = [
    ['no Redis log in the bundle', () => {}, /cdb_redis's log is not in the bundle \(trigger not in the bundle\)/, null],
    ['a Redis log silent at that time', (t) => void line(t, 'cdb_redis', 10, 'Ready to accept connections tcp', 'notice'), /cdb_redis's log says nothing about it \(trigger not in the bundle\)/, null],
    ['Redis\'s own restart right before', (t) => void line(t, 'cdb_redis', 598, 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', 'WARNING'), /^cdb_redis restarted at 2025-11-26 09:58 UTC → /, 'Redis is starting'],
  ];
  it.each(triggers)('clients refused, no hypothesis for Redis, %s', (_n, setup, chain, firstEvidence) => {
    const t = new TestDb();
    setup(t);
    const c1 = line(t, 'cdb_signal', 600, REFUSED);
    const c2 = line(t, 'cdb_risk', 600, REFUSED);
    const [h] = link(t, [hyp('system.redis_unreachable', [c1, c2], 'Redis refuses connections')]);
    expect(h.chain).toMatch(chain);
    if (firstEvidence) {
      // The dependency's own line is the cause's first evidence.
      expect(h.evidence[0].file).toBe('logs/cdb_redis.log');
      expect(h.evidence[0].text).toContain(firstEvidence);
    } else expect(h.evidence.map((e) => e.file)).not.toContain('logs/cdb_redis.log');
  });

  it.each([
    ['with nothing before it: the trigger is not in the bundle', false, /^Services crash and restart \(from 2025-11-26 10:00 UTC\); why: nothing in the bundle shows what set it off \(trigger not in the bundle\)$/, null],
    ['after a traceback in the same service: the exception is its cause', true, /^A service dies on an exception \(from 2025-11-26 09:59 UTC\) → Services crash and restart/, 'system.exceptions'],
  ])('a crash loop %s', (_n, traceback, chain, cause) => {
    const t = new TestDb();
    line(t, 'cdb_risk', 0, '🚀 Risk-Manager gestartet', 'INFO');
    const hs: RankedHypothesis[] = [];
    let restart: Evidence | null = null;
    for (let m = 600; m <= 700; m += 10) {
      if (traceback) {
        const tb = line(t, 'cdb_risk', m - 1, 'Traceback (most recent call last):\n  File "service.py", line 12, in <module>\nKeyError: \'x\'');
        if (!hs.length) hs.push(hyp('system.exceptions', [tb], 'A service dies on an exception'));
      }
      const e = line(t, 'cdb_risk', m, '🚀 Risk-Manager gestartet', 'INFO');
      restart ??= e;
    }
    const out = link(t, [hyp('system.crash_loop', [restart!], 'Services crash and restart'), ...hs]);
    const loop = out.find((h) => h.cause === 'system.crash_loop')!;
    expect(loop.chain).toMatch(chain);
    expect(loop.consequence_of).toBe(cause);
    expect(out[0].cause).toBe(cause ?? 'system.crash_loop');
  });

  it("a writer's failed inserts right after PostgreSQL shut down cite Postgres's own line", () => {
    const t = new TestDb();
    line(t, 'cdb_postgres', 590, 'database system is shut down', 'LOG');
    const w = line(t, 'cdb_db_writer', 600, 'Failed to persist trade: connection already closed');
    const [h] = link(t, [hyp('system.db_connection_lost', [w], 'A writer lost its PostgreSQL connection')]);
    expect(h.chain).toBe('cdb_postgres shut down at 2025-11-26 09:50 UTC → A writer lost its PostgreSQL connection (from 2025-11-26 10:00 UTC)');
    expect(h.evidence[0]).toMatchObject({ file: 'logs/cdb_postgres.log', text: 'database system is shut down' });
  });

  // The chain is keyed text composed of the titles' own texts: in German, titles, triggers and times are German.
  it.each<[string, (t: TestDb) => RankedHypothesis[], string, string, string]>([
    ['a cause and its consequence, titles keyed', (t) => {
      const tb = line(t, 'cdb_risk', 599, 'Traceback (most recent call last):\n  File "service.py", line 12, in <module>\nKeyError: \'x\'');
      line(t, 'cdb_risk', 0, '🚀 Risk-Manager gestartet', 'INFO');
      const r = line(t, 'cdb_risk', 600, '🚀 Risk-Manager gestartet', 'INFO');
      line(t, 'cdb_risk', 610, '🚀 Risk-Manager gestartet', 'INFO');
      return [
        { ...hyp('system.crash_loop', [r], 'Restarts, crash loops and exited containers per service'), texts: { title: text('container-restarts.title') } },
        { ...hyp('system.exceptions', [tb], 'Exceptions, tracebacks and ERROR/CRITICAL records per service'), texts: { title: text('exceptions.title') } },
      ];
    }, 'system.exceptions',
    'Exceptions, tracebacks and ERROR/CRITICAL records per service (from 2025-11-26 09:59 UTC) → Restarts, crash loops and exited containers per service (from 2025-11-26 10:00 UTC)',
    'Exceptions, Tracebacks und ERROR/CRITICAL-Einträge pro Service (ab 26.11.2025 09:59 UTC) → Neustarts, Crash-Loops und beendete Container pro Service (ab 26.11.2025 10:00 UTC)'],
    ['a dependency that shut down, the title quoted as the rule wrote it', (t) => {
      line(t, 'cdb_postgres', 590, 'database system is shut down', 'LOG');
      const w = line(t, 'cdb_db_writer', 600, 'Failed to persist trade: connection already closed');
      return [hyp('system.db_connection_lost', [w], 'A writer lost its PostgreSQL connection')];
    }, 'system.db_connection_lost',
    'cdb_postgres shut down at 2025-11-26 09:50 UTC → A writer lost its PostgreSQL connection (from 2025-11-26 10:00 UTC)',
    'cdb_postgres wurde um 26.11.2025 09:50 UTC heruntergefahren → A writer lost its PostgreSQL connection (ab 26.11.2025 10:00 UTC)'],
    ['no log of the dependency', (t) => {
      const c1 = line(t, 'cdb_signal', 600, REFUSED);
      return [hyp('system.redis_unreachable', [c1], 'Redis refuses connections')];
    }, 'system.redis_unreachable',
    "Redis refuses connections (from 2025-11-26 10:00 UTC); why: cdb_redis's log is not in the bundle (trigger not in the bundle)",
    'Redis refuses connections (ab 26.11.2025 10:00 UTC); Grund: das Log von cdb_redis ist nicht im Bundle (Auslöser nicht im Bundle)'],
  ])('the chain in both languages: %s', (_n, setup, cause, en, de) => {
    const t = new TestDb();
    const h = link(t, setup(t)).find((x) => x.cause === cause)!;
    expect(h.chain).toBe(en);
    expect(render('en', h.texts!.chain)).toBe(en);
    expect(render('de', h.texts!.chain)).toBe(de);
  });

  it("a consequence carries its hypothesis' keyed title", () => {
    const t = new TestDb();
    const own = line(t, 'cdb_redis', 600, AOF, 'WARNING');
    const c1 = line(t, 'cdb_signal', 601, REFUSED);
    const out = link(t, [
      { ...hyp('system.redis_unreachable', [c1], 'Exceptions, tracebacks and ERROR/CRITICAL records per service'), texts: { title: text('exceptions.title') } },
      hyp('system.redis_storage', [own], 'Redis could not load its AOF'),
    ]);
    expect(out[0].consequences[0].texts).toEqual({ title: text('exceptions.title') });
    expect(out[0].texts).toEqual({ chain: expect.objectContaining({ key: 'causality.arrow' }) });
  });

  it('a client refused for its own credentials names its cause itself: no dependency trigger is looked for', () => {
    const t = new TestDb();
    const c1 = line(t, 'cdb_signal', 600, 'Redis-Verbindung fehlgeschlagen: Authentication required.');
    const [h] = link(t, [hyp('system.redis_auth', [c1])]);
    expect(h.chain).toBe('');
  });

  it('a hypothesis with nothing linked keeps an empty chain', () => {
    const t = new TestDb();
    const rej = line(t, 'cdb_risk', 601, '⚠️ Max Exposure erreicht: 5120.40 >= 5000.00', 'WARNING');
    const [h] = link(t, [hyp('risk.max_exposure', [rej])]);
    expect(h).toMatchObject({ started_at: '2025-11-26T10:01:00Z', consequence_of: null, consequences: [], chain: '' });
    expect(h.texts?.chain).toBeUndefined();
  });
});

describe('isSteady', () => {
  const hours = (from: number, n: number) => Array.from({ length: n }, (_, i) => new Date(Date.parse('2025-11-26T00:00:00Z') + (from + i) * 3_600_000).toISOString().slice(0, 13));
  const counts = (hs: string[], f: (i: number) => number) => new Map(hs.map((h, i) => [h, f(i)]));
  it.each([
    { name: 'the same rate before and in the block', covered: hours(-24, 72), f: (i: number) => 2 + (i % 2), want: true },
    { name: 'before the block, then ten times more in it', covered: hours(-24, 72), f: (i: number) => (i < 24 ? 1 : 10), want: false },
    { name: 'from the first covered hour at the same rate throughout', covered: hours(0, 72), f: () => 4, want: true },
    { name: 'starting mid-block', covered: hours(0, 72), f: (i: number) => (i >= 30 ? 4 : 0), want: false },
    { name: 'from the first hour, then it stops', covered: hours(0, 72), f: (i: number) => (i < 10 ? 5 : 0), want: false },
  ])('$name → $want', ({ covered, f, want }) => {
    expect(isSteady(counts(covered, f), covered, BLOCK.from)).toBe(want);
  });
});

/**
 * When a (service, class) pair starts, read through the (class, ts) index and the rollup, against
 * the MIN() queries over every record of the service it replaced: restart signs (the first start
 * is not a restart), a sign within the first minute and after it, an anomaly class shared by two
 * services, records without a time, a time that is not ISO text, records of a service before the
 * block, and a pair that never occurs.
 */
describe('the start of a pair is the one the MIN() over the service\'s records gives', () => {
  const t = new TestDb();
  const a = t.file('logs/a.log');
  const b = t.file('logs/b.log');
  let n = 0;
  const rec = (file: number, service: string, ts: string | null, klass: string | null) =>
    t.insert('log_events', { file_id: file, line_no: ++n, service, ts, class: klass, message: `${klass}`, kind: 'app' });
  rec(a, 'cdb_risk', '2025-11-25T23:59:30.000Z', null);
  rec(a, 'cdb_risk', '2025-11-26T00:00:10.000Z', 'risk.started');
  rec(a, 'cdb_risk', '2025-11-26T03:00:00.000Z', 'risk.started');
  rec(b, 'cdb_risk', '2025-11-27T03:00:00.000Z', 'risk.started');
  rec(a, 'cdb_risk', null, 'risk.rejected.other');
  rec(a, 'cdb_risk', '2025-11-26T05:00:00.000Z', 'risk.rejected.other');
  rec(b, 'cdb_execution', '2025-11-26T04:00:00.000Z', 'risk.rejected.other');
  rec(b, 'cdb_execution', '2025-11-26T04:00:30.000Z', 'exec.starting');
  rec(b, 'cdb_signal', '2025-11-26 01:00:00', 'signal.started');
  rec(b, 'cdb_signal', '2025-11-26T01:00:30.000Z', 'signal.started');
  rec(b, 'cdb_signal', '2025-11-26T02:00:00.000Z', 'signal.started');
  rec(a, 'cdb_ws', null, 'feed.mode');
  for (const f of [a, b]) rebuildHourly(t.db, f);
  const min = (sql: string, ...p: string[]) => t.db.prepare(sql).pluck().get(...p) as string | null;
  const old = (service: string, cls: string): number | null => {
    let r: string | null;
    if ((RESTART_SIGNS as readonly string[]).includes(cls)) {
      const first = min('SELECT MIN(ts) FROM log_events WHERE service = ? AND ts IS NOT NULL', service);
      if (!first) return null;
      r = min('SELECT MIN(ts) FROM log_events WHERE service = ? AND class = ? AND ts > ?', service, cls, new Date(Date.parse(first) + 60_000).toISOString());
    } else r = min('SELECT MIN(ts) FROM log_events WHERE service = ? AND class = ? AND ts IS NOT NULL', service, cls);
    return r ? Date.parse(r) : null;
  };
  it.each<[string, string, string]>([
    ['restarts after the first start', 'cdb_risk', 'risk.started'],
    ['an anomaly with an untimed record', 'cdb_risk', 'risk.rejected.other'],
    ['the same class of another service', 'cdb_execution', 'risk.rejected.other'],
    ['a start within the first minute of the service\'s log', 'cdb_execution', 'exec.starting'],
    ['a first time that is not ISO text', 'cdb_signal', 'signal.started'],
    ['a service with only untimed records', 'cdb_ws', 'feed.mode'],
    ['a pair that never occurs', 'cdb_db_writer', 'writer.starting'],
  ])('%s', (_n, service, cls) => {
    expect(new Records(t.db).pairStart(service, cls)).toBe(old(service, cls));
    expect(new Records(t.db).hasLog(service)).toBe(!!t.db.prepare('SELECT 1 FROM log_events WHERE service = ? LIMIT 1').get(service));
  });
});
