import { describe, expect, it } from 'vitest';
import { TestDb } from '../analysis/testing.js';
import { entry } from '../catalog/index.js';
import { seededRandom } from '../util/seeded-random.js';
import { buildModel } from './build.js';
import { insertFeedTicks, textBefore, TICK_CHANGE, tickChangesInBlock, TickChanges } from './feed-ticks.js';
import { MinuteRollup } from './market-minutes.js';
import { normSymbol, num } from './symbols.js';

type Line = [file: number, ts: string | null, message: string];

const MD = `id, ts, symbol, symbol_raw, price, source, file_id, line_no`;
const at = (s: number) => (s < 0 ? null : new Date(Date.parse('2026-02-09T00:00:00.000Z') + s * 100).toISOString());
const pub = (symbol: string, price: string) => `[redis] published market_data: ${symbol} @ ${price}`;

/** The log records, one line each, in the order given (ids in that order, line numbers per file). */
function logged(lines: Line[]): TestDb {
  const t = new TestDb();
  t.file('logs/a.log');
  t.file('logs/b.log');
  t.file('logs/c.log');
  for (const [file_id, ts, message] of lines) t.insert('log_events', { file_id, service: 'cdb_ws', ts, kind: 'app', level: 'DEBUG', message, in_block: ts === null ? null : 1 });
  return t;
}

/** The rows the build read the ticks as before SQLite cut them: every record through the pattern, in (ts, file_id, line_no) order. */
function reference(t: TestDb): Record<string, unknown>[] {
  const pattern = entry('feed.published').pattern;
  const rows = t.db.prepare(`SELECT file_id, line_no, ts, message FROM log_events WHERE class = 'feed.published' ORDER BY ts, file_id, line_no`).all() as { file_id: number; line_no: number; ts: string | null; message: string }[];
  const out: Record<string, unknown>[] = [];
  for (const r of rows) {
    const m = pattern.exec(r.message);
    if (!m) continue;
    out.push({ id: out.length + 1, ts: r.ts, symbol: normSymbol(m.groups!.symbol), symbol_raw: m.groups!.symbol, price: num(m.groups!.price), source: 'log', file_id: r.file_id, line_no: r.line_no });
  }
  return out;
}

/** The tick-to-tick changes inside the block as the signal-filters rule derived them from every tick: per symbol in (ts, id) order. */
function changesByRow(t: TestDb): number[] {
  const values: number[] = [];
  let prev: { symbol: string | null; price: number } | null = null;
  for (const r of t.db.prepare('SELECT symbol, price FROM market_data WHERE in_block = 1 AND price IS NOT NULL AND price > 0 ORDER BY symbol, ts, id').all() as { symbol: string | null; price: number }[]) {
    if (prev && r.symbol === prev.symbol) values.push(((r.price - prev.price) / prev.price) * 100);
    prev = r;
  }
  return values;
}
const sorted = (v: number[]) => Float64Array.from(v).sort();

/** Ticks of a few symbols in three files, times jittered and repeated, some untimed, prices with zeros. */
function generated(seed: number, n: number): Line[] {
  const rnd = seededRandom(seed);
  const symbols = ['BTCUSDT', 'ETH_USDT', 'eth-usdt', 'SOL/USDT'];
  const lines: Line[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const s = r < 0.03 ? -1 : Math.floor(i / 2) + Math.floor(rnd() * 3) - 1;
    const price = r < 0.06 ? '0.00' : r < 0.08 ? '0' : (10 + rnd() * 90000).toFixed(Math.floor(rnd() * 4));
    lines.push([1 + Math.floor(rnd() * 3), at(s), rnd() < 0.1 ? `a line of the feed that is no tick ${i}` : pub(symbols[Math.floor(rnd() * symbols.length)], price)]);
  }
  return lines;
}

const B = { from: at(20)!, to: at(120)! };

