import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addHealthPolls, addLog, addLogs, at } from '../../rule-testing.js';
import rule, { failureGroups, type Group } from './connectivity-failures.js';
import { makeRuleContext } from '../../context.js';
import type { RuleContext } from '../../define-rule.js';
import { classes, classesWithSeverity } from '../../../catalog/index.js';
import { seededRandom } from '../../../util/seeded-random.js';
import { eachLog, findLogs } from '../../rule-kit.js';
import { RowDigest } from '../shared/row-digest.js';
import { TextDigest } from '../shared/text-digest.js';

type Setup = (t: TestDb) => void;

describe('connectivity-failures', () => {
  const fires: [string, Setup, string, string, string][] = [
    [
      'signal engine crash-loops on Redis auth through the whole block',
      (t) => addLogs(t, { service: 'cdb_core', level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Authentication required.' }, 0, 4300, 30),
      'cdb_core.redis-auth',
      'critical',
      'fail',
    ],
    [
      'era-B ws cannot reach Redis and will never publish',
      (t) => {
        addLog(t, { service: 'cdb_ws', ts: at(3), level: 'ERROR', message: 'Redis connection failed: Error -2 connecting to redis:6379. Name or service not known.' });
        addLog(t, { service: 'cdb_ws', ts: at(3), level: 'WARNING', message: 'Service will continue but market_data will NOT be published!' });
        addHealthPolls(t, 'cdb_ws', 4, 4300);
      },
      'cdb_ws.redis-dns',
      'critical',
      'fail',
    ],
    [
      'postgres password wrong for the db writer (recovered later)',
      (t) => {
        addLog(t, { service: 'cdb_db_writer', ts: at(3), level: 'ERROR', message: 'Failed to connect to PostgreSQL: FATAL:  password authentication failed for user "claire_user"' });
        addLog(t, { service: 'cdb_db_writer', ts: at(9), message: 'Connected to PostgreSQL at cdb_postgres:5432/claire_de_binare' });
      },
      'cdb_db_writer.postgres-auth',
      'high',
      'warn',
    ],
    [
      'db writer lost its connection (persistence, not the flow)',
      (t) => addLogs(t, { service: 'cdb_db_writer', level: 'ERROR', message: 'Failed to persist trade: server closed the connection unexpectedly' }, 100, 4000, 60),
      'cdb_db_writer.postgres-lost',
      'high',
      'warn',
    ],
    [
      'a refused connection mentioned in lower case (runbook spelling)',
      (t) => {
        addLog(t, { service: 'cdb_execution', ts: at(1), level: 'ERROR', message: 'Redis Initialisierung fehlgeschlagen (1/5): Error 111 connecting to cdb_redis:6379. connection refused.' });
      },
      'cdb_execution.redis-refused',
      'low',
      'ok',
    ],
  ];

  it.each(fires)('fires: %s', (_n, setup, subject, severity, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.findings!.map((f) => f.subject)).toContain(subject);
    expect(r.findings!.find((f) => f.subject === subject)!.severity).toBe(severity);
    expect(r.status).toBe(status);
  });

  it('says count, failure and outcome in both languages', () => {
    const t = new TestDb();
    addLogs(t, { service: 'cdb_core', level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Authentication required.' }, 0, 4300, 30);
    const raw = t.run(rule);
    const en = spoken(raw);
    const de = spoken(raw, 'de');
    const count = en.findings![0].message.match(/^cdb_core: ([\d,]+) ×/)![1];
    expect(en.findings![0].message).toMatch(/^cdb_core: \d+ × authentication failure \(redis\) over 2 d 23 h — it recurs through the block and never recovers/);
    expect(de.findings![0].message).toBe(`cdb_core: ${count} × Authentifizierungsfehler (redis) über 2 T 23 Std. — wiederholt sich über den ganzen Block und erholt sich nie: der Service ist faktisch ausgefallen`);
    expect(de.todos!.find((x) => x.cause === 'system.redis_auth')!.title).toBe('Dafür sorgen, dass das Redis-Passwort cdb_core erreicht');
    expect(de.hypotheses!.find((h) => h.cause === 'system.redis_auth')!.title).toBe('Die Redis-Zugangsdaten erreichen die Services nicht, die sie brauchen');
  });

  it('the ws "will NOT be published" line counts as never recovering', () => {
    const t = new TestDb();
    addLog(t, { service: 'cdb_ws', ts: at(3), level: 'ERROR', message: 'Redis connection failed: Authentication required.' });
    addLog(t, { service: 'cdb_ws', ts: at(3), level: 'WARNING', message: 'Service will continue but market_data will NOT be published!' });
    addHealthPolls(t, 'cdb_ws', 4, 4300);
    const r = spoken(t.run(rule));
    expect(r.status).toBe('fail');
    expect(r.hypotheses!.find((h) => h.cause === 'system.redis_auth')).toBeTruthy();
    expect(r.todos!.find((x) => x.cause === 'system.redis_auth')!.where).toMatch(/REDIS_PASSWORD/);
  });

  // Redis's own fault line is the dependency-faults rule's hypothesis; here the clients keep their own title, and the linker makes it a consequence.
  it.each([
    ['with', true],
    ['without', false],
  ])('clients refused by Redis %s its own corrupt-AOF line keep the client-side title (%#)', (_n, aof) => {
    const t = new TestDb();
    for (const service of ['cdb_signal', 'cdb_risk']) {
      addLogs(t, { service, level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Error 111 connecting to cdb_redis:6379. Connection refused.' }, 1500, 4300, 30);
    }
    if (aof) {
      addLogs(t, { service: 'cdb_redis', level: 'WARNING', message: 'Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>' }, 1499, 4300, 30);
    }
    const h = spoken(t.run(rule)).hypotheses!.find((x) => x.cause === 'system.redis_unreachable')!;
    expect(h.title).toMatch(/^Redis refuses connections/);
    expect(h.evidence.every((e) => e.text.includes('Connection refused'))).toBe(true);
  });

  const quiet: [string, Setup, string][] = [
    ['healthy logs over the block', (t) => {
      addLog(t, { service: 'cdb_risk', ts: at(0), message: 'Redis verbunden: cdb_redis:6379' });
      addHealthPolls(t, 'cdb_risk', 0, 4300);
    }, 'ok'],
    ['daily_check host-side fe_sendauth is a host problem', (t) => {
      addHealthPolls(t, 'cdb_risk', 0, 4300);
      addLog(t, { service: 'daily_check', ts: at(60), kind: 'report', message: '❌ **Portfolio check failed**: fe_sendauth: no password supplied' });
    }, 'ok'],
    ['the POSIX `Signal empfangen: 15` at shutdown is no connection problem', (t) => {
      addHealthPolls(t, 'cdb_risk', 0, 4300);
      addLog(t, { service: 'cdb_risk', ts: at(60), message: 'Signal empfangen: 15' });
    }, 'ok'],
  ];
  it.each(quiet)('does not fire: %s', (_n, setup, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe(status);
    expect((r.findings ?? []).filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.hypotheses ?? []).toEqual([]);
  });

  it('is not evaluable when only a few minutes of logs exist and show nothing', () => {
    const t = new TestDb();
    addHealthPolls(t, 'cdb_risk', 3000, 3010, 1);
    const r = spoken(t.run(rule));
    expect(r.status).toBe('not_evaluable');
    expect(r.missing).toMatch(/cdb_risk logs cover 10 min of the 3 d block, no cdb_ws logs in the block/);
    expect(spoken(t.run(rule), 'de').missing).toMatch(/^kein Log eines Pipeline-Services .*\(die Logs von cdb_risk decken 10 Min\. des Blocks \(3 T\) ab, keine Logs von cdb_ws im Block/);
  });

  it('likelihood drops as the supporting evidence is removed', () => {
    const lk = (lines: number, spreadMin: number) => {
      const t = new TestDb();
      for (let i = 0; i < lines; i++) addLog(t, { service: 'cdb_core', ts: at(i * spreadMin), level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Authentication required.' });
      addHealthPolls(t, 'cdb_core', 0, 4300);
      return spoken(t.run(rule)).hypotheses?.find((h) => h.cause === 'system.redis_auth')?.likelihood ?? 'absent';
    };
    const order = ['very_likely', 'likely', 'possible', 'unlikely', 'absent'];
    const a = lk(100, 43); // recurring through the block
    const b = lk(3, 1); // three lines in three minutes
    const c = lk(1, 1);
    const d = lk(0, 1);
    expect(a).toBe('very_likely');
    expect(order.indexOf(b)).toBeGreaterThan(order.indexOf(a));
    expect(order.indexOf(c)).toBeGreaterThan(order.indexOf(b));
    expect(d).toBe('absent');
  });
});

/** Failure texts of every class and database (two DNS hosts), a text that is no failure, and one saying it never recovers. */
const FAILING = [
  '[redis] publish error: Error 111 connecting to cdb_redis:6379. Connection refused.',
  'Redis-Verbindung fehlgeschlagen: Error 111 connecting to cdb_redis:6379. Connection refused.',
  'Redis connection failed: Error -2 connecting to redis:6379. Name or service not known.',
  'Redis connection failed: Error -3 connecting to cdb_redis:6379. Temporary failure in name resolution.',
  'Failed to connect to PostgreSQL: FATAL:  password authentication failed for user "claire_user"',
  'Failed to persist trade: server closed the connection unexpectedly',
  'Redis connection failed: Authentication required.',
  "Fehler bei Market-Data-Verarbeitung: 'pct_change'",
  '❌ **Portfolio check failed**: fe_sendauth: no password supplied',
  'psql: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused',
];

interface Mix {
  n: number;
  services: (string | null)[];
  texts: number[];
  untimed: number;
  minutes: number;
  /** Health polls, report lines, records outside the block. */
  noise: boolean;
}

function mixed(seed: number, m: Mix): TestDb {
  const rnd = seededRandom(seed);
  const t = new TestDb();
  for (let i = 0; i < m.n; i++) {
    const r = rnd();
    addLog(t, {
      service: m.services[Math.floor(rnd() * m.services.length)],
      ts: rnd() < m.untimed ? null : at(Math.floor(rnd() * m.minutes) - (m.noise && r < 0.05 ? 100_000 : 0)),
      level: 'ERROR',
      message: FAILING[m.texts[Math.floor(rnd() * m.texts.length)]],
      kind: m.noise && r > 0.95 ? 'health_poll' : m.noise && r > 0.9 ? 'report' : 'app',
      file: rnd() < 0.5 ? 'logs/a.log' : 'logs/b.log',
    });
  }
  return t;
}

/** What the rule reads of a group, with the records cited by file and line. */
function answers(ctx: RuleContext, g: Group) {
  return {
    service: g.service, klass: g.klass, target: g.target, neverRecovers: g.neverRecovers,
    n: g.rows.n, timed: g.rows.timed, firstTs: g.rows.firstTs, lastTs: g.rows.lastTs, last: g.rows.last,
    spread3: g.rows.spread(ctx), spread2: g.rows.spread(ctx, 2), representatives: g.rows.representatives(),
  };
}

describe('failureGroups: counted per text (TextDigest) as read record by record (RowDigest)', () => {
  const ALL = FAILING.map((_, i) => i);
  const cases: [string, number, Mix, number][] = [
    ['the feed failing on every tick, one service alone', 1, { n: 400, services: ['cdb_ws'], texts: [0], untimed: 0, minutes: 30, noise: false }, 1],
    ['every failure, services and none, ties, untimed, noise', 2, { n: 500, services: ['cdb_ws', 'cdb_postgres', 'cdb_db_writer', null], texts: ALL, untimed: 0.2, minutes: 10, noise: true }, 2],
    ['a service literally named as the unknown one, beside records of none', 3, { n: 200, services: [null, '(unknown service)'], texts: [1, 2, 3], untimed: 0.1, minutes: 20, noise: true }, 2],
    ['DNS failures naming two hosts, all untimed', 4, { n: 150, services: ['cdb_ws', 'cdb_risk'], texts: [2, 3], untimed: 1, minutes: 1, noise: false }, 2],
    ['one record', 5, { n: 1, services: ['cdb_ws'], texts: [0], untimed: 0, minutes: 1, noise: false }, 1],
    ['two records', 6, { n: 2, services: ['cdb_ws'], texts: [0], untimed: 0, minutes: 1, noise: false }, 1],
    ['three records', 7, { n: 3, services: ['cdb_ws'], texts: [0], untimed: 0.5, minutes: 1, noise: false }, 1],
  ];
  it.each(cases)('%s (seed %i)', (_name, seed, mix, hosts) => {
    const t = mixed(seed, mix);
    const ctx = { ...makeRuleContext(t.db, { from: at(0), to: at(60 * 24 * 3), days: [], era: 'B', dialect: 'real' }), evidence: (file: number, line: number) => ({ file: `f${file}`, line }) } as unknown as RuleContext;
    const q = { classes: [...classesWithSeverity('error', 'warn'), ...classes('writer.password_loaded')], excludeKinds: ['report'] };
    const counted = failureGroups(ctx);
    // maxGroups 0: today's read of every failing record.
    const read = failureGroups(ctx, 0);
    let hits = 0;
    eachLog(ctx, q, () => hits++);
    expect([counted.hits, read.hits]).toEqual([hits, hits]);
    // The host side's lines as a read of every report line of the failure classes finds them.
    const hostSide = findLogs(ctx, { classes: q.classes, kinds: ['report'], re: /fe_sendauth|password authentication failed|connection to server at "localhost"/ });
    expect(counted.hostSide).toEqual(hostSide);
    expect(read.hostSide).toEqual(hostSide);
    expect(hostSide.length > 0).toBe(mix.noise && mix.texts.length === FAILING.length);
    expect([...counted.groups.keys()].sort()).toEqual([...read.groups.keys()].sort());
    expect(counted.groups.size).toBeGreaterThan(0);
    for (const [key, g] of counted.groups) {
      expect(g.rows).toBeInstanceOf(TextDigest);
      expect(read.groups.get(key)!.rows).toBeInstanceOf(RowDigest);
      expect(answers(ctx, g)).toEqual(answers(ctx, read.groups.get(key)!));
    }
    // Not vacuous: a middle record is cited where a group holds more than three.
    const big = [...counted.groups.values()].filter((g) => g.rows.n > 3);
    for (const g of big) expect(g.rows.spread(ctx)).toHaveLength(3);
    if (mix.n > 100) expect(big.length).toBeGreaterThan(0);
    // Not vacuous: the DNS failures name two hosts, each represented.
    expect(Math.max(...[...counted.groups.values()].map((g) => g.rows.representatives().length))).toBe(hosts);
  });
});
