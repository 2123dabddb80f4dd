import { describe, expect, it } from 'vitest';
import { CATALOG, classify, classes, entry, fieldsOf } from './index.js';

const samples = CATALOG.flatMap((e) =>
  Object.entries(e.samples).flatMap(([era, lines]) => (lines ?? []).map((line) => ({ id: e.id, era, line, service: e.services[0] === '*' ? null : e.services[0], kind: e.kind ?? null }))),
);
/** Entries assigned by log kind match anything by design; the overlap test is for text entries. */
const byText = samples.filter((s) => s.kind === null);

describe('event catalog', () => {
  it('every entry has at least one sample, and names eras it has samples for', () => {
    for (const e of CATALOG) {
      const eras = Object.keys(e.samples);
      expect(eras.length, e.id).toBeGreaterThan(0);
      for (const era of eras) expect(e.eras as readonly string[], `${e.id} sample era ${era}`).toContain(era);
    }
  });

  // As lnav refuses a format whose samples fail: each sample matches its own entry ...
  it.each(samples)('$id matches its $era sample', ({ id, line }) => {
    expect(entry(id).pattern.test(line)).toBe(true);
  });

  // ... and no other specific entry, so the class of a line never depends on declaration order.
  it.each(byText)('$id sample ($era) matches no other specific entry', ({ id, line }) => {
    const others = CATALOG.filter((e) => e.id !== id && !e.generic && !e.ownServicesOnly && !e.kind && e.pattern.test(line)).map((e) => e.id);
    expect(others).toEqual([]);
  });

  it.each(samples)('$id sample ($era) classifies as $id for its service and without one', ({ id, line, service, kind }) => {
    expect(classify(service, line, kind)).toBe(id);
    if (!entry(id).ownServicesOnly) expect(classify(null, line, kind)).toBe(id);
  });

  it('a catch-all of one service never classifies another service\'s lines', () => {
    expect(classify('cdb_prometheus', 'Starting Prometheus Server component=main')).toBe('monitoring.line');
    expect(classify('cdb_risk', 'Starting Prometheus Server component=main')).toBeNull();
    expect(classify(null, 'Starting Prometheus Server component=main')).toBeNull();
  });

  it.each(samples)('$id needle is in its $era sample', ({ id, line }) => {
    const e = entry(id);
    const needles = Array.isArray(e.needle) ? e.needle : [e.needle];
    const hay = e.needleCi ? line.toLowerCase() : line;
    expect(needles.some((n) => hay.includes(e.needleCi ? n.toLowerCase() : n))).toBe(true);
  });

  it.each([
    ['risk.rejected.max_exposure', '⚠️ Max Exposure erreicht: 5120.40 >= 5000.00', { exposure: '5120.40', max: '5000.00' }],
    ['risk.approved', 'âœ… Order freigegeben: BTCUSDT BUY qty=0.0002', { symbol: 'BTCUSDT', side: 'BUY', qty: '0.0002' }],
    ['signal.generated', '✨ Signal generiert: BTC_USDT BUY @ $50000.00 (+3.45%, Confidence: 0.35)', { symbol: 'BTC_USDT', side: 'BUY', price: '50000.00', pct: '+3.45', confidence: '0.35' }],
    ['runner.connect_failed', 'Event subscription error: boom', { error: 'boom' }],
    ['runner.initialized', 'PAPER TRADING RUNNER INITIALIZED\n  Start Time:  2025-12-01T10:00:00.123456\n  Duration:    14 days', { start: '2025-12-01T10:00:00.123456', days: '14' }],
  ])('%s extracts its fields', (id, line, fields) => {
    expect(fieldsOf(id, line)).toEqual(fields);
  });

  it.each([
    // the alert wrapper of a blocked signal is not a second decision (counting rule §3.4)
    ['cdb_risk', 'Alert: [WARNING] RISK_LIMIT: Max Exposure erreicht: 5120.40 >= 5000.00', 'risk.alert'],
    // the POSIX signal at shutdown is not a trade signal
    ['cdb_risk', 'Signal empfangen: 15', 'service.posix_signal'],
    // a service's own message wins over the library text inside it
    ['cdb_signal', 'Redis-Verbindung fehlgeschlagen: Error 111 connecting to cdb_redis:6379. Connection refused.', 'service.redis_connect_failed'],
    ['cdb_db_writer', 'Failed to connect to Redis: Authentication required.', 'writer.connect_failed'],
    ['cdb_execution', 'Redis Initialisierung fehlgeschlagen (1/5): Error 111 connecting to cdb_redis:6379. Connection refused.', 'exec.redis_init_failed'],
    // library text in a line no entry knows: the generic class
    ['cdb_custom', 'boom: Error 111 connecting to cdb_redis:6379. Connection refused.', 'net.connection_refused'],
    ['cdb_risk', 'something entirely unknown', null],
  ])('%s %j → %s', (service, line, want) => {
    expect(classify(service, line)).toBe(want);
  });

  // classify skips an entry when no pair of its needles' first two characters occurs in the message;
  // the class must stay the one a plain scan gives (first entry in the service's order whose needle
  // is in the message and whose pattern matches), including needles at either end of the text,
  // case-folded needles, one-character needles and messages shorter than two characters.
  const services = [null, ...new Set(CATALOG.flatMap((e) => e.services).filter((s) => s !== '*')), 'cdb_custom'];
  const texts = [
    ...new Set([
      ...byText.flatMap(({ line }) => [line, `x${line}`, `${line} `, line.toUpperCase(), line.toLowerCase(), line.slice(0, 2), line.slice(-3)]),
      ...CATALOG.flatMap((e) => (Array.isArray(e.needle) ? e.needle : [e.needle])).flatMap((n) => [n, `${n}!`, `_${n}`, n.toUpperCase()]),
      '', 'a', '$', '_',
    ]),
  ];
  it.each(services)('classify(%s, text) equals a plain scan of the catalog for every sample text and needle', (service) => {
    const text = CATALOG.filter((e) => !e.kind);
    const specific = text.filter((e) => !e.generic && !e.services.includes('*') && !e.ownServicesOnly);
    const any = text.filter((e) => !e.generic && e.services.includes('*'));
    const generic = text.filter((e) => e.generic);
    const mine = service === null ? [] : specific.filter((e) => e.services.includes(service));
    const order = mine.length === 0 && !text.some((e) => e.ownServicesOnly && e.services.includes(service!))
      ? [...specific, ...any, ...generic]
      : [...mine, ...any, ...generic, ...specific.filter((e) => !mine.includes(e)), ...text.filter((e) => e.ownServicesOnly && e.services.includes(service!))];
    const plain = (m: string): string | null => {
      for (const e of order) {
        const needles = (Array.isArray(e.needle) ? e.needle : [e.needle]).map((n) => (e.needleCi ? n.toLowerCase() : n));
        const hay = e.needleCi ? m.toLowerCase() : m;
        if (!needles.includes('') && !needles.some((n) => hay.includes(n))) continue;
        if (e.pattern.test(m)) return e.id;
      }
      return null;
    };
    const differ = texts.filter((m) => classify(service, m) !== plain(m));
    expect(differ).toEqual([]);
  });

  it('refuses a class id it does not declare', () => {
    expect(() => classes('risk.approved', 'risk.aproved')).toThrow(/unknown catalog class: risk.aproved/);
  });
});