// [name, log lines, whether SQLite reads every tick (else the build reads them through the pattern)]
const CASES: [string, Line[], boolean][] = [
  ['symbols interleaved, before, in and after the block', [[1, at(10), pub('BTCUSDT', '100.5')], [1, at(11), pub('ETHUSDT', '10')], [1, at(25), pub('BTCUSDT', '101')], [1, at(26), pub('ETHUSDT', '10.25')], [1, at(30), pub('BTCUSDT', '99.75')], [1, at(200), pub('ETHUSDT', '11')]], true],
  ['equal times in several files, written out of order', [[2, at(30), pub('BTCUSDT', '100')], [1, at(30), pub('BTCUSDT', '101')], [3, at(30), pub('BTCUSDT', '102')], [1, at(30), pub('BTCUSDT', '99')], [2, at(29), pub('BTCUSDT', '98')]], true],
  ['zero prices, untimed ticks and lines of the feed that are no tick', [[1, null, pub('BTCUSDT', '5')], [1, at(21), pub('BTCUSDT', '0.00')], [1, at(22), pub('BTCUSDT', '100')], [1, at(23), pub('BTCUSDT', '0')], [1, at(24), 'Connected to Redis'], [1, at(25), pub('BTCUSDT', '104')]], true],
  ['symbols normalised alike pair up', [[1, at(30), pub('BTC_USDT', '100')], [1, at(31), pub('btc-usdt', '102')], [1, at(32), pub('BTC/USDT', '101')]], true],
  ['a symbol whose first tick in the block has no price', [[1, at(10), pub('BTCUSDT', '100')], [1, at(20), pub('BTCUSDT', '0')], [1, at(40), pub('BTCUSDT', '110')], [1, at(50), pub('BTCUSDT', '121')]], true],
  ['a symbol with ticks only before and after the block', [[1, at(10), pub('BTCUSDT', '100')], [1, at(30), pub('ETHUSDT', '5')], [1, at(300), pub('BTCUSDT', '110')], [1, at(31), pub('ETHUSDT', '6')]], true],
  ['long prices, at the edge of what SQLite converts as Number does', [[1, at(30), pub('BTCUSDT', '12345678901234567.8')], [1, at(31), pub('BTCUSDT', '0.1000000000000000055511151231257827')], [1, at(32), pub('BTCUSDT', '9007199254740993')], [1, at(33), pub('BTCUSDT', '.5')], [1, at(34), pub('BTCUSDT', '7.')]], true],
  ['text after the price: read through the pattern', [[1, at(30), pub('BTCUSDT', '100')], [1, at(31), pub('BTCUSDT', '101') + ' (volume 3)'], [1, at(32), pub('BTCUSDT', '102')]], false],
  ['a price the pattern takes but Number does not: read through the pattern', [[1, at(30), pub('BTCUSDT', '100')], [1, at(31), pub('BTCUSDT', '1.2.3')], [1, at(32), pub('BTCUSDT', '.')], [1, at(33), pub('BTCUSDT', '103')]], false],
  ['a symbol outside printable ASCII: read through the pattern', [[1, at(30), pub('BTCUSDT', '100')], [1, at(31), pub('ÄTHUSDT', '10')], [1, at(32), pub('BTC\u00a0USDT', '11')], [1, at(33), pub('BTCUSDT', '101')]], false],
  ['a second " @ " in the line', [[1, at(30), pub('BTCUSDT', '100 @ 7')], [1, at(31), pub('BTCUSDT', '101')]], false],
  ['no ticks', [[1, at(30), 'Connected to Redis']], true],
  ['generated, seed 1', generated(1, 400), true],
  ['generated, seed 2', generated(2, 400), true],
];

describe('the feed ticks read by SQLite', () => {
  it.each(CASES)('hold the rows the pattern gives, in the same order: %s', (_name, lines, exact) => {
    const t = logged(lines);
    t.db.exec(`ALTER TABLE market_data ADD COLUMN ${TICK_CHANGE} REAL`);
    const changes = new TickChanges();
    const got = insertFeedTicks(t.db, new MinuteRollup(), changes);
    const want = reference(t);
    expect(got).toBe(exact ? want.length : null);
    if (exact) expect(t.db.prepare(`SELECT ${MD} FROM market_data ORDER BY id`).all()).toEqual(want);
    else expect(t.db.prepare('SELECT COUNT(*) FROM market_data').pluck().get()).toBe(0);
  });

  it.each(CASES)('the model build gives the same market_data and rollup either way: %s', (_name, lines) => {
    const t = logged(lines);
    buildModel(t.db, B);
    expect(t.db.prepare(`SELECT ${MD} FROM market_data ORDER BY id`).all()).toEqual(reference(t));
    const rollup = t.db.prepare('SELECT * FROM market_minutes ORDER BY rowid').all();
    t.db.exec('DELETE FROM market_minutes');
    const m = new MinuteRollup();
    for (const r of t.db.prepare('SELECT file_id, ts, source FROM market_data ORDER BY id').all() as { file_id: number; ts: string | null; source: string }[]) m.add(r.file_id, r.ts, r.source);
    m.write(t.db, B.from, B.to);
    expect(t.db.prepare('SELECT * FROM market_minutes ORDER BY rowid').all()).toEqual(rollup);
  });

  it.each(CASES)('the stored changes inside the block are the changes between consecutive ticks of a symbol inside it: %s', (_name, lines) => {
    const t = logged(lines);
    buildModel(t.db, B);
    const got = tickChangesInBlock(t.db);
    expect(got).not.toBeNull();
    expect(sorted(got!)).toEqual(sorted(changesByRow(t)));
  });

  it('a build from a Redis capture stores no changes (its ticks carry pct_change, or the rule derives them)', () => {
    const t = new TestDb();
    t.insert('redis_messages', { source: 'jsonl', channel: 'market_data', ts: at(30), payload: '{}', symbol: 'BTCUSDT', price: 100, pct_change: 0.5 });
    buildModel(t.db, B);
    expect(t.db.prepare('SELECT COUNT(*) FROM market_data').pluck().get()).toBe(1);
    expect(tickChangesInBlock(t.db)).toBeNull();
  });
});

describe('textBefore orders text as SQLite does', () => {
  it.each([
    ['2026-02-09T00:00:00.000Z', '2026-02-09T00:00:00.100Z'],
    ['2026-02-09 00:00', '2026-02-09T00:00'],
    ['a\uffff', 'a\u{1F600}'],
    ['a\u{1F600}', 'a\u{1F601}'],
    ['\ue000', '\u{10000}'],
    ['abc', 'abc'],
    ['', 'a'],
  ])('%j vs %j', (a, b) => {
    const sql = (x: string, y: string) => new TestDb().db.prepare('SELECT ? < ?').pluck().get(x, y) === 1;
    expect(textBefore(a, b)).toBe(sql(a, b));
    expect(textBefore(b, a)).toBe(sql(b, a));
  });
});
