/**
 * Host-local times of the Windows host that ran daily_check.py (CET/CEST) to UTC. Node ships full
 * ICU, so the zone rules (including the DST switch) come from Intl rather than a hand-made table.
 */

function offsetMinutes(utcMs: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
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

/**
 * A report's generation time as epoch ms UTC: ISO with a zone as is; a naive time as UTC when the
 * zone says so, else as host-local (Europe/Berlin).
 */
export function generatedMs(generatedAt: string | null | undefined, zone: string | null | undefined): number | null {
  if (!generatedAt) return null;
  const t = generatedAt.trim();
  if (/(Z|[+-]\d\d:?\d\d)$/.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    return Number.isFinite(ms) ? ms : null;
  }
  if (/utc/i.test(zone ?? '')) {
    const ms = Date.parse(`${t.replace(' ', 'T')}Z`);
    return Number.isFinite(ms) ? ms : null;
  }
  return localToUtc(t);
}
