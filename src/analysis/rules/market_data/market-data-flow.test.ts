import { describe, expect, it, vi } from 'vitest';
import { spoken, TestDb } from '../../testing.js';
import { addContainer, addHealthPolls, addLog, addLogs, addMarket, addSetting, addSignal, at, fileId , ticksAndRollup } from '../../rule-testing.js';
import rule from './market-data-flow.js';
import { TextDigest } from '../shared/text-digest.js';

type Setup = (t: TestDb) => void;

function wsUp(t: TestDb): void {
  addContainer(t, { name: 'cdb_ws', service: 'cdb_ws', state: 'running', status: 'Up 3 days (healthy)', health: 'healthy' });
  addHealthPolls(t, 'cdb_ws', 0, 4300);
}

/** A MONITOR capture over most of the block with signals and orders, but no market_data. */
function monitorWithoutMarket(t: TestDb): void {
  const f = fileId(t, 'redis/monitor.txt');
  for (let m = 0; m <= 4300; m += 60) {
    t.insert('redis_messages', { file_id: f, source: 'monitor', channel: 'signals', command: 'PUBLISH', ts: at(m), payload: '{"type": "signal"}' });
  }
}

describe('market-data-flow', () => {
  it('counts events, symbols and the rate over the capture span, with a sample', () => {
    const t = new TestDb();
    for (let s = 0; s < 60; s++) addMarket(t, { ts: at(1000 + s / 60), symbol: s % 2 ? 'BTC_USDT' : 'ETH_USDT' });
    const r = spoken(t.run(rule));
    expect(r.status).toBe('ok');
    expect(r.metrics).toMatchObject({ events: 60, distinct_symbols: 2 });
    // 60 events over 59 s
    expect(r.metrics!.events_per_min).toBeCloseTo(61, 0);
    expect(r.findings![0].evidence[0].text).toContain('"type":"market_data"');
    expect(r.findings![0].message).toMatch(/a sample, not the block's volume/);
    // The sample says so next to its values (and the KPI is then not graded against the block target).
    expect(r.metricNotes?.events).toMatch(/^sample: redis capture over .+, 0 % of the block$/);
    expect(r.metricNotes?.events_per_min).toMatch(/^rate over the .+ captured$/);
  });

  it.each([
    [
      'en',
      "60 market_data events in the block, 2 distinct symbols, 61 events/min over 59 s of capture (the capture spans 59 s of the 3 d block: the total is a sample, not the block's volume); sample: ETHUSDT @ 91,234.5 at 2025-11-26 16:40 UTC",
    ],
    [
      'de',
      '60 market_data-Events im Block, 2 eindeutige Symbole, 61 Events/Minute über 59 s Mitschnitt (der Mitschnitt umfasst 59 s des Blocks von 3 T: die Summe ist eine Stichprobe, nicht das Volumen des Blocks); Beispiel: ETHUSDT @ 91.234,5 um 26.11.2025 16:40 UTC',
    ],
  ] as const)('the flow finding in %s: counts, the optional rate and sample parts, price and time in the language', (lang, want) => {
    const t = new TestDb();
    for (let s = 0; s < 60; s++) addMarket(t, { ts: at(1000 + s / 60), symbol: s % 2 ? 'BTC_USDT' : 'ETH_USDT' });
    expect(spoken(t.run(rule), lang).findings![0].message).toBe(want);
  });

  it.each([
    ['en', 'No market data in the block while the feed container was running/healthy: cdb_ws runs in STUB mode (1 line); WS_SOURCE=stub in the configuration; "Noch keine Daten – warte auf Klines" ×287'],
    ['de', 'Keine Marktdaten im Block, während der Feed-Container lief bzw. healthy war: cdb_ws läuft im STUB-Modus (1 Zeile); WS_SOURCE=stub in der Konfiguration; "Noch keine Daten – warte auf Klines" ×287'],
  ] as const)('no market data in %s: every reason in order, the quoted feed line untranslated', (lang, want) => {
    const t = new TestDb();
    addContainer(t, { name: 'cdb_ws', service: 'cdb_ws', state: 'running', status: 'Up 3 days (healthy)', health: 'healthy' });
    addLog(t, { service: 'cdb_ws', ts: at(1), message: 'STUB mode: No external WS connections' });
    addSetting(t, 'WS_SOURCE', 'stub', 'cdb_ws', 'inspect_env');
    addLogs(t, { service: 'cdb_ws', kind: 'print', message: 'Noch keine Daten – warte auf Klines...' }, 0, 4300, 15);
    expect(spoken(t.run(rule, { era: 'B' }), lang).findings!.find((f) => f.subject === 'no-market-data')!.message).toBe(want);
  });

  it('market data from a log that stops is no sample: the note names its source', () => {
    const t = new TestDb();
    for (let m = 0; m < 60; m++) t.insert('market_data', { ts: at(m), symbol: 'BTCUSDT', price: 1, source: 'log' });
    expect(spoken(t.run(rule)).metricNotes).toEqual({ events: 'source: log' });
  });

  const fails: [string, Setup, string, string][] = [
    [
      'era-B ws in STUB mode, healthy, no market data',
      (t) => {
        wsUp(t);
        addLog(t, { service: 'cdb_ws', ts: at(1), message: 'STUB mode: No external WS connections' });
        addSetting(t, 'WS_SOURCE', 'stub', 'cdb_ws', 'inspect_env');
      },
      'market_data.stub_mode',
      'very_likely',
    ],
    [
      'era-A ws cannot reach Redis: events are not published',
      (t) => {
        wsUp(t);
        addLog(t, { service: 'cdb_ws', ts: at(1), kind: 'print', message: '⚠ Redis nicht verfügbar: Authentication required. - Events werden nicht publiziert' });
      },
      'market_data.redis_publish_failed',
      'likely',
    ],
    [
      'a MONITOR capture over the block sees signals but no market_data',
      (t) => {
        wsUp(t);
        monitorWithoutMarket(t);
      },
      'market_data.feed_silent',
      'likely',
    ],
    [
      'Noch keine Daten every 15 minutes for the whole block',
      (t) => {
        wsUp(t);
        addLogs(t, { service: 'cdb_ws', kind: 'print', message: 'Noch keine Daten – warte auf Klines...' }, 0, 4300, 15);
      },
      'market_data.no_klines',
      'very_likely',
    ],
  ];
  it.each(fails)('fails: %s', (_n, setup, cause, likelihood) => {
    const t = new TestDb();
    setup(t);
    const r = t.run(rule);
    expect(r.status).toBe('fail');
    expect(r.findings!.find((f) => f.subject === 'no-market-data')!.severity).toBe('critical');
    expect(r.hypotheses!.find((h) => h.cause === cause)!.likelihood).toBe(likelihood);
  });

  it('stub-mode likelihood drops when the STUB line is removed, and is gone without the setting too', () => {
    const lk = (line: boolean, setting: boolean) => {
      const t = new TestDb();
      t.db.prepare("INSERT INTO block (key, value) VALUES ('era', 'B')").run();
      wsUp(t);
      if (line) addLog(t, { service: 'cdb_ws', ts: at(1), message: 'STUB mode: No external WS connections' });
      if (setting) addSetting(t, 'WS_SOURCE', 'stub', 'cdb_ws', 'inspect_env');
      return t.run(rule, { era: 'B' }).hypotheses?.find((h) => h.cause === 'market_data.stub_mode')?.likelihood ?? 'absent';
    };
    const order = ['very_likely', 'likely', 'possible', 'unlikely', 'absent'];
    expect(lk(true, true)).toBe('very_likely');
    expect(order.indexOf(lk(false, true))).toBeGreaterThan(order.indexOf(lk(true, true)));
    expect(lk(false, false)).toBe('absent');
  });

  it('the stub to-do names the compose environment, not a runbook variable', () => {
    const t = new TestDb();
    wsUp(t);
    addLog(t, { service: 'cdb_ws', ts: at(1), message: 'STUB mode: No external WS connections' });
    const todo = t.run(rule, { era: 'B' }).todos!.find((x) => x.cause === 'market_data.stub_mode')!;
    expect(todo.where).toBe('infrastructure/compose/base.yml cdb_ws environment WS_SOURCE');
  });

  it('only a healthy ws with health polls and no capture: warn, not fail (health polls are not activity)', () => {
    const t = new TestDb();
    wsUp(t);
    const r = t.run(rule);
    expect(r.status).toBe('warn');
    expect(r.findings![0].severity).toBe('medium');
  });

  it('signals in the block prove market data flowed even without a capture', () => {
    const t = new TestDb();
    wsUp(t);
    addSignal(t, at(100));
    expect(t.run(rule)).toMatchObject({ status: 'ok', metrics: { inferred_from_signals: 1 } });
  });

  it('market data outside the block does not count for it', () => {
    const t = new TestDb();
    addMarket(t, { ts: '2025-11-20T10:00:00.000Z' });
    expect(t.run(rule).status).toBe('not_evaluable');
  });

  /** Era A's dropped trades carry their payload: each line's text is its own. */
  const droppedTrades = (n: number): Setup => (t) => {
    wsUp(t);
    addLog(t, { service: 'cdb_ws', ts: at(1), kind: 'print', message: '⚠ Redis nicht verfügbar: Authentication required. - Events werden nicht publiziert' });
    for (let m = 2; m < 2 + n; m++) addLog(t, { service: 'cdb_ws', ts: at(m), kind: 'print', message: `[redis] not connected, dropping trade: {"symbol": "BTCUSDT", "price": ${m}}` });
  };
  /**
   * Feeds failing to publish: the records counted by text (TextDigest) and read one by one
   * (RowDigest) must give one result; past 64 texts the rule reads them.
   */
  const notPublished: [string, Setup, boolean][] = [
    ['a publish error every 5 minutes of the block, one text', (t) => {
      wsUp(t);
      addLogs(t, { service: 'cdb_ws', level: 'ERROR', message: '[redis] publish error: Error 111 connecting to cdb_redis:6379. Connection refused.' }, 0, 4300, 5);
    }, true],
    ['two hosts, two feeds, ties in time and untimed lines', (t) => {
      wsUp(t);
      for (let m = 0; m < 300; m++) {
        const host = m % 7 === 3 ? 'redis' : 'cdb_redis';
        addLog(t, { service: m % 5 ? 'cdb_ws' : 'cdb_market_eth', ts: m % 11 === 0 ? null : at(Math.floor(m / 3)), level: 'ERROR', message: `[redis] publish error: Error 111 connecting to ${host}:6379. Connection refused.` });
      }
    }, true],
    ['era A: the unavailable notice and 40 dropped trades', droppedTrades(40), true],
    ['era A: the unavailable notice and 100 dropped trades (read line by line)', droppedTrades(100), false],
  ];
  it.each(notPublished)('counted by text as read line by line: %s', (_n, setup, counted) => {
    const t = new TestDb();
    setup(t);
    const of = vi.spyOn(TextDigest, 'of');
    try {
      const first = t.run(rule);
      expect(of.mock.results.some((r) => r.type === 'return' && r.value !== null)).toBe(counted);
      of.mockReturnValue(null);
      const read = t.run(rule);
      expect(first.hypotheses!.some((h) => h.cause === 'market_data.redis_publish_failed')).toBe(true);
      expect(first).toEqual(read);
    } finally {
      of.mockRestore();
    }
  });

  it('not evaluable with neither capture, ws logs nor a signals table', () => {
    const t = new TestDb();
    const r = spoken(t.run(rule));
    expect(r.status).toBe('not_evaluable');
    expect(r.missing).toMatch(/no market_data capture/);
  });

  /** Captures the model's per-minute rollup must read as every tick does: several files and sources, ticks outside the block, untimed ticks, other channels widening a capture's span. */
  const readBothWays: [string, Setup][] = [
    ['one capture, two symbols', (t) => {
      for (let s = 0; s < 60; s++) addMarket(t, { ts: at(1000 + s / 60), symbol: s % 2 ? 'BTC_USDT' : 'ETH_USDT' });
    }],
    ['a MONITOR capture and an events JSONL, other channels around the ticks, ticks outside the block', (t) => {
      monitorWithoutMarket(t);
      for (let m = 100; m < 400; m += 3) addMarket(t, { ts: at(m), source: 'monitor' });
      for (let m = 2000; m < 2100; m += 0.5) addMarket(t, { ts: at(m), file: 'events/events_20251126.jsonl', source: 'jsonl', symbol: 'ETH_USDT' });
      addMarket(t, { ts: at(-600), file: 'events/events_20251126.jsonl', source: 'jsonl' });
      addMarket(t, { ts: at(5000) });
    }],
    ['untimed ticks beside timed ones', (t) => {
      for (let m = 0; m < 30; m++) addMarket(t, { ts: at(m) });
      const f = fileId(t, 'redis/monitor.txt');
      t.insert('market_data', { file_id: f, line_no: 99_999, ts: null, symbol: 'BTCUSDT', price: 1, source: 'redis', in_block: 1 });
    }],
  ];
  it.each(readBothWays)('reads the per-minute rollup as every tick: %s', (_n, setup) => {
    const { ticks, rollup } = ticksAndRollup(rule, setup);
    expect(ticks.findings?.length ?? 0).toBeGreaterThan(0);
    expect(rollup).toEqual(ticks);
  });
});
