import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addHealthPolls, addLog, addLogs, at } from '../../rule-testing.js';
import { seededRandom } from '../../../util/seeded-random.js';
import rule, { ERROR_RECORD, groupsByHead, groupsByText, normalizeError, type ErrorGroup } from './exceptions.js';

type Setup = (t: TestDb) => void;

describe('exceptions', () => {
  it.each([
    ['Fehler bei Market-Data-Verarbeitung: \'pct_change\'', 'Fehler bei Market-Data-Verarbeitung: \'pct_change\''],
    ['Order rejected: MOCK_81360066 - x 12.5', 'Order rejected: MOCK_… - x N'],
    ['Traceback (most recent call last):\n  File "s.py", line 3, in f\nKeyError: \'x\'', "KeyError: 'x'"],
    ['Failed to initialize services: boom\nTraceback (most recent call last):\n  File "a.py", line 9\nRuntimeError: boom', 'Failed to initialize services: boom → RuntimeError: boom'],
    [
      "----------------------------------------\nException occurred during processing of request from ('172.18.0.9', 51234)\nTraceback (most recent call last):\n  File \"socketserver.py\", line 691\nConnectionResetError: [Errno 104] Connection reset by peer\n----------------------------------------",
      "Exception occurred during processing of request from ('N.N', N) → ConnectionResetError: [Errno N] Connection reset by peer",
    ],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeError(input)).toBe(expected);
  });

  const fires: [string, Setup, string, string, string][] = [
    [
      'a traceback in cdb_execution',
      (t) => {
        addHealthPolls(t, 'cdb_execution', 0, 4300);
        addLog(t, {
          service: 'cdb_execution', ts: at(100), level: 'ERROR',
          message: 'Failed to initialize services: x\nTraceback (most recent call last):\n  File "service.py", line 40, in init\nConnectionError: Error 111',
        });
      },
      'cdb_execution',
      'medium',
      'warn',
    ],
    [
      'a recurring per-message error in the signal engine',
      (t) => {
        addLogs(t, { service: 'cdb_core', level: 'ERROR', message: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" }, 0, 4300, 10);
      },
      'cdb_core',
      'medium',
      'warn',
    ],
    [
      'a CRITICAL record',
      (t) => {
        addLog(t, { service: 'cdb_risk', ts: at(5), level: 'CRITICAL', message: 'Auth validation FAILED. Service cannot start.' });
      },
      'cdb_risk',
      'high',
      'warn',
    ],
  ];

  it.each(fires)('fires: %s', (_n, setup, subject, severity, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe(status);
    const f = r.findings!.find((x) => x.subject === subject)!;
    expect(f.severity).toBe(severity);
    expect(f.evidence[0].text).not.toBe('');
  });

  it('names the top recurring error and proposes a hypothesis for it', () => {
    const t = new TestDb();
    addLogs(t, { service: 'cdb_core', level: 'ERROR', message: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" }, 0, 4300, 10);
    const r = spoken(t.run(rule));
    expect(r.findings![0].message).toContain(`"Fehler bei Market-Data-Verarbeitung: 'pct_change'" ×431`);
    expect(r.hypotheses!.map((h) => h.cause)).toEqual(['system.recurring_error.cdb_core']);
  });

  it('chains the most frequent errors with "; " (their texts hold commas), counts grouped, in both languages', () => {
    const t = new TestDb();
    addLogs(t, { service: 'cdb_core', level: 'ERROR', message: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" }, 0, 4300, 2);
    addLogs(t, { service: 'cdb_core', level: 'CRITICAL', message: 'Invalid JSON, skipping' }, 0, 20, 10);
    const raw = t.run(rule);
    expect(spoken(raw).findings![0].message).toBe(
      `cdb_core: 2,154 ERROR/CRITICAL records, 0 tracebacks, 3 CRITICAL/FATAL; most frequent: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" ×2,151; "Invalid JSON, skipping" ×3`,
    );
    expect(spoken(raw, 'de').findings![0].message).toBe(
      `cdb_core: 2.154 ERROR/CRITICAL-Einträge, 0 Tracebacks, 3 CRITICAL/FATAL; am häufigsten: "Fehler bei Market-Data-Verarbeitung: 'pct_change'" ×2.151; "Invalid JSON, skipping" ×3`,
    );
  });

  it('leaves recurring connection errors to connectivity-failures (no generic hypothesis or code to-do)', () => {
    const t = new TestDb();
    addLogs(t, { service: 'cdb_signal', level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Authentication required.' }, 0, 4300, 10);
    const r = spoken(t.run(rule));
    expect(r.findings![0].subject).toBe('cdb_signal');
    expect(r.hypotheses).toEqual([]);
    expect(r.todos!.map((x) => x.category)).toEqual(['MONITORING']);
  });

  const quiet: [string, Setup, string][] = [
    ['only INFO and health polls over the block', (t) => {
      addHealthPolls(t, 'cdb_risk', 0, 4300);
      addLogs(t, { service: 'cdb_risk', message: '📨 Signal empfangen: BTC_USDT BUY' }, 0, 4300, 60);
    }, 'ok'],
    ['ERROR text in the host-side daily_check report is not a service error', (t) => {
      addHealthPolls(t, 'cdb_risk', 0, 4300);
      addLog(t, { service: 'daily_check', ts: at(50), level: 'ERROR', kind: 'report', message: '❌ **Portfolio check failed**: fe_sendauth: no password supplied' });
    }, 'ok'],
    ['errors outside the block', (t) => {
      addHealthPolls(t, 'cdb_risk', 0, 4300);
      addLog(t, { service: 'cdb_risk', ts: '2025-11-20T10:00:00.000Z', level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: x' });
    }, 'ok'],
  ];
  it.each(quiet)('does not fire: %s', (_n, setup, status) => {
    const t = new TestDb();
    setup(t);
    const r = spoken(t.run(rule));
    expect(r.status).toBe(status);
    expect(r.findings ?? []).toEqual([]);
  });

  it('a --tail=100 log without errors is not evaluable', () => {
    const t = new TestDb();
    addLogs(t, { service: 'cdb_risk', message: '📨 Signal empfangen: BTC_USDT BUY' }, 3000, 3015, 1);
    const r = spoken(t.run(rule));
    expect(r.status).toBe('not_evaluable');
    expect(r.missing).toContain('cdb_risk logs cover 15 min');
  });

  /** Texts whose first 200 characters are shared (one with a traceback past them), non-ASCII ones (200 characters, more bytes), a per-tick one, texts apart right at the cut. */
  const LONG = 'x'.repeat(190);
  const TEXTS = [
    "Fehler bei Market-Data-Verarbeitung: 'pct_change'",
    'Failed to initialize services: boom\nTraceback (most recent call last):\n  File "a.py", line 9\nRuntimeError: boom',
    `${'ä'.repeat(150)} ${LONG} tail one`,
    `${'ä'.repeat(150)} ${LONG} tail two`,
    `Order rejected ${LONG}: one`,
    `Order rejected ${LONG}: two\nTraceback (most recent call last):\nKeyError: 'x'`,
    '[redis] publish error: Error 111 connecting to cdb_redis:6379. Connection refused.',
    // Apart at the 200th character, and at the 201st (non-ASCII: characters, not bytes).
    `${'y'.repeat(199)}a end`,
    `${'y'.repeat(199)}b end`,
    `${'ü'.repeat(200)}a`,
    `${'ü'.repeat(200)}b`,
  ];
  const LEVELS = ['ERROR', 'ERROR', 'ERROR', 'error', 'CRITICAL', 'Critical', 'FATAL', 'PANIC', 'INFO', null];
  const SERVICES = ['cdb_ws', 'cdb_core', '(unknown service)'];

  /** Error records (and others) in and out of the block, of every level, some classed as tracebacks, some without a service. */
  function errorLog(seed: number, n: number, oneOff: number): TestDb {
    const rnd = seededRandom(seed);
    const t = new TestDb();
    for (let i = 0; i < n; i++) {
      const r = rnd();
      addLog(t, {
        service: SERVICES[Math.floor(rnd() * SERVICES.length)],
        ts: r < 0.1 ? null : r < 0.15 ? '2025-11-20T10:00:00.000Z' : at(Math.floor(rnd() * 4000)),
        level: LEVELS[Math.floor(rnd() * LEVELS.length)],
        message: i < oneOff ? `Order ${i} rejected` : TEXTS[Math.floor(rnd() * TEXTS.length)],
        kind: rnd() < 0.05 ? 'report' : 'app',
        file: rnd() < 0.5 ? 'logs/a.log' : 'logs/b.log',
      });
    }
    t.db.exec("UPDATE log_events SET class = 'python.traceback' WHERE id % 7 = 0; UPDATE log_events SET service = NULL WHERE id % 5 = 0");
    return t;
  }

  const WHERE = `COALESCE(in_block, 1) = 1 AND ${ERROR_RECORD}`;
  /** In service order (groupsByHead's), each service's groups by first record; a group without tracebacks counts none. */
  const byService = (gs: ErrorGroup[]) => [...gs].map((g) => ({ ...g, tracebacks: g.tracebacks ?? 0 })).sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.first_id - b.first_id));

  it.each([
    [1, 0, 0],
    [2, 1, 0],
    [3, 300, 0],
    [4, 600, 0],
    [5, 600, 40],
  ])('grouped by text as by head (seed %i: %i records, %i one-off texts)', (seed, n, oneOff) => {
    const t = errorLog(seed, n, oneOff);
    const head = groupsByHead(t.db, WHERE, []);
    const byText = groupsByText(t.db, WHERE, [], 4096);
    expect(byText).not.toBeNull();
    expect(byService(byText!)).toEqual(byService(head));
    // Within a service, by first record already.
    const ids = (gs: ErrorGroup[], s: string) => gs.filter((g) => g.service === s).map((g) => g.first_id);
    for (const s of SERVICES) expect(ids(byText!, s)).toEqual(ids(head, s));
    // Not vacuous: texts joined by their first 200 characters, criticals and tracebacks counted.
    if (n >= 300) {
      const texts = (t.db.prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM log_events WHERE ${WHERE} GROUP BY COALESCE(service, ''), message)`).get() as { n: number }).n;
      expect(head.length).toBeLessThan(texts);
      expect(head.some((g) => g.critical > 0 && (g.tracebacks ?? 0) > 0 && (g.tracebacks ?? 0) < g.n)).toBe(true);
    }
  });

  it('past its bound of texts, groupsByText answers null (the records are grouped by head)', () => {
    const t = errorLog(6, 200, 100);
    expect(groupsByText(t.db, WHERE, [], 50)).toBeNull();
    expect(groupsByText(t.db, WHERE, [], 4096)).not.toBeNull();
  });
});
