import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addLog, addLogs, at } from '../../rule-testing.js';
import rule from './dependency-faults.js';

const AOF = 'Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>';
const REFUSED = 'Redis-Verbindung fehlgeschlagen: Error 111 connecting to cdb_redis:6379. Connection refused.';

type Setup = (t: TestDb) => void;

describe('dependency-faults', () => {
  const cases: [string, Setup, { status: string; cause?: string; likelihood?: string; title?: RegExp; firstText?: string; severity?: string }][] = [
    ['no dependency log at all', (t) => addLogs(t, { service: 'cdb_risk', message: REFUSED, level: 'ERROR' }, 0, 600, 60), { status: 'not_evaluable' }],
    ['a healthy Redis', (t) => addLog(t, { service: 'cdb_redis', ts: at(0), kind: 'redis', message: 'Ready to accept connections tcp' }), { status: 'ok' }],
    [
      'Redis fails on its AOF from then on, two clients refused',
      (t) => {
        addLog(t, { service: 'cdb_redis', ts: at(0), kind: 'redis', message: 'Ready to accept connections tcp' });
        addLogs(t, { service: 'cdb_redis', kind: 'redis', level: 'WARNING', message: AOF }, 600, 1200, 60);
        addLogs(t, { service: 'cdb_signal', level: 'ERROR', message: REFUSED }, 601, 1200, 60);
        addLogs(t, { service: 'cdb_risk', level: 'ERROR', message: REFUSED }, 601, 1200, 60);
      },
      { status: 'fail', cause: 'system.redis_storage', likelihood: 'very_likely', title: /could not load its append-only file \(AOF\) and never started/, firstText: 'Bad file format', severity: 'critical' },
    ],
    [
      'Redis fails on its AOF, nobody else logged',
      (t) => addLogs(t, { service: 'cdb_redis', kind: 'redis', level: 'WARNING', message: AOF }, 600, 1200, 60),
      { status: 'fail', cause: 'system.redis_storage', likelihood: 'likely', firstText: 'Bad file format' },
    ],
    [
      'Redis fails on its AOF, then is repaired and serves again',
      (t) => {
        addLogs(t, { service: 'cdb_redis', kind: 'redis', level: 'WARNING', message: AOF }, 600, 700, 20);
        addLog(t, { service: 'cdb_redis', ts: at(760), kind: 'redis', message: 'Ready to accept connections tcp' });
      },
      { status: 'warn', cause: 'system.redis_storage', likelihood: 'possible', title: /was down until it was repaired/, severity: 'high' },
    ],
    [
      'clients refused before Redis failed do not confirm it',
      (t) => {
        addLogs(t, { service: 'cdb_signal', level: 'ERROR', message: REFUSED }, 100, 200, 60);
        addLog(t, { service: 'cdb_redis', ts: at(600), kind: 'redis', level: 'WARNING', message: AOF });
      },
      { status: 'fail', cause: 'system.redis_storage', likelihood: 'likely' },
    ],
  ];

  it.each(cases)('%s', (_n, setup, want) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe(want.status);
    if (!want.cause) {
      expect(r.hypotheses ?? []).toEqual([]);
      return;
    }
    const h = r.hypotheses!.find((x) => x.cause === want.cause)!;
    expect(h.likelihood).toBe(want.likelihood);
    if (want.title) expect(h.title).toMatch(want.title);
    // The dependency's own line is the evidence, never a client's refusal.
    if (want.firstText) expect(h.evidence[0].text).toContain(want.firstText);
    expect(h.evidence.every((e) => !e.text.includes('Connection refused'))).toBe(true);
    if (want.severity) expect(r.findings![0].severity).toBe(want.severity);
    expect(r.todos!.find((x) => x.cause === want.cause)!.title).toMatch(/redis-check-aof --fix/);
  });

  it('names the fault, its span and the clients it took down, in both languages', () => {
    const t = new TestDb();
    addLog(t, { service: 'cdb_redis', ts: at(0), kind: 'redis', message: 'Ready to accept connections tcp' });
    addLogs(t, { service: 'cdb_redis', kind: 'redis', level: 'WARNING', message: AOF }, 600, 1200, 60);
    addLogs(t, { service: 'cdb_risk', level: 'ERROR', message: REFUSED }, 601, 1200, 60);
    const raw = t.run(rule);
    expect(spoken(raw).findings![0].message).toBe(
      'cdb_redis: Redis could not load its append-only file (AOF) (11 times over 10 h); it never served again in the evidence. Clients failing against it from then on: cdb_risk',
    );
    expect(spoken(raw, 'de').findings![0].message).toBe(
      'cdb_redis: Redis konnte seine Append-only-Datei (AOF) nicht laden (11 Mal über 10 Std.); danach in den Belegen nie wieder erreichbar. Clients, die ab dann daran scheitern: cdb_risk',
    );
    expect(spoken(raw, 'de').hypotheses![0].why).toMatch(/^Das eigene Log von cdb_redis sagt, warum es ausfiel \(zuerst am \d\d\.\d\d\.\d{4} \d\d:\d\d UTC\); cdb_risk können sich ab dann nicht mit Redis verbinden/);
  });
});
