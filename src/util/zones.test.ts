import { describe, expect, it } from 'vitest';
import { dayStartIn, daysBetweenIn, isZone, localDate, localToUtc, offsetMinutes } from './zones.js';

describe('zones', () => {
  it.each<[string, string, number]>([
    ['2025-12-15T12:00:00.000Z', 'Europe/Berlin', 60],
    ['2025-07-15T12:00:00.000Z', 'Europe/Berlin', 120],
    ['2025-12-15T12:00:00.000Z', 'UTC', 0],
    ['2025-12-15T12:00:00.000Z', 'Asia/Kolkata', 330],
  ])('offset of %s in %s is %i min', (iso, zone, min) => {
    expect(offsetMinutes(Date.parse(iso), zone)).toBe(min);
  });

  it.each<[string, string, string]>([
    ['2025-12-14T22:59:59.999Z', 'Europe/Berlin', '2025-12-14'],
    ['2025-12-14T23:00:00.000Z', 'Europe/Berlin', '2025-12-15'],
    ['2025-12-14T23:00:00.000Z', 'UTC', '2025-12-14'],
  ])('%s falls on the %s day %s', (iso, zone, day) => {
    expect(localDate(Date.parse(iso), zone)).toBe(day);
  });

  it.each<[string, string, string]>([
    ['2025-12-15', 'Europe/Berlin', '2025-12-14T23:00:00.000Z'],
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', 'Europe/Berlin', '2026-03-29T22:00:00.000Z'],
    ['2025-12-15', 'UTC', '2025-12-15T00:00:00.000Z'],
  ])('the %s day in %s begins at %s', (day, zone, iso) => {
    expect(new Date(dayStartIn(day, zone)).toISOString()).toBe(iso);
  });

  it('local wall-clock text to UTC, and the days between two instants in a zone', () => {
    expect(new Date(localToUtc('2025-12-14 21:23:38', 'Europe/Berlin')!).toISOString()).toBe('2025-12-14T20:23:38.000Z');
    expect(localToUtc('not a time')).toBeNull();
    expect(daysBetweenIn('2025-12-14T23:00:00.000Z', '2025-12-17T22:59:59.999Z', 'Europe/Berlin')).toEqual(['2025-12-15', '2025-12-16', '2025-12-17']);
    expect(daysBetweenIn('2025-12-14T23:00:00.000Z', '2025-12-17T22:59:59.999Z', 'UTC')).toEqual(['2025-12-14', '2025-12-15', '2025-12-16', '2025-12-17']);
  });

  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Mars/Olympus', false],
  ])('isZone(%s) = %s', (zone, ok) => {
    expect(isZone(zone)).toBe(ok);
  });
});
