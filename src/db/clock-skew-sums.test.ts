import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { skewSeconds } from './clock-skew-sums.js';

const db = new Database(':memory:');
const sqlite = db.prepare('SELECT (julianday(?) - julianday(?)) * 86400.0 AS d');
const viaSqlite = (a: string, b: string) => (sqlite.get(a, b) as { d: number }).d;

describe('skewSeconds is SQLite\'s (julianday(ts) - julianday(docker_ts)) * 86400.0, bit for bit', () => {
  it.each([
    ['the same time', '2026-02-09T01:21:37.502Z', '2026-02-09T01:21:37.502Z'],
    ['half a second', '2026-02-09T01:21:37.000Z', '2026-02-09T01:21:37.500Z'],
    ['one hour ahead (a TZ set)', '2025-11-26T10:00:00.123Z', '2025-11-26T09:00:00.120Z'],
    ['across midnight', '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.001Z'],
    ['a leap day', '2024-02-29T12:00:00.000Z', '2024-03-01T11:59:59.999Z'],
    ['just over the 5 s threshold', '2026-02-09T01:00:05.001Z', '2026-02-09T01:00:00.000Z'],
    ['exactly 5 s', '2026-02-09T01:00:05.000Z', '2026-02-09T01:00:00.000Z'],
    ['before 1970', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z'],
  ])('%s', (_name, ts, docker) => {
    expect(Object.is(skewSeconds(ts, docker), viaSqlite(ts, docker))).toBe(true);
  });

  it('ten thousand pseudo-random pairs over two years', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const base = Date.parse('2025-01-01T00:00:00.000Z');
    for (let i = 0; i < 10_000; i++) {
      const a = base + Math.floor(rnd() * 2 * 365 * 86_400_000);
      const b = a + Math.floor((rnd() - 0.5) * 2 * (i % 2 ? 7_200_000 : 9_000));
      const ts = new Date(a).toISOString();
      const docker = new Date(b).toISOString();
      expect(skewSeconds(ts, docker)).toBe(viaSqlite(ts, docker));
    }
  });

  it.each([
    ['no milliseconds', '2026-02-09T01:21:37Z', '2026-02-09T01:21:37.500Z'],
    ['microseconds', '2026-02-09T01:21:37.500123Z', '2026-02-09T01:21:37.500Z'],
    ['an offset instead of Z', '2026-02-09T01:21:37.500+01:00', '2026-02-09T01:21:37.500Z'],
    ['hour 24', '2026-02-09T24:00:00.000Z', '2026-02-09T23:59:59.000Z'],
    ['not a date', 'yesterday at noon, more', '2026-02-09T01:21:37.500Z'],
  ])('%s: not counted (null), the rule reads the records', (_name, ts, docker) => {
    expect(skewSeconds(ts, docker)).toBeNull();
    expect(skewSeconds(docker, ts)).toBeNull();
  });
});
