import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatDuration, formatNumber, formatPercent } from './format.js';
import type { Lang } from './lang.js';

describe('numbers follow the language', () => {
  it.each<[Lang, number, number | undefined, string]>([
    ['en', 1234.5, undefined, '1,234.5'],
    ['de', 1234.5, undefined, '1.234,5'],
    ['de', 18340, undefined, '18.340'],
    ['en', 0.6912, 2, '0.69'],
    ['de', 0.6912, 2, '0,69'],
    ['de', -42, undefined, '-42'],
    ['en', 7, 0, '7'],
    ['en', Number.NaN, undefined, '–'],
  ])('%s %d (digits %s) → %s', (lang, n, digits, want) => {
    expect(formatNumber(lang, n, digits)).toBe(want);
  });

  it.each<[Lang, number, string]>([
    ['en', 12.5, '12.5 %'],
    ['de', 12.5, '12,5 %'],
    ['de', 100, '100 %'],
  ])('%s percent %d → %s', (lang, n, want) => {
    expect(formatPercent(lang, n)).toBe(want);
  });
});

describe('dates and times are UTC, written the language\'s way', () => {
  it.each<[Lang, string, string]>([
    ['en', '2026-01-24', '2026-01-24'],
    ['de', '2026-01-24', '24.01.2026'],
    ['de', '2026-01-24T13:05:00Z', '24.01.2026'],
    ['de', 'not a date', 'not a date'],
  ])('%s date %s → %s', (lang, iso, want) => {
    expect(formatDate(lang, iso)).toBe(want);
  });

  it.each<[Lang, string, string]>([
    ['en', '2026-01-24T13:05:00Z', '2026-01-24 13:05 UTC'],
    ['de', '2026-01-24T13:05:00Z', '24.01.2026 13:05 UTC'],
    ['de', '2026-01-24T13:05:07.123Z', '24.01.2026 13:05:07 UTC'],
    ['en', '2026-01-24T13', '2026-01-24'],
  ])('%s moment %s → %s', (lang, iso, want) => {
    expect(formatDateTime(lang, iso)).toBe(want);
  });

  it.each<[Lang, number, string]>([
    ['en', 0, '0 s'],
    ['en', 312, '5 min 12 s'],
    ['en', 7500, '2 h 5 min'],
    ['de', 7500, '2 Std. 5 Min.'],
    ['en', 3 * 86400 + 3600 + 59, '3 d 1 h'],
    ['de', 86400, '1 T'],
    ['en', -90, '-1 min 30 s'],
  ])('%s duration %ds → %s', (lang, s, want) => {
    expect(formatDuration(lang, s)).toBe(want);
  });
});
