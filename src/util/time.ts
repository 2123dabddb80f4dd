/**
 * Times in the working database are ISO 8601 UTC with milliseconds. These helpers read the
 * shapes the evidence uses: PostgreSQL timestamptz text (`2025-12-22 00:36:27.2+00`, `+05:30`),
 * ISO strings with `Z`/offset or naive (read as UTC — every writer of the bot stores UTC),
 * Python asctime (`2025-11-30 14:02:11,907`), and epoch seconds or milliseconds.
 */

const ISO_RE = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?(?:\s*UTC)?$/i;

export function isoFromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): string | null {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
  if (!Number.isFinite(t)) return null;
  const date = new Date(t);
  if (date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 2200) return null;
  return date.toISOString();
}

export function toIsoUtc(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return fromEpoch(value);
  const v = value.trim();
  if (v === '') return null;
  if (/^\d{9,13}(\.\d+)?$/.test(v)) return fromEpoch(Number(v));
  const m = ISO_RE.exec(v);
  if (!m) return null;
  const frac = m[7] ? Number((m[7] + '000').slice(0, 3)) : 0;
  let off = 0;
  const z = m[8];
  if (z && z.toUpperCase() !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    off = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  return isoFromParts(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), frac, off);
}

/** Epoch seconds (< 1e11) or milliseconds. */
export function fromEpoch(n: number): string | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  const ms = n < 1e11 ? n * 1000 : n;
  const d = new Date(Math.round(ms));
  if (d.getUTCFullYear() < 1990 || d.getUTCFullYear() > 2200) return null;
  return d.toISOString();
}

export function utcDate(iso: string): string {
  return iso.slice(0, 10);
}

/** Every UTC date from `from` to `to` inclusive. */
export function daysBetween(fromIso: string, toIso: string): string[] {
  const out: string[] = [];
  let t = Date.parse(fromIso.slice(0, 10) + 'T00:00:00Z');
  const end = Date.parse(toIso.slice(0, 10) + 'T00:00:00Z');
  while (t <= end && out.length < 400) {
    out.push(new Date(t).toISOString().slice(0, 10));
    t += 86_400_000;
  }
  return out;
}
