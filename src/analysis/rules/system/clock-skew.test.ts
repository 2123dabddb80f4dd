import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addLog, at } from '../../rule-testing.js';
import rule from './clock-skew.js';

type Setup = (t: TestDb) => void;

/** n records whose asctime is `offsetS` seconds off the docker stamp. */
function skewed(t: TestDb, service: string, offsetS: number, n = 10): void {
  for (let i = 0; i < n; i++) {
    const docker = at(100 + i * 60);
    const app = new Date(Date.parse(docker) + offsetS * 1000).toISOString();
    addLog(t, { service, ts: app, docker_ts: docker, message: `📨 Signal empfangen: BTC_USDT BUY` });
  }
}

describe('clock-skew', () => {
  const fires: [string, Setup, string, string][] = [
    ['a container in CET (+1 h)', (t) => skewed(t, 'cdb_risk', 3600), 'high', 'warn'],
    ['a drifting clock (+90 s)', (t) => skewed(t, 'cdb_execution', 90), 'medium', 'warn'],
    ['a small drift (+8 s)', (t) => skewed(t, 'cdb_core', 8), 'low', 'ok'],
  ];
  it.each(fires)('fires: %s', (_n, setup, severity, status) => {
    const t = new TestDb();
    setup(t);
    const r = t.run(rule);
    expect(r.findings![0].severity).toBe(severity);
    expect(r.status).toBe(status);
    expect(r.hypotheses![0].cause).toBe('system.clock_skew');
  });

  const quiet: [string, Setup][] = [
    ['docker receives a few ms after the asctime', (t) => skewed(t, 'cdb_risk', -0.004)],
    ['one late line among many', (t) => { skewed(t, 'cdb_risk', 0, 10); skewed(t, 'cdb_risk', 30, 1); }],
  ];
  it.each(quiet)('does not fire: %s', (_n, setup) => {
    const t = new TestDb();
    setup(t);
    const r = t.run(rule);
    expect(r.status).toBe('ok');
    expect(r.findings).toEqual([]);
  });

  it('says the offset in whole hours, in both languages', () => {
    const t = new TestDb();
    skewed(t, 'cdb_risk', 3600);
    const r = t.run(rule);
    expect(spoken(r).findings![0].message).toMatch(/^cdb_risk: application time is 1 h off the docker stamp in 10 of 10 records: the container logs local time/);
    expect(spoken(r, 'de').findings![0].message).toMatch(/^cdb_risk: die Anwendungszeit liegt in 10 von 10 Einträgen 1 Std\. neben dem Docker-Zeitstempel/);
    expect(spoken(r).verification![0].title).toBe('Application and docker clocks agree within 5 s in the next block');
  });

  it('a record without a service is named as such, in the report language', () => {
    const t = new TestDb();
    skewed(t, null as unknown as string, 90);
    expect(spoken(t.run(rule), 'de').findings![0].message).toMatch(/^\(unbekannter Service\): die Anwendungszeit weicht in 10 von 10 Einträgen im Schnitt um 90 s/);
  });

  it('likelihood drops when only one of two skewed services remains', () => {
    const two = new TestDb();
    skewed(two, 'cdb_risk', 3600);
    skewed(two, 'cdb_core', 3600);
    const one = new TestDb();
    skewed(one, 'cdb_risk', 3600);
    expect(two.run(rule).hypotheses![0].likelihood).toBe('very_likely');
    expect(one.run(rule).hypotheses![0].likelihood).toBe('likely');
  });

  it('not evaluable without docker timestamps', () => {
    const t = new TestDb();
    addLog(t, { service: 'cdb_risk', ts: at(1), message: 'x' });
    expect(t.run(rule).status).toBe('not_evaluable');
  });
});
