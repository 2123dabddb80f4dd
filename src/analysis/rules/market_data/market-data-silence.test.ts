import { describe, expect, it } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addHealthPolls, addMarket, at, fileId , ticksAndRollup } from '../../rule-testing.js';
import rule from './market-data-silence.js';

type Setup = (t: TestDb) => void;

/** One event per minute on a JSONL source from `from` to `to` minutes, skipping [skipFrom, skipTo). */
function feed(t: TestDb, from: number, to: number, skip: [number, number][] = [], file = 'events/events_20251126.jsonl'): void {
  for (let m = from; m <= to; m++) {
    if (skip.some(([a, b]) => m >= a && m < b)) continue;
    addMarket(t, { ts: at(m), file, source: 'jsonl' });
  }
}

/** Other channels keep flowing in the same JSONL: the runner was listening. */
function otherChannels(t: TestDb, from: number, to: number, file = 'events/events_20251126.jsonl'): void {
  const f = fileId(t, file);
  for (let m = from; m <= to; m += 5) t.insert('redis_messages', { file_id: f, source: 'jsonl', channel: 'signals', ts: at(m + 0.5), payload: '{}' });
}

describe('market-data-silence', () => {
  const fires: [string, Setup, string, string][] = [
    ['a 2 h silence mid-block while health polls continue', (t) => {
      feed(t, 0, 4300, [[1000, 1120]]);
      addHealthPolls(t, 'cdb_ws', 0, 4300);
    }, 'high', 'warn'],
    ['a 15 min silence', (t) => feed(t, 0, 600, [[300, 315]]), 'medium', 'warn'],
    ['market data stops on day 1 while the runner keeps recording other channels', (t) => {
      feed(t, 0, 600);
      otherChannels(t, 0, 4300);
    }, 'high', 'fail'],
  ];
  it.each(fires)('fires: %s', (_n, setup, severity, status) => {
    const t = new TestDb();
    setup(t);
    const r = t.run(rule);
    expect(r.status).toBe(status);
    expect(r.findings![0].severity).toBe(severity);
    expect(r.findings![0].subject).toBe('source:events/events_20251126.jsonl');
    expect(r.hypotheses![0].cause).toBe('market_data.feed_silent');
  });

  it('a silence at the start of the source span counts (the runner listened, the feed came later)', () => {
    const t = new TestDb();
    otherChannels(t, 0, 600);
    feed(t, 300, 600);
    const r = spoken(t.run(rule));
    expect(r.metrics).toMatchObject({ silences: 1, longest_silence_min: 300 });
    expect(r.findings![0].message).toContain('from 2025-11-26 00:00:30 UTC to 2025-11-26 05:00 UTC');
  });

  it('silence outside the source span is never reported (a 30-minute capture in a 3-day block)', () => {
    const t = new TestDb();
    feed(t, 2000, 2030, [], 'redis/monitor.txt');
    const r = t.run(rule);
    expect(r.status).toBe('ok');
    expect(r.findings ?? []).toEqual([]);
  });

  it('a capture shorter than the silence threshold is not evaluable', () => {
    const t = new TestDb();
    for (let s = 0; s < 30; s++) addMarket(t, { ts: at(2000 + s / 60) });
    expect(t.run(rule)).toMatchObject({ status: 'not_evaluable' });
  });

  it('health polls are not market data: a silent feed with polls still shows the silence', () => {
    const t = new TestDb();
    feed(t, 0, 100);
    feed(t, 400, 500);
    addHealthPolls(t, 'cdb_ws', 100, 400, 1);
    const r = spoken(t.run(rule));
    expect(r.findings![0].message).toMatch(/health poll/);
    expect(r.metrics!.longest_silence_min).toBe(300);
  });

  it.each([
    [
      'en',
      '1 silence of 10+ min in market data while events/events_20251126.jsonl kept recording (5 h in total; longest 5 h from 2025-11-26 01:40 UTC to 2025-11-26 06:40 UTC); the feed answered 299 health polls meanwhile',
    ],
    [
      'de',
      '1 Stillephase von 10+ Min. in den Marktdaten, während events/events_20251126.jsonl weiter aufzeichnete (insgesamt 5 Std.; die längste dauerte 5 Std. von 26.11.2025 01:40 UTC bis 26.11.2025 06:40 UTC); der Feed beantwortete währenddessen 299 Health-Abfragen',
    ],
  ] as const)('the silence finding in %s: counts with their nouns, durations, times and the health polls part', (lang, want) => {
    const t = new TestDb();
    feed(t, 0, 100);
    feed(t, 400, 500);
    addHealthPolls(t, 'cdb_ws', 100, 400, 1);
    expect(spoken(t.run(rule), lang).findings![0].message).toBe(want);
  });

  it('a capture shorter than the silence threshold says how much it covers', () => {
    const t = new TestDb();
    for (let s = 0; s < 30; s++) addMarket(t, { ts: at(2000 + s / 60) });
    expect(spoken(t.run(rule)).missing).toBe('the market data sources cover only 29 s of the block: a silence of 10 minutes cannot show in them');
  });

  it('likelihood drops without the health polls during the silence', () => {
    const lk = (polls: boolean) => {
      const t = new TestDb();
      feed(t, 0, 4300, [[1000, 1120]]);
      if (polls) addHealthPolls(t, 'cdb_ws', 0, 4300);
      return t.run(rule).hypotheses![0].likelihood;
    };
    expect(lk(true)).toBe('likely');
    expect(lk(false)).toBe('possible');
  });

  it('not evaluable without timed market data', () => expect(new TestDb().run(rule).status).toBe('not_evaluable'));

  /** Sources the model's per-minute rollup must read as every tick does: several files, silences at the span's edges, ticks outside the block, untimed ticks. */
  const readBothWays: [string, Setup][] = [
    ['one feed with a silence mid-block and health polls', (t) => {
      feed(t, 0, 4300, [[1000, 1120]]);
      addHealthPolls(t, 'cdb_ws', 0, 4300);
    }],
    ['two sources, each silent at another time, one starting late in its span', (t) => {
      feed(t, 0, 600, [[300, 315]]);
      otherChannels(t, 0, 900, 'redis/monitor.txt');
      feed(t, 200, 800, [[500, 530]], 'redis/monitor.txt');
    }],
    ['ticks outside the block and untimed ticks beside a silent feed', (t) => {
      feed(t, -30, 300, [[100, 200]]);
      feed(t, 4300, 4400);
      const f = fileId(t, 'events/events_20251126.jsonl');
      t.insert('market_data', { file_id: f, line_no: 99_999, ts: null, symbol: 'BTCUSDT', price: 1, source: 'jsonl', in_block: null });
    }],
    ['a feed that stops for good while its file records other channels', (t) => {
      feed(t, 0, 600);
      otherChannels(t, 0, 4300);
    }],
  ];
  it.each(readBothWays)('reads the per-minute rollup as every tick: %s', (_n, setup) => {
    const { ticks, rollup } = ticksAndRollup(rule, setup);
    expect(ticks.findings?.length ?? 0).toBeGreaterThan(0);
    expect(rollup).toEqual(ticks);
  });
});
