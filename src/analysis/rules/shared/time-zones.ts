import { localToUtc } from '../../../util/zones.js';

export { localToUtc };

// Host-local times of the Windows host that ran daily_check.py (CET/CEST) to UTC; the zone rules live in util/zones.

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
