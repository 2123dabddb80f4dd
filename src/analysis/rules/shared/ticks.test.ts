import { describe, expect, it } from 'vitest';
import { buildMarketMinutes, MinuteRollup } from '../../../model/market-minutes.js';
import { seededRandom } from '../../../util/seeded-random.js';
import { TestDb } from '../../testing.js';
import { blockTickSpan, blockTicksPerDay, fileTickMaxIn, firstBlockTick, tickFields } from './ticks.js';

const FROM = '2025-11-26T00:00:00.000Z';
const TO = '2025-11-28T23:59:59.999Z';

interface Tick {
  ts: string | null;
  file: number;
  line: number;
  symbol: string | null;
  volume: number | string | null;
  pct: number | null;
}

/**
 * Ticks of three files around the block: each file starts and ends at its own time, ticks every
 * few seconds to minutes with ties in time (across files and within one), untimed ticks, and
 * volumes NULL, 0, a number or text; `times` shapes a time (canonical or not).
 */
function ticks(seed: number, times: (ms: number) => string): Tick[] {
  const rnd = seededRandom(seed);
  const out: Tick[] = [];
  const start = Date.parse(FROM) - 3 * 3_600_000;
  for (let file = 1; file <= 3; file++) {
    let ms = start + file * 7 * 60_000;
    const end = Date.parse(TO) + (file - 2) * 5 * 3_600_000;
    for (let line = 1; ms < end; line++) {
      const r = rnd();
      const ts = r < 0.01 ? null : times(ms);
      const volume = r < 0.3 ? null : r < 0.5 ? 0 : r < 0.52 ? 'n/a' : Math.round(rnd() * 1e6) / 10;
      out.push({ ts, file, line, symbol: r < 0.05 ? null : ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][Math.floor(rnd() * 3)], volume, pct: r < 0.6 ? null : rnd() * 6 - 3 });
      // Most ticks seconds apart, some the same instant, some an hour apart.
      const step = rnd();
      ms += step < 0.1 ? 0 : step < 0.97 ? Math.floor(rnd() * 240_000) : 3_600_000;
    }
  }
  return out;
}

const canonical = (ms: number) => new Date(ms).toISOString();
const shapes: [string, (ms: number) => string][] = [
  ['canonical times', canonical],
  ['some times without milliseconds or with a space', (ms) => (ms % 7 === 0 ? canonical(ms).replace('.000Z', 'Z') : ms % 11 === 0 ? canonical(ms).replace('T', ' ') : canonical(ms))],
];

/**
 * The database as the model build leaves it: marks by time, and (with `rollup`) market_minutes, from
 * SQL or from the build's JS rollup. Half the untimed ticks are marked inside (a database built by hand).
 */
function db(list: Tick[], rollup: 'none' | 'sql' | 'js'): TestDb {
  const t = new TestDb();
  for (const f of [1, 2, 3]) t.file(`logs/feed-${f}.log`);
  const minutes = new MinuteRollup();
  const ins = t.db.prepare("INSERT INTO market_data (ts, symbol, symbol_raw, price, volume, pct_change, source, file_id, line_no, in_block) VALUES (?, ?, ?, 1, ?, ?, 'log', ?, ?, ?)");
  t.db.transaction(() => {
    for (const k of list) {
      ins.run(k.ts, k.symbol, k.symbol, k.volume, k.pct, k.file, k.line, k.ts === null ? (k.line % 2 ? 1 : null) : k.ts >= FROM && k.ts <= TO ? 1 : 0);
      minutes.add(k.file, k.ts, 'log');
    }
  })();
  t.db.exec('CREATE INDEX IF NOT EXISTS ix_market_ts ON market_data(ts)');
  if (rollup === 'sql') buildMarketMinutes(t.db);
  if (rollup === 'js') minutes.write(t.db, FROM, TO);
  return t;
}

const cases = shapes.flatMap(([name, times]) =>
  [1, 2, 3].flatMap((seed) => (['sql', 'js'] as const).map((how) => [`${name}, seed ${seed}, rollup by ${how}`, ticks(seed, times), how] as const)),
);

