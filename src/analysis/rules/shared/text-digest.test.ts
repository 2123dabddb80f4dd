import { describe, expect, it } from 'vitest';
import type { RuleContext } from '../../define-rule.js';
import { makeRuleContext } from '../../context.js';
import { eachLog, type LogQuery, type LogRow } from '../../rule-kit.js';
import { addLog, at } from '../../rule-testing.js';
import { TestDb } from '../../testing.js';
import { seededRandom } from '../../../util/seeded-random.js';
import { hostNamed } from './contradicted-todos.js';
import { RowDigest } from './row-digest.js';
import { MAX_TEXT_GROUPS, TextDigest } from './text-digest.js';

/** Failure texts naming hosts (two name the same one), one naming none, a non-ASCII one. */
const TEXTS = [
  '[redis] publish error: Error 111 connecting to cdb_redis:6379. Connection refused.',
  '[redis] publish error: Error 111 connecting to cdb_redis:6379. Connection Refused.',
  '[redis] publish error: Error -2 connecting to redis:6379. Name or service not known.',
  '[redis] publish error: Connection closed by server.',
  '⚠ Redis nicht verfügbar: Error 111 connecting to localhost:6379. - Events werden nicht publiziert',
];

interface Shape {
  n: number;
  /** Distinct one-off texts (a payload in each line), besides TEXTS. */
  oneOff: number;
  /** Share of records without a time. */
  untimed: number;
  /** Times drawn from this many minutes: few minutes, many ties. */
  minutes: number;
}

/** Records of the feed's failure classes in two files and services, with ties, untimed records, polls, and records outside the block. */
function failing(seed: number, s: Shape): TestDb {
  const rnd = seededRandom(seed);
  const t = new TestDb();
  for (let i = 0; i < s.n; i++) {
    const r = rnd();
    addLog(t, {
      service: rnd() < 0.7 ? 'cdb_ws' : 'cdb_market_eth',
      ts: rnd() < s.untimed ? null : at(Math.floor(rnd() * s.minutes) - (r < 0.05 ? 100_000 : 0)),
      level: 'ERROR',
      message: i < s.oneOff ? `[redis] not connected, dropping trade: {"symbol": "BTCUSDT", "i": ${i}}` : TEXTS[Math.floor(rnd() * TEXTS.length)],
      kind: r > 0.95 ? 'health_poll' : 'app',
      file: rnd() < 0.5 ? 'logs/a.log' : 'logs/b.log',
    });
  }
  return t;
}

/** Evidence that names the pointer it was made from. */
function ctxOf(t: TestDb): RuleContext {
  const ctx = makeRuleContext(t.db, { from: at(0), to: at(60 * 24), days: [], era: 'B', dialect: 'real' });
  return { ...ctx, evidence: (file: number, line: number) => ({ file: `f${file}`, line }) } as unknown as RuleContext;
}

const CASES: [string, number, Shape][] = [
  ['no record', 1, { n: 0, oneOff: 0, untimed: 0, minutes: 10 }],
  ['one record', 2, { n: 1, oneOff: 0, untimed: 0, minutes: 10 }],
  ['two records', 3, { n: 2, oneOff: 0, untimed: 0, minutes: 10 }],
  ['many ties in time', 4, { n: 400, oneOff: 0, untimed: 0, minutes: 3 }],
  ['untimed among timed', 5, { n: 400, oneOff: 0, untimed: 0.3, minutes: 600 }],
  ['all untimed', 6, { n: 200, oneOff: 0, untimed: 1, minutes: 1 }],
  ['a few one-off texts', 7, { n: 300, oneOff: 20, untimed: 0.1, minutes: 60 }],
  ['one-off texts beyond the bound', 8, { n: 300, oneOff: MAX_TEXT_GROUPS + 1, untimed: 0.1, minutes: 60 }],
];

describe('TextDigest answers as RowDigest fed eachLog record by record', () => {
  it.each(CASES)('%s (seed %i)', (_name, seed, shape) => {
    const t = failing(seed, shape);
    const ctx = ctxOf(t);
    const classes = (t.db.prepare('SELECT DISTINCT class FROM log_events WHERE class IS NOT NULL ORDER BY class').all() as { class: string }[]).map((r) => r.class);
    if (shape.n) expect(classes.length).toBeGreaterThan(0);
    for (const q of [{ classes }, { classes, services: ['cdb_ws'] }, { classes, excludeKinds: ['print'] }] as Omit<LogQuery, 're' | 'messages'>[]) {
      const host = (m: string) => hostNamed(m);
      const rows = new RowDigest<LogRow>((r) => host(r.message));
      const services = new Set<string | null>();
      const groups = new Set<string>();
      eachLog(ctx, q, (r) => {
        rows.add(r);
        services.add(r.service);
        groups.add(`${r.service}\u0000${r.message}`);
      });
      const d = TextDigest.of(ctx, q, host);
      // Payload texts: the caller reads the records.
      expect(d === null).toBe(groups.size > MAX_TEXT_GROUPS);
      if (!d) continue;
      expect(d!.n).toBe(rows.n);
      expect([d!.first, d!.last]).toEqual([rows.first, rows.last]);
      // The middle record of three is found by its rank (logNth).
      for (const max of [1, 2, 3]) expect(d!.spread(ctx, max)).toEqual(rows.spread(ctx, max));
      expect([d!.timed, d!.firstTs, d!.lastTs]).toEqual([rows.timed, rows.firstTs, rows.lastTs]);
      expect(d!.representatives()).toEqual(rows.representatives());
      expect(d!.services).toEqual([...services].sort());
    }
  });

  it('more than MAX_TEXT_GROUPS texts: null, so that the records are read', () => {
    const t = failing(9, { n: 200, oneOff: 200, untimed: 0, minutes: 60 });
    const ctx = ctxOf(t);
    const classes = (t.db.prepare('SELECT DISTINCT class FROM log_events WHERE class IS NOT NULL').all() as { class: string }[]).map((r) => r.class);
    expect(TextDigest.of(ctx, { classes })).toBeNull();
  });

  it('exactly MAX_TEXT_GROUPS texts are still counted', () => {
    const t = new TestDb();
    for (let i = 0; i < MAX_TEXT_GROUPS * 3; i++) {
      addLog(t, { service: 'cdb_ws', ts: at(i), level: 'ERROR', message: `[redis] not connected, dropping trade: {"i": ${i % MAX_TEXT_GROUPS}}` });
    }
    const classes = (t.db.prepare('SELECT DISTINCT class FROM log_events WHERE class IS NOT NULL').all() as { class: string }[]).map((r) => r.class);
    const d = TextDigest.of(ctxOf(t), { classes });
    expect(d?.n).toBe(MAX_TEXT_GROUPS * 3);
    expect(d?.first?.message).toBe('[redis] not connected, dropping trade: {"i": 0}');
  });
});
