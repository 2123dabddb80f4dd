import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addContainer, addHealthPolls, addLog, addLogs, addSignal, at } from '../../rule-testing.js';
import rule from './container-restarts.js';

type Setup = (t: TestDb) => void;

function healthyPs(t: TestDb): void {
  for (const s of ['cdb_core', 'cdb_risk', 'cdb_execution', 'cdb_db_writer', 'cdb_redis', 'cdb_postgres', 'cdb_ws']) {
    addContainer(t, { name: s, service: s, state: 'running', status: 'Up 3 days (healthy)', health: 'healthy', restart_count: 0 });
  }
}

describe('container-restarts', () => {
  const fires: [string, Setup, string, string][] = [
    [
      'compose ps shows a pipeline service Restarting',
      (t) => {
        healthyPs(t);
        addContainer(t, { name: 'cdb_risk', service: 'cdb_risk', state: 'restarting', status: 'Restarting (1) 5 seconds ago' });
      },
      'container-restarts:restarting.cdb_risk',
      'fail',
    ],
    [
      'an exited pipeline service',
      (t) => {
        addContainer(t, { name: 'cdb_execution', service: 'cdb_execution', state: 'exited', status: 'Exited (137) 2 hours ago', exit_code: 137 });
      },
      'container-restarts:exited.cdb_execution',
      'fail',
    ],
    [
      'repeated startup banners (3 restarts)',
      (t) => {
        addHealthPolls(t, 'cdb_risk', 0, 4000);
        for (const m of [10, 900, 1800, 2700]) addLog(t, { service: 'cdb_risk', ts: at(m), message: '🚀 Risk-Manager gestartet' });
      },
      'container-restarts:restarts.cdb_risk',
      'warn',
    ],
    [
      'a crash loop through the block: banners every 2 h for 3 days',
      (t) => {
        addLogs(t, { service: 'cdb_execution', message: 'Starting execution_service v0.1.0' }, 0, 4300, 120);
      },
      'container-restarts:restarts.cdb_execution',
      'fail',
    ],
    [
      'postgres initdb after the pipeline already ran',
      (t) => {
        addLogs(t, { service: 'cdb_risk', message: '📨 Signal empfangen: BTC_USDT BUY' }, 0, 4000, 60);
        addLog(t, { service: 'cdb_postgres', ts: at(1500), message: 'running /docker-entrypoint-initdb.d/01-schema.sql', level: 'LOG', kind: 'postgres' });
        addLog(t, { service: 'cdb_postgres', ts: at(1501), message: 'PostgreSQL init process complete; ready for start up.', level: null, kind: 'postgres' });
      },
      'container-restarts:postgres-initdb',
      'fail',
    ],
    [
      'docker restart count from inspect',
      (t) => {
        healthyPs(t);
        addContainer(t, { name: 'cdb_db_writer', service: 'cdb_db_writer', state: 'running', status: 'Up 2 hours (healthy)', restart_count: 4, source: 'inspect' });
      },
      'container-restarts:restart-count.cdb_db_writer',
      'warn',
    ],
  ];

  it.each(fires)('fires: %s', (_name, setup, id, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe(status);
    const ids = (r.findings ?? []).map((f) => `container-restarts:${f.subject}`);
    expect(ids).toContain(id);
    const f = r.findings!.find((x) => `container-restarts:${x.subject}` === id)!;
    expect(f.evidence.length).toBeGreaterThan(0);
    expect(f.severity).not.toBe('info');
  });

  const quiet: [string, Setup, string][] = [
    [
      'all containers up and healthy, one banner each at the start of the log',
      (t) => {
        healthyPs(t);
        addLog(t, { service: 'cdb_risk', ts: at(1), message: '🚀 Risk-Manager gestartet' });
        addLogs(t, { service: 'cdb_risk', message: '📨 Signal empfangen: BTC_USDT BUY' }, 5, 4300, 60);
        addLog(t, { service: 'cdb_execution', ts: at(1), message: 'Starting execution_service v0.1.0', logger: 'execution_service' });
      },
      'ok',
    ],
    [
      'paper runner unhealthy in era A is expected (no curl in the image)',
      (t) => {
        healthyPs(t);
        addContainer(t, { name: 'cdb_paper_runner', service: 'cdb_paper_runner', state: 'running', status: 'Up 3 days (unhealthy)', health: 'unhealthy' });
      },
      'ok',
    ],
    [
      'initdb at the very start of the stack is a fresh volume, not a reset',
      (t) => {
        addLog(t, { service: 'cdb_postgres', ts: at(0), message: 'running /docker-entrypoint-initdb.d/01-schema.sql', level: 'LOG', kind: 'postgres' });
        addLog(t, { service: 'cdb_postgres', ts: at(1), message: 'PostgreSQL init process complete; ready for start up.', kind: 'postgres' });
        addLog(t, { service: 'cdb_postgres', ts: at(0.5), message: 'database system is ready to accept connections', level: 'LOG', kind: 'postgres' });
        addLog(t, { service: 'cdb_postgres', ts: at(2), message: 'database system is ready to accept connections', level: 'LOG', kind: 'postgres' });
        addHealthPolls(t, 'cdb_postgres', 3, 4300, 60);
        addSignal(t, at(100));
      },
      'ok',
    ],
  ];

  it.each(quiet)('does not fire: %s', (_name, setup, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe(status);
    expect((r.findings ?? []).filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.hypotheses ?? []).toEqual([]);
    expect(r.metrics?.restarts_total).toBe(0);
  });

  it('reports restarts per service, 0 included, taking the larger of docker and banner counts', () => {
    const t = new TestDb();
    healthyPs(t);
    addContainer(t, { name: 'cdb_db_writer', service: 'cdb_db_writer', state: 'running', status: 'Up 2 hours', restart_count: 4, source: 'inspect' });
    // the log starts with the first banner: that one is the initial start, not a restart
    addHealthPolls(t, 'cdb_risk', 12, 4000);
    for (const m of [10, 900, 1800, 2700]) addLog(t, { service: 'cdb_risk', ts: at(m), message: '🚀 Risk-Manager gestartet' });
    const r = spoken(t.run(rule));
    expect(r.metrics).toMatchObject({ 'restarts.cdb_risk': 3, 'restarts.cdb_db_writer': 4, 'restarts.cdb_core': 0, 'restarts.cdb_ws': 0, restarts_total: 3 });
  });

  it('says restarts and banners with their plural and the span, in both languages', () => {
    const t = new TestDb();
    healthyPs(t);
    addContainer(t, { name: 'cdb_db_writer', service: 'cdb_db_writer', state: 'running', status: 'Up 2 hours', restart_count: 1, source: 'inspect' });
    addHealthPolls(t, 'cdb_risk', 12, 4000);
    for (const m of [10, 900, 1800, 2700]) addLog(t, { service: 'cdb_risk', ts: at(m), message: '🚀 Risk-Manager gestartet' });
    const raw = t.run(rule);
    const msg = (lang: 'en' | 'de', subject: string) => spoken(raw, lang).findings!.find((f) => f.subject === subject)!.message;
    expect(msg('en', 'restarts.cdb_risk')).toBe('cdb_risk: 3 restarts in the block (4 startup banners over 1 d 20 h)');
    expect(msg('de', 'restarts.cdb_risk')).toBe('cdb_risk: 3 Restarts im Block (4 Start-Banner über 1 T 20 Std.)');
    expect(msg('en', 'restart-count.cdb_db_writer')).toBe('cdb_db_writer: docker reports 1 restart of the container');
    expect(msg('de', 'restart-count.cdb_db_writer')).toBe('cdb_db_writer: Docker meldet 1 Restart des Containers');
  });

  it('an exited pipeline container says why by its exit code', () => {
    const t = new TestDb();
    addContainer(t, { name: 'cdb_execution', service: 'cdb_execution', state: 'exited', status: 'Exited (137) 2 hours ago', exit_code: 137 });
    const raw = t.run(rule);
    expect(spoken(raw).findings!.find((f) => f.subject === 'exited.cdb_execution')!.message).toMatch(/cdb_execution has exited \(Exited \(137\) 2 hours ago; SIGKILL: OOM, kill or stop timeout\): its part of the pipeline is down$/);
    expect(spoken(raw, 'de').findings!.find((f) => f.subject === 'exited.cdb_execution')!.message).toMatch(/cdb_execution ist beendet \(Exited \(137\) 2 hours ago; SIGKILL: OOM, Kill oder Stop-Timeout\): sein Teil der Pipeline steht$/);
  });

  it('a banner after an hour of earlier records is a restart too', () => {
    const t = new TestDb();
    addHealthPolls(t, 'cdb_risk', 0, 4000);
    addLog(t, { service: 'cdb_risk', ts: at(600), message: '🚀 Risk-Manager gestartet' });
    expect(spoken(t.run(rule)).metrics).toMatchObject({ 'restarts.cdb_risk': 1, restarts_total: 1 });
  });

  it('is not evaluable without compose ps and without logs covering the block', () => {
    const t = new TestDb();
    // a --tail=100 log: 20 minutes of a 3-day block
    addLogs(t, { service: 'cdb_risk', message: '📨 Signal empfangen: BTC_USDT BUY' }, 3000, 3020, 1);
    const r = spoken(t.run(rule));
    expect(r.status).toBe('not_evaluable');
    expect(r.missing).toMatch(/cdb_risk logs cover 20 min/);
  });

  it('crash-loop likelihood drops when the supporting evidence is removed', () => {
    const build = (withPs: boolean, banners: number) => {
      const t = new TestDb();
      if (withPs) addContainer(t, { name: 'cdb_risk', service: 'cdb_risk', state: 'restarting', status: 'Restarting (1) 5 seconds ago' });
      for (let i = 0; i < banners; i++) addLog(t, { service: 'cdb_risk', ts: at(10 + i * 300), message: '🚀 Risk-Manager gestartet' });
      addHealthPolls(t, 'cdb_risk', 0, 4300, 60);
      const h = spoken(t.run(rule)).hypotheses?.find((x) => x.cause === 'system.crash_loop');
      return h?.likelihood ?? 'absent';
    };
    const order = ['very_likely', 'likely', 'possible', 'unlikely', 'absent'];
    const full = build(true, 6);
    const noPs = build(false, 6);
    const none = build(false, 0);
    expect(full).toBe('very_likely');
    expect(order.indexOf(noPs)).toBeGreaterThan(order.indexOf(full));
    expect(none).toBe('absent');
  });
});