describe('the block\'s ticks from the per-minute rollup are the scan\'s', () => {
  it.each(cases)('count, span and per-day counts, %s', (_name, list, how) => {
    const t = db(list, how);
    expect(t.db.prepare('SELECT COUNT(*) FROM market_minutes').pluck().get()).toBeGreaterThan(0);
    const plain = db(list, 'none');
    const span = blockTickSpan(t.db);
    expect(span).toEqual(t.db.prepare('SELECT COUNT(*) AS n, COUNT(ts) AS timed, MIN(ts) AS f, MAX(ts) AS t FROM market_data WHERE in_block = 1').get());
    expect(blockTickSpan(plain.db)).toEqual(span);
    const perDay = t.db.prepare('SELECT substr(ts, 1, 10) AS d, COUNT(*) AS n FROM market_data WHERE in_block = 1 GROUP BY substr(ts, 1, 10) ORDER BY d').all();
    expect(perDay.length).toBeGreaterThan(1);
    expect(blockTicksPerDay(t.db)).toEqual(perDay);
    expect(blockTicksPerDay(plain.db)).toEqual(perDay);
  });

  it.each(cases)('the first tick of the block, %s', (_name, list, how) => {
    const t = db(list, how);
    const cols = 'file_id, line_no, ts, symbol, volume';
    const want = t.db.prepare(`SELECT ${cols} FROM market_data WHERE in_block = 1 ORDER BY ts IS NULL, ts, file_id, line_no LIMIT 1`).get();
    expect(firstBlockTick(t.db, cols, blockTickSpan(t.db))).toEqual(want);
    expect(firstBlockTick(db(list, 'none').db, cols, blockTickSpan(t.db))).toEqual(want);
  });

  it.each(cases.flatMap(([n, list, how]) =>
    [
      ['the block', FROM, TO],
      ['edges inside minutes', '2025-11-26T00:03:30.500Z', '2025-11-28T13:07:12.250Z'],
      ['an edge at a tick', list.find((k) => k.file === 2 && k.line === 40)!.ts ?? FROM, list.find((k) => k.file === 1 && k.line === 400)!.ts ?? TO],
      ['no tick', '2030-01-01T00:00:00.000Z', '2030-01-02T00:00:00.000Z'],
    ].map(([w, from, to]) => [`${n}, ${w}`, list, how, from, to] as const),
  ))('each file\'s last tick in a window, %s', (_name, list, how, from, to) => {
    const t = db(list, how);
    const want = t.db.prepare('SELECT file_id, MAX(ts) AS last_ts FROM market_data WHERE ts >= ? AND ts < ? GROUP BY file_id ORDER BY file_id').all(from, to);
    expect(fileTickMaxIn(t.db, from, to)).toEqual(want);
    expect(fileTickMaxIn(db(list, 'none').db, from, to)).toEqual(want);
  });

  it.each(cases)('the field counts, %s', (_name, list, how) => {
    const t = db(list, how);
    const f = tickFields(t.context({ from: FROM, to: TO }));
    const q = (where: string) => t.db.prepare(`SELECT COUNT(*) FROM market_data WHERE in_block = 1 AND ${where}`).pluck().get() as number;
    expect(f.n).toBe(q('1'));
    expect(f.n - f.volume).toBe(q('volume IS NULL'));
    expect(f.volume).toBe(q('volume IS NOT NULL'));
    expect(f.n - f.volume + f.volumeZero).toBe(q('COALESCE(volume, 0) = 0'));
    expect(f.n - f.pct).toBe(q('pct_change IS NULL'));
    expect(f.maxVolume).toBe(t.db.prepare('SELECT MAX(volume) FROM market_data WHERE in_block = 1').pluck().get());
    expect(f.symbols).toBe(q('1') && t.db.prepare('SELECT COUNT(DISTINCT symbol) FROM market_data WHERE in_block = 1').pluck().get());
    // The generated ticks hold every kind of value the counts tell apart.
    expect([f.n - f.volume, f.volumeZero, f.volume - f.volumeZero, f.pct, f.symbols].every((v) => v > 0)).toBe(true);
  });
});

describe('with the rollup, no read of every tick', () => {
  it.each(cases.filter(([, , how]) => how === 'sql'))('the span, per-day counts, first tick and last ticks read market_minutes and the time index only, %s', (_name, list) => {
    const t = db(list, 'sql');
    const seen: string[] = [];
    const prepare = t.db.prepare.bind(t.db);
    (t.db as { prepare: unknown }).prepare = (sql: string) => {
      if (/market_data/.test(sql)) seen.push(sql);
      return prepare(sql);
    };
    const span = blockTickSpan(t.db);
    blockTicksPerDay(t.db);
    firstBlockTick(t.db, 'file_id, line_no', span);
    firstBlockTick(t.db, 'file_id, line_no', { ...span, f: null });
    fileTickMaxIn(t.db, '2025-11-26T00:03:30.500Z', '2025-11-28T13:07:12.250Z');
    expect(seen.length).toBeGreaterThanOrEqual(5);
    for (const sql of new Set(seen)) {
      const n = (sql.match(/\?/g) ?? []).length;
      const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(n).fill(null)) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan, sql).not.toMatch(/SCAN market_data|AUTOMATIC/);
    }
  });
});
