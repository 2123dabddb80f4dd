import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addHealthPolls, addLog, addLogs, at } from '../../rule-testing.js';
import rule, { longestRisingRun } from './reconnect-loops.js';

type Setup = (t: TestDb) => void;

describe('reconnect-loops', () => {
  it.each([
    [[1, 2, 3, 4, 5], 5],
    [[1, 2, 1, 2, 3], 3],
    [[], 0],
    [[3, 3, 3], 1],
  ])('longestRisingRun(%j) = %i', (nums, n) => expect(longestRisingRun(nums)).toBe(n));

  const fires: [string, Setup, string, string, string][] = [
    [
      'era-A ws: Disconnected with rising attempt numbers, never reconnected',
      (t) => {
        for (let i = 1; i <= 12; i++) addLog(t, { service: 'cdb_ws', ts: at(i * 2), level: null, kind: 'print', message: `[WS] Disconnected (attempt ${i})` });
        addHealthPolls(t, 'cdb_ws', 0, 4300);
      },
      'cdb_ws',
      'high',
      'warn',
    ],
    [
      'era-B ws: many reconnecting lines, connected again afterwards',
      (t) => {
        addLogs(t, { service: 'cdb_ws', message: '[ws] reconnecting in 5s...' }, 0, 300, 10);
        addLog(t, { service: 'cdb_ws', ts: at(400), message: '[ws] connected' });
      },
      'cdb_ws',
      'medium',
      'warn',
    ],
    [
      'runbook: retrying subscription (single occurrence)',
      (t) => addLog(t, { service: 'cdb_ws', ts: at(10), message: 'retrying subscription' }),
      'cdb_ws',
      'low',
      'ok',
    ],
  ];
  it.each(fires)('fires: %s', (_n, setup, subject, severity, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    const f = r.findings!.find((x) => x.subject === subject)!;
    expect(f.severity).toBe(severity);
    expect(r.status).toBe(status);
  });

  it.each<[string, Setup, string, string]>([
    [
      'a loop that has not ended, with its attempt numbers',
      (t) => {
        for (let i = 1; i <= 12; i++) addLog(t, { service: 'cdb_ws', ts: at(i * 2), level: null, kind: 'print', message: `[WS] Disconnected (attempt ${i})` });
      },
      'cdb_ws: 12 reconnect/retry lines over 22 min, attempt numbers up to 12 (longest rising run 12): a reconnect loop that has not ended',
      'cdb_ws: 12 Reconnect-/Retry-Zeilen über 22 Min., Versuchsnummern bis 12 (längste steigende Folge 12): eine Reconnect-Schleife, die nicht endet',
    ],
    [
      'one line: no span, no attempts, no loop',
      (t) => addLog(t, { service: 'cdb_ws', ts: at(10), message: 'retrying subscription' }),
      'cdb_ws: 1 reconnect/retry line',
      'cdb_ws: 1 Reconnect-/Retry-Zeile',
    ],
  ])('says %s in both languages', (_n, setup, en, de) => {
    const t = new TestDb();
    setup(t);
    const raw = t.run(rule);
    expect(spoken(raw).findings![0].message).toBe(en);
    expect(spoken(raw, 'de').findings![0].message).toBe(de);
  });

  it('a ws loop proposes a market-data hypothesis with the ws URL to-do', () => {
    const t = new TestDb();
    for (let i = 1; i <= 12; i++) addLog(t, { service: 'cdb_ws', ts: at(i), kind: 'print', message: `[WS] Disconnected (attempt ${i})` });
    const r = spoken(t.run(rule));
    expect(r.hypotheses![0]).toMatchObject({ cause: 'market_data.ws_reconnect_loop', layer: 'market_data', likelihood: 'very_likely' });
    expect(r.todos!.map((x) => x.where)).toContain('.env MEXC_WS_URL');
  });

  it('likelihood drops when the attempts stop and a connect follows', () => {
    const t1 = new TestDb();
    for (let i = 1; i <= 6; i++) addLog(t1, { service: 'cdb_ws', ts: at(i), kind: 'print', message: `[WS] Disconnected (attempt ${i})` });
    const t2 = new TestDb();
    for (let i = 1; i <= 6; i++) addLog(t2, { service: 'cdb_ws', ts: at(i), kind: 'print', message: `[WS] Disconnected (attempt ${i})` });
    addLog(t2, { service: 'cdb_ws', ts: at(30), message: '[ws] connected' });
    const order = ['very_likely', 'likely', 'possible', 'unlikely'];
    const a = t1.run(rule).hypotheses![0].likelihood;
    const b = t2.run(rule).hypotheses![0].likelihood;
    expect(order.indexOf(b)).toBeGreaterThan(order.indexOf(a));
    const t3 = new TestDb();
    addLog(t3, { service: 'cdb_ws', ts: at(1), kind: 'print', message: '[WS] Disconnected (attempt 1)' });
    expect(t3.run(rule).hypotheses).toEqual([]);
  });

  const quiet: [string, Setup][] = [
    ['first connect attempt only', (t) => {
      addLog(t, { service: 'cdb_ws', ts: at(1), kind: 'print', message: '[WS] Connecting chunk (attempt 1)...' });
      addHealthPolls(t, 'cdb_ws', 0, 4300);
    }],
    ['a quiet ws over the block', (t) => addHealthPolls(t, 'cdb_ws', 0, 4300)],
  ];
  it.each(quiet)('does not fire: %s', (_n, setup) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe('ok');
    expect(r.findings ?? []).toEqual([]);
  });

  it('not evaluable without ws/execution logs covering the block', () => {
    const t = new TestDb();
    addHealthPolls(t, 'cdb_ws', 100, 110, 1);
    expect(spoken(t.run(rule))).toMatchObject({ status: 'not_evaluable' });
  });
});
