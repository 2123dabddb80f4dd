/**
 * Calendar days in an IANA zone (the team's local days, the Windows host's CET/CEST). Node ships
 * full ICU, so the zone rules, DST switches included, come from Intl rather than a hand-made table.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when Intl knows the zone (`Europe/Berlin`, `UTC`, `Etc/GMT-1`). */
export function isZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes the zone is ahead of UTC at an instant (CET +60, CEST +120). */
export function offsetMinutes(utcMs: number, zone: string): number {
  if (zone === 'UTC') return 0;
  const parts = formatter(zone).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** A naive local wall-clock time (`2025-12-14 21:23:38`) in `zone` as epoch ms UTC; null if unparsable. */
export function localToUtc(local: string, zone = 'Europe/Berlin'): number | null {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d)?)(\.\d+)?$/.exec(local.trim());
  if (!m) return null;
  const naive = Date.parse(`${m[1]}T${m[2].length === 5 ? `${m[2]}:00` : m[2]}${(m[3] ?? '').slice(0, 4)}Z`);
  if (!Number.isFinite(naive)) return null;
  let guess = naive - offsetMinutes(naive, zone) * 60_000;
  guess = naive - offsetMinutes(guess, zone) * 60_000;
  return guess;
}

/** The calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(utcMs: number, zone: string): string {
  return new Date(utcMs + offsetMinutes(utcMs, zone) * 60_000).toISOString().slice(0, 10);
}

/** The instant a zone's calendar day begins. */
export function dayStartIn(day: string, zone: string): number {
  return zone === 'UTC' ? Date.parse(`${day}T00:00:00.000Z`) : (localToUtc(`${day} 00:00:00`, zone) ?? Date.parse(`${day}T00:00:00.000Z`));
}

/** Every calendar date of a zone from one instant to another, inclusive. */
export function daysBetweenIn(fromIso: string, toIso: string, zone: string): string[] {
  const out: string[] = [];
  let d = localDate(Date.parse(fromIso), zone);
  const end = localDate(Date.parse(toIso), zone);
  while (d <= end && out.length < 400) {
    out.push(d);
    d = new Date(Date.parse(`${d}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  return out;
}
